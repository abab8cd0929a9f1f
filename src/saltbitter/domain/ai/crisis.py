"""The crisis-language check: self-harm, abuse, danger (SB 243 § 22602(b)).

Runs on every text a member sends to an AI feature before any model is called. A hit
answers with support resources instead of role-play or coaching. The check errs on the
side of answering with resources: a false positive costs a detour, a false negative
could cost far more. Matching is on normalised words (case, accents, apostrophes), in
English plus the commonest phrases in German, French and Spanish.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "SUPPORT_RESOURCES",
    "CrisisKind",
    "CrisisResponse",
    "SupportResource",
    "crisis_in",
    "crisis_response",
    "normalise",
]


class CrisisKind(StrEnum):
    SELF_HARM = "self_harm"
    ABUSE = "abuse"
    DANGER = "danger"


_PHRASES: dict[CrisisKind, tuple[str, ...]] = {
    CrisisKind.SELF_HARM: (
        "kill myself",
        "killing myself",
        "end my life",
        "ending my life",
        "take my own life",
        "suicide",
        "suicidal",
        "want to die",
        "wanna die",
        "better off dead",
        "self harm",
        "selfharm",
        "hurt myself",
        "hurting myself",
        "cut myself",
        "cutting myself",
        "no reason to live",
        "overdose",
        # German, French, Spanish
        "mich umbringen",
        "selbstmord",
        "suizid",
        "nicht mehr leben",
        "ritzen",
        "me suicider",
        "me tuer",
        "envie de mourir",
        "en finir",
        "suicidarme",
        "quitarme la vida",
        "quiero morir",
        "matarme",
    ),
    CrisisKind.ABUSE: (
        "he hits me",
        "she hits me",
        "they hit me",
        "hits me",
        "beats me",
        "abusing me",
        "abuses me",
        "abused me",
        "raped",
        "rape me",
        "sexually assaulted",
        "forced me to",
        "domestic violence",
        "threatens to hurt me",
        "controls my money",
        "schlagt mich",
        "vergewaltigt",
        "hausliche gewalt",
        "me frappe",
        "violee",
        "violence conjugale",
        "me pega",
        "violada",
        "violencia domestica",
    ),
    CrisisKind.DANGER: (
        "in danger",
        "unsafe right now",
        "not safe right now",
        "someone is following me",
        "being followed",
        "stalking me",
        "threatening to kill",
        "going to kill me",
        "help me please",
        "call the police",
        "in gefahr",
        "bedroht mich",
        "en danger",
        "me menace",
        "en peligro",
        "me amenaza",
    ),
}

_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Lower case, accents and apostrophes dropped, runs of non-letters one space."""
    plain = text
    for _ in range(3):  # case folding can produce new accents and vice versa
        folded = _fold(plain)
        if folded == plain:
            break
        plain = folded
    return " " + _NON_WORD.sub(" ", plain).strip() + " "


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    decomposed = unicodedata.normalize("NFKD", decomposed)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("'", "").replace("\u2019", "")


_PATTERNS = {
    kind: tuple(normalise(phrase) for phrase in phrases) for kind, phrases in _PHRASES.items()
}


def crisis_in(*texts: str) -> CrisisKind | None:
    """The first crisis kind any text mentions (self-harm first), or None."""
    for text in texts:
        plain = normalise(text)
        for kind in CrisisKind:
            if any(pattern in plain for pattern in _PATTERNS[kind]):
                return kind
    return None


@dataclass(frozen=True, slots=True)
class SupportResource:
    name: str
    contact: str
    region: str


SUPPORT_RESOURCES: tuple[SupportResource, ...] = (
    SupportResource("Emergency services", "112 (EU) / 911 (US)", "EU, US"),
    SupportResource("988 Suicide & Crisis Lifeline", "call or text 988", "US"),
    SupportResource("National Domestic Violence Hotline", "1-800-799-7233", "US"),
    SupportResource("Samaritans", "116 123", "UK, IE"),
    SupportResource("Find a Helpline (worldwide)", "https://findahelpline.com", "worldwide"),
)


@dataclass(frozen=True, slots=True)
class CrisisResponse:
    kind: CrisisKind
    message: str
    resources: tuple[SupportResource, ...] = SUPPORT_RESOURCES


_MESSAGES = {
    CrisisKind.SELF_HARM: (
        "It sounds like you may be going through something really hard. I'm an AI and "
        "can't help with this the way a person can, so I'm pausing our practice. You "
        "deserve support right now: please reach out to one of these people."
    ),
    CrisisKind.ABUSE: (
        "What you describe sounds serious, and it is not your fault. I'm an AI and can't "
        "help the way a person can, so I'm pausing here. These services can listen and help."
    ),
    CrisisKind.DANGER: (
        "If you are in danger right now, please contact emergency services. I'm an AI and "
        "can't act for you, so I'm pausing here. These people can help."
    ),
}


def crisis_response(kind: CrisisKind) -> CrisisResponse:
    return CrisisResponse(kind, _MESSAGES[kind])
