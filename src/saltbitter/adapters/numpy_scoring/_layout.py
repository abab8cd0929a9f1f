"""Column layouts and per-viewer constants for the NumPy batch scorer (private).

Everything that depends on one member only is computed once per population here, so the
per-pair kernel is pure arithmetic on contiguous arrays:

- locations become half unit vectors P = ½·(cos φ cos λ, cos φ sin λ, sin φ), so for two
  members |P₁ − P₂|² is exactly the haversine ``a`` and the distance is 2R·asin(√a)
  (the difference form keeps full precision for members a few metres apart);
- the distance decay (d − D)/(f·D) becomes θ·K − 1/f with θ = asin(√a) and
  K = 2R/(f·D) per member;
- age windows become integer keys into small lookup tables built from the domain's own
  ``score_for_years_outside`` (so table values are bit-identical to the scalar rule);
- interests become posting lists (tag → ascending member positions): an inverted index
  that yields the shared IDF weight of a viewer and every candidate in one pass per tag;
- values become unit centred profiles (from the domain), stored dimension-major;
- attachment scores and value profiles share one feature matrix (``Layout.features``),
  so one matrix-vector product gives a component, with no pass per term; profiles are
  stored as u + 1: a centred profile sums to 0, so the constant ½ of the values score
  comes from the viewer's weights and needs no row of ones;
- a candidate's age window (per sought gender) becomes one key into the distinct windows
  of the population, so the backward age score is one lookup in a per-viewer-age table;
- the hard filters are one comparison of the two directions' denominators with a
  constant; the few unavailable members are a list of positions set ineligible after
  it (a per-member limit column would be streamed for every pair).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from saltbitter.domain.compatibility import (
    AGE_SLOTS,
    EARTH_RADIUS_KM,
    VALUE_DIMENSIONS,
    ScoringPopulation,
    score_for_years_outside,
)

__all__ = [
    "AGE_OFFSET",
    "ATTACHMENT_ROWS",
    "ELIGIBLE_BELOW",
    "GENDER_COUNT",
    "LOG2_E",
    "VALUES_OFFSET",
    "Layout",
    "PopulationArrays",
    "ViewerConstants",
    "harmonic_denominators",
]

FloatArray = NDArray[np.floating[Any]]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

AGE_OFFSET = 2 * AGE_SLOTS
"""Added to "years outside a window" so that lookup indices are never negative."""
_NOT_SOUGHT = 2 * AGE_SLOTS
"""A window start no age reaches: used when a member does not seek a gender at all."""
_BACKWARD_TABLE_SIZE = 4 * AGE_SLOTS
GENDER_COUNT = 3
DENSE_TAGS = 32
DENSE_SHARE = 0.04
"""A tag held by this share of members is cheaper as a dense column than as postings."""
ATTACHMENT_ROWS = slice(0, 3)
"""Rows [has, x̂, v̂] of ``Layout.features``: attachment is linear in them (plus a
constant, added by the kernel: a row of ones would be streamed for every pair)."""
VALUES_ROWS = slice(3, None)
"""Rows [u + 1…] of ``Layout.features``: the values score is linear in them (the + 1
carries the constant ½, see ``values_weights``), with no row of ones to stream."""
VALUES_OFFSET = 1.0
"""Added to every stored unit-profile coordinate (``VALUES_ROWS``)."""
ELIGIBLE_BELOW = 1e20
"""Sums of the two directions' demographics denominators below this have no dealbreaker:
real ones stay below ~1e8, a dealbreaker's is at least 2^120 ≈ 1e36 (or inf)."""
LOG2_E = 1.0 / math.log(2.0)
"""Distance decay exponents are kept in base 2 (``ViewerConstants.decay_slope``)."""


@dataclass(frozen=True, slots=True, eq=False)
class ViewerConstants:
    """What the kernel needs about one viewer, as plain Python numbers."""

    row: int
    available: bool
    age: int
    gender: int
    seeks_mask: int
    age_min: int
    age_max: int
    latitude: float
    longitude: float
    max_distance_km: float
    half_x: float
    half_y: float
    half_z: float
    decay_slope: float
    """K = log2(e)·2R/(f·D): the distance decay's exponent, in base 2, is θ·K − log2(e)/f
    (NumPy's exp2 is about twice as fast as exp in float32, as long as it does not
    overflow; the kernel caps exponents, and the factor costs no pass here)."""
    has_attachment: bool
    attachment_offset: float
    """1 − K0 of the expanded attachment score 1 − K0 − K1·x̂B − K2·v̂B."""
    attachment_anxiety_slope: float
    attachment_avoidance_slope: float
    interest_codes: tuple[int, ...]
    interest_weights: tuple[float, ...]
    interest_keys: NDArray[np.int64]
    """code · population size per interest held as postings (not dense)."""
    interest_weight_array: NDArray[np.float64]
    """The IDF weights of those interests."""
    dense_rows: tuple[int, ...]
    """Rows of ``Layout.dense_weights`` for the viewer's very common interests."""
    interest_weight_total: float
    interest_evidence: float
    values_half_profile: tuple[float, ...] | None
    """½ × the unit value profile, so that a dot product gives r/2 directly."""


@dataclass(frozen=True, slots=True, eq=False)
class Layout:
    """Candidate-side columns in one order of the population's rows.

    ``rows[p]`` is the population row at position p and ``positions[row]`` its inverse.
    Tag ``code`` is held by the positions
    ``posting_positions[posting_offsets[code]:posting_offsets[code + 1]]`` (ascending).
    """

    rows: IntArray
    positions: IntArray
    half_x: FloatArray
    half_y: FloatArray
    half_z: FloatArray
    decay_slope: FloatArray
    age: IntArray
    age_key: IntArray
    """gender · AGE_SLOTS + age: the index into a viewer's forward age table."""
    window_start_by_gender: tuple[IntArray, ...]
    """age_min + AGE_OFFSET, or a start no age reaches when that gender is not sought."""
    window_end: IntArray
    """age_max − AGE_OFFSET."""
    anxiety: FloatArray
    avoidance: FloatArray
    has_attachment: FloatArray
    """1.0 where the member has attachment scores, else 0.0 (and x̂ = v̂ = 0)."""
    any_missing_attachment: bool
    interest_weight_total: FloatArray
    interest_evidence: FloatArray
    full_interest_evidence: bool
    values_by_dimension: FloatArray
    """VALUE_DIMENSIONS × n unit profiles, zero for members without one."""
    missing_values: BoolArray
    any_missing_values: bool
    available: BoolArray
    posting_offsets: IntArray
    posting_positions: IntArray
    posting_keys: NDArray[np.int64]
    """code · len(layout) + position per posting: one ascending array for all tags, so a
    viewer's tags are located in a range of positions with a single searchsorted."""
    dense_weights: FloatArray
    """DENSE_TAGS rows × n: the IDF weight of a very common tag where the member lists
    it, else 0 (adding a row beats a bincount over a long posting list)."""
    features: FloatArray
    """Rows [has, x̂, v̂, unit values + 1…] × n: attachment (``ATTACHMENT_ROWS``), values
    (``VALUES_ROWS``) and, for top-k, their weighted sum are matrix-vector products."""
    window_key: IntArray
    """Index of the member's age window (all genders) in ``window_starts``/``window_ends``."""
    window_starts: tuple[IntArray, ...]
    """Per gender: ``window_start_by_gender`` of each distinct window."""
    window_ends: IntArray
    """``window_end`` of each distinct window."""
    unavailable_positions: IntArray
    """Ascending positions of the members who are not available (paused, suspended)."""
    backward_tables: dict[tuple[int, int], FloatArray] = field(default_factory=dict)
    """Cache of the kernel's backward age tables by viewer (age, gender)."""

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True, slots=True, eq=False)
class _RawColumns:
    """Per-member derived columns in population order, always float64."""

    half_xyz: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]
    decay_slope: NDArray[np.float64]
    age: IntArray
    age_key: IntArray
    window_start_by_gender: tuple[IntArray, ...]
    window_end: IntArray
    anxiety: NDArray[np.float64]
    avoidance: NDArray[np.float64]
    missing_attachment: BoolArray
    interest_weight_total: NDArray[np.float64]
    interest_evidence: NDArray[np.float64]
    interest_offsets: NDArray[np.int64]
    interest_codes: IntArray
    vocabulary_size: int
    value_profiles: NDArray[np.float64]
    missing_values: BoolArray
    available: BoolArray
    vocabulary_weights: NDArray[np.float64]
    dense_codes: IntArray
    """The most common tags, handled as dense columns (see ``Layout.dense_weights``)."""

    def layout(self, rows: IntArray, dtype: np.dtype[Any], *, features: bool = True) -> Layout:
        """These columns in the order ``rows`` (a permutation of all rows).

        ``features`` is accepted for older callers: the feature rows are always built
        (the components path uses them too)."""
        del features
        size = len(rows)
        positions = np.empty(size, dtype=np.intp)
        positions[rows] = np.arange(size, dtype=np.intp)
        # Posting lists over this layout's positions.
        counts = np.diff(self.interest_offsets)
        owner_row = np.repeat(np.arange(size, dtype=np.intp), counts)
        owner_position = positions[owner_row]
        order = np.lexsort((owner_position, self.interest_codes))
        posting_positions = np.ascontiguousarray(owner_position[order])
        posting_offsets = np.searchsorted(
            self.interest_codes[order], np.arange(self.vocabulary_size + 1)
        ).astype(np.intp)

        def floats(column: NDArray[np.float64]) -> FloatArray:
            return np.ascontiguousarray(column[rows], dtype=dtype)

        def ints(column: IntArray) -> IntArray:
            return np.ascontiguousarray(column[rows], dtype=np.intp)

        missing_attachment = self.missing_attachment[rows]
        missing_values = np.ascontiguousarray(self.missing_values[rows])
        evidence = floats(self.interest_evidence)
        dense = np.zeros((len(self.dense_codes), size), dtype=dtype)
        dense_row = np.full(self.vocabulary_size, -1, dtype=np.intp)
        dense_row[self.dense_codes] = np.arange(len(self.dense_codes))
        held = dense_row[self.interest_codes]
        common = held >= 0
        dense[held[common], owner_position[common]] = self.vocabulary_weights[
            self.interest_codes[common]
        ]
        # Row-major (vstack of a transposed block may not be): the kernel's products
        # read row slices, which are ~7× slower from a column-major matrix.
        feature_rows = np.ascontiguousarray(
            np.vstack(
                (
                    (~missing_attachment).astype(np.float64),
                    self.anxiety[rows],
                    self.avoidance[rows],
                    self.value_profiles[rows].T + VALUES_OFFSET,
                )
            ),
            dtype=dtype,
        )
        windows = np.stack((*self.window_start_by_gender, self.window_end))
        distinct, window_key = np.unique(windows, axis=1, return_inverse=True)
        return Layout(
            rows=rows,
            positions=positions,
            half_x=floats(self.half_xyz[0]),
            half_y=floats(self.half_xyz[1]),
            half_z=floats(self.half_xyz[2]),
            decay_slope=floats(self.decay_slope),
            age=ints(self.age),
            age_key=ints(self.age_key),
            window_start_by_gender=tuple(ints(w) for w in self.window_start_by_gender),
            window_end=ints(self.window_end),
            anxiety=floats(self.anxiety),
            avoidance=floats(self.avoidance),
            has_attachment=np.ascontiguousarray(~missing_attachment, dtype=dtype),
            any_missing_attachment=bool(missing_attachment.any()),
            interest_weight_total=floats(self.interest_weight_total),
            interest_evidence=evidence,
            full_interest_evidence=bool(size == 0 or float(evidence.min()) >= 1.0),
            values_by_dimension=np.ascontiguousarray(self.value_profiles[rows].T, dtype=dtype),
            missing_values=missing_values,
            any_missing_values=bool(missing_values.any()),
            available=np.ascontiguousarray(self.available[rows]),
            posting_offsets=posting_offsets,
            posting_positions=posting_positions,
            posting_keys=self.interest_codes[order].astype(np.int64) * max(size, 1)
            + posting_positions,
            dense_weights=dense,
            features=feature_rows,
            window_key=ints(window_key.reshape(-1)),
            window_starts=tuple(
                np.ascontiguousarray(row, dtype=np.intp) for row in distinct[:GENDER_COUNT]
            ),
            window_ends=np.ascontiguousarray(distinct[GENDER_COUNT], dtype=np.intp),
            unavailable_positions=np.flatnonzero(~self.available[rows]).astype(np.intp),
        )


@dataclass(frozen=True, slots=True, eq=False)
class PopulationArrays:
    """A population prepared for the kernel: viewer constants plus candidate layouts."""

    population: ScoringPopulation
    dtype: np.dtype[Any]
    original: Layout
    """Candidate columns in population order."""
    viewers: tuple[ViewerConstants, ...]
    forward_age_scores: NDArray[np.float64]
    """Age score by years outside a viewer's window (0 … tolerance + 1)."""
    backward_age_denominators: FloatArray
    """1/score + 1 by (years outside a candidate's window + AGE_OFFSET); inf for 0."""
    raw: _RawColumns

    @classmethod
    def build(
        cls, population: ScoringPopulation, dtype: np.dtype[Any], unit_shrink: float = 1.0
    ) -> PopulationArrays:
        """``unit_shrink`` (just below 1) scales the half unit vectors so that rounding
        can never push |ΔP|² above 1, where asin is undefined."""
        raw = _raw_columns(population, unit_shrink)
        policy = population.policy
        tolerance = policy.age_tolerance_years
        forward = np.array(
            [score_for_years_outside(years, policy) for years in range(tolerance + 2)],
            dtype=np.float64,
        )
        backward = np.array(
            [
                score_for_years_outside(min(index - AGE_OFFSET, tolerance + 1), policy)
                for index in range(_BACKWARD_TABLE_SIZE)
            ],
            dtype=np.float64,
        )
        return cls(
            population=population,
            dtype=dtype,
            original=raw.layout(np.arange(len(population), dtype=np.intp), dtype),
            viewers=_viewer_constants(population, raw),
            forward_age_scores=forward,
            backward_age_denominators=harmonic_denominators(backward).astype(dtype),
            raw=raw,
        )

    def layout(self, rows: IntArray, *, features: bool = True) -> Layout:
        return self.raw.layout(rows, self.dtype, features=features)


def harmonic_denominators(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """1/s + 1 per score s, and inf where s = 0 (a dealbreaker).

    With a logistic distance score 1/(1 + e), half the harmonic mean of an age score a
    and the distance score is a·s/(a + s) = 1/(1/a + 1 + e): these denominators let the
    kernel add e and take one reciprocal, and a dealbreaker (inf) yields exactly 0.
    """
    with np.errstate(divide="ignore"):
        return np.where(scores > 0.0, 1.0 / np.where(scores > 0.0, scores, 1.0) + 1.0, np.inf)


def _raw_columns(population: ScoringPopulation, unit_shrink: float) -> _RawColumns:
    columns = population.columns
    policy = population.policy
    latitude = np.frombuffer(columns.latitude, dtype=np.float64)
    longitude = np.frombuffer(columns.longitude, dtype=np.float64)
    max_distance = np.frombuffer(columns.max_distance_km, dtype=np.float64)
    phi = np.radians(latitude)
    lam = np.radians(longitude)
    cos_phi = np.cos(phi)
    half = 0.5 * unit_shrink

    def ints(buffer: Any) -> IntArray:
        return np.frombuffer(buffer, dtype=np.int64).astype(np.intp)

    age = ints(columns.age)
    age_min = ints(columns.age_min)
    age_max = ints(columns.age_max)
    gender = ints(columns.gender)
    seeks = ints(columns.seeks_mask)
    counts = np.frombuffer(columns.interest_count, dtype=np.int64)
    size = len(population)
    return _RawColumns(
        half_xyz=(half * cos_phi * np.cos(lam), half * cos_phi * np.sin(lam), half * np.sin(phi)),
        decay_slope=LOG2_E
        * 2.0
        * EARTH_RADIUS_KM
        / (policy.distance_decay_width_fraction * max_distance),
        age=age,
        age_key=gender * AGE_SLOTS + age,
        window_start_by_gender=tuple(
            np.where((seeks >> code) & 1 == 1, age_min, _NOT_SOUGHT) + AGE_OFFSET
            for code in range(GENDER_COUNT)
        ),
        window_end=age_max - AGE_OFFSET,
        anxiety=np.frombuffer(columns.anxiety_normalised, dtype=np.float64),
        avoidance=np.frombuffer(columns.avoidance_normalised, dtype=np.float64),
        missing_attachment=np.frombuffer(columns.has_attachment, dtype=np.int8) == 0,
        interest_weight_total=np.frombuffer(columns.interest_weight_total, dtype=np.float64),
        interest_evidence=np.minimum(1.0, counts / policy.interest_full_evidence),
        interest_offsets=np.frombuffer(columns.interest_offsets, dtype=np.int64),
        interest_codes=ints(columns.interest_codes),
        vocabulary_size=len(columns.vocabulary),
        value_profiles=np.frombuffer(columns.value_profiles, dtype=np.float64).reshape(
            len(population), VALUE_DIMENSIONS
        ),
        missing_values=np.frombuffer(columns.has_values, dtype=np.int8) == 0,
        available=np.frombuffer(columns.available, dtype=np.int8) == 1,
        vocabulary_weights=np.frombuffer(columns.vocabulary_weights, dtype=np.float64),
        dense_codes=_dense_codes(ints(columns.interest_codes), len(columns.vocabulary), size),
    )


def _dense_codes(codes: IntArray, vocabulary_size: int, members: int) -> IntArray:
    """Up to DENSE_TAGS tags held by at least DENSE_SHARE of the members."""
    counts = np.bincount(codes, minlength=vocabulary_size)
    common = np.flatnonzero(counts >= max(1.0, DENSE_SHARE * members))
    common = common[np.argsort(-counts[common], kind="stable")][:DENSE_TAGS]
    return np.sort(common).astype(np.intp)


def _viewer_constants(
    population: ScoringPopulation, raw: _RawColumns
) -> tuple[ViewerConstants, ...]:
    columns = population.columns
    weights = population.policy.attachment_weights
    half_x, half_y, half_z = (axis.tolist() for axis in raw.half_xyz)
    decay_slope = raw.decay_slope.tolist()
    anxiety = raw.anxiety.tolist()
    avoidance = raw.avoidance.tolist()
    offsets = columns.interest_offsets
    codes = columns.interest_codes
    vocabulary_weights = columns.vocabulary_weights
    evidence = raw.interest_evidence.tolist()
    all_keys = raw.interest_codes.astype(np.int64) * max(len(population), 1)
    all_weights = np.frombuffer(vocabulary_weights, dtype=np.float64)[raw.interest_codes]
    dense_row = {int(code): index for index, code in enumerate(raw.dense_codes)}
    is_sparse = np.ones(len(raw.interest_codes), dtype=np.bool_)
    if dense_row:
        is_sparse = ~np.isin(raw.interest_codes, raw.dense_codes)
    viewers = []
    for row, profile in enumerate(population.profiles):
        x_a = anxiety[row]
        v_a = avoidance[row]
        # The docs/science.md 3.3 penalty, expanded for a fixed viewer A: K0 + K1·x̂B + K2·v̂B.
        k0 = weights.anxiety * x_a / 2.0 + weights.avoidance * v_a / 2.0
        k1 = weights.anxiety / 2.0 + weights.cross * v_a / 2.0
        k2 = weights.avoidance / 2.0 + weights.cross * x_a / 2.0 + weights.both_avoidant * v_a
        own_codes = tuple(codes[offsets[row] : offsets[row + 1]])
        unit = None if profile.values is None else profile.values.unit_profile
        viewers.append(
            ViewerConstants(
                row=row,
                available=profile.available,
                age=profile.age,
                gender=columns.gender[row],
                seeks_mask=columns.seeks_mask[row],
                age_min=profile.age_min,
                age_max=profile.age_max,
                latitude=profile.latitude,
                longitude=profile.longitude,
                max_distance_km=profile.max_distance_km,
                half_x=half_x[row],
                half_y=half_y[row],
                half_z=half_z[row],
                decay_slope=decay_slope[row],
                has_attachment=profile.attachment is not None,
                attachment_offset=1.0 - k0,
                attachment_anxiety_slope=k1,
                attachment_avoidance_slope=k2,
                interest_codes=own_codes,
                interest_weights=tuple(vocabulary_weights[code] for code in own_codes),
                interest_keys=all_keys[offsets[row] : offsets[row + 1]][
                    is_sparse[offsets[row] : offsets[row + 1]]
                ],
                interest_weight_array=all_weights[offsets[row] : offsets[row + 1]][
                    is_sparse[offsets[row] : offsets[row + 1]]
                ],
                dense_rows=tuple(dense_row[c] for c in own_codes if c in dense_row),
                interest_weight_total=columns.interest_weight_total[row],
                interest_evidence=evidence[row],
                values_half_profile=None if unit is None else tuple(0.5 * u for u in unit),
            )
        )
    return tuple(viewers)
