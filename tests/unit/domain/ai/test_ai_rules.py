"""The AI domain rules: disclosures, the crisis check and the daily quota."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.ai.crisis import CrisisKind, crisis_in, crisis_response, normalise
from saltbitter.domain.ai.icebreakers import IMPORTANT_VALUE, shared_interests, shared_values
from saltbitter.domain.ai.personas import (
    COACH_DISCLOSURE,
    ICEBREAKER_DISCLOSURE,
    PERSONAS,
    Disclosure,
    PersonaId,
    persona,
)
from saltbitter.domain.ai.quota import (
    daily_ai_quota,
    quota_day,
    quota_resets_at,
    seconds_until_reset,
)
from saltbitter.domain.errors import NotFound
from saltbitter.domain.shared import Tier
from saltbitter.domain.subscriptions.catalog import DEFAULT_CATALOG

_CRISIS = [
    ("I want to kill myself", CrisisKind.SELF_HARM),
    ("sometimes I think about SUICIDE", CrisisKind.SELF_HARM),
    ("I've been cutting myself again", CrisisKind.SELF_HARM),
    ("Ich denke an Selbstmord", CrisisKind.SELF_HARM),
    ("j'ai envie de mourir", CrisisKind.SELF_HARM),
    ("quiero morir", CrisisKind.SELF_HARM),
    ("my partner hits me when he drinks", CrisisKind.ABUSE),
    ("Il me frappe", CrisisKind.ABUSE),
    ("someone is following me home", CrisisKind.DANGER),
    ("estoy en peligro", CrisisKind.DANGER),
]


def test_five_distinct_personas_each_disclose_being_ai() -> None:
    assert {p.id for p in PERSONAS} == set(PersonaId)
    assert len({p.style for p in PERSONAS}) == 5
    for p in (*PERSONAS,):
        assert p.disclosure.is_ai
        assert p.disclosure.human_alternative
        assert any("never used to train" in line for line in p.disclosure.limitations)
        assert "AI" in p.instructions
        assert "Never claim to be human" in p.instructions
    for disclosure in (COACH_DISCLOSURE, ICEBREAKER_DISCLOSURE):
        assert disclosure.is_ai
        assert disclosure.human_alternative


def test_a_disclosure_cannot_deny_being_ai_or_omit_the_human_alternative() -> None:
    with pytest.raises(ValueError, match="is_ai"):
        Disclosure("p", ("c",), ("l",), "human", is_ai=False)
    with pytest.raises(ValueError, match="human"):
        Disclosure("p", ("c",), ("l",), "")


def test_unknown_persona_is_not_found() -> None:
    assert persona("shy").id is PersonaId.SHY
    with pytest.raises(NotFound):
        persona("flirty")


@pytest.mark.parametrize(("text", "kind"), _CRISIS)
def test_crisis_language_is_recognised(text: str, kind: CrisisKind) -> None:
    assert crisis_in(text) is kind
    response = crisis_response(kind)
    assert response.resources
    assert "AI" in response.message


@given(st.sampled_from(_CRISIS), st.text(max_size=40), st.text(max_size=40))
def test_crisis_is_found_wherever_it_stands_and_however_it_is_cased(
    case: tuple[str, CrisisKind], before: str, after: str
) -> None:
    text, _ = case
    # Whatever surrounds it (separated by a space), the phrase is still found.
    found = crisis_in(f"{before} {text.upper()} {after}")
    assert found is not None


@given(st.text(alphabet=st.characters(categories=["Nd", "Zs"]), max_size=50))
def test_digits_and_spaces_never_look_like_a_crisis(text: str) -> None:
    assert crisis_in(text) is None


@pytest.mark.parametrize(
    "text",
    ["What do you like to do at weekends?", "I killed it at the gym today", "skills and hobbies"],
)
def test_everyday_practice_messages_pass(text: str) -> None:
    assert crisis_in(text) is None


@given(st.text(max_size=60))
def test_normalise_is_idempotent_and_padded(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert once.startswith(" ")
    assert once.endswith(" ")


def test_quota_comes_from_the_catalog_free_is_fifty() -> None:
    assert daily_ai_quota(Tier.FREE) == 50
    for tier in Tier:
        assert (
            daily_ai_quota(tier)
            == DEFAULT_CATALOG.plan(tier).entitlements.ai_practice_messages_per_day
        )


@given(st.datetimes(timezones=st.timezones()))
def test_quota_resets_at_the_next_utc_midnight(now: datetime) -> None:
    reset = quota_resets_at(now)
    assert reset > now
    assert reset - now <= timedelta(days=1)
    assert (reset.hour, reset.minute, reset.second, reset.microsecond) == (0, 0, 0, 0)
    assert quota_day(reset) == quota_day(now) + timedelta(days=1)
    assert 1 <= seconds_until_reset(now) <= 86_400
    assert reset.tzinfo is UTC


_TAGS = st.lists(st.sampled_from(["jazz", "Jazz ", "hiking", "chess", "surf", "art"]), max_size=6)
_VALUES = st.none() | st.dictionaries(
    st.sampled_from(["benevolence", "self_direction", "security", "tradition"]),
    st.integers(1, 7).map(float),
)


@given(_TAGS, _TAGS)
def test_shared_interests_are_symmetric_and_shared(mine: list[str], theirs: list[str]) -> None:
    shared = shared_interests(mine, theirs)
    assert shared == shared_interests(theirs, mine)
    assert all(tag in {t.strip().casefold() for t in mine} for tag in shared)
    assert all(tag in {t.strip().casefold() for t in theirs} for tag in shared)


@given(_VALUES, _VALUES)
def test_shared_values_are_symmetric_and_important_to_both(
    mine: dict[str, float] | None, theirs: dict[str, float] | None
) -> None:
    shared = shared_values(mine, theirs)
    assert shared == shared_values(theirs, mine)
    for name in shared:
        key = name.replace(" ", "_")
        assert mine is not None
        assert theirs is not None
        assert min(mine[key], theirs[key]) >= IMPORTANT_VALUE
