"""The local, rule-based photo moderation stand-in (the embedded default).

Honest about what it is: it looks at size, shape and contrast only. It refuses photos
too small to show a person (under 200 x 200 pixels), strips and banners (one side more
than 3 times the other) and blank or nearly single-coloured images (the grey levels of
a 64 x 64 thumbnail have a standard deviation under 6 out of 255). It does NOT detect
nudity, violence, text, faces or someone else's photo: a real moderation service plugs
in behind the same ``PhotoModerator`` port for that.
"""

from __future__ import annotations

import asyncio
import io

from PIL import Image, ImageStat

from saltbitter.application.ports.images import ModerationVerdict, PhotoModerator, ProcessedImage

__all__ = ["MAX_ASPECT_RATIO", "MIN_CONTRAST", "MIN_SIDE", "RuleBasedPhotoModerator"]

MIN_SIDE = 200
MAX_ASPECT_RATIO = 3.0
MIN_CONTRAST = 6.0


def _contrast(data: bytes) -> float:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("L", (128, 128))  # JPEG decodes at reduced size: cheap
        grey = image.convert("L")
        grey.thumbnail((64, 64))
        return float(ImageStat.Stat(grey).stddev[0])


class RuleBasedPhotoModerator(PhotoModerator):
    async def screen(self, image: ProcessedImage) -> ModerationVerdict:
        if min(image.width, image.height) < MIN_SIDE:
            return ModerationVerdict(
                approved=False,
                code="image_too_small",
                reason=f"Use a photo of at least {MIN_SIDE} x {MIN_SIDE} pixels.",
            )
        if max(image.width, image.height) > MAX_ASPECT_RATIO * min(image.width, image.height):
            return ModerationVerdict(
                approved=False,
                code="image_aspect_ratio",
                reason="Use a photo closer to square; strips and banners are not shown.",
            )
        if await asyncio.to_thread(_contrast, image.data) < MIN_CONTRAST:
            return ModerationVerdict(
                approved=False,
                code="image_nearly_blank",
                reason="The photo looks blank or almost a single colour.",
            )
        return ModerationVerdict(approved=True)
