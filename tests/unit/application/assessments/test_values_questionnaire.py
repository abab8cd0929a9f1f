"""The values questionnaire through its use cases over in-memory fakes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.application.assessments.values import (
    GetValuesQuestionnaire,
    SubmitValuesQuestionnaire,
)
from saltbitter.application.profiles.events import ProfileChanged
from saltbitter.domain.compatibility import PVQ21_ITEMS, ValueRatings
from saltbitter.domain.errors import NotFound, ValidationFailed
from saltbitter.testing.builders_profiles import a_profile, some_values
from saltbitter.testing.fakes import OutboxState
from saltbitter.testing.fakes_profiles import ProfilesState
from support.container import FakeWorld as Members
from support.hypothesis_budget import budget

ANSWERS = {str(number): 1 + number % 6 for number in range(1, 22)}


async def test_the_questionnaire_lists_21_items_by_ess_code_without_their_values() -> None:
    view = await GetValuesQuestionnaire()()
    assert [item.number for item in view.items] == list(range(1, 22))
    assert len({item.code for item in view.items}) == 21
    assert (view.scale.minimum, view.scale.maximum) == (1, 6)
    assert sorted(n for items in PVQ21_ITEMS.values() for n in items) == list(range(1, 22))


async def test_answers_become_the_profiles_ratings_and_announce_the_change(
    members: Members,
) -> None:
    ada = await members.member()
    members.database[ProfilesState].profiles[ada.user_id] = a_profile(
        ada.user_id, values=some_values()
    )
    submit = await members.get(SubmitValuesQuestionnaire)
    result = await submit(ada, ANSWERS)
    expected = ValueRatings.from_pvq21({int(k): v for k, v in ANSWERS.items()})
    stored = members.database[ProfilesState].profiles[ada.user_id].values
    assert stored == expected
    assert result.values == expected.as_mapping()
    assert members.database[OutboxState].messages[-1].event == ProfileChanged(user_id=ada.user_id)


@settings(max_examples=budget(30))
@given(
    bad=st.dictionaries(
        st.one_of(st.integers(-5, 30).map(str), st.text(max_size=3)),
        st.one_of(st.integers(-3, 9), st.booleans(), st.none(), st.text(max_size=2)),
        max_size=25,
    )
)
async def test_anything_but_21_answers_from_1_to_6_is_refused_and_stores_nothing(
    bad: dict[str, object],
) -> None:
    members = Members()
    ada = await members.member()
    members.database[ProfilesState].profiles[ada.user_id] = a_profile(
        ada.user_id, values=some_values()
    )
    complete = len(bad) == 21 and all(
        str(n) in bad and type(bad[str(n)]) is int and 1 <= bad[str(n)] <= 6  # type: ignore[operator]
        for n in range(1, 22)
    )
    submit = await members.get(SubmitValuesQuestionnaire)
    if complete:
        await submit(ada, bad)
        return
    with pytest.raises(ValidationFailed) as invalid:
        await submit(ada, bad)
    assert all(error.field.startswith("answers.") for error in invalid.value.errors)
    assert members.database[ProfilesState].profiles[ada.user_id].values == some_values()


async def test_without_a_profile_there_is_nowhere_to_put_the_values(members: Members) -> None:
    ada = await members.member()
    with pytest.raises(NotFound) as missing:
        await (await members.get(SubmitValuesQuestionnaire))(ada, ANSWERS)
    assert missing.value.code == "profile_not_found"
