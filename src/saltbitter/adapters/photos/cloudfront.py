"""Photo links through CloudFront: signed URLs with a canned policy (ADR 0038).

The bytes stay where the wrapped store keeps them (S3, under the prefix the distribution
reads); only the links change. A canned policy names one URL and an expiry, signed with
RSA-SHA1 by the private half of a key whose public half is in the distribution's trusted
key group; botocore's ``CloudFrontSigner`` builds the URL (``Expires``, ``Signature``,
``Key-Pair-Id``) and ``cryptography`` signs. Both are imported when a signer is made, so
embedded mode needs neither.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

from saltbitter.application.ports.photo_storage import PhotoStore, StoredBlob
from saltbitter.application.ports.system import Clock

__all__ = [
    "CloudFrontSignedPhotoLinks",
    "InvalidCloudFrontSigningKey",
    "UrlSigner",
    "check_cdn_base_url",
    "cloudfront_url_signer",
]

UrlSigner = Callable[[str, int], str]
"""Signs ``(url, expires_epoch_seconds)`` into a CloudFront signed URL."""


class InvalidCloudFrontSigningKey(ValueError):
    """The configured private key cannot sign CloudFront URLs. The message never
    contains the key."""


def check_cdn_base_url(base_url: str) -> str:
    """``base_url`` without a trailing slash; ValueError unless it is https://host[/path]."""
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"expected https://host[/path], got {base_url!r}")
    return base_url.rstrip("/")


def _rsa_sha1_signer(pem: str) -> Callable[[bytes], bytes]:
    """Signs with the PEM's key as CloudFront verifies canned policies: RSA, PKCS#1 v1.5,
    SHA-1 (its documented scheme; botocore's signer leaves the algorithm to us)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    # Secrets keep their newlines; a value pasted into a one-line variable may carry
    # them as "\n" (a backslash never occurs in PEM otherwise).
    text = pem.strip().replace("\\n", "\n")
    try:
        key = load_pem_private_key(text.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeError):
        # The parser's message may quote the input: it is not passed on.
        raise InvalidCloudFrontSigningKey("not an unencrypted private key in PEM form") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidCloudFrontSigningKey("CloudFront signs with RSA keys only")
    if key.key_size != 2048:
        raise InvalidCloudFrontSigningKey(
            f"CloudFront key groups take 2048-bit RSA keys, not {key.key_size}-bit"
        )
    rsa_key = key

    def sign(message: bytes) -> bytes:
        return rsa_key.sign(message, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303

    return sign


def cloudfront_url_signer(key_pair_id: str, private_key_pem: str) -> UrlSigner:
    """A signer of canned-policy URLs; raises :class:`InvalidCloudFrontSigningKey` when
    the key cannot be used (so a bad key stops the process at start, not at a request)."""
    from botocore.signers import CloudFrontSigner

    signer = CloudFrontSigner(key_pair_id.strip(), _rsa_sha1_signer(private_key_pem))

    def sign(url: str, expires: int) -> str:
        signed: str = signer.generate_presigned_url(
            url, date_less_than=datetime.fromtimestamp(expires, UTC)
        )
        return signed

    return sign


class CloudFrontSignedPhotoLinks(PhotoStore):
    """A photo store whose links are CloudFront signed URLs for ``base_url/<key>``.

    Storage calls go to ``store``; the distribution must serve that store's keys at
    ``base_url`` (its origin path is the store's prefix). Links expire ``ttl`` after
    they are made, as the wrapped store's presigned ones do.
    """

    def __init__(
        self,
        store: PhotoStore,
        *,
        base_url: str,
        sign: UrlSigner,
        ttl: timedelta,
        clock: Clock,
    ) -> None:
        self._store = store
        self._base_url = check_cdn_base_url(base_url)
        self._sign = sign
        self._ttl_seconds = max(1, int(ttl.total_seconds()))
        self._clock = clock

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await self._store.put(key, data, content_type)

    async def get(self, key: str) -> bytes | None:
        return await self._store.get(key)

    async def delete(self, key: str) -> None:
        await self._store.delete(key)

    def list_blobs(self, prefix: str = "") -> AsyncIterator[Sequence[StoredBlob]]:
        return self._store.list_blobs(prefix)

    async def signed_url(self, key: str) -> str:
        # Keys are [A-Za-z0-9._-] segments; quoting keeps that promise from mattering.
        url = f"{self._base_url}/{quote(key, safe='/')}"
        expires = int(self._clock.now().timestamp()) + self._ttl_seconds
        return self._sign(url, expires)
