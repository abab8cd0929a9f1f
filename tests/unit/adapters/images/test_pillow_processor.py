"""Pillow normalisation: metadata really gone, orientation applied, sizes capped."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from saltbitter.adapters.images import MAX_SIDE, PillowImageProcessor, generated_photo
from saltbitter.adapters.images.pillow import (
    MAX_INPUT_PIXELS,
    MAX_UNREDUCED_PIXELS,
    decode,
    read_header,
)
from saltbitter.domain.errors import FieldError, ValidationFailed
from saltbitter.domain.profiles import ImageType

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F

# The normalisation rules, in this process; the pool itself is tested in test_image_pool.
processor = PillowImageProcessor(pool="thread")


def with_gps_exif(image: Image.Image, image_format: str, *, orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "PhoneCo"
    exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (52.0, 31.0, 12.34)
    gps[3] = "E"
    gps[4] = (13.0, 24.0, 18.0)
    out = io.BytesIO()
    image.save(out, image_format, exif=exif)
    return out.getvalue()


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def photo_pixels(size: tuple[int, int] = (640, 480)) -> Image.Image:
    return reopen(generated_photo(7, size=size)).convert("RGB")


@pytest.mark.parametrize(
    ("image_type", "image_format"),
    [(ImageType.JPEG, "JPEG"), (ImageType.WEBP, "WEBP"), (ImageType.PNG, "PNG")],
)
async def test_exif_and_gps_are_stripped(image_type: ImageType, image_format: str) -> None:
    original = with_gps_exif(photo_pixels(), image_format)
    assert dict(reopen(original).getexif().get_ifd(GPS_IFD)), "the fixture carries GPS"

    processed = await processor.normalise(original, image_type)

    stored = reopen(processed.data)
    assert stored.format == image_format
    assert dict(stored.getexif()) == {}
    assert dict(stored.getexif().get_ifd(GPS_IFD)) == {}
    assert "exif" not in stored.info
    assert b"PhoneCo" not in processed.data
    assert b"Exif\x00\x00" not in processed.data
    assert (processed.width, processed.height) == stored.size == (640, 480)
    assert processed.content_type is image_type


async def test_the_exif_orientation_is_applied_before_it_is_dropped() -> None:
    # Orientation 6: the camera held sideways; viewers rotate 90 degrees clockwise.
    original = with_gps_exif(photo_pixels((300, 200)), "JPEG", orientation=6)
    processed = await processor.normalise(original, ImageType.JPEG)
    assert (processed.width, processed.height) == (200, 300)
    assert reopen(processed.data).size == (200, 300)


async def test_large_photos_are_scaled_down_keeping_their_shape() -> None:
    original = generated_photo(3, size=(4000, 3000))
    processed = await processor.normalise(original, ImageType.JPEG)
    assert (processed.width, processed.height) == (MAX_SIDE, 1536)


async def test_png_keeps_transparency_and_loses_text_chunks_and_icc() -> None:
    image = Image.new("RGBA", (300, 300), (200, 30, 30, 0))
    image.paste((10, 120, 200, 255), (50, 50, 250, 250))
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "secret location: Alexanderplatz")
    out = io.BytesIO()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.save(out, "PNG", pnginfo=text, icc_profile=icc)

    processed = await processor.normalise(out.getvalue(), ImageType.PNG)

    stored = reopen(processed.data)
    assert stored.mode == "RGBA"
    assert stored.getpixel((0, 0))[3] == 0
    assert stored.getpixel((150, 150)) == (10, 120, 200, 255)
    assert b"Alexanderplatz" not in processed.data
    assert "icc_profile" not in stored.info


def _swapped_profile() -> bytes:
    """sRGB with its red and blue primaries exchanged: converting from it to sRGB swaps
    red and blue, so a conversion (rather than a silent drop) is visible in the pixels."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", profile[128:132])[0]
    entries = {bytes(profile[132 + 12 * i : 136 + 12 * i]): 136 + 12 * i for i in range(count)}
    red, blue = entries[b"rXYZ"], entries[b"bXYZ"]
    profile[red : red + 8], profile[blue : blue + 8] = (
        profile[blue : blue + 8],
        profile[red : red + 8],
    )
    return bytes(profile)


async def test_an_embedded_colour_profile_is_converted_not_just_dropped() -> None:
    image = Image.new("RGB", (256, 256), (200, 120, 40))
    out = io.BytesIO()
    image.save(out, "PNG", icc_profile=_swapped_profile())

    processed = await processor.normalise(out.getvalue(), ImageType.PNG)

    stored = reopen(processed.data)
    assert "icc_profile" not in stored.info
    red, green, blue = stored.getpixel((10, 10))  # type: ignore[misc]
    assert max(abs(red - 40), abs(green - 120), abs(blue - 200)) < 3


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        (generated_photo(1)[:600], ImageType.JPEG),  # truncated
        (b"\xff\xd8\xff" + b"\x00" * 100, ImageType.JPEG),  # only the magic number
        (generated_photo(1, image_format="PNG"), ImageType.JPEG),  # not what it claims
        (b"RIFF\x00\x00\x00\x00WEBPVP8 garbage", ImageType.WEBP),
    ],
)
async def test_unreadable_images_are_refused(data: bytes, declared: ImageType) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await processor.normalise(data, declared)
    assert [(e.field, e.code) for e in caught.value.errors] == [("file", "invalid_image")]


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# These PNGs declare a size but carry no pixel data: decoding them would fail with
# ``invalid_image``, so ``image_too_large`` shows that the header alone decided.
@pytest.mark.parametrize(
    ("width", "height"),
    [
        (7_000, 7_000),  # 49 MP: under the old 50 MP cap, 10 s and 600 MB to decode
        (20_000, 20_000),  # a decompression bomb: past Pillow's own limit
        (8_000, 7_000),
        (4_001, 4_000),  # just over the cap for formats decoded at full size
    ],
)
async def test_oversized_pngs_are_refused_on_their_header(width: int, height: int) -> None:
    data = _png_claiming(width, height)
    refusal = read_header(data, ImageType.PNG)
    assert isinstance(refusal, FieldError)
    assert refusal.code == "image_too_large"
    with pytest.raises(ValidationFailed) as caught:
        await processor.normalise(data, ImageType.PNG)
    assert [(e.field, e.code) for e in caught.value.errors] == [("file", "image_too_large")]
    assert f"{MAX_UNREDUCED_PIXELS:,}" in caught.value.errors[0].message


def _plain(size: tuple[int, int], image_format: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (90, 140, 200)).save(out, image_format)
    return out.getvalue()


def test_the_header_check_reads_no_pixels() -> None:
    opened = read_header(_plain((640, 480), "PNG"), ImageType.PNG)
    assert isinstance(opened, Image.Image)
    assert opened.size == (640, 480)
    assert opened.tile, "the pixels are still waiting to be decoded"


def test_jpeg_decodes_at_a_reduced_scale_and_png_cannot() -> None:
    # 4200 x 4200 is 17.6 MP: a JPEG decodes at half scale (still covering MAX_SIDE);
    # a PNG would decode at full size, so its lower cap refuses it.
    side = 4_200
    jpeg = read_header(_plain((side, side), "JPEG"), ImageType.JPEG)
    assert isinstance(jpeg, Image.Image)
    decoded = decode(jpeg)
    assert isinstance(decoded, Image.Image)
    assert decoded.size == (side // 2, side // 2)
    assert min(decoded.size) >= MAX_SIDE
    refusal = read_header(_png_claiming(side, side), ImageType.PNG)
    assert isinstance(refusal, FieldError)
    assert refusal.code == "image_too_large"


async def test_a_jpeg_over_the_cap_is_refused_on_its_header() -> None:
    header = _plain((64, 64), "JPEG")
    # Patch the frame header (SOF0) to declare 8000 x 6000 = 48 MP.
    marker = header.index(b"\xff\xc0")
    claimed = header[: marker + 5] + struct.pack(">HH", 6_000, 8_000) + header[marker + 9 :]
    with pytest.raises(ValidationFailed) as caught:
        await processor.normalise(claimed, ImageType.JPEG)
    assert [(e.field, e.code) for e in caught.value.errors] == [("file", "image_too_large")]
    assert f"{MAX_INPUT_PIXELS:,}" in caught.value.errors[0].message


def test_generated_photos_are_reproducible_and_distinct() -> None:
    assert generated_photo(5) == generated_photo(5)
    assert generated_photo(5) != generated_photo(6)
    assert reopen(generated_photo(5, size=(300, 400), image_format="WEBP")).size == (300, 400)
