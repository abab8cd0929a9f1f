"""Small numeric helpers shared by the compatibility components (private).

They are written so that a vectorised implementation can reproduce them operation for
operation: the batch scorer must agree with these scalar rules to 1e-9.
"""

from __future__ import annotations

import math

__all__ = ["EARTH_RADIUS_KM", "harmonic_mean", "haversine_km", "logistic_decay"]

EARTH_RADIUS_KM = 6371.0
"""Mean Earth radius used by the haversine formula (docs/science.md 5.2)."""


def harmonic_mean(first: float, second: float) -> float:
    """2ab / (a + b), and 0 when either side is 0 (docs/science.md 5.3).

    The harmonic mean is dominated by the smaller value, so a one-sided fit ranks far
    below a mutual one; a zero on either side (a dealbreaker) gives zero.
    """
    if first <= 0.0 or second <= 0.0:
        return 0.0
    return 2.0 * first * second / (first + second)


def logistic_decay(excess: float, width: float) -> float:
    """1 / (1 + exp(excess / width)): 0.5 at excess 0, falling as the excess grows."""
    return 1.0 / (1.0 + math.exp(excess / width))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (docs/science.md 5.2, the standard haversine formula).

    a = sin²(Δφ/2) + cos φ₁·cos φ₂·sin²(Δλ/2); d = 2R·asin(√a). ``asin`` equals the
    ``atan2(√a, √(1−a))`` of the research text for a in [0, 1] and is what the batch
    scorer computes from precomputed coordinates.
    """
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    half_dphi = math.sin((phi2 - phi1) / 2.0)
    half_dlambda = math.sin(math.radians(lon2 - lon1) / 2.0)
    a = half_dphi * half_dphi + math.cos(phi1) * math.cos(phi2) * half_dlambda * half_dlambda
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
