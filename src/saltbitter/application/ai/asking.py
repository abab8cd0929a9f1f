"""Asking the model within the daily quota: count first, give back on failure."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.ports.ai import AiQuotaCounter, LanguageModel, ModelReply, ModelRequest
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.ai.quota import (
    daily_ai_quota,
    quota_day,
    quota_resets_at,
    seconds_until_reset,
)
from saltbitter.domain.errors import QuotaExceeded

__all__ = ["QuotaGate"]


@dataclass(frozen=True, slots=True)
class QuotaGate:
    """The quota is spent in its own short transaction before the model is called (so 60
    concurrent messages on a quota of 50 reach the provider 50 times, not 60) and given
    back when the provider fails: a failure never costs the member a message."""

    transaction: Transaction
    quota: AiQuotaCounter
    model: LanguageModel
    clock: Clock

    async def ask(self, principal: Principal, request: ModelRequest) -> tuple[ModelReply, int]:
        """The reply and how many messages are left today."""
        now = self.clock.now()
        day = quota_day(now)
        limit = daily_ai_quota(principal.tier)
        async with self.transaction:
            count = await self.quota.try_spend(principal.user_id, day, limit)
            await self.transaction.commit()
        if count is None:
            raise QuotaExceeded(
                f"Today's {limit} AI messages are used up; the quota resets at "
                f"{quota_resets_at(now).isoformat()}.",
                code="ai_quota_exceeded",
                retry_after_seconds=seconds_until_reset(now),
            )
        try:
            reply = await self.model.reply(request)
        except Exception:
            async with self.transaction:
                await self.quota.give_back(principal.user_id, day)
                await self.transaction.commit()
            raise
        return reply, limit - count
