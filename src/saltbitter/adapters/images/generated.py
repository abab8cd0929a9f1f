"""Locally generated placeholder photos (demo data, tests): no download, no real person.

Each seed gives a different, reproducible abstract "portrait": a colour gradient with a
head-and-shoulders silhouette. They pass the rule-based moderation stand-in (big enough,
not blank), so demo members can have photos that go through the real upload path.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

__all__ = ["generated_photo"]


def generated_photo(
    seed: int, *, size: tuple[int, int] = (600, 800), image_format: str = "JPEG"
) -> bytes:
    """Encoded image bytes (JPEG by default; ``"PNG"`` or ``"WEBP"`` too)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible pictures, not secrets
    width, height = size
    top = tuple(rng.randrange(40, 216) for _ in range(3))
    bottom = tuple(rng.randrange(40, 216) for _ in range(3))
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        share = y / max(1, height - 1)
        colour = tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    skin = tuple(rng.randrange(90, 236) for _ in range(3))
    cloth = tuple(rng.randrange(20, 200) for _ in range(3))
    cx, head = width // 2, min(width, height) // 5
    draw.ellipse([cx - 2 * head, height - head * 2, cx + 2 * head, height + head * 2], fill=cloth)
    draw.ellipse([cx - head, height // 3 - head, cx + head, height // 3 + head], fill=skin)
    out = io.BytesIO()
    image.save(out, image_format)
    return out.getvalue()
