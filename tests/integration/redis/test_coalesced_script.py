"""Concurrent calls of one Lua script share round trips (ADR 0047), against real Redis:
each caller gets its own answer, in one pipeline; a flushed script cache, an error
reply, a cancelled caller and an unreachable server each reach only whom they concern."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from saltbitter.adapters.redis.coalesced import CoalescedScript

pytestmark = pytest.mark.integration

# Increments KEYS[1] by ARGV[1] and answers {the new value, ARGV[1]}; "fail" as
# ARGV[1] answers an error reply instead.
COUNTING = """
if ARGV[1] == 'fail' then return redis.error_reply('asked to fail') end
return {redis.call('INCRBY', KEYS[1], ARGV[1]), ARGV[1]}
"""


def _script(redis: Redis) -> CoalescedScript:
    # A variant of the script per test (a trailing comment), so one test's
    # SCRIPT LOAD cannot hide another's first-use loading.
    return CoalescedScript(redis, COUNTING + f"-- {uuid.uuid4().hex}\n")


async def test_calls_made_together_share_one_pipeline_and_each_gets_its_answer(
    redis: Redis, redis_prefix: str
) -> None:
    script = _script(redis)
    await script([f"{redis_prefix}coalesced:warm"], [1])  # loads the script
    key = f"{redis_prefix}coalesced:{uuid.uuid4().hex}"
    sent_before = script.batches_sent

    answers = await asyncio.gather(*(script([key], [step]) for step in range(1, 51)))

    assert script.batches_sent - sent_before == 1
    assert [int(step) for _total, step in answers] == list(range(1, 51))
    # Sent in call order: each total is the sum of the steps up to it.
    assert [total for total, _step in answers] == [step * (step + 1) // 2 for step in range(1, 51)]


async def test_calls_arriving_during_a_batch_go_in_the_next_one(
    redis: Redis, redis_prefix: str
) -> None:
    script = _script(redis)
    await script([f"{redis_prefix}coalesced:warm"], [1])
    key = f"{redis_prefix}coalesced:{uuid.uuid4().hex}"
    sent_before = script.batches_sent

    first = asyncio.ensure_future(script([key], [1]))
    await asyncio.sleep(0)  # the first batch is now on its way
    await asyncio.sleep(0)
    rest = [asyncio.ensure_future(script([key], [1])) for _ in range(10)]
    answers = await asyncio.gather(first, *rest)

    assert [total for total, _step in answers] == list(range(1, 12))
    assert script.batches_sent - sent_before == 2


async def test_a_flushed_script_cache_is_reloaded_and_every_call_answered(
    redis: Redis, redis_prefix: str
) -> None:
    script = _script(redis)
    key = f"{redis_prefix}coalesced:{uuid.uuid4().hex}"
    await script([key], [1])
    await redis.script_flush()

    answers = await asyncio.gather(*(script([key], [1]) for _ in range(5)))

    assert sorted(total for total, _step in answers) == [2, 3, 4, 5, 6]


async def test_an_error_reply_reaches_only_its_own_caller(redis: Redis, redis_prefix: str) -> None:
    script = _script(redis)
    key = f"{redis_prefix}coalesced:{uuid.uuid4().hex}"

    answers = await asyncio.gather(
        script([key], [1]), script([key], ["fail"]), script([key], [2]), return_exceptions=True
    )

    assert answers[0] == [1, b"1"]
    assert isinstance(answers[1], ResponseError)
    assert "asked to fail" in str(answers[1])
    assert answers[2] == [3, b"2"]


async def test_a_cancelled_caller_does_not_disturb_the_others(
    redis: Redis, redis_prefix: str
) -> None:
    script = _script(redis)
    key = f"{redis_prefix}coalesced:{uuid.uuid4().hex}"
    calls = [asyncio.ensure_future(script([key], [1])) for _ in range(3)]
    await asyncio.sleep(0)  # all three are queued, waiting for their answers
    calls[1].cancel()

    answers = await asyncio.gather(*calls, return_exceptions=True)

    assert isinstance(answers[1], asyncio.CancelledError)
    assert [answers[0], answers[2]] == [[1, b"1"], [2, b"1"]]
    # Cancelled before its batch was sent: dropped, it never ran.
    assert await script([key], [0]) == [2, b"0"]


async def test_an_unreachable_server_fails_every_caller_of_the_batch() -> None:
    unreachable = Redis(host="127.0.0.1", port=1, socket_connect_timeout=1)
    script = CoalescedScript(unreachable, COUNTING)
    try:
        answers = await asyncio.gather(
            *(script(["key"], [1]) for _ in range(3)), return_exceptions=True
        )
        assert all(isinstance(answer, RedisConnectionError) for answer in answers)
        # and the next call tries again rather than waiting for a batch that never ends
        with pytest.raises(RedisConnectionError):
            await script(["key"], [1])
    finally:
        await unreachable.aclose()
