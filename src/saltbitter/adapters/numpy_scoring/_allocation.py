"""The domain's round-based greedy allocation (``allocate_ranked``) over NumPy arrays.

Same input, same result, to the byte: the domain function is the reference (a property
test holds the two equal), this one only does the work in vectorised steps. At 100,000
members the domain's walk over 1.3 million picks is one core's Python for ~4 s; here a
round is a handful of array operations.

Why a round can be done at once. In a round the members pick in the walk order, each
taking the first candidate on their list (from their cursor) that is not full, not
themselves and not already theirs. Every member has one pick a round and every
candidate has ``cap - exposure`` places left at the round's start, and all candidates
prefer the members earlier in the walk: that is a serial dictatorship, whose result is
the one stable assignment, which deferred acceptance finds. So: every member proposes to
the first candidate on their list with room at the round's start (not themselves, not
theirs already); a candidate keeps the earliest members in the walk up to its room and
turns away the others, who propose to their next candidate; until nobody is turned
away. A member turned away by a candidate finds it full in the sequential walk too (the
members it kept come earlier), so the positions each member passes, and so their
cursors, are the reference's as well.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from random import Random
from typing import Any

import numpy as np
from numpy.typing import NDArray

from saltbitter.domain.matching import AllocationResult, RankedCandidateLists, allocate_ranked

__all__ = ["allocate_ranked_arrays"]

Int64Array = NDArray[np.int64]

# Positions looked at per member and step while looking for a candidate with room.
_WINDOW = 8
_STEPS = np.arange(_WINDOW, dtype=np.int64)


def _plain(
    lists: RankedCandidateLists,
    quotas: Sequence[int],
    exposure_cap: int | None,
    initial_exposure: Mapping[int, int] | None,
) -> tuple[Int64Array, Int64Array, Int64Array, Int64Array] | None:
    """The inputs as arrays, or None when the reference must decide (it refuses them,
    or names candidates that are not rows: refused only once a member reaches them)."""
    user_count = lists.user_count
    if len(quotas) != user_count or (exposure_cap is not None and exposure_cap < 1):
        return None
    wanted = np.asarray([int(quota) for quota in quotas], dtype=np.int64)
    if wanted.size and int(wanted.min()) < 0:
        return None
    earlier = np.zeros(user_count, dtype=np.int64)
    for row, count in (initial_exposure or {}).items():
        if (
            isinstance(row, bool)
            or not isinstance(row, int)
            or not 0 <= row < user_count
            or isinstance(count, bool)
            or not isinstance(count, int)
            or count < 0
        ):
            return None
        earlier[row] = count
    candidates = np.asarray(lists.candidates, dtype=np.int64)
    if candidates.size and (int(candidates.min()) < 0 or int(candidates.max()) >= user_count):
        return None
    return np.asarray(lists.offsets, dtype=np.int64), candidates, wanted, earlier


def _in_sorted(keys: Int64Array, sorted_keys: Int64Array) -> NDArray[np.bool_]:
    if sorted_keys.size == 0:
        return np.zeros(keys.shape, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return np.asarray(sorted_keys[at] == keys)


@dataclass(slots=True)
class _Lists:
    """The ranked lists and what the rounds so far have done with them."""

    candidates: Int64Array
    ends: Int64Array
    cursor: Int64Array
    exposure: Int64Array
    cap: int
    # The picks so far as sorted keys member * user_count + candidate: a candidate
    # already one's own is passed over (only a list naming someone twice meets one).
    owned: Int64Array

    def next_with_room(
        self, members: Int64Array, pointer: Int64Array, end: Int64Array, room: Int64Array
    ) -> Int64Array:
        """For each member (``pointer``, ``end``: where they are on their list, moved
        along), the first position from the pointer naming a candidate with room at the
        round's start, not themselves and not theirs yet; -1 past the end."""
        candidates, users = self.candidates, len(self.ends)
        last = candidates.size - 1
        proposed = np.full(members.size, -1, dtype=np.int64)
        open_ = np.arange(members.size)
        while open_.size:
            start = pointer[open_]
            at = start[:, None] + _STEPS
            named = candidates[np.minimum(at, last)]
            fits = (
                (at < end[open_][:, None]) & (room[named] > 0) & (named != members[open_][:, None])
            )
            found = fits.any(axis=1)
            chosen = start[found] + fits[found].argmax(axis=1)
            hits = open_[found]
            if self.owned.size:
                keys = members[hits] * users + candidates[chosen]
                mine = _in_sorted(keys, self.owned)
                pointer[hits[mine]] = chosen[mine] + 1
                again = hits[mine]
                hits, chosen = hits[~mine], chosen[~mine]
            else:
                again = hits[:0]
            proposed[hits] = chosen
            missed = open_[~found]
            pointer[missed] += _WINDOW
            open_ = np.concatenate([again, missed])
            open_ = open_[pointer[open_] < end[open_]]
        return proposed

    def round(self, order: Int64Array, backwards: bool) -> Int64Array:
        """One round: each member's pick (a list position; -1: none, out of list), by
        deferred acceptance with the walk's order as every candidate's preference."""
        size = order.size
        users = len(self.ends)
        # Place in the walk: the earlier, the stronger the claim in this round.
        claim = np.arange(size - 1, -1, -1) if backwards else np.arange(size)
        room = self.cap - self.exposure
        pointer = self.cursor[order]
        end = self.ends[order]
        held = np.full(size, -1, dtype=np.int64)  # the list position a member holds
        holding = np.full(size, -1, dtype=np.int64)  # the candidate named there
        count = np.zeros(users, dtype=np.int64)  # members each candidate holds
        looking = np.arange(size)
        while looking.size:
            proposed = self.next_with_room(order[looking], pointer[looking], end[looking], room)
            suitors = looking[proposed >= 0]  # the others ran out of list: out
            positions = proposed[proposed >= 0]
            wooed = self.candidates[positions]
            over = (count + np.bincount(wooed, minlength=users)) > room
            crowded = over[wooed]
            easy = ~crowded  # room for everyone who asked: all kept
            held[suitors[easy]] = positions[easy]
            holding[suitors[easy]] = wooed[easy]
            count += np.bincount(wooed[easy], minlength=users)
            if not crowded.any():
                break
            # Too many: a candidate keeps the earliest in the walk, old and new.
            incumbents = np.flatnonzero((holding >= 0) & over[np.maximum(holding, 0)])
            rivals = np.concatenate([suitors[crowded], incumbents])
            places = np.concatenate([positions[crowded], held[incumbents]])
            named = self.candidates[places]
            ranked = np.lexsort((claim[rivals], named))
            rivals, places, named = rivals[ranked], places[ranked], named[ranked]
            first = np.flatnonzero(np.concatenate(([True], named[1:] != named[:-1])))
            lengths = np.diff(np.append(first, named.size))
            kept = np.arange(named.size) - np.repeat(first, lengths) < room[named]
            held[rivals[kept]] = places[kept]
            holding[rivals[kept]] = named[kept]
            turned = rivals[~kept]
            held[turned] = -1
            holding[turned] = -1
            count[named[first]] = lengths - np.bincount(
                np.repeat(np.arange(first.size), lengths)[~kept], minlength=first.size
            )
            looking = turned[places[~kept] + 1 < end[turned]]
            pointer[looking] = places[~kept][places[~kept] + 1 < end[turned]] + 1
        return held


def allocate_ranked_arrays(
    lists: RankedCandidateLists,
    quotas: Sequence[int],
    exposure_cap: int | None,
    *,
    seed: int,
    initial_exposure: Mapping[int, int] | None = None,
) -> AllocationResult:
    """``allocate_ranked(lists, quotas, exposure_cap, seed=..., initial_exposure=...)``."""
    plain = _plain(lists, quotas, exposure_cap, initial_exposure)
    if plain is None:
        return allocate_ranked(
            lists, quotas, exposure_cap, seed=seed, initial_exposure=initial_exposure
        )
    offsets, candidates, wanted, earlier = plain
    user_count = lists.user_count
    state = _Lists(
        candidates=candidates,
        ends=offsets[1:],
        cursor=offsets[:-1].copy(),
        exposure=earlier.copy(),
        # Without a cap nobody can fill up: one run adds at most user_count - 1 places.
        cap=user_count + int(earlier.max(initial=0)) if exposure_cap is None else exposure_cap,
        owned=np.zeros(0, dtype=np.int64),
    )
    cursor, ends = state.cursor, state.ends
    taken = np.zeros(user_count, dtype=np.int64)  # picks so far, per member
    pick_users: list[Int64Array] = []  # every pick (member, list position), by round
    pick_positions: list[Int64Array] = []
    order_list: list[Any] = np.flatnonzero((wanted > 0) & (cursor < ends)).tolist()
    Random(seed).shuffle(order_list)  # noqa: S311 - the reference's order, not a secret
    order = np.asarray(order_list, dtype=np.int64)
    backwards = False
    while order.size:
        held = state.round(order, backwards)
        picked = held >= 0
        pickers, at = order[picked], held[picked]
        np.add.at(state.exposure, candidates[at], 1)
        taken[pickers] += 1
        cursor[pickers] = at + 1
        cursor[order[~picked]] = ends[order[~picked]]  # out of list: out for good
        pick_users.append(pickers)
        pick_positions.append(at)
        keys = np.sort(pickers * user_count + candidates[at])
        state.owned = np.sort(np.concatenate([state.owned, keys]), kind="stable")
        picked[picked] = (taken[pickers] < wanted[pickers]) & (cursor[pickers] < ends[pickers])
        order = order[picked]  # the seeded order kept; only the walk alternates
        backwards = not backwards

    users = np.concatenate([np.zeros(0, dtype=np.int64), *pick_users])
    positions = np.concatenate([np.zeros(0, dtype=np.int64), *pick_positions])
    positions = positions[np.argsort(users, kind="stable")]  # a member's picks by round
    scores = np.asarray(lists.scores, dtype=np.float64)
    out_offsets = np.zeros(user_count + 1, dtype=np.int64)
    np.cumsum(np.bincount(users, minlength=user_count), out=out_offsets[1:])
    return AllocationResult(
        offsets=_int_array(out_offsets),
        candidates=_int_array(candidates[positions]),
        scores=array("d", scores[positions].tobytes()),
        exposure=_int_array(state.exposure - earlier),
    )


def _int_array(values: Int64Array) -> array[int]:
    result = array("q")
    result.frombytes(np.ascontiguousarray(values, dtype=np.int64).tobytes())
    return result
