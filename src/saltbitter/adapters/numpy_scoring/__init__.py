"""NumPy adapter for the ``BatchScorer`` port (the ``saltbitter[fast]`` extra).

``NumpyBatchScorer`` evaluates the domain's compatibility rule column-wise: float64 by
default (agrees with the scalar rule to 1e-9), or float32 as a documented fast path.
"""

from __future__ import annotations

from .scorer import NumpyBatchScorer

__all__ = ["NumpyBatchScorer"]
