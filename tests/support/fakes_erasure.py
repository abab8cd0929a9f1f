"""The erasure ports on the request's in-memory connection."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from saltbitter.application.ports.erasure import ErasureSchedule, OutboxPurge, PaymentCustomers
from saltbitter.testing.fakes_erasure import (
    InMemoryErasureSchedule,
    InMemoryOutboxPurge,
    InMemoryPaymentCustomers,
)

__all__ = ["ErasureFakes"]


class ErasureFakes(Provider):
    scope = Scope.REQUEST

    schedule = provide(InMemoryErasureSchedule, provides=ErasureSchedule, override=True)
    customers = provide(InMemoryPaymentCustomers, provides=PaymentCustomers, override=True)
    outbox_purge = provide(InMemoryOutboxPurge, provides=OutboxPurge, override=True)
