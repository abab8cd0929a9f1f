"""The conversations capability's wiring: which moderator and policy the settings pick,
and the fan-out's best-effort contract."""

from __future__ import annotations

import uuid
from pathlib import Path

import msgspec
from litestar.channels.backends.memory import MemoryChannelsBackend

from saltbitter.adapters.moderation import RuleBasedMessageModerator
from saltbitter.adapters.moderation.openai_moderator import OpenAIMessageModerator
from saltbitter.application.conversations.messages import ModerationPolicy
from saltbitter.application.conversations.views import ConversationClosed
from saltbitter.application.ports.conversations import MessageModerator, RealtimeFanout
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.composition import make_container
from saltbitter.entrypoints.realtime import ChannelsFanout, RealtimeChannels
from saltbitter.entrypoints.settings import Settings


async def test_the_local_rules_moderate_unless_an_openai_key_is_set(tmp_path: Path) -> None:
    container = make_container(Settings(data_dir=tmp_path))
    try:
        assert isinstance(await container.get(MessageModerator), RuleBasedMessageModerator)
        assert await container.get(ModerationPolicy) == ModerationPolicy(fail_closed=False)
    finally:
        await container.close()
    settings = Settings(
        data_dir=tmp_path,
        openai_api_key="sk-test",
        openai_base_url="http://127.0.0.1:9/v1",
        moderation_fail_closed=True,
    )
    container = make_container(settings)
    try:
        assert isinstance(await container.get(MessageModerator), OpenAIMessageModerator)
        assert await container.get(ModerationPolicy) == ModerationPolicy(fail_closed=True)
    finally:
        await container.close()


def test_settings_read_the_conversation_variables() -> None:
    settings = Settings.from_environ(
        {
            "SALTBITTER_MODERATION_FAIL_CLOSED": "true",
            "SALTBITTER_WS_AUTH_TIMEOUT_SECONDS": "2.5",
            "SALTBITTER_WS_SESSION_CHECK_SECONDS": "1",
        }
    )
    assert settings.moderation_fail_closed
    assert settings.ws_auth_timeout_seconds == 2.5
    assert settings.ws_session_check_seconds == 1.0


async def test_a_push_reaches_the_members_channel_and_a_failure_is_swallowed(
    tmp_path: Path,
) -> None:
    backend = MemoryChannelsBackend()
    channels = RealtimeChannels(backend, "test:", None)
    fanout: RealtimeFanout = ChannelsFanout(channels)
    member = UserId(uuid.uuid4())
    match_id = uuid.uuid4()
    await fanout.publish([member], ConversationClosed(match_id=match_id))  # not started: logged
    await channels.start()
    try:
        await backend.subscribe([channels.member_channel(member)])
        await fanout.publish([member], ConversationClosed(match_id=match_id))
        stream = backend.stream_events()
        channel, data = await anext(stream)
        await stream.aclose()
    finally:
        await channels.stop()
    assert channel == f"test:member:{member}"
    assert msgspec.json.decode(data) == {"match_id": str(match_id), "type": "conversation.closed"}
