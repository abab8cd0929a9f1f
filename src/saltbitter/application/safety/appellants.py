"""Who may appeal: a suspended member is refused everywhere except here."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.ports.accounts import SessionRepository, UserRepository
from saltbitter.application.ports.security import AccessTokenCodec
from saltbitter.application.ports.system import Clock
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.errors import AuthenticationFailed

__all__ = ["Appellant", "AuthenticateAppellant"]


@dataclass(frozen=True, slots=True)
class Appellant:
    """The caller of the appeal route: a principal that may be suspended."""

    principal: Principal


@dataclass(frozen=True, slots=True)
class AuthenticateAppellant:
    """Turn an access token into a principal for ``POST /moderation/appeals`` only.

    The same checks as signing in to any other route (a live session of an existing,
    open account), except that a suspended member is admitted: appealing the suspension
    is the one thing they may still do. A ban revokes every session, so a banned member
    is refused here too.
    """

    sessions: SessionRepository
    users: UserRepository
    codec: AccessTokenCodec
    clock: Clock

    async def __call__(self, access_token: str) -> Appellant:
        claims = self.codec.decode(access_token, self.clock.now())
        session = await self.sessions.get(claims.session_id)
        user = await self.users.get(claims.user_id)
        if (
            session is None
            or not session.active
            or user is None
            or session.user_id != user.id
            or user.status is AccountStatus.DEACTIVATED
        ):
            raise AuthenticationFailed(
                "The session has ended; sign in again.", code="session_revoked"
            )
        return Appellant(Principal(user.id, session.id, user.roles, user.tier, user.email_verified))
