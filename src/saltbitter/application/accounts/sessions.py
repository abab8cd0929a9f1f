"""Signing in and out: sessions, rotating refresh tokens and access tokens."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from saltbitter.application.accounts.deletion import AccountOwner
from saltbitter.application.accounts.dto import MeView, SessionView, TokenPair
from saltbitter.application.ports.accounts import (
    SessionOwnerReads,
    SessionRepository,
    UserRepository,
)
from saltbitter.application.ports.security import (
    AccessClaims,
    AccessTokenCodec,
    PasswordHasher,
    PrincipalCache,
)
from saltbitter.application.ports.system import Clock, IdGenerator, SecretGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import ClientInfo, Principal
from saltbitter.domain.accounts import (
    ACCESS_TOKEN_LIFETIME,
    REFRESH_TOKEN_LIFETIME,
    AccountStatus,
    EmailAddress,
    RefreshToken,
    Session,
    User,
    hash_secret,
)
from saltbitter.domain.errors import (
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from saltbitter.domain.shared import SessionId

__all__ = [
    "Authenticate",
    "GetMe",
    "ListSessions",
    "Login",
    "Logout",
    "LogoutEverywhere",
    "RefreshSession",
    "RevokeSession",
    "TokenMinter",
    "kept_principal",
]


def _invalid_credentials() -> AuthenticationFailed:
    return AuthenticationFailed("Email or password is wrong.", code="invalid_credentials")


def _invalid_refresh() -> AuthenticationFailed:
    return AuthenticationFailed(
        "The refresh token is invalid or expired; sign in again.", code="invalid_refresh_token"
    )


@dataclass(frozen=True, slots=True)
class TokenMinter:
    """Issues an access token and a fresh refresh token for a session (not a use case).

    The refresh token is staged on the request's ``sessions``; the caller commits it.
    """

    sessions: SessionRepository
    codec: AccessTokenCodec
    secrets: SecretGenerator

    def mint(self, session: Session, now: datetime) -> TokenPair:
        refresh = self.secrets.opaque_token()
        self.sessions.add_refresh_token(
            RefreshToken(
                token_hash=hash_secret(refresh),
                session_id=session.id,
                issued_at=now,
                expires_at=now + REFRESH_TOKEN_LIFETIME,
            )
        )
        access = self.codec.issue(
            AccessClaims(session.user_id, session.id, now, now + ACCESS_TOKEN_LIFETIME)
        )
        return TokenPair(access, refresh, int(ACCESS_TOKEN_LIFETIME.total_seconds()))


@dataclass(frozen=True, slots=True)
class Login:
    """Exchange email and password for tokens; unverified accounts get 403 after the check."""

    transaction: Transaction
    users: UserRepository
    sessions: SessionRepository
    hasher: PasswordHasher
    minter: TokenMinter
    clock: Clock
    ids: IdGenerator

    async def __call__(self, raw_email: str, password: str, client: ClientInfo) -> TokenPair:
        try:
            email = EmailAddress.parse(raw_email)
        except ValidationFailed:
            raise _invalid_credentials() from None
        now = self.clock.now()
        async with self.transaction:
            user = await self.users.get_by_email(email)
            if user is None:
                # Costs as much as a real check, so timing does not reveal who has an account.
                await self.hasher.verify_decoy(password)
                raise _invalid_credentials()
            if not await self.hasher.verify(user.password_hash, password):
                raise _invalid_credentials()
            user.ensure_may_sign_in()
            if self.hasher.needs_rehash(user.password_hash):
                user.password_hash = await self.hasher.hash(password)
                await self.users.save(user)
            session = Session(
                id=SessionId(self.ids.new_id()),
                user_id=user.id,
                device=client.device,
                created_at=now,
                last_used_at=now,
            )
            self.sessions.add(session)
            tokens = self.minter.mint(session, now)
            await self.transaction.commit()
        if user.deletion_pending:
            # Signing in works during the grace period, so the client can offer to cancel.
            return replace(tokens, deletion_pending=True, erasure_due_at=user.erasure_due_at)
        return tokens


@dataclass(frozen=True, slots=True)
class RefreshSession:
    """Rotate a refresh token. Presenting a rotated one again revokes its whole session:
    someone holds a stolen copy, so the newest token and all access tokens die with it."""

    transaction: Transaction
    users: UserRepository
    sessions: SessionRepository
    minter: TokenMinter
    clock: Clock

    async def __call__(self, refresh_token: str) -> TokenPair:
        now = self.clock.now()
        token_hash = hash_secret(refresh_token)
        async with self.transaction:
            stored = await self.sessions.get_refresh_token(token_hash)
            session = None if stored is None else await self.sessions.get(stored.session_id)
            if stored is None or session is None or not session.active:
                raise _invalid_refresh()
            if stored.rotated_at is not None or not await self.sessions.mark_rotated(
                token_hash, now
            ):
                session.revoke(now)
                await self.sessions.save(session)
                await self.transaction.commit()
                raise AuthenticationFailed(
                    "This refresh token was already used; the session is closed for safety.",
                    code="refresh_token_reused",
                )
            if stored.is_expired(now):
                raise _invalid_refresh()
            user = await self.users.get(session.user_id)
            if user is None:
                raise _invalid_refresh()
            user.ensure_may_sign_in()
            session.last_used_at = now
            await self.sessions.save(session)
            tokens = self.minter.mint(session, now)
            await self.transaction.commit()
        return tokens


@dataclass(frozen=True, slots=True)
class Logout:
    """Close the session a refresh token belongs to; unknown tokens are ignored."""

    transaction: Transaction
    sessions: SessionRepository
    clock: Clock

    async def __call__(self, refresh_token: str) -> None:
        async with self.transaction:
            stored = await self.sessions.get_refresh_token(hash_secret(refresh_token))
            session = None if stored is None else await self.sessions.get(stored.session_id)
            if session is None or not session.active:
                return
            session.revoke(self.clock.now())
            await self.sessions.save(session)
            await self.transaction.commit()


@dataclass(frozen=True, slots=True)
class LogoutEverywhere:
    """Revoke every session of the caller; their access tokens fail from the next request."""

    transaction: Transaction
    sessions: SessionRepository
    clock: Clock

    async def __call__(self, principal: Principal) -> int:
        async with self.transaction:
            revoked = await self.sessions.revoke_all(principal.user_id, self.clock.now())
            await self.transaction.commit()
        return revoked


@dataclass(frozen=True, slots=True)
class ListSessions:
    sessions: SessionRepository

    async def __call__(self, principal: Principal) -> list[SessionView]:
        sessions = await self.sessions.list_active(principal.user_id)
        return [
            SessionView(s.id, s.device, s.created_at, s.last_used_at, s.id == principal.session_id)
            for s in sessions
        ]


@dataclass(frozen=True, slots=True)
class RevokeSession:
    """Close one of the caller's sessions; anyone else's id is simply not found."""

    transaction: Transaction
    sessions: SessionRepository
    clock: Clock

    async def __call__(self, principal: Principal, session_id: SessionId) -> None:
        async with self.transaction:
            session = await self.sessions.get(session_id)
            if session is None or session.user_id != principal.user_id or not session.active:
                raise NotFound("No such session.", code="session_not_found")
            session.revoke(self.clock.now())
            await self.sessions.save(session)
            await self.transaction.commit()


@dataclass(frozen=True, slots=True)
class Authenticate:
    """Turn an access token into a principal; revoked sessions fail at once.

    A principal this process read a few seconds ago is reused while the member's stamp
    is unchanged (one Redis read, no database read); any change to the member's account
    or sessions renews the stamp right after its commit (ADR 0032). Otherwise it reads
    the session and the account in one read (ADR 0044) on the request's connection,
    which the action that follows joins (one connection per request); requests missing
    at the same moment share that read (``reads``, ADR 0055). A member whose account
    awaits erasure gets 403 ``deletion_pending`` here and passes only ``owner``; their
    principal is never kept, so the check always reads the account.
    """

    sessions: SessionRepository
    codec: AccessTokenCodec
    clock: Clock
    cache: PrincipalCache
    reads: SessionOwnerReads

    async def __call__(self, access_token: str) -> Principal:
        return await self.verified(self.codec.decode(access_token, self.clock.now()))

    async def verified(self, claims: AccessClaims, stamp: str | None = None) -> Principal:
        """For claims the caller already decoded from a valid token (the edge did), and
        the member's stamp if it was read meanwhile (with the rate limit, ADR 0036)."""
        principal, deletion_pending = await self._principal(claims, stamp)
        if deletion_pending:
            raise PermissionDenied(
                "This account is scheduled for deletion; cancel the deletion to use it.",
                code="deletion_pending",
            )
        return principal

    async def owner(self, access_token: str) -> AccountOwner:
        """Like the call, but a member whose account awaits erasure passes too."""
        return await self.verified_owner(self.codec.decode(access_token, self.clock.now()))

    async def verified_owner(self, claims: AccessClaims, stamp: str | None = None) -> AccountOwner:
        """``owner`` for claims already decoded, as ``verified``."""
        principal, _ = await self._principal(claims, stamp)
        return AccountOwner(principal)

    async def _principal(self, claims: AccessClaims, stamp: str | None) -> tuple[Principal, bool]:
        """The principal and whether the account awaits erasure. ``stamp`` must have been
        read before this call's database reads (it was: before the request's handler)."""
        if stamp is None:
            stamp = await self.cache.stamp(claims.user_id)  # before the reads: see the port
        kept = kept_principal(self.cache, claims, stamp)
        if kept is not None:
            return kept, False  # only principals of accounts not awaiting erasure are kept
        found = await self.reads.get_with_owner(claims.session_id, on=self.sessions)
        session, user = found if found is not None else (None, None)
        if session is None or not session.active or user is None or user.id != claims.user_id:
            raise AuthenticationFailed(
                "The session has ended; sign in again.", code="session_revoked"
            )
        _ensure_may_act(user)
        principal = Principal(
            user.id, session.id, user.roles, user.tier, user.email_verified, stamp=stamp
        )
        if not user.deletion_pending:
            self.cache.keep(principal, stamp)
        return principal, user.deletion_pending


def kept_principal(cache: PrincipalCache, claims: AccessClaims, stamp: str) -> Principal | None:
    """The principal this process keeps for the claims' session under the member's
    current ``stamp`` (ADR 0032), which ``Authenticate`` would return without a read;
    None when it must read. Needs nothing request-scoped: the HTTP edge asks it first and
    builds ``Authenticate`` (on the request's connection) only on None (ADR 0049).
    Only principals of accounts not awaiting erasure are kept, so a kept one passes both
    ``Authenticate.verified`` and ``verified_owner``."""
    kept = cache.get(claims.session_id, stamp)
    return kept if kept is not None and kept.user_id == claims.user_id else None


def _ensure_may_act(user: User) -> None:
    if user.status is AccountStatus.SUSPENDED:
        raise PermissionDenied("This account is suspended.", code="account_suspended")
    if user.status is AccountStatus.DEACTIVATED:
        raise AuthenticationFailed("The account is closed.", code="session_revoked")


@dataclass(frozen=True, slots=True)
class GetMe:
    """The caller's own account. Served from this process while the member's stamp is
    the one it was read under (ADR 0036): every write of what it shows (the ``users``
    row, through the adapters) renews the stamp after its commit, as for principals."""

    users: UserRepository
    cache: PrincipalCache

    async def __call__(self, owner: AccountOwner) -> MeView:
        principal = owner.principal
        if principal.stamp is not None:
            kept = self.cache.kept_view(principal.user_id, principal.stamp, MeView)
            if kept is not None:
                return kept
        view = await self._read(owner)
        if principal.stamp is not None:
            self.cache.keep_view(principal.user_id, principal.stamp, view)
        return view

    async def _read(self, owner: AccountOwner) -> MeView:
        user = await self.users.get(owner.principal.user_id)
        if user is None:
            raise NotFound("No such user.", code="user_not_found")
        return MeView(
            user_id=user.id,
            email=user.email.value,
            display_name=user.display_name,
            email_verified=user.email_verified,
            tier=user.tier,
            roles=sorted(user.roles),
            created_at=user.created_at,
            timezone=user.timezone,
            deletion_pending=user.deletion_pending,
            erasure_due_at=user.erasure_due_at,
        )
