"""What every AI use case checks first: consent, then the crisis check."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from saltbitter.application.ports.ai import AiConsentReader
from saltbitter.domain.ai.crisis import CrisisResponse, crisis_in, crisis_response
from saltbitter.domain.errors import PermissionDenied
from saltbitter.domain.shared import UserId

__all__ = ["AiPolicy", "crisis_for", "require_consent"]


@dataclass(frozen=True, slots=True)
class AiPolicy:
    """Operator settings the use cases read: the key of the pseudonymous requester id
    sent to the provider, and how many earlier turns of a practice conversation it sees."""

    pseudonym_key: bytes
    context_turns: int = 12

    def requester(self, user: UserId) -> str:
        return hmac.new(self.pseudonym_key, user.bytes, hashlib.sha256).hexdigest()[:32]


async def require_consent(consents: AiConsentReader, user: UserId) -> None:
    """Nothing AI works without a current ai_features consent (withdrawal stops it)."""
    if not await consents.ai_features_granted(user):
        raise PermissionDenied(
            "AI features are off: turn them on with PUT /api/v1/me/consents/ai_features "
            '{"granted": true}.',
            code="ai_consent_required",
        )


def crisis_for(*texts: str) -> CrisisResponse | None:
    kind = crisis_in(*texts)
    return None if kind is None else crisis_response(kind)
