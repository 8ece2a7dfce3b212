"""Measures (insatser) that adults of paid households start."""

from __future__ import annotations

import random
from datetime import date, timedelta

from .households import HINDER_GROUP, Household, Person, pick
from .months import Month, age_on
from .pnr import written

# Monthly chance that an adult without an ongoing measure starts one, by försörjningshinder group.
RATES: dict[str, tuple[tuple[str, float], ...]] = {
    "arbetslos": (
        ("STHLMSJOBB", 0.010),
        ("PRAKTIK", 0.005),
        ("ARBETSTRANING", 0.003),
        ("OSA", 0.002),
    ),
    "sjukskriven": (("AR_TEAM", 0.012), ("ARBETSTRANING", 0.004), ("OSA", 0.001)),
    "ersattning": (("AR_TEAM", 0.004), ("OSA", 0.002)),
    "nyanland": (("STHLMSJOBB", 0.006), ("PRAKTIK", 0.006), ("ARBETSTRANING", 0.003)),
    "ovrigt": (("AR_TEAM", 0.008), ("ARBETSTRANING", 0.004), ("STHLMSJOBB", 0.002)),
    "pensionar": (),
}
HOUSING_RATES: dict[bool, tuple[tuple[str, float], ...]] = {
    True: (("FORSOKSLAGENHET", 0.020), ("BOSTAD_FORST", 0.012)),  # the homeless unit
    False: (("FORSOKSLAGENHET", 0.0015), ("BOSTAD_FORST", 0.0005)),
}
DURATION_MONTHS: dict[str, tuple[int, int]] = {
    "STHLMSJOBB": (6, 12),
    "PRAKTIK": (2, 6),
    "ARBETSTRANING": (3, 9),
    "OSA": (6, 24),
    "AR_TEAM": (3, 15),
    "FORSOKSLAGENHET": (9, 24),
    "BOSTAD_FORST": (12, 36),
}
WORK_OUTCOMES: tuple[tuple[str, float], ...] = (
    ("EGEN_FORSORJNING", 25.0),
    ("ANNAN_FORSORJNING", 14.0),
    ("AVBROTT", 20.0),
    ("ATERREMITTERAD", 31.0),
    ("OVRIGT", 10.0),
)
OUTCOMES: dict[str, tuple[tuple[str, float], ...]] = {
    "STHLMSJOBB": (("EGEN_FORSORJNING", 35.0), *WORK_OUTCOMES[1:]),
    "PRAKTIK": WORK_OUTCOMES,
    "ARBETSTRANING": WORK_OUTCOMES,
    "OSA": WORK_OUTCOMES,
    # seed 000: 16 of 53 AR-team participants went to own or other support
    "AR_TEAM": (
        ("EGEN_FORSORJNING", 14.0),
        ("ANNAN_FORSORJNING", 16.0),
        ("PENSION", 8.0),
        ("AVBROTT", 22.0),
        ("ATERREMITTERAD", 28.0),
        ("OVRIGT", 12.0),
    ),
    # seed 001: 31 % of ended trial flats were taken over
    "FORSOKSLAGENHET": (("KONTRAKT_OVERTAGET", 31.0), ("AVBROTT", 40.0), ("OVRIGT", 29.0)),
    "BOSTAD_FORST": (("KONTRAKT_OVERTAGET", 45.0), ("AVBROTT", 30.0), ("OVRIGT", 25.0)),
}


class MeasureMaker:
    """Decides new measures and turns each into a finished ``insatser`` row."""

    def __init__(self, rng: random.Random, extraction: date) -> None:
        self._rng = rng
        self._extraction = extraction
        self._seq = 0

    def start(self, household: Household, month: Month, homeless: bool) -> list[list[str]]:
        rng = self._rng
        rows: list[list[str]] = []
        rates = RATES[HINDER_GROUP[household.hinder]] + HOUSING_RATES[homeless]
        for person in household.adults(month.first):
            if person.busy_until is not None and person.busy_until >= month.first:
                continue
            if age_on(person.birth, month.first) >= 65:
                continue
            for kind, rate in rates:
                if rng.random() < rate:
                    rows.append(self._row(person, household.area, kind, month))
                    break
        return rows

    def _row(self, person: Person, area: str, kind: str, month: Month) -> list[str]:
        rng = self._rng
        start = month.first + timedelta(days=rng.randrange(month.days))
        low, high = DURATION_MONTHS[kind]
        end = start + timedelta(days=round(rng.randint(low, high) * 30.4) + rng.randint(-10, 10))
        person.busy_until = end
        outcome = pick(rng, OUTCOMES[kind])
        if kind == "AR_TEAM" and age_on(person.birth, end) >= 61 and rng.random() < 0.5:
            outcome = "PENSION"
        ongoing = end > self._extraction
        self._seq += 1
        return [
            f"I{self._seq:07d}",
            written(person.pnr, rng),
            person.kon,
            area,
            kind,
            start.isoformat(),
            "" if ongoing else end.isoformat(),
            "" if ongoing else outcome,
        ]
