"""No figure publish.kpi hides can be computed from the figures it shows (issue 16).

On the stockholm profile (the calibration build, 2021-01 to 2022-03), for the additive
indicators — counts and kronor, the catalogue's aggregation `sum` or `month_avg` — the groups
whose total is the sum of its parts, per indicator, year and period:

- per area: alla = kvinnor + män (indicators split by gender);
- per gender: the city = its districts + the city-wide units (HEM, BOU);
- per gender: the city = its units;
- per gender and unit with districts: the unit = its districts.

The groups are built here from the reference CSVs (not from the warehouse's dim_area or its
flags): a value is *hidden* when marts.fct_indicator_value has it and publish.kpi shows null, and
the same for previous_year_value. A hidden figure is the total minus the shown parts, or the sum
of the shown parts, exactly when it is the only hidden one of a group: no group may have one.
Stronger still, each block of one indicator, year and period is solved as a linear system of all
its groups' equations, and no hidden figure may be determined by it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import REPO_ROOT, Refreshed

SEEDS = REPO_ROOT / "dbt_project" / "seeds"
KEY = ["indicator_code", "area_level", "area_code", "year", "period", "gender"]
BLOCK = ["indicator_code", "year", "period"]


def seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def additive_indicators() -> dict[str, bool]:
    """Additive indicator → split by gender, from the catalogue."""
    return {
        row["indicator_code"]: row["kon_uppdelad"] == "true"
        for row in seed("indicators")
        if row["aggregation"] in ("sum", "month_avg")
    }


def area_groups() -> dict[str, list[tuple[str, str, bool]]]:
    """Each area group: its members as (area_level, area_code, is_total)."""
    districts = seed("ref_districts")
    city = ("stad", "STHLM", True)
    leaves = [
        ("stadsdel", d["stadsdel_kod"], False)
        if d["typ"] == "stadsdel"
        else ("enhet", d["enhet_kod"], False)
        for d in districts
    ]
    units = sorted({d["enhet_kod"] for d in districts})
    groups = {
        "stad_omraden": [city, *leaves],
        "stad_enheter": [city, *(("enhet", unit, False) for unit in units)],
    }
    for unit in units:
        own = [
            d["stadsdel_kod"]
            for d in districts
            if d["enhet_kod"] == unit and d["typ"] == "stadsdel"
        ]
        if own:
            groups[f"enhet {unit}"] = [
                ("enhet", unit, True),
                *(("stadsdel", code, False) for code in own),
            ]
    return groups


def memberships(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per (group, member cell) of the additive cells: group, cell index, is_total."""
    additive = additive_indicators()
    cells = cells[cells["indicator_code"].isin(additive)]
    parts = []
    by_gender = cells[cells["indicator_code"].map(additive)]
    parts.append(
        pd.DataFrame(
            {
                "group": "kon "
                + by_gender[["indicator_code", "year", "period", "area_level", "area_code"]]
                .astype(str)
                .agg(" ".join, axis=1),
                "cell": by_gender.index,
                "is_total": by_gender["gender"].eq("alla").to_numpy(),
            }
        )
    )
    for name, members in area_groups().items():
        member_frame = pd.DataFrame(members, columns=["area_level", "area_code", "is_total"])
        joined = cells.reset_index(names="cell").merge(member_frame, on=["area_level", "area_code"])
        parts.append(
            pd.DataFrame(
                {
                    "group": name
                    + " "
                    + joined[["indicator_code", "year", "period", "gender"]]
                    .astype(str)
                    .agg(" ".join, axis=1),
                    "cell": joined["cell"],
                    "is_total": joined["is_total"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class Exposure:
    """How exposed the hidden figures of one column are, under a given hiding."""

    hidden: int
    # groups with exactly one hidden member among two or more: that member is computable
    single_hidden_groups: int
    computable_in_a_group: int
    # hidden figures the linear system of every group of their block determines
    computable_from_all_groups: int


def exposure(cells: pd.DataFrame, groups: pd.DataFrame, hidden: pd.Series) -> Exposure:
    """hidden: per cell (index of cells), whether its figure is hidden (and exists)."""
    members = groups.assign(hidden=hidden.reindex(groups["cell"]).to_numpy())
    per_group = members.groupby("group").agg(size=("cell", "size"), n_hidden=("hidden", "sum"))
    single = per_group[(per_group["size"] > 1) & (per_group["n_hidden"] == 1)]
    computable = members[members["group"].isin(single.index) & members["hidden"]]["cell"].unique()
    return Exposure(
        hidden=int(hidden.sum()),
        single_hidden_groups=len(single),
        computable_in_a_group=len(computable),
        computable_from_all_groups=determined_by_all_groups(cells, members),
    )


def determined_by_all_groups(cells: pd.DataFrame, members: pd.DataFrame) -> int:
    """Hidden figures fixed by the equations of all groups of their block (total = Σ parts).

    Per block, unknowns are the hidden figures; each group gives one row (+1 for a hidden part,
    −1 for a hidden total; the shown members are the constant). A hidden figure is determined
    exactly when its unit vector lies in the row space of the system.
    """
    hidden_members = members[members["hidden"]]
    if hidden_members.empty:
        return 0
    blocks = cells.loc[hidden_members["cell"], BLOCK].astype(str).agg(" ".join, axis=1)
    determined = 0
    for _, block in hidden_members.groupby(blocks.to_numpy()):
        unknowns = {cell: i for i, cell in enumerate(sorted(block["cell"].unique()))}
        rows = []
        for _, group in block.groupby("group"):
            row = np.zeros(len(unknowns))
            for cell, is_total in zip(group["cell"], group["is_total"], strict=True):
                row[unknowns[cell]] = -1.0 if is_total else 1.0
            rows.append(row)
        system = np.vstack(rows)
        rank = np.linalg.matrix_rank(system)
        for i in range(len(unknowns)):
            unit = np.zeros(len(unknowns))
            unit[i] = 1.0
            if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
                determined += 1
    return determined


@dataclass(frozen=True)
class Disclosure:
    cells: pd.DataFrame
    groups: pd.DataFrame


def load(warehouse: Path, publish_file: Path) -> Disclosure:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        facts = con.execute(
            "select indicator_code, area_level, area_code, year, period, gender, value, "
            "previous_year_value, is_suppressed from marts.fct_indicator_value"
        ).df()
    with duckdb.connect(str(publish_file), read_only=True) as con:
        published = con.execute(
            "select indicator_code, area_level, area_code, year, period, gender, "
            "value as published_value, previous_year_value as published_previous, "
            "suppression_reason, previous_year_suppression_reason from publish.publish.kpi"
        ).df()
    cells = facts.merge(published, on=KEY, how="inner", validate="one_to_one")
    assert len(cells) == len(facts) == len(published)
    return Disclosure(cells, memberships(cells))


def hidden_values(cells: pd.DataFrame) -> pd.Series:
    return cells["value"].notna() & cells["published_value"].isna()


def hidden_previous(cells: pd.DataFrame) -> pd.Series:
    return cells["previous_year_value"].notna() & cells["published_previous"].isna()


def primary_only_values(cells: pd.DataFrame) -> pd.Series:
    """What publish.kpi hid before issue 16: the rows resting on 1–4 individuals."""
    return cells["value"].notna() & cells["is_suppressed"]


def primary_only_previous(cells: pd.DataFrame) -> pd.Series:
    """Previous-year values hidden before issue 16: this row's or last year's rests on 1–4."""
    last_year = cells[KEY].assign(
        year=cells["year"] + 1, last_year_suppressed=cells["is_suppressed"]
    )
    tertial = cells["period"].isin(["T1", "T2", "VB"])
    lookup = cells[KEY].assign(period=cells["period"].where(~tertial, "VB"))
    previous = lookup.merge(last_year, on=KEY, how="left", validate="many_to_one")
    last_suppressed = previous["last_year_suppressed"].fillna(False).astype(bool).to_numpy()
    return cells["previous_year_value"].notna() & (cells["is_suppressed"] | last_suppressed)


@pytest.fixture(scope="module")
def disclosure(stockholm_refreshed: Refreshed) -> Disclosure:
    """The session's stockholm build (tests/conftest.py): its facts and what it published."""
    return load(stockholm_refreshed.warehouse, stockholm_refreshed.publish_file)


def test_groups_add_up_in_the_warehouse(disclosure: Disclosure) -> None:
    """The groups are real: alla = kvinnor + män exactly; area totals the sum of their parts."""
    cells, groups = disclosure.cells, disclosure.groups
    signed = groups.assign(
        value=cells.loc[groups["cell"], "value"].to_numpy()
        * np.where(groups["is_total"], -1.0, 1.0)
    )
    residual = signed.groupby("group")["value"].sum().abs()
    gender = residual[residual.index.str.startswith("kon ")]
    assert len(gender) > 0 and (gender < 1e-6).all()
    area = residual[~residual.index.str.startswith("kon ")]
    # a participant in measures in two districts counts once in the city: nearly exact
    assert len(area) > 0 and (area < 1e-6).mean() > 0.99


def test_primary_rule_alone_left_figures_computable(disclosure: Disclosure) -> None:
    """Before issue 16 (hiding only what rests on 1–4 individuals), 123 hidden values were the
    only hidden cell of a group — the total minus the shown parts — and 136 were determined by
    the groups' equations together; 5 previous-year values likewise (with catalogue v2's
    counts — evictions, families in hotels, rent arrears — and the flows' small monthly
    counts)."""
    cells, groups = disclosure.cells, disclosure.groups
    assert exposure(cells, groups, primary_only_values(cells)) == Exposure(
        hidden=6552,
        single_hidden_groups=130,
        computable_in_a_group=123,
        computable_from_all_groups=136,
    )
    assert exposure(cells, groups, primary_only_previous(cells)) == Exposure(
        hidden=1925,
        single_hidden_groups=5,
        computable_in_a_group=5,
        computable_from_all_groups=5,
    )


def test_no_hidden_value_is_computable(disclosure: Disclosure) -> None:
    """The same 6 552 values hidden for 1–4 individuals and 126 more as complements (of the
    additive indicators with small cells here: IN_STHLMSJOBB, catalogue v2's counts and kronor,
    and the flows): none computable."""
    cells, groups = disclosure.cells, disclosure.groups
    hidden = hidden_values(cells)
    assert (hidden == (cells["suppression_reason"].notna() & cells["value"].notna())).all()
    assert cells.loc[hidden, "suppression_reason"].value_counts().to_dict() == {
        "fa_individer": 6552,
        "komplementar": 126,
    }
    assert (hidden & cells["is_suppressed"]).sum() == primary_only_values(cells).sum()
    complements = cells[cells["suppression_reason"].eq("komplementar")]
    assert set(complements["indicator_code"]) == {
        "IN_STHLMSJOBB",
        "BO_VERKSTALLDA",
        "BO_VRAKNING_BARN",
        "BO_BARNFAMILJ_HOTELL",
        "EB_HYRESSKULD_HUSHALL",
        "EB_HYRESSKULD_KR",
        "EB_INFLODE_NYA",
        "EB_INFLODE_ATERKOMMANDE",
        "EB_INFLODE_NYA_PERSONER",
    }
    assert set(complements["indicator_code"]) <= set(additive_indicators())
    assert not complements["is_suppressed"].any()
    assert exposure(cells, groups, hidden) == Exposure(
        hidden=6678, single_hidden_groups=0, computable_in_a_group=0, computable_from_all_groups=0
    )


def test_no_hidden_previous_year_value_is_computable(disclosure: Disclosure) -> None:
    """Previous-year values: the 1 925 hidden before plus 5 complements, none computable."""
    cells, groups = disclosure.cells, disclosure.groups
    hidden = hidden_previous(cells)
    assert cells.loc[hidden, "previous_year_suppression_reason"].value_counts().to_dict() == {
        "fa_individer": 1925,
        "komplementar": 5,
    }
    assert (hidden & primary_only_previous(cells)).sum() == primary_only_previous(cells).sum()
    assert exposure(cells, groups, hidden) == Exposure(
        hidden=1930, single_hidden_groups=0, computable_in_a_group=0, computable_from_all_groups=0
    )
