"""The stockholm profile, refreshed, publishes figures close to the real ones in domain.md.

One build: the stockholm profile from 2021-01 to 2022-03 (2021 complete, January 2022 final —
its two re-deliveries are in — and two preliminary months after it), refreshed without pages.
Every figure is read where a controller reads it: the published KPIs (publish.kpi, the
household breakdowns, personal_enhet) or, for counts the pages do not show, the numerators of
marts.fct_indicator_value. Each tolerance names its source figure (../shared/domain.md and the
seeds it quotes). Some seed figures are from other years (2018, 2023) or describe one unit; the
tolerances say so where that widens them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import STOCKHOLM_FIRST, STOCKHOLM_LAST, Refreshed

FIRST, LAST = STOCKHOLM_FIRST, STOCKHOLM_LAST
DISTRICTS = (
    "RIK",
    "SPT",
    "HAV",
    "BRO",
    "KUN",
    "NOR",
    "OST",
    "SOD",
    "EAV",
    "SKA",
    "FAR",
    "HAL",
    "SKH",
)
INNER_CITY = ("KUN", "NOR", "OST")
UNITS = tuple(f"EB-{code}" for code in (*DISTRICTS, "HEM", "BOU"))
# domain.md: households per district, December 2020 (seed 004's table)
DECEMBER_2020 = {
    "RIK": 1346,
    "SPT": 700,
    "HAV": 935,
    "BRO": 372,
    "KUN": 188,
    "NOR": 214,
    "OST": 178,
    "SOD": 461,
    "EAV": 1152,
    "SKA": 459,
    "FAR": 705,
    "HAL": 839,
    "SKH": 624,
}
# domain.md: Bromma 2021, households per month
BROMMA_2021 = (361, 356, 357, 350, 345, 353, 341, 333, 318, 314, 322, 330)
# domain.md: Bromma January 2022, households by type (of 317)
BROMMA_TYPES_2022_01 = {3: 130, 5: 109, 4: 9, 6: 43, 7: 2, 8: 24}


@pytest.fixture(scope="module")
def built(stockholm_refreshed: Refreshed) -> Refreshed:
    """The session's stockholm build (tests/conftest.py)."""
    return stockholm_refreshed


@pytest.fixture(scope="module")
def published(built: Refreshed) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(built.publish_file), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def marts(built: Refreshed) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(built.warehouse), read_only=True)
    yield con
    con.close()


def kpi(con: duckdb.DuckDBPyConnection, code: str, area: str, year: int, period: str) -> float:
    """The published value (all genders) of one indicator, area and period."""
    rows = con.execute(
        "select value from publish.publish.kpi where indicator_code = ? and area_code = ? "
        "and year = ? and period = ? and gender = 'alla'",
        [code, area, year, period],
    ).fetchall()
    assert len(rows) == 1 and rows[0][0] is not None, (code, area, year, period, rows)
    return float(rows[0][0])


def numerator(
    con: duckdb.DuckDBPyConnection, code: str, area: str, year: int, period: str
) -> float:
    rows = con.execute(
        "select numerator from marts.fct_indicator_value where indicator_code = ? "
        "and area_code = ? and year = ? and period = ? and gender = 'alla'",
        [code, area, year, period],
    ).fetchall()
    assert len(rows) == 1, (code, area, year, period, rows)
    return float(rows[0][0])


def within(value: float, target: float, relative: float) -> bool:
    return abs(value - target) <= relative * target


# --- households -----------------------------------------------------------------------------


def test_bromma_2021_households_per_month(published: duckdb.DuckDBPyConnection) -> None:
    # issue 9: Bromma 2021 ≈ 345 a month ± 10 % (domain.md: 361 … 330, mean 340)
    assert within(kpi(published, "EB_HUSHALL", "BRO", 2021, "VB"), 345, 0.10)
    # every month within 10 % of the real month, and the year's fall is there
    months = [kpi(published, "EB_HUSHALL", "BRO", 2021, f"M{m:02d}") for m in range(1, 13)]
    for got, real in zip(months, BROMMA_2021, strict=True):
        assert within(got, real, 0.10), (months, BROMMA_2021)
    assert sum(months[:3]) > sum(months[8:11])  # domain.md: 361 356 357 … 318 314 322


def test_city_and_district_households(published: duckdb.DuckDBPyConnection) -> None:
    # domain.md: whole city ≈ 8 400–8 900 households a month in 2021
    assert 8_400 <= kpi(published, "EB_HUSHALL", "STHLM", 2021, "VB") <= 8_900
    for month in range(1, 13):
        assert 8_000 <= kpi(published, "EB_HUSHALL", "STHLM", 2021, f"M{month:02d}") <= 9_300
    # seed 004's table (December 2020); the city's trend is flat through 2021, so the 2021
    # average is within 10 % of it (Bromma has its own fall, tested above)
    for code, december in DECEMBER_2020.items():
        if code != "BRO":
            assert within(kpi(published, "EB_HUSHALL", code, 2021, "VB"), december, 0.10), code


def test_seasonality_more_households_in_winter(published: duckdb.DuckDBPyConnection) -> None:
    # domain.md, Bromma 2021: January–March 358 a month on average, August–October 322 (+11 %);
    # the profile's seasonality applies to the whole city: winter 2–12 % above autumn
    def mean(months: range) -> float:
        return sum(kpi(published, "EB_HUSHALL", "STHLM", 2021, f"M{m:02d}") for m in months) / 3

    assert 1.02 <= mean(range(1, 4)) / mean(range(8, 11)) <= 1.12


def test_bromma_january_2022_household_types(published: duckdb.DuckDBPyConnection) -> None:
    # issue 9 / domain.md: the type mix within 5 percentage points of Bromma January 2022
    total = kpi(published, "EB_HUSHALL", "BRO", 2022, "M01")
    assert within(total, 317, 0.10)  # domain.md: 317 households
    counts = dict(
        published.execute(
            "select hushallstyp_kod, antal_hushall from publish.publish.hushall_typ "
            "where area_code = 'BRO' and month_date = date '2022-01-01'"
        ).fetchall()
    )
    real_total = sum(BROMMA_TYPES_2022_01.values())
    for kind, real in BROMMA_TYPES_2022_01.items():
        got = counts[kind]
        if got is None:  # suppressed: 1–4 households (or the complementary cell)
            assert real / real_total < 0.05, kind
            continue
        assert abs(got / total - real / real_total) <= 0.05, (kind, got, total)


def test_bromma_january_2022_recipients(marts: duckdb.DuckDBPyConnection) -> None:
    # domain.md: 529 recipients of whom 186 children (so 343 adults) in 317 households
    adults = numerator(marts, "EB_ANDEL_VUXNA", "BRO", 2022, "M01")
    children = numerator(marts, "EB_ANDEL_BARN", "BRO", 2022, "M01")
    assert within(adults, 343, 0.15), adults
    assert within(children, 186, 0.20), children


# --- shares of the population ---------------------------------------------------------------


def test_share_of_adults_on_assistance(published: duckdb.DuckDBPyConnection) -> None:
    # issue 9 / domain.md: whole city 1,22 % (2023) and 1,5 % (2018): 2021 within 1,1–1,6 %
    assert 0.011 <= kpi(published, "EB_ANDEL_VUXNA", "STHLM", 2021, "VB") <= 0.016
    # domain.md: Bromma 0,62 % (2021), ± 0,1 percentage points
    assert abs(kpi(published, "EB_ANDEL_VUXNA", "BRO", 2021, "VB") - 0.0062) <= 0.001
    # seed 000: inner city 0,27 % (2018). The profile keeps seed 004's December 2020 caseloads
    # (188–214 households) for districts of ≈ 70 000 residents, which gives ≈ 0,4 %: below
    # Bromma and at most 0,5 %.
    bromma = kpi(published, "EB_ANDEL_VUXNA", "BRO", 2021, "VB")
    for code in INNER_CITY:
        assert kpi(published, "EB_ANDEL_VUXNA", code, 2021, "VB") <= min(bromma, 0.005), code


def test_long_term_share(published: duckdb.DuckDBPyConnection) -> None:
    # domain.md: long-term 0,18 % (inner city 2018) to 0,6 % (Hägersten-Älvsjö 2023). The inner
    # city within 0,18–0,40 %; and per district, long-term recipients are 55–85 % of all adult
    # recipients (the seeds: 0,18 / 0,27 = 67 % inner city 2018, 0,6 / 0,76 = 79 % HAL 2023)
    for code in INNER_CITY:
        assert 0.0018 <= kpi(published, "EB_ANDEL_LANGVARIGT", code, 2021, "VB") <= 0.0040
    for code in (*DISTRICTS, "STHLM"):
        ratio = kpi(published, "EB_ANDEL_LANGVARIGT", code, 2021, "VB") / kpi(
            published, "EB_ANDEL_VUXNA", code, 2021, "VB"
        )
        assert 0.55 <= ratio <= 0.85, (code, ratio)


def test_share_of_children(published: duckdb.DuckDBPyConnection) -> None:
    # domain.md: children 0,5–1 % in the seeds' districts (inner city, Bromma), ± 0,2 points
    for code in (*INNER_CITY, "BRO"):
        assert 0.003 <= kpi(published, "EB_ANDEL_BARN", code, 2021, "VB") <= 0.012, code
    # domain.md: the city's target range 2,7–3,6 %
    assert 0.027 <= kpi(published, "EB_ANDEL_BARN", "STHLM", 2021, "VB") <= 0.036


# --- money and reasons ----------------------------------------------------------------------


def test_kronor_per_household_month(published: duckdb.DuckDBPyConnection) -> None:
    # seed 000: ≈ 8 500 kr per household-month, ± 10 %
    assert within(kpi(published, "EB_BISTAND_PER_HUSHALL", "STHLM", 2021, "VB"), 8_500, 0.10)
    for code in DISTRICTS:
        assert within(kpi(published, "EB_BISTAND_PER_HUSHALL", code, 2021, "VB"), 8_500, 0.15)
    # seed 004: Bromma ≈ 3,2 Mkr a month for ≈ 320 households (10 000 kr each, above seed 000's
    # 8 500), budget 37–45 Mkr a year: January 2022 within 20 %, 2021 within the budget − 10 %
    assert within(kpi(published, "EB_UTBETALT", "BRO", 2022, "M01"), 3_200_000, 0.20)
    assert 33_000_000 <= kpi(published, "EB_UTBETALT", "BRO", 2021, "VB") <= 45_000_000


def test_forsorjningshinder_mix(published: duckdb.DuckDBPyConnection) -> None:
    # seed 004 (% of adult recipients; the page counts households): unemployed ≈ 40 % (± 5),
    # sick-listed with a certificate 25–30 % (± 3), sickness/activity compensation ≈ 4 % (± 2),
    # pensioner ≈ 1 % (± 1,5)
    rows = published.execute(
        "select forsorjningshinder_grupp, sum(antal_hushall) from "
        "publish.publish.hushall_forsorjningshinder where area_code = 'STHLM' and year = 2021 "
        "group by all"
    ).fetchall()
    counts = {group: float(n) for group, n in rows}
    total = sum(counts.values())
    share = {group: n / total for group, n in counts.items()}
    assert 0.35 <= share["Arbetslös"] <= 0.45, share
    assert 0.22 <= share["Sjukskriven med läkarintyg"] <= 0.33, share
    assert 0.02 <= share["Sjuk- eller aktivitetsersättning"] <= 0.06, share
    assert 0.0 < share["Pensionär"] <= 0.025, share


def test_cases_and_measures(published: duckdb.DuckDBPyConnection) -> None:
    # seed 001: 26,47 % of closures coded unknown, ± 5 points
    assert abs(kpi(published, "EB_AVSLUT_OKANT", "STHLM", 2021, "VB") - 0.2647) <= 0.05
    # seed 004: 77,78 % with a change plan within 3 months, ± 8 points
    assert abs(kpi(published, "EB_PLAN_3MAN", "STHLM", 2021, "VB") - 0.7778) <= 0.08
    # seed 000: AR team 16 of 53 = 30,2 % to own or other support, ± 8 points
    assert abs(kpi(published, "IN_AR_TEAM", "STHLM", 2021, "VB") - 0.302) <= 0.08
    # seed 001: 31 % of ended trial flats taken over, ± 10 points
    assert abs(kpi(published, "IN_FORSOKSLAGENHET", "STHLM", 2021, "VB") - 0.31) <= 0.10


# --- staff ----------------------------------------------------------------------------------


def test_sick_leave(published: duckdb.DuckDBPyConnection) -> None:
    # seed 001: 8 % sick leave (± 1,5 points) with 2,1 % days 1–14 (± 0,7 points)
    assert abs(kpi(published, "PE_SJUKFRANVARO", "STHLM", 2021, "VB") - 0.08) <= 0.015
    assert abs(kpi(published, "PE_SJUKFRANVARO_1_14", "STHLM", 2021, "VB") - 0.021) <= 0.007
    # seed 000: units differ, 7,3–14,7 %; the profile spreads units around the city's 8 %:
    # at least 3 points between the lowest and the highest, all within 3–16 %
    units = [kpi(published, "PE_SJUKFRANVARO", unit, 2021, "VB") for unit in UNITS]
    assert max(units) - min(units) >= 0.03, units
    assert all(0.03 <= value <= 0.16 for value in units), units


def test_employee_survey_and_unit_sizes(published: duckdb.DuckDBPyConnection) -> None:
    # seed 000: AMI 57–84, for every unit and the city
    for area in (*UNITS, "STHLM"):
        assert 57 <= kpi(published, "PE_AMI", area, 2021, "VB") <= 84, area
    # domain.md: a unit has about 25–35 staff (December 2021; ± a few for turnover)
    sizes = dict(
        published.execute(
            "select area_code, antal_anstallda from publish.publish.personal_enhet "
            "where area_level = 'enhet' and month_date = date '2021-12-01'"
        ).fetchall()
    )
    assert set(sizes) == set(UNITS)
    assert all(20 <= n <= 40 for n in sizes.values()), sizes
    assert 25 <= sum(sizes.values()) / len(sizes) <= 35, sizes


def test_the_build_is_the_calibrated_range(built: Refreshed) -> None:
    names = {p.name for p in Path(built.landing).iterdir()}
    assert f"utbetalningar_{FIRST}.csv" in names and f"utbetalningar_{LAST}.csv" in names
    assert "befolkning_2020.csv" in names  # the population the 2021 shares divide by


# --- catalogue v2: housing, FUT and complaints (Hägersten-Älvsjö, seed 001's VB 2023) --------


def test_eviction_prevention_and_emergency_housing(
    published: duckdb.DuckDBPyConnection, marts: duckdb.DuckDBPyConnection
) -> None:
    # seed 001: 97,02 % of closed notices averted, ± 1,5 points
    assert abs(kpi(published, "BO_AVHYSNING_AVVARJD", "HAL", 2021, "VB") - 0.9702) <= 0.015
    # seed 001: support accepted at 47,85 % of contacts, ± 5 points
    assert abs(kpi(published, "BO_STOD_VID_KONTAKT", "HAL", 2021, "VB") - 0.4785) <= 0.05
    # seed 001: 23 evictions carried out, 8 of them affecting children, 6 families with children
    # in hotels or hostels — one district's year, so ± 50 % (± 75 % for the small counts)
    assert within(numerator(marts, "BO_VERKSTALLDA", "HAL", 2021, "VB"), 23, 0.5)
    assert within(numerator(marts, "BO_VRAKNING_BARN", "HAL", 2021, "VB"), 8, 0.75)
    assert within(numerator(marts, "BO_BARNFAMILJ_HOTELL", "HAL", 2021, "VB"), 6, 0.75)
    # ~772 closed notices a year (23 carried out at 97,02 % averted), ± 15 %
    closed = marts.execute(
        "select denominator from marts.fct_indicator_value where indicator_code = "
        "'BO_AVHYSNING_AVVARJD' and area_code = 'HAL' and year = 2021 and period = 'VB' "
        "and gender = 'alla'"
    ).fetchone()[0]
    assert within(float(closed), 772, 0.15)


def test_fut_and_complaints(
    published: duckdb.DuckDBPyConnection, marts: duckdb.DuckDBPyConnection
) -> None:
    # seed 001: 73,02 % of FUT reports pre-assessed within 3 months, ± 10 points
    assert abs(kpi(published, "FU_FORHANDSBEDOMD_3MAN", "HAL", 2021, "VB") - 0.7302) <= 0.10
    # seed 000: a district unit with 56 FUT cases had 18 repayment decisions in 2018, ± 60 %
    assert within(numerator(marts, "FU_ATERKRAV", "HAL", 2021, "VB"), 18, 0.6)
    # seed 001: 7 lex Sarah reports and 8 reports from clients in the year, ± 75 %
    assert within(numerator(marts, "SY_LEX_SARAH", "HAL", 2021, "VB"), 7, 0.75)
    (from_clients,) = published.execute(
        "select totalt from publish.publish.synpunkter_redovisning where area_code = 'HAL' "
        "and year = 2021 and uppdelning = 'avsandare' and kod = 'BRUKARE'"
    ).fetchone()
    assert from_clients is not None and within(from_clients, 8, 0.75)


def test_rent_arrears_and_bostad_forst(
    published: duckdb.DuckDBPyConnection, marts: duckdb.DuckDBPyConnection
) -> None:
    # seed 001: 932 000 kr of assistance for rent arrears to 53 households (2023), ± 50 %
    assert within(numerator(marts, "EB_HYRESSKULD_HUSHALL", "HAL", 2021, "VB"), 53, 0.5)
    assert within(numerator(marts, "EB_HYRESSKULD_KR", "HAL", 2021, "VB"), 932_000, 0.5)
    # seed 001: Bostad först kept after 12 months against a target of 75 % (100 % reported for
    # the district's two contracts); the city's figure lands between 70 and 95 %
    assert 0.70 <= kpi(published, "IN_BOSTAD_FORST_12MAN", "STHLM", 2021, "VB") <= 0.95
