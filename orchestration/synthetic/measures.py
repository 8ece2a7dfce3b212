"""Measures (insatser) that adults of paid households start."""

from __future__ import annotations

import random
from datetime import date, timedelta

from .draws import Deck
from .households import HINDER_GROUP, Household, Measure, Person
from .months import MonthFrame
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
    "BOSTAD_FORST": (3, 30),  # some leave in the first year (seed 001: target 75 % kept)
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
    # seed 000: 16 of 53 AR-team participants (30 %) went to own or other support; the
    # indicator counts ongoing measures in the denominator, so half of those ended succeed
    "AR_TEAM": (
        ("EGEN_FORSORJNING", 2),
        ("ANNAN_FORSORJNING", 2),
        ("PENSION", 1),
        ("AVBROTT", 2),
        ("ATERREMITTERAD", 1),
        ("OVRIGT", 1),
    ),
    # seed 001: 31 % of ended trial flats were taken over
    "FORSOKSLAGENHET": (("KONTRAKT_OVERTAGET", 3), ("AVBROTT", 4), ("OVRIGT", 3)),
    "BOSTAD_FORST": (("KONTRAKT_OVERTAGET", 2), ("AVBROTT", 1), ("OVRIGT", 1)),
}


def _cumulative(
    rates: tuple[tuple[str, float], ...],
) -> tuple[float, tuple[tuple[float, str], ...]]:
    """Rates as (total, ((cumulative rate, kind), …)): one draw decides whether and which."""
    table: list[tuple[float, str]] = []
    total = 0.0
    for kind, rate in rates:
        total += rate
        table.append((total, kind))
    return total, tuple(table)


class MeasureMaker:
    """Decides new measures; turns each into an ``insatser`` row when it is written.

    Everything a row shows — id, how the personnummer is written, the outcome (shown once the
    measure has ended) — is drawn when the measure starts, in the simulation's month order, and
    nothing is drawn when it is written: a later snapshot, whose rows are written in another
    order, repeats the earlier one's measures under the same ids.
    """

    def __init__(self, rng: random.Random, extraction: date) -> None:
        self._rng = rng
        self._extraction = extraction
        self._seq = 0
        self._outcomes = {kind: Deck(rng, deck) for kind, deck in OUTCOMES.items()}
        self._rates = {
            (group, homeless): _cumulative(rates + HOUSING_RATES[homeless])
            for group, rates in RATES.items()
            for homeless in (False, True)
        }

    def start(self, household: Household, frame: MonthFrame, homeless: bool) -> list[Measure]:
        """Measures that the household's adults (18–64, none ongoing) start this month."""
        total, table = self._rates[HINDER_GROUP[household.hinder], homeless]
        rand = self._rng.random
        first, adult, born_65 = frame.first, frame.adult, frame.born_65
        started: list[Measure] = []
        for person in household.members:
            if person.role == "BARN" or not born_65 < person.birth <= adult:
                continue
            if person.busy_until is not None and person.busy_until >= first:
                continue
            draw = rand()
            if draw < total:
                kind = next(k for cumulative, k in table if draw < cumulative)
                started.append(self._new(person, household.area, kind, frame))
        return started

    def _new(self, person: Person, area: str, kind: str, frame: MonthFrame) -> Measure:
        rand = self._rng.random
        start = frame.first + timedelta(days=int(rand() * frame.days))
        low, high = DURATION_MONTHS[kind]
        months = low + int(rand() * (high - low + 1))
        end = start + timedelta(days=round(months * 30.4) + int(rand() * 21) - 10)
        person.busy_until = end
        self._seq += 1
        number = written(person.pnr, self._rng)
        outcome = self._outcomes[kind].draw()
        return Measure(f"I{self._seq:07d}", person, number, area, kind, start, end, outcome)

    def row(self, measure: Measure) -> list[str]:
        """The ``insatser`` row; a measure ending after the extraction date is ongoing."""
        ongoing = measure.end > self._extraction
        return [
            measure.insats_id,
            measure.written,
            measure.person.kon,
            measure.area,
            measure.kind,
            measure.start.isoformat(),
            "" if ongoing else measure.end.isoformat(),
            "" if ongoing else measure.outcome,
        ]
