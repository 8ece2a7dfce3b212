"""Household state: members, försörjningshinder, spell length and the open case."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from .months import Month, MonthFrame, add_years, age_on
from .pnr import PersonnummerFactory

# Försörjningshinder deck in percent of new households (domain.md: unemployed ≈ 40 %, sick-listed
# 25–30 %, sjuk-/aktivitetsersättning ≈ 4 %, pensioner ≈ 1 %, the rest övrigt/nyanländ).
HINDER_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("01", 10),
    ("02", 14),
    ("03", 6),
    ("05", 6),
    ("13", 4),
    ("06", 10),
    ("07", 9),
    ("25", 5),
    ("24", 3),
    ("09", 3),
    ("26", 1),
    ("10", 3),
    ("42", 2),
    ("43", 2),
    ("45", 1),
    ("47", 1),
    ("46", 3),
    ("99", 16),
    ("16", 1),
)
PENSIONER_AGES: dict[str, tuple[int, int]] = {"15": (60, 72), "16": (65, 84)}
HINDER_GROUP: dict[str, str] = {
    **dict.fromkeys(("01", "02", "03", "05", "13"), "arbetslos"),
    **dict.fromkeys(("06", "07", "25", "24"), "sjukskriven"),
    **dict.fromkeys(("09", "26"), "ersattning"),
    **dict.fromkeys(("10", "42", "43", "45", "47"), "nyanland"),
    **dict.fromkeys(("15", "16"), "pensionar"),
    **dict.fromkeys(("46", "99"), "ovrigt"),
}
# Codes where some income exists, so the household needs less försörjningsstöd.
PARTIAL_INCOME = frozenset({"01", "05", "07", "09", "10", "42", "43"})

# Applicant age bands for adults without children: (lowest, highest, weight).
SINGLE_AGES: tuple[tuple[int, int, float], ...] = (
    (18, 24, 18.0),
    (25, 34, 26.0),
    (35, 44, 19.0),
    (45, 54, 17.0),
    (55, 64, 16.0),
    (65, 72, 1.0),
)
CHILD_COUNTS: tuple[tuple[int, float], ...] = ((1, 25.0), (2, 35.0), (3, 22.0), (4, 12.0), (5, 6.0))


@dataclass(slots=True)
class Person:
    pnr: str  # 12 digits, no separator
    birth: date
    male: bool
    role: str  # SOK, MED or BARN (role BARN is kept when a child turns 18)
    busy_until: date | None = None  # end of the person's current measure (insats)
    kon: str = ""  # K or M, set from ``male``

    def __post_init__(self) -> None:
        self.kon = "M" if self.male else "K"


@dataclass(frozen=True, slots=True)
class Measure:
    """An insats, with everything its row shows drawn when it starts (measures.MeasureMaker)."""

    insats_id: str
    person: Person
    written: str  # the personnummer as its row writes it
    area: str
    kind: str
    start: date
    end: date
    outcome: str  # shown once the measure has ended


@dataclass(slots=True)
class Case:
    arende_id: str
    hushall_id: str
    area: str
    opened: date
    last_payment: date | None = None
    last_month: Month | None = None
    in_output: bool = False  # has a payment in a written month


@dataclass(slots=True)
class Household:
    hushall_id: str
    area: str
    members: list[Person]
    hinder: str
    fs_base: int  # öre per month
    months_left: int  # paid months left in the current spell, this one included
    case: Case
    spell_month: int = 0  # months since the spell began
    pending_measures: list[Measure] = field(default_factory=list)  # not yet written

    @property
    def applicant(self) -> Person:
        for role in ("SOK", "MED", "BARN"):
            for person in self.members:
                if person.role == role:
                    return person
        raise ValueError(f"household {self.hushall_id} has no members")  # pragma: no cover

    def adults(self, day: date) -> list[Person]:
        return [p for p in self.members if p.role != "BARN" and age_on(p.birth, day) >= 18]


def _between(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def birth_for_age(rng: random.Random, age: int, on: date) -> date:
    """A birth date so that the person is ``age`` years old on ``on``."""
    latest = add_years(on, -age)
    return latest - timedelta(days=int(rng.random() * 365))


def spell_length(rng: random.Random, hinder: str) -> int:
    """Months in one spell: many short, many long-term (≥ 10 months); pensioners stay long."""
    draw = 0.5 + rng.random() / 2 if hinder in PENSIONER_AGES else rng.random()
    if draw < 0.40:
        return _between(rng, 1, 3)
    if draw < 0.65:
        return _between(rng, 4, 9)
    return _between(rng, 10, 48)


_SINGLE_AGE_WEIGHTS = tuple(w for *_, w in SINGLE_AGES)
_SINGLE_AGE_TOTAL = sum(_SINGLE_AGE_WEIGHTS)
_CHILD_WEIGHTS = tuple(w for _, w in CHILD_COUNTS)
_CHILD_TOTAL = sum(_CHILD_WEIGHTS)


def _weighted(draw: float, weights: tuple[float, ...]) -> int:
    """The index whose weight band holds ``draw`` (a number in ``[0, sum(weights))``)."""
    for index, weight in enumerate(weights):
        if draw < weight:
            return index
        draw -= weight
    return len(weights) - 1


def compose(
    rng: random.Random,
    factory: PersonnummerFactory,
    kind: str,
    on: date,
    applicant_age: int | None = None,
) -> list[Person]:
    """Members of a new household of hushållstyp ``kind`` as of ``on``.

    ``applicant_age`` fixes the first adult's age (pensioners) for types 3, 5, 7 and 9.
    """
    rand = rng.random

    def person(age: int, male: bool, role: str) -> Person:
        birth = birth_for_age(rng, age, on)
        return Person(factory.new(birth, male), birth, male, role)

    def single_age() -> int:
        if applicant_age is not None:
            return applicant_age
        low, high, _ = SINGLE_AGES[_weighted(rand() * _SINGLE_AGE_TOTAL, _SINGLE_AGE_WEIGHTS)]
        return _between(rng, low, high)

    def children(parent_age: int) -> list[Person]:
        count = CHILD_COUNTS[_weighted(rand() * _CHILD_TOTAL, _CHILD_WEIGHTS)][0]
        oldest = min(17, parent_age - 17)
        return [person(_between(rng, 0, oldest), rand() < 0.51, "BARN") for _ in range(count)]

    if kind in ("3", "5"):
        return [person(single_age(), kind == "3", "SOK")]
    if kind in ("4", "6"):
        age = _between(rng, 22, 56)
        return [person(age, kind == "4", "SOK"), *children(age)]
    if kind in ("7", "8"):
        age = _between(rng, 22, 60) if kind == "8" else single_age()
        male = rand() < 0.5
        partner_male = male if rand() < 0.03 else not male
        partner_age = max(18, age + _between(rng, -6, 6))
        adults = [person(age, male, "SOK"), person(partner_age, partner_male, "MED")]
        return adults + (children(min(age, partner_age)) if kind == "8" else [])
    if kind == "1":  # only children: a 16–17-year-old applicant, sometimes with a sibling
        members = [person(_between(rng, 16, 17), rand() < 0.7, "SOK")]
        if rand() < 0.3:
            members.append(person(_between(rng, 8, 15), rand() < 0.5, "BARN"))
        return members
    # Unknown type (9): the system lists one adult as medsökande and no sökande.
    return [person(single_age(), rand() < 0.5, "MED")]


def fit_hinder(code: str, applicant_age: int) -> str:
    """Nyanländ ungdom (47) only up to 20; older newcomers get 10."""
    return "10" if code == "47" and applicant_age > 20 else code


# A household's code changes now and then, but never into a pensioner code.
CHANGED_HINDER_WEIGHTS = tuple((c, w) for c, w in HINDER_WEIGHTS if c not in PENSIONER_AGES)


def fs_base(
    rng: random.Random, members: list[Person], hinder: str, on: date, scale: float, homeless: bool
) -> int:
    """Monthly försörjningsstöd in öre: riksnorm-like living costs + rent − partial income."""
    adults = sum(1 for p in members if age_on(p.birth, on) >= 18)
    children = len(members) - adults
    norm = (3_300 if adults <= 1 else 5_900) + 2_500 * children
    if homeless:
        rent = 1_500 * rng.random()
    elif children or adults > 1:
        rent = 6_500 + 5_000 * rng.random()
    else:
        rent = 3_800 + 3_400 * rng.random()
    amount = norm + rent
    if hinder in PARTIAL_INCOME:
        amount *= 0.35 + 0.5 * rng.random()
    return round(amount * scale) * 100


def evolve_members(
    rng: random.Random, factory: PersonnummerFactory, household: Household, frame: MonthFrame
) -> None:
    """Births, and grown-up children moving out (role BARN stays on turning 18)."""
    members = household.members
    if rng.random() < 0.004:
        adult, born_45 = frame.adult, frame.born_45
        if any(not p.male and p.role != "BARN" and born_45 < p.birth <= adult for p in members):
            birth = frame.first + timedelta(days=int(rng.random() * frame.days))
            male = rng.random() < 0.51
            members.append(Person(factory.new(birth, male), birth, male, "BARN"))
    if len(members) > 1:
        adult = frame.adult
        grown = [p for p in members if p.role == "BARN" and p.birth <= adult]
        for child in grown:
            if len(members) > 1 and (child.birth <= frame.born_21 or rng.random() < 0.06):
                members.remove(child)
