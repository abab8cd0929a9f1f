"""Accounts over HTTP: /api/v1/auth/* and /api/v1/me."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from saltbitter.application.accounts.deletion import AccountOwner
from saltbitter.application.accounts.dto import (
    MeView,
    RegisterCommand,
    Registered,
    RegistrationReceived,
    TokenPair,
)
from saltbitter.application.accounts.passwords import ConfirmPasswordReset, RequestPasswordReset
from saltbitter.application.accounts.registration import (
    RegisterUser,
    RequestVerificationCode,
    VerifyEmail,
)
from saltbitter.application.accounts.sessions import (
    GetMe,
    ListSessions,
    Login,
    Logout,
    LogoutEverywhere,
    RefreshSession,
    RevokeSession,
)
from saltbitter.application.shared.identity import ClientInfo, Principal
from saltbitter.domain.shared import SessionId
from saltbitter.entrypoints.http.problems import documented_errors
from saltbitter.entrypoints.http.schemas import (
    CodeConfirmation,
    EmailOnly,
    LoginRequest,
    PasswordResetConfirmation,
    RefreshRequest,
    RegisterRequest,
    SessionList,
)

__all__ = ["AuthController", "MeController"]

BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]
LIMITED = 429


class AuthController(Controller):
    path = "/auth"
    tags = ["accounts"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post(
        "/register",
        status_code=HTTP_202_ACCEPTED,
        summary="Create an account (18+); a verification code is emailed",
        description=(
            "Answers the same whether or not the address already has an account (which is "
            "left unchanged; its owner is emailed a notice instead of a code)."
        ),
        responses=documented_errors(422, LIMITED),
    )
    async def register(
        self,
        data: JSONBody[RegisterRequest],
        register: FromDishka[RegisterUser],
        client: FromDishka[ClientInfo],
    ) -> RegistrationReceived:
        command = msgspec.convert(data, RegisterCommand, from_attributes=True)
        return await register(replace(command, client=client))

    @post(
        "/verify",
        status_code=HTTP_200_OK,
        summary="Confirm the email address with the 6-digit code",
        responses=documented_errors(422, LIMITED),
    )
    async def verify(
        self, data: JSONBody[CodeConfirmation], verify: FromDishka[VerifyEmail]
    ) -> Registered:
        return await verify(data.email, data.code)

    @post(
        "/verify/resend",
        status_code=HTTP_202_ACCEPTED,
        summary="Send a fresh verification code (same answer for unknown emails)",
        responses=documented_errors(422, LIMITED),
    )
    async def resend(
        self, data: JSONBody[EmailOnly], resend: FromDishka[RequestVerificationCode]
    ) -> None:
        await resend(data.email)

    @post(
        "/login",
        status_code=HTTP_200_OK,
        summary="Exchange email and password for an access and a refresh token",
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def login(
        self, data: JSONBody[LoginRequest], login: FromDishka[Login], client: FromDishka[ClientInfo]
    ) -> TokenPair:
        return await login(data.email, data.password, client)

    @post(
        "/refresh",
        status_code=HTTP_200_OK,
        summary="Rotate the refresh token; reusing an old one closes the session",
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def refresh(
        self, data: JSONBody[RefreshRequest], refresh: FromDishka[RefreshSession]
    ) -> TokenPair:
        return await refresh(data.refresh_token)

    @post(
        "/logout",
        status_code=HTTP_204_NO_CONTENT,
        summary="Close the session of this refresh token",
        responses=documented_errors(422, LIMITED),
    )
    async def logout(self, data: JSONBody[RefreshRequest], logout: FromDishka[Logout]) -> None:
        await logout(data.refresh_token)

    @post(
        "/logout-all",
        status_code=HTTP_204_NO_CONTENT,
        summary="Close every session; all access tokens stop working at once",
        security=BEARER,
        opt={"caller": AccountOwner},
        responses=documented_errors(401, 403, LIMITED),
    )
    async def logout_all(
        self, owner: FromDishka[AccountOwner], logout_everywhere: FromDishka[LogoutEverywhere]
    ) -> None:
        await logout_everywhere(owner.principal)

    @get(
        "/sessions",
        summary="The caller's active sessions",
        security=BEARER,
        responses=documented_errors(401, 403, LIMITED),
    )
    async def sessions(
        self, principal: FromDishka[Principal], list_sessions: FromDishka[ListSessions]
    ) -> SessionList:
        return SessionList(await list_sessions(principal))

    @delete(
        "/sessions/{session_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        summary="Close one of the caller's sessions",
        security=BEARER,
        responses=documented_errors(401, 403, 404, LIMITED),
    )
    async def revoke_session(
        self,
        session_id: FromPath[UUID],
        principal: FromDishka[Principal],
        revoke: FromDishka[RevokeSession],
    ) -> None:
        await revoke(principal, SessionId(session_id))

    @post(
        "/password-reset",
        status_code=HTTP_202_ACCEPTED,
        summary="Email a reset code (same answer whether or not the email exists)",
        responses=documented_errors(422, LIMITED),
    )
    async def request_reset(
        self, data: JSONBody[EmailOnly], request_reset: FromDishka[RequestPasswordReset]
    ) -> None:
        await request_reset(data.email)

    @post(
        "/password-reset/confirm",
        status_code=HTTP_204_NO_CONTENT,
        summary="Set a new password with the code; closes every session",
        responses=documented_errors(422, LIMITED),
    )
    async def confirm_reset(
        self, data: JSONBody[PasswordResetConfirmation], confirm: FromDishka[ConfirmPasswordReset]
    ) -> None:
        await confirm(data.email, data.code, data.new_password)


class MeController(Controller):
    path = "/me"
    tags = ["accounts"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/",
        summary="The caller's account",
        description=(
            "While a deletion is pending, `deletion_pending` is true and `erasure_due_at` "
            "says when the account will be erased (cancel with DELETE /me/deletion)."
        ),
        security=BEARER,
        opt={"caller": AccountOwner},
        responses=documented_errors(401, 403, LIMITED),
    )
    async def me(self, owner: FromDishka[AccountOwner], get_me: FromDishka[GetMe]) -> MeView:
        return await get_me(owner)
