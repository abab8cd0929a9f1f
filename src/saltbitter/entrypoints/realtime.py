"""Real-time fan-out through Litestar's channels: one channel per member, Redis pub/sub
between processes when Redis is configured, in memory in embedded mode.

Every socket of a member subscribes to ``<prefix>member:<id>``; a publish reaches the
member's sockets in every API process. Publishing works from any process (the API, a
Celery worker, the CLI): with Redis it is a PUBLISH; in memory it reaches the sockets
of this process, which in embedded mode is the API itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import structlog
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis

from saltbitter.application.ports.conversations import RealtimeFanout
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.settings import Settings

__all__ = [
    "SESSION_CHANGED",
    "SESSION_CHANGED_FRAME",
    "ChannelsFanout",
    "RealtimeChannels",
    "channels_backend",
]

log = structlog.get_logger(__name__)
_encoder = msgspec.json.Encoder()
# Published on a member's channel after a commit that changed their account or sessions
# (logout-all, ban, suspension, password change...): each of their sockets, in every
# process, re-authenticates at once instead of at its next periodic check (ADR 0032).
# Never forwarded to clients.
SESSION_CHANGED = {"type": "session.changed"}
SESSION_CHANGED_FRAME = _encoder.encode(SESSION_CHANGED)


class RealtimeChannels:
    """The process's channels backend and how member channels are named."""

    __slots__ = ("_started", "backend", "prefix", "redis")

    def __init__(self, backend: ChannelsBackend, prefix: str, redis: Redis | None) -> None:
        self.backend = backend
        self.prefix = prefix
        self.redis = redis
        self._started = False

    def member_channel(self, member: UserId) -> str:
        return f"{self.prefix}member:{member}"

    async def start(self) -> None:
        """For processes without the channels plugin (it starts the backend itself)."""
        if not self._started:
            await self.backend.on_startup()
            self._started = True

    async def stop(self) -> None:
        if self._started:
            await self.backend.on_shutdown()
            self._started = False
        if self.redis is not None:
            await self.redis.aclose()


def channels_backend(settings: Settings) -> RealtimeChannels:
    if settings.redis_url:
        # No socket timeout: the subscriber blocks on the pub/sub connection for good.
        redis = Redis.from_url(settings.redis_url, socket_connect_timeout=2)
        return RealtimeChannels(
            RedisChannelsPubSubBackend(redis=redis), settings.redis_key_prefix, redis
        )
    return RealtimeChannels(MemoryChannelsBackend(), settings.redis_key_prefix, None)


class ChannelsFanout(RealtimeFanout):
    __slots__ = ("_channels",)

    def __init__(self, channels: RealtimeChannels) -> None:
        self._channels = channels

    async def publish(self, members: Sequence[UserId], event: object) -> None:
        data = _encoder.encode(event)
        names = [self._channels.member_channel(member) for member in members]
        try:
            await self._channels.backend.publish(data, names)
        except Exception:  # best effort: history and resume are the source of truth
            log.warning("realtime publish failed", exc_info=True, channels=len(names))
