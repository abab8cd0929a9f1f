"""The image worker pool: bounded concurrency, refusals across the process boundary."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

from saltbitter.adapters.images import PillowImageProcessor, generated_photo
from saltbitter.application.ports.images import ProcessedImage
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.profiles import ImageType
from saltbitter.testing.image_workers import worker_pid

UPLOADS = 8


class GatedWork:
    """Work that holds every caller until the gate opens, counting who is inside."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self._lock = threading.Lock()
        self.inside = 0
        self.most_inside = 0

    def __call__(self, data: bytes, image_type: ImageType) -> ProcessedImage:
        with self._lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        try:
            if not self.gate.wait(timeout=30):
                raise RuntimeError("the test never opened the gate")
            return ProcessedImage(data, image_type, 1, 1)
        finally:
            with self._lock:
                self.inside -= 1


async def test_uploads_beyond_the_workers_wait_their_turn() -> None:
    work = GatedWork()
    processor = PillowImageProcessor(workers=2, pool="thread", work=work)
    uploads = [
        asyncio.ensure_future(processor.normalise(bytes([n]), ImageType.JPEG))
        for n in range(UPLOADS)
    ]
    try:
        for _ in range(500):  # until both workers hold an upload
            if work.inside == 2:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # room for a third to start, if the pool allowed it
        assert work.inside == 2
        assert not any(upload.done() for upload in uploads)
    finally:
        work.gate.set()
        results = await asyncio.gather(*uploads)
        processor.close()
    assert sorted(result.data for result in results) == [bytes([n]) for n in range(UPLOADS)]
    assert work.most_inside == 2


async def test_the_process_pool_runs_at_most_its_workers() -> None:
    processor = PillowImageProcessor(workers=2, work=worker_pid)
    try:
        results = await asyncio.gather(
            *(processor.normalise(b"x", ImageType.PNG) for _ in range(UPLOADS))
        )
    finally:
        processor.close()
    pids = {int(result.data) for result in results}
    assert 1 <= len(pids) <= 2
    assert os.getpid() not in pids  # the API process decodes nothing itself


async def test_refusals_and_results_cross_the_process_boundary() -> None:
    processor = PillowImageProcessor(workers=1)
    try:
        processed = await processor.normalise(generated_photo(4), ImageType.JPEG)
        assert (processed.width, processed.height) == (600, 800)
        with pytest.raises(ValidationFailed) as caught:
            await processor.normalise(generated_photo(4)[:500], ImageType.JPEG)
    finally:
        processor.close()
    assert [(e.field, e.code) for e in caught.value.errors] == [("file", "invalid_image")]


def test_a_pool_needs_a_worker() -> None:
    with pytest.raises(ValueError, match="at least one"):
        PillowImageProcessor(workers=0)
