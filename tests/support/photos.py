"""Photos for the API tests: a JPEG carrying GPS metadata, and a moto S3 endpoint with
a bucket (profile photos and photo messages are tested against both stores)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from typing import Any, cast

import pytest
from moto.server import ThreadedMotoServer
from mypy_boto3_s3 import S3Client
from PIL import Image

from saltbitter.adapters.images import generated_photo
from saltbitter.adapters.photos import s3_client

__all__ = ["GPS_IFD", "jpeg_with_gps", "s3_bucket_settings"]

GPS_IFD = 0x8825


@pytest.fixture(scope="module")
def s3_bucket_settings() -> Iterator[dict[str, Any]]:
    """A moto S3 endpoint with a bucket, and credentials for boto3's default chain."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.delenv("AWS_PROFILE", raising=False)
        bucket = f"photos-{uuid.uuid4().hex[:8]}"
        client = cast(S3Client, s3_client("us-east-1", endpoint_url=endpoint))
        client.create_bucket(Bucket=bucket)
        yield {"s3_endpoint_url": endpoint, "s3_bucket": bucket, "s3_region": "us-east-1"}
    server.stop()


def jpeg_with_gps(size: tuple[int, int] = (640, 480)) -> bytes:
    image = Image.open(io.BytesIO(generated_photo(21, size=size)))
    exif = Image.Exif()
    exif[0x010F] = "PhoneCo"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "N", (52.0, 31.0, 12.0), "E", (13.0, 24.0, 18.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert dict(Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD))
    return data
