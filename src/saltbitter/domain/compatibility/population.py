"""A scoring population in columnar form, for batch scorers (standard library only).

A batch scorer scores one member against many, or many against many. It needs the same
inputs as the scalar rules, laid out as columns of numbers rather than objects, with the
per-member parts of each rule already computed by the domain itself: normalised
attachment scores, IDF weights and their per-member totals, unit value profiles. Doing
this here, once, with the scalar code paths means a vectorised scorer only has to do the
pairwise arithmetic, and cannot drift from the domain's definition of the per-member
parts. Columns are ``array.array`` so an adapter can view them without copying
(``numpy.frombuffer``); treat them as read-only.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from saltbitter.domain.errors import NotFound, ValidationFailed
from saltbitter.domain.shared import UserId

from .interests import DocumentFrequencies
from .policy import DEFAULT_POLICY, CompatibilityPolicy
from .profile import MAX_AGE, CandidateProfile, Gender
from .values import SchwartzValue

__all__ = [
    "AGE_SLOTS",
    "GENDER_CODES",
    "VALUE_DIMENSIONS",
    "PopulationColumns",
    "ScoringPopulation",
]

AGE_SLOTS = MAX_AGE + 1
"""Ages are whole years in [18, 120]; a per-age lookup table has this many slots."""
GENDER_CODES: Mapping[Gender, int] = MappingProxyType({g: i for i, g in enumerate(Gender)})
"""Each gender's small integer code; ``seeks_mask`` has bit ``code`` set per gender sought."""
VALUE_DIMENSIONS = len(SchwartzValue)


@dataclass(frozen=True, slots=True, eq=False)
class PopulationColumns:
    """One entry per member (row ``i`` is ``population.profiles[i]``), as flat columns.

    ``interest_offsets``/``interest_codes`` are a CSR layout: member i lists the codes
    ``interest_codes[interest_offsets[i]:interest_offsets[i + 1]]`` (ascending) into
    ``vocabulary``; ``vocabulary_weights`` holds each code's IDF weight.
    ``value_profiles`` holds ``VALUE_DIMENSIONS`` numbers per member: the unit centred
    value profile, or zeros when the member has no (or a flat) profile.
    """

    age: array[int]
    age_min: array[int]
    age_max: array[int]
    gender: array[int]
    seeks_mask: array[int]
    latitude: array[float]
    longitude: array[float]
    max_distance_km: array[float]
    has_attachment: array[int]
    anxiety_normalised: array[float]
    avoidance_normalised: array[float]
    interest_offsets: array[int]
    interest_codes: array[int]
    vocabulary: tuple[str, ...]
    vocabulary_weights: array[float]
    interest_weight_total: array[float]
    interest_count: array[int]
    has_values: array[int]
    value_profiles: array[float]
    available: array[int]

    @classmethod
    def from_profiles(
        cls, profiles: tuple[CandidateProfile, ...], frequencies: DocumentFrequencies
    ) -> PopulationColumns:
        vocabulary = tuple(sorted({tag for profile in profiles for tag in profile.interests}))
        code_of = {tag: code for code, tag in enumerate(vocabulary)}
        vocabulary_weights = array("d", (frequencies.weight(tag) for tag in vocabulary))
        columns = cls(
            age=array("q"),
            age_min=array("q"),
            age_max=array("q"),
            gender=array("q"),
            seeks_mask=array("q"),
            latitude=array("d"),
            longitude=array("d"),
            max_distance_km=array("d"),
            has_attachment=array("b"),
            anxiety_normalised=array("d"),
            avoidance_normalised=array("d"),
            interest_offsets=array("q", [0]),
            interest_codes=array("q"),
            vocabulary=vocabulary,
            vocabulary_weights=vocabulary_weights,
            interest_weight_total=array("d"),
            interest_count=array("q"),
            has_values=array("b"),
            value_profiles=array("d"),
            available=array("b"),
        )
        flat_profile = (0.0,) * VALUE_DIMENSIONS
        for profile in profiles:
            columns.age.append(profile.age)
            columns.age_min.append(profile.age_min)
            columns.age_max.append(profile.age_max)
            columns.gender.append(GENDER_CODES[profile.gender])
            columns.seeks_mask.append(sum(1 << GENDER_CODES[g] for g in profile.genders_sought))
            columns.latitude.append(profile.latitude)
            columns.longitude.append(profile.longitude)
            columns.max_distance_km.append(profile.max_distance_km)
            attachment = profile.attachment
            columns.has_attachment.append(attachment is not None)
            columns.anxiety_normalised.append(
                0.0 if attachment is None else attachment.normalised_anxiety
            )
            columns.avoidance_normalised.append(
                0.0 if attachment is None else attachment.normalised_avoidance
            )
            codes = sorted(code_of[tag] for tag in profile.interests)
            columns.interest_codes.extend(codes)
            columns.interest_offsets.append(len(columns.interest_codes))
            columns.interest_weight_total.append(
                math.fsum(vocabulary_weights[code] for code in codes)
            )
            columns.interest_count.append(len(codes))
            unit = None if profile.values is None else profile.values.unit_profile
            columns.has_values.append(unit is not None)
            columns.value_profiles.extend(flat_profile if unit is None else unit)
            columns.available.append(profile.available)
        return columns


@dataclass(frozen=True, slots=True, eq=False)
class ScoringPopulation:
    """The members a batch scorer works on, with the rarity table and policy to use.

    Members are addressed by their row index (0 … len − 1); ``index_of`` maps ids to rows.
    """

    profiles: tuple[CandidateProfile, ...]
    frequencies: DocumentFrequencies
    policy: CompatibilityPolicy
    columns: PopulationColumns
    _rows: Mapping[UserId, int]

    @classmethod
    def build(
        cls,
        profiles: Iterable[CandidateProfile],
        frequencies: DocumentFrequencies | None = None,
        policy: CompatibilityPolicy = DEFAULT_POLICY,
    ) -> ScoringPopulation:
        """Lay out ``profiles``; rarity defaults to the population's own interest counts."""
        members = tuple(profiles)
        rows = {profile.user_id: row for row, profile in enumerate(members)}
        if len(rows) != len(members):
            raise ValidationFailed.single("profiles", "each member may appear only once")
        if frequencies is None:
            frequencies = DocumentFrequencies.from_interest_sets(p.interests for p in members)
        return cls(
            profiles=members,
            frequencies=frequencies,
            policy=policy,
            columns=PopulationColumns.from_profiles(members, frequencies),
            _rows=MappingProxyType(rows),
        )

    def __len__(self) -> int:
        return len(self.profiles)

    def index_of(self, user_id: UserId) -> int:
        """The row of ``user_id``; NotFound when the member is not in this population."""
        try:
            return self._rows[user_id]
        except KeyError:
            raise NotFound(f"member {user_id} is not in this scoring population") from None

    def user_id_at(self, row: int) -> UserId:
        return self.profiles[row].user_id
