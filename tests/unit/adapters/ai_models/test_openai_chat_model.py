"""The OpenAI adapter through the real SDK against a local OpenAI-compatible endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import openai
import pytest

from saltbitter.adapters.openai.chat import OpenAIChatModel
from saltbitter.adapters.openai.stand_in import STAND_IN_NOTE, TemplateLanguageModel
from saltbitter.application.ports.ai import AiTask, MessageRole, ModelRequest, Turn
from saltbitter.domain.errors import Unavailable
from saltbitter.entrypoints.capabilities.ai import language_model_for
from saltbitter.entrypoints.settings import Settings
from support.openai_server import FakeOpenAI


def practice(text: str = "Hello!") -> ModelRequest:
    return ModelRequest(
        task=AiTask.PRACTICE,
        instructions="You are an AI practice partner.",
        turns=(Turn(MessageRole.MEMBER, text),),
        requester="0" * 32,
        persona="shy",
    )


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
async def model(server: FakeOpenAI) -> AsyncIterator[OpenAIChatModel]:
    chat = OpenAIChatModel(
        api_key="test-key",
        model="gpt-test",
        base_url=server.base_url,
        timeout_seconds=2.0,
        max_retries=1,
        max_tokens=123,
    )
    yield chat
    await chat.close()


async def test_sends_only_the_request_and_asks_not_to_store(
    server: FakeOpenAI, model: OpenAIChatModel
) -> None:
    reply = await model.reply(practice("What do you do for fun?"))
    assert reply.text == server.reply
    assert reply.model == "gpt-test"
    [body] = server.bodies()
    assert body["model"] == "gpt-test"
    assert body["store"] is False
    assert body["metadata"]["training"] == "never"
    assert body["safety_identifier"] == "0" * 32
    assert body["max_completion_tokens"] == 123
    assert body["messages"] == [
        {"role": "system", "content": "You are an AI practice partner."},
        {"role": "user", "content": "What do you do for fun?"},
    ]
    assert set(body) <= {
        "model",
        "messages",
        "store",
        "metadata",
        "safety_identifier",
        "max_completion_tokens",
        "response_format",
    }


async def test_structured_output_for_lists(server: FakeOpenAI, model: OpenAIChatModel) -> None:
    server.items = ["One?", "Two?", "Three?", "Four?"]
    request = ModelRequest(
        task=AiTask.ICEBREAKERS,
        instructions="Suggest openers.",
        turns=(Turn(MessageRole.MEMBER, "Shared topics: jazz"),),
        requester="r",
        topics=("jazz",),
        list_of=3,
    )
    reply = await model.reply(request)
    assert reply.items == ("One?", "Two?", "Three?")
    schema = server.bodies()[0]["response_format"]
    assert schema["type"] == "json_schema"
    assert schema["json_schema"]["schema"]["properties"]["items"]["maxItems"] == 3


async def test_retries_then_succeeds(server: FakeOpenAI, model: OpenAIChatModel) -> None:
    server.fail_next(503, times=1)
    reply = await model.reply(practice())
    assert reply.text == server.reply
    assert len(server.bodies()) == 2


@pytest.mark.parametrize("status", [400, 401, 429, 500])
async def test_provider_errors_become_ai_unavailable(
    server: FakeOpenAI, model: OpenAIChatModel, status: int
) -> None:
    server.fail_next(status, times=5)
    with pytest.raises(Unavailable) as failed:
        await model.reply(practice())
    assert failed.value.code == "ai_unavailable"
    assert isinstance(failed.value.__cause__, openai.OpenAIError)


async def test_timeout_becomes_ai_unavailable(server: FakeOpenAI) -> None:
    server.delay_seconds = 1.0
    chat = OpenAIChatModel(
        api_key="k", model="m", base_url=server.base_url, timeout_seconds=0.2, max_retries=0
    )
    try:
        with pytest.raises(Unavailable):
            await chat.reply(practice())
    finally:
        await chat.close()


async def test_unreachable_provider_becomes_ai_unavailable() -> None:
    chat = OpenAIChatModel(
        api_key="k", model="m", base_url="http://127.0.0.1:9/v1", timeout_seconds=1, max_retries=0
    )
    try:
        with pytest.raises(Unavailable):
            await chat.reply(practice())
    finally:
        await chat.close()


async def test_the_server_answers_moderations_in_openai_shape(server: FakeOpenAI) -> None:
    client = openai.AsyncOpenAI(api_key="k", base_url=server.base_url, max_retries=0)
    try:
        result = await client.moderations.create(input=["I want to kill myself", "hi"])
    finally:
        await client.close()
    assert [r.flagged for r in result.results] == [True, False]


async def test_stand_in_is_used_without_a_key_and_says_so() -> None:
    assert isinstance(language_model_for(Settings()), TemplateLanguageModel)
    assert isinstance(language_model_for(Settings(openai_api_key="k")), OpenAIChatModel)
    model = TemplateLanguageModel()
    reply = await model.reply(practice())
    assert STAND_IN_NOTE in reply.text
    assert reply.stand_in
    icebreakers = await model.reply(
        ModelRequest(AiTask.ICEBREAKERS, "x", (), "r", topics=("jazz",), list_of=3)
    )
    assert len(icebreakers.items) == 3
    assert "jazz" in icebreakers.items[0]
