from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.adapters.security import JwtAccessTokenCodec
from saltbitter.application.ports.security import AccessClaims
from saltbitter.domain.errors import AuthenticationFailed
from saltbitter.domain.shared import SessionId, UserId

SECRET = "s" * 32
T0 = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
LIFETIME = timedelta(minutes=15)


def claims_at(issued_at: datetime = T0, lifetime: timedelta = LIFETIME) -> AccessClaims:
    return AccessClaims(UserId(uuid4()), SessionId(uuid4()), issued_at, issued_at + lifetime)


def payload_of(token: str) -> dict[str, object]:
    body = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return decoded


def assert_invalid(codec: JwtAccessTokenCodec, token: str, now: datetime = T0) -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        codec.decode(token, now)
    assert caught.value.code == "invalid_token"


@pytest.fixture
def codec() -> JwtAccessTokenCodec:
    return JwtAccessTokenCodec(SECRET)


def test_round_trip(codec: JwtAccessTokenCodec) -> None:
    claims = claims_at()
    assert codec.decode(codec.issue(claims), T0 + timedelta(minutes=1)) == claims


def test_the_payload_carries_the_agreed_claims(codec: JwtAccessTokenCodec) -> None:
    claims = claims_at()
    token = codec.issue(claims)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert payload_of(token) == {
        "sub": str(claims.user_id),
        "sid": str(claims.session_id),
        "iat": int(T0.timestamp()),
        "exp": int((T0 + LIFETIME).timestamp()),
        "typ": "access",
        "iss": "saltbitter",
    }


def test_expiry_is_judged_at_now_not_the_wall_clock(codec: JwtAccessTokenCodec) -> None:
    # Issued long ago by the wall clock, yet valid at the ``now`` given.
    old = claims_at(datetime(2001, 1, 1, tzinfo=UTC))
    assert codec.decode(codec.issue(old), old.issued_at) == old
    # Issued in the future by the wall clock, yet expired at the ``now`` given.
    future = claims_at(datetime(2200, 1, 1, tzinfo=UTC))
    assert_invalid(codec, codec.issue(future), future.expires_at)


def test_expired_at_and_after_expiry(codec: JwtAccessTokenCodec) -> None:
    claims = claims_at()
    token = codec.issue(claims)
    assert codec.decode(token, claims.expires_at - timedelta(microseconds=1)) == claims
    assert_invalid(codec, token, claims.expires_at)
    assert_invalid(codec, token, claims.expires_at + timedelta(days=1))


def test_a_tampered_signature_is_refused(codec: JwtAccessTokenCodec) -> None:
    header, body, signature = codec.issue(claims_at()).split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert_invalid(codec, f"{header}.{body}.{flipped}")


def test_a_tampered_payload_is_refused(codec: JwtAccessTokenCodec) -> None:
    token = codec.issue(claims_at())
    header, _, signature = token.split(".")
    forged = dict(payload_of(token), sub=str(uuid4()))
    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    assert_invalid(codec, f"{header}.{body}.{signature}")


def test_a_token_signed_with_another_secret_is_refused(codec: JwtAccessTokenCodec) -> None:
    other = JwtAccessTokenCodec("o" * 32)
    assert_invalid(codec, other.issue(claims_at()))


def forge(payload: dict[str, object], secret: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, secret, algorithm=algorithm)


def good_payload() -> dict[str, object]:
    return {
        "sub": str(uuid4()),
        "sid": str(uuid4()),
        "iat": int(T0.timestamp()),
        "exp": int((T0 + LIFETIME).timestamp()),
        "typ": "access",
        "iss": "saltbitter",
    }


def test_the_forging_helper_makes_valid_tokens(codec: JwtAccessTokenCodec) -> None:
    payload = good_payload()
    claims = codec.decode(forge(payload), T0)
    assert claims.user_id == UUID(str(payload["sub"]))


@pytest.mark.parametrize(
    "change",
    [
        {"typ": "refresh"},
        {"iss": "someone-else"},
        {"sub": "not-a-uuid"},
        {"sid": 42},
        {"exp": "tomorrow"},
        {"iat": 1.5},
    ],
    ids=["typ", "iss", "sub", "sid", "exp", "iat"],
)
def test_wrong_claims_are_refused(codec: JwtAccessTokenCodec, change: dict[str, object]) -> None:
    assert_invalid(codec, forge({**good_payload(), **change}))


@pytest.mark.parametrize("claim", ["sub", "sid", "iat", "exp", "typ", "iss"])
def test_missing_claims_are_refused(codec: JwtAccessTokenCodec, claim: str) -> None:
    payload = good_payload()
    del payload[claim]
    assert_invalid(codec, forge(payload))


def test_other_algorithms_are_refused(codec: JwtAccessTokenCodec) -> None:
    assert_invalid(codec, forge(good_payload(), secret=SECRET + "x" * 32, algorithm="HS512"))
    unsigned = jwt.encode(good_payload(), None, algorithm="none")
    assert_invalid(codec, unsigned)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "a.b", "ä.ö.ü"])
def test_malformed_tokens_are_refused(codec: JwtAccessTokenCodec, token: str) -> None:
    assert_invalid(codec, token)


def test_short_secrets_are_rejected() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        JwtAccessTokenCodec("s" * 31)
    JwtAccessTokenCodec(b"\x00" * 32)


def test_naive_datetimes_are_rejected(codec: JwtAccessTokenCodec) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        codec.issue(claims_at(datetime(2026, 1, 15, 12, 0)))
    token = codec.issue(claims_at())
    with pytest.raises(ValueError, match="timezone-aware"):
        codec.decode(token, datetime(2026, 1, 15, 12, 0))


def test_issue_truncates_to_whole_seconds(codec: JwtAccessTokenCodec) -> None:
    claims = claims_at(T0 + timedelta(microseconds=999_999))
    decoded = codec.decode(codec.issue(claims), T0 + timedelta(seconds=1))
    assert decoded.issued_at == T0
    assert decoded.expires_at == T0 + LIFETIME


moments = st.datetimes(
    min_value=datetime(1971, 1, 1),  # hypothesis wants naive bounds
    max_value=datetime(2200, 1, 1),
    timezones=st.just(UTC),
).map(lambda moment: moment.replace(microsecond=0))


@given(
    user_id=st.uuids(),
    session_id=st.uuids(),
    issued_at=moments,
    lifetime=st.integers(min_value=1, max_value=400 * 86_400),
    elapsed=st.floats(min_value=0, max_value=1),
)
def test_round_trip_property(
    user_id: UUID, session_id: UUID, issued_at: datetime, lifetime: int, elapsed: float
) -> None:
    codec = JwtAccessTokenCodec(SECRET)
    claims = AccessClaims(
        UserId(user_id), SessionId(session_id), issued_at, issued_at + timedelta(seconds=lifetime)
    )
    token = codec.issue(claims)
    valid_until = claims.expires_at - timedelta(microseconds=1)
    now = issued_at + (valid_until - issued_at) * elapsed
    assert codec.decode(token, now) == claims
    with pytest.raises(AuthenticationFailed):
        codec.decode(token, claims.expires_at)


def tampered(token: str) -> str:
    head, body, signature = token.split(".")
    return f"{head}.{body}.{signature[::-1]}"


@given(
    lifetimes=st.lists(st.integers(min_value=1, max_value=3_600), min_size=1, max_size=4),
    steps=st.lists(st.tuples(st.integers(0, 7), st.booleans(), st.integers(0, 4_000)), max_size=40),
    remembered=st.integers(min_value=1, max_value=3),
)
def test_remembering_verified_tokens_changes_no_answer(
    lifetimes: list[int], steps: list[tuple[int, bool, int]], remembered: int
) -> None:
    """Law: a codec that remembers verified tokens answers every decode, at any moment
    and in any order (expired, tampered and pushed-out tokens included), exactly as one
    that verifies every time."""
    fresh = JwtAccessTokenCodec(SECRET, remembered=0)
    remembering = JwtAccessTokenCodec(SECRET, remembered=remembered)
    tokens = [fresh.issue(claims_at(lifetime=timedelta(seconds=s))) for s in lifetimes]

    def answer(codec: JwtAccessTokenCodec, token: str, now: datetime) -> AccessClaims | str:
        try:
            return codec.decode(token, now)
        except AuthenticationFailed as refused:
            return refused.code

    for index, forge, seconds in steps:
        token = tokens[index % len(tokens)]
        token = tampered(token) if forge else token
        now = T0 + timedelta(seconds=seconds)
        assert answer(remembering, token, now) == answer(fresh, token, now)
        assert remembering.remembered_count <= remembered
    assert fresh.remembered_count == 0


def test_refused_tokens_are_not_remembered(codec: JwtAccessTokenCodec) -> None:
    token = codec.issue(claims_at())
    for forged in (tampered(token), "not.a.token", token + "x"):
        assert_invalid(codec, forged)
    assert codec.remembered_count == 0
    codec.decode(token, T0)
    assert codec.remembered_count == 1
    assert_invalid(codec, token, T0 + LIFETIME)  # expired: refused and forgotten
    assert codec.remembered_count == 0


def test_remembered_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="remembered"):
        JwtAccessTokenCodec(SECRET, remembered=-1)
