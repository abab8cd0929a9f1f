"""Conversations over HTTP under /api/v1 (issue 10) and the member's WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import msgspec
import structlog
from dishka import AsyncContainer
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, WebSocket, get, post, websocket
from litestar.channels import ChannelsPlugin
from litestar.exceptions import WebSocketDisconnect
from litestar.handlers import WebsocketRouteHandler
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
)
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from saltbitter.application.accounts.sessions import Authenticate
from saltbitter.application.conversations.attachments import GetMessagePhoto
from saltbitter.application.conversations.inbox import ListConversations
from saltbitter.application.conversations.live import AcknowledgeDelivery, CatchUp, SendTyping
from saltbitter.application.conversations.messages import (
    ListMessages,
    MarkRead,
    SendMessage,
    SendPhotoMessage,
)
from saltbitter.application.conversations.views import (
    AttachmentView,
    ConversationsPage,
    MessageNew,
    MessagesPage,
    SentMessage,
)
from saltbitter.application.ports.conversations import DeliveryReceipt
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.conversations import TypingThrottle
from saltbitter.domain.errors import SaltbitterError, ValidationFailed
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.http.accounts import BEARER, LIMITED
from saltbitter.entrypoints.http.problems import documented_errors
from saltbitter.entrypoints.http.profiles import UPLOAD_BODY_LIMIT, read_photo_form
from saltbitter.entrypoints.http.schemas import CURSOR_PATTERN
from saltbitter.entrypoints.realtime import SESSION_CHANGED_FRAME, RealtimeChannels
from saltbitter.entrypoints.settings import Settings

__all__ = [
    "ROUTES",
    "ConversationsController",
    "DeliveryReceipts",
    "EventCache",
    "MessagesController",
    "ReadRequest",
    "SendMessageRequest",
    "SentMessageResponse",
    "socket_handler",
]

log = structlog.get_logger(__name__)
T = TypeVar("T")

CLOSE_UNAUTHORISED = 4401
_MATCH_PATH = "/matches/{match_id:uuid}"

Cursor = Annotated[
    str | None,
    QueryParameter(
        max_length=200,
        pattern=CURSOR_PATTERN,
        required=False,
        description="The next_cursor of the previous page (omit for the first page).",
    ),
]


class SendMessageRequest(msgspec.Struct, forbid_unknown_fields=True):
    body: Annotated[str, msgspec.Meta(max_length=8000)]
    """1 to 2000 characters once leading and trailing whitespace is trimmed."""
    client_message_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    """The sender's idempotency key: the same key again answers the same message."""


class ReadRequest(msgspec.Struct, forbid_unknown_fields=True):
    up_to_message_id: UUID


class SentMessageResponse(msgspec.Struct):
    id: UUID
    match_id: UUID
    sender_id: UUID
    body: str
    created_at: datetime
    delivered_at: datetime | None
    read_at: datetime | None
    status: str
    attachment: AttachmentView | None = None
    """A photo message's picture: {kind: "photo", url, expires_at, width, height}."""
    notice: str | None = None

    @classmethod
    def of(cls, sent: SentMessage) -> SentMessageResponse:
        view = sent.message
        if view.sender_id is None:  # the caller just sent it: never an erased member
            raise ValueError("A sent message names its sender.")
        return cls(
            view.id,
            view.match_id,
            view.sender_id,
            view.body,
            view.created_at,
            view.delivered_at,
            view.read_at,
            view.status,
            view.attachment,
            sent.notice,
        )


@dataclass
class MessagePhotoOperation(Operation):
    """Documents the photo message's multipart body, which the handler reads itself."""

    def __post_init__(self) -> None:
        fields: dict[str, Reference | Schema] = {
            "file": Schema(
                type=OpenAPIType.STRING,
                format=OpenAPIFormat.BINARY,
                description="A JPEG, PNG or WebP image of at most 10 MB (type read from the bytes)",
            ),
            "client_message_id": Schema(
                type=OpenAPIType.STRING,
                min_length=1,
                max_length=64,
                description="The sender's idempotency key, as for text messages",
            ),
            "body": Schema(
                type=OpenAPIType.STRING, max_length=8000, description="An optional caption"
            ),
        }
        self.request_body = RequestBody(
            required=True,
            content={
                "multipart/form-data": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        properties=fields,
                        required=["file", "client_message_id"],
                    )
                )
            },
        )


class ConversationsController(Controller):
    path = "/conversations"
    tags = ["conversations"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/",
        summary="Your open conversations, newest activity first (30 a page)",
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def list_conversations(
        self,
        principal: FromDishka[Principal],
        list_conversations: FromDishka[ListConversations],
        cursor: Cursor = None,
    ) -> ConversationsPage:
        return await list_conversations(principal, cursor)


class MessagesController(Controller):
    path = _MATCH_PATH
    tags = ["conversations"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/messages",
        summary="A conversation's messages, newest first",
        description=(
            "Only the two members of an open match may read it; another member's match "
            "is 404 `match_not_found`, an ended one 404 `conversation_closed`."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, 404, 422, LIMITED),
    )
    async def list_messages(
        self,
        match_id: FromPath[UUID],
        principal: FromDishka[Principal],
        list_messages: FromDishka[ListMessages],
        before: Annotated[
            str | None,
            QueryParameter(
                max_length=200,
                pattern=CURSOR_PATTERN,
                required=False,
                description="The next_cursor of the previous page.",
            ),
        ] = None,
        limit: Annotated[int | None, QueryParameter(ge=1, le=50, required=False)] = None,
    ) -> MessagesPage:
        return await list_messages(principal, match_id, before, limit)

    @post(
        "/messages",
        status_code=HTTP_201_CREATED,
        summary="Send a message (idempotent per client_message_id)",
        description=(
            "201 with the new message; the same `client_message_id` again answers the "
            "stored message with 200. Every message is screened: `notice` tells the "
            "sender about a nudge, a hold for review or a block."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, 404, 409, 422, LIMITED, 503),
    )
    async def send_message(
        self,
        match_id: FromPath[UUID],
        data: JSONBody[SendMessageRequest],
        principal: FromDishka[Principal],
        send_message: FromDishka[SendMessage],
    ) -> Response[SentMessageResponse]:
        sent = await send_message(principal, match_id, data.body, data.client_message_id)
        return Response(
            SentMessageResponse.of(sent),
            status_code=HTTP_201_CREATED if sent.created else HTTP_200_OK,
        )

    @post(
        "/messages/photos",
        status_code=HTTP_201_CREATED,
        summary="Send a photo (multipart: `file`, `client_message_id`, optional `body`)",
        description=(
            "The picture goes through the profile photos' pipeline (JPEG, PNG or WebP by "
            "its bytes, at most 10 MB, re-encoded without metadata, screened: 422 on "
            "`file` when refused). 201 with the message, whose `attachment` holds a "
            "short-lived signed link; the same `client_message_id` again answers the "
            "stored message with 200."
        ),
        security=BEARER,
        request_max_body_size=UPLOAD_BODY_LIMIT,
        operation_class=MessagePhotoOperation,
        responses=documented_errors(401, 403, 404, 409, 413, 422, LIMITED, 503),
    )
    async def send_photo(
        self,
        match_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        principal: FromDishka[Principal],
        send_photo: FromDishka[SendPhotoMessage],
    ) -> Response[SentMessageResponse]:
        # Read here, after authentication (``principal`` is resolved before this runs).
        content, fields = await read_photo_form(request)
        client_id = fields.get("client_message_id")
        if client_id is None:
            raise ValidationFailed.single(
                "client_message_id", "Send the idempotency key as a form field.", "required"
            )
        sent = await send_photo(principal, match_id, content, fields.get("body"), client_id)
        return Response(
            SentMessageResponse.of(sent),
            status_code=HTTP_201_CREATED if sent.created else HTTP_200_OK,
        )

    @get(
        "/messages/{message_id:uuid}/photo",
        summary="A fresh short-lived link to a photo message's picture",
        description=(
            "For the two members of an open match only: another member's match is 404 "
            "`match_not_found`, a closed conversation 404 `conversation_closed`."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, 404, LIMITED),
    )
    async def message_photo(
        self,
        match_id: FromPath[UUID],
        message_id: FromPath[UUID],
        principal: FromDishka[Principal],
        get_photo: FromDishka[GetMessagePhoto],
    ) -> AttachmentView:
        return await get_photo(principal, match_id, message_id)

    @post(
        "/read",
        status_code=HTTP_204_NO_CONTENT,
        summary="Mark the other member's messages read up to one of them",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 422, LIMITED),
    )
    async def mark_messages_read(
        self,
        match_id: FromPath[UUID],
        data: JSONBody[ReadRequest],
        principal: FromDishka[Principal],
        mark_read: FromDishka[MarkRead],
    ) -> None:
        await mark_read(principal, match_id, data.up_to_message_id)


ROUTES = (ConversationsController, MessagesController)


# The WebSocket -----------------------------------------------------------------------


class AuthFrame(msgspec.Struct, tag="auth", tag_field="type"):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=4096)]


class ResumeFrame(msgspec.Struct, tag="resume", tag_field="type"):
    last_seen_message_id: UUID


class TypingFrame(msgspec.Struct, tag="typing", tag_field="type"):
    match_id: UUID


class PingFrame(msgspec.Struct, tag="ping", tag_field="type"):
    pass


ClientFrame = AuthFrame | ResumeFrame | TypingFrame | PingFrame
_frames = msgspec.json.Decoder(ClientFrame)
_auth_frame = msgspec.json.Decoder(AuthFrame)
_encoder = msgspec.json.Encoder()


class _Unauthorised(Exception):
    pass


class _Event(msgspec.Struct, frozen=True):
    """A channel event as every socket of the process needs it: parsed once, and its
    text once (a socket sends a text frame)."""

    kind: str | None
    fields: dict[str, Any]
    text: str


class EventCache:
    """Parses each published event once per process, not once per socket.

    The channels plugin hands the same ``bytes`` object to every subscriber of a
    channel, so a member with 10,000 sockets (or 10,000 members with one each, on a
    shared channel) costs one JSON decode and one UTF-8 decode per event. Bounded: the
    oldest entries go first.
    """

    SIZE = 256

    def __init__(self) -> None:
        self._events: OrderedDict[bytes, _Event] = OrderedDict()

    def get(self, raw: bytes) -> _Event:
        event = self._events.get(raw)
        if event is None:
            fields = msgspec.json.decode(raw)
            kind = fields.get("type") if isinstance(fields, dict) else None
            event = _Event(kind, fields if isinstance(fields, dict) else {}, raw.decode())
            self._events[raw] = event
            if len(self._events) > self.SIZE:
                self._events.popitem(last=False)
        return event


class DeliveryReceipts:
    """The process's delivery receipts, noted in batches.

    A ``message.new`` reaching a recipient's socket hands a receipt here; a single
    flusher collects what arrives within ``linger`` seconds (at most ``batch`` of them,
    the same message and recipient once however many of their devices got it) and runs
    ``AcknowledgeDelivery`` on them: one transaction, one UPDATE, instead of one
    transaction and two statements per socket. Best effort, as the push itself
    (ADR 0021): a batch that fails is logged and dropped; ``delivered_at`` then stays
    empty until the message is read.
    """

    def __init__(self, linger: float = 0.005, batch: int = 400) -> None:
        self.linger = linger
        self.batch = batch
        self._pending: dict[DeliveryReceipt, None] = {}
        self._flusher: asyncio.Task[None] | None = None
        self._container: AsyncContainer | None = None

    def add(self, container: AsyncContainer, receipt: DeliveryReceipt) -> None:
        """``container``: the application's container (receipts outlive their socket)."""
        self._container = container
        self._pending[receipt] = None
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush())

    async def drain(self) -> None:
        """Wait until every receipt handed so far is noted (or dropped)."""
        while self._flusher is not None:
            await asyncio.shield(self._flusher)

    async def _flush(self) -> None:
        try:
            while self._pending:
                await asyncio.sleep(self.linger)
                batch = list(itertools.islice(self._pending, self.batch))
                for receipt in batch:
                    del self._pending[receipt]
                await self._note(batch)
        finally:
            self._flusher = None

    async def _note(self, batch: list[DeliveryReceipt]) -> None:
        container = self._container
        assert container is not None
        try:
            async with container() as request:
                await (await request.get(AcknowledgeDelivery))(batch)
        except Exception:  # best effort: read receipts and history still tell the truth
            log.info("delivery receipts not recorded", exc_info=True, receipts=len(batch))


class LiveSocket:
    """One member's socket: forwards their channel's events, answers their frames,
    re-checks the session when told it changed (and now and then for token expiry) and
    closes with 4401 once it ends."""

    SENT_MEMORY = 2000

    def __init__(
        self,
        socket: WebSocket[Any, Any, Any],
        container: AsyncContainer,
        principal: Principal,
        token: str,
        settings: Settings,
        receipts: DeliveryReceipts | None = None,
        events: EventCache | None = None,
    ) -> None:
        self.socket = socket
        self.container = container
        self.receipts = receipts or DeliveryReceipts()
        self.events = events or EventCache()
        self.principal = principal
        self.token = token
        self.settings = settings
        self.lock = asyncio.Lock()
        self.sent: OrderedDict[str, None] = OrderedDict()
        self.throttle = TypingThrottle()

    async def run_use_case(self, kind: type[T], call: Callable[[T], Awaitable[Any]]) -> Any:
        async with self.container() as request:
            return await call(await request.get(kind))

    async def send(self, payload: bytes | str) -> None:
        text = payload if isinstance(payload, str) else payload.decode()
        await self.socket.send_text(text)

    def remember(self, message_id: str) -> bool:
        """False when this socket already got the message (resume and live overlap)."""
        if message_id in self.sent:
            return False
        self.sent[message_id] = None
        if len(self.sent) > self.SENT_MEMORY:
            self.sent.popitem(last=False)
        return True

    async def forward(self, raw: bytes) -> None:
        event = self.events.get(raw)
        kind = event.kind
        if kind == "message.new":
            message = event.fields["message"]
            async with self.lock:
                if not self.remember(message["id"]):
                    return
                await self.socket.send_text(event.text)
            self._acknowledge(message)
            return
        # Everything else is forwarded as published: who may hear an event (read
        # receipts follow the tier) is decided by the use case that publishes it.
        async with self.lock:
            await self.socket.send_text(event.text)

    def _acknowledge(self, message: dict[str, Any]) -> None:
        if message.get("sender_id") == str(self.principal.user_id):
            return
        app_container: AsyncContainer = self.socket.app.state.dishka_container
        self.receipts.add(
            app_container, DeliveryReceipt(UUID(message["id"]), self.principal.user_id)
        )

    async def handle(self, text: str) -> None:
        try:
            frame = _frames.decode(text)
        except msgspec.DecodeError as error:
            await self._error("invalid_frame", str(error)[:200])
            return
        try:
            if isinstance(frame, AuthFrame):
                principal = await _authenticate(self.container, frame.token)
                if principal.user_id != self.principal.user_id:
                    raise _Unauthorised("another member's token")  # the channel is theirs
                self.principal, self.token = principal, frame.token
                await self.send('{"type":"ready"}')
            elif isinstance(frame, ResumeFrame):
                await self._resume(frame.last_seen_message_id)
            elif isinstance(frame, TypingFrame):
                loop_now = datetime.now(UTC)
                if self.throttle.allow(frame.match_id, loop_now):
                    principal = self.principal
                    await self.run_use_case(SendTyping, lambda use: use(principal, frame.match_id))
            else:
                await self.send('{"type":"pong"}')
        except SaltbitterError as error:
            await self._error(error.code, error.message)

    async def _resume(self, last_seen: UUID) -> None:
        principal = self.principal
        async with self.lock:
            missed = await self.run_use_case(CatchUp, lambda use: use(principal, last_seen))
            for view in missed:
                if self.remember(str(view.id)):
                    await self.send(_encoder.encode(MessageNew(message=view)))
        for view in missed:
            self._acknowledge({"id": str(view.id), "sender_id": str(view.sender_id)})

    async def _error(self, code: str, detail: str) -> None:
        async with self.lock:
            await self.send(_encoder.encode({"type": "error", "code": code, "detail": detail}))

    async def read_frames(self) -> None:
        while True:
            text = await self.socket.receive_text()
            await self.handle(text)

    async def watch_session(self) -> None:
        while True:
            await asyncio.sleep(self.settings.ws_session_check_seconds)
            self.principal = await _authenticate(self.container, self.token)


async def _authenticate(container: AsyncContainer, token: str) -> Principal:
    try:
        async with container() as request:
            return await (await request.get(Authenticate))(token)
    except SaltbitterError as error:
        if error.code in {"database_unavailable"}:
            raise
        raise _Unauthorised(error.code) from error


async def _close(socket: WebSocket[Any, Any, Any], code: int, reason: str) -> None:
    with contextlib.suppress(Exception):
        await socket.close(code=code, reason=reason)


async def serve_socket(
    socket: WebSocket[Any, Any, Any],
    plugin: ChannelsPlugin,
    channels: RealtimeChannels,
    settings: Settings,
    receipts: DeliveryReceipts | None = None,
    events: EventCache | None = None,
) -> None:
    await socket.accept()
    container: AsyncContainer = socket.state.dishka_container
    try:
        first = await asyncio.wait_for(socket.receive_text(), settings.ws_auth_timeout_seconds)
        frame = _auth_frame.decode(first)
        principal = await _authenticate(container, frame.token)
    except TimeoutError:
        await _close(socket, CLOSE_UNAUTHORISED, "auth frame missing")
        return
    except (msgspec.DecodeError, _Unauthorised):
        await _close(socket, CLOSE_UNAUTHORISED, "unauthorised")
        return
    except WebSocketDisconnect:
        return
    live = LiveSocket(socket, container, principal, frame.token, settings, receipts, events)
    member_channel = channels.member_channel(UserId(principal.user_id))
    async with plugin.start_subscription([member_channel]) as subscriber:
        await live.send('{"type":"ready"}')

        async def forward_events() -> None:
            async for raw in subscriber.iter_events():
                if raw == SESSION_CHANGED_FRAME:  # revoked, banned...: check now (ADR 0032)
                    live.principal = await _authenticate(container, live.token)
                    continue
                await live.forward(raw)

        tasks = [
            asyncio.create_task(live.read_frames()),
            asyncio.create_task(forward_events()),
            asyncio.create_task(live.watch_session()),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    failure = next((t.exception() for t in done if not t.cancelled() and t.exception()), None)
    if isinstance(failure, _Unauthorised):
        await _close(socket, CLOSE_UNAUTHORISED, "session ended")
    elif failure is not None and not isinstance(failure, WebSocketDisconnect):
        log.warning("websocket failed", error=type(failure).__name__)
        await _close(socket, 1011, "internal error")


def socket_handler(
    path: str, plugin: ChannelsPlugin, channels: RealtimeChannels, settings: Settings
) -> WebsocketRouteHandler:
    """The member's socket: first frame {"type": "auth", "token": ...} within 5 s.

    The sockets of one app share one delivery-receipt batcher and one event cache.
    """
    receipts = DeliveryReceipts()
    events = EventCache()

    @websocket(path, include_in_schema=False)
    async def member_socket(socket: WebSocket[Any, Any, Any]) -> None:
        await serve_socket(socket, plugin, channels, settings, receipts, events)

    return member_socket
