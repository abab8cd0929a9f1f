"""The member's consent ledger through the use cases: append-only, evented, explicit."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.application.assessments.consents import ListConsents, SetConsent
from saltbitter.application.assessments.dto import ConsentChange
from saltbitter.application.assessments.events import ConsentChanged
from saltbitter.application.shared.policy import AccountsPolicy
from saltbitter.domain.accounts import ConsentPurpose
from saltbitter.domain.errors import DomainRuleViolated, NotFound
from saltbitter.testing.fakes import OutboxState
from saltbitter.testing.fakes_accounts import AccountsState
from support.container import PHONE
from support.container import FakeWorld as Members
from support.hypothesis_budget import budget

OPTIONAL = [ConsentPurpose.SENSITIVE_DATA, ConsentPurpose.AI_FEATURES, ConsentPurpose.MARKETING]


def _events(members: Members) -> list[dict[str, object]]:
    return [
        {
            "user_id": str(message.event.user_id),
            "purpose": message.event.purpose.value,
            "granted": message.event.granted,
        }
        for message in members.database[OutboxState].messages
        if isinstance(message.event, ConsentChanged)
    ]


async def test_a_new_member_sees_every_purpose_with_terms_and_privacy_granted(
    members: Members,
) -> None:
    ada = await members.member()
    views = await (await members.get(ListConsents))(ada)
    assert [view.purpose for view in views] == list(ConsentPurpose)
    state = {view.purpose: view.granted for view in views}
    assert state == {
        ConsentPurpose.TERMS: True,
        ConsentPurpose.PRIVACY: True,
        ConsentPurpose.SENSITIVE_DATA: False,
        ConsentPurpose.AI_FEATURES: False,
        ConsentPurpose.MARKETING: False,
    }
    never_asked = next(v for v in views if v.purpose is ConsentPurpose.MARKETING)
    assert (never_asked.policy_version, never_asked.recorded_at) == (None, None)


async def test_granting_appends_a_demonstrable_line_and_announces_the_change(
    members: Members,
) -> None:
    ada = await members.member()
    members.clock.advance(timedelta(minutes=3))
    view = await members.consent(ada, "sensitive_data")
    assert view.granted
    assert view.policy_version == members.policy.privacy_version
    assert view.recorded_at == members.clock.now()
    line = members.database[AccountsState].consents[-1]
    assert (line.user_id, line.purpose, line.granted) == (
        ada.user_id,
        ConsentPurpose.SENSITIVE_DATA,
        True,
    )
    assert (line.ip_address, line.user_agent) == (PHONE.ip_address, PHONE.user_agent)
    assert _events(members) == [
        {"user_id": str(ada.user_id), "purpose": "sensitive_data", "granted": True}
    ]


async def test_asking_for_the_current_state_again_changes_nothing(members: Members) -> None:
    ada = await members.member()
    await members.consent(ada, "sensitive_data")
    lines = len(members.database[AccountsState].consents)
    await members.consent(ada, "sensitive_data")
    assert len(members.database[AccountsState].consents) == lines
    assert len(_events(members)) == 1


async def test_withdrawing_is_a_new_line_and_an_event(members: Members) -> None:
    ada = await members.member()
    await members.consent(ada, "sensitive_data")
    members.clock.advance(timedelta(days=1))
    view = await members.consent(ada, "sensitive_data", granted=False)
    assert not view.granted
    history = [
        c
        for c in members.database[AccountsState].consents
        if c.purpose is ConsentPurpose.SENSITIVE_DATA
    ]
    assert [c.granted for c in history] == [True, False]  # append-only: the grant stays
    assert [e["granted"] for e in _events(members)] == [True, False]


async def test_terms_and_privacy_cannot_be_withdrawn_while_the_account_exists(
    members: Members,
) -> None:
    ada = await members.member()
    lines = len(members.database[AccountsState].consents)
    for purpose in ("terms", "privacy"):
        with pytest.raises(DomainRuleViolated) as refused:
            await members.consent(ada, purpose, granted=False)
        assert refused.value.code == "consent_required_for_account"
    assert len(members.database[AccountsState].consents) == lines
    await members.consent(ada, "terms")  # agreeing again is fine (and a no-op)
    assert len(members.database[AccountsState].consents) == lines


async def test_an_unknown_purpose_is_not_found(members: Members) -> None:
    ada = await members.member()
    with pytest.raises(NotFound) as missing:
        await (await members.get(SetConsent))(ada, ConsentChange("everything", True, PHONE))
    assert missing.value.code == "consent_purpose_not_found"


async def test_a_first_no_is_recorded_without_an_event(members: Members) -> None:
    ada = await members.member()
    view = await members.consent(ada, "marketing", granted=False)
    assert not view.granted
    assert view.recorded_at is not None  # the member was asked and said no
    assert _events(members) == []


async def test_agreeing_to_a_newer_policy_version_adds_a_line_without_an_event(
    members: Members,
) -> None:
    ada = await members.member()
    await members.consent(ada, "ai_features")
    members.policy = AccountsPolicy(privacy_version="2027-01")
    view = await members.consent(ada, "ai_features")
    assert view.policy_version == "2027-01"
    versions = [
        c.policy_version
        for c in members.database[AccountsState].consents
        if c.purpose.value == "ai_features"
    ]
    assert versions == ["2026-01", "2027-01"]
    assert len(_events(members)) == 1


async def test_one_members_choices_do_not_touch_anothers(members: Members) -> None:
    ada, bo = await members.member("ada@example.org"), await members.member("bo@example.org")
    await members.consent(ada, "sensitive_data")
    bo_state = {v.purpose: v.granted for v in await (await members.get(ListConsents))(bo)}
    assert bo_state[ConsentPurpose.SENSITIVE_DATA] is False


@settings(max_examples=budget(50), deadline=None)
@given(changes=st.lists(st.tuples(st.sampled_from(OPTIONAL), st.booleans()), max_size=12))
def test_the_listed_state_is_the_last_answer_and_events_mark_each_flip(
    changes: list[tuple[ConsentPurpose, bool]],
) -> None:
    async def run() -> None:
        members = Members()
        ada = await members.member()
        expected = dict.fromkeys(OPTIONAL, False)
        flips = 0
        for purpose, granted in changes:
            members.clock.advance(timedelta(seconds=1))
            await members.consent(ada, purpose.value, granted=granted)
            flips += expected[purpose] != granted
            expected[purpose] = granted
        state = {v.purpose: v.granted for v in await (await members.get(ListConsents))(ada)}
        assert {p: state[p] for p in OPTIONAL} == expected
        assert len(_events(members)) == flips
        # The ledger only ever grows: every earlier line is still there, in order.
        lines = [c for c in members.database[AccountsState].consents if c.purpose in OPTIONAL]
        assert len(lines) <= len(changes)

    asyncio.run(run())
