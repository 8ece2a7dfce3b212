"""HR exports: employments (personal), monthly absence (franvaro), the employee survey."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from .contract import HEADERS, file_name
from .csvout import csv_writer, hundredths
from .draws import pick
from .months import Month, workdays_between
from .profiles import AreaSpec

ROLES: tuple[tuple[str, float], ...] = (
    ("Socialsekreterare", 55.0),
    ("Bidragshandläggare", 20.0),
    ("Arbetskonsulent", 15.0),
    ("Administratör", 10.0),
)
GRADES: tuple[tuple[str, float], ...] = (("100", 80.0), ("80", 7.0), ("75", 8.0), ("50", 5.0))
QUESTIONS = ("MOT1", "MOT2", "MOT3", "LED1", "LED2", "LED3", "STY1", "STY2", "STY3", "REK")
LEAVE_RATE = 0.011  # per employee and month: about 13 % turnover a year
FULL_DAY = 800  # centi-hours in a full-time working day


@dataclass
class Employee:
    anstallning_id: str
    unit: str
    male: bool
    title: str
    grade: int  # sysselsättningsgrad, percent
    start: date
    end: date | None = None
    long_left: int = 0  # months left of a long sick spell
    long_extent: int = 0  # percent of scheduled time
    long_first: bool = False

    def active_in(self, month: Month) -> bool:
        return self.start <= month.last and (self.end is None or self.end >= month.first)


class Staff:
    def __init__(self, areas: tuple[AreaSpec, ...], start: Month, seed: int) -> None:
        self.rng = random.Random(f"{seed}:staff")
        self.employees: list[Employee] = []
        self._next_number = 10_000 + self.rng.randint(1, 500)
        # Units differ (seed 000: 7,3–14,7 %); the factors average 1 so the total stays near 8 %.
        spread = [0.7 + 0.6 * i / max(1, len(areas) - 1) for i in range(len(areas))]
        self.rng.shuffle(spread)
        self.sickness = {a.unit: factor for a, factor in zip(areas, spread, strict=True)}
        for area in areas:
            for index in range(area.staff):
                title = (
                    "Enhetschef"
                    if index == 0
                    else ("Gruppledare" if index % 10 == 0 else pick(self.rng, ROLES))
                )
                hired = start.first - timedelta(days=self.rng.randint(30, 15 * 365))
                self.employees.append(self._hire(area.unit, title, hired))
        self.vacancies: list[tuple[Month, str, str]] = []  # (hire month, unit, title)

    def _hire(self, unit: str, title: str, start: date, fixed_term: float = 0.0) -> Employee:
        rng = self.rng
        self._next_number += rng.randint(1, 9)
        employee = Employee(
            f"HR{self._next_number}", unit, rng.random() < 0.2, title, int(pick(rng, GRADES)), start
        )
        if rng.random() < fixed_term:  # a fixed-term employment; the end may lie after extraction
            employee.end = start + timedelta(days=rng.randint(180, 365))
        return employee

    def turnover(self, month: Month) -> None:
        """Resignations at the end of ``month``; posts are filled one or two months later."""
        for employee in self.employees:
            if not employee.active_in(month) or employee.start > month.first:
                continue
            if employee.end is not None and employee.end <= month.last:
                if employee.end >= month.first:  # a fixed term runs out this month
                    self.vacancies.append((month.add(1), employee.unit, employee.title))
                continue
            if employee.end is None and self.rng.random() < LEAVE_RATE:
                employee.end = month.last
                self.vacancies.append(
                    (month.add(self.rng.randint(1, 2)), employee.unit, employee.title)
                )
        due = [v for v in self.vacancies if v[0] == month.add(1)]
        self.vacancies = [v for v in self.vacancies if v[0] != month.add(1)]
        for hire_month, unit, title in due:
            start = hire_month.first + timedelta(days=self.rng.choice((0, 0, 0, 14)))
            self.employees.append(self._hire(unit, title, start, fixed_term=0.1))

    def absence(self, employee: Employee, month: Month) -> tuple[int, int, int]:
        """(scheduled, sick, sick days 1–14) in centi-hours; 0 ≤ day 1–14 ≤ sick ≤ scheduled."""
        rng = self.rng
        first = max(employee.start, month.first)
        last = min(employee.end or month.last, month.last)
        day = FULL_DAY * employee.grade // 100
        scheduled = workdays_between(first, last) * day
        factor = self.sickness[employee.unit]
        # short spells ≈ 1,5 % and longer ones ≈ 7 % of scheduled time; days 1–14 ≈ 2,1 % (seed 001)
        short = min(scheduled, rng.randint(1, 3) * day) if rng.random() < 0.15 * factor else 0
        if employee.long_left == 0 and rng.random() < 0.065 * factor:
            employee.long_left = rng.randint(1, 4)
            employee.long_extent = rng.choice((25, 50, 50, 75))
            employee.long_first = True
        long_sick = long_first_days = 0
        if employee.long_left > 0:
            long_sick = scheduled * employee.long_extent // 100
            if employee.long_first:
                long_first_days = min(long_sick, 6 * day * employee.long_extent // 100)
            employee.long_left -= 1
            employee.long_first = False
        sick = min(scheduled, short + long_sick)
        return scheduled, sick, min(sick, short + long_first_days)


def write_staff(
    areas: tuple[AreaSpec, ...], months: list[Month], extraction: date, out_dir: Path, seed: int
) -> list[Path]:
    staff = Staff(areas, months[0], seed)
    paths: list[Path] = []
    survey_months = _survey_months(months)
    for month in months:
        path = out_dir / file_name("franvaro", month)
        with csv_writer(path, HEADERS["franvaro"]) as out:
            for employee in staff.employees:
                if not employee.active_in(month):
                    continue
                scheduled, sick, first_days = staff.absence(employee, month)
                if scheduled == 0:
                    continue
                out.writerow(
                    [
                        employee.anstallning_id,
                        employee.unit,
                        "M" if employee.male else "K",
                        str(month),
                        hundredths(scheduled),
                        hundredths(sick),
                        hundredths(first_days),
                    ]
                )
        paths.append(path)
        if month in survey_months:
            paths.append(_write_survey(staff, month, out_dir, seed))
        staff.turnover(month)
    path = out_dir / file_name("personal", extraction.isoformat())
    with csv_writer(path, HEADERS["personal"]) as out:
        for e in staff.employees:
            if e.start > extraction:
                continue
            out.writerow(
                [
                    e.anstallning_id,
                    e.unit,
                    "M" if e.male else "K",
                    e.title,
                    e.grade,
                    e.start.isoformat(),
                    e.end.isoformat() if e.end else "",
                ]
            )
    paths.append(path)
    return paths


def _survey_months(months: list[Month]) -> set[Month]:
    """The survey runs in September, or in the year's last/first month inside the range."""
    chosen: set[Month] = set()
    for year in sorted({m.year for m in months}):
        in_year = [m for m in months if m.year == year]
        up_to_september = [m for m in in_year if m.month <= 9]
        chosen.add(up_to_september[-1] if up_to_september else in_year[0])
    return chosen


def _write_survey(staff: Staff, month: Month, out_dir: Path, seed: int) -> Path:
    # its own stream per year: the survey month of an unfinished year moves with the last month,
    # and the absence files after it must not depend on that
    rng = random.Random(f"{seed}:medarbetarenkat:{month.year}")
    path = out_dir / file_name("medarbetarenkat", month.year)
    levels = {unit: rng.uniform(3.4, 4.3) for unit in staff.sickness}
    offsets = {q: rng.uniform(-0.25, 0.25) for q in QUESTIONS}
    used: set[str] = set()
    with csv_writer(path, HEADERS["medarbetarenkat"]) as out:
        for employee in staff.employees:
            if not employee.active_in(month) or rng.random() > 0.82:
                continue
            respondent = f"R{rng.getrandbits(32):08x}"
            while respondent in used:
                respondent = f"R{rng.getrandbits(32):08x}"
            used.add(respondent)
            kon = "" if rng.random() < 0.15 else ("M" if employee.male else "K")
            mood = rng.gauss(0, 0.5)
            for question in QUESTIONS:
                mean = levels[employee.unit] + offsets[question] + mood
                answer = min(5, max(1, round(rng.gauss(mean, 0.7))))
                out.writerow([respondent, month.year, employee.unit, kon, question, answer])
    return path
