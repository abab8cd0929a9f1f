"""Completeness: four equal items, a score that only grows as items get done."""

from __future__ import annotations

from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.profiles import CompletenessItem, profile_completeness
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders_profiles import a_profile

PROFILE = a_profile(UserId(uuid4()))
NO_BIO = a_profile(UserId(uuid4()), bio="")


def test_nothing_done() -> None:
    result = profile_completeness(None, photo_count=0, assessment_done=False)
    assert result.score == 0.0
    assert result.missing == tuple(CompletenessItem)
    assert not result.complete


def test_everything_done() -> None:
    result = profile_completeness(PROFILE, photo_count=1, assessment_done=True)
    assert (result.score, result.missing, result.complete) == (1.0, (), True)


def test_the_missing_items_are_named() -> None:
    result = profile_completeness(NO_BIO, photo_count=2, assessment_done=False)
    assert result.score == 0.5
    assert [item.value for item in result.missing] == ["bio", "assessment"]
    only_assessment = profile_completeness(PROFILE, photo_count=3, assessment_done=False)
    assert (only_assessment.score, only_assessment.missing) == (
        0.75,
        (CompletenessItem.ASSESSMENT,),
    )


@given(
    st.sampled_from([None, NO_BIO, PROFILE]),
    st.integers(0, 6),
    st.booleans(),
)
def test_score_laws(profile: object, photos: int, assessed: bool) -> None:
    result = profile_completeness(profile, photo_count=photos, assessment_done=assessed)  # type: ignore[arg-type]
    assert 0.0 <= result.score <= 1.0
    assert result.score == (4 - len(result.missing)) / 4
    assert list(result.missing) == [item for item in CompletenessItem if item in result.missing]
    assert result.complete == (result.score == 1.0)
    # Doing more never lowers the score.
    more = profile_completeness(profile, photo_count=photos + 1, assessment_done=True)  # type: ignore[arg-type]
    assert more.score >= result.score
    with_bio = profile_completeness(PROFILE, photo_count=photos, assessment_done=assessed)
    assert with_bio.score >= result.score
