"""Photo links through CloudFront: canned-policy signed URLs, checked as CloudFront does.

``CloudFrontEdge`` plays the distribution: it checks a link by CloudFront's documented
rules (``support.cdn_keys.cloudfront_accepts``: canned policy rebuilt from the URL,
RSA-SHA1 signature verified with the key group's public key, expiry by the test clock)
and serves the wrapped store's bytes under the URL's path.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from saltbitter.adapters.photos import CloudFrontSignedPhotoLinks, cloudfront_url_signer
from saltbitter.testing.contracts.photo_store import Fetch, Now, PhotoStoreContract, Wait
from saltbitter.testing.fakes import InMemoryClock
from saltbitter.testing.fakes_profiles import InMemoryPhotoStore
from support.cdn_keys import KEY_PAIR_ID, cloudfront_accepts, private_pem

BASE_URL = "https://photos.saltbitter.test"
TTL = timedelta(minutes=15)


class CloudFrontEdge:
    def __init__(self, origin: InMemoryPhotoStore, public_key: rsa.RSAPublicKey) -> None:
        self.origin = origin
        self.trusted = {KEY_PAIR_ID: public_key}

    def accepts(self, url: str) -> bool:
        return cloudfront_accepts(url, self.origin._clock.now().timestamp(), self.trusted)

    async def fetch(self, url: str) -> tuple[bytes, str] | None:
        if not self.accepts(url):
            return None
        return self.origin.blobs.get(unquote(urlsplit(url).path).removeprefix("/"))


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(private_pem().encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@pytest.fixture
def clock() -> InMemoryClock:
    return InMemoryClock()


@pytest.fixture
def origin(clock: InMemoryClock) -> InMemoryPhotoStore:
    return InMemoryPhotoStore(clock)


def cdn_links(
    origin: InMemoryPhotoStore, clock: InMemoryClock, *, ttl: timedelta = TTL
) -> CloudFrontSignedPhotoLinks:
    return CloudFrontSignedPhotoLinks(
        origin,
        base_url=BASE_URL + "/",
        sign=cloudfront_url_signer(KEY_PAIR_ID, private_pem()),
        ttl=ttl,
        clock=clock,
    )


class TestCloudFrontSignedPhotoLinks(PhotoStoreContract):
    @pytest.fixture
    def store(self, origin: InMemoryPhotoStore, clock: InMemoryClock) -> CloudFrontSignedPhotoLinks:
        return cdn_links(origin, clock)

    @pytest.fixture
    def short_lived_store(
        self, origin: InMemoryPhotoStore, clock: InMemoryClock
    ) -> CloudFrontSignedPhotoLinks:
        return cdn_links(origin, clock, ttl=timedelta(seconds=1))

    @pytest.fixture
    def fetch(self, origin: InMemoryPhotoStore, private_key: rsa.RSAPrivateKey) -> Fetch:
        return CloudFrontEdge(origin, private_key.public_key()).fetch

    @pytest.fixture
    def outlive_short_links(self, clock: InMemoryClock) -> Wait:
        async def wait() -> None:
            clock.advance(timedelta(seconds=1))

        return wait

    @pytest.fixture
    def store_now(self, clock: InMemoryClock) -> Now:
        return clock.now


async def test_a_link_is_the_cdn_url_of_the_key_with_a_canned_policy(
    origin: InMemoryPhotoStore, clock: InMemoryClock, private_key: rsa.RSAPrivateKey
) -> None:
    url = await cdn_links(origin, clock).signed_url("member/messages/photo.webp")

    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        BASE_URL + "/member/messages/photo.webp"
    )
    assert list(query) == ["Expires", "Signature", "Key-Pair-Id"]
    assert query["Key-Pair-Id"] == KEY_PAIR_ID
    assert not set(query["Signature"]) & set("+=/")  # CloudFront's substitutions
    assert CloudFrontEdge(origin, private_key.public_key()).accepts(url)


async def test_a_link_expires_after_the_configured_lifetime(
    origin: InMemoryPhotoStore, clock: InMemoryClock, private_key: rsa.RSAPrivateKey
) -> None:
    url = await cdn_links(origin, clock, ttl=timedelta(seconds=900)).signed_url("m/p.jpg")
    edge = CloudFrontEdge(origin, private_key.public_key())

    assert int(dict(parse_qsl(urlsplit(url).query))["Expires"]) == (
        int(clock.now().timestamp()) + 900
    )
    clock.advance(timedelta(seconds=899))
    assert edge.accepts(url)
    clock.advance(timedelta(seconds=1))
    assert not edge.accepts(url)


async def test_a_later_expiry_or_another_key_pair_breaks_the_signature(
    origin: InMemoryPhotoStore, clock: InMemoryClock, private_key: rsa.RSAPrivateKey
) -> None:
    url = await cdn_links(origin, clock).signed_url("m/p.jpg")
    expires = dict(parse_qsl(urlsplit(url).query))["Expires"]
    edge = CloudFrontEdge(origin, private_key.public_key())

    assert not edge.accepts(url.replace(f"Expires={expires}", f"Expires={int(expires) + 3600}"))
    assert not edge.accepts(url.replace(KEY_PAIR_ID, "K2OTHERKEYPAIR"))
    assert not edge.accepts(url.replace("https://", "http://"))


def test_the_cdn_base_url_is_https_without_a_query() -> None:
    clock = InMemoryClock()
    for wrong in ("http://photos.test", "photos.test", "https://photos.test/?a=1", "https://"):
        with pytest.raises(ValueError, match="https://host"):
            CloudFrontSignedPhotoLinks(
                InMemoryPhotoStore(clock),
                base_url=wrong,
                sign=lambda url, expires: url,
                ttl=TTL,
                clock=clock,
            )
