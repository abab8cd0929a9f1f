"""``python -m benchmarks.photo_memory``: memory and CPU of 8 concurrent worst-case uploads.

Each case hands 8 copies of one image to ``PillowImageProcessor.normalise`` at once, the
way 8 simultaneous upload requests would, in a fresh child process that stands in for
the API process (so nothing else inflates its numbers). It reports that process's peak
RSS, its RSS afterwards (memory not given back), the largest peak RSS of one pool worker
(the pool's total stays below the number of workers times that), CPU seconds and the
outcome of the 8 uploads. Linux only (it reads /proc).

The cases: a PNG that declares 7000 x 7000 pixels (the report of issue 8: a few
hundred KB), the largest PNG accepted now (16 MP) and a 40 MP progressive JPEG (the
largest JPEG accepted now). To measure the code before ADR 0013, run the same command
with ``PYTHONPATH`` pointing at the ``src`` folder of a checkout from before it; the
script adapts to the older constructor.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

UPLOADS = 8
CASES: dict[str, tuple[str, tuple[int, int]]] = {
    "png-7000x7000": ("PNG", (7000, 7000)),
    "png-4000x4000": ("PNG", (4000, 4000)),
    "jpeg-7296x5472": ("JPEG", (7296, 5472)),
}


def _make(path: Path, image_format: str, size: tuple[int, int]) -> None:
    """A smooth colour picture: it compresses well, like the small files of the report."""
    width, height = size
    ramp = Image.linear_gradient("L")
    image = Image.merge(
        "RGB",
        (
            ramp.resize(size),
            ramp.rotate(90).resize(size),
            ramp.resize((max(1, width // 4), max(1, height // 4))).resize(size),
        ),
    )
    out = io.BytesIO()
    if image_format == "JPEG":
        image.save(out, "JPEG", quality=90, progressive=True)
    else:
        image.save(out, "PNG")
    path.write_bytes(out.getvalue())


def _status_kib(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, from /proc (Linux). The
    peak is read there rather than from ``getrusage``, which keeps the parent's peak
    across ``exec``."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return -1


async def _measure(data: bytes, image_format: str, workers: int) -> dict[str, object]:
    from saltbitter.adapters.images import PillowImageProcessor
    from saltbitter.domain.errors import SaltbitterError
    from saltbitter.domain.profiles import ImageType

    image_type = ImageType.JPEG if image_format == "JPEG" else ImageType.PNG
    bounded = "workers" in inspect.signature(PillowImageProcessor).parameters
    processor = PillowImageProcessor(workers=workers) if bounded else PillowImageProcessor()
    rss_before = _status_kib("VmRSS")
    started = time.perf_counter()

    async def upload() -> str:
        try:
            processed = await processor.normalise(data, image_type)
        except SaltbitterError as error:
            codes = [e.code for e in getattr(error, "errors", ())] or [error.code]
            return f"refused {codes[0]}"
        return f"accepted {processed.width}x{processed.height}"

    outcomes = await asyncio.gather(*(upload() for _ in range(UPLOADS)))
    seconds = time.perf_counter() - started
    rss_after = _status_kib("VmRSS")
    peak = _status_kib("VmHWM")
    close = getattr(processor, "close", None)
    if close is not None:
        close()  # reaps the pool's workers, so their peaks are counted below
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "code": "bounded pool (ADR 0013)" if bounded else "before ADR 0013 (threads)",
        "file_kib": len(data) // 1024,
        "outcomes": sorted(set(outcomes)),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(
            own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, 1
        ),
        "api_rss_before_mib": rss_before // 1024,
        "api_peak_rss_mib": peak // 1024,
        "api_rss_after_mib": rss_after // 1024,
        # The largest peak of any one worker; the pool's total stays under workers x it.
        "worker_peak_rss_mib": children.ru_maxrss // 1024,
        "workers": workers if bounded else 0,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.photo_memory", description=__doc__)
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    parser.add_argument("--workers", type=int, default=2, help="image workers (new code)")
    parser.add_argument("--measure", nargs=2, metavar=("FILE", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:  # the child: one case, measured from a clean start
        path, image_format = Path(args.measure[0]), args.measure[1]
        print(json.dumps(asyncio.run(_measure(path.read_bytes(), image_format, args.workers))))
        return
    with tempfile.TemporaryDirectory() as folder:
        for name in args.cases:
            image_format, size = CASES[name]
            path = Path(folder) / f"{name}.{image_format.lower()}"
            _make(path, image_format, size)
            child = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.photo_memory",
                    "--workers",
                    str(args.workers),
                    "--measure",
                    str(path),
                    image_format,
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"{name} x {UPLOADS}: " + json.dumps(result))


if __name__ == "__main__":
    main()
