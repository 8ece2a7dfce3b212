"""The case system's exports: payments, members, cases, change plans and measures.

Households are simulated month by month (with a burn-in before the first month so that spells,
case ages and measures look like a running operation); each month's payments and members are
written as soon as the month is done, and cases are written when they close.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from . import payments
from .cases import CLOSURE_WEIGHTS, CaseWriter, closure_reason
from .contract import HEADERS, file_name
from .csvout import RowWriter, csv_writer, hundredths
from .draws import Deck, between
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
from .months import Month, MonthFrame, add_years, age_on, month_range
from .pnr import PersonnummerFactory
from .profiles import AreaSpec, Profile

GAP_RATE = 0.03  # an active household skips a month (no application)
MOVE_RATE = 0.002  # moves to another area: that month is paid by both
NET_ZERO_RATE = 0.004  # paid and fully reversed: not a bidragshushåll that month
PAYING_SHARE = 1 - GAP_RATE - NET_ZERO_RATE
RETURN_RATE = 0.12  # a new spell is a former household coming back (same hushall_id)
# Planted every year, so each run has them whatever the seed: (calendar month, event).
PLANTED = ((3, "net_zero"), (5, "move"), (11, "move"))
# Late bookings for a bidragsmånad (see payments.late): the first delivery of a month lacks them,
# the re-deliveries one and two months later add them. Per normal household-month:
RETRO_RATE = 0.004  # the whole month decided late: booked in the next month
LATE_RATE = 0.008  # one correction or supplement booked one or two months later
REVERSAL_RATE = 0.001  # paid in error: taken back in full two months later (net 0 kr)
# Planted every written month: one retroactive month and one booking two months later, so that
# each re-delivery of the last two months differs from the first delivery whatever the seed.
PLANTED_LATE = ("retro", "late2")
LATE_TOTAL = RETRO_RATE + LATE_RATE + REVERSAL_RATE
FINAL_LAG = 2  # a month's file is final once two later months have been delivered
FLUSH_LINES = 20_000


class MonthFiles:
    """One month's utbetalningar and hushallsmedlemmar, written as plain lines.

    Every field is a code, an id, a date, a number or a personnummer: nothing needs quoting,
    so lines are joined directly (much faster than ``csv.writer``) and flushed in batches.
    """

    def __init__(self, pay_out: TextIO, member_out: TextIO) -> None:
        self._outs = (pay_out, member_out)
        self.payments: list[str] = []
        self.members: list[str] = []

    def flush(self) -> None:
        for out, lines in zip(self._outs, (self.payments, self.members), strict=True):
            out.write("".join(lines))
            lines.clear()


class AssistanceSimulation:
    def __init__(
        self,
        profile: Profile,
        seed: int,
        start: Month,
        end: Month,
        out_dir: Path,
        extraction: date,
        on_month: Callable[[Month], None] | None = None,
    ) -> None:
        self.profile = profile
        self.on_month = on_month  # told after each written month (the CLI's progress)
        self.start = start
        self.end = end
        self.out_dir = out_dir
        self.extraction = extraction
        self.seed = seed
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
        self.payment_seq = 0  # utbetalning_id: U and 8 digits (payments are the most numerous)
        self.frames: dict[Month, MonthFrame] = {}
        self.iso: dict[date, str] = {}  # payment days as text
        self.paths: list[Path] = []
        # net öre per (bidragsmånad, district, type) — every row, also those booked after the
        # run's last delivery: the outcome the budget (budget.py) is calibrated to
        self.outcome: Counter[tuple[str, str, str]] = Counter()

    def _next_id(self, prefix: str) -> str:
        """A letter prefix and 7–8 digits, so that no id looks like a personnummer."""
        number = self.seq[prefix] = self.seq[prefix] + 1
        return f"{prefix}{number:07d}"

    def _frame(self, month: Month) -> MonthFrame:
        frame = self.frames.get(month)
        if frame is None:
            frame = self.frames[month] = MonthFrame(month)
        return frame

    def run(self) -> list[Path]:
        snapshot = self.extraction.isoformat()
        with (
            self._open("arenden", snapshot) as case_out,
            self._open("forandringsplaner", snapshot) as plan_out,
            self._open("insatser", snapshot) as measure_out,
        ):
            self.cases = CaseWriter(case_out, plan_out, self.seed, self.extraction)
            self.measure_out = measure_out
            first = self.start.add(-self.profile.burn_in_months)
            for month in month_range(first, self.end):
                self._admit(month, initial=month == first)
                self.frames.pop(month.add(-1), None)
                if month < self.start:
                    self._month(month, None)
                    continue
                if month == self.start:
                    self._plant_turning_18()
                with self._month_files(month) as files:
                    self._month(month, files)
                if self.on_month is not None:
                    self.on_month(month)
            for household in self.active:
                self.cases.finish(household.case, None, None)
        return self.paths

    def _open(self, export: str, key: object) -> AbstractContextManager[RowWriter]:
        path = self.out_dir / file_name(export, key)
        self.paths.append(path)
        return csv_writer(path, HEADERS[export])

    @contextmanager
    def _month_files(self, month: Month) -> Iterator[MonthFiles]:
        paths = [self.out_dir / file_name(e, month) for e in ("utbetalningar", "hushallsmedlemmar")]
        self.paths += paths
        with (
            paths[0].open("w", encoding="utf-8", newline="") as pay_out,
            paths[1].open("w", encoding="utf-8", newline="") as member_out,
        ):
            pay_out.write(";".join(HEADERS["utbetalningar"]) + "\n")
            member_out.write(";".join(HEADERS["hushallsmedlemmar"]) + "\n")
            files = MonthFiles(pay_out, member_out)
            yield files
            files.flush()

    # --- entries -----------------------------------------------------------------------------
    def _admit(self, month: Month, initial: bool) -> None:
        # gone at least 4 months, so a returning household's old case has closed
        while self.leaving and month.minus(self.leaving[0][0]) >= 4:
            _, household = self.leaving.popleft()
            pool = self.former[household.area]
            pool.append(household)
            cap = 3 * self.areas[household.area].households
            if len(pool) > cap * 1.1:  # forget the oldest, in batches (a list's front is slow)
                del pool[: len(pool) - int(cap)]
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
        earliest = 12 + int(rng.random() * ((720 if initial else 50) - 11))
        opened = month.first - timedelta(days=earliest)
        pool = self.former[area.code]
        if pool and not initial and rng.random() < RETURN_RATE:
            household = pool.pop(int(rng.random() * len(pool)))
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
            low, high = PENSIONER_AGES[hinder]
            applicant_age = low + int(rng.random() * (high - low + 1))
            kind = kind if kind in ("3", "5", "7") else ("3", "5")[rng.random() < 0.5]
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
            spell_month=int(rng.random() * 25) if initial else 0,
        )

    def _plant_turning_18(self) -> None:
        """Keep one family paid past a child's 18th birthday (the child's role stays BARN).

        The child turns 18 within a year of the first month, whatever the last month, so that
        runs with different ``--to`` share their history.
        """
        for household in self.active:
            for person in household.members:
                months = Month.of(add_years(person.birth, 18)).minus(self.start)
                if person.role == "BARN" and 0 < months <= 12:
                    household.months_left = max(household.months_left, months + 2)
                    return

    # --- one month ---------------------------------------------------------------------------
    def _planted(self, month: Month) -> dict[str, str]:
        """Events planted in a written month, each on a different household."""
        events = [event for calendar_month, event in PLANTED if calendar_month == month.month]
        events += PLANTED_LATE
        eligible = [h for h in self.active if h.spell_month > 0 and h.months_left > 1]
        chosen = self.pay_rng.sample(eligible, min(len(events), len(eligible)))
        return {
            household.hushall_id: event for household, event in zip(chosen, events, strict=False)
        }

    def _month(self, month: Month, files: MonthFiles | None) -> None:
        frame = self._frame(month)
        following = (self._frame(month.add(1)), self._frame(month.add(2)))
        writing = files is not None
        visible = self.end.minus(month)  # rows booked this many months later are delivered
        planted = self._planted(month) if writing else {}
        rng, rand, pay = self.rng, self.rng.random, self.pay_rng.random
        factory, measures = self.factory, self.measures
        homeless_areas = {code for code, area in self.areas.items() if area.homeless}
        several_areas = len(self.areas) > 1
        staying: list[Household] = []
        for household in self.active:
            evolve_members(rng, factory, household, frame)
            if household.hinder not in PENSIONER_AGES and rand() < 0.01:
                age = age_on(household.applicant.birth, frame.first)
                household.hinder = fit_hinder(self.changed_hinders.draw(), age)
            event = planted.get(household.hushall_id, "")
            late = ""
            if event in PLANTED_LATE:
                event, late = "normal", event
            elif not event:
                event = "normal"
                if household.spell_month > 0:
                    draw = pay()
                    if household.months_left > 1:
                        if draw < GAP_RATE:
                            event = "gap"
                        elif draw < GAP_RATE + MOVE_RATE and several_areas:
                            event = "move"
                    if draw > 1 - NET_ZERO_RATE and event == "normal":
                        event = "net_zero"
            homeless = household.area in homeless_areas
            moved_from: Case | None = None
            paid: list[payments.Payment] = []
            if event == "move":
                moved_from = household.case
                paid = self._move(household, frame, writing)
            elif not writing or event == "gap":
                pass
            elif event == "net_zero":
                paid = payments.net_zero(pay, household, frame)
            else:
                paid = payments.normal(pay, household, frame, homeless)
                if late or pay() < LATE_TOTAL:
                    paid = self._late(household, paid, following, late)
            started = measures.start(household, frame, homeless)
            if started:
                household.pending_measures += started
            if paid:
                self._write(household, month, frame, paid, visible, files)
            if moved_from is not None:
                after = max(month.last, moved_from.last_payment or month.last)
                closed = after + timedelta(days=between(self.case_rng, 1, 20))
                self.cases.finish(moved_from, closed, "FLYTT")
            household.spell_month += 1
            household.months_left -= 1
            if household.months_left > 0:
                staying.append(household)
            else:
                self._exit(household, month)
        self.active = staying

    def _late(
        self,
        household: Household,
        paid: list[payments.Payment],
        following: tuple[MonthFrame, MonthFrame],
        planted: str,
    ) -> list[payments.Payment]:
        """Bookings after the month's first delivery: retroactive months, corrections."""
        pay = self.pay_rng.random
        draw = pay() * LATE_TOTAL
        if planted == "retro" or (not planted and draw < RETRO_RATE):
            return payments.retroactive(paid, following[0], pay)
        if planted == "late2" or (not planted and draw < RETRO_RATE + LATE_RATE):
            lag = 2 if planted or pay() < 0.5 else 1
            late = payments.late(pay, household, paid, following[lag - 1], lag, bool(planted))
            return [*paid, late]
        return [*paid, payments.reversal(pay, paid, following[1])]

    def _move(
        self, household: Household, frame: MonthFrame, writing: bool
    ) -> list[payments.Payment]:
        others = [a for a in self.profile.areas if a.code != household.area]
        area = self.pay_rng.choices(others, [a.households for a in others])[0]
        opened = frame.first + timedelta(days=int(self.pay_rng.random() * 10))
        new_case = Case(self._next_id("A"), household.hushall_id, area.code, opened)
        paid = payments.split(self.pay_rng.random, household, frame, new_case) if writing else []
        household.case = new_case
        household.area = area.code
        return paid

    def _write(
        self,
        household: Household,
        month: Month,
        frame: MonthFrame,
        paid: list[payments.Payment],
        visible: int,
        files: MonthFiles | None,
    ) -> None:
        """A paid month: payments, members, and the measures started since the last one.

        Rows booked later than this run's last delivery (``lag > visible``) get their ids and
        draws all the same, so that a longer run writes the same rows plus those.
        """
        assert files is not None
        key = frame.key
        hushall_id = household.hushall_id
        hinder = household.hinder
        shown = False
        lines = files.payments
        iso = self.iso
        outcome = self.outcome
        for day, amount, typ, case, lo_andamal, lag in paid:
            if case.last_payment is None or day > case.last_payment:
                case.last_payment = day
            case.last_month = month
            self.payment_seq += 1
            outcome[key, case.area, typ] += amount
            if lag > visible:
                continue
            case.in_output = shown = True
            money = f"{amount // 100},{amount % 100:02d}" if amount >= 0 else hundredths(amount)
            written_day = iso.get(day)
            if written_day is None:
                written_day = iso[day] = day.isoformat()
            lines.append(
                f"U{self.payment_seq:08d};{case.arende_id};{hushall_id};{case.area};{key};"
                f"{written_day};{money};{typ};{hinder};{lo_andamal}\n"
            )
        pay = self.pay_rng.random
        listed = visible >= FINAL_LAG or min(p.lag for p in paid) <= visible
        lines = files.members
        for person in household.members:
            number = person.pnr
            if pay() < 0.2:  # ≈ 20 % of rows are written with a dash
                number = f"{number[:8]}-{number[8:]}"
            if listed:
                lines.append(f"{hushall_id};{key};{number};{person.kon};{person.role}\n")
        if len(lines) > FLUSH_LINES:
            files.flush()
        if shown and household.pending_measures:
            for measure in household.pending_measures:
                self.measure_out.writerow(self.measures.row(measure))
            household.pending_measures.clear()

    def _exit(self, household: Household, month: Month) -> None:
        case = household.case
        last = case.last_month or month
        after = max(last.last, case.last_payment or last.last)
        closed = after + timedelta(days=between(self.case_rng, 1, 60))
        reason = closure_reason(self.case_rng, self.closures, household, closed)
        self.cases.finish(case, closed, reason)
        household.pending_measures.clear()
        self.leaving.append((month, household))
