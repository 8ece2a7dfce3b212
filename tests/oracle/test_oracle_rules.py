"""Self-tests of the oracle on tiny hand-written landing directories with hand-computed numbers.

The scenario (year 2024, all twelve payment and member months delivered):
- H1 in BRO, 1 000 kr every month. Members: A (woman, born 1980-05) and C (man, born 2006-03:
  a child in January–February, 18 from the end of March).
- H2 in BRO: January +5 000 and −5 000 kr (net 0: no bidragshushåll), then 2 000 kr in
  February–October (9 months). Member B (man, born 1990-07), listed January–October.
- H3 in HAL, 3 000 kr March–December (10 months). Member D (woman, samordningsnummer born
  1975-02-03, day written 63).
- H4 in HEM (city-wide unit), 1 500 kr in January only. Member E (man, born 1985-01). E is also
  listed in H1 in January: he counts once, in H4 (larger net).
Population 2023 (used for reporting year 2024): BRO 100 women + 100 men aged 30 and 50 girls +
50 boys aged 10; HAL 200 women + 200 men aged 40. Population 2024 (used by the Kolada-comparable
indicators for 2024): BRO 125 + 125 adults and 50 + 50 children; HAL as in 2023.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd
import pytest

from tests.oracle import compute_indicators
from tests.oracle.assemble import statuses
from tests.oracle.landing import select_deliveries
from tests.oracle.pnr import parse_personnummer
from tests.oracle.reference import load_reference

MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]


def pnr(birth: str, serial: str = "123", dash: bool = False) -> str:
    """A valid 12-digit personnummer for `birth` (YYYYMMDD) with the Luhn check digit."""
    nine = birth[2:] + serial
    total = 0
    for position, char in enumerate(nine):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    check = (10 - total % 10) % 10
    return f"{birth}-{serial}{check}" if dash else f"{birth}{serial}{check}"


A, B, C = pnr("19800515"), pnr("19900720", dash=True), pnr("20060310", "456")
D, E = pnr("19750263"), pnr("19850101", "789")


def write(landing: Path, name: str, header: str, rows: list[str], encoding: str = "utf-8") -> None:
    landing.mkdir(parents=True, exist_ok=True)
    (landing / name).write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))


PAYMENT_HEADER = (
    "utbetalning_id;arende_id;hushall_id;stadsdel_kod;bidragsmanad;utbetalningsdatum;belopp;"
    "bistandstyp;forsorjningshinder_kod;lo_andamal"
)


def payment(pid: str, household: str, district: str, month: str, amount: str) -> str:
    return f"{pid};A{household};{household};{district};{month};{month}-05;{amount};FS;01;"


def member(household: str, month: str, person: str, kon: str, roll: str = "SOK") -> str:
    return f"{household};{month};{person};{kon};{roll}"


def write_assistance(landing: Path) -> None:
    for index, month in enumerate(MONTHS, start=1):
        payments = [payment(f"U{index}01", "H1", "BRO", month, "1000,00")]
        members = [member("H1", month, A, "K"), member("H1", month, C, "M", "BARN")]
        if index == 1:
            payments += [
                payment("U0102", "H2", "BRO", month, "5000,00"),
                payment("U0103", "H2", "BRO", month, "-5000,00"),
                payment("U0104", "H4", "HEM", month, "1500,00"),
            ]
            members += [member("H4", month, E, "M"), member("H1", month, E, "M", "MED")]
        elif index <= 10:
            payments.append(payment(f"U{index}02", "H2", "BRO", month, "2000,00"))
        if index <= 10:
            members.append(member("H2", month, B, "M"))
        if index >= 3:
            payments.append(payment(f"U{index}03", "H3", "HAL", month, "3000,00"))
            members.append(member("H3", month, D, "K"))
        write(landing, f"utbetalningar_{month}.csv", PAYMENT_HEADER, payments)
        write(
            landing,
            f"hushallsmedlemmar_{month}.csv",
            "hushall_id;bidragsmanad;personnummer;kon;roll",
            members,
        )
    # Windows-1252, headers in another order and case, an unknown column with a Swedish name,
    # blanks around a field.
    write(
        landing,
        "befolkning_2023.csv",
        "Kommentar;STADSDEL_KOD;Ar;Kon;Alder;Antal",
        [
            "Bromma; BRO ;2023;K;30;100",  # blanks around a field are trimmed
            "Bromma;BRO;2023;M;30;100",
            "Bromma;BRO;2023;K;10;50",
            "Bromma;BRO;2023;M;10;50",
            "Hägersten-Älvsjö;HAL;2023;K;40;200",
            "Hägersten-Älvsjö;HAL;2023;M;40;200",
        ],
        encoding="cp1252",
    )
    write(
        landing,
        "befolkning_2024.csv",
        "ar;stadsdel_kod;kon;alder;antal",
        [
            "2024;BRO;K;30;125",
            "2024;BRO;M;30;125",
            "2024;BRO;K;10;50",
            "2024;BRO;M;10;50",
            "2024;HAL;K;40;200",
            "2024;HAL;M;40;200",
        ],
    )


CASE_HEADER = "arende_id;hushall_id;stadsdel_kod;aktualiserad_datum;avslutad_datum;avslutsorsak_kod"


def write_cases(landing: Path) -> None:
    cases = [
        "A1;H1;BRO;2023-06-01;2024-04-30;ARBETE",  # closed exactly on T1's last day
        "A2;H2;BRO;2024-01-10;2024-03-01;OKANT",  # closed before its 90-day deadline
        "A3;H3;BRO;2023-01-01;;",  # open; plan revised exactly on E − 4 months
        "A4;H4;BRO;2024-02-15;;",  # open at T1's end but opened < 90 days before it
        "A5;H5;BRO;2023-05-01;;",  # open; plan revised one day before the window
        "A6;H6;BRO;2024-01-20;;",  # plan on day 90 exactly
        "A7;H7;BRO;2024-01-31;;",  # deadline 2024-04-30 = E, no plan
        "A8;H8;BRO;2024-02-01;;",  # deadline after T1's end: not yet due in T1
    ]
    # An older snapshot that must be ignored (it would close A3).
    write(landing, "arenden_2024-12-01.csv", CASE_HEADER, ["A3;H3;BRO;2023-01-01;2024-02-01;FLYTT"])
    # The latest snapshot, UTF-8 with a BOM.
    write(landing, "arenden_2025-01-10.csv", "\ufeff" + CASE_HEADER, cases)
    write(
        landing,
        "forandringsplaner_2025-01-10.csv",
        "plan_id;arende_id;upprattad_datum;senast_reviderad_datum",
        [
            "P3;A3;2023-02-01;2023-12-30",
            "P5;A5;2023-05-20;2023-12-29",
            "P6;A6;2024-04-19;",
        ],
    )


def write_measures(landing: Path) -> None:
    write(
        landing,
        "insatser_2025-01-10.csv",
        "insats_id;personnummer;kon;stadsdel_kod;insatstyp;startdatum;slutdatum;utfall_kod",
        [
            f"I1;{A};K;BRO;STHLMSJOBB;2024-02-01;;",
            f"I2;{A};K;BRO;STHLMSJOBB;2024-03-01;;",  # the same person twice: counted once
            f"I3;{B};M;BRO;AR_TEAM;2023-10-01;2024-03-15;EGEN_FORSORJNING",
            f"I4;{C};M;BRO;AR_TEAM;2024-01-05;2024-02-01;PENSION",  # excluded
            f"I5;{D};K;BRO;AR_TEAM;2024-04-01;;",  # active, no outcome yet
            f"I6;{E};M;BRO;FORSOKSLAGENHET;2023-01-01;2024-04-30;KONTRAKT_OVERTAGET",
            f"I7;{A};K;BRO;FORSOKSLAGENHET;2023-01-01;2024-05-01;AVBROTT",
        ],
    )


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    landing = tmp_path_factory.mktemp("oracle_rules") / "landing"
    write_assistance(landing)
    write_cases(landing)
    write_measures(landing)
    return compute_indicators(landing)


def row(oracle: pd.DataFrame, code: str, area: str, period: str, gender: str = "alla") -> pd.Series:
    found = oracle[
        (oracle["indicator_code"] == code)
        & (oracle["area_code"] == area)
        & (oracle["year"] == 2024)
        & (oracle["period"] == period)
        & (oracle["gender"] == gender)
    ]
    assert len(found) == 1, f"{code} {area} {period} {gender}: {len(found)} rows"
    return found.iloc[0]


def numbers(r: pd.Series) -> tuple[float, float, float, int]:
    return (r["value"], r["numerator"], r["denominator"], r["n_individuals"])


# --- personnummer ----------------------------------------------------------------------------
def test_personnummer_forms_and_samordningsnummer() -> None:
    parsed = parse_personnummer(
        pd.Series([A, B, B.replace("-", ""), D, "8005151234", A[:-1] + "0", "19800230-1234"])
    )
    assert parsed["person"].iloc[1] == parsed["person"].iloc[2]  # with and without the dash
    assert (parsed["birth_year"].iloc[3], parsed["birth_month"].iloc[3]) == (1975, 2)
    assert parsed["person"].iloc[4:].isna().all()  # 10 digits, bad Luhn, no such date


# --- households and kronor -------------------------------------------------------------------
def test_net_zero_household_month_is_no_bidragshushall_but_carries_kronor(oracle) -> None:
    # January in BRO: H1 (1 000 kr) is a bidragshushåll; H2 nets 0 kr.
    assert numbers(row(oracle, "EB_HUSHALL", "BRO", "M01")) == (1.0, 1.0, 1.0, 1)
    utbetalt = row(oracle, "EB_UTBETALT", "BRO", "M01")
    assert (utbetalt["value"], utbetalt["numerator"], utbetalt["n_individuals"]) == (1000, 1000, 2)
    assert math.isnan(utbetalt["denominator"]) and utbetalt["is_suppressed"]
    assert numbers(row(oracle, "EB_BISTAND_PER_HUSHALL", "BRO", "M01")) == (1000, 1000, 1, 2)


def test_household_averages_and_city_wide_unit(oracle) -> None:
    # BRO: H1 12 months + H2 9 months = 21 household-months over 12 months.
    assert numbers(row(oracle, "EB_HUSHALL", "BRO", "VB")) == (21 / 12, 21, 12, 2)
    # The city counts H4 (HEM) too; HEM has a unit row but no district row.
    assert numbers(row(oracle, "EB_HUSHALL", "STHLM", "M01")) == (2, 2, 1, 2)
    assert numbers(row(oracle, "EB_HUSHALL", "EB-HEM", "M01")) == (1, 1, 1, 1)
    assert not ((oracle["area_level"] == "stadsdel") & (oracle["area_code"] == "HEM")).any()
    # A month with nothing observed still has its row (H3 starts in March).
    hal = row(oracle, "EB_HUSHALL", "HAL", "M01")
    assert numbers(hal) == (0, 0, 1, 0) and not hal["is_suppressed"]


def test_kolada_households_during_the_year(oracle) -> None:
    for area, expected in [("STHLM", 4), ("BRO", 2), ("EB-HEM", 1)]:
        r = row(oracle, "KO_N31910", area, "VB")
        assert (r["value"], r["numerator"], r["n_individuals"]) == (expected,) * 3
        assert math.isnan(r["denominator"])


# --- recipients ------------------------------------------------------------------------------
def test_child_turning_18_mid_period_and_person_in_two_households(oracle) -> None:
    # T1 in BRO: adults A ×4, B ×3 (not January: H2 netted 0), C ×2 (March, April) = 9 months;
    # E is listed in H1 in January but counts in H4 (larger net), i.e. in HEM.
    assert numbers(row(oracle, "EB_ANDEL_VUXNA", "BRO", "T1")) == (9 / 800, 9, 800, 3)
    assert numbers(row(oracle, "EB_ANDEL_VUXNA", "BRO", "T1", "kvinnor")) == (4 / 400, 4, 400, 1)
    assert numbers(row(oracle, "EB_ANDEL_VUXNA", "BRO", "T1", "man")) == (5 / 400, 5, 400, 2)
    assert numbers(row(oracle, "EB_ANDEL_BARN", "BRO", "T1")) == (2 / 400, 2, 400, 1)
    assert numbers(row(oracle, "EB_ANDEL_BARN", "BRO", "M03"))[1:] == (0, 100, 0)
    # The city: 9 in BRO + D (HAL) ×2 + E (HEM) ×1 = 12, over adults 600 × 4 months.
    assert numbers(row(oracle, "EB_ANDEL_VUXNA", "STHLM", "T1")) == (12 / 2400, 12, 2400, 5)
    # Population-based: no rows for the city-wide unit.
    assert not (
        (oracle["indicator_code"] == "EB_ANDEL_VUXNA") & (oracle["area_code"] == "EB-HEM")
    ).any()


def test_long_term_10_of_12_months_counts_9_does_not(oracle) -> None:
    # A 12 months, C 12 months (adult at December), D 10 months (HAL); B 9 months, E 1 month.
    assert numbers(row(oracle, "EB_ANDEL_LANGVARIGT", "BRO", "VB")) == (2 / 200, 2, 200, 2)
    assert numbers(row(oracle, "EB_ANDEL_LANGVARIGT", "HAL", "VB")) == (1 / 400, 1, 400, 1)
    assert numbers(row(oracle, "EB_ANDEL_LANGVARIGT", "STHLM", "M12")) == (3 / 600, 3, 600, 3)
    # Trailing 12 months: no 2024 period ending before December is complete.
    long_term = oracle[oracle["indicator_code"] == "EB_ANDEL_LANGVARIGT"]
    assert set(long_term["period"]) == {"M12", "VB"}
    # Kolada N31816 over the calendar year, against the population of the same year (2024).
    assert numbers(row(oracle, "KO_N31816", "BRO", "VB")) == (2 / 250, 2, 250, 2)
    assert numbers(row(oracle, "KO_N31807", "BRO", "VB")) == (3 / 350, 3, 350, 3)
    assert numbers(row(oracle, "KO_N31807", "STHLM", "VB")) == (5 / 750, 5, 750, 5)
    assert numbers(row(oracle, "KO_U31803", "BRO", "VB")) == (1 / 100, 1, 100, 1)


# --- cases -----------------------------------------------------------------------------------
def test_case_closed_exactly_on_the_period_end(oracle) -> None:
    # Closed in T1: A1 (2024-04-30, ARBETE) and A2 (OKANT); the older snapshot is ignored.
    assert numbers(row(oracle, "EB_AVSLUT_EGEN", "BRO", "T1")) == (0.5, 1, 2, 2)
    assert numbers(row(oracle, "EB_AVSLUT_OKANT", "BRO", "T1")) == (0.5, 1, 2, 2)
    assert numbers(row(oracle, "EB_AVSLUT_EGEN", "BRO", "M04")) == (1, 1, 1, 1)
    may = row(oracle, "EB_AVSLUT_EGEN", "BRO", "M05")
    assert math.isnan(may["value"]) and (may["numerator"], may["denominator"]) == (0, 0)


def test_change_plans(oracle) -> None:
    # Open at 2024-04-30 and opened by 2024-01-31: A3, A5, A6, A7 (A1 closed on E, not open).
    # Current plan in [2023-12-30, 2024-04-30]: A3 (revised 2023-12-30), A6 (drawn 2024-04-19).
    assert numbers(row(oracle, "EB_PLAN_AKTUELL", "BRO", "T1")) == (0.5, 2, 4, 4)
    # Due in T1: A6 (plan on day 90) and A7 (deadline = E, no plan); A2 closed before its
    # deadline, A4 and A8 are not yet due.
    assert numbers(row(oracle, "EB_PLAN_3MAN", "BRO", "T1")) == (0.5, 1, 2, 2)


# --- measures --------------------------------------------------------------------------------
def test_measures(oracle) -> None:
    r = row(oracle, "IN_STHLMSJOBB", "BRO", "T1")
    assert (r["value"], r["numerator"], r["n_individuals"]) == (1, 1, 1)
    assert row(oracle, "IN_STHLMSJOBB", "BRO", "T1", "man")["value"] == 0
    assert numbers(row(oracle, "IN_AR_TEAM", "BRO", "T1")) == (0.5, 1, 2, 2)
    assert numbers(row(oracle, "IN_AR_TEAM", "BRO", "M03")) == (1, 1, 1, 1)
    assert numbers(row(oracle, "IN_AR_TEAM", "BRO", "M04")) == (0, 0, 1, 1)
    assert numbers(row(oracle, "IN_FORSOKSLAGENHET", "BRO", "T1")) == (1, 1, 1, 1)
    assert numbers(row(oracle, "IN_FORSOKSLAGENHET", "BRO", "T2")) == (0.5, 1, 2, 2)


# --- targets, status, suppression --------------------------------------------------------------
def seed_target(code: str, area: str) -> tuple[float, float]:
    """The 2024 target and KF target of the seed file (reference data owned by the project)."""
    targets = load_reference().targets
    found = targets[
        (targets["indicator_code"] == code)
        & (targets["year"] == 2024)
        & (targets["area_code"] == area)
    ]
    assert len(found) == 1
    return found["target"].iloc[0], found["target_kf"].iloc[0]


def test_targets_and_status_on_the_alla_row(oracle) -> None:
    # VB in the city: 42 adult recipient-months / (600 adults × 12 months) ≈ 0.0058.
    city = row(oracle, "EB_ANDEL_VUXNA", "STHLM", "VB")
    assert numbers(city) == (42 / 7200, 42, 7200, 5)
    target, target_kf = seed_target("EB_ANDEL_VUXNA", "STHLM")
    assert (city["target"], city["target_kf"]) == (target, target_kf)
    assert target >= 42 / 7200 and city["status"] == "uppfylls"  # lower is better
    women = row(oracle, "EB_ANDEL_VUXNA", "STHLM", "VB", "kvinnor")
    assert math.isnan(women["target"]) and women["status"] is None
    # BRO has a target but rests on 3 people: suppressed, so no status.
    bro = row(oracle, "EB_ANDEL_VUXNA", "BRO", "VB")
    assert bro["is_suppressed"] and bro["target"] == seed_target("EB_ANDEL_VUXNA", "BRO")[0]
    assert bro["status"] is None


def test_status_tolerance() -> None:
    rows = pd.DataFrame(
        {
            "indicator_code": ["EB_HUSHALL"] * 4 + ["EB_PLAN_3MAN"] * 3 + ["EB_UTBETALT"],
            "value": [50, 55, 55.5, 40, 0.70, 0.60, 0.80, 10],
            "target": [50, 50, 50, 50, 0.75, 0.75, 0.75, 5],
            "is_suppressed": [False, False, False, True, False, False, False, False],
        }
    )
    assert list(statuses(rows, load_reference())) == [
        "uppfylls",
        "uppfylls_delvis",
        "uppfylls_ej",
        None,
        "uppfylls_delvis",
        "uppfylls_ej",
        "uppfylls",
        None,  # EB_UTBETALT has no direction
    ]


# --- deliveries ------------------------------------------------------------------------------
def test_newest_delivery_of_a_key_by_mtime_then_name(tmp_path: Path) -> None:
    header = "ar;stadsdel_kod;kon;alder;antal"
    write(tmp_path, "befolkning_2023.csv", header, ["2023;BRO;K;30;1"])
    write(tmp_path, "BEFOLKNING_2023.csv", header, ["2023;BRO;K;30;2"])
    os.utime(tmp_path / "befolkning_2023.csv", (2_000_000_000, 2_000_000_000))
    os.utime(tmp_path / "BEFOLKNING_2023.csv", (1_000_000_000, 1_000_000_000))
    chosen = select_deliveries(tmp_path)["befolkning"]
    assert [d.path.name for d in chosen] == ["befolkning_2023.csv"]
    os.utime(tmp_path / "BEFOLKNING_2023.csv", (2_000_000_000, 2_000_000_000))
    chosen = select_deliveries(tmp_path)["befolkning"]
    assert [d.path.name for d in chosen] == ["befolkning_2023.csv"]  # same mtime: larger name


def test_monthly_file_naming_another_month_is_rejected_whole(tmp_path: Path) -> None:
    write(
        tmp_path,
        "hushallsmedlemmar_2024-01.csv",
        "hushall_id;bidragsmanad;personnummer;kon;roll",
        [member("H1", "2024-01", A, "K"), member("H1", "2024-02", C, "M")],
    )
    assert select_deliveries(tmp_path)["hushallsmedlemmar"] == []
