"""Insights are reflections, never diagnoses, and cover every style and level."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings

from saltbitter.domain.attachment import (
    ECR_R,
    AttachmentStyle,
    DimensionLevel,
    Insights,
    score_assessment,
)
from saltbitter.domain.attachment.insights import build_insights
from saltbitter.testing.strategies.attachment import partial_answers

# Phrasing that states a condition or an identity instead of a tendency.
DIAGNOSTIC = re.compile(
    r"\byou\s+(are|have|were)\b|\byou['’](re|ve)\b|\byour\s+(attachment\s+)?style\s+is\b"
    r"|diagnos|disorder|patholog|symptom|suffer|\bdysfunction|\bdamaged\b|\bbroken\b"
    r"|\bclinical(ly)?\s+(anxious|avoidant)|\binsecure\s+person\b",
    re.IGNORECASE,
)


def test_the_phrase_check_itself_catches_diagnoses() -> None:
    for sentence in (
        "You are anxiously attached.",
        "You have an avoidant attachment disorder.",
        "You're fearful.",
        "Your style is anxious.",
        "These symptoms suggest...",
    ):
        assert DIAGNOSTIC.search(sentence), sentence
    assert not DIAGNOSTIC.search("You may notice that you tune in quickly.")


ALL_PROFILES = list(
    itertools.product(
        AttachmentStyle,
        DimensionLevel,
        DimensionLevel,
        [None, *AttachmentStyle],
        [False, True],
    )
)


def test_no_insight_text_is_diagnostic_for_any_profile() -> None:
    # Every combination of style, levels, boundary neighbour and support pointer (360).
    for style, anxiety, avoidance, nearest, support in ALL_PROFILES:
        insights = build_insights(
            style=style,
            anxiety_level=anxiety,
            avoidance_level=avoidance,
            nearest_other_style=nearest,
            show_support_resources=support,
        )
        for text in insights.all_texts():
            assert not DIAGNOSTIC.search(text), text
        assert insights.strengths
        assert insights.growth_suggestions
        assert insights.communication_tips
        assert (insights.support_resources is not None) == support


@settings(max_examples=50)
@given(partial_answers())
def test_scored_insights_are_never_diagnostic(answers: dict[int, int]) -> None:
    insights = score_assessment(ECR_R, answers).insights
    assert all(not DIAGNOSTIC.search(text) for text in insights.all_texts())


def _insights(
    style: AttachmentStyle, anxiety: DimensionLevel, avoidance: DimensionLevel
) -> Insights:
    return build_insights(
        style=style,
        anxiety_level=anxiety,
        avoidance_level=avoidance,
        nearest_other_style=None,
        show_support_resources=False,
    )


def test_each_style_has_its_own_summary() -> None:
    moderate = DimensionLevel.MODERATE
    summaries = {_insights(style, moderate, moderate).summary for style in AttachmentStyle}
    assert len(summaries) == 4


@pytest.mark.parametrize("level", [DimensionLevel.LOW, DimensionLevel.HIGH])
def test_each_dimension_level_changes_the_reflections(level: DimensionLevel) -> None:
    moderate = DimensionLevel.MODERATE
    baseline = _insights(AttachmentStyle.SECURE, moderate, moderate)
    by_anxiety = _insights(AttachmentStyle.SECURE, level, moderate)
    by_avoidance = _insights(AttachmentStyle.SECURE, moderate, level)
    assert by_anxiety.strengths != baseline.strengths
    assert by_anxiety.growth_suggestions != baseline.growth_suggestions
    assert by_avoidance.strengths != baseline.strengths
    assert by_avoidance.growth_suggestions != baseline.growth_suggestions


def test_every_result_carries_the_not_a_clinical_assessment_note() -> None:
    insights = build_insights(
        style=AttachmentStyle.FEARFUL,
        anxiety_level=DimensionLevel.HIGH,
        avoidance_level=DimensionLevel.HIGH,
        nearest_other_style=None,
        show_support_resources=True,
    )
    assert "not a clinical assessment" in insights.note
    assert "Help section" in (insights.support_resources or "")
