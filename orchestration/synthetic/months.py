"""Calendar helpers: a small immutable month type and business-day arithmetic."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``YYYY-MM``; raise ValueError with a clear message otherwise."""
        match = _MONTH_RE.match(text.strip()) if isinstance(text, str) else None
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"invalid month {text!r}: expected YYYY-MM, e.g. 2024-01")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def add(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def minus(self, other: Month) -> int:
        """Number of months from ``other`` to ``self``."""
        return (self.year - other.year) * 12 + self.month - other.month

    @cached_property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @cached_property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @cached_property
    def last(self) -> date:
        return date(self.year, self.month, self.days)


class MonthFrame:
    """One month's lookup tables for the simulation's hot loop.

    Ages on the month's first day become birth-date cut-offs (``age_on(birth, first) >= n``
    exactly when ``birth <= born_by(n)``), and payment days come from precomputed workdays.
    """

    __slots__ = (
        "adult",
        "born_21",
        "born_45",
        "born_65",
        "days",
        "first",
        "key",
        "main_days",
        "on_or_after",
        "on_or_before",
    )

    def __init__(self, month: Month) -> None:
        first = month.first
        self.first = first
        self.key = str(month)
        self.days = month.days
        self.adult = self.born_by(18)
        self.born_21 = self.born_by(21)
        self.born_45 = self.born_by(45)
        self.born_65 = self.born_by(65)
        # the main payment: 10 days before the month to its 3rd, moved to a workday
        self.main_days = [workday_on_or_after(first + timedelta(days=k)) for k in range(-10, 4)]
        # day d of the month (index d, 1–28) moved back or on to a workday
        days = [first + timedelta(days=d - 1) for d in range(29)]
        self.on_or_before = [workday_on_or_before(d) for d in days]
        self.on_or_after = [workday_on_or_after(d) for d in days]

    def born_by(self, age: int) -> date:
        return date(self.first.year - age, self.first.month, 1)


def month_range(first: Month, last: Month) -> list[Month]:
    """Months from ``first`` to ``last`` inclusive."""
    return [first.add(i) for i in range(last.minus(first) + 1)]


def is_workday(day: date) -> bool:
    return day.weekday() < 5


def workday_on_or_after(day: date) -> date:
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def workday_on_or_before(day: date) -> date:
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


def workdays_between(first: date, last: date) -> int:
    """Weekdays in ``[first, last]`` (0 when ``last < first``)."""
    if last < first:
        return 0
    full_weeks, rest = divmod((last - first).days + 1, 7)
    count = full_weeks * 5
    for offset in range(rest):
        if is_workday(first + timedelta(days=full_weeks * 7 + offset)):
            count += 1
    return count


def age_on(birth: date, day: date) -> int:
    """Whole years between ``birth`` and ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def add_years(day: date, years: int) -> date:
    """Same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
