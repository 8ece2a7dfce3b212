"""Cases (ärenden) and their change plans (förändringsplaner), written when a case ends."""

from __future__ import annotations

import random
from datetime import date, timedelta

from .csvout import RowWriter
from .draws import Deck, between, pick
from .households import HINDER_GROUP, Case, Household
from .months import age_on

# Closing reasons (ref_avslutsorsak.csv) per 100 closures; OKANT ≈ 26 % as in seed 001.
CLOSURE_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("ARBETE", 24),
    ("STUDIER", 7),
    ("SJUK_AKTIVITETSERSATTNING", 4),
    ("PENSION", 1),
    ("ANNAN_ERSATTNING", 22),
    ("FLYTT", 10),
    ("AVLIDEN", 1),
    ("OKANT", 26),
)
ELDERLY_CLOSURES: tuple[tuple[str, float], ...] = (
    ("PENSION", 60.0),
    ("AVLIDEN", 8.0),
    ("FLYTT", 8.0),
    ("OKANT", 24.0),
)


def closure_reason(rng: random.Random, deck: Deck, household: Household, on: date) -> str:
    group = HINDER_GROUP[household.hinder]
    if group == "pensionar" or age_on(household.applicant.birth, on) >= 65:
        return pick(rng, ELDERLY_CLOSURES)
    if group == "ersattning" and rng.random() < 0.5:
        return "SJUK_AKTIVITETSERSATTNING"
    return deck.draw()


class CaseWriter:
    """Writes a case and its plans once its fate is known (closed, or open at extraction)."""

    def __init__(self, cases: RowWriter, plans: RowWriter, seed: int, extraction: date) -> None:
        self._cases = cases
        self._plans = plans
        self._seed = seed
        self._extraction = extraction
        self.written = 0

    def finish(self, case: Case, closed: date | None, reason: str | None) -> None:
        """Record ``case``; a closing date after the extraction date leaves it open."""
        if not case.in_output:
            return
        if closed is not None and closed > self._extraction:
            closed, reason = None, None
        self._cases.writerow(
            [
                case.arende_id,
                case.hushall_id,
                case.area,
                case.opened.isoformat(),
                closed.isoformat() if closed else "",
                reason or "",
            ]
        )
        self.written += 1
        self._write_plans(case, closed or self._extraction)

    def _write_plans(self, case: Case, horizon: date) -> None:
        """The case's plans up to `horizon` (its closing date, or the extraction date while it
        is open), drawn from the case's own random stream: a later snapshot writes the same
        plans under the same ids, with what was drawn up or revised since."""
        rng = random.Random(f"{self._seed}:plans:{case.arende_id}")
        draw = rng.random()
        if draw < 0.80:
            drawn = case.opened + timedelta(days=between(rng, 3, 90))
        elif draw < 0.92:
            drawn = case.opened + timedelta(days=between(rng, 91, 270))
        else:
            return  # no plan at all
        if drawn > horizon:
            return
        # a new plan replaces the first in some long cases, one to two and a half years on
        second = drawn + timedelta(days=between(rng, 365, 900))
        if rng.random() >= 0.15 or second >= horizon:
            self._write_plan(case, 1, drawn, horizon)
            return
        self._write_plan(case, 1, drawn, second)
        self._write_plan(case, 2, second, horizon)

    def _write_plan(self, case: Case, number: int, drawn: date, until: date) -> None:
        rng = random.Random(f"{self._seed}:plan:{case.arende_id}:{number}")
        revised = drawn
        if rng.random() > 0.12:  # most plans are followed up every 2–5 months
            while (step := revised + timedelta(days=between(rng, 60, 150))) <= until:
                revised = step
        self._plans.writerow(
            [
                # the case's number and the plan's: the same plan keeps its id
                f"P{case.arende_id[1:]}{number}",
                case.arende_id,
                drawn.isoformat(),
                revised.isoformat() if revised != drawn else "",
            ]
        )
