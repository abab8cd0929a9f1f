"""The PhotoStore contract against S3 over HTTP (moto's server): presigned URLs included."""

from __future__ import annotations

import asyncio
import hmac
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from mypy_boto3_s3 import S3Client

from saltbitter.adapters.photos import S3PhotoStore
from saltbitter.application.profiles.photos import OrphanSweepPolicy, SweepOrphanPhotoFiles
from saltbitter.domain.errors import Unavailable
from saltbitter.domain.profiles import ImageType, PhotoId, storage_key_for
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders_profiles import a_photo
from saltbitter.testing.contracts.photo_store import Fetch, PhotoStoreContract, Wait
from saltbitter.testing.fakes import InMemoryClock
from saltbitter.testing.fakes_profiles import InMemoryPhotoRepository
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase, InMemoryTransaction

from .conftest import REGION, client_for

pytestmark = pytest.mark.integration

SHORT_TTL = timedelta(seconds=2)


def s3_would_accept(url: str, now: datetime) -> bool:
    """Check a presigned URL the way S3 does: SigV4 query signature and expiry.

    moto's server (5.x) serves presigned GETs without checking either, so a tampered or
    expired link would pass there. The check is S3's documented one, recomputed with
    botocore under the test credentials.
    """
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    query = dict(params)
    if not {"X-Amz-Date", "X-Amz-Expires", "X-Amz-Credential", "X-Amz-Signature"} <= set(query):
        return False
    unsigned = urlunsplit(
        parts._replace(query=urlencode([(k, v) for k, v in params if k != "X-Amz-Signature"]))
    )
    request = AWSRequest(method="GET", url=unsigned, headers={})
    request.context["timestamp"] = query["X-Amz-Date"]
    auth = S3SigV4QueryAuth(
        Credentials("testing", "testing"),
        "s3",
        query["X-Amz-Credential"].split("/")[2],
        expires=int(query["X-Amz-Expires"]),
    )
    expected = auth.signature(
        auth.string_to_sign(request, auth.canonical_request(request)), request
    )
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    expires_at = signed_at + timedelta(seconds=int(query["X-Amz-Expires"]))
    return hmac.compare_digest(expected, query["X-Amz-Signature"]) and now < expires_at


async def follow(url: str) -> tuple[bytes, str] | None:
    """A client (a phone, a browser) following the presigned URL: plain HTTP, no AWS."""
    if not s3_would_accept(url, datetime.now(UTC)):
        return None
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(url)
    if response.status_code != 200:
        return None
    return response.content, response.headers["content-type"]


class TestS3PhotoStore(PhotoStoreContract):
    @pytest.fixture
    def store(self, s3: S3Client, bucket: str) -> S3PhotoStore:
        return S3PhotoStore(s3, bucket)

    @pytest.fixture
    def short_lived_store(self, s3: S3Client, bucket: str) -> S3PhotoStore:
        return S3PhotoStore(s3, bucket, ttl=SHORT_TTL)

    @pytest.fixture
    def small_pages_store(self, s3: S3Client, bucket: str) -> S3PhotoStore:
        return S3PhotoStore(s3, bucket, page_size=2)  # ListObjectsV2's continuation tokens

    @pytest.fixture
    def fetch(self) -> Fetch:
        return follow

    @pytest.fixture
    def outlive_short_links(self) -> Wait:
        async def wait() -> None:
            # X-Amz-Date has whole seconds, so a link may live up to one second longer.
            await asyncio.sleep(SHORT_TTL.total_seconds() + 1.2)

        return wait


class TestS3PhotoStoreUnderAPrefix(TestS3PhotoStore):
    """Photos in production: the ``photos/`` prefix of a bucket shared with exports."""

    @pytest.fixture
    def store(self, s3: S3Client, bucket: str) -> S3PhotoStore:
        return S3PhotoStore(s3, bucket, prefix="photos/")

    @pytest.fixture
    def short_lived_store(self, s3: S3Client, bucket: str) -> S3PhotoStore:
        return S3PhotoStore(s3, bucket, ttl=SHORT_TTL, prefix="photos/")


async def test_a_prefixed_store_keeps_to_its_prefix(s3: S3Client) -> None:
    bucket = f"saltbitter-prefix-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    photos = S3PhotoStore(s3, bucket, prefix="photos/")
    whole_bucket = S3PhotoStore(s3, bucket)
    await whole_bucket.put("exports/m/archive.zip", b"archive", "application/zip")
    await photos.put("m/p.jpg", b"photo", "image/jpeg")

    listed = [blob.key async for page in photos.list_blobs() for blob in page]
    url = await photos.signed_url("m/p.jpg")

    assert listed == ["m/p.jpg"]
    assert await whole_bucket.get("photos/m/p.jpg") == b"photo"
    assert await photos.get("exports/m/archive.zip") is None
    assert f"/{bucket}/photos/m/p.jpg?" in url
    await photos.delete("m/p.jpg")
    assert await whole_bucket.get("photos/m/p.jpg") is None


def test_a_prefix_is_a_folder(s3: S3Client) -> None:
    with pytest.raises(ValueError, match="ends with '/'"):
        S3PhotoStore(s3, "bucket", prefix="photos")


async def test_presigned_urls_carry_the_lifetime(s3: S3Client, bucket: str) -> None:
    url = await S3PhotoStore(s3, bucket, ttl=timedelta(minutes=15)).signed_url("a/b.jpg")
    assert f"/{bucket}/a/b.jpg?" in url
    assert "X-Amz-Expires=900" in url
    assert "X-Amz-Signature=" in url


async def test_the_signature_check_accepts_boto3s_links_only(s3: S3Client, bucket: str) -> None:
    url = await S3PhotoStore(s3, bucket).signed_url("a/b.jpg")
    now = datetime.now(UTC)
    assert s3_would_accept(url, now)
    assert not s3_would_accept(url.replace("a/b.jpg", "a/c.jpg"), now)
    assert not s3_would_accept(url, now + timedelta(minutes=16))


async def test_the_bucket_is_private_without_a_signature(
    s3: S3Client, bucket: str, s3_endpoint: str
) -> None:
    store = S3PhotoStore(s3, bucket)
    await store.put("private/p.jpg", b"\xff\xd8\xffsecret", "image/jpeg")
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{s3_endpoint}/{bucket}/private/p.jpg")
    assert response.status_code == 403


async def test_an_unreachable_endpoint_is_unavailable() -> None:
    store = S3PhotoStore(client_for("http://127.0.0.1:1", max_attempts=1), "nowhere")
    for call in (
        store.put("a/b.jpg", b"x", "image/jpeg"),
        store.get("a/b.jpg"),
        store.delete("a/b.jpg"),
    ):
        with pytest.raises(Unavailable) as caught:
            await call
        assert caught.value.code == "photo_storage_unavailable"


async def test_a_missing_bucket_is_unavailable_not_empty(s3: S3Client) -> None:
    with pytest.raises(Unavailable):
        await S3PhotoStore(s3, "no-such-bucket-here").put("a/b.jpg", b"x", "image/jpeg")


async def test_the_orphan_sweep_removes_only_old_unreferenced_objects(s3: S3Client) -> None:
    # A bucket of its own: the sweep looks at every object in the bucket.
    bucket = f"saltbitter-sweep-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    store = S3PhotoStore(s3, bucket)
    database = InMemoryDatabase()
    member = UserId(uuid.uuid4())
    photo = a_photo(member)
    connection = InMemoryConnection(database)
    async with InMemoryTransaction(connection) as transaction:
        InMemoryPhotoRepository(connection).add(photo)
        await transaction.commit()
    orphan = storage_key_for(member, PhotoId(uuid.uuid4()), ImageType.JPEG)
    for key in (photo.storage_key, orphan):
        await store.put(key, b"bytes", "image/jpeg")

    def sweep_at(later: timedelta) -> SweepOrphanPhotoFiles:
        # S3 stamps objects with its own clock, so the sweep's clock moves instead.
        clock = InMemoryClock(datetime.now(UTC) + later)
        policy = OrphanSweepPolicy(timedelta(hours=1))
        job = InMemoryConnection(database)  # each run on a connection of its own
        return SweepOrphanPhotoFiles(
            InMemoryTransaction(job), InMemoryPhotoRepository(job), store, clock, policy
        )

    assert await sweep_at(timedelta(minutes=30))() == 0  # still young
    assert await store.get(orphan) == b"bytes"
    assert await sweep_at(timedelta(hours=2))() == 1
    assert await store.get(orphan) is None
    assert await store.get(photo.storage_key) == b"bytes"
