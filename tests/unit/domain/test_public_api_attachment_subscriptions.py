"""The attachment and subscriptions packages export exactly their documented names."""

from __future__ import annotations

import importlib

import pytest

EXPECTED = {
    "saltbitter.domain.attachment": {
        "DEFAULT_NORMS",
        "DEFAULT_RULES",
        "ECR_R",
        "AgeBand",
        "AssessmentResult",
        "AttachmentStyle",
        "CarelessnessRules",
        "ClassificationRules",
        "DimensionLevel",
        "Insights",
        "Instrument",
        "Item",
        "Norms",
        "NormsReport",
        "ReliabilityReport",
        "ResponseRecord",
        "ResponseScale",
        "Subscale",
        "SubscaleNorm",
        "compute_norms",
        "reliability_report",
        "score_assessment",
    },
    "saltbitter.domain.subscriptions": {
        "DEFAULT_CATALOG",
        "DEFAULT_GRACE_DAYS",
        "Catalog",
        "Entitlements",
        "Money",
        "Subscription",
        "SubscriptionEvent",
        "SubscriptionState",
        "TierPlan",
        "entitlements_for",
        "tier_rank",
        "COOLING_OFF",
        "DEFAULT_ITEM_CATALOG",
        "MAX_QUANTITY",
        "SPENDING_THRESHOLDS_CENTS",
        "ItemCatalog",
        "ItemPrice",
        "PurchaseItem",
        "PurchaseStatus",
        "SpendingCap",
        "SpendingNotices",
        "month_of",
        "month_start",
        "would_pass_cap",
    },
}


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
def test_all_lists_exactly_the_public_names_and_each_exists(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert set(module.__all__) == EXPECTED[module_name]
    assert len(module.__all__) == len(set(module.__all__))
    for name in module.__all__:
        assert getattr(module, name) is not None, name


def test_the_style_labels_are_the_four_documented_strings() -> None:
    from saltbitter.domain.attachment import AttachmentStyle

    assert [style.value for style in AttachmentStyle] == [
        "secure",
        "anxious",
        "avoidant",
        "fearful",
    ]


def test_the_subscription_states_are_the_six_documented_strings() -> None:
    from saltbitter.domain.subscriptions import SubscriptionState

    assert {state.value for state in SubscriptionState} == {
        "free",
        "trialing",
        "active",
        "past_due",
        "canceling",
        "canceled",
    }


def test_the_psychometrics_module_is_importable_for_engineers() -> None:
    psychometrics = importlib.import_module("saltbitter.domain.attachment.psychometrics")
    for name in ("cronbach_alpha", "feldt_interval", "careless_reasons", "compute_norms"):
        assert name in psychometrics.__all__
        assert callable(getattr(psychometrics, name))


def test_the_short_form_without_norms_is_not_offered_as_usable() -> None:
    # No published ECR-RS norms exist and its scores are not on the ECR-R metric, so the
    # public package does not export it; it stays in ``instruments`` as data only.
    import saltbitter.domain.attachment as attachment

    assert not hasattr(attachment, "ECR_RS")
