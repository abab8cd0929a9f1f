"""The ``PhotoStore`` contract: bytes round-trip, and signed URLs serve them, briefly.

Subclass :class:`PhotoStoreContract` and provide:

- ``store``: the store under test, with a time-to-live long enough for a test;
- ``fetch``: an async callable that follows a signed URL the way a client would (an HTTP
  GET for S3, the API's file route check for the local folder) and returns
  ``(bytes, content type)``, or None when the URL is refused or serves nothing;
- ``short_lived_store``: a store on the same backend whose links live about a second,
  and ``outlive_short_links``: an async callable that waits (or moves a test clock)
  until links minted by it have expired;
- ``store_now`` (optional): the store's notion of the current time, by default the
  system clock's (a store that stamps blobs with a test clock says so here);
- ``small_pages_store`` (optional): the store listing a few keys per page, so that a
  listing by prefix is seen to follow its pages (by default ``store``).

Keys are unique per test, so a shared backend (one bucket for the run) is fine.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from saltbitter.application.ports.photo_storage import PhotoStore

__all__ = ["Fetch", "Now", "PhotoStoreContract", "Wait"]

Fetch = Callable[[str], Awaitable[tuple[bytes, str] | None]]
Wait = Callable[[], Awaitable[None]]
Now = Callable[[], datetime]

# Stores stamp writes with their own clock at their own precision (S3: whole seconds).
_STAMP_SLACK = timedelta(seconds=2)

JPEG_BYTES = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 4


def _key(extension: str = "jpg") -> str:
    return f"{uuid.uuid4()}/{uuid.uuid4()}.{extension}"


def _tampered_signature(url: str) -> str:
    marker = url.index("ignature=") + len("ignature=")
    flipped = "0" if url[marker] != "0" else "1"
    return url[:marker] + flipped + url[marker + 1 :]


class PhotoStoreContract:
    @pytest.fixture
    def store(self) -> PhotoStore:
        raise NotImplementedError("provide the PhotoStore under test")

    @pytest.fixture
    def fetch(self) -> Fetch:
        raise NotImplementedError("provide a client that follows signed URLs")

    @pytest.fixture
    def short_lived_store(self) -> PhotoStore:
        raise NotImplementedError("provide a store whose links live about a second")

    @pytest.fixture
    def outlive_short_links(self) -> Wait:
        raise NotImplementedError("provide a wait past the short-lived store's links")

    @pytest.fixture
    def store_now(self) -> Now:
        return lambda: datetime.now(UTC)

    @pytest.fixture
    def small_pages_store(self, store: PhotoStore) -> PhotoStore:
        return store

    async def test_put_then_get_returns_the_same_bytes(self, store: PhotoStore) -> None:
        key = _key()
        await store.put(key, JPEG_BYTES, "image/jpeg")
        assert await store.get(key) == JPEG_BYTES

    async def test_a_missing_key_has_no_bytes(self, store: PhotoStore) -> None:
        assert await store.get(_key()) is None

    async def test_put_replaces_earlier_bytes(self, store: PhotoStore) -> None:
        key = _key()
        await store.put(key, JPEG_BYTES, "image/jpeg")
        await store.put(key, JPEG_BYTES[:100], "image/jpeg")
        assert await store.get(key) == JPEG_BYTES[:100]

    async def test_delete_removes_and_may_be_repeated(self, store: PhotoStore) -> None:
        key, kept = _key(), _key()
        await store.put(key, JPEG_BYTES, "image/jpeg")
        await store.put(kept, PNG_BYTES, "image/png")
        await store.delete(key)
        await store.delete(key)
        await store.delete(_key())
        assert await store.get(key) is None
        assert await store.get(kept) == PNG_BYTES

    async def test_a_signed_url_serves_the_bytes_and_their_type(
        self, store: PhotoStore, fetch: Fetch
    ) -> None:
        jpeg, png = _key("jpg"), _key("png")
        await store.put(jpeg, JPEG_BYTES, "image/jpeg")
        await store.put(png, PNG_BYTES, "image/png")
        assert await fetch(await store.signed_url(jpeg)) == (JPEG_BYTES, "image/jpeg")
        assert await fetch(await store.signed_url(png)) == (PNG_BYTES, "image/png")

    async def test_urls_differ_per_key(self, store: PhotoStore) -> None:
        first, second = _key(), _key()
        assert await store.signed_url(first) != await store.signed_url(second)

    async def test_a_url_for_a_missing_or_deleted_key_serves_nothing(
        self, store: PhotoStore, fetch: Fetch
    ) -> None:
        assert await fetch(await store.signed_url(_key())) is None
        key = _key()
        await store.put(key, JPEG_BYTES, "image/jpeg")
        url = await store.signed_url(key)
        await store.delete(key)
        assert await fetch(url) is None

    async def test_a_tampered_url_serves_nothing(self, store: PhotoStore, fetch: Fetch) -> None:
        mine, theirs = _key(), _key()
        await store.put(mine, JPEG_BYTES, "image/jpeg")
        await store.put(theirs, PNG_BYTES, "image/png")
        url = await store.signed_url(mine)
        assert await fetch(_tampered_signature(url)) is None
        # A valid signature for one key does not open another.
        assert await fetch(url.replace(mine, theirs)) is None
        assert await fetch(url) == (JPEG_BYTES, "image/jpeg")

    async def test_links_expire(
        self, short_lived_store: PhotoStore, fetch: Fetch, outlive_short_links: Wait
    ) -> None:
        key = _key()
        await short_lived_store.put(key, JPEG_BYTES, "image/jpeg")
        url = await short_lived_store.signed_url(key)
        await outlive_short_links()
        assert await fetch(url) is None
        # The bytes are still there: only the link ran out.
        assert await short_lived_store.get(key) == JPEG_BYTES
        assert await fetch(await short_lived_store.signed_url(key)) is not None

    async def test_the_listing_names_each_blob_once_with_its_write_time(
        self, store: PhotoStore, store_now: Now
    ) -> None:
        before = store_now()
        kept = [_key("jpg") for _ in range(4)] + [_key("png")]
        gone = _key()
        for key in [*kept, gone]:
            await store.put(key, JPEG_BYTES, "image/jpeg")
        await store.delete(gone)
        after = store_now()

        listed = [blob async for page in store.list_blobs() for blob in page]

        keys = [blob.key for blob in listed]
        assert len(keys) == len(set(keys))
        assert set(kept) <= set(keys)  # the backend may hold other tests' blobs too
        assert gone not in keys
        for blob in listed:
            if blob.key in kept:
                assert blob.modified_at.utcoffset() == timedelta(0)
                assert before - _STAMP_SLACK <= blob.modified_at <= after + _STAMP_SLACK

    async def test_a_rewrite_moves_the_write_time_forward(
        self, store: PhotoStore, store_now: Now
    ) -> None:
        key = _key()
        await store.put(key, JPEG_BYTES, "image/jpeg")
        first = await _written_at(store, key)
        await store.put(key, PNG_BYTES, "image/png")
        second = await _written_at(store, key)
        assert first <= second <= store_now() + _STAMP_SLACK

    async def test_a_listing_by_prefix_names_only_the_blobs_under_it(
        self, small_pages_store: PhotoStore
    ) -> None:
        store = small_pages_store
        member = str(uuid.uuid4())
        photos = [f"{member}/{uuid.uuid4()}.jpg" for _ in range(3)]
        pictures = [f"{member}/messages/{uuid.uuid4()}.png" for _ in range(2)]
        # A neighbour whose folder name starts with the member's: not under "member/".
        neighbour = f"{member}0/{uuid.uuid4()}.jpg"
        for key in [*photos, *pictures, neighbour]:
            await store.put(key, JPEG_BYTES, "image/jpeg")

        async def listed(prefix: str) -> list[str]:
            return [blob.key async for page in store.list_blobs(prefix) for blob in page]

        under_member = await listed(f"{member}/")
        assert sorted(under_member) == sorted([*photos, *pictures])  # each once, all pages
        assert sorted(await listed(f"{member}/messages/")) == sorted(pictures)
        assert sorted(await listed(member)) == sorted([*photos, *pictures, neighbour])
        assert await listed(f"{uuid.uuid4()}/") == []
        assert {*photos, *pictures, neighbour} <= set(await listed(""))


async def _written_at(store: PhotoStore, key: str) -> datetime:
    async for page in store.list_blobs():
        for blob in page:
            if blob.key == key:
                return blob.modified_at
    raise AssertionError(f"{key} is not listed")
