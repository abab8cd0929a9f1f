"""``score_assessment`` takes item numbers as JSON gives them ("1".."36") as well as ints."""

from __future__ import annotations

import pytest
from hypothesis import given

from saltbitter.domain.attachment import ECR_R, score_assessment
from saltbitter.domain.errors import ValidationFailed
from saltbitter.testing.strategies.attachment import ecr_r_answers, partial_answers


@given(ecr_r_answers())
def test_string_keys_score_exactly_like_int_keys(answers: dict[int, int]) -> None:
    as_json = {str(number): answer for number, answer in answers.items()}
    assert score_assessment(ECR_R, as_json) == score_assessment(ECR_R, answers)


@given(partial_answers())
def test_string_keys_impute_the_same_missing_items(answers: dict[int, int]) -> None:
    as_json = {str(number): answer for number, answer in answers.items()}
    assert score_assessment(ECR_R, as_json).imputed_items == (
        score_assessment(ECR_R, answers).imputed_items
    )


@pytest.mark.parametrize("key", ["07", " 7", "7 ", "+7", "seven", "٧", "37", "0"])
def test_only_canonical_item_numbers_count(key: str) -> None:
    answers: dict[str, int] = {str(number): 4 for number in range(1, 37) if number != 7}
    answers[key] = 4
    with pytest.raises(ValidationFailed) as invalid:
        score_assessment(ECR_R, answers)
    assert (f"answers.{key}", "unknown_item") in {(e.field, e.code) for e in invalid.value.errors}


def test_an_item_given_as_int_and_as_string_is_a_duplicate() -> None:
    answers: dict[int | str, int] = dict.fromkeys(range(1, 37), 4)
    answers["5"] = 3
    with pytest.raises(ValidationFailed) as invalid:
        score_assessment(ECR_R, answers)  # type: ignore[arg-type]
    assert [(e.field, e.code) for e in invalid.value.errors] == [("answers.5", "duplicate")]
