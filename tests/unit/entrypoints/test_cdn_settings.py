"""The photo CDN's settings: all three or none, checked when the process starts, and the
composition root's choice of links (photos through CloudFront, exports never)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from saltbitter.adapters.photos import CloudFrontSignedPhotoLinks, S3PhotoStore
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.privacy_rights import ExportArchives
from saltbitter.entrypoints.composition import make_container
from saltbitter.entrypoints.settings import Settings
from support.cdn_keys import KEY_PAIR_ID, private_pem

BASE = {"SALTBITTER_S3_BUCKET": "media", "SALTBITTER_S3_REGION": "eu-central-1"}


def cdn_environ(**overrides: str) -> dict[str, str]:
    environ = {
        **BASE,
        "SALTBITTER_CDN_BASE_URL": "https://photos.saltbitter.test",
        "SALTBITTER_CDN_KEY_PAIR_ID": KEY_PAIR_ID,
        "SALTBITTER_CDN_PRIVATE_KEY": private_pem(),
    }
    environ.update(overrides)
    return {name: value for name, value in environ.items() if value}


def refusal(environ: dict[str, str]) -> str:
    with pytest.raises(SystemExit) as stopped:
        Settings.from_environ(environ)
    message = str(stopped.value.code)
    assert message.startswith("Invalid SaltBitter setting: ")
    assert "PRIVATE KEY" not in message
    for line in private_pem().splitlines()[1:-1]:
        assert line not in message
    return message


def pem_of(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, password: bytes = b"") -> str:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode()


def test_without_cdn_settings_links_stay_s3_presigned() -> None:
    settings = Settings.from_environ(BASE)
    assert not settings.uses_cdn


def test_the_three_settings_switch_the_cdn_on_and_the_key_stays_out_of_repr() -> None:
    settings = Settings.from_environ(cdn_environ())
    assert settings.uses_cdn
    assert "PRIVATE KEY" not in repr(settings)


def test_a_key_pasted_on_one_line_with_escaped_newlines_is_accepted() -> None:
    one_line = private_pem().strip().replace("\n", "\\n")
    assert Settings.from_environ(cdn_environ(SALTBITTER_CDN_PRIVATE_KEY=one_line)).uses_cdn


@pytest.mark.parametrize(
    "missing",
    ["SALTBITTER_CDN_BASE_URL", "SALTBITTER_CDN_KEY_PAIR_ID", "SALTBITTER_CDN_PRIVATE_KEY"],
)
def test_a_missing_setting_of_the_three_stops_the_start(missing: str) -> None:
    message = refusal(cdn_environ(**{missing: ""}))
    assert message.endswith(f"missing: {missing}")


def test_a_blank_key_pair_id_stops_the_start() -> None:
    message = refusal(cdn_environ(SALTBITTER_CDN_KEY_PAIR_ID="  "))
    assert message == "Invalid SaltBitter setting: SALTBITTER_CDN_KEY_PAIR_ID is blank"


def test_the_cdn_needs_the_s3_bucket() -> None:
    environ = cdn_environ()
    del environ["SALTBITTER_S3_BUCKET"]
    assert "need SALTBITTER_S3_BUCKET" in refusal(environ)


def test_the_base_url_must_be_https() -> None:
    message = refusal(cdn_environ(SALTBITTER_CDN_BASE_URL="http://photos.saltbitter.test"))
    assert message.startswith("Invalid SaltBitter setting: SALTBITTER_CDN_BASE_URL: ")


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (lambda: "not a key", "not an unencrypted private key in PEM form"),
        (  # a PEM frame around a broken body: the body must not be echoed
            lambda: "\n".join(private_pem().splitlines()[:3] + private_pem().splitlines()[-1:]),
            "not an unencrypted private key in PEM form",
        ),
        (
            lambda: pem_of(rsa.generate_private_key(65537, 2048), password=b"pass"),
            "not an unencrypted private key in PEM form",
        ),
        (lambda: pem_of(ec.generate_private_key(ec.SECP256R1())), "RSA keys only"),
        (lambda: pem_of(rsa.generate_private_key(65537, 1024)), "2048-bit RSA keys, not 1024"),
    ],
    ids=["garbage", "truncated", "encrypted", "ecdsa", "rsa-1024"],
)
def test_a_malformed_key_stops_the_start_without_showing_it(key: object, reason: str) -> None:
    assert callable(key)
    message = refusal(cdn_environ(SALTBITTER_CDN_PRIVATE_KEY=key()))
    assert message.startswith("Invalid SaltBitter setting: SALTBITTER_CDN_PRIVATE_KEY: ")
    assert reason in message


async def test_photos_get_cdn_links_and_exports_keep_s3_presigned_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Presigning is local computation; boto3 only needs some credentials to sign with.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    settings = Settings.from_environ(
        {**cdn_environ(), "SALTBITTER_DATA_DIR": str(tmp_path), "SALTBITTER_ENVIRONMENT": "test"}
    )
    container = make_container(settings)
    try:
        photos = await container.get(PhotoStore)
        archives = await container.get(ExportArchives)
        photo_url = await photos.signed_url("member/photo.jpg")
        archive_url = await archives.signed_url("exports/member/archive.zip")
    finally:
        await container.close()

    assert isinstance(photos, CloudFrontSignedPhotoLinks)
    assert photo_url.startswith("https://photos.saltbitter.test/member/photo.jpg?Expires=")
    assert isinstance(archives, S3PhotoStore)
    assert archives.prefix == ""
    archive = urlsplit(archive_url)
    assert "/exports/member/archive.zip" in archive.path
    assert "photos.saltbitter.test" not in archive.netloc
    assert "X-Amz-Signature" in dict(parse_qsl(archive.query))
