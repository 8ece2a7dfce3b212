"""The case system's exports: payments, members, cases, change plans and measures.

Households are simulated month by month (with a burn-in before the first month so that spells,
case ages and measures look like a running operation); each month's payments and members are
written as soon as the month is done, and cases are written when they close.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from contextlib import AbstractContextManager
from datetime import date, timedelta
from pathlib import Path

from . import payments
from .cases import CLOSURE_WEIGHTS, CaseWriter, closure_reason
from .contract import HEADERS, file_name
from .csvout import RowWriter, csv_writer, hundredths
from .draws import Deck
from .households import (
    CHANGED_HINDER_WEIGHTS,
    HINDER_WEIGHTS,
    PENSIONER_AGES,
    Case,
    Household,
    compose,
    evolve_members,
    fit_hinder,
    fs_base,
    spell_length,
)
from .measures import MeasureMaker
from .months import Month, add_years, age_on, month_range
from .pnr import PersonnummerFactory, written
from .profiles import AreaSpec, Profile

GAP_RATE = 0.03  # an active household skips a month (no application)
MOVE_RATE = 0.002  # moves to another area: that month is paid by both
NET_ZERO_RATE = 0.004  # paid and fully reversed: not a bidragshushåll that month
PAYING_SHARE = 1 - GAP_RATE - NET_ZERO_RATE
RETURN_RATE = 0.12  # a new spell is a former household coming back (same hushall_id)
# Planted every year, so each run has them whatever the seed: (calendar month, event).
PLANTED = ((3, "net_zero"), (5, "move"), (11, "move"))
ID_DIGITS = {"U": 8}  # payments are the most numerous rows


class AssistanceSimulation:
    def __init__(
        self, profile: Profile, seed: int, start: Month, end: Month, out_dir: Path, extraction: date
    ) -> None:
        self.profile = profile
        self.start = start
        self.end = end
        self.out_dir = out_dir
        self.extraction = extraction
        self.rng = random.Random(f"{seed}:households")
        self.pay_rng = random.Random(f"{seed}:payments")
        self.case_rng = random.Random(f"{seed}:cases")
        self.factory = PersonnummerFactory(random.Random(f"{seed}:personnummer"))
        self.measures = MeasureMaker(random.Random(f"{seed}:measures"), extraction)
        self.areas = {area.code: area for area in profile.areas}
        self.types = {area.code: Deck(self.rng, area.mix) for area in profile.areas}
        self.hinders = Deck(self.rng, HINDER_WEIGHTS)
        self.changed_hinders = Deck(self.rng, CHANGED_HINDER_WEIGHTS)
        self.closures = Deck(self.case_rng, CLOSURE_WEIGHTS)
        self.active: list[Household] = []
        # Households that left: first ``leaving``, after four months a pool per area that new
        # spells draw returning households from.
        self.leaving: deque[tuple[Month, Household]] = deque()
        self.former: dict[str, list[Household]] = {a: [] for a in self.areas}
        self.seq: Counter[str] = Counter()
        self.paths: list[Path] = []

    def _next_id(self, prefix: str) -> str:
        """A letter prefix and 7–8 digits, so that no id looks like a personnummer."""
        self.seq[prefix] += 1
        return f"{prefix}{self.seq[prefix]:0{ID_DIGITS.get(prefix, 7)}d}"

    def run(self) -> list[Path]:
        snapshot = self.extraction.isoformat()
        with (
            self._open("arenden", snapshot) as case_out,
            self._open("forandringsplaner", snapshot) as plan_out,
            self._open("insatser", snapshot) as measure_out,
        ):
            self.cases = CaseWriter(case_out, plan_out, self.case_rng, self.extraction)
            self.measure_out = measure_out
            first = self.start.add(-self.profile.burn_in_months)
            for month in month_range(first, self.end):
                self._admit(month, initial=month == first)
                if month < self.start:
                    self._month(month, None, None)
                    continue
                if month == self.start:
                    self._plant_turning_18()
                with (
                    self._open("utbetalningar", month) as pay_out,
                    self._open("hushallsmedlemmar", month) as member_out,
                ):
                    self._month(month, pay_out, member_out)
            for household in self.active:
                self.cases.finish(household.case, None, None)
        return self.paths

    def _open(self, export: str, key: object) -> AbstractContextManager[RowWriter]:
        path = self.out_dir / file_name(export, key)
        self.paths.append(path)
        return csv_writer(path, HEADERS[export])

    # --- entries -----------------------------------------------------------------------------
    def _admit(self, month: Month, initial: bool) -> None:
        # gone at least 4 months, so a returning household's old case has closed
        while self.leaving and month.minus(self.leaving[0][0]) >= 4:
            _, household = self.leaving.popleft()
            pool = self.former[household.area]
            pool.append(household)
            if len(pool) > 3 * self.areas[household.area].households:
                pool.pop(0)
        counts = Counter(h.area for h in self.active)
        for area in self.profile.areas:
            # the target counts paid households; some in the stock skip or net to zero
            target = self.profile.households_target(area, month) / PAYING_SHARE
            if initial:
                new = round(target)
            else:
                new = max(0, round(target - counts[area.code] + self.rng.gauss(0, 1.0)))
            for _ in range(new):
                self.active.append(self._new_household(area, month, initial))

    def _new_household(self, area: AreaSpec, month: Month, initial: bool) -> Household:
        rng = self.rng
        earliest = rng.randint(12, 720 if initial else 50)
        opened = month.first - timedelta(days=earliest)
        pool = self.former[area.code]
        if pool and not initial and rng.random() < RETURN_RATE:
            household = pool.pop(rng.randrange(len(pool)))
            household.case = Case(self._next_id("A"), household.hushall_id, area.code, opened)
            household.months_left = spell_length(rng, household.hinder)
            household.spell_month = 0
            if rng.random() < 0.5:
                age = age_on(household.applicant.birth, month.first)
                household.hinder = fit_hinder(self.changed_hinders.draw(), age)
            return household
        kind = self.types[area.code].draw()
        hinder = self.hinders.draw()
        applicant_age = None
        if hinder in PENSIONER_AGES:  # a pensioner lives alone or with a partner
            applicant_age = rng.randint(*PENSIONER_AGES[hinder])
            kind = kind if kind in ("3", "5", "7") else rng.choice(("3", "5"))
        members = compose(rng, self.factory, kind, month.first, applicant_age)
        hinder = fit_hinder(hinder, age_on(members[0].birth, month.first))
        hushall_id = self._next_id("H")
        return Household(
            hushall_id=hushall_id,
            area=area.code,
            members=members,
            hinder=hinder,
            fs_base=fs_base(
                rng, members, hinder, month.first, self.profile.fs_scale, area.homeless
            ),
            months_left=spell_length(rng, hinder),
            case=Case(self._next_id("A"), hushall_id, area.code, opened),
            spell_month=rng.randint(0, 24) if initial else 0,
        )

    def _plant_turning_18(self) -> None:
        """Keep one family paid past a child's 18th birthday (the child's role stays BARN)."""
        for household in self.active:
            for person in household.members:
                months = Month.of(add_years(person.birth, 18)).minus(self.start)
                if person.role == "BARN" and 0 < months <= self.end.minus(self.start):
                    household.months_left = max(household.months_left, months + 2)
                    return

    # --- one month ---------------------------------------------------------------------------
    def _planted(self, month: Month) -> dict[str, str]:
        events: dict[str, str] = {}
        eligible = [h for h in self.active if h.spell_month > 0 and h.months_left > 1]
        for calendar_month, event in PLANTED:
            if calendar_month == month.month and eligible:
                events[self.pay_rng.choice(eligible).hushall_id] = event
        return events

    def _event(self, household: Household) -> str:
        if household.spell_month == 0:
            return "normal"
        draw = self.pay_rng.random()
        if household.months_left > 1:
            if draw < GAP_RATE:
                return "gap"
            if draw < GAP_RATE + MOVE_RATE and len(self.areas) > 1:
                return "move"
        return "net_zero" if draw > 1 - NET_ZERO_RATE else "normal"

    def _month(self, month: Month, pay_out: RowWriter | None, member_out: RowWriter | None) -> None:
        planted = self._planted(month) if pay_out is not None else {}
        staying: list[Household] = []
        for household in self.active:
            evolve_members(self.rng, self.factory, household, month)
            if household.hinder not in PENSIONER_AGES and self.rng.random() < 0.01:
                age = age_on(household.applicant.birth, month.first)
                household.hinder = fit_hinder(self.changed_hinders.draw(), age)
            event = planted.get(household.hushall_id) or self._event(household)
            homeless = self.areas[household.area].homeless
            moved_from: Case | None = None
            if event == "gap":
                paid: list[payments.Payment] = []
            elif event == "net_zero":
                paid = payments.net_zero(self.pay_rng, household, month)
            elif event == "move":
                moved_from = household.case
                paid = self._move(household, month)
            else:
                paid = payments.normal(self.pay_rng, household, month, homeless)
            household.pending_measures += self.measures.start(household, month, homeless)
            if pay_out is not None and member_out is not None and paid:
                self._write(household, month, paid, pay_out, member_out)
            for payment in paid:
                case = payment.case
                case.last_payment = max(payment.day, case.last_payment or payment.day)
                case.last_month = month
            if moved_from is not None:
                closed = month.last + timedelta(days=self.case_rng.randint(1, 20))
                self.cases.finish(moved_from, closed, "FLYTT")
            household.spell_month += 1
            household.months_left -= 1
            if household.months_left > 0:
                staying.append(household)
            else:
                self._exit(household, month)
        self.active = staying

    def _move(self, household: Household, month: Month) -> list[payments.Payment]:
        others = [a for a in self.profile.areas if a.code != household.area]
        area = self.pay_rng.choices(others, [a.households for a in others])[0]
        opened = month.first + timedelta(days=self.pay_rng.randint(0, 9))
        new_case = Case(self._next_id("A"), household.hushall_id, area.code, opened)
        paid = payments.split(self.pay_rng, household, month, new_case)
        household.case = new_case
        household.area = area.code
        return paid

    def _write(
        self,
        household: Household,
        month: Month,
        paid: list[payments.Payment],
        pay_out: RowWriter,
        member_out: RowWriter,
    ) -> None:
        """A paid month: payments, members, and the measures started since the last one."""
        for measure in household.pending_measures:
            self.measure_out.writerow(self.measures.row(measure))
        household.pending_measures.clear()
        key = str(month)
        for payment in paid:
            payment.case.in_output = True
            pay_out.writerow(
                [
                    self._next_id("U"),
                    payment.case.arende_id,
                    household.hushall_id,
                    payment.case.area,
                    key,
                    payment.day.isoformat(),
                    hundredths(payment.amount),
                    payment.typ,
                    household.hinder,
                    payment.lo_andamal,
                ]
            )
        for person in household.members:
            member_out.writerow(
                [
                    household.hushall_id,
                    key,
                    written(person.pnr, self.pay_rng),
                    person.kon,
                    person.role,
                ]
            )

    def _exit(self, household: Household, month: Month) -> None:
        case = household.case
        last = case.last_month or month
        after = max(last.last, case.last_payment or last.last)
        closed = after + timedelta(days=self.case_rng.randint(1, 60))
        reason = closure_reason(self.case_rng, self.closures, household, closed)
        self.cases.finish(case, closed, reason)
        household.pending_measures.clear()
        self.leaving.append((month, household))
