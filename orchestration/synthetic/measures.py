"""Measures (insatser) that adults of paid households start."""

from __future__ import annotations

import random
from datetime import date, timedelta

from .draws import Deck
from .households import HINDER_GROUP, Household, Measure, Person
from .months import Month, age_on
from .pnr import written

# Monthly chance that an adult without an ongoing measure starts one, by försörjningshinder group.
RATES: dict[str, tuple[tuple[str, float], ...]] = {
    "arbetslos": (
        ("STHLMSJOBB", 0.015),
        ("PRAKTIK", 0.005),
        ("ARBETSTRANING", 0.003),
        ("OSA", 0.003),
    ),
    "sjukskriven": (("AR_TEAM", 0.012), ("ARBETSTRANING", 0.004), ("OSA", 0.002)),
    "ersattning": (("AR_TEAM", 0.004), ("OSA", 0.004)),
    "nyanland": (("STHLMSJOBB", 0.006), ("PRAKTIK", 0.006), ("ARBETSTRANING", 0.003)),
    "ovrigt": (("AR_TEAM", 0.008), ("ARBETSTRANING", 0.004), ("STHLMSJOBB", 0.002)),
    "pensionar": (),
}
HOUSING_RATES: dict[bool, tuple[tuple[str, float], ...]] = {
    True: (("FORSOKSLAGENHET", 0.030), ("BOSTAD_FORST", 0.015)),  # the homeless unit
    False: (("FORSOKSLAGENHET", 0.003), ("BOSTAD_FORST", 0.001)),
}
DURATION_MONTHS: dict[str, tuple[int, int]] = {
    "STHLMSJOBB": (6, 12),
    "PRAKTIK": (2, 6),
    "ARBETSTRANING": (3, 9),
    "OSA": (6, 24),
    "AR_TEAM": (3, 15),
    "FORSOKSLAGENHET": (6, 18),
    "BOSTAD_FORST": (12, 36),
}
# Outcome decks: each deck holds the exact mix, so even a handful of measures shows it.
WORK_OUTCOMES: tuple[tuple[str, int], ...] = (
    ("EGEN_FORSORJNING", 2),
    ("ANNAN_FORSORJNING", 1),
    ("AVBROTT", 2),
    ("ATERREMITTERAD", 3),
    ("OVRIGT", 1),
)
OUTCOMES: dict[str, tuple[tuple[str, int], ...]] = {
    "STHLMSJOBB": (("EGEN_FORSORJNING", 3), *WORK_OUTCOMES[1:]),
    "PRAKTIK": WORK_OUTCOMES,
    "ARBETSTRANING": WORK_OUTCOMES,
    "OSA": WORK_OUTCOMES,
    # seed 000: 16 of 53 AR-team participants (30 %) went to own or other support
    "AR_TEAM": (
        ("EGEN_FORSORJNING", 1),
        ("ANNAN_FORSORJNING", 1),
        ("PENSION", 1),
        ("AVBROTT", 2),
        ("ATERREMITTERAD", 2),
        ("OVRIGT", 1),
    ),
    # seed 001: 31 % of ended trial flats were taken over
    "FORSOKSLAGENHET": (("KONTRAKT_OVERTAGET", 2), ("AVBROTT", 3), ("OVRIGT", 2)),
    "BOSTAD_FORST": (("KONTRAKT_OVERTAGET", 2), ("AVBROTT", 1), ("OVRIGT", 1)),
}


class MeasureMaker:
    """Decides new measures; turns each into an ``insatser`` row when it is written.

    Outcomes are drawn at writing time, so the decks' mix shows in what is written.
    """

    def __init__(self, rng: random.Random, extraction: date) -> None:
        self._rng = rng
        self._extraction = extraction
        self._seq = 0
        self._outcomes = {kind: Deck(rng, deck) for kind, deck in OUTCOMES.items()}

    def start(self, household: Household, month: Month, homeless: bool) -> list[Measure]:
        rng = self._rng
        started: list[Measure] = []
        rates = RATES[HINDER_GROUP[household.hinder]] + HOUSING_RATES[homeless]
        for person in household.adults(month.first):
            if person.busy_until is not None and person.busy_until >= month.first:
                continue
            if age_on(person.birth, month.first) >= 65:
                continue
            for kind, rate in rates:
                if rng.random() < rate:
                    started.append(self._new(person, household.area, kind, month))
                    break
        return started

    def _new(self, person: Person, area: str, kind: str, month: Month) -> Measure:
        rng = self._rng
        start = month.first + timedelta(days=rng.randrange(month.days))
        low, high = DURATION_MONTHS[kind]
        end = start + timedelta(days=round(rng.randint(low, high) * 30.4) + rng.randint(-10, 10))
        person.busy_until = end
        return Measure(person, area, kind, start, end)

    def row(self, measure: Measure) -> list[str]:
        """The ``insatser`` row; a measure ending after the extraction date is ongoing."""
        ongoing = measure.end > self._extraction
        self._seq += 1
        return [
            f"I{self._seq:07d}",
            written(measure.person.pnr, self._rng),
            measure.person.kon,
            measure.area,
            measure.kind,
            measure.start.isoformat(),
            "" if ongoing else measure.end.isoformat(),
            "" if ongoing else self._outcomes[measure.kind].draw(),
        ]
