"""A demo community: N realistic, reproducible members for a living local product.

``plan_demo_community`` decides everything about the demo members up front, from a seed,
without touching any port: accounts, profiles, photo seeds, ECR-R answers and likes. The
``saltbitter demo seed`` command then carries the plan out through the ordinary use cases
(``saltbitter.entrypoints.demo``), so demo members are made exactly as real ones are.

The shapes follow the benchmarks' synthetic population (``benchmarks/synthetic.py``),
scaled down to what a person browsing the demo can take in:

- Locations: a few German-speaking cities with population-like weights, members scattered
  a few kilometres around each centre; Berlin is the biggest.
- Gender and orientation: 47% women, 47% men, 6% non-binary; mostly seeking a different
  gender, with same-gender and multi-gender seekers.
- Ages 20-55, right-skewed (median near 30); age windows follow stated preferences
  (men's minimum lower, women's maximum higher).
- Interests: 3-15 tags from a vocabulary of real hobbies with Zipf-like popularity, so a few
  tags are common and most are rare (a long tail, which the interest score rewards).
- Values (85% answered): a personal scale-use level plus one of a few value archetypes
  plus noise. Attachment (80% consent and answer the ECR-R): answers from a two-factor
  model like real ECR-R data (correlated anxiety and avoidance, internally consistent).
- Tiers: 80% Free, 15% Premium, 5% Elite.

``demo-1@saltbitter.test`` is the newcomer's way in: a complete profile (three photos,
values, assessment) in the biggest city, seeking every gender in a wide age window, with
a few neighbours (members 2-7) who are open to meeting them, one match and two likes
waiting. Every member is planned from its own number and the seed only, so demo-5 is the
same person whether 12 or 40 members are seeded.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar
from uuid import UUID

from saltbitter.application.accounts.admin import DemoAccount
from saltbitter.application.profiles.dto import LocationView, ProfileCommand
from saltbitter.domain.accounts import age_on
from saltbitter.domain.attachment import ECR_R, Subscale
from saltbitter.domain.compatibility import (
    DEFAULT_POLICY,
    CandidateProfile,
    CompatibilityPolicy,
    Gender,
    SchwartzValue,
    check_eligibility,
)
from saltbitter.domain.profiles import RelationshipGoal
from saltbitter.domain.shared import Tier, UserId

__all__ = [
    "DEFAULT_DEMO_SEED",
    "DEMO_EMAIL_DOMAIN",
    "DemoCommunity",
    "DemoMember",
    "demo_email",
    "plan_demo_community",
]

DEFAULT_DEMO_SEED = 2026
DEMO_EMAIL_DOMAIN = "saltbitter.test"


def demo_email(number: int) -> str:
    return f"demo-{number}@{DEMO_EMAIL_DOMAIN}"


@dataclass(frozen=True, slots=True)
class DemoMember:
    """Everything one demo member will do, as the use cases take it."""

    number: int
    account: DemoAccount
    city: str
    profile: ProfileCommand
    photo_seeds: tuple[int, ...]
    """One seed per photo (1-3), for locally generated pictures."""
    answers: Mapping[str, int] | None
    """ECR-R answers as the API takes them; None: declines the sensitive-data consent."""

    @property
    def email(self) -> str:
        return self.account.email


@dataclass(frozen=True, slots=True)
class DemoCommunity:
    members: tuple[DemoMember, ...]
    likes: tuple[tuple[int, int], ...]
    """(liker, liked) member numbers in the order to apply them; a pair liking each other
    appears twice, and the second like makes the match."""

    def member(self, number: int) -> DemoMember:
        return self.members[number - 1]


# --- the vocabulary ---------------------------------------------------------------------

_City = tuple[str, float, float, float, str]  # name, lat, lon, weight, timezone
_CITIES: tuple[_City, ...] = (
    ("Berlin", 52.520, 13.405, 0.38, "Europe/Berlin"),
    ("Potsdam", 52.391, 13.065, 0.07, "Europe/Berlin"),
    ("Hamburg", 53.551, 9.994, 0.16, "Europe/Berlin"),
    ("Munich", 48.137, 11.575, 0.15, "Europe/Berlin"),
    ("Cologne", 50.938, 6.960, 0.10, "Europe/Berlin"),
    ("Leipzig", 51.340, 12.375, 0.08, "Europe/Berlin"),
    ("Vienna", 48.208, 16.373, 0.06, "Europe/Vienna"),
)
_BIGGEST_CITY = _CITIES[0]

# Most popular first: the rank decides the popularity (see _ZIPF_OFFSET below).
_INTERESTS = (
    "hiking", "cooking", "travel", "live music", "reading", "coffee", "yoga", "running",
    "cinema", "photography", "board games", "cycling", "baking", "museums", "podcasts",
    "climbing", "swimming", "gardening", "jazz", "techno", "wine", "football", "dancing",
    "theatre", "camping", "vegan food", "volunteering", "painting", "concerts", "cats",
    "dogs", "sustainability", "video games", "meditation", "poetry", "flea markets",
    "tennis", "vinyl records", "street food", "bouldering", "sourdough", "chess",
    "pottery", "kayaking", "sailing", "ceramics", "urban sketching", "birdwatching",
    "languages", "history", "philosophy", "astronomy", "science fiction", "comics",
    "anime", "karaoke", "stand-up comedy", "improv theatre", "salsa", "tango",
    "swing dancing", "choir singing", "guitar", "piano", "synthesizers", "djing",
    "opera", "ballet", "architecture", "design", "fashion", "thrifting", "knitting",
    "embroidery", "woodworking", "bike repair", "home brewing", "fermentation",
    "foraging", "mushrooms", "houseplants", "permaculture", "beekeeping", "rowing",
    "open water swimming", "trail running", "marathons", "triathlon", "skiing",
    "snowboarding", "surfing", "skateboarding", "roller skating", "ice skating",
    "volleyball", "basketball", "table tennis", "badminton", "martial arts",
    "capoeira", "fencing", "archery", "horse riding", "scuba diving", "van life",
    "interrailing", "cartography", "genealogy", "local politics", "mentoring",
    "tabletop rpgs", "crosswords", "puzzles", "magic tricks", "calligraphy",
    "bookbinding", "zines", "film photography", "documentaries", "true crime",
    "classical music", "folk music", "punk", "hip hop", "k-pop", "tea ceremonies",
    "ramen", "tapas", "natural wine", "specialty coffee", "night trains",
)  # fmt: skip
# Zipf-Mandelbrot popularity 1 / (rank + 3): the top tag is in about 40% of profiles,
# a tag from the tail in 1-2%.
_ZIPF_OFFSET = 3

_NAMES: Mapping[Gender, tuple[str, ...]] = {
    Gender.WOMAN: (
        "Ada", "Farah", "Hana", "Kemi", "Mina", "Noor", "Priya", "Sofia", "Lena",
        "Marta", "Aylin", "Julia", "Clara", "Yara", "Ines", "Zoe", "Maya", "Leonie",
        "Amara", "Greta", "Elif", "Nadia", "Rosa", "Ida",
    ),
    Gender.MAN: (
        "Bo", "Chen", "Emeka", "Gus", "Ivo", "Jun", "Luca", "Oskar", "Rafa", "Tariq",
        "Jonas", "Mateo", "Felix", "Karim", "Tom", "Nils", "Deniz", "Paul", "Samuel",
        "Arjun", "Malik", "Henrik", "Yusuf", "Milan",
    ),
    Gender.NON_BINARY: (
        "Quinn", "Dara", "Robin", "Alex", "Sasha", "Kim", "Charlie", "Eli", "Noa",
        "Jules", "Sam", "Ari",
    ),
}  # fmt: skip

_GENDERS = (Gender.WOMAN, Gender.MAN, Gender.NON_BINARY)
_SEEKING: Mapping[Gender, tuple[tuple[tuple[Gender, ...], float], ...]] = {
    Gender.WOMAN: (
        ((Gender.MAN,), 0.80),
        ((Gender.WOMAN,), 0.08),
        ((Gender.WOMAN, Gender.MAN), 0.07),
        (_GENDERS, 0.05),
    ),
    Gender.MAN: (
        ((Gender.WOMAN,), 0.84),
        ((Gender.MAN,), 0.08),
        ((Gender.WOMAN, Gender.MAN), 0.04),
        (_GENDERS, 0.04),
    ),
    Gender.NON_BINARY: (
        (_GENDERS, 0.5),
        ((Gender.WOMAN,), 0.2),
        ((Gender.MAN,), 0.2),
        ((Gender.NON_BINARY,), 0.1),
    ),
}

# Schwartz order: SD, ST, HE, AC, PO, SE, CO, TR, BE, UN.
_VALUE_ARCHETYPES = (
    (1.0, 0.5, 0.3, 0.2, -1.0, -0.3, -0.8, -1.0, 0.6, 0.9),  # open, universalist
    (-0.3, -0.6, -0.2, 0.2, -0.4, 1.0, 0.9, 0.8, 0.9, 0.0),  # conservation, family
    (0.3, 0.8, 1.0, 0.9, 0.5, -0.4, -0.6, -0.9, -0.1, -0.3),  # achievement, fun
    (0.5, -0.2, 0.0, 0.0, -0.8, 0.3, 0.0, -0.2, 1.0, 0.8),  # caring
)

_GOALS: tuple[tuple[RelationshipGoal | None, float], ...] = (
    (RelationshipGoal.LONG_TERM, 0.45),
    (RelationshipGoal.OPEN_TO_BOTH, 0.25),
    (RelationshipGoal.SHORT_TERM, 0.12),
    (RelationshipGoal.FRIENDSHIP, 0.06),
    (None, 0.12),
)
_DISTANCES_KM = ((15.0, 0.15), (25.0, 0.30), (40.0, 0.30), (60.0, 0.15), (100.0, 0.10))
_TIERS = ((Tier.FREE, 0.80), (Tier.PREMIUM, 0.15), (Tier.ELITE, 0.05))
_PHOTO_COUNTS = ((1, 0.3), (2, 0.4), (3, 0.3))

_JOBS = (
    "nursing", "software", "a bakery", "logistics", "teaching", "architecture", "research",
    "a bookshop", "public transport", "social work", "design", "law", "a bike shop",
    "a theatre", "healthcare", "a start-up that will probably fail", "a library",
)  # fmt: skip
_OPENERS = (
    "Recently moved to {city} and still discovering it.",
    "Born and raised in {city}.",
    "In {city} for {years} years now and not leaving.",
    "I work in {job} and live in {city}.",
    "Day job in {job}; the rest of the time I am somewhere outside.",
    "Half of my week is {job}, the other half is my friends.",
)
_INTEREST_LINES = (
    "Weekends mean {a} and {b}.",
    "Happiest with {a}, {b} or {c}.",
    "Ask me about {a}; I will ask you about {b}.",
    "Currently obsessed with {a}. Still figuring out {b}.",
    "Looking for someone to try {a} with (and {c}, if you insist).",
)
_GOAL_LINES: Mapping[RelationshipGoal | None, str] = {
    RelationshipGoal.LONG_TERM: "Looking for something that lasts.",
    RelationshipGoal.SHORT_TERM: "Not looking for anything serious right now.",
    RelationshipGoal.OPEN_TO_BOTH: "Open to seeing where things go.",
    RelationshipGoal.FRIENDSHIP: "Mostly here to meet new friends.",
    None: "",
}
_CLOSERS = (
    "Kindness over cleverness.",
    "Slow replies, honest ones.",
    "I will recommend you a podcast whether you like it or not.",
    "Tea over coffee, and I will defend that.",
    "Good at listening, bad at small talk.",
    "",
)

# Pairs of ordinary members who can see each other: how often they like each other.
_MUTUAL_LIKE = 0.10
_ONE_WAY_LIKE = 0.12  # for each direction
# Beyond this many possible partners, a member's chances per pair shrink.
_LIKELY_PARTNERS = 12

# Members 2-7 live near demo-1 and are open to meeting them (see the module docstring).
_NEIGHBOURS = range(2, 8)
_NEIGHBOUR_GENDERS = (
    Gender.MAN, Gender.MAN, Gender.WOMAN, Gender.MAN, Gender.NON_BINARY, Gender.WOMAN
)  # fmt: skip
_NEWCOMER_AGE = 31

_T = TypeVar("_T")


# --- drawing ----------------------------------------------------------------------------


def _weighted(rng: random.Random, options: Sequence[tuple[_T, float]]) -> _T:
    return rng.choices([option for option, _ in options], [w for _, w in options])[0]


def _member_rng(seed: int, number: int, purpose: str) -> random.Random:
    # String seeds are hashed with SHA-512 by ``random``: stable across runs and
    # interpreters (unlike ``hash()``), and independent streams per member and purpose.
    return random.Random(f"saltbitter-demo:{seed}:{number}:{purpose}")  # noqa: S311


def _interests(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct tags, each drawn in proportion to its Zipf popularity.

    Gumbel top-k: perturbing the log-weights with Gumbel noise and keeping the k largest
    samples without replacement proportionally to the weights.
    """
    keys = [
        -math.log(rank + _ZIPF_OFFSET) - math.log(-math.log(1.0 - rng.random()))
        for rank in range(1, len(_INTERESTS) + 1)
    ]
    order = sorted(range(len(_INTERESTS)), key=lambda index: -keys[index])
    return [_INTERESTS[index] for index in order[:count]]


def _age(rng: random.Random) -> int:
    return min(55, 20 + round(rng.gammavariate(2.0, 5.5)))


def _birthdate(rng: random.Random, age: int, today: date) -> date:
    """A birthdate giving exactly ``age`` years on ``today``."""
    birthdate = today - timedelta(days=math.ceil(age * 365.25) + rng.randrange(1, 360))
    while age_on(birthdate, today) > age:
        birthdate += timedelta(days=7)
    while age_on(birthdate, today) < age:
        birthdate -= timedelta(days=7)
    return birthdate


def _age_window(rng: random.Random, gender: Gender, age: int) -> tuple[int, int]:
    low, high = rng.random(), rng.random()
    if gender is Gender.MAN:
        age_min, age_max = age - 4 - int(8 * low), age + int(5 * high)
    elif gender is Gender.WOMAN:
        age_min, age_max = age - 1 - int(4 * low), age + 3 + int(7 * high)
    else:
        age_min, age_max = age - 3 - int(6 * low), age + 3 + int(6 * high)
    return max(18, age_min), min(99, max(age_max, 20))


def _values(rng: random.Random) -> dict[str, int]:
    level = rng.gauss(4.3, 0.7)
    archetype = rng.choice(_VALUE_ARCHETYPES)
    return {
        value.value: min(7, max(1, round(level + 1.3 * weight + rng.gauss(0.0, 0.9))))
        for value, weight in zip(SchwartzValue, archetype, strict=True)
    }


def _ecr_r_answers(rng: random.Random) -> dict[str, int]:
    """A complete ECR-R from a two-factor model: latent anxiety and avoidance (correlated
    0.3), each keyed answer the subscale centre plus 1.3 x latent plus noise (SD 1.5),
    rounded, clipped to the scale and reverse-keyed where the item is."""
    scale = ECR_R.scale
    anxiety = rng.gauss(0.0, 1.0)
    avoidance = 0.3 * anxiety + math.sqrt(1.0 - 0.3**2) * rng.gauss(0.0, 1.0)
    latent = {Subscale.ANXIETY: anxiety, Subscale.AVOIDANCE: avoidance}
    centres = {Subscale.ANXIETY: 3.6, Subscale.AVOIDANCE: 3.05}
    answers: dict[str, int] = {}
    for item in ECR_R.items:
        value = centres[item.subscale] + 1.3 * latent[item.subscale] + rng.gauss(0.0, 1.5)
        keyed = min(scale.maximum, max(scale.minimum, round(value)))
        answers[str(item.number)] = ECR_R.keyed(item, keyed)
    return answers


def _bio(
    rng: random.Random, city: str, interests: Sequence[str], goal: RelationshipGoal | None
) -> str:
    if rng.random() < 0.1:
        return ""  # some people leave it empty
    a, b, c = interests[:3]  # there are at least three
    parts = [
        rng.choice(_OPENERS).format(city=city, years=rng.randrange(2, 15), job=rng.choice(_JOBS)),
        rng.choice(_INTEREST_LINES).format(a=a, b=b, c=c),
        _GOAL_LINES[goal],
        rng.choice(_CLOSERS),
    ]
    return " ".join(part for part in parts if part)


def _near(rng: random.Random, city: _City) -> LocationView:
    _, lat, lon, _, _ = city
    return LocationView(round(lat + rng.gauss(0.0, 0.045), 4), round(lon + rng.gauss(0.0, 0.07), 4))


# --- members ----------------------------------------------------------------------------


def _ordinary_member(number: int, seed: int, today: date) -> DemoMember:
    rng = _member_rng(seed, number, "member")
    gender = _weighted(rng, ((Gender.WOMAN, 0.47), (Gender.MAN, 0.47), (Gender.NON_BINARY, 0.06)))
    sought: tuple[Gender, ...] = _weighted(rng, _SEEKING[gender])
    city = _weighted(rng, [(city, city[3]) for city in _CITIES])
    age = _age(rng)
    if number in _NEIGHBOURS:
        # demo-1's neighbourhood: near them, of a gender they seek, open to their gender
        # and age. Everything else about these members is drawn as for anyone.
        gender = _NEIGHBOUR_GENDERS[number - _NEIGHBOURS.start]
        sought = tuple(sorted({*_weighted(rng, _SEEKING[gender]), Gender.WOMAN}))
        city = _BIGGEST_CITY
        age = rng.randrange(26, 39)
    age_min, age_max = _age_window(rng, gender, age)
    max_distance = _weighted(rng, _DISTANCES_KM)
    if number in _NEIGHBOURS:
        age_min, age_max = min(age_min, _NEWCOMER_AGE - 2), max(age_max, _NEWCOMER_AGE + 3)
        max_distance = max(max_distance, 25.0)
    size = min(15, 3 + round(rng.expovariate(1 / 4.0)))
    interests = _interests(rng, size)
    goal = _weighted(rng, _GOALS)
    values = _values(rng) if rng.random() < 0.85 else None
    answers = _ecr_r_answers(rng) if rng.random() < 0.80 else None
    photos = _weighted(rng, _PHOTO_COUNTS)
    return DemoMember(
        number=number,
        account=DemoAccount(
            email=demo_email(number),
            display_name=rng.choice(_NAMES[gender]),
            birthdate=_birthdate(rng, age, today),
            timezone=city[4],
            tier=_weighted(rng, _TIERS),
        ),
        city=city[0],
        profile=ProfileCommand(
            gender=gender.value,
            genders_sought=[g.value for g in sought],
            age_min=age_min,
            age_max=age_max,
            interests=interests,
            location=_near(rng, city),
            max_distance_km=max_distance,
            bio=_bio(rng, city[0], interests, goal),
            relationship_goal=None if goal is None else goal.value,
            values=values,
        ),
        photo_seeds=tuple(rng.randrange(2**31) for _ in range(photos)),
        answers=answers,
    )


def _newcomer(seed: int, today: date) -> DemoMember:
    """demo-1: complete, in the biggest city, open to every gender and a wide age range."""
    rng = _member_rng(seed, 1, "member")
    city = _BIGGEST_CITY
    interests = [
        "hiking", "cooking", "live music", "photography", "board games", "bouldering",
        "sourdough",
    ]  # fmt: skip
    goal = RelationshipGoal.OPEN_TO_BOTH
    return DemoMember(
        number=1,
        account=DemoAccount(
            email=demo_email(1),
            display_name="Ada",
            birthdate=_birthdate(rng, _NEWCOMER_AGE, today),
            timezone=city[4],
            tier=Tier.PREMIUM,  # so "who liked you" can be tried too
        ),
        city=city[0],
        profile=ProfileCommand(
            gender=Gender.WOMAN.value,
            genders_sought=[g.value for g in _GENDERS],
            age_min=24,
            age_max=45,
            interests=interests,
            location=LocationView(city[1], city[2]),
            max_distance_km=60.0,
            bio=(
                "New in Berlin's demo data and curious about everyone in it. Happiest "
                "on a trail, at a gig or over a board game that takes all evening. "
                "Open to seeing where things go."
            ),
            relationship_goal=goal.value,
            values=_values(rng),
        ),
        photo_seeds=tuple(rng.randrange(2**31) for _ in range(3)),
        answers=_ecr_r_answers(rng),
    )


# --- likes ------------------------------------------------------------------------------


def _candidate(member: DemoMember, today: date) -> CandidateProfile:
    profile = member.profile
    return CandidateProfile(
        user_id=UserId(UUID(int=member.number)),
        age=age_on(member.account.birthdate, today),
        gender=Gender(profile.gender),
        genders_sought=frozenset(Gender(g) for g in profile.genders_sought),
        age_min=profile.age_min,
        age_max=profile.age_max,
        latitude=profile.location.lat,
        longitude=profile.location.lon,
        max_distance_km=profile.max_distance_km,
        tier=member.account.tier,
    )  # interests, values and attachment play no part in who may see whom


def _likes(
    members: Sequence[DemoMember], seed: int, today: date, policy: CompatibilityPolicy
) -> tuple[tuple[int, int], ...]:
    """Likes only between members who could see each other (the hard filters), decided
    per pair from the seed: some mutual (matches), some one-way. Where members have many
    possible partners the chances shrink, so each makes a handful of likes at any size.
    demo-1 has one match (with member 2) and two likes waiting (from members 3 and 4).
    """
    candidates = {member.number: _candidate(member, today) for member in members}

    def visible(one: int, other: int) -> bool:
        return bool(check_eligibility(candidates[one], candidates[other], policy=policy))

    likes: list[tuple[int, int]] = []
    if 1 in candidates:
        if 2 in candidates and visible(1, 2):
            likes += [(2, 1), (1, 2)]
        likes += [(liker, 1) for liker in (3, 4) if liker in candidates and visible(1, liker)]
    ordinary = sorted(number for number in candidates if number != 1)
    pairs = [
        (first, second)
        for index, first in enumerate(ordinary)
        for second in ordinary[index + 1 :]
        if visible(first, second)
    ]
    partners = Counter(number for pair in pairs for number in pair)
    for first, second in pairs:
        scale = min(1.0, _LIKELY_PARTNERS / max(partners[first], partners[second]))
        mutual, one_way = _MUTUAL_LIKE * scale, _ONE_WAY_LIKE * scale
        draw = random.Random(f"saltbitter-demo:{seed}:like:{first}:{second}").random()  # noqa: S311
        if draw < mutual:
            likes += [(first, second), (second, first)]
        elif draw < mutual + one_way:
            likes.append((first, second))
        elif draw < mutual + 2 * one_way:
            likes.append((second, first))
    return tuple(likes)


def plan_demo_community(
    count: int,
    *,
    seed: int = DEFAULT_DEMO_SEED,
    today: date,
    policy: CompatibilityPolicy = DEFAULT_POLICY,
) -> DemoCommunity:
    """The members ``demo-1`` .. ``demo-<count>`` and their likes, reproducible from
    ``seed`` and ``today`` (birthdates are planned so that ages come out as drawn)."""
    if count < 1:
        raise ValueError("A demo community needs at least one member.")
    members = tuple(
        _newcomer(seed, today) if number == 1 else _ordinary_member(number, seed, today)
        for number in range(1, count + 1)
    )
    return DemoCommunity(members, _likes(members, seed, today, policy))
