"""``python -m benchmarks.photo_links [--links N]``: CPU per signed photo link.

Every photo a response shows carries a freshly signed link (a daily set of 10 cards,
a profile with 6 photos, a conversation page of pictures), so the signing cost is paid
per photo per request. This prints the process CPU time per link for the three kinds:
the local folder's HMAC, S3's SigV4 presigning (boto3) and CloudFront's canned policy
(RSA-2048 with SHA-1 through ``cryptography``, ADR 0038), and their ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from saltbitter.adapters.photos import (
    CloudFrontSignedPhotoLinks,
    LocalFolderPhotoStore,
    S3PhotoStore,
    cloudfront_url_signer,
    s3_client,
)
from saltbitter.adapters.system import SystemClock
from saltbitter.application.ports.photo_storage import PhotoStore

TTL = timedelta(minutes=15)


def _private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


async def _cpu_per_link(store: PhotoStore, links: int) -> float:
    """Process CPU seconds per signed link (warm: the first 50 are not counted)."""
    keys = [f"0f8c2a9e-5b8e-4c61-9d7a-{index:012d}/photo.jpg" for index in range(links)]
    for key in keys[:50]:
        await store.signed_url(key)
    started = time.process_time()
    for key in keys:
        await store.signed_url(key)
    return (time.process_time() - started) / links


async def main(links: int) -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "benchmark")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "benchmark")
    clock = SystemClock()
    s3 = S3PhotoStore(s3_client("eu-central-1"), "media", ttl=TTL, prefix="photos/")
    with tempfile.TemporaryDirectory() as folder:
        local = LocalFolderPhotoStore(
            Path(folder), b"k" * 32, clock, url_prefix="/api/v1/photo-files", ttl=TTL
        )
        cdn = CloudFrontSignedPhotoLinks(
            s3,
            base_url="https://photos.saltbitter.example",
            sign=cloudfront_url_signer("K2BENCHMARKKEY", _private_pem()),
            ttl=TTL,
            clock=clock,
        )
        figures = {
            "local folder (HMAC-SHA256)": await _cpu_per_link(local, links),
            "S3 presigned (SigV4)": await _cpu_per_link(s3, links),
            "CloudFront (RSA-2048 SHA-1)": await _cpu_per_link(cdn, links),
        }
    print(f"CPU per signed photo link, {links:,} links each, load {os.getloadavg()[0]:.2f}")
    s3_cost = figures["S3 presigned (SigV4)"]
    for name, seconds in figures.items():
        print(f"  {name:30} {seconds * 1e6:8.1f} µs   {seconds / s3_cost:5.2f}x S3")
    per_set = figures["CloudFront (RSA-2048 SHA-1)"] * 10
    print(f"  a daily set of 10 cards through CloudFront: {per_set * 1e3:.2f} ms CPU")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.photo_links", description=__doc__)
    parser.add_argument("--links", type=int, default=2_000)
    asyncio.run(main(parser.parse_args().links))
