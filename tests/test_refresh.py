"""The CLI end to end on generated data: refresh, idempotency, rejected input, exit codes."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from tests.conftest import Refreshed, run_bistand


def kpi_value(path: Path, code: str, area: str, year: int, period: str, gender: str = "alla"):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "select value, numerator, denominator, n_individuals from marts.fct_indicator_value "
            "where indicator_code = ? and area_code = ? and year = ? and period = ? and gender = ?",
            [code, area, year, period, gender],
        ).fetchone()
    finally:
        con.close()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_generate_writes_the_contract_exports(tiny_landing: Path) -> None:
    names = {p.name for p in tiny_landing.iterdir()}
    assert {
        "utbetalningar_2024-01.csv",
        "hushallsmedlemmar_2025-12.csv",
        "befolkning_2024.csv",
    } <= names


def test_refresh_succeeds_and_publishes(refreshed_warehouse: Refreshed) -> None:
    assert "Uppdateringen klar" in refreshed_warehouse.output
    con = duckdb.connect(str(refreshed_warehouse.publish_file), read_only=True)
    codes = {
        r[0]
        for r in con.execute("select distinct indicator_code from publish.publish.kpi").fetchall()
    }
    periods = {
        r[0] for r in con.execute("select distinct period from publish.publish.kpi").fetchall()
    }
    con.close()
    assert {"EB_HUSHALL", "EB_ANDEL_VUXNA"} <= codes
    assert {"T1", "T2", "VB", "M01", "M12"} <= periods


def _household_months(landing: Path) -> dict[tuple[str, str], tuple[str, float]]:
    """(household, month) → (district with the largest sum, net sum), from the raw CSV files."""
    sums: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for path in sorted(landing.glob("utbetalningar_*.csv")):
        for row in read_csv(path):
            amount = float(row["belopp"].replace(",", "."))
            sums[(row["hushall_id"], row["bidragsmanad"])][row["stadsdel_kod"]] += amount
    result = {}
    for key, by_district in sums.items():
        district = sorted(by_district.items(), key=lambda kv: (-round(kv[1], 2), kv[0]))[0][0]
        result[key] = (district, round(sum(by_district.values()), 2))
    return result


@pytest.mark.parametrize(("area", "period", "months"), [("BRO", "VB", 12), ("HAL", "T1", 4)])
def test_eb_hushall_equals_a_count_from_the_raw_files(
    refreshed_warehouse: Refreshed, area: str, period: str, months: int
) -> None:
    households = _household_months(refreshed_warehouse.landing)
    wanted = {f"2025-{m:02d}" for m in range(1, months + 1)}
    count = sum(
        1
        for (_, month), (district, net) in households.items()
        if month in wanted and district == area and net > 0
    )
    value, numerator, denominator, _ = kpi_value(
        refreshed_warehouse.warehouse, "EB_HUSHALL", area, 2025, period
    )
    assert (numerator, denominator) == (count, months)
    assert value == pytest.approx(count / months, rel=1e-12)


def test_eb_andel_vuxna_equals_a_count_from_the_raw_files(refreshed_warehouse: Refreshed) -> None:
    landing = refreshed_warehouse.landing
    households = _household_months(landing)
    adult_months = set()
    for path in sorted(landing.glob("hushallsmedlemmar_2025-*.csv")):
        for row in read_csv(path):
            district, net = households.get((row["hushall_id"], row["bidragsmanad"]), ("", 0))
            if district != "BRO" or net <= 0:
                continue
            digits = row["personnummer"].replace("-", "")
            year, month = int(row["bidragsmanad"][:4]), int(row["bidragsmanad"][5:])
            age = year - int(digits[:4]) - (1 if month < int(digits[4:6]) else 0)
            if age >= 18:
                adult_months.add((digits, row["bidragsmanad"]))
    population = sum(
        int(row["antal"])
        for row in read_csv(landing / "befolkning_2024.csv")
        if row["stadsdel_kod"] == "BRO" and int(row["alder"]) >= 18
    )
    value, numerator, denominator, _ = kpi_value(
        refreshed_warehouse.warehouse, "EB_ANDEL_VUXNA", "BRO", 2025, "VB"
    )
    assert numerator == len(adult_months)
    assert denominator == population * 12
    assert value == pytest.approx(len(adult_months) / (population * 12), rel=1e-12)


def test_refresh_of_a_missing_landing_directory_fails_with_exit_1(tmp_path: Path) -> None:
    result = run_bistand(
        "refresh", "--landing", tmp_path / "nope", "--warehouse", tmp_path / "w.duckdb"
    )
    assert result.returncode == 1
    assert "finns inte" in result.stderr
