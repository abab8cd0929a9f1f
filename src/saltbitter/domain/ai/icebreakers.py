"""What two matched members share, as plain words for icebreakers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["IMPORTANT_VALUE", "shared_interests", "shared_values"]

IMPORTANT_VALUE = 5  # on the 1-7 Schwartz scale: "important to me" or more


def shared_interests(mine: Iterable[str], theirs: Iterable[str]) -> tuple[str, ...]:
    """Interests both list, case-insensitively, in a stable (sorted) order."""
    their_keys = {tag.strip().casefold() for tag in theirs}
    return tuple(sorted({t.strip().casefold() for t in mine if t.strip()} & their_keys))


def shared_values(
    mine: Mapping[str, float] | None, theirs: Mapping[str, float] | None
) -> tuple[str, ...]:
    """Values both rate as important, strongest shared first (ties by name)."""
    if not mine or not theirs:
        return ()
    both = [
        (min(mine[name], theirs[name]), name)
        for name in mine.keys() & theirs.keys()
        if mine[name] >= IMPORTANT_VALUE and theirs[name] >= IMPORTANT_VALUE
    ]
    return tuple(name.replace("_", " ") for _, name in sorted(both, key=lambda p: (-p[0], p[1])))
