"""Photo normalisation with Pillow: decode, turn upright, cap the size, re-encode clean.

Re-encoding from pixels is what strips metadata: the new file is written from the
pixel data alone, with no EXIF (camera, time, GPS position), XMP, comments or text
chunks. Colours described by an embedded ICC profile (wide-gamut phone photos) are
converted to sRGB first, so dropping the profile does not shift them. The work is
CPU-bound, so it runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import io
import warnings

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from saltbitter.application.ports.images import ImageProcessor, ProcessedImage
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.profiles import ImageType

__all__ = ["MAX_INPUT_PIXELS", "MAX_SIDE", "PillowImageProcessor"]

MAX_SIDE = 2048
"""Longest side kept, in pixels: sharp on any phone, a fraction of the upload's bytes."""

MAX_INPUT_PIXELS = 50_000_000
"""Larger images are refused before decoding (decompression bombs fit in 10 MB)."""

_PILLOW_FORMAT = {ImageType.JPEG: "JPEG", ImageType.PNG: "PNG", ImageType.WEBP: "WEBP"}
_SRGB = ImageCms.createProfile("sRGB")


def _invalid() -> ValidationFailed:
    return ValidationFailed.single(
        "file", "The image cannot be read; it may be damaged.", "invalid_image"
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
    return image.convert(mode)


def _mode_for(image: Image.Image, image_type: ImageType) -> str:
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    if image_type is ImageType.JPEG:
        return "L" if image.mode == "L" else "RGB"
    if has_alpha:
        return "RGBA"
    return "L" if image.mode == "L" else "RGB"


def _normalise(data: bytes, image_type: ImageType) -> ProcessedImage:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[image_type]])
            width, height = source.size
            if width * height > MAX_INPUT_PIXELS:
                raise ValidationFailed.single(
                    "file",
                    f"The image has too many pixels (at most {MAX_INPUT_PIXELS:,}).",
                    "image_too_large",
                )
            source.load()
    except ValidationFailed:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise _invalid() from error
    icc = source.info.get("icc_profile")
    upright = ImageOps.exif_transpose(source) or source
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
    """Keeps the upload's format (JPEG stays JPEG, PNG with transparency keeps it)."""

    async def normalise(self, data: bytes, image_type: ImageType) -> ProcessedImage:
        return await asyncio.to_thread(_normalise, data, image_type)
