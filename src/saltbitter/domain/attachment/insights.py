"""Reflections, growth suggestions and communication tips for an assessment result.

Every sentence is written as a reflection ("you may notice...") and never as a
diagnosis: the ECR-R measures tendencies on two continuous dimensions that change over
time (docs/science.md 0.4, 2.2), and Bartholomew warns that attachment measures lack norms for
confident individual interpretation (docs/science.md 2.1). A test bans diagnostic phrasing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["AttachmentStyle", "DimensionLevel", "Insights", "build_insights"]


class AttachmentStyle(StrEnum):
    """Bartholomew's four quadrants of anxiety x avoidance (docs/science.md 2.2)."""

    SECURE = "secure"
    ANXIOUS = "anxious"
    AVOIDANT = "avoidant"
    FEARFUL = "fearful"


class DimensionLevel(StrEnum):
    """Where one dimension's z-score sits relative to the norms."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class Insights:
    summary: str
    strengths: tuple[str, ...]
    growth_suggestions: tuple[str, ...]
    communication_tips: tuple[str, ...]
    # Shown only for the highest-distress profiles; points at the Help content.
    support_resources: str | None
    note: str

    def all_texts(self) -> tuple[str, ...]:
        """Every sentence shown to the member, for review and wording checks."""
        support = (self.support_resources,) if self.support_resources else ()
        return (
            self.summary,
            *self.strengths,
            *self.growth_suggestions,
            *self.communication_tips,
            *support,
            self.note,
        )


@dataclass(frozen=True, slots=True)
class _Reflections:
    strengths: tuple[str, ...] = ()
    growth: tuple[str, ...] = ()
    tips: tuple[str, ...] = ()


_STYLE_SUMMARY = {
    AttachmentStyle.SECURE: (
        "Your answers sit on the lower side of both relationship worry (anxiety) and "
        "discomfort with closeness (avoidance), compared with the reference group. "
        "Researchers call this pattern secure."
    ),
    AttachmentStyle.ANXIOUS: (
        "Your answers show more relationship worry (anxiety) than is typical in the "
        "reference group, together with comfort around closeness. Researchers call this "
        "pattern anxious (or preoccupied)."
    ),
    AttachmentStyle.AVOIDANT: (
        "Your answers show more discomfort with closeness and with depending on others "
        "(avoidance) than is typical in the reference group, together with little "
        "relationship worry. Researchers call this pattern avoidant (or dismissing)."
    ),
    AttachmentStyle.FEARFUL: (
        "Your answers show both more relationship worry (anxiety) and more discomfort with "
        "closeness (avoidance) than is typical in the reference group. Researchers call "
        "this pattern fearful."
    ),
}

_STYLE_REFLECTIONS = {
    AttachmentStyle.SECURE: _Reflections(
        strengths=(
            "You may notice that leaning on a partner, and letting them lean on you, feels "
            "fairly natural.",
            "You may find it easier than many people to raise a problem without fearing it "
            "will end the relationship.",
        ),
        growth=(
            "Security is a pattern, not a finish line: under stress you might still notice "
            "moments of worry or distance, and naming them can help.",
            "You might reflect on what helped you feel safe with others; it can make it "
            "easier to offer the same to a partner who feels less sure.",
        ),
        tips=(
            "Saying plainly what you need tends to invite the same openness back.",
            "When a partner seems worried or distant, you might ask what would help before "
            "deciding what it means.",
        ),
    ),
    AttachmentStyle.ANXIOUS: _Reflections(
        strengths=(
            "You may notice that you tune in quickly to a partner's moods and care a lot "
            "about connection.",
            "Your willingness to invest in closeness can help a relationship grow.",
        ),
        growth=(
            "When a reply is slow, you might try pausing before reading it as a sign of how "
            "someone feels about you.",
            "It may help to notice the thoughts that show up when you feel unsure of a "
            "partner, and to check them against what the person has actually said or done.",
        ),
        tips=(
            "Asking for reassurance directly ('It would help me to hear...') tends to work "
            "better than hinting or testing.",
            "Agreeing early on how often you both like to be in touch can take the guesswork "
            "out of silences.",
        ),
    ),
    AttachmentStyle.AVOIDANT: _Reflections(
        strengths=(
            "You may value independence and stay steady when others feel stressed.",
            "You may be good at giving a partner room to be their own person.",
        ),
        growth=(
            "You might notice an urge to pull back when things get close; staying with that "
            "feeling a little longer than is comfortable can teach you something about it.",
            "Sharing one small personal thing at a time may feel more manageable than "
            "opening up all at once.",
        ),
        tips=(
            "Letting a partner know you need time alone, and when you will be back in touch, "
            "keeps space from feeling like distance.",
            "A short message such as 'I'm thinking about it and will reply tonight' can "
            "reassure without pressure.",
        ),
    ),
    AttachmentStyle.FEARFUL: _Reflections(
        strengths=(
            "You may notice both the pull towards closeness and the wish to protect "
            "yourself; that awareness is a useful starting point.",
            "You may be especially alert to how trust is built, which can make you a "
            "thoughtful partner.",
        ),
        growth=(
            "Small steps with people who have shown they are reliable may feel safer than "
            "big leaps.",
            "You might notice when wanting closeness and wanting distance arrive together, "
            "and give both feelings some room before acting.",
        ),
        tips=(
            "Naming mixed feelings ('I want to get closer, and it also makes me nervous') "
            "can help a partner understand what is going on.",
            "Agreeing on a pace together can make closeness feel less risky.",
        ),
    ),
}

_ANXIETY_LEVEL_REFLECTIONS = {
    DimensionLevel.LOW: _Reflections(
        strengths=(
            "You may find that uncertainty early on, such as a slow reply, does not weigh "
            "on you much.",
        ),
        growth=(
            "A partner who worries more than you might want more frequent check-ins than "
            "you would; asking what helps them can prevent misunderstandings.",
        ),
    ),
    DimensionLevel.MODERATE: _Reflections(
        strengths=("You may notice some worry in relationships without it steering you.",),
        growth=(
            "When worry does show up, it can help to ask what it is pointing to before "
            "acting on it.",
        ),
    ),
    DimensionLevel.HIGH: _Reflections(
        strengths=("You may care deeply about the people you let in.",),
        growth=(
            "Soothing routines that do not depend on a reply, such as a walk or a call with "
            "a friend, may make waiting easier.",
        ),
        tips=(
            "Telling a new match early what helps you feel at ease ('a quick note if plans "
            "change') is a reasonable request.",
        ),
    ),
}

_AVOIDANCE_LEVEL_REFLECTIONS = {
    DimensionLevel.LOW: _Reflections(
        strengths=("You may find it comfortable to share feelings and to rely on a partner.",),
        growth=(
            "Someone who needs more space than you may not mean it as rejection; asking can "
            "tell you more than guessing.",
        ),
    ),
    DimensionLevel.MODERATE: _Reflections(
        strengths=("You may be able to enjoy closeness while keeping a sense of your own space.",),
        growth=(
            "You might notice which situations make you want more space, and say so before "
            "the wish turns into silence.",
        ),
    ),
    DimensionLevel.HIGH: _Reflections(
        strengths=("You may be self-reliant and calm under pressure.",),
        growth=(
            "Letting someone help with something small can be a low-stakes way to practise "
            "depending on others.",
        ),
        tips=(
            "When you need distance, a brief explanation helps a partner not to read it as "
            "a loss of interest.",
        ),
    ),
}

_SUPPORT_RESOURCES = (
    "If worries about relationships feel heavy or constant, talking them through with a "
    "counsellor or someone you trust can help. The Help section lists free, confidential "
    "support services."
)

_NOTE = (
    "These reflections come from a research questionnaire about relationship patterns. "
    "They describe tendencies that can change over time; they are not a clinical "
    "assessment, and the label only summarises your two scores."
)


def build_insights(
    *,
    style: AttachmentStyle,
    anxiety_level: DimensionLevel,
    avoidance_level: DimensionLevel,
    nearest_other_style: AttachmentStyle | None,
    show_support_resources: bool,
) -> Insights:
    """Compose the reflections for one profile.

    ``nearest_other_style`` is set when the scores sit within measurement error of a
    boundary; the summary then reads "mostly X, with some Y tendencies" (docs/science.md 2.2,
    step 3) instead of a hard label.
    """
    summary = _STYLE_SUMMARY[style]
    if nearest_other_style is not None:
        summary += (
            " Your scores sit close to the line between two patterns, so you may recognise "
            f"yourself in both: mostly {style.value}, with some {nearest_other_style.value} "
            "tendencies."
        )
    parts = (
        _STYLE_REFLECTIONS[style],
        _ANXIETY_LEVEL_REFLECTIONS[anxiety_level],
        _AVOIDANCE_LEVEL_REFLECTIONS[avoidance_level],
    )
    return Insights(
        summary=summary,
        strengths=tuple(text for part in parts for text in part.strengths),
        growth_suggestions=tuple(text for part in parts for text in part.growth),
        communication_tips=tuple(text for part in parts for text in part.tips),
        support_resources=_SUPPORT_RESOURCES if show_support_resources else None,
        note=_NOTE,
    )
