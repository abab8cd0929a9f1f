"""Wiring of the conversations capability: the message log on SQL, the read port onto
matches, message moderation (OpenAI when configured, the local rules otherwise), the
real-time fan-out, and the pushes matching's and safety's events trigger."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

from dishka import AnyOf, AsyncContainer, Provider, Scope, provide, provide_all

from saltbitter.adapters.moderation import RuleBasedMessageModerator
from saltbitter.adapters.sqlalchemy.conversations import (
    SqlaConversationAccess,
    SqlaMessageRepository,
)
from saltbitter.application.conversations import topics
from saltbitter.application.conversations.attachments import (
    AttachmentLinks,
    AttachmentPolicy,
    GetMessagePhoto,
    PhotoPipeline,
)
from saltbitter.application.conversations.events import MessageHeld, MessageSent
from saltbitter.application.conversations.inbox import ListConversations
from saltbitter.application.conversations.live import (
    AcknowledgeDelivery,
    AnnounceMatch,
    CatchUp,
    CloseBlockedConversation,
    CloseConversation,
    ReleaseHeldMessage,
    SendTyping,
)
from saltbitter.application.conversations.messages import (
    ListMessages,
    MarkRead,
    ModerationPolicy,
    ScreenUnscreenedMessages,
    SendMessage,
    SendPhotoMessage,
)
from saltbitter.application.conversations.personal_data import PERSONAL_DATA
from saltbitter.application.matching.events import MatchCreated, Unmatched
from saltbitter.application.ports.conversations import (
    ConversationAccess,
    MessageModerator,
    MessageReader,
    MessageWriter,
    RealtimeFanout,
)
from saltbitter.application.safety.events import HeldMessageReleased, MemberBlocked
from saltbitter.entrypoints.capabilities.base import Capability, Job
from saltbitter.entrypoints.realtime import ChannelsFanout, RealtimeChannels, channels_backend
from saltbitter.entrypoints.settings import Settings

__all__ = ["CAPABILITY", "ConversationsProvider"]


class ConversationsProvider(Provider):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    def moderation_policy(self) -> ModerationPolicy:
        return ModerationPolicy(fail_closed=self._settings.moderation_fail_closed)

    @provide(scope=Scope.APP)
    def attachment_policy(self) -> AttachmentPolicy:
        return AttachmentPolicy(link_ttl=timedelta(seconds=self._settings.photo_url_ttl_seconds))

    @provide(scope=Scope.APP)
    async def moderator(self) -> AsyncIterator[MessageModerator]:
        settings = self._settings
        if settings.openai_api_key:
            from saltbitter.adapters.moderation.openai_moderator import OpenAIMessageModerator

            remote = OpenAIMessageModerator.connect(
                settings.openai_api_key, settings.openai_base_url, settings.openai_moderation_model
            )
            yield remote
            await remote.aclose()
        else:
            yield RuleBasedMessageModerator()

    @provide(scope=Scope.APP)
    async def realtime_channels(self) -> AsyncIterator[RealtimeChannels]:
        """Processes without the API's channels plugin (workers, the CLI) publish only.
        The API overrides this with the channels its plugin runs (``http/app.py``)."""
        channels = channels_backend(self._settings)
        await channels.start()
        yield channels
        await channels.stop()

    @provide(scope=Scope.APP)
    def fanout(self, channels: RealtimeChannels) -> RealtimeFanout:
        return ChannelsFanout(channels)

    messages = provide(
        SqlaMessageRepository, provides=AnyOf[MessageReader, MessageWriter], scope=Scope.REQUEST
    )
    access = provide(SqlaConversationAccess, provides=ConversationAccess, scope=Scope.REQUEST)

    use_cases = provide_all(
        AttachmentLinks,
        PhotoPipeline,
        SendMessage,
        SendPhotoMessage,
        GetMessagePhoto,
        ScreenUnscreenedMessages,
        ListMessages,
        MarkRead,
        ListConversations,
        CatchUp,
        AcknowledgeDelivery,
        SendTyping,
        AnnounceMatch,
        CloseConversation,
        CloseBlockedConversation,
        ReleaseHeldMessage,
        scope=Scope.REQUEST,
    )


async def _announce_match(scope: AsyncContainer, event: MatchCreated) -> object:
    await (await scope.get(AnnounceMatch))(event)
    return None


async def _announce_matches(scope: AsyncContainer, events: Sequence[MatchCreated]) -> object:
    announce = await scope.get(AnnounceMatch)
    for event in events:
        await announce(event)
    return None


async def _screen_unscreened(scope: AsyncContainer, _: None) -> object:
    return await (await scope.get(ScreenUnscreenedMessages))()


async def _close_conversation(scope: AsyncContainer, event: Unmatched) -> object:
    await (await scope.get(CloseConversation))(event)
    return None


async def _close_blocked_conversation(scope: AsyncContainer, event: MemberBlocked) -> object:
    await (await scope.get(CloseBlockedConversation))(event)
    return None


async def _release_held_message(scope: AsyncContainer, event: HeldMessageReleased) -> object:
    return await (await scope.get(ReleaseHeldMessage))(event)


CAPABILITY = Capability(
    name="conversations",
    personal_data=PERSONAL_DATA,
    providers=lambda settings: [ConversationsProvider(settings)],
    events=(MessageSent, MessageHeld),
    handlers={
        MatchCreated: (topics.ANNOUNCE_MATCH,),
        Unmatched: (topics.CLOSE_CONVERSATION,),
        MemberBlocked: (topics.CLOSE_BLOCKED_CONVERSATION,),
        HeldMessageReleased: (topics.RELEASE_HELD_MESSAGE,),
    },
    jobs={
        topics.ANNOUNCE_MATCH: Job(_announce_match, run_many=_announce_matches),
        topics.CLOSE_CONVERSATION: Job(_close_conversation),
        topics.CLOSE_BLOCKED_CONVERSATION: Job(_close_blocked_conversation),
        topics.SCREEN_UNSCREENED: Job(_screen_unscreened),
        topics.RELEASE_HELD_MESSAGE: Job(_release_held_message),
    },
    beat_schedule={
        "screen-unscreened-messages": {"task": topics.SCREEN_UNSCREENED, "schedule": 60.0},
    },
)
