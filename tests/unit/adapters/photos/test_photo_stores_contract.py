"""The PhotoStore contract on the local folder (the API route's check) and in memory."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from saltbitter.adapters.photos import LocalFolderPhotoStore
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.domain.errors import NotFound, PermissionDenied
from saltbitter.testing.contracts.photo_store import Fetch, Now, PhotoStoreContract, Wait
from saltbitter.testing.fakes import InMemoryClock
from saltbitter.testing.fakes_profiles import InMemoryPhotoStore

PREFIX = "/api/v1/photo-files"
KEY = b"k" * 32


def follow_local(store: LocalFolderPhotoStore) -> Fetch:
    """What the API's file route does with a signed URL."""

    async def fetch(url: str) -> tuple[bytes, str] | None:
        parts = urlsplit(url)
        assert parts.path.startswith(PREFIX + "/")
        query = parse_qs(parts.query)
        try:
            photo = await store.read_signed(
                unquote(parts.path.removeprefix(PREFIX + "/")),
                int(query["expires"][0]),
                query["signature"][0],
            )
        except (NotFound, PermissionDenied):
            return None
        return photo.data, photo.content_type

    return fetch


class TestLocalFolderPhotoStore(PhotoStoreContract):
    @pytest.fixture
    def clock(self) -> InMemoryClock:
        return InMemoryClock()

    @pytest.fixture
    def store(self, tmp_path: Path, clock: InMemoryClock) -> LocalFolderPhotoStore:
        return LocalFolderPhotoStore(tmp_path / "photos", KEY, clock, url_prefix=PREFIX)

    @pytest.fixture
    def short_lived_store(self, tmp_path: Path, clock: InMemoryClock) -> LocalFolderPhotoStore:
        return LocalFolderPhotoStore(
            tmp_path / "photos", KEY, clock, url_prefix=PREFIX, ttl=timedelta(seconds=1)
        )

    @pytest.fixture
    def fetch(self, store: LocalFolderPhotoStore) -> Fetch:
        return follow_local(store)

    @pytest.fixture
    def outlive_short_links(self, clock: InMemoryClock) -> Wait:
        async def wait() -> None:
            clock.advance(timedelta(seconds=1))

        return wait


class TestInMemoryPhotoStore(PhotoStoreContract):
    @pytest.fixture
    def clock(self) -> InMemoryClock:
        return InMemoryClock()

    @pytest.fixture
    def store(self, clock: InMemoryClock) -> InMemoryPhotoStore:
        return InMemoryPhotoStore(clock)

    @pytest.fixture
    def short_lived_store(self, store: InMemoryPhotoStore, clock: InMemoryClock) -> PhotoStore:
        short = InMemoryPhotoStore(clock, ttl=timedelta(seconds=1))
        short.blobs = store.blobs  # one backend, two link lifetimes
        short.written_at = store.written_at
        return short

    @pytest.fixture
    def store_now(self, clock: InMemoryClock) -> Now:
        return clock.now

    @pytest.fixture
    def fetch(self, store: InMemoryPhotoStore) -> Fetch:
        async def fetch(url: str) -> tuple[bytes, str] | None:
            return store.fetch(url)

        return fetch

    @pytest.fixture
    def outlive_short_links(self, clock: InMemoryClock) -> Wait:
        async def wait() -> None:
            clock.advance(timedelta(seconds=1))

        return wait


async def test_an_expired_authentic_link_says_so(tmp_path: Path) -> None:
    clock = InMemoryClock()
    store = LocalFolderPhotoStore(tmp_path, KEY, clock, ttl=timedelta(minutes=15))
    await store.put("u/p.jpg", b"\xff\xd8\xffdata", "image/jpeg")
    query = parse_qs(urlsplit(await store.signed_url("u/p.jpg")).query)
    expires, signature = int(query["expires"][0]), query["signature"][0]
    assert expires == int((clock.now() + timedelta(minutes=15)).timestamp())
    clock.advance(timedelta(minutes=15))
    with pytest.raises(PermissionDenied) as caught:
        await store.read_signed("u/p.jpg", expires, signature)
    assert caught.value.code == "photo_link_expired"
    # Stretching the expiry breaks the signature instead.
    with pytest.raises(NotFound):
        await store.read_signed("u/p.jpg", expires + 3600, signature)


async def test_a_store_with_another_key_does_not_accept_the_links(tmp_path: Path) -> None:
    clock = InMemoryClock()
    ours = LocalFolderPhotoStore(tmp_path, KEY, clock)
    theirs = LocalFolderPhotoStore(tmp_path, b"z" * 32, clock)
    await ours.put("u/p.png", b"\x89PNG\r\n\x1a\nx", "image/png")
    query = parse_qs(urlsplit(await ours.signed_url("u/p.png")).query)
    with pytest.raises(NotFound):
        await theirs.read_signed("u/p.png", int(query["expires"][0]), query["signature"][0])


@pytest.mark.parametrize("signature", ["é" * 64, "0" * 63 + "\u00ff", "\u2603"])
async def test_a_signature_with_non_ascii_characters_is_not_found(
    tmp_path: Path, signature: str
) -> None:
    """Regression: the OpenAPI fuzzer's non-ASCII signature made the comparison raise (500)."""
    store = LocalFolderPhotoStore(tmp_path, KEY, InMemoryClock())
    await store.put("u/p.jpg", b"\xff\xd8\xffdata", "image/jpeg")
    with pytest.raises(NotFound):
        await store.read_signed("u/p.jpg", 2**40, signature)


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "/abs/path.jpg", "a/../../b.jpg", "a//b.jpg", "a/.hidden", ""]
)
async def test_keys_that_could_escape_the_folder_are_refused(tmp_path: Path, key: str) -> None:
    store = LocalFolderPhotoStore(tmp_path / "photos", KEY, InMemoryClock())
    with pytest.raises(ValueError, match="invalid photo key"):
        await store.put(key, b"x", "image/jpeg")
    with pytest.raises(ValueError, match="invalid photo key"):
        await store.signed_url(key)
    with pytest.raises(NotFound):
        await store.read_signed(key, 2**40, "0" * 64)
    assert not (tmp_path / "etc").exists()


async def test_files_land_under_the_root_and_leave_no_temporary_files(tmp_path: Path) -> None:
    store = LocalFolderPhotoStore(tmp_path / "photos", KEY, InMemoryClock())
    await store.put("member/photo.webp", b"RIFF....WEBPdata", "image/webp")
    assert (tmp_path / "photos" / "member" / "photo.webp").read_bytes() == b"RIFF....WEBPdata"
    assert [p.name for p in (tmp_path / "photos" / "member").iterdir()] == ["photo.webp"]


def test_a_short_signing_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        LocalFolderPhotoStore(tmp_path, b"short", InMemoryClock())
