"""A real HTTP S3 endpoint for the photo store: moto's server, in a thread, on a free
port of 127.0.0.1. boto3 and the presigned URLs talk HTTP to it as they would to AWS."""

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


def client_for(endpoint: str, *, max_attempts: int = 3) -> S3Client:
    # The factory promises only what the store calls; tests also create buckets.
    client = s3_client(
        REGION,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        max_attempts=max_attempts,
    )
    return cast(S3Client, client)


@pytest.fixture(scope="session")
def s3(s3_endpoint: str) -> S3Client:
    return client_for(s3_endpoint)


@pytest.fixture(scope="session")
def bucket(s3: S3Client) -> str:
    name = f"saltbitter-photos-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name
