from __future__ import annotations

import asyncio
import base64
import json
import urllib.request
from collections.abc import Sequence
from typing import Any, cast

import pytest
from mypy_boto3_ses import SESClient

from saltbitter.adapters.mail import SesMailer, parse_message, ses_client
from saltbitter.application.ports.mail import OutgoingEmail
from saltbitter.domain.errors import Unavailable
from saltbitter.testing.contracts.mail import MailerContract, SentMessages

pytestmark = pytest.mark.integration

REGION = "eu-west-1"
SENDER_ADDRESS = "no-reply@saltbitter.test"
SENDER = f"SaltBitter ☕ <{SENDER_ADDRESS}>"


def client_for(endpoint: str, *, max_attempts: int = 3) -> SESClient:
    # The factory promises only what the mailer calls; tests also verify identities.
    client = ses_client(
        REGION,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        max_attempts=max_attempts,
    )
    return cast(SESClient, client)


@pytest.fixture(scope="module")
def ses(moto_endpoint: str) -> SESClient:
    client = client_for(moto_endpoint)
    client.verify_email_identity(EmailAddress=SENDER_ADDRESS)
    return client


def delivered_raw_messages(endpoint: str) -> list[dict[str, Any]]:
    """What the SES endpoint recorded as sent, through moto's HTTP state API."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=5) as response:
        state = json.load(response)
    messages: list[dict[str, Any]] = state.get("ses", {}).get("RawMessage", [])
    return messages


def raw_bytes(record: dict[str, Any]) -> bytes:
    raw = record["raw_data"]
    return raw.encode() if isinstance(raw, str) else base64.b64decode(raw)


class TestSesMailer(MailerContract):
    @pytest.fixture
    def mailer(self, ses: SESClient) -> SesMailer:
        return SesMailer(ses, SENDER)

    @pytest.fixture
    def sent_messages(self, moto_endpoint: str) -> SentMessages:
        already = {record["id"] for record in delivered_raw_messages(moto_endpoint)}

        async def read() -> Sequence[OutgoingEmail]:
            records = await asyncio.to_thread(delivered_raw_messages, moto_endpoint)
            return [parse_message(raw_bytes(r)) for r in records if r["id"] not in already]

        return read


async def test_ses_takes_sender_and_recipient_from_the_headers(
    ses: SESClient, moto_endpoint: str
) -> None:
    before = len(delivered_raw_messages(moto_endpoint))
    await SesMailer(ses, SENDER).send(OutgoingEmail("Zoë <zoe@example.org>", "s", "code 1"))
    record = delivered_raw_messages(moto_endpoint)[before]
    assert record["source"] == SENDER_ADDRESS
    assert any("zoe@example.org" in destination for destination in record["destinations"])


async def test_an_unverified_sender_is_unavailable(ses: SESClient) -> None:
    mailer = SesMailer(ses, "stranger@elsewhere.test")
    with pytest.raises(Unavailable) as caught:
        await mailer.send(OutgoingEmail("ada@example.org", "s", "t"))
    assert caught.value.code == "mail_unavailable"


async def test_an_unreachable_endpoint_is_unavailable() -> None:
    mailer = SesMailer(client_for("http://127.0.0.1:1", max_attempts=1), SENDER)
    with pytest.raises(Unavailable) as caught:
        await mailer.send(OutgoingEmail("ada@example.org", "s", "t"))
    assert caught.value.code == "mail_unavailable"
