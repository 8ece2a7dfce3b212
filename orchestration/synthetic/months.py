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
