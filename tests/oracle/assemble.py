"""From observed cells to the rows of marts.fct_indicator_value (rulebook, rules 5 and 7–11).

For every indicator: the rows are its complete periods × the areas its observations reach (in any
year; population-based indicators only areas with population) × its genders. Cells without
observations get numerator 0 and n 0; the denominator comes from the indicator's rule.
Then value, suppression (n 1–4), previous-year value, targets (on `alla` rows) and status.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.oracle.areas import KEY, with_areas, with_genders
from tests.oracle.computed import Computed, Denominator, Population
from tests.oracle.context import Context
from tests.oracle.reference import Reference

COLUMNS = [
    "indicator_code",
    *KEY,
    "value",
    "numerator",
    "denominator",
    "n_individuals",
    "target",
    "target_kf",
    "previous_year_value",
    "status",
    "is_suppressed",
]
AREA = ["area_level", "area_code"]


# --- population ------------------------------------------------------------------------------
def population_by_area(ctx: Context, min_age: int, max_age: int) -> pd.DataFrame:
    """ar, area_level, area_code, gender, population (31 December of `ar`)."""
    population = ctx.landing.population
    in_ages = population[population["alder"].between(min_age, max_age)]
    fanned = with_genders(with_areas(in_ages, ctx.ref), split=True)
    table = fanned.groupby(["ar", *AREA, "gender"], as_index=False, observed=True)["antal"].sum()
    table = table.astype({"area_level": "str", "area_code": "str", "gender": "str"})
    return table.rename(columns={"antal": "population"}).astype({"ar": "Int64"})


def areas_with_population(ctx: Context) -> pd.DataFrame:
    everyone = population_by_area(ctx, 0, 999)
    return everyone.loc[everyone["population"] > 0, AREA].drop_duplicates()


def population_year(reporting_year: int, delivered: set[int], same_year: bool) -> int | None:
    """`ar` used for a reporting year: Y (Kolada) or Y − 1, else the latest earlier year."""
    if same_year:
        return reporting_year if reporting_year in delivered else None
    earlier = [year for year in delivered if year <= reporting_year - 1]
    return max(earlier) if earlier else None


def population_denominator(ctx: Context, rows: pd.DataFrame, rule: Population) -> pd.Series:
    table = population_by_area(ctx, rule.min_age, rule.max_age)
    delivered = set(ctx.landing.population["ar"])
    years = pd.Series(
        [population_year(y, delivered, rule.same_year) for y in rows["year"]],
        index=rows.index,
        dtype="Int64",
    )
    with_year = rows.assign(ar=years)
    merged = with_year.merge(
        table, on=["ar", *AREA, "gender"], how="left", validate="many_to_one"
    ).set_index(rows.index)
    population = merged["population"].astype("float64")
    return population * rows["n_months"] if rule.times_months else population


# --- one indicator ---------------------------------------------------------------------------
def indicator_rows(code: str, computed: Computed, ctx: Context) -> pd.DataFrame:
    """Rows (KEY + numerator, denominator, n_individuals, value) of one indicator."""
    cells, periods, rule = computed.cells, computed.periods, computed.denominator
    # an area is reached by a subject counted — or by an amount resting on none (budget)
    reached = cells.loc[
        (cells["n_individuals"] > 0) | (cells["numerator"] != 0), AREA
    ].drop_duplicates()
    reached = reached[reached["area_level"].isin(ctx.ref.area_levels(code))]
    if isinstance(rule, Population):
        reached = reached.merge(areas_with_population(ctx), on=AREA)
    genders = ["alla", "kvinnor", "man"] if ctx.ref.kon_uppdelad(code) else ["alla"]

    grid = (
        periods[["year", "period", "n_months"]]
        .merge(reached, how="cross")
        .merge(pd.DataFrame({"gender": genders}), how="cross")
    )
    rows = grid.merge(cells, on=KEY, how="left", validate="one_to_one")
    rows["numerator"] = rows["numerator"].fillna(0.0).astype("float64")
    rows["n_individuals"] = rows["n_individuals"].fillna(0).astype("int64")

    if rule is Denominator.OBSERVED:
        rows["denominator"] = rows["denominator"].fillna(0.0).astype("float64")
    elif rule is Denominator.MONTHS:
        rows["denominator"] = rows["n_months"].astype("float64")
    elif rule is Denominator.NONE:
        rows["denominator"] = np.nan
    else:
        rows["denominator"] = population_denominator(ctx, rows, rule)

    if rule is Denominator.NONE:
        rows["value"] = rows["numerator"]
    else:
        usable = rows["denominator"].notna() & (rows["denominator"] != 0)
        rows["value"] = (rows["numerator"] / rows["denominator"]).where(usable)
    rows["indicator_code"] = code
    return rows.drop(columns="n_months")


# --- all indicators: previous year, targets, status, suppression -------------------------------
def previous_year_values(rows: pd.DataFrame) -> pd.Series:
    """VB of the previous year for T1/T2/VB; the same month last year for months."""
    same = ["indicator_code", *AREA, "gender"]
    previous = rows[[*same, "year", "period", "value"]].rename(
        columns={"value": "previous_year_value", "period": "previous_period"}
    )
    previous["year"] = previous["year"] + 1
    wanted = rows.assign(
        previous_period=rows["period"].where(rows["period"].str.startswith("M"), "VB")
    )
    merged = wanted.merge(
        previous, on=[*same, "year", "previous_period"], how="left", validate="many_to_one"
    )
    return pd.Series(merged["previous_year_value"].to_numpy(), index=rows.index)


def with_targets(rows: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """Targets of (indicator, year, area) on the `alla` rows only."""
    targets = ref.targets[["indicator_code", "year", *AREA, "target", "target_kf"]].assign(
        gender="alla"
    )
    return rows.merge(
        targets, on=["indicator_code", "year", *AREA, "gender"], how="left", validate="many_to_one"
    )


def statuses(rows: pd.DataFrame, ref: Reference) -> pd.Series:
    """uppfylls / uppfylls_delvis (misses by ≤ tolerance × target) / uppfylls_ej, else null."""
    direction = rows["indicator_code"].map(ref.catalogue["riktning"])
    tolerance = rows["indicator_code"].map(ref.catalogue["tolerans"])
    value, target = rows["value"], rows["target"]
    miss = pd.Series(np.nan, index=rows.index)
    miss = miss.mask(direction == "lagre_battre", value - target)
    miss = miss.mask(direction == "hogre_battre", target - value)
    status = pd.Series(
        np.select(
            [miss <= 0, miss <= tolerance * target], ["uppfylls", "uppfylls_delvis"], "uppfylls_ej"
        ),
        index=rows.index,
        dtype="object",
    )
    applicable = miss.notna() & ~rows["is_suppressed"]
    return status.where(applicable, None)


def finish(rows: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    rows = rows.reset_index(drop=True)
    rows["is_suppressed"] = rows["n_individuals"].between(1, 4)
    rows["previous_year_value"] = previous_year_values(rows)
    rows = with_targets(rows, ref)
    rows["status"] = statuses(rows, ref)
    rows = rows[COLUMNS].sort_values(["indicator_code", *KEY], ignore_index=True)
    return rows.astype({"year": "int64", "n_individuals": "int64", "is_suppressed": "bool"})
