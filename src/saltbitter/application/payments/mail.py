"""Payment emails, sent by jobs the payments events trigger (through the outbox)."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.payments.events import (
    PaymentFailed,
    SpendingThresholdReached,
    SubscriptionActivated,
    SubscriptionEnded,
)
from saltbitter.application.ports.mail import Mailer, OutgoingEmail
from saltbitter.application.ports.payments import MemberContacts

__all__ = ["PaymentEvent", "SendPaymentEmail"]

PaymentEvent = SubscriptionActivated | PaymentFailed | SubscriptionEnded | SpendingThresholdReached


def _message(event: PaymentEvent) -> tuple[str, str]:
    match event:
        case SubscriptionActivated():
            return (
                f"Welcome to SaltBitter {event.tier.value.title()}",
                f"Your {event.tier.value.title()} subscription is active. You can change "
                "or cancel it any time from your account; a cancellation keeps your plan "
                "until the end of the period you paid for.",
            )
        case PaymentFailed():
            return (
                "Your SaltBitter payment did not go through",
                "We could not collect your subscription payment. You keep your plan for "
                "a few days while you update your payment method in the billing portal.",
            )
        case SpendingThresholdReached():
            dollars = event.threshold_cents // 100
            return (
                f"You have spent {dollars} USD on SaltBitter this month",
                f"Your purchases this month ({event.month}, UTC) have reached {dollars} USD. "
                "This is a reminder, not a limit: you can set a monthly spending cap in "
                "your account (lowering it applies at once), and nothing you buy changes "
                "who sees your profile.",
            )
        case SubscriptionEnded():
            return (
                "Your SaltBitter subscription has ended",
                "Your subscription has ended and your account is on the Free plan. "
                "Everything you made stays; you can subscribe again any time.",
            )


@dataclass(frozen=True, slots=True)
class SendPaymentEmail:
    contacts: MemberContacts
    mailer: Mailer

    async def __call__(self, event: PaymentEvent) -> bool:
        address = await self.contacts.email_of(event.user_id)
        if address is None:
            return False
        subject, text = _message(event)
        await self.mailer.send(OutgoingEmail(to=address, subject=subject, text=text))
        return True
