"""Photos as files in a local folder (the embedded default), served by signed URLs.

A URL looks like ``/api/v1/photo-files/<key>?expires=<unix time>&signature=<hex>``: the
signature is an HMAC-SHA256 of the key and the expiry under a server-side secret, so
only the server can mint one and nobody can stretch its lifetime or point it at another
file. The API's file route calls :meth:`LocalFolderPhotoStore.read_signed` to check it.
Writes go to a temporary file first and are renamed into place, so a reader never sees
half a photo. File I/O runs in worker threads.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import re
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from saltbitter.application.ports.photo_storage import PhotoStore, StoredBlob
from saltbitter.application.ports.system import Clock
from saltbitter.domain.errors import NotFound, PermissionDenied

__all__ = ["LocalFolderPhotoStore", "PhotoFile"]

# Relative paths of plain segments: no "..", no leading "/", nothing a shell or a file
# system would interpret. Anything else is refused before it reaches the disk.
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(/[A-Za-z0-9][A-Za-z0-9._-]{0,99}){0,3}$")
_PAGE = 1000
_CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


def _not_found() -> NotFound:
    return NotFound("No such photo, or the link is not valid.", code="photo_not_found")


def _checked(key: str) -> str:
    if not _KEY.match(key) or ".." in key:
        raise ValueError(f"invalid photo key {key!r}")
    return key


class PhotoFile:
    """What a valid signed URL serves."""

    __slots__ = ("content_type", "data", "expires_at")

    def __init__(self, data: bytes, content_type: str, expires_at: int) -> None:
        self.data = data
        self.content_type = content_type
        self.expires_at = expires_at


class LocalFolderPhotoStore(PhotoStore):
    def __init__(
        self,
        root: Path,
        signing_key: bytes,
        clock: Clock,
        *,
        url_prefix: str = "/api/v1/photo-files",
        ttl: timedelta = timedelta(minutes=15),
    ) -> None:
        if len(signing_key) < 32:
            raise ValueError("the signing key needs at least 32 bytes")
        self.root = root
        self._signing_key = signing_key
        self._clock = clock
        self._url_prefix = url_prefix.rstrip("/")
        self._ttl = ttl

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*_checked(key).split("/"))

    async def put(self, key: str, data: bytes, content_type: str) -> None:  # noqa: ARG002
        # The type follows from the key's extension, which the domain derives from it.
        await asyncio.to_thread(self._write, self._path(key), bytes(data))

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def list_blobs(self, prefix: str = "") -> AsyncIterator[Sequence[StoredBlob]]:
        listed = await asyncio.to_thread(self._scan, prefix)
        for start in range(0, len(listed), _PAGE):
            yield listed[start : start + _PAGE]

    def _scan(self, prefix: str) -> list[StoredBlob]:
        """Every photo file under the prefix with its modification time; temporary files
        of writes in progress (``.upload-*``) and anything not key-shaped are skipped.
        Only the prefix's folder is walked, not the whole root."""
        folder_of_prefix, _, _ = prefix.rpartition("/")
        top = (
            self.root.joinpath(*_checked(folder_of_prefix).split("/"))
            if folder_of_prefix
            else self.root
        )
        found: list[StoredBlob] = []
        for folder, _dirs, files in os.walk(top):
            relative = Path(folder).relative_to(self.root)
            for name in files:
                key = (relative / name).as_posix()
                if not _KEY.match(key) or not key.startswith(prefix):
                    continue
                try:
                    modified = Path(folder, name).stat().st_mtime
                except FileNotFoundError:
                    continue  # deleted while we looked
                found.append(StoredBlob(key, datetime.fromtimestamp(modified, UTC)))
        return found

    async def signed_url(self, key: str) -> str:
        _checked(key)
        expires = int((self._clock.now() + self._ttl).timestamp())
        signature = self._signature(key, expires)
        return f"{self._url_prefix}/{quote(key)}?expires={expires}&signature={signature}"

    async def read_signed(self, key: str, expires: int, signature: str) -> PhotoFile:
        """The file a signed URL names. ``NotFound`` for a bad signature, a bad key or a
        deleted photo; ``PermissionDenied`` (``photo_link_expired``) for an authentic
        link past its expiry, so a client knows to ask for a fresh one."""
        if not _KEY.match(key) or ".." in key:
            raise _not_found()
        # Bytes, not str: compare_digest refuses non-ASCII strings with a TypeError (a 500).
        if not hmac.compare_digest(signature.encode(), self._signature(key, expires).encode()):
            raise _not_found()
        if self._clock.now().timestamp() >= expires:
            raise PermissionDenied(
                "This photo link has expired; fetch the profile again.",
                code="photo_link_expired",
            )
        data = await self.get(key)
        if data is None:
            raise _not_found()
        content_type = _CONTENT_TYPES.get(Path(key).suffix.lower(), "application/octet-stream")
        return PhotoFile(data, content_type, expires)

    def _signature(self, key: str, expires: int) -> str:
        message = f"{key}\n{expires}".encode()
        return hmac.new(self._signing_key, message, hashlib.sha256).hexdigest()
