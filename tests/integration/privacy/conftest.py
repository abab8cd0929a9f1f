"""A real HTTP S3 endpoint for the erasure search: moto's server, as the photo tests use."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import cast

import pytest
from moto.server import ThreadedMotoServer
from mypy_boto3_s3 import S3Client

from saltbitter.adapters.photos import s3_client

REGION = "eu-central-1"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def s3(s3_endpoint: str) -> S3Client:
    client = s3_client(
        REGION,
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return cast(S3Client, client)


@pytest.fixture
def bucket(s3: S3Client) -> str:
    name = f"saltbitter-erasure-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name
