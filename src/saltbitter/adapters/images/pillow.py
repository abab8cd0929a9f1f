"""Photo normalisation with Pillow: decode, turn upright, cap the size, re-encode clean.

Re-encoding from pixels is what strips metadata: the new file is written from the
pixel data alone, with no EXIF (camera, time, GPS position), XMP, comments or text
chunks. Colours described by an embedded ICC profile (wide-gamut phone photos) are
converted to sRGB first, so dropping the profile does not shift them.

Decoding is bounded before it starts (ADR 0013). Pillow opens lazily, so the declared
size is checked from the header alone: a small file can declare a huge canvas (a
decompression bomb), and the decoder would allocate all of it. JPEG is decoded at a
reduced scale (``draft``: libjpeg's DCT scaling, 1/2 to 1/8) when the photo is much
larger than what is kept, so its cap can be higher than that of PNG and WebP, which
always decode at full size. The work runs in a small pool of worker processes: uploads
queue instead of starving the API, and the memory a decode needed goes back to the
operating system with the worker rather than staying in the API process's heap.
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Literal

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from saltbitter.application.ports.images import ImageProcessor, ProcessedImage
from saltbitter.domain.errors import FieldError, Unavailable, ValidationFailed
from saltbitter.domain.profiles import ImageType

__all__ = [
    "MAX_INPUT_PIXELS",
    "MAX_SIDE",
    "MAX_UNREDUCED_PIXELS",
    "PillowImageProcessor",
    "Work",
    "decode",
    "normalise_image",
    "pixel_cap",
    "read_header",
]

MAX_SIDE = 2048
"""Longest side kept, in pixels: sharp on any phone, a fraction of the upload's bytes."""

MAX_INPUT_PIXELS = 40_000_000
"""The most pixels a JPEG may declare (a 48 MP sensor's binned photo is 12 MP; 40 MP
covers every camera's full-resolution JPEG that fits in 10 MB). It is decoded reduced."""

MAX_UNREDUCED_PIXELS = 16_000_000
"""The most pixels a PNG or WebP may declare: they decode at full size, so this bounds
the decoder's memory (16 MP RGBA is 64 MB)."""

# Pillow's own guard, consistent with ours: it warns above this and refuses at twice it.
# Both are turned into ``image_too_large`` below; the explicit check comes first anyway.
Image.MAX_IMAGE_PIXELS = MAX_INPUT_PIXELS

_PILLOW_FORMAT = {ImageType.JPEG: "JPEG", ImageType.PNG: "PNG", ImageType.WEBP: "WEBP"}
_SRGB = ImageCms.createProfile("sRGB")

Work = Callable[[bytes, ImageType], ProcessedImage | FieldError]
"""What a worker runs: a processed image, or the field error that refuses the upload
(returned rather than raised, so it crosses a process boundary intact)."""


def pixel_cap(image_type: ImageType) -> int:
    """The most pixels an upload of this type may declare."""
    return MAX_INPUT_PIXELS if image_type is ImageType.JPEG else MAX_UNREDUCED_PIXELS


def _invalid() -> FieldError:
    return FieldError("file", "The image cannot be read; it may be damaged.", "invalid_image")


def _too_large(cap: int) -> FieldError:
    return FieldError(
        "file", f"The image has too many pixels (at most {cap:,}).", "image_too_large"
    )


def _converted(image: Image.Image, mode: str, icc: bytes | None) -> Image.Image:
    """``image`` in ``mode``, its colours moved from its ICC profile to sRGB if it has one."""
    if icc and mode in {"RGB", "RGBA"} and image.mode in {"RGB", "RGBA", "CMYK"}:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                image.convert("RGBA") if mode == "RGBA" else image, source, _SRGB, outputMode=mode
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # an unusable profile: convert the pixels as they are
        if converted is not None:
            return converted
    # Every full-size copy costs the whole canvas again: none when nothing changes.
    return image if image.mode == mode else image.convert(mode)


def _mode_for(image: Image.Image, image_type: ImageType) -> str:
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    if image_type is ImageType.JPEG:
        return "L" if image.mode == "L" else "RGB"
    if has_alpha:
        return "RGBA"
    return "L" if image.mode == "L" else "RGB"


def read_header(data: bytes, image_type: ImageType) -> Image.Image | FieldError:
    """The image, opened but not decoded: only its header has been read."""
    cap = pixel_cap(image_type)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[image_type]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _too_large(cap)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return _invalid()
    width, height = source.size
    if width * height > cap:
        return _too_large(cap)
    return source


def decode(source: Image.Image) -> Image.Image | FieldError:
    if source.format == "JPEG":
        # libjpeg scales while decoding, to the smallest size that still covers
        # MAX_SIDE on both sides: memory and time drop by the square of the scale.
        source.draft(source.mode, (MAX_SIDE, MAX_SIDE))
    try:
        source.load()
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        return _invalid()
    return source


def normalise_image(data: bytes, image_type: ImageType) -> ProcessedImage | FieldError:
    """The whole job, synchronous: what a worker runs."""
    opened = read_header(data, image_type)
    if isinstance(opened, FieldError):
        return opened
    source = decode(opened)
    if isinstance(source, FieldError):
        return source
    icc = source.info.get("icc_profile")
    upright = source
    ImageOps.exif_transpose(upright, in_place=True)  # no copy when already upright
    pixels = _converted(upright, _mode_for(upright, image_type), icc)
    pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # Nothing from the original's metadata may reach the encoder (PNG falls back to
    # ``info`` for its ICC chunk), so the clean image carries an empty ``info``.
    pixels.info = {}
    out = io.BytesIO()
    if image_type is ImageType.JPEG:
        pixels.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif image_type is ImageType.PNG:
        pixels.save(out, "PNG", compress_level=6)
    else:
        pixels.save(out, "WEBP", quality=85, method=4)
    return ProcessedImage(out.getvalue(), image_type, pixels.width, pixels.height)


class PillowImageProcessor(ImageProcessor):
    """Keeps the upload's format (JPEG stays JPEG, PNG with transparency keeps it).

    At most ``workers`` images are decoded at once; further uploads wait in the pool's
    queue (their bytes are in memory already: at most 10 MB each). ``pool="process"``
    (the default) uses spawned worker processes, each replaced after
    ``max_tasks_per_worker`` images; ``"thread"`` keeps the work in this process.
    The pool starts on first use; ``close`` stops it.
    """

    def __init__(
        self,
        *,
        workers: int = 2,
        pool: Literal["process", "thread"] = "process",
        max_tasks_per_worker: int = 100,
        work: Work = normalise_image,
    ) -> None:
        if workers < 1:
            raise ValueError("at least one image worker is needed")
        self._workers = workers
        self._pool = pool
        self._max_tasks = max_tasks_per_worker
        self._work = work
        self._executor: Executor | None = None
        self._lock = threading.Lock()

    def _executor_now(self) -> Executor:
        with self._lock:
            if self._executor is None:
                if self._pool == "process":
                    self._executor = ProcessPoolExecutor(
                        max_workers=self._workers,
                        # spawn: a clean interpreter, never a fork of a threaded server
                        mp_context=multiprocessing.get_context("spawn"),
                        max_tasks_per_child=self._max_tasks,
                    )
                else:
                    self._executor = ThreadPoolExecutor(
                        max_workers=self._workers, thread_name_prefix="image"
                    )
            return self._executor

    def _discard(self, broken: Executor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    async def normalise(self, data: bytes, image_type: ImageType) -> ProcessedImage:
        executor = self._executor_now()
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(
                executor, self._work, data, image_type
            )
        except BrokenProcessPool as error:
            # A worker died (killed for memory, say): start a fresh pool next time.
            self._discard(executor)
            raise Unavailable(
                "Image processing is unavailable right now; try again.",
                code="image_processing_unavailable",
            ) from error
        if isinstance(outcome, FieldError):
            raise ValidationFailed([outcome], outcome.message)
        return outcome

    def close(self) -> None:
        """Stop the pool (waiting for running work); the next image starts a new one."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
