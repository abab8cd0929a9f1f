"""Locally generated placeholder photos (demo data, tests): no download, no real person.

Each seed gives a different, reproducible abstract "portrait": a light-to-dark colour
gradient, a few soft out-of-focus lights, and a head-and-shoulders silhouette. Every one
passes the rule-based moderation stand-in honestly, for any seed: the picture is big
enough and not a strip, and its contrast is built in rather than left to chance. The
gradient runs between a light colour and a dark one whose grey levels differ by at least
``_MIN_LEVEL_GAP``, which alone gives a grey-level standard deviation far above the
moderation threshold (a linear ramp of height d has a deviation of d / sqrt(12)), and
the silhouette's grey levels lie at least 40 away from the background's middle.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

__all__ = ["generated_photo"]

_Colour = tuple[int, int, int]

_MIN_LEVEL_GAP = 70
"""Grey levels between the gradient's ends: a ramp of 70 deviates by about 20 (the
moderation stand-in asks for 6)."""


def _grey(colour: _Colour) -> float:
    """The grey level Pillow's ``convert("L")`` gives (ITU-R 601-2 luma)."""
    red, green, blue = colour
    return (red * 299 + green * 587 + blue * 114) / 1000


def _colour(rng: random.Random, low: float, high: float) -> _Colour:
    """A random colour whose grey level lies in [low, high] (rejection sampling: a
    colour from the full cube lands there often, so this ends after a few draws)."""
    while True:
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if low <= _grey(colour) <= high:
            return colour


def generated_photo(
    seed: int, *, size: tuple[int, int] = (600, 800), image_format: str = "JPEG"
) -> bytes:
    """Encoded image bytes (JPEG by default; ``"PNG"`` or ``"WEBP"`` too)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible pictures, not secrets
    width, height = size
    light = _colour(rng, 150, 235)
    dark = _colour(rng, 25, _grey(light) - _MIN_LEVEL_GAP)
    top, bottom = (light, dark) if rng.random() < 0.5 else (dark, light)
    # The background is painted at a quarter of the size and scaled up: the scaling
    # blurs the lights as a lens would, for a fraction of the cost of a blur filter.
    small = (max(1, width // 4), max(1, height // 4))
    ramp = Image.linear_gradient("L").resize(small)  # 0 at the top, 255 at the bottom
    background = Image.composite(
        Image.new("RGB", small, bottom), Image.new("RGB", small, top), ramp
    )
    draw = ImageDraw.Draw(background, "RGBA")
    for _ in range(rng.randrange(4, 10)):  # out-of-focus lights behind the person
        radius = rng.randrange(max(2, min(small) // 20), max(3, min(small) // 6))
        x, y = rng.randrange(small[0]), rng.randrange(small[1])
        fill = (*_colour(rng, 0, 255), rng.randrange(60, 140))
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=fill)
    image = background.filter(ImageFilter.BoxBlur(1)).resize(size, Image.Resampling.BILINEAR)

    # The silhouette contrasts with the background where it stands: the middle of the
    # picture, whose grey level is about halfway between the gradient's ends.
    middle = (_grey(light) + _grey(dark)) / 2
    if middle > 128:
        skin, cloth = _colour(rng, 0, middle - 50), _colour(rng, 0, middle - 40)
    else:
        skin, cloth = _colour(rng, middle + 50, 255), _colour(rng, middle + 40, 255)
    person = ImageDraw.Draw(image)
    cx, head = width // 2, min(width, height) // 5
    person.ellipse([cx - 2 * head, height - head * 2, cx + 2 * head, height + head * 2], fill=cloth)
    person.ellipse([cx - head, height // 3 - head, cx + head, height // 3 + head], fill=skin)
    out = io.BytesIO()
    image.save(out, image_format)
    return out.getvalue()
