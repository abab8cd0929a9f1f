"""Photo links through CloudFront over HTTP: the API on S3 (moto's server) with the three
CDN settings hands out CloudFront signed URLs for profile and message photos.

No CloudFront runs here: each link is checked by CloudFront's documented rules
(``cloudfront_accepts``), and the object it names is read from the bucket under the
distribution's origin path (``photos/``, infra/terraform/modules/storage), so the link
and the stored bytes are shown to meet where the distribution would join them.
"""

from __future__ import annotations

import io
import time
from dataclasses import replace
from typing import cast
from urllib.parse import parse_qsl, urlsplit

import pytest
from mypy_boto3_s3 import S3Client
from PIL import Image

from saltbitter.adapters.photos import s3_client
from saltbitter.entrypoints.settings import Settings
from support.cdn_keys import KEY_PAIR_ID, cdn_settings, cloudfront_accepts
from support.conversations_api import matched_pair
from support.live_api import Api
from support.photos import jpeg_with_gps, s3_bucket_settings  # noqa: F401

CDN = "https://photos.saltbitter.test"
ORIGIN_PATH = "photos/"


@pytest.fixture(scope="module")
def backend_settings(backend_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    s3 = request.getfixturevalue("s3_bucket_settings")
    return replace(backend_settings, **s3, **cdn_settings(CDN))


@pytest.fixture(scope="module")
def bucket(backend_settings: Settings) -> tuple[S3Client, str]:
    client = s3_client(backend_settings.s3_region, endpoint_url=backend_settings.s3_endpoint_url)
    return cast(S3Client, client), str(backend_settings.s3_bucket)


def origin_object(bucket: tuple[S3Client, str], url: str) -> bytes:
    """What the distribution would fetch for ``url``: its path under the origin path."""
    client, name = bucket
    key = ORIGIN_PATH + urlsplit(url).path.removeprefix("/")
    return client.get_object(Bucket=name, Key=key)["Body"].read()


def assert_cdn_link(url: str, ttl_seconds: int) -> None:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == CDN
    query = dict(parse_qsl(parts.query))
    assert query["Key-Pair-Id"] == KEY_PAIR_ID
    # The link lives as long as the configured lifetime (give or take the request).
    assert abs(int(query["Expires"]) - (time.time() + ttl_seconds)) <= 5
    assert cloudfront_accepts(url, time.time())
    assert not cloudfront_accepts(url, time.time() + ttl_seconds + 1)


def test_profile_photos_are_served_by_cloudfront_signed_links(
    api: Api, backend_settings: Settings, bucket: tuple[S3Client, str]
) -> None:
    headers = api.bearer(api.login(api.verified_member()))
    uploaded = api.http.post(
        "/api/v1/me/photos",
        files={"file": ("photo.jpg", jpeg_with_gps(), "image/jpeg")},
        headers=headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    url = uploaded.json()["url"]

    assert_cdn_link(url, backend_settings.photo_url_ttl_seconds)
    stored = origin_object(bucket, url)
    assert Image.open(io.BytesIO(stored)).size == (640, 480)
    listed = api.http.get("/api/v1/me/photos", headers=headers).json()["items"]
    assert [urlsplit(item["url"]).path for item in listed] == [urlsplit(url).path]
    assert all(item["url"].startswith(CDN + "/") for item in listed)


def test_message_photos_are_served_by_cloudfront_signed_links(
    api: Api, backend_settings: Settings, bucket: tuple[S3Client, str]
) -> None:
    ada, bo, match_id = matched_pair(api)
    sent = api.http.post(
        f"/api/v1/matches/{match_id}/messages/photos",
        files={"file": ("holiday.jpg", jpeg_with_gps(), "image/jpeg")},
        data={"client_message_id": "cdn-1"},
        headers=ada.headers,
    )
    assert sent.status_code == 201, sent.text
    url = sent.json()["attachment"]["url"]

    assert_cdn_link(url, backend_settings.photo_url_ttl_seconds)
    assert urlsplit(url).path.startswith(f"/{ada.user_id}/messages/")
    assert Image.open(io.BytesIO(origin_object(bucket, url))).size == (640, 480)
    history = api.http.get(f"/api/v1/matches/{match_id}/messages", headers=bo.headers)
    assert history.status_code == 200, history.text
    (message,) = history.json()["items"]
    assert message["attachment"]["url"].startswith(CDN + f"/{ada.user_id}/messages/")
