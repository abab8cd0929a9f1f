"""Erasing an account on a live server's storage, as the operator's command does."""

from __future__ import annotations

import asyncio

from saltbitter.application.privacy.erasure import ClaimErasureNow
from saltbitter.entrypoints.capabilities.erasure import erase_claimed
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.settings import Settings

__all__ = ["erase_now"]


def erase_now(settings: Settings, email: str) -> None:
    """What ``saltbitter users erase EMAIL --now`` runs, on the live server's storage
    (in this process: the command's own logging set-up would outlive its runner)."""

    async def erase() -> None:
        container = await build_container(settings)
        try:
            async with container() as scope:
                claimed = await (await scope.get(ClaimErasureNow))(email)
                [outcome] = await erase_claimed(scope, claimed)
        finally:
            await stop_container(container)
        assert outcome.rows > 0

    asyncio.run(erase())
