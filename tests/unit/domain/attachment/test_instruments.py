"""The ECR-R and ECR-RS as data, checked against the keys written out in the research."""

from __future__ import annotations

import pytest

from saltbitter.domain.attachment import ECR_R, Instrument, Item, ResponseScale, Subscale
from saltbitter.domain.attachment.instruments import ECR_RS
from saltbitter.domain.errors import DomainRuleViolated

# docs/science.md 0.1 / 1.1, typed in independently of the implementation.
ECR_R_REVERSED = {9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36}


def test_ecr_r_has_36_items_split_18_anxiety_then_18_avoidance() -> None:
    assert [item.number for item in ECR_R.items] == list(range(1, 37))
    assert [item.number for item in ECR_R.items_in(Subscale.ANXIETY)] == list(range(1, 19))
    assert [item.number for item in ECR_R.items_in(Subscale.AVOIDANCE)] == list(range(19, 37))


def test_ecr_r_reverse_keys_match_the_published_key_and_item_21_is_forward() -> None:
    assert {item.number for item in ECR_R.items if item.reverse_keyed} == ECR_R_REVERSED
    assert not ECR_R.item(21).reverse_keyed


def test_ecr_r_scale_is_seven_points_and_reversal_is_eight_minus_x() -> None:
    assert (ECR_R.scale.minimum, ECR_R.scale.maximum) == (1, 7)
    assert [ECR_R.scale.reverse(answer) for answer in range(1, 8)] == [7, 6, 5, 4, 3, 2, 1]
    assert dict(ECR_R.scale.anchors)[1] == "Strongly disagree"
    assert dict(ECR_R.scale.anchors)[7] == "Strongly agree"


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "I'm afraid that I will lose my partner's love."),
        (9, "I rarely worry about my partner leaving me."),
        (21, "I find it difficult to allow myself to depend on romantic partners."),
        (36, "My partner really understands me and my needs."),
    ],
)
def test_ecr_r_wording_matches_the_research_table(number: int, text: str) -> None:
    assert ECR_R.item(number).text == text


def test_ecr_r_items_are_distinct_and_missing_limit_is_two() -> None:
    assert len({item.text for item in ECR_R.items}) == 36
    assert ECR_R.max_missing_per_subscale == 2
    assert not ECR_R.is_short_form
    assert ECR_R.instructions.startswith("The statements below concern how you feel")


def test_ecr_rs_is_a_labelled_short_form_with_its_published_key() -> None:
    assert ECR_RS.is_short_form
    assert "less precise" in ECR_RS.precision_note
    assert [item.number for item in ECR_RS.items_in(Subscale.AVOIDANCE)] == [1, 2, 3, 4, 5, 6]
    assert [item.number for item in ECR_RS.items_in(Subscale.ANXIETY)] == [7, 8, 9]
    assert {item.number for item in ECR_RS.items if item.reverse_keyed} == {1, 2, 3, 4}


def test_item_lookup_outside_the_instrument_fails() -> None:
    with pytest.raises(KeyError):
        ECR_R.item(37)
    with pytest.raises(KeyError):
        ECR_R.item(0)


def _two_by_two(numbers: tuple[int, ...], max_missing: int = 0) -> Instrument:
    subscales = (Subscale.ANXIETY, Subscale.ANXIETY, Subscale.AVOIDANCE, Subscale.AVOIDANCE)
    return Instrument(
        key="toy",
        name="toy",
        version="1",
        citation="",
        instructions="",
        scale=ResponseScale(1, 5, ()),
        items=tuple(
            Item(number, f"item {number}", subscale)
            for number, subscale in zip(numbers, subscales, strict=True)
        ),
        max_missing_per_subscale=max_missing,
    )


def test_instrument_checks_its_numbering_and_missing_limit() -> None:
    assert len(_two_by_two((1, 2, 3, 4)).items) == 4
    with pytest.raises(DomainRuleViolated):
        _two_by_two((1, 2, 4, 5))
    with pytest.raises(DomainRuleViolated):
        # Two items per subscale cannot allow two missing: nothing would be left.
        _two_by_two((1, 2, 3, 4), max_missing=2)


def test_response_scale_needs_two_points_and_anchors_on_the_scale() -> None:
    with pytest.raises(DomainRuleViolated):
        ResponseScale(3, 3, ())
    with pytest.raises(DomainRuleViolated):
        ResponseScale(1, 5, ((6, "beyond"),))
    assert ResponseScale(1, 5, ()).reverse(2) == 4
