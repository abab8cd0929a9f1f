"""Amazon SES (API v1, ``SendRawEmail``) through boto3.

boto3 is synchronous, so each call runs in a worker thread (boto3 clients are
thread-safe). The raw message carries From and To; SES takes sender and recipients from
those headers, which keeps non-ASCII display names intact (RFC 2047 encoded).

boto3 and botocore are imported when first used, so importing this module (and
``saltbitter.adapters.mail``) works without the ``aws`` extra in embedded mode.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from saltbitter.adapters.mail.message import message_bytes
from saltbitter.application.ports.mail import Mailer, OutgoingEmail
from saltbitter.domain.errors import Unavailable

__all__ = ["SesApi", "SesMailer", "ses_client"]


class SesApi(Protocol):
    """The call this mailer makes on a boto3 SES client.

    Declared here rather than imported from the boto3 type stubs, which load botocore
    when imported: importing this module must not need the ``aws`` extra.
    """

    def send_raw_email(self, *, RawMessage: Any, ConfigurationSetName: str = ...) -> object: ...


def ses_client(
    region_name: str,
    *,
    endpoint_url: str | None = None,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
    max_attempts: int = 3,
) -> SesApi:
    """An SES client with bounded timeouts and retries (credentials default to boto3's chain)."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=5,
        read_timeout=10,
        retries={"mode": "standard", "max_attempts": max_attempts},
    )
    return boto3.client(
        "ses",
        region_name=region_name,
        endpoint_url=endpoint_url,
        aws_access_key_id=aws_access_key_id,
        aws_secret_access_key=aws_secret_access_key,
        config=config,
    )


class SesMailer(Mailer):
    """``sender`` must be an identity verified in SES (``"Name <address>"`` allowed)."""

    def __init__(
        self, client: SesApi, sender: str, *, configuration_set: str | None = None
    ) -> None:
        self._client = client
        self.sender = sender
        self._configuration_set = configuration_set

    async def send(self, message: OutgoingEmail) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        data = message_bytes(self.sender, message)
        try:
            await asyncio.to_thread(self._send_raw, data)
        except (BotoCoreError, ClientError) as error:
            raise Unavailable(
                f"Amazon SES did not accept the message: {error}", code="mail_unavailable"
            ) from error

    def _send_raw(self, data: bytes) -> None:
        if self._configuration_set is None:
            self._client.send_raw_email(RawMessage={"Data": data})
        else:
            self._client.send_raw_email(
                RawMessage={"Data": data}, ConfigurationSetName=self._configuration_set
            )
