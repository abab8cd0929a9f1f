"""The moderation stand-in refuses what it says it refuses, and nothing else."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from saltbitter.adapters.images import PillowImageProcessor, generated_photo
from saltbitter.adapters.photos import RuleBasedPhotoModerator
from saltbitter.application.ports.images import ProcessedImage
from saltbitter.domain.profiles import ImageType

moderator = RuleBasedPhotoModerator()
processor = PillowImageProcessor(pool="thread")


async def processed(data: bytes, image_type: ImageType = ImageType.JPEG) -> ProcessedImage:
    return await processor.normalise(data, image_type)


def encoded(image: Image.Image, image_format: str = "JPEG") -> bytes:
    out = io.BytesIO()
    image.save(out, image_format)
    return out.getvalue()


@pytest.mark.parametrize(
    ("image_format", "image_type"),
    [("JPEG", ImageType.JPEG), ("PNG", ImageType.PNG), ("WEBP", ImageType.WEBP)],
)
async def test_an_ordinary_photo_is_approved(image_format: str, image_type: ImageType) -> None:
    image = await processed(generated_photo(11, image_format=image_format), image_type)
    verdict = await moderator.screen(image)
    assert verdict.approved
    assert verdict.code == "approved"


@pytest.mark.parametrize(("width", "height"), [(199, 400), (400, 150), (120, 120)])
async def test_small_photos_are_refused(width: int, height: int) -> None:
    verdict = await moderator.screen(await processed(generated_photo(2, size=(width, height))))
    assert not verdict.approved
    assert verdict.code == "image_too_small"
    assert "200" in verdict.reason


async def test_the_smallest_accepted_size_is_200_square() -> None:
    assert (await moderator.screen(await processed(generated_photo(2, size=(200, 200))))).approved


async def test_strips_and_banners_are_refused() -> None:
    verdict = await moderator.screen(await processed(generated_photo(4, size=(1300, 400))))
    assert (verdict.approved, verdict.code) == (False, "image_aspect_ratio")


@pytest.mark.parametrize("colour", [(0, 0, 0), (255, 255, 255), (93, 140, 61)])
async def test_blank_photos_are_refused(colour: tuple[int, int, int]) -> None:
    flat = Image.new("RGB", (600, 600), colour)
    verdict = await moderator.screen(await processed(encoded(flat)))
    assert (verdict.approved, verdict.code) == (False, "image_nearly_blank")


async def test_a_nearly_flat_photo_with_faint_noise_is_still_blank() -> None:
    image = Image.effect_noise((600, 600), 2).convert("RGB")
    verdict = await moderator.screen(await processed(encoded(image, "PNG"), ImageType.PNG))
    assert verdict.code == "image_nearly_blank"
