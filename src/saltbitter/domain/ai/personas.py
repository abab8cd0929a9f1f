"""The five practice personas, each with a machine-readable AI disclosure.

The disclosure is what EU AI Act Art. 50(1) and California SB 243 § 22602(a) ask for:
the member is told, before the first exchange and in a form a client can render, that
they are talking to an AI, what it is for, what it cannot do, and which human help
exists instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from saltbitter.domain.errors import NotFound

__all__ = [
    "COACH_DISCLOSURE",
    "DISCLOSURE_VERSION",
    "ICEBREAKER_DISCLOSURE",
    "PERSONAS",
    "Disclosure",
    "Persona",
    "PersonaId",
    "persona",
]

DISCLOSURE_VERSION = "2026-12-ai-1"

_NOT_TRAINED = (
    "Conversations are never used to train AI models, by us or by our provider.",
    "You can read, export and delete your AI history at any time.",
)
_LIMITATIONS = (
    "It is an AI, not a person: it has no feelings, memory of you outside this "
    "conversation, or knowledge of the members you talk to.",
    "It can be wrong or sound more certain than it is.",
    "It gives no medical, psychological, legal or crisis advice; in a crisis it points "
    "you to people who can help.",
    *_NOT_TRAINED,
)


@dataclass(frozen=True, slots=True)
class Disclosure:
    """What every AI answer is labelled with (clients render it before the first message)."""

    purpose: str
    capabilities: tuple[str, ...]
    limitations: tuple[str, ...]
    human_alternative: str
    disclosure_version: str = DISCLOSURE_VERSION
    is_ai: bool = True

    def __post_init__(self) -> None:
        if not self.is_ai:
            raise ValueError("An AI disclosure always says is_ai.")
        if not (self.purpose and self.capabilities and self.limitations):
            raise ValueError("A disclosure names purpose, capabilities and limitations.")
        if not self.human_alternative:
            raise ValueError("A disclosure names a human alternative.")


class PersonaId(StrEnum):
    SHY = "shy"
    DIRECT = "direct"
    PLAYFUL = "playful"
    ANXIOUS = "anxious"
    AVOIDANT = "avoidant"


@dataclass(frozen=True, slots=True)
class Persona:
    id: PersonaId
    name: str
    style: str  # one sentence shown to the member
    instructions: str  # how the model plays the persona (sent as the system message)
    openers: tuple[str, ...]  # the stand-in's templates
    disclosure: Disclosure


def _practice(style: str) -> Disclosure:
    return Disclosure(
        purpose=f"Practice partner for rehearsing first conversations with someone {style}.",
        capabilities=(
            "Role-plays a fictional dating-app match so you can practise replies.",
            "Stays in one conversational style so you can try different approaches.",
        ),
        limitations=_LIMITATIONS,
        human_alternative=(
            "Talk to a real member you matched with, a friend you trust, or a licensed "
            "dating or relationship coach."
        ),
    )


_RULES = (
    "You are a fictional practice partner on a dating app and you are an AI. Never claim "
    "to be human; if asked, say you are an AI practice partner. Keep replies under 80 "
    "words, friendly and respectful. Never flirt sexually, never ask for contact details, "
    "money or photos, never give medical or crisis advice."
)

PERSONAS: tuple[Persona, ...] = (
    Persona(
        PersonaId.SHY,
        "Sam",
        "Shy: short answers, warms up slowly when asked open questions.",
        f"{_RULES} Style: shy. Answer briefly, hesitate a little, open up when the "
        "member asks kind, open questions.",
        ("Oh, hi... sorry, I'm not great at starting these.", "Um, that's nice. What about you?"),
        _practice("shy"),
    ),
    Persona(
        PersonaId.DIRECT,
        "Dana",
        "Direct: says what they think and expects clear answers.",
        f"{_RULES} Style: direct. Be candid and concise, ask clear questions, appreciate "
        "clear answers.",
        ("Hi. Let's skip the small talk: what are you looking for here?", "Fair. Go on."),
        _practice("direct"),
    ),
    Persona(
        PersonaId.PLAYFUL,
        "Pip",
        "Playful: jokes, teases lightly, enjoys banter.",
        f"{_RULES} Style: playful. Use light humour and friendly teasing, never mean.",
        ("Hey! Quick: pineapple on pizza, yes or absolutely yes?", "Ha, bold move. Tell me more!"),
        _practice("playful"),
    ),
    Persona(
        PersonaId.ANXIOUS,
        "Alex",
        "Anxious: wants reassurance, worries about being liked.",
        f"{_RULES} Style: anxious. Seek some reassurance, worry a little whether the member "
        "is interested, respond warmly to clear, kind messages.",
        ("Hi! I hope this isn't weird, I was really happy we matched.", "Oh good, I was worried."),
        _practice("anxious"),
    ),
    Persona(
        PersonaId.AVOIDANT,
        "Riley",
        "Avoidant: values independence, steps back when things get intense.",
        f"{_RULES} Style: avoidant. Be friendly but keep some distance, change the subject "
        "when things get too personal too fast, respond to a relaxed pace.",
        ("Hey. Busy week, but sure, let's chat.", "Maybe. Let's not rush it."),
        _practice("avoidant"),
    ),
)

_BY_ID = {p.id.value: p for p in PERSONAS}


def persona(persona_id: str) -> Persona:
    found = _BY_ID.get(persona_id)
    if found is None:
        raise NotFound("There is no such practice persona.", code="persona_not_found")
    return found


COACH_DISCLOSURE = Disclosure(
    purpose="AI coach: feedback on your own draft messages and a plain explanation of "
    "your own assessment result.",
    capabilities=(
        "Comments on the tone and clarity of a draft you wrote; it never rewrites or sends "
        "a message for you.",
        "Explains your own attachment-style result in plain, non-diagnostic words.",
    ),
    limitations=(
        "It is an AI, not a therapist: its explanation is no diagnosis.",
        *_LIMITATIONS[1:],
    ),
    human_alternative="A licensed counsellor or relationship coach, or a friend you trust.",
)

ICEBREAKER_DISCLOSURE = Disclosure(
    purpose="AI-generated conversation openers for one of your matches.",
    capabilities=(
        "Suggests up to three openers from the interests and values you share.",
        "Never sends anything on your behalf: you choose, edit or ignore them.",
    ),
    limitations=_LIMITATIONS,
    human_alternative="Write your own first message; ask a friend for ideas.",
)
