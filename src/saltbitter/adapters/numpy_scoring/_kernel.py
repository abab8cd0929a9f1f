"""The vectorised compatibility kernel: one viewer against a range of candidates.

It evaluates the scalar formulas of ``saltbitter.domain.compatibility`` column-wise,
rearranged so that per-member parts are precomputed (``_layout``):

- attachment (docs/science.md 3.3) is linear in the candidate's scores for a fixed viewer:
  1 − K0 − K1·x̂B − K2·v̂B; written as neutral + hasA·hasB·(1 − K0 − neutral) −
  hasA·(K1·x̂B + K2·v̂B) with x̂ = v̂ = 0 when missing, it is one matrix-vector product
  with the candidate's feature rows [has, x̂, v̂] plus the constant (no branch, no pass
  per term);
- interests (4.1): shared / (W_A + W_B − shared), the shared IDF weight coming from an
  inverted index, shrunk toward the prior only when someone lists few interests;
- values (4.2): (1 + r)/2 = ½ + ½uA·uB over unit centred profiles (zero if missing),
  one product with the feature rows [uB + 1…]: both profiles sum to 0, so weights
  ½uA + 1/20 give it with no row of ones to stream;
- demographics (5.1-5.2): with the distance score 1/(1 + e), half the harmonic mean of
  the age score a and the distance score is 1/(1/a + 1 + e). The kernel keeps these
  reciprocals ("denominators"): a table gives 1/a + 1 (inf for an age or gender
  dealbreaker), the distance adds e, and a huge e marks a pair beyond a limit. The
  forward table is indexed by the candidate's (gender, age), the backward one (per
  viewer age and gender) by the candidate's window among the population's distinct ones;
- reciprocity (5.3): with S' = 2·S, HM(S_f, S_b) = S'_f·S'_b/(S'_f + S'_b);
- hard filters: a dealbreaker makes a denominator ≥ ~1e34 (or inf), real ones stay
  below ~1e8, so one comparison of their sum with a constant gives eligibility; the
  few unavailable candidates are then set ineligible by position.

When only totals are needed (top-k), 2·(w_a·attachment + w_v·values) and the constant
terms are a single product with all feature rows [has, x̂, v̂, u + 1…] (the constant
terms ride on the values rows, which sum to D for every candidate). With the components,
attachment, interests and values are adjacent rows of one output block, so their
weighted sum is one product too.

Speed: the kernel is bound by passes over memory, not arithmetic (docs/performance.md,
batch scorer): about 44-45 NumPy calls per chunk, each streaming chunk-sized buffers
through the L2 cache, plus ~160 bytes (float64) or ~90 bytes (float32) of candidate
columns per pair from main memory, and 8 or 4 more per very common tag the viewer lists.
Candidates are processed in chunks of 256 KiB buffers (32,768 in float64, 65,536 in
float32: fewer calls per pair), every ufunc writes into a preallocated buffer, and calls
pass ``out`` positionally with 0-d array operands, which halves NumPy's per-call
overhead; but ``minimum``/``maximum`` take a full buffer, never a 0-d operand (~5×
slower per element). The distance decay is computed in base 2 (``exp2``, with log2(e)
folded into the slopes): NumPy's float32 exp2 takes ~0.2 ns per element against exp's
~0.45, but like float64's exp and exp2 it takes a slow path on overflow (~5 ns per
overflowing element in float32, 10-15 in float64), so blown-up exponents are capped in
both precisions. Measured alternatives that were slower: a 2-D (viewers × candidates)
kernel (broadcasting a column against a row costs 2-4× per element in NumPy),
``putmask``/``where`` for dealbreakers (replaced by the reciprocal form above), ``clip``
for the exponent's max and cap (a scalar loop, ~1 ns per element), uint16 lookup keys
widened per chunk, and the very common tags as byte rows packed into a table key (the
extra passes cost more than the bytes they save). The loop is deliberately one flat
function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from saltbitter.domain.compatibility import VALUE_DIMENSIONS, CompatibilityPolicy

from ._layout import (
    ATTACHMENT_ROWS,
    ELIGIBLE_BELOW,
    LOG2_E,
    VALUES_OFFSET,
    VALUES_ROWS,
    Layout,
    ViewerConstants,
)

__all__ = ["KernelConstants", "SharedInterests", "ViewerTerms", "Workspace", "score_range"]

FloatArray = NDArray[np.floating[Any]]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]
COMPONENT_ROWS = 4
"""Rows of a components block: attachment, interests, values, reciprocal demographics
(the first three adjacent, in the order of ``ViewerTerms.base_weights``)."""


@dataclass(frozen=True, slots=True, eq=False)
class SharedInterests:
    """The shared IDF weight of a viewer and each candidate, in two parts the kernel adds
    chunk by chunk (while the chunk is in cache): the viewer's rarer tags as sums over
    layout positions [origin, origin + len(sparse)) in the kernel's dtype (None: no
    holder), and its very common tags as full rows of ``Layout.dense_weights``."""

    sparse: FloatArray | None
    origin: int
    dense: tuple[FloatArray, ...]


class _Buffers(NamedTuple):
    t1: FloatArray
    t2: FloatArray
    base: FloatArray
    theta: FloatArray
    forward: FloatArray
    backward: FloatArray
    parts: FloatArray
    """3 × chunk: attachment, interests, values when no components block is given."""
    common: FloatArray
    zeros: FloatArray
    ones: FloatArray
    """For the float32 clamp of |ΔP|²: minimum with a 0-d operand is ~5× slower."""
    viewer_evidence: FloatArray
    """The viewer's interest evidence, filled per call (the same reason)."""
    exponent_cap: FloatArray
    years: IntArray
    years2: IntArray
    ok: BoolArray


class Workspace:
    """Scratch buffers for one chunk, reused across calls (nothing allocated per chunk)."""

    def __init__(self, dtype: np.dtype[Any], chunk: int) -> None:
        self.dtype = dtype
        self.chunk = chunk
        # 2^cap must be finite (overflowing inputs send NumPy's exp2 down a slow path, ~7×
        # in float32) yet dwarf every real denominator: 1000 → 1e301 in float64, 120 →
        # 1e36 in float32.
        self.exponent_cap_value = 1000.0 if dtype == np.float64 else 120.0
        # |ΔP|² must never exceed 1 by rounding (asin would be NaN). float64 shrinks the
        # half unit vectors a hair (``unit_shrink``, ~1e-14 on distances, ~2 m at the
        # antipode); in float32 a shrink that safe shortens distances near the antipode
        # by tens of km (asin is steep there), so float32 clamps |ΔP|² at 1 instead
        # (one cheap pass; its own rounding there is worth a few km).
        self.clamps_haversine = dtype != np.float64
        self.unit_shrink = 1.0 if self.clamps_haversine else 1.0 - 64.0 * float(np.finfo(dtype).eps)

        def floats() -> FloatArray:
            return np.empty(chunk, dtype=dtype)

        def ints() -> IntArray:
            return np.empty(chunk, dtype=np.intp)

        self._full = _Buffers(
            t1=floats(),
            t2=floats(),
            base=floats(),
            theta=floats(),
            forward=floats(),
            backward=floats(),
            parts=np.empty((3, chunk), dtype=dtype),
            common=floats(),
            zeros=np.zeros(chunk, dtype=dtype),
            ones=np.ones(chunk, dtype=dtype),
            viewer_evidence=floats(),
            exponent_cap=np.full(chunk, self.exponent_cap_value, dtype=dtype),
            years=ints(),
            years2=ints(),
            ok=np.empty(chunk, dtype=np.bool_),
        )
        self._partial: dict[int, _Buffers] = {}

    def buffers(self, size: int) -> _Buffers:
        if size == self.chunk:
            return self._full
        views = self._partial.get(size)
        if views is None:
            if len(self._partial) > 1024:
                self._partial.clear()
            full = self._full
            views = _Buffers(
                t1=full.t1[:size],
                t2=full.t2[:size],
                base=full.base[:size],
                theta=full.theta[:size],
                forward=full.forward[:size],
                backward=full.backward[:size],
                parts=full.parts[:, :size],
                common=full.common[:size],
                zeros=full.zeros[:size],
                ones=full.ones[:size],
                viewer_evidence=full.viewer_evidence[:size],
                exponent_cap=full.exponent_cap[:size],
                years=full.years[:size],
                years2=full.years2[:size],
                ok=full.ok[:size],
            )
            self._partial[size] = views
        return views


@dataclass(frozen=True, slots=True)
class KernelConstants:
    """Policy numbers as 0-d arrays of the kernel's dtype (cheap ufunc operands)."""

    two_attachment: FloatArray
    two_interests: FloatArray
    two_values: FloatArray
    four_demographics: FloatArray
    inverse_width: FloatArray
    """log2(e)/f: the distance decay's exponent (base 2) is θ·K − log2(e)/f."""
    beyond: FloatArray
    """A factor that turns any positive exponent into a huge one."""
    tiny: FloatArray
    """Added to denominators that may be exactly 0 where the rule says 0; far below one
    ulp of any real denominator, so it never changes a non-zero result."""
    dealbreaker: FloatArray
    """Denominators at or above this mean a dealbreaker (real ones stay below ~1e8)."""
    eligible_below: FloatArray
    """``ELIGIBLE_BELOW``: the two directions' denominators sum to less without one."""
    prior: FloatArray
    neutral_attachment: FloatArray
    neutral_values: float
    half: FloatArray
    four: FloatArray
    backward_ages: FloatArray
    """1/a + 1 by (years outside a candidate's window + offset); inf for a = 0."""
    base_weights: FloatArray
    """2·w_a, 2·w_i, 2·w_v (``ViewerTerms.base_weights``: the same for every viewer)."""

    @classmethod
    def of(
        cls, policy: CompatibilityPolicy, backward_ages: FloatArray, workspace: Workspace
    ) -> KernelConstants:
        dtype = workspace.dtype
        weights = policy.weights

        def scalar(value: float) -> FloatArray:
            return np.asarray(value, dtype=dtype)

        return cls(
            two_attachment=scalar(2.0 * weights.attachment),
            two_interests=scalar(2.0 * weights.interests),
            two_values=scalar(2.0 * weights.values),
            four_demographics=scalar(4.0 * weights.demographics),
            inverse_width=scalar(LOG2_E / policy.distance_decay_width_fraction),
            beyond=scalar(float(np.finfo(dtype).max) / 1e8),
            tiny=scalar(float(np.finfo(dtype).tiny)),
            dealbreaker=scalar(float(np.exp2(workspace.exponent_cap_value)) / 1e4),
            eligible_below=scalar(ELIGIBLE_BELOW),
            prior=scalar(policy.interest_prior),
            neutral_attachment=scalar(policy.neutral_attachment),
            neutral_values=policy.neutral_values,
            half=scalar(0.5),
            four=scalar(4.0),
            backward_ages=backward_ages,
            base_weights=np.asarray(
                [2.0 * weights.attachment, 2.0 * weights.interests, 2.0 * weights.values],
                dtype=dtype,
            ),
        )


@dataclass(frozen=True, slots=True, eq=False)
class ViewerTerms:
    """One viewer's constants as 0-d arrays of the kernel's dtype: only what
    ``score_range`` reads (made once per viewer and ranking, ~100,000 times a day)."""

    viewer: ViewerConstants
    weight_total: FloatArray
    """W_A + tiny: a viewer without interests gets 0/tiny = 0 and then the prior."""
    half_x: FloatArray
    half_y: FloatArray
    half_z: FloatArray
    decay_slope: FloatArray
    forward_ages: FloatArray
    """1/a + 1 by candidate (gender, age) for this viewer's window (``Layout.age_key``)."""
    attachment_weights: FloatArray
    """Weights of the ``ATTACHMENT_ROWS`` [has, x̂, v̂]: hasA·term, −K1, −K2 (the kernel
    adds the neutral score)."""
    values_weights: FloatArray
    """Weights of the ``VALUES_ROWS`` [u + 1…]: the half unit profile + 1/20."""
    base_weights: FloatArray
    """2·w_a, 2·w_i, 2·w_v: twice the direction-independent part of S from the rows
    attachment, interests, values of a components block."""
    fused_weights: FloatArray
    """Weights of ``Layout.features`` giving 2·(w_a·attachment + w_v·values) at once."""

    @classmethod
    def of(
        cls,
        viewer: ViewerConstants,
        forward_ages: FloatArray,
        constants: KernelConstants,
        dtype: np.dtype[Any],
    ) -> ViewerTerms:
        has = viewer.has_attachment
        neutral = float(constants.neutral_attachment)
        term = viewer.attachment_offset - neutral if has else 0.0
        anxiety_slope = viewer.attachment_anxiety_slope if has else 0.0
        avoidance_slope = viewer.attachment_avoidance_slope if has else 0.0
        profile = viewer.values_half_profile
        two_wa = float(constants.two_attachment)
        two_wv = float(constants.two_values)
        half_profile = profile or (0.0,) * VALUE_DIMENSIONS
        # attachment = neutral + has·term − K1·x̂ − K2·v̂ and values = ½ + ½uA·uB are dot
        # products with the candidate's feature rows [has, x̂, v̂, uB + 1…] (attachment
        # plus its neutral constant, added by the kernel); so is
        # 2·w_a·attachment + 2·w_v·values. Both profiles sum to 0, so with weights
        # ½uA + c on uB + o: ½uA·uB + D·c·o, and c = ½/(D·o) gives the ½; the fused
        # weights carry 2·w_a·neutral the same way.
        attachment = [term, -anxiety_slope, -avoidance_slope]
        rows = VALUE_DIMENSIONS * VALUES_OFFSET
        values = [u + 0.5 / rows for u in half_profile]
        fused = [two_wa * weight for weight in attachment]
        fused += [two_wv * weight + two_wa * neutral / rows for weight in values]
        asarray = np.asarray
        return cls(
            viewer=viewer,
            weight_total=asarray(viewer.interest_weight_total + float(constants.tiny), dtype),
            half_x=asarray(viewer.half_x, dtype),
            half_y=asarray(viewer.half_y, dtype),
            half_z=asarray(viewer.half_z, dtype),
            decay_slope=asarray(viewer.decay_slope, dtype),
            forward_ages=forward_ages,
            attachment_weights=asarray(attachment, dtype),
            values_weights=asarray(values, dtype),
            base_weights=constants.base_weights,
            fused_weights=asarray(fused, dtype),
        )


def _backward_table(
    layout: Layout, constants: KernelConstants, viewer: ViewerConstants
) -> FloatArray:
    """1/a + 1 for the viewer's age against each distinct window (``Layout.window_key``)
    of a member, for the viewer's gender; inf where a = 0 (cached per age and gender)."""
    key = (viewer.age, viewer.gender)
    table = layout.backward_tables.get(key)
    if table is None:
        # Years outside the window plus AGE_OFFSET, as the table ``backward_ages`` expects.
        years = np.maximum(
            layout.window_starts[viewer.gender] - viewer.age, viewer.age - layout.window_ends
        )
        table = constants.backward_ages.take(years, None, None, "wrap")
        layout.backward_tables[key] = table
    return table


def _common_weights(shared: SharedInterests, low: int, high: int, buffers: _Buffers) -> FloatArray:
    """The shared IDF weight for layout positions [low, high): the postings part, then
    each very common tag's row added in order (the same sums as adding whole rows)."""
    dense = shared.dense
    if shared.sparse is None:
        if not dense:
            return buffers.zeros
        if len(dense) == 1:
            return dense[0][low:high]
        common = buffers.common
        np.add(dense[0][low:high], dense[1][low:high], common)
        rest = dense[2:]
    else:
        sparse = shared.sparse[low - shared.origin : high - shared.origin]
        common = buffers.common
        if not dense:
            return sparse
        np.add(sparse, dense[0][low:high], common)
        rest = dense[1:]
    for row in rest:
        np.add(common, row[low:high], common)
    return common


def score_range(  # noqa: PLR0912, PLR0915 - one flat loop, see the module docstring
    workspace: Workspace,
    constants: KernelConstants,
    layout: Layout,
    terms: ViewerTerms,
    shared: SharedInterests | None,
    start: int,
    stop: int,
    total: FloatArray,
    eligible: BoolArray,
    components: FloatArray | None,
) -> None:
    """Score one viewer against layout positions [start, stop).

    ``shared`` gives the shared IDF weight per candidate (None: the viewer lists no
    interests). Outputs, each of length stop − start: ``total``, ``eligible`` and,
    unless None, ``components``: a ``COMPONENT_ROWS`` × (stop − start) block (rows
    attachment, interests, values, reciprocal demographics; its rows may be views of a
    longer block). The viewer must be available, and ``eligible`` does not yet exclude
    unavailable candidates: the caller sets ``Layout.unavailable_positions`` ineligible
    (once per output, not per call: top-k makes many short calls).
    """
    add, subtract, multiply, divide = np.add, np.subtract, np.multiply, np.divide
    maximum, minimum, matmul = np.maximum, np.minimum, np.matmul
    k = constants
    viewer = terms.viewer
    shrink = viewer.interest_evidence < 1.0 or not layout.full_interest_evidence
    if shrink and shared is not None:
        full = workspace.buffers(workspace.chunk).viewer_evidence
        full[: stop - start].fill(viewer.interest_evidence)
    fix_missing_values = k.neutral_values != 0.5 and (
        viewer.values_half_profile is None or layout.any_missing_values
    )
    clamps = workspace.clamps_haversine
    forward_ages = terms.forward_ages
    backward_ages = _backward_table(layout, k, viewer)
    features = layout.features
    # Top-k: the fused path assumes the neutral values score is ½ (a zero profile gives ½).
    fused = components is None and k.neutral_values == 0.5
    # Candidate columns.
    weight_total, evidence = layout.interest_weight_total, layout.interest_evidence
    missing_values = layout.missing_values
    cand_x, cand_y, cand_z = layout.half_x, layout.half_y, layout.half_z
    cand_slope, age_key, window_key = layout.decay_slope, layout.age_key, layout.window_key
    eligible_below = k.eligible_below
    two_interests_prior = k.two_interests * k.prior

    for low in range(start, stop, workspace.chunk):
        high = min(low + workspace.chunk, stop)
        size = high - low
        at = slice(low - start, high - start)
        b = workspace.buffers(size)
        t1, t2, base, theta, forward, backward = b.t1, b.t2, b.base, b.theta, b.forward, b.backward
        # attachment, interests, values: adjacent rows (``ViewerTerms.base_weights``).
        parts = b.parts if components is None else components[:3, at]
        attachment, interests, values = parts[0], parts[1], parts[2]

        # Interests (4.1): shared / (W_A + W_B − shared), shrunk toward the prior.
        if shared is not None:
            common = _common_weights(shared, low, high, b)
            add(weight_total[low:high], terms.weight_total, t1)
            subtract(t1, common, t1)
            divide(common, t1, interests)
            if shrink:
                minimum(evidence[low:high], b.viewer_evidence, out=t1)
                subtract(interests, k.prior, interests)
                multiply(interests, t1, interests)
                add(interests, k.prior, interests)
        elif not fused:
            interests.fill(float(k.prior))

        if fused:
            # Twice the direction-independent part of S in one product, plus interests.
            matmul(terms.fused_weights, features[:, low:high], base)
            if shared is not None:
                multiply(interests, k.two_interests, t1)
                add(base, t1, base)
            else:
                add(base, two_interests_prior, base)
        else:
            # Attachment (3.3) and values (4.2) as products with the feature rows; zero
            # value profiles (missing or flat) give ½.
            matmul(terms.attachment_weights, features[ATTACHMENT_ROWS, low:high], attachment)
            add(attachment, k.neutral_attachment, attachment)
            matmul(terms.values_weights, features[VALUES_ROWS, low:high], values)
            if fix_missing_values:
                if viewer.values_half_profile is None:
                    values.fill(k.neutral_values)
                else:
                    np.putmask(values, missing_values[low:high], k.neutral_values)
            # Twice the direction-independent part of S: one product with the three rows.
            matmul(terms.base_weights, parts, base)

        # Distance (5.2): |P_B − P_A|² is the haversine a; θ = asin(√a), d = 2R·θ.
        subtract(cand_x[low:high], terms.half_x, t1)
        multiply(t1, t1, t1)
        subtract(cand_y[low:high], terms.half_y, t2)
        multiply(t2, t2, t2)
        add(t1, t2, t1)
        subtract(cand_z[low:high], terms.half_z, t2)
        multiply(t2, t2, t2)
        add(t1, t2, t1)
        if clamps:
            minimum(t1, b.ones, out=t1)
        np.sqrt(t1, t1)
        np.arcsin(t1, theta)

        # Forward denominator: the candidate against the viewer's window and limit.
        # e = 2^(θ·K − log2(e)/f) = exp(θ·K/log2(e) − 1/f); past the limit
        # max(x, x·huge) makes e huge (capped: NumPy's exp2 is slow on overflow).
        forward_ages.take(age_key[low:high], None, forward, "wrap")
        multiply(theta, terms.decay_slope, t1)
        subtract(t1, k.inverse_width, t1)
        multiply(t1, k.beyond, t2)
        maximum(t1, t2, out=t1)
        minimum(t1, b.exponent_cap, out=t1)
        np.exp2(t1, t1)
        add(forward, t1, forward)

        # Backward denominator: the viewer against the candidate's window and limit.
        backward_ages.take(window_key[low:high], None, backward, "wrap")
        multiply(theta, cand_slope[low:high], t1)
        subtract(t1, k.inverse_width, t1)
        multiply(t1, k.beyond, t2)
        maximum(t1, t2, out=t1)
        minimum(t1, b.exponent_cap, out=t1)
        np.exp2(t1, t1)
        add(backward, t1, backward)

        # Reciprocal total (5.3): S'_f·S'_b/(S'_f + S'_b), S' = base + 4·w_d·h.
        out_total = total[at]
        divide(k.four_demographics, forward, t1)
        add(t1, base, t1)
        divide(k.four_demographics, backward, t2)
        add(t2, base, t2)
        multiply(t1, t2, out_total)
        add(t1, t2, t1)
        add(t1, k.tiny, t1)
        divide(out_total, t1, out_total)

        # Hard filters: no dealbreaker either way (gender, age, distance), in one
        # comparison of the denominators' sum with a constant (availability below).
        add(forward, backward, t1)
        np.less(t1, eligible_below, eligible[at])
        if components is not None:
            # Reciprocal demographics: HM(2h_f, 2h_b) = 4/(1/h_f + 1/h_b).
            divide(k.four, t1, components[3, at])
