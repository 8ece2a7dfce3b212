"""Reporting periods and which of them are complete (rulebook, common rule 6).

Months are integers `year * 12 + (month - 1)` so that windows are plain arithmetic.
T1 = Jan–Apr, T2 = Jan–Aug, VB = Jan–Dec, M01–M12 one month each. A period is reported only
when its source has data for every month it needs: its own months, and for trailing-12
indicators the 12 months ending at its last month.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

TERTIAL_PERIODS: dict[str, tuple[int, int]] = {"T1": (1, 4), "T2": (1, 8), "VB": (1, 12)}
MONTH_PERIODS: dict[str, tuple[int, int]] = {f"M{m:02d}": (m, m) for m in range(1, 13)}
ALL_PERIODS: dict[str, tuple[int, int]] = {**TERTIAL_PERIODS, **MONTH_PERIODS}


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_of(iso_month: pd.Series) -> pd.Series:
    """'YYYY-MM' → month index (computed once per distinct value)."""
    codes, distinct = pd.factorize(iso_month)
    index = [int(value[0:4]) * 12 + int(value[5:7]) - 1 for value in distinct]
    return pd.Series(np.asarray(index, dtype="int64")[codes], index=iso_month.index)


def month_of_date(dates: pd.Series) -> pd.Series:
    """Timestamp → month index (NaT → NA)."""
    return (dates.dt.year * 12 + dates.dt.month - 1).astype("Int64")


def first_day(month: int) -> pd.Timestamp:
    return pd.Timestamp(year=month // 12, month=month % 12 + 1, day=1)


def last_day(month: int) -> pd.Timestamp:
    return first_day(month) + pd.offsets.MonthEnd(0)


def periods_table(
    available_months: Iterable[int], periodicity: str, lookback_months: int = 0
) -> pd.DataFrame:
    """Complete periods: year, period, first_month, last_month, n_months, start (S), end (E).

    periodicity `tertial` → T1, T2, VB and M01–M12; `ar` → VB only.
    """
    available = set(available_months)
    names = ALL_PERIODS if periodicity == "tertial" else {"VB": TERTIAL_PERIODS["VB"]}
    rows = []
    for year in sorted({month // 12 for month in available}):
        for period, (first, last) in names.items():
            first_month, last_month = month_index(year, first), month_index(year, last)
            needed = set(range(min(first_month, last_month - lookback_months), last_month + 1))
            if needed <= available:
                rows.append(
                    {
                        "year": year,
                        "period": period,
                        "first_month": first_month,
                        "last_month": last_month,
                        "n_months": last_month - first_month + 1,
                        "start": first_day(first_month),
                        "end": last_day(last_month),
                    }
                )
    columns = ["year", "period", "first_month", "last_month", "n_months", "start", "end"]
    return pd.DataFrame(rows, columns=columns)


PERIOD_NAMES = pd.CategoricalDtype(list(ALL_PERIODS))


def _expanded(periods: pd.DataFrame, months: list[list[int]]) -> pd.DataFrame:
    expanded = periods.assign(month=months).explode("month")
    expanded = expanded[["year", "period", "month"]].astype({"month": "int64"})
    return expanded.astype({"period": PERIOD_NAMES})


def period_months(periods: pd.DataFrame) -> pd.DataFrame:
    """One row per (year, period, month) for the months inside each period."""
    first_last = zip(periods["first_month"], periods["last_month"], strict=True)
    return _expanded(periods, [list(range(first, last + 1)) for first, last in first_last])


def trailing_months(periods: pd.DataFrame, length: int = 12) -> pd.DataFrame:
    """One row per (year, period, month) for the `length` months ending at the period's end."""
    return _expanded(periods, [list(range(e - length + 1, e + 1)) for e in periods["last_month"]])


def in_periods(observations: pd.DataFrame, months: pd.DataFrame) -> pd.DataFrame:
    """Observations with a `month` column, copied into every (year, period) containing it."""
    return observations.merge(months, on="month", how="inner")


def in_date_periods(
    observations: pd.DataFrame, periods: pd.DataFrame, date_column: str
) -> pd.DataFrame:
    """Observations whose date lies in [S, E] of a period, copied into each such period."""
    months = period_months(periods)
    dated = observations[observations[date_column].notna()]
    dated = dated.assign(month=month_of_date(dated[date_column]).astype("int64"))
    return in_periods(dated, months)


def cross_periods(observations: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Every observation paired with every period (columns year, period, start, end, …)."""
    return observations.merge(periods, how="cross")
