"""Where photo bytes live, and how clients fetch them: short-lived signed URLs."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = ["PhotoStore", "StoredBlob"]


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """One blob as a listing reports it; ``modified_at`` is when it was last written
    (timezone-aware, as the store's own clock saw it)."""

    key: str
    modified_at: datetime


class PhotoStore(Protocol):
    """A blob store for photos: the local folder by default, S3 in real mode.

    Keys are relative paths made of ``[A-Za-z0-9._-]`` segments joined by ``/``
    (``storage_key_for`` makes them). Clients never get a permanent address: they get a
    signed URL that stops working after the store's time-to-live.
    """

    @abstractmethod
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key`` (replacing any earlier bytes there)."""

    @abstractmethod
    async def get(self, key: str) -> bytes | None:
        """The bytes under ``key``, or None when there are none."""

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove ``key``; removing a missing key is not an error (jobs retry)."""

    @abstractmethod
    async def signed_url(self, key: str) -> str:
        """A URL that serves ``key`` until it expires (it does not check that it exists)."""

    @abstractmethod
    def list_blobs(self, prefix: str = "") -> AsyncIterator[Sequence[StoredBlob]]:
        """Every blob whose key starts with ``prefix`` (by default: every blob in the
        store), page by page, in no particular order (a blob written or deleted during
        the listing may or may not appear). The store looks only under the prefix: a
        member's folder is listed without reading the whole store."""
