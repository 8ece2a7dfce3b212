"""What an indicator family hands to the assembly: observed cells and how to fill the rest."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import pandas as pd

from tests.oracle.areas import KEY


class Denominator(Enum):
    OBSERVED = "observed"  # counted from the data: cells without observations get 0
    MONTHS = "months"  # months in the period (monthly averages)
    NONE = "none"  # sums and counts: value = numerator, denominator null


@dataclass(frozen=True)
class Population:
    """Population denominator: ages min_age..max_age (inclusive) of the area and gender."""

    min_age: int
    max_age: int
    same_year: bool  # Kolada: `ar` = Y; otherwise `ar` = Y − 1 or the latest earlier year
    times_months: bool  # × months in the period (averages over months)


@dataclass(frozen=True)
class Computed:
    """Observed cells: KEY + numerator, denominator (for OBSERVED), n_individuals.

    `periods` are the indicator's complete periods (periods.periods_table); cells only exist
    for areas/genders where something was observed.
    """

    cells: pd.DataFrame
    periods: pd.DataFrame
    denominator: Denominator | Population


def count_cells(
    observations: pd.DataFrame,
    subject: str,
    numerator: str | None = None,
    denominator: str | None = None,
) -> pd.DataFrame:
    """Aggregate fanned-out observations to cells.

    n_individuals = distinct `subject`s; numerator/denominator = sums of the named columns
    (omitted numerator → number of observation rows).
    """
    grouped = observations.groupby(KEY, as_index=False, observed=True)
    aggregations: dict[str, tuple[str, str]] = {"n_individuals": (subject, "nunique")}
    aggregations["numerator"] = (numerator, "sum") if numerator else (subject, "size")
    if denominator:
        aggregations["denominator"] = (denominator, "sum")
    cells = grouped.agg(**aggregations)
    for column in KEY[1:]:  # categoricals back to plain strings for the assembly
        cells[column] = cells[column].astype("str")
    cells["numerator"] = cells["numerator"].astype("float64")
    if denominator:
        cells["denominator"] = cells["denominator"].astype("float64")
    return cells
