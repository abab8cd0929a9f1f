"""Photos in Amazon S3 (or any S3-compatible endpoint) through boto3.

Clients get presigned GET URLs (signature version 4) with a short lifetime, so the
bucket stays private. A store may own one prefix of a shared bucket (photos live under
``photos/``, the only prefix CloudFront may read; ADR 0038): its keys are relative to it.
boto3 is synchronous, so transfers run in worker threads (boto3 clients are
thread-safe); presigning is local computation and runs inline. boto3 and botocore are
imported when first used, so embedded mode works without the ``aws`` extra.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import UTC, timedelta
from typing import Any, Literal, Protocol, TypedDict

from saltbitter.application.ports.photo_storage import PhotoStore, StoredBlob
from saltbitter.domain.errors import Unavailable

__all__ = ["S3Api", "S3PhotoStore", "s3_client"]

_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


class _PaginationConfig(TypedDict, total=False):
    """botocore's paginator settings (as its type stubs spell them)."""

    MaxItems: int
    PageSize: int
    StartingToken: str


class _ListObjectsPaginator(Protocol):
    def paginate(
        self, *, Bucket: str, Prefix: str, PaginationConfig: _PaginationConfig
    ) -> Iterable[Mapping[str, Any]]: ...


class S3Api(Protocol):
    """The calls this store makes on a boto3 S3 client.

    Declared here rather than imported from the boto3 type stubs, which load boto3 when
    imported: importing this module must not need the ``aws`` extra.
    """

    def put_object(
        self, *, Bucket: str, Key: str, Body: bytes, ContentType: str, CacheControl: str
    ) -> object: ...
    def get_object(self, *, Bucket: str, Key: str) -> Mapping[str, Any]: ...
    def delete_object(self, *, Bucket: str, Key: str) -> object: ...
    def get_paginator(
        self, operation_name: Literal["list_objects_v2"]
    ) -> _ListObjectsPaginator: ...
    def generate_presigned_url(
        self, ClientMethod: str, Params: Mapping[str, Any] = ..., ExpiresIn: int = ...
    ) -> str: ...


def s3_client(
    region_name: str,
    *,
    endpoint_url: str | None = None,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
    max_attempts: int = 3,
) -> S3Api:
    """An S3 client with bounded timeouts and retries (credentials default to boto3's chain).

    With a custom endpoint (MinIO, moto, LocalStack) buckets are addressed by path, since
    such endpoints rarely resolve ``<bucket>.<host>`` names.
    """
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=5,
        read_timeout=20,
        retries={"mode": "standard", "max_attempts": max_attempts},
        signature_version="s3v4",
        s3={"addressing_style": "path" if endpoint_url else "auto"},
    )
    return boto3.client(
        "s3",
        region_name=region_name,
        endpoint_url=endpoint_url,
        aws_access_key_id=aws_access_key_id,
        aws_secret_access_key=aws_secret_access_key,
        config=config,
    )


def _unavailable(error: Exception) -> Unavailable:
    return Unavailable(f"The photo store did not answer: {error}", code="photo_storage_unavailable")


class S3PhotoStore(PhotoStore):
    """``prefix`` (empty, or ending in ``/``) is where this store's keys live in the bucket."""

    def __init__(
        self,
        client: S3Api,
        bucket: str,
        *,
        ttl: timedelta = timedelta(minutes=15),
        prefix: str = "",
        page_size: int = 1000,
    ) -> None:
        if prefix and not prefix.endswith("/"):
            raise ValueError(f"an S3 key prefix ends with '/': {prefix!r}")
        self._client = client
        self.bucket = bucket
        self.prefix = prefix
        self._ttl_seconds = max(1, int(ttl.total_seconds()))
        self._page_size = page_size  # keys per ListObjectsV2 call (S3 returns 1,000 at most)

    def object_key(self, key: str) -> str:
        """The S3 object key of one of this store's keys."""
        return self.prefix + key

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            await asyncio.to_thread(
                self._client.put_object,
                Bucket=self.bucket,
                Key=self.object_key(key),
                Body=data,
                ContentType=content_type,
                CacheControl="private, max-age=86400, immutable",
            )
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from error

    async def get(self, key: str) -> bytes | None:
        from botocore.exceptions import BotoCoreError, ClientError

        def read() -> bytes | None:
            try:
                response = self._client.get_object(Bucket=self.bucket, Key=self.object_key(key))
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in _MISSING:
                    return None
                raise
            body: bytes = response["Body"].read()
            return body

        try:
            return await asyncio.to_thread(read)
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from error

    async def delete(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:  # S3 answers a delete of a missing key with success: idempotent as required
            await asyncio.to_thread(
                self._client.delete_object, Bucket=self.bucket, Key=self.object_key(key)
            )
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from error

    async def list_blobs(self, prefix: str = "") -> AsyncIterator[Sequence[StoredBlob]]:
        from botocore.exceptions import BotoCoreError, ClientError

        # Each page is one ListObjectsV2 call (up to 1,000 keys), fetched in a thread; S3
        # filters by the prefix itself, so a member's folder costs a call, not the bucket.
        paginator = self._client.get_paginator("list_objects_v2")
        pages = iter(
            paginator.paginate(
                Bucket=self.bucket,
                Prefix=self.object_key(prefix),
                PaginationConfig={"PageSize": self._page_size},
            )
        )
        start = len(self.prefix)
        while True:
            try:
                page = await asyncio.to_thread(next, pages, None)
            except (BotoCoreError, ClientError) as error:
                raise _unavailable(error) from error
            if page is None:
                return
            yield [
                StoredBlob(item["Key"][start:], item["LastModified"].astimezone(UTC))
                for item in page.get("Contents", [])
            ]

    async def signed_url(self, key: str) -> str:
        return self._client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self.object_key(key)},
            ExpiresIn=self._ttl_seconds,
        )
