"""Stand-in image work for tests of the worker pool.

A process pool runs its work in spawned interpreters, which import the work function by
its module and name, so it lives here rather than in a test module.
"""

from __future__ import annotations

import os

from saltbitter.application.ports.images import ProcessedImage
from saltbitter.domain.profiles import ImageType

__all__ = ["worker_pid"]


def worker_pid(data: bytes, image_type: ImageType) -> ProcessedImage:  # noqa: ARG001
    """Which process did the work: its pid, as the "image" bytes."""
    return ProcessedImage(str(os.getpid()).encode(), image_type, 1, 1)
