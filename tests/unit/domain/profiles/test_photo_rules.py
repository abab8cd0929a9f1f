"""Photo rules: type by magic bytes, size, the six-photo cap, ordering laws."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.errors import Conflict, ValidationFailed
from saltbitter.domain.profiles import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    ImageType,
    Photo,
    PhotoId,
    check_upload,
    compacted,
    ensure_room_for_photo,
    photo_id_in_storage_key,
    reordered,
    sniff_image_type,
    storage_key_for,
)
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders_profiles import a_photo

JPEG = b"\xff\xd8\xff\xe0"
PNG = b"\x89PNG\r\n\x1a\n"
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 "


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (JPEG, ImageType.JPEG),
        (PNG, ImageType.PNG),
        (WEBP, ImageType.WEBP),
        (b"GIF89a", None),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),  # a RIFF that is not WebP
        (b"\x89PNG\r\n", None),  # cut short
        (b"<svg xmlns=", None),
        (b"%PDF-1.7", None),
        (b"", None),
    ],
)
def test_types_come_from_magic_bytes(head: bytes, expected: ImageType | None) -> None:
    assert sniff_image_type(head + b"rest of the file") == expected
    assert sniff_image_type(head) == expected


@given(st.binary(max_size=64))
def test_any_bytes_after_a_magic_number_keep_its_type(tail: bytes) -> None:
    assert sniff_image_type(JPEG + tail) is ImageType.JPEG
    assert sniff_image_type(PNG + tail) is ImageType.PNG
    assert sniff_image_type(WEBP + tail) is ImageType.WEBP


@given(st.binary(max_size=64))
def test_bytes_without_a_known_magic_number_are_not_images(data: bytes) -> None:
    known = data.startswith((b"\xff\xd8\xff", PNG)) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )
    assert (sniff_image_type(data) is not None) == known


def test_check_upload_codes() -> None:
    def code(data: bytes) -> str:
        with pytest.raises(ValidationFailed) as caught:
            check_upload(data)
        (error,) = caught.value.errors
        assert error.field == "file"
        return error.code

    assert code(b"") == "empty_file"
    assert code(b"GIF89a...") == "unsupported_image_type"
    assert code(JPEG + b"\x00" * MAX_PHOTO_BYTES) == "file_too_large"
    assert check_upload(JPEG + b"\x00" * (MAX_PHOTO_BYTES - len(JPEG))) is ImageType.JPEG


def test_the_limit_is_ten_mebibytes_and_six_photos() -> None:
    assert MAX_PHOTO_BYTES == 10 * 1024 * 1024
    assert MAX_PHOTOS == 6


@pytest.mark.parametrize("count", range(MAX_PHOTOS))
def test_there_is_room_below_six(count: int) -> None:
    ensure_room_for_photo(count)


@pytest.mark.parametrize("count", [MAX_PHOTOS, MAX_PHOTOS + 1])
def test_six_photos_are_the_limit(count: int) -> None:
    with pytest.raises(Conflict) as caught:
        ensure_room_for_photo(count)
    assert caught.value.code == "photo_limit_reached"


def test_storage_keys_group_by_member_and_carry_the_extension() -> None:
    user, photo = UserId(UUID(int=1)), PhotoId(UUID(int=2))
    assert storage_key_for(user, photo, ImageType.WEBP) == f"{user}/{photo}.webp"
    assert storage_key_for(user, photo, ImageType.JPEG).endswith(".jpg")


@given(st.uuids(), st.uuids(), st.sampled_from(ImageType))
def test_a_storage_key_gives_back_its_photo_id(
    user: UUID, photo: UUID, image_type: ImageType
) -> None:
    key = storage_key_for(UserId(user), PhotoId(photo), image_type)
    assert photo_id_in_storage_key(key) == photo


@pytest.mark.parametrize(
    "key",
    [
        "exports/report.csv",
        f"{UUID(int=1)}/{UUID(int=2)}.gif",
        f"{UUID(int=1)}/{UUID(int=2)}",
        f"{UUID(int=1)}/not-a-uuid.jpg",
        f"not-a-uuid/{UUID(int=2)}.jpg",
        f"{UUID(int=1)}/{UUID(int=2)}.JPG",
        f"{UUID(int=1)}/{UUID(int=2).hex}.jpg",  # not the canonical spelling
        f"a/{UUID(int=1)}/{UUID(int=2)}.jpg",
        f"{UUID(int=1)}/{UUID(int=2)}.jpg/x",
        "",
    ],
)
def test_other_keys_are_not_photo_keys(key: str) -> None:
    assert photo_id_in_storage_key(key) is None


def test_photos_check_their_position_and_size() -> None:
    user = UserId(uuid4())
    with pytest.raises(ValueError, match="positions"):
        a_photo(user, MAX_PHOTOS)
    with pytest.raises(ValueError, match="positions"):
        a_photo(user, -1)
    with pytest.raises(ValueError, match="positive"):
        a_photo(user, 0, width=0)


def _photos(count: int) -> list[Photo]:
    user = UserId(uuid4())
    return [a_photo(user, position) for position in range(count)]


@given(st.integers(0, MAX_PHOTOS).flatmap(lambda n: st.permutations(list(range(n)))))
def test_reordering_by_any_permutation_numbers_positions_in_list_order(order: list[int]) -> None:
    photos = _photos(len(order))
    wanted = [photos[i].id for i in order]
    result = reordered(photos, wanted)
    assert [photo.id for photo in result] == wanted
    assert [photo.position for photo in result] == list(range(len(order)))
    assert {replace(p, position=0) for p in result} == {replace(p, position=0) for p in photos}


@given(st.integers(1, MAX_PHOTOS), st.data())
def test_anything_but_a_permutation_is_refused(count: int, data: st.DataObject) -> None:
    photos = _photos(count)
    ids: list[UUID] = [photo.id for photo in photos]
    mutation = data.draw(st.sampled_from(["drop", "duplicate", "foreign"]))
    if mutation == "drop":
        ids = ids[:-1]
    elif mutation == "duplicate":
        ids = [*ids, ids[0]]
    else:
        ids[data.draw(st.integers(0, count - 1))] = uuid4()
    with pytest.raises(ValidationFailed) as caught:
        reordered(photos, ids)
    assert caught.value.errors[0].field == "photo_ids"
    expected = "duplicate_photo" if mutation == "duplicate" else "photo_ids_mismatch"
    assert caught.value.errors[0].code == expected


@given(st.sets(st.integers(0, MAX_PHOTOS - 1), max_size=MAX_PHOTOS))
def test_compacting_closes_gaps_and_keeps_the_order(positions: set[int]) -> None:
    user = UserId(uuid4())
    photos = [a_photo(user, position) for position in sorted(positions, reverse=True)]
    result = compacted(photos)
    assert [p.position for p in result] == list(range(len(positions)))
    assert [p.id for p in result] == [p.id for p in sorted(photos, key=lambda p: p.position)]
