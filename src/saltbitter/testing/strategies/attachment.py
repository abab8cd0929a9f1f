"""Hypothesis strategies for attachment answers (for any team's tests).

``answers_for_population`` simulates a realistic population from a seed instead of
drawing every answer through hypothesis: hundreds of respondents stay fast, and their
subscales are internally consistent the way real ECR-R data are (docs/science.md 2.4).
"""

from __future__ import annotations

import random

from hypothesis import strategies as st

from saltbitter.domain.attachment import ECR_R, AttachmentStyle, Instrument, Subscale

__all__ = [
    "answer_sets_for_population",
    "answers",
    "answers_for_style",
    "ecr_r_answers",
    "partial_answers",
    "simulate_population",
]

AnswerMap = dict[int, int]


def answers(instrument: Instrument = ECR_R) -> st.SearchStrategy[AnswerMap]:
    """Complete answer maps (item number -> any point of the instrument's scale)."""
    scale = instrument.scale
    return st.fixed_dictionaries(
        {item.number: st.integers(scale.minimum, scale.maximum) for item in instrument.items}
    )


def ecr_r_answers() -> st.SearchStrategy[AnswerMap]:
    """Complete ECR-R answer maps: all 36 items, each 1-7."""
    return answers(ECR_R)


def partial_answers(instrument: Instrument = ECR_R) -> st.SearchStrategy[AnswerMap]:
    """Answer maps with up to the allowed number of items missing per subscale (2 for ECR-R)."""

    @st.composite
    def build(draw: st.DrawFn) -> AnswerMap:
        answer_map = draw(answers(instrument))
        for subscale in Subscale:
            numbers = [item.number for item in instrument.items_in(subscale)]
            left_out = draw(
                st.lists(
                    st.sampled_from(numbers),
                    unique=True,
                    max_size=instrument.max_missing_per_subscale,
                )
            )
            for number in left_out:
                del answer_map[number]
        return answer_map

    return build()


def answers_for_style(
    style: AttachmentStyle, instrument: Instrument = ECR_R
) -> st.SearchStrategy[AnswerMap]:
    """Complete answers that clearly express ``style`` under the default ECR-R priors.

    Each keyed answer is drawn from the bottom two scale points for a low dimension and
    the top two for a high one, so the subscale mean is far from the prior means
    (3.6 and 3.05) on the intended side.
    """
    high_anxiety = style in {AttachmentStyle.ANXIOUS, AttachmentStyle.FEARFUL}
    high_avoidance = style in {AttachmentStyle.AVOIDANT, AttachmentStyle.FEARFUL}
    scale = instrument.scale
    low_points = st.integers(scale.minimum, scale.minimum + 1)
    high_points = st.integers(scale.maximum - 1, scale.maximum)

    def raw_strategy(number: int) -> st.SearchStrategy[int]:
        item = instrument.item(number)
        high = high_anxiety if item.subscale is Subscale.ANXIETY else high_avoidance
        keyed = high_points if high else low_points
        return keyed.map(lambda value: instrument.keyed(item, value))

    return st.fixed_dictionaries(
        {item.number: raw_strategy(item.number) for item in instrument.items}
    )


def simulate_population(
    size: int, seed: int, instrument: Instrument = ECR_R
) -> tuple[AnswerMap, ...]:
    """A reproducible synthetic population from a two-factor model.

    Each person has latent anxiety and avoidance (standard normal, correlated 0.3 since
    the dimensions correlate on the ECR-R, docs/science.md 1.1); each keyed answer is the
    subscale centre (3.6 / 3.05, the priors of docs/science.md 2.1) plus 1.3 x latent plus
    noise (SD 1.5), rounded and clipped to the scale. This gives alphas near .93.
    """
    rng = random.Random(seed)
    scale = instrument.scale
    centres = {Subscale.ANXIETY: 3.6, Subscale.AVOIDANCE: 3.05}
    population: list[AnswerMap] = []
    for _ in range(size):
        anxiety = rng.gauss(0.0, 1.0)
        avoidance = 0.3 * anxiety + (1.0 - 0.3**2) ** 0.5 * rng.gauss(0.0, 1.0)
        latent = {Subscale.ANXIETY: anxiety, Subscale.AVOIDANCE: avoidance}
        person: AnswerMap = {}
        for item in instrument.items:
            value = centres[item.subscale] + 1.3 * latent[item.subscale] + rng.gauss(0.0, 1.5)
            keyed = min(scale.maximum, max(scale.minimum, round(value)))
            person[item.number] = instrument.keyed(item, keyed)
        population.append(person)
    return tuple(population)


def answer_sets_for_population(
    size: int, instrument: Instrument = ECR_R
) -> st.SearchStrategy[tuple[AnswerMap, ...]]:
    """``size`` complete answer maps from ``simulate_population`` with a drawn seed."""
    return st.integers(min_value=0, max_value=2**32 - 1).map(
        lambda seed: simulate_population(size, seed, instrument)
    )
