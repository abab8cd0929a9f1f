"""``with_hole`` (``Cache.with_hole`` for the msgspec-encoding caches) encodes exactly as
the filled mapping does; the port's default (a copy of the mapping) stores the same."""

from __future__ import annotations

import asyncio

from hypothesis import given
from hypothesis import strategies as st

from saltbitter.adapters.cache_values import encode_value, with_hole
from saltbitter.adapters.memory import InProcessCache
from saltbitter.application.ports.cache import Cache

_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(), inner, max_size=3)
    ),
    max_leaves=8,
)
_NUMBERS = st.one_of(st.integers(-(10**20), 10**20), st.booleans())


@st.composite
def _with_a_hole(draw: st.DrawFn) -> tuple[dict[str, object], str]:
    value = draw(st.dictionaries(st.text(), _VALUES, max_size=6))
    hole = draw(st.text())
    keys = list(value)
    at = draw(st.integers(0, len(keys)))
    ordered = {key: value[key] for key in keys[:at] if key != hole}
    ordered[hole] = 0
    ordered.update((key, value[key]) for key in keys[at:] if key != hole)
    return ordered, hole


@given(_with_a_hole(), _NUMBERS)
def test_a_filled_hole_encodes_as_the_filled_mapping(
    case: tuple[dict[str, object], str], number: int
) -> None:
    value, hole = case
    filled = with_hole(value, hole)(number)
    assert encode_value([filled, filled]) == encode_value([{**value, hole: number}] * 2)


class _CopyingCache(InProcessCache):
    with_hole = Cache.with_hole  # the port's default


@given(_with_a_hole(), _NUMBERS)
def test_the_ports_default_stores_the_filled_mapping(
    case: tuple[dict[str, object], str], number: int
) -> None:
    value, hole = case
    cache = _CopyingCache()

    async def stored() -> bytes | None:
        await cache.set_value("k", {"v": cache.with_hole(value, hole)(number)}, ttl_seconds=60)
        return await cache.get("k")

    assert asyncio.run(stored()) == encode_value({"v": {**value, hole: number}})
