"""A CloudFront key pair for tests: generated once per run, never stored anywhere."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from functools import cache
from urllib.parse import parse_qsl, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = [
    "KEY_PAIR_ID",
    "cdn_settings",
    "cloudfront_accepts",
    "private_pem",
    "public_key",
]

KEY_PAIR_ID = "K2TESTKEYPAIRID"


@cache
def _key() -> rsa.RSAPrivateKey:
    # CloudFront key groups take 2048-bit RSA keys.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem() -> str:
    return (
        _key()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def public_key() -> rsa.RSAPublicKey:
    return _key().public_key()


def cdn_settings(base_url: str = "https://photos.saltbitter.test") -> dict[str, str]:
    """The three photo CDN settings, as Settings fields."""
    return {
        "cdn_base_url": base_url,
        "cdn_key_pair_id": KEY_PAIR_ID,
        "cdn_private_key": private_pem(),
    }


def _cloudfront_b64decode(text: str) -> bytes:
    """CloudFront's URL-safe base64: '+' '=' '/' are sent as '-' '_' '~'."""
    return base64.b64decode(text.replace("-", "+").replace("_", "=").replace("~", "/"))


def cloudfront_accepts(
    url: str, now: float, trusted: Mapping[str, rsa.RSAPublicKey] | None = None
) -> bool:
    """Whether CloudFront would serve a canned-policy signed URL at ``now`` (epoch
    seconds), by its documented rules: rebuild the policy from the URL without its
    query, verify the RSA-SHA1 signature with the key named by Key-Pair-Id (one of the
    key group's), and refuse once Expires has passed. Written from CloudFront's
    documentation, not from botocore's code."""
    trusted = {KEY_PAIR_ID: public_key()} if trusted is None else trusted
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if set(query) != {"Expires", "Signature", "Key-Pair-Id"}:
        return False
    key = trusted.get(query["Key-Pair-Id"])
    if key is None or not query["Expires"].isdigit():
        return False
    expires = int(query["Expires"])
    resource = f"{parts.scheme}://{parts.netloc}{parts.path}"
    # The canned policy: exactly this JSON, no whitespace, Resource before Condition.
    policy = (
        '{"Statement":[{"Resource":"' + resource + '","Condition":'
        '{"DateLessThan":{"AWS:EpochTime":' + str(expires) + "}}}]}"
    )
    try:
        key.verify(
            _cloudfront_b64decode(query["Signature"]),
            policy.encode(),
            padding.PKCS1v15(),
            hashes.SHA1(),
        )
    except (InvalidSignature, ValueError):
        return False
    return now < expires
