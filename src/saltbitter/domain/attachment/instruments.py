"""Attachment questionnaires as data: items, keying, response scale, instructions.

An instrument is plain data so another published form can be added without code.
Source for every wording and key: ``docs/science.md`` section 1.

Licensing caveat (docs/science.md 0.3, 1.1 "Usage terms", 6.4): secondary sources say the
ECR-R is free for noncommercial research only and that commercial use needs written
permission from R. Chris Fraley. The item text below is data that an operator must be
licensed to show; SaltBitter ships it so the scoring can be tested, not as a licence.
The ECR-RS commercial terms are unknown as well (docs/science.md 6.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from saltbitter.domain.errors import DomainRuleViolated

__all__ = ["ECR_R", "ECR_RS", "Instrument", "Item", "ResponseScale", "Subscale"]


class Subscale(StrEnum):
    """The two dimensions every ECR-family form measures (docs/science.md 2.2)."""

    ANXIETY = "anxiety"
    AVOIDANCE = "avoidance"


@dataclass(frozen=True, slots=True)
class Item:
    """One statement; ``reverse_keyed`` items are recoded as ``min + max - answer``."""

    number: int
    text: str
    subscale: Subscale
    reverse_keyed: bool = False


@dataclass(frozen=True, slots=True)
class ResponseScale:
    """An agreement scale of consecutive integers; ``anchors`` label some points."""

    minimum: int
    maximum: int
    anchors: tuple[tuple[int, str], ...]

    def __post_init__(self) -> None:
        if self.minimum >= self.maximum:
            raise DomainRuleViolated("A response scale needs at least two points.")
        if any(not self.minimum <= point <= self.maximum for point, _ in self.anchors):
            raise DomainRuleViolated("Every anchor must sit on the scale.")

    def contains(self, answer: int) -> bool:
        return self.minimum <= answer <= self.maximum

    def reverse(self, answer: int) -> int:
        """Reverse keying: on a 1-7 scale this is ``8 - answer`` (docs/science.md 1.1, Scoring)."""
        return self.minimum + self.maximum - answer


@dataclass(frozen=True, slots=True)
class Instrument:
    """A published attachment questionnaire.

    ``max_missing_per_subscale`` is how many unanswered items per subscale are imputed
    with the person's own subscale mean before the answers are rejected (docs/science.md 1.1,
    Missing data: "[D] at most 2 missing items per subscale").
    """

    key: str
    name: str
    version: str
    citation: str
    instructions: str
    scale: ResponseScale
    items: tuple[Item, ...]
    max_missing_per_subscale: int
    is_short_form: bool = False
    precision_note: str = ""

    def __post_init__(self) -> None:
        numbers = [item.number for item in self.items]
        if numbers != list(range(1, len(self.items) + 1)):
            raise DomainRuleViolated("Items must be numbered 1..n in order, once each.")
        for subscale in Subscale:
            count = sum(1 for item in self.items if item.subscale is subscale)
            if count < 2:
                raise DomainRuleViolated(f"The {subscale} subscale needs at least two items.")
            if not 0 <= self.max_missing_per_subscale < count:
                raise DomainRuleViolated("At least one item per subscale must be answered.")

    def item(self, number: int) -> Item:
        """The item numbered ``number`` (numbering starts at 1)."""
        if not 1 <= number <= len(self.items):
            raise KeyError(number)
        return self.items[number - 1]

    def items_in(self, subscale: Subscale) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.subscale is subscale)

    def keyed(self, item: Item, answer: int) -> int:
        """The answer in the subscale's direction: higher always means more of the trait."""
        return self.scale.reverse(answer) if item.reverse_keyed else answer


_SEVEN_POINT_AGREEMENT = ResponseScale(
    minimum=1,
    maximum=7,
    anchors=((1, "Strongly disagree"), (4, "Neutral/mixed"), (7, "Strongly agree")),
)

_ANX = Subscale.ANXIETY
_AVO = Subscale.AVOIDANCE

# Keying: docs/science.md 1.1 (item 21 is NOT reversed, per the 2013 erratum).
_ECR_R_ITEMS: tuple[tuple[str, Subscale, bool], ...] = (
    ("I'm afraid that I will lose my partner's love.", _ANX, False),
    ("I often worry that my partner will not want to stay with me.", _ANX, False),
    ("I often worry that my partner doesn't really love me.", _ANX, False),
    (
        "I worry that romantic partners won't care about me as much as I care about them.",
        _ANX,
        False,
    ),
    (
        "I often wish that my partner's feelings for me were as strong as my feelings for "
        "him or her.",
        _ANX,
        False,
    ),
    ("I worry a lot about my relationships.", _ANX, False),
    (
        "When my partner is out of sight, I worry that he or she might become interested in "
        "someone else.",
        _ANX,
        False,
    ),
    (
        "When I show my feelings for romantic partners, I'm afraid they will not feel the "
        "same about me.",
        _ANX,
        False,
    ),
    ("I rarely worry about my partner leaving me.", _ANX, True),
    ("My romantic partner makes me doubt myself.", _ANX, False),
    ("I do not often worry about being abandoned.", _ANX, True),
    ("I find that my partner(s) don't want to get as close as I would like.", _ANX, False),
    (
        "Sometimes romantic partners change their feelings about me for no apparent reason.",
        _ANX,
        False,
    ),
    ("My desire to be very close sometimes scares people away.", _ANX, False),
    (
        "I'm afraid that once a romantic partner gets to know me, he or she won't like who I "
        "really am.",
        _ANX,
        False,
    ),
    (
        "It makes me mad that I don't get the affection and support I need from my partner.",
        _ANX,
        False,
    ),
    ("I worry that I won't measure up to other people.", _ANX, False),
    ("My partner only seems to notice me when I'm angry.", _ANX, False),
    ("I prefer not to show a partner how I feel deep down.", _AVO, False),
    ("I feel comfortable sharing my private thoughts and feelings with my partner.", _AVO, True),
    ("I find it difficult to allow myself to depend on romantic partners.", _AVO, False),
    ("I am very comfortable being close to romantic partners.", _AVO, True),
    ("I don't feel comfortable opening up to romantic partners.", _AVO, False),
    ("I prefer not to be too close to romantic partners.", _AVO, False),
    ("I get uncomfortable when a romantic partner wants to be very close.", _AVO, False),
    ("I find it relatively easy to get close to my partner.", _AVO, True),
    ("It's not difficult for me to get close to my partner.", _AVO, True),
    ("I usually discuss my problems and concerns with my partner.", _AVO, True),
    ("It helps to turn to my romantic partner in times of need.", _AVO, True),
    ("I tell my partner just about everything.", _AVO, True),
    ("I talk things over with my partner.", _AVO, True),
    ("I am nervous when partners get too close to me.", _AVO, False),
    ("I feel comfortable depending on romantic partners.", _AVO, True),
    ("I find it easy to depend on romantic partners.", _AVO, True),
    ("It's easy for me to be affectionate with my partner.", _AVO, True),
    ("My partner really understands me and my needs.", _AVO, True),
)

ECR_R = Instrument(
    key="ecr-r",
    name="Experiences in Close Relationships - Revised",
    version="en-2013-06-05",
    citation=(
        "Fraley, R. C., Waller, N. G., & Brennan, K. A. (2000). An item response theory "
        "analysis of self-report measures of adult attachment. Journal of Personality and "
        "Social Psychology, 78(2), 350-365. doi:10.1037/0022-3514.78.2.350"
    ),
    instructions=(
        "The statements below concern how you feel in emotionally intimate relationships. "
        "We are interested in how you generally experience relationships, not just in what "
        "is happening in a current relationship. Respond to each statement by indicating "
        "how much you agree or disagree with it."
    ),
    scale=_SEVEN_POINT_AGREEMENT,
    items=tuple(
        Item(number, text, subscale, reverse)
        for number, (text, subscale, reverse) in enumerate(_ECR_R_ITEMS, start=1)
    ),
    max_missing_per_subscale=2,
)
"""The default instrument: 36 items, 1-18 anxiety, 19-36 avoidance (docs/science.md 0.1, 1.1).

Licensing: commercial use needs Fraley's written permission (docs/science.md 0.3); see the
module docstring. Version names the 2013-06-05 erratum that un-reversed item 21.
"""

# ECR-RS general-target wording, docs/science.md 1.3: avoidance = items 1-6 (1-4 reversed),
# anxiety = items 7-9.
_ECR_RS_ITEMS: tuple[tuple[str, Subscale, bool], ...] = (
    ("It helps to turn to people in times of need.", _AVO, True),
    ("I usually discuss my problems and concerns with others.", _AVO, True),
    ("I talk things over with people.", _AVO, True),
    ("I find it easy to depend on others.", _AVO, True),
    ("I don't feel comfortable opening up to others.", _AVO, False),
    ("I prefer not to show others how I feel deep down.", _AVO, False),
    ("I often worry that other people do not really care for me.", _ANX, False),
    ("I'm afraid that other people may abandon me.", _ANX, False),
    ("I worry that others won't care about me as much as I care about them.", _ANX, False),
)

ECR_RS = Instrument(
    key="ecr-rs",
    name="Relationship Structures Questionnaire (ECR-RS), general target",
    version="en-general",
    citation=(
        "Fraley, R. C., Heffernan, M. E., Vicary, A. M., & Brumbaugh, C. C. (2011). The "
        "Experiences in Close Relationships-Relationship Structures questionnaire. "
        "Psychological Assessment, 23(3), 615-625."
    ),
    instructions=(
        "The statements below concern how you feel in emotionally intimate relationships. "
        "Respond to each statement by indicating how much you agree or disagree with it."
    ),
    scale=_SEVEN_POINT_AGREEMENT,
    items=tuple(
        Item(number, text, subscale, reverse)
        for number, (text, subscale, reverse) in enumerate(_ECR_RS_ITEMS, start=1)
    ),
    # Only three anxiety items: every answer is needed for a usable score.
    max_missing_per_subscale=0,
    is_short_form=True,
    precision_note=(
        "Quick 9-item form: less precise than the full 36-item ECR-R; its anxiety score "
        "rests on 3 items (docs/science.md 1.3, 1.4). Its scores are not on the ECR-R metric, so "
        "it needs its own norms (docs/science.md 1.2)."
    ),
)
"""Published 9-item short form, data only: not exported from ``saltbitter.domain.attachment``.

The instructions are SaltBitter's shortened wording, not the published text. No
published norms exist for it and its scores are not on the ECR-R metric,
so it has no priors and is not offered (ADR 0012). It becomes usable once the platform
computes norms of its own for it with ``compute_norms``.
"""
