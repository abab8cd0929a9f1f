"""Test temporary folders in memory, where the machine has a RAM-backed ``/dev/shm``.

Many unit tests own a SQLite file (a copy of the migrated template) or a data folder.
SQLite syncs to disk on every commit, and on a shared disk those waits, not the CPU,
were most of the SQLite tests' time (a migration: 0.1 s of CPU, up to 1.9 s of wall
time). On tmpfs a sync returns at once; the files are the same files, so nothing the
tests check changes. An explicit ``TMPDIR`` or ``PYTEST_DEBUG_TEMPROOT`` (pytest's own
setting for this) is left alone, and so is a ``/dev/shm`` too small to hold a run (a
container's default 64 MiB): then the folders stay where they always were.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["prefer_a_temp_root_in_memory"]

RAM_BACKED = Path("/dev/shm")
# One unit run writes about 200 MiB; passing tests' folders are removed as they end
# (tmp_path_retention_policy = "failed"), so this leaves ample room.
ENOUGH_FREE_BYTES = 1 << 30


def prefer_a_temp_root_in_memory() -> None:
    """Point pytest's temporary root at ``/dev/shm`` unless told otherwise or unable."""
    if "PYTEST_DEBUG_TEMPROOT" in os.environ or "TMPDIR" in os.environ:
        return
    try:
        usable = (
            RAM_BACKED.is_dir()
            and os.access(RAM_BACKED, os.W_OK | os.X_OK)
            and shutil.disk_usage(RAM_BACKED).free >= ENOUGH_FREE_BYTES
        )
    except OSError:
        return
    if usable:
        # Inherited by xdist workers and subprocesses, so every part of a run agrees.
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(RAM_BACKED)
