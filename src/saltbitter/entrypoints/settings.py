"""One typed settings object, read from ``SALTBITTER_*`` environment variables.

Every setting has an embedded default so a fresh checkout runs with no server at all
(SQLite under the data folder, in-process cache and tasks, mail as .eml files). Real
services are switched on by giving their URL (ADR 0004).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Annotated, Literal

import msgspec

__all__ = ["Settings"]

PREFIX = "SALTBITTER_"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("var")
    environment: Literal["development", "test", "production"] = "development"
    database_url: str | None = None
    redis_url: str | None = None
    broker_url: str | None = None
    redis_key_prefix: str = "saltbitter:"
    tasks: Literal["auto", "in_process", "celery"] = "auto"
    task_queue: str = "saltbitter"
    # Celery result backend (e.g. a redis:// URL): off by default; set it to read what
    # jobs returned (monitoring, tests).
    result_backend: str | None = None
    # Embedded mode only: run the periodic jobs in the API process (Beat does it otherwise).
    in_process_schedule: bool = True
    jwt_secret: str | None = None
    auth_rate_limit_per_minute: int = 10
    user_rate_limit_per_minute: int = 100
    allowed_email_domains: tuple[str, ...] = ()
    terms_version: str = "2026-01"
    privacy_version: str = "2026-01"
    mail_sender: str = "SaltBitter <no-reply@saltbitter.local>"
    ses_region: str | None = None
    ses_endpoint_url: str | None = None
    s3_endpoint_url: str | None = None
    s3_bucket: str | None = None
    s3_region: str = "us-east-1"
    # A job taken by a worker that then died without a word (killed, host lost) goes
    # back to the queue after this long on Redis; keep it above the longest job's run.
    broker_visibility_timeout_seconds: int = 3600
    # `saltbitter queue-metrics` publishes the task queue's depth to CloudWatch in this
    # namespace (unset: it only logs it); the workers' autoscaling follows the metric.
    queue_metric_namespace: str | None = None
    cloudwatch_region: str = "us-east-1"
    cloudwatch_endpoint_url: str | None = None
    photo_url_ttl_seconds: int = 900  # signed photo URLs (local folder, S3, CDN) live 15 min
    # Photo links through CloudFront (S3 mode; ADR 0038): all three or none. The key id
    # is the CloudFront public key's id; the private key (PEM) comes from Secrets Manager.
    cdn_base_url: str | None = None
    cdn_key_pair_id: str | None = None
    cdn_private_key: str | None = field(default=None, repr=False)
    # Photo decoding runs in this many worker processes ("thread": in the API process);
    # uploads beyond that wait their turn. Blobs without a photos row (a crash between
    # store and commit) are swept once older than the grace period.
    image_workers: int = 2
    image_pool: Literal["process", "thread"] = "process"
    orphan_photo_grace_seconds: int = 3600
    log_level: str = "INFO"
    log_json: bool = True
    trusted_proxies: tuple[str, ...] = field(default=("127.0.0.1",))
    # Matching: nobody appears in more daily sets than this within 24 h (popularity
    # fairness); sets are written and committed this many members at a time; the batch
    # scorer is NumPy's when installed ("auto") or the scalar reference loop. The hourly
    # sweep runs one shard (one worker task) per matching_shard_members due members.
    matching_exposure_cap: int = 30
    matching_chunk_size: int = 500
    matching_scorer: Literal["auto", "numpy", "scalar"] = "auto"
    matching_shard_members: Annotated[int, msgspec.Meta(ge=1)] = 25_000
    # Pause Python's cyclic garbage collector for a daily run (the whole process): the
    # worker and the CLI turn it on for themselves; off in the API, whose embedded jobs
    # share the process with requests.
    matching_pause_collector: bool = False
    # Processes the batch scorer ranks a daily run's viewers in (forked, POSIX; results
    # identical to one process). 0: the CPUs this process may use where it runs jobs
    # only (matching_pause_collector on: the worker, the CLI), else 1 (the API).
    matching_scorer_workers: Annotated[int, msgspec.Meta(ge=0, le=64)] = 0
    # Assessments: platform norms replace the published priors once this many complete,
    # careful responses (members with a current sensitive_data consent) are stored.
    norms_min_sample: Annotated[int, msgspec.Meta(ge=2)] = 300
    # Quiet hours for member email, in each member's own timezone (HH:MM; equal = off).
    quiet_hours_start: str = "22:00"
    quiet_hours_end: str = "08:00"
    # OpenAI, one account for two uses: conversations screen messages with its moderation
    # (else the local rules; while it is down messages are delivered unscreened unless
    # fail_closed, ADR 0020) and the AI coach talks through its chat completions (else
    # the embedded stand-in, docs/ai.md). The base URL points at a compatible endpoint.
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_moderation_model: str = "omni-moderation-latest"
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: Annotated[float, msgspec.Meta(gt=0)] = 20.0
    openai_max_retries: Annotated[int, msgspec.Meta(ge=0)] = 2
    openai_max_tokens: Annotated[int, msgspec.Meta(ge=16)] = 400
    moderation_fail_closed: bool = False
    # WebSocket: seconds to send the auth frame; how often an open socket re-checks its
    # session anyway (token expiry; revocations close sockets at once, ADR 0032).
    ws_auth_timeout_seconds: Annotated[float, msgspec.Meta(gt=0)] = 5.0
    ws_session_check_seconds: Annotated[float, msgspec.Meta(gt=0)] = 60.0
    # permessage-deflate under uvicorn: off, since each compressed socket keeps a zlib
    # compressor (81.8 -> 41.7 KiB per socket measured, docs/conversations.md; ADR 0036);
    # our frames are small JSON events that compress little.
    ws_per_message_deflate: bool = False
    # How long a process reuses a member's principal while its stamp is unchanged (0: off).
    principal_cache_seconds: Annotated[float, msgspec.Meta(ge=0)] = 30.0
    # Pool pre-ping (a round trip per checkout); off: a dead connection fails one request.
    database_pool_pre_ping: bool = False
    # Connections each process keeps open (PostgreSQL), plus up to the overflow opened
    # under bursts and closed again once returned. Size the pool for the requests one
    # process has in flight (a server's connections / its workers): a burst served from
    # overflow opens and closes connections on every request (ADR 0047).
    # Defaults: the engine's own (adapters.sqlalchemy.engine.POOL_SIZE/POOL_OVERFLOW;
    # a test keeps them equal without this light module importing SQLAlchemy).
    database_pool_size: Annotated[int, msgspec.Meta(ge=1)] = 20
    database_pool_overflow: Annotated[int, msgspec.Meta(ge=0)] = 10
    # Payments (issue 11): no key = the embedded local stand-in (test mode, no Stripe
    # account); api_base points the real SDK at a Stripe-compatible server (tests).
    stripe_api_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None
    stripe_webhook_tolerance_seconds: int = 300
    stripe_timeout_seconds: float = 20.0
    stripe_max_network_retries: int = 2
    payments_grace_days: int = 7
    public_base_url: str = "http://127.0.0.1:8000"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``SALTBITTER_<FIELD>`` variables; lists are comma-separated."""
        source = os.environ if environ is None else environ
        raw: dict[str, object] = {}
        for setting in fields(cls):
            value = source.get(PREFIX + setting.name.upper())
            if value is None or value == "":
                continue
            if setting.name in {"allowed_email_domains", "trusted_proxies"}:
                raw[setting.name] = [part.strip().casefold() for part in value.split(",") if part]
            else:
                raw[setting.name] = value
        try:
            settings = msgspec.convert(raw, cls, strict=False, dec_hook=_decode_path)
        except msgspec.ValidationError as error:
            raise SystemExit(f"Invalid SaltBitter setting: {error}") from None
        for proxy in settings.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SystemExit(
                    f"Invalid SaltBitter setting: SALTBITTER_TRUSTED_PROXIES: {proxy!r} is "
                    "neither an address nor a network"
                ) from None
        _check_cdn(settings)
        return settings

    # Derived choices: each real service is on exactly when its URL is given.

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'saltbitter.sqlite3').resolve()}"

    @property
    def uses_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def effective_broker_url(self) -> str | None:
        return self.broker_url or self.redis_url

    @property
    def uses_celery(self) -> bool:
        """Celery runs the jobs when a broker is known, unless told to run them in-process."""
        if self.tasks == "auto":
            return self.effective_broker_url is not None
        return self.tasks == "celery"

    @property
    def mail_folder(self) -> Path:
        return self.data_dir / "mail"

    @property
    def photo_folder(self) -> Path:
        return self.data_dir / "photos"

    @property
    def export_folder(self) -> Path:
        """Members' data export archives in embedded mode (S3 mode: ``exports/`` keys)."""
        return self.data_dir / "exports"

    @property
    def uses_cdn(self) -> bool:
        """Photo links are CloudFront signed URLs (``from_environ`` checked the three)."""
        return bool(self.cdn_base_url and self.cdn_key_pair_id and self.cdn_private_key)

    @property
    def uses_local_payments(self) -> bool:
        """The embedded test-mode stand-in replaces Stripe while no API key is given."""
        return not self.stripe_api_key

    def effective_stripe_webhook_secret(self) -> str:
        """The endpoint secret; in local mode one derived from the JWT secret."""
        if self.stripe_webhook_secret:
            return self.stripe_webhook_secret
        secret = self.effective_jwt_secret().encode()
        return (
            "whsec_" + hmac.new(secret, b"saltbitter:local-payments:v1", hashlib.sha256).hexdigest()
        )

    def photo_signing_key(self) -> bytes:
        """The key of the local folder's signed photo URLs, derived from the JWT secret
        (a separate key per purpose: a photo URL signature is never a token signature)."""
        secret = self.effective_jwt_secret().encode()
        return hmac.new(secret, b"saltbitter:photo-urls:v1", hashlib.sha256).digest()

    def export_signing_key(self) -> bytes:
        """The key of the local folder's signed export links (another purpose, another
        key: a photo link's signature never opens an archive)."""
        secret = self.effective_jwt_secret().encode()
        return hmac.new(secret, b"saltbitter:export-urls:v1", hashlib.sha256).digest()

    def effective_jwt_secret(self) -> str:
        """The configured secret; embedded mode keeps a generated one in the data folder."""
        if self.jwt_secret:
            return self.jwt_secret
        if self.environment == "production":
            raise SystemExit("SALTBITTER_JWT_SECRET is required in production.")
        path = self.data_dir / "jwt-secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()


_CDN_SETTINGS = ("cdn_base_url", "cdn_key_pair_id", "cdn_private_key")


def _check_cdn(settings: Settings) -> None:
    """The photo CDN's settings go together, serve the S3 bucket, and hold a usable key.

    Messages name settings, never the key's value."""
    given = {name for name in _CDN_SETTINGS if getattr(settings, name)}
    if not given:
        return
    names = ", ".join(PREFIX + name.upper() for name in _CDN_SETTINGS)
    if missing := [PREFIX + name.upper() for name in _CDN_SETTINGS if name not in given]:
        raise SystemExit(
            f"Invalid SaltBitter setting: {names} go together; missing: {', '.join(missing)}"
        )
    if not settings.s3_bucket:
        raise SystemExit(
            f"Invalid SaltBitter setting: {names} need SALTBITTER_S3_BUCKET "
            "(CloudFront serves the photos of the bucket)"
        )
    from saltbitter.adapters.photos.cloudfront import (
        InvalidCloudFrontSigningKey,
        check_cdn_base_url,
        cloudfront_url_signer,
    )

    if not str(settings.cdn_key_pair_id).strip():
        raise SystemExit("Invalid SaltBitter setting: SALTBITTER_CDN_KEY_PAIR_ID is blank")
    try:
        check_cdn_base_url(str(settings.cdn_base_url))
    except ValueError as error:
        raise SystemExit(f"Invalid SaltBitter setting: SALTBITTER_CDN_BASE_URL: {error}") from None
    try:
        cloudfront_url_signer(str(settings.cdn_key_pair_id), str(settings.cdn_private_key))
    except InvalidCloudFrontSigningKey as error:
        raise SystemExit(
            f"Invalid SaltBitter setting: SALTBITTER_CDN_PRIVATE_KEY: {error}"
        ) from None


def _decode_path(kind: type, value: object) -> object:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError(kind)
