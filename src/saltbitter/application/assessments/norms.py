"""The platform's own norms: computed from members' stored answers, versioned, then used.

Until enough members answered an instrument, results are scored against its published
priors (``are_priors: true``). The norms job reads the latest completion of every member
whose ``sensitive_data`` consent is current, drops incomplete and careless responses,
and publishes a new version once at least ``NormsPolicy.min_sample`` remain; from then
on results are scored against it (``are_priors: false`` with its version).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from saltbitter.application.ports.assessments import (
    MemberBirthdates,
    NormsRepository,
    NormsSamples,
    PublishedNorms,
)
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.accounts.model import age_on
from saltbitter.domain.attachment import (
    DEFAULT_NORMS,
    ECR_R,
    AgeBand,
    Instrument,
    Norms,
    NormsReport,
    ReliabilityReport,
    ResponseRecord,
    compute_norms,
    reliability_report,
)
from saltbitter.domain.errors import Conflict, DomainRuleViolated, NotFound
from saltbitter.domain.shared import UserId

__all__ = [
    "PRIORS",
    "CheckReliability",
    "ComputeNorms",
    "NormsPolicy",
    "NormsRun",
    "Progress",
    "age_when_taken",
    "scoring_norms",
]

# Published priors of every instrument members can take, by key; an instrument without
# priors is not offered (see ADR 0012 on the short form).
PRIORS: Mapping[str, tuple[Instrument, Norms]] = {ECR_R.key: (ECR_R, DEFAULT_NORMS)}

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as each stage of a run moves on."""

_STAGES = ("reading answers", "reliability", "norms", "saving")


@dataclass(frozen=True, slots=True)
class NormsPolicy:
    """``min_sample``: complete, careful responses a version needs, overall and per age
    band (SALTBITTER_NORMS_MIN_SAMPLE). Below it the priors stay in use."""

    min_sample: int = 300

    def __post_init__(self) -> None:
        if self.min_sample < 2:
            raise ValueError("norms need at least 2 responses")


@dataclass(frozen=True, slots=True)
class NormsRun:
    """What a norms run found and did; ``published`` is None when the priors stay."""

    instrument: str
    samples: int
    reliability: ReliabilityReport | None
    report: NormsReport | None
    published: PublishedNorms | None
    reason: str | None = None


async def scoring_norms(
    norms: NormsRepository, instrument: str, policy: NormsPolicy, age: int | None = None
) -> Norms:
    """The norms a result of ``instrument`` is scored against right now: the newest
    platform version when it rests on at least ``policy.min_sample`` responses (raising
    the setting later sends scoring back to the priors), else the published priors.
    Within a version, the age band of ``age`` (age when the assessment was taken) is
    used when that band had enough responses of its own, else the overall norms."""
    published = await norms.current(instrument)
    if published is not None and (published.overall.sample_size or 0) >= policy.min_sample:
        band = None if age is None or age < 18 else AgeBand.for_age(age)
        return published.for_band(band)
    return PRIORS[instrument][1]


async def age_when_taken(
    birthdates: MemberBirthdates, user_id: UserId, taken_at: datetime
) -> int | None:
    birthdate = await birthdates.birthdate(user_id)
    return None if birthdate is None else age_on(birthdate, taken_at.date())


def _instrument(key: str) -> Instrument:
    known = PRIORS.get(key)
    if known is None:
        raise NotFound(f"There is no instrument {key!r}.", code="instrument_not_found")
    return known[0]


async def _records(
    transaction: Transaction, source: NormsSamples, clock: Clock, instrument: Instrument
) -> tuple[ResponseRecord, ...]:
    today = clock.now().date()
    async with transaction:  # short: the statistics run after it ends
        samples = await source.samples(instrument.key)
    # Completion times are not stored, so the "too fast" rule cannot apply here.
    return tuple(
        ResponseRecord(
            sample.answers,
            age=None if sample.birthdate is None else age_on(sample.birthdate, today),
        )
        for sample in samples
    )


def _reliability(
    instrument: Instrument, records: tuple[ResponseRecord, ...]
) -> tuple[ReliabilityReport | None, str | None]:
    try:
        return reliability_report(instrument, records), None
    except DomainRuleViolated as error:  # fewer than 2 usable responses, or no spread
        return None, error.message


@dataclass(frozen=True, slots=True)
class CheckReliability:
    """Cronbach's alpha with its Feldt interval and item-total correlations per subscale,
    from members' stored answers (careless responders dropped)."""

    transaction: Transaction
    samples: NormsSamples
    clock: Clock

    async def __call__(self, instrument: str = ECR_R.key) -> NormsRun:
        chosen = _instrument(instrument)
        records = await _records(self.transaction, self.samples, self.clock, chosen)
        reliability, reason = _reliability(chosen, records)
        return NormsRun(chosen.key, len(records), reliability, None, None, reason)


@dataclass(frozen=True, slots=True)
class ComputeNorms:
    """Compute and publish a new version of the platform's norms (the nightly job).

    The version names the moment of computation (``platform-YYYYMMDDTHHMMSSZ``); earlier
    versions are kept. Nothing is published below ``policy.min_sample`` responses or when
    a subscale's alpha is negative (a reverse-keying bug would hide in such norms).
    """

    transaction: Transaction
    samples: NormsSamples
    norms: NormsRepository
    clock: Clock
    policy: NormsPolicy

    async def __call__(
        self, instrument: str = ECR_R.key, *, progress: Progress | None = None
    ) -> NormsRun:
        report = progress or (lambda _stage, _done, _total: None)
        chosen = _instrument(instrument)
        now = self.clock.now()
        report(_STAGES[0], 0, 1)
        records = await _records(self.transaction, self.samples, self.clock, chosen)
        report(_STAGES[0], 1, 1)
        report(_STAGES[1], 0, 1)
        reliability, reason = _reliability(chosen, records)
        report(_STAGES[1], 1, 1)
        report(_STAGES[2], 0, 1)
        try:
            norms = compute_norms(
                chosen,
                records,
                version=f"platform-{now:%Y%m%dT%H%M%SZ}",
                min_sample_size=self.policy.min_sample,
            )
        except DomainRuleViolated as error:
            report(_STAGES[2], 1, 1)
            return NormsRun(chosen.key, len(records), reliability, None, None, error.message)
        report(_STAGES[2], 1, 1)
        report(_STAGES[3], 0, 1)
        published = PublishedNorms(now, norms.overall, norms.by_age_band)
        try:
            async with self.transaction:
                self.norms.add(published)
                await self.transaction.commit()
        except Conflict as conflict:  # a concurrent run published this version
            report(_STAGES[3], 1, 1)
            return NormsRun(chosen.key, len(records), reliability, norms, None, conflict.message)
        report(_STAGES[3], 1, 1)
        return NormsRun(chosen.key, len(records), reliability, norms, published, reason)
