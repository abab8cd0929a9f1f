"""A CloudFront key pair for tests: generated once per run, never stored anywhere."""

from __future__ import annotations

from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["KEY_PAIR_ID", "cdn_settings", "private_pem", "public_key"]

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
