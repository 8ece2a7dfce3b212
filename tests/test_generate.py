"""The synthetic generator writes the raw-export contract, consistently and deterministically."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from personnummer import personnummer

from orchestration.synthetic import PROFILES, generate
from orchestration.synthetic.generate import resolve_range
from orchestration.synthetic.months import Month, month_range
from orchestration.synthetic.profiles import NATIONAL, STOCKHOLM

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "dbt_project" / "seeds"

# Column order copied from shared/spec/raw-exports.md and catalogue-v2.md (independently of the
# generator's copy).
CONTRACT = {
    "utbetalningar": "utbetalning_id;arende_id;hushall_id;stadsdel_kod;bidragsmanad;"
    "utbetalningsdatum;belopp;bistandstyp;forsorjningshinder_kod;lo_andamal",
    "hushallsmedlemmar": "hushall_id;bidragsmanad;personnummer;kon;roll",
    "arenden": "arende_id;hushall_id;stadsdel_kod;aktualiserad_datum;avslutad_datum;"
    "avslutsorsak_kod",
    "forandringsplaner": "plan_id;arende_id;upprattad_datum;senast_reviderad_datum",
    "insatser": "insats_id;personnummer;kon;stadsdel_kod;insatstyp;startdatum;slutdatum;utfall_kod",
    "befolkning": "ar;stadsdel_kod;kon;alder;antal",
    "personal": "anstallning_id;enhet_kod;kon;befattning;sysselsattningsgrad;anstallningsdatum;"
    "slutdatum",
    "franvaro": "anstallning_id;enhet_kod;kon;manad;schemalagd_tid_timmar;sjukfranvaro_timmar;"
    "sjukfranvaro_dag1_14_timmar",
    "medarbetarenkat": "respondent_id;enkat_ar;enhet_kod;kon;fraga_kod;svar",
    "brukarenkat": "svar_id;datum;stadsdel_kod;verksamhet;kon;situation",
    # shared/spec/catalogue-v2.md
    "vrakningsforebyggande": "underrattelse_id;personnummer;kon;stadsdel_kod;typ;inkom_datum;"
    "orsak;barn_i_hushallet;stod_mottaget;avslutad_datum;utfall_kod",
    "akutboende": "beslut_id;personnummer;kon;stadsdel_kod;boendetyp;barn_i_hushallet;startdatum;"
    "slutdatum;kostnad",
    "fut_anmalningar": "anmalan_id;arende_id;stadsdel_kod;inkom_datum;forhandsbedomning_datum;"
    "beslut;aterkrav_datum;aterkrav_belopp;polisanmald",
    "synpunkter": "synpunkt_id;inkom_datum;stadsdel_kod;verksamhet;avsandare;typ;kategori;"
    "lex_sarah;aterkoppling_datum;atgard_vidtagen",
    "budget": "ar;stadsdel_kod;bistandstyp;manad;belopp",
}
MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
EXTRACTION = "2026-01-05"
DECIMAL = re.compile(r"^-?\d+,\d{2}$")
PNR = re.compile(r"^\d{8}-?\d{4}$")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def rows(out: Path, export: str) -> list[dict[str, str]]:
    """All rows of an export, each with the file's key under ``_key``."""
    result = []
    for path in sorted(out.glob(f"{export}_*.csv")):
        key = path.stem.removeprefix(f"{export}_")
        result += [{**row, "_key": key} for row in read(path)]
    return result


def ref_codes(name: str, column: str = "kod") -> set[str]:
    with (SEEDS / f"ref_{name}.csv").open(encoding="utf-8", newline="") as handle:
        return {row[column] for row in csv.DictReader(handle)}


def kronor(text: str) -> float:
    assert DECIMAL.match(text), text
    return float(text.replace(",", "."))


def birth_date(number: str) -> date:
    digits = number.replace("-", "")
    day = int(digits[6:8])
    return date(int(digits[:4]), int(digits[4:6]), day - 60 if day > 60 else day)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def month_end(month: str) -> date:
    year, mon = int(month[:4]), int(month[5:])
    following = date(year + mon // 12, mon % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("tiny")
    written = generate(directory, profile="tiny", seed=0)
    assert written == sorted(directory.iterdir())
    return directory


@pytest.fixture(scope="module")
def payments(out: Path) -> list[dict[str, str]]:
    return rows(out, "utbetalningar")


@pytest.fixture(scope="module")
def members(out: Path) -> list[dict[str, str]]:
    return rows(out, "hushallsmedlemmar")


@pytest.fixture(scope="module")
def household_months(payments: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, float]]:
    """(hushall_id, month) → kronor per district."""
    sums: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in payments:
        sums[row["hushall_id"], row["bidragsmanad"]][row["stadsdel_kod"]] += kronor(row["belopp"])
    return sums


# --- files and format -----------------------------------------------------------------------


def test_every_export_is_written_with_the_expected_keys(out: Path) -> None:
    expected = {
        f"{e}_{m}.csv" for e in ("utbetalningar", "hushallsmedlemmar", "franvaro") for m in MONTHS
    }
    expected |= {f"befolkning_{y}.csv" for y in (2023, 2024, 2025)}
    expected |= {
        f"{e}_{y}.csv" for e in ("medarbetarenkat", "brukarenkat", "budget") for y in (2024, 2025)
    }
    expected |= {
        f"{e}_{EXTRACTION}.csv"
        for e in (
            "arenden",
            "forandringsplaner",
            "insatser",
            "personal",
            "vrakningsforebyggande",
            "akutboende",
            "fut_anmalningar",
            "synpunkter",
        )
    }
    assert {p.name for p in out.iterdir()} == expected


def test_headers_format_and_field_counts(out: Path) -> None:
    for path in out.iterdir():
        export = path.stem.rsplit("_", 1)[0]
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), path.name
        assert b"\r" not in raw and raw.endswith(b"\n"), path.name
        lines = raw.decode("utf-8").splitlines()
        assert lines[0] == CONTRACT[export], path.name
        assert len(lines) > 1, f"{path.name} has no rows"
        width = CONTRACT[export].count(";") + 1
        for line in csv.reader(lines[1:], delimiter=";"):
            assert len(line) == width, (path.name, line)


def test_numbers_use_a_decimal_comma_and_dates_are_iso(out: Path, payments: list) -> None:
    for row in payments:
        assert DECIMAL.match(row["belopp"]), row
        date.fromisoformat(row["utbetalningsdatum"])
    for row in rows(out, "franvaro"):
        for column in (
            "schemalagd_tid_timmar",
            "sjukfranvaro_timmar",
            "sjukfranvaro_dag1_14_timmar",
        ):
            assert DECIMAL.match(row[column]), row
    for row in rows(out, "arenden"):
        date.fromisoformat(row["aktualiserad_datum"])
        if row["avslutad_datum"]:
            date.fromisoformat(row["avslutad_datum"])


def test_monthly_rows_carry_their_file_key(out: Path, payments: list, members: list) -> None:
    for row in payments + members:
        assert row["bidragsmanad"] == row["_key"]
    for row in rows(out, "franvaro"):
        assert row["manad"] == row["_key"]
    for export, column in (("befolkning", "ar"), ("medarbetarenkat", "enkat_ar")):
        for row in rows(out, export):
            assert row[column] == row["_key"]
    for row in rows(out, "brukarenkat"):
        assert row["datum"][:4] == row["_key"]


def test_codes_are_in_the_reference_data(out: Path, payments: list, members: list) -> None:
    districts = ref_codes("districts", "stadsdel_kod")
    units = ref_codes("units", "enhet_kod")
    kon = ref_codes("kon")
    for row in payments:
        assert row["stadsdel_kod"] in districts
        assert row["bistandstyp"] in ref_codes("bistandstyp")
        assert row["forsorjningshinder_kod"] in ref_codes("forsorjningshinder")
        if row["bistandstyp"] == "FS":
            assert row["lo_andamal"] == ""
        elif row["lo_andamal"]:
            assert row["lo_andamal"] in ref_codes("lo_andamal")
    assert {r["roll"] for r in members} == ref_codes("roll")
    assert {r["kon"] for r in members} == kon
    assert {r["avslutsorsak_kod"] for r in rows(out, "arenden")} - {""} == ref_codes("avslutsorsak")
    measures = rows(out, "insatser")
    assert {r["insatstyp"] for r in measures} == ref_codes("insatstyp")
    assert {r["utfall_kod"] for r in measures} - {""} <= ref_codes("insats_utfall")
    for export in ("personal", "franvaro", "medarbetarenkat"):
        assert {r["enhet_kod"] for r in rows(out, export)} == {"EB-BRO", "EB-HAL", "EB-HEM"}
        assert {r["enhet_kod"] for r in rows(out, export)} <= units
    answers = rows(out, "brukarenkat")
    assert {r["verksamhet"] for r in answers} == ref_codes("verksamhet")
    assert {r["situation"] for r in answers} == ref_codes("brukarenkat_situation")
    assert {r["stadsdel_kod"] for r in answers} <= districts


# --- determinism and arguments --------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_another_seed_differs(
    out: Path, tmp_path: Path
) -> None:
    again = generate(tmp_path / "again", seed=0)
    assert [p.name for p in again] == sorted(p.name for p in out.iterdir())
    for path in again:
        assert path.read_bytes() == (out / path.name).read_bytes(), path.name
    other = generate(tmp_path / "other", seed=1)
    differing = [p.name for p in other if p.read_bytes() != (out / p.name).read_bytes()]
    assert "utbetalningar_2024-01.csv" in differing
    assert "hushallsmedlemmar_2025-12.csv" in differing
    assert f"arenden_{EXTRACTION}.csv" in differing


def test_a_custom_month_range(tmp_path: Path) -> None:
    written = generate(tmp_path, seed=3, start="2025-11", end="2026-02")
    names = {p.name for p in written}
    assert "utbetalningar_2025-11.csv" in names and "utbetalningar_2026-02.csv" in names
    assert "utbetalningar_2025-10.csv" not in names
    # 31 December 2026 is not published on the tests' today (2026-12-04, tests/conftest.py)
    assert {n for n in names if n.startswith("befolkning")} == {
        "befolkning_2024.csv",
        "befolkning_2025.csv",
    }
    assert "arenden_2026-03-05.csv" in names and "personal_2026-03-05.csv" in names
    assert "medarbetarenkat_2026.csv" in names and "brukarenkat_2025.csv" in names
    assert {n for n in names if n.startswith("budget")} == {"budget_2025.csv", "budget_2026.csv"}


def test_budget_is_within_ten_percent_of_the_outcome_and_one_district_is_monthly(
    out: Path, payments: list
) -> None:
    """catalogue-v2: a district's yearly budget within ± 10 % of its outcome (net payments of
    the district's payment rows); the first district budgets per month, the others per year,
    never both for one district and type."""
    outcome: dict[tuple[str, str], float] = {}
    for row in payments:
        key = (row["bidragsmanad"][:4], row["stadsdel_kod"])
        outcome[key] = outcome.get(key, 0.0) + float(row["belopp"].replace(",", "."))
    for year in ("2024", "2025"):
        with (out / f"budget_{year}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))
        budget: dict[str, float] = {}
        for row in rows:
            assert row["ar"] == year
            budget[row["stadsdel_kod"]] = budget.get(row["stadsdel_kod"], 0.0) + float(
                row["belopp"].replace(",", ".")
            )
        for district, amount in budget.items():
            paid = outcome[(year, district)]
            assert 0.9 * paid <= amount <= 1.1 * paid, (year, district, amount, paid)
        monthly = {(r["stadsdel_kod"], r["bistandstyp"]) for r in rows if r["manad"]}
        yearly = {(r["stadsdel_kod"], r["bistandstyp"]) for r in rows if not r["manad"]}
        assert monthly and yearly and not monthly & yearly
        assert all(r["manad"].startswith(year) for r in rows if r["manad"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"profile": "huge"}, "unknown profile 'huge'"),
        ({"start": "2024-13"}, "invalid month '2024-13'"),
        ({"end": "2024/05"}, "invalid month '2024/05'"),
        ({"start": "2025-06", "end": "2025-05"}, "empty month range"),
    ],
)
def test_bad_arguments_raise_a_clear_value_error(
    tmp_path: Path, kwargs: dict, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        generate(tmp_path, **kwargs)
    assert not any(tmp_path.iterdir())


# --- personnummer ---------------------------------------------------------------------------


def test_every_personnummer_is_valid_12_digits_and_matches_kon(out: Path, members: list) -> None:
    people = members + rows(out, "insatser")
    for row in people:
        number = row["personnummer"]
        assert PNR.match(number), number
        assert len(number.replace("-", "")) == 12
        assert personnummer.valid(number), number
        assert personnummer.parse(number).is_male() == (row["kon"] == "M"), row
    dashed = sum("-" in r["personnummer"] for r in people) / len(people)
    assert 0.1 < dashed < 0.3
    distinct = {r["personnummer"].replace("-", "") for r in people}
    coordination = [n for n in distinct if personnummer.parse(n).is_coordination_number()]
    assert 0.005 < len(coordination) / len(distinct) < 0.08


def test_a_person_keeps_the_same_number_and_adults_stay_in_their_household(members: list) -> None:
    adults: dict[tuple[str, str], set[str]] = defaultdict(set)
    kon_of: dict[str, str] = {}
    for row in members:
        number = row["personnummer"].replace("-", "")
        assert kon_of.setdefault(number, row["kon"]) == row["kon"]
        if row["roll"] != "BARN":
            adults[row["hushall_id"], row["bidragsmanad"]].add(number)
    compared = 0
    for (household, month), numbers in adults.items():
        following = MONTHS[MONTHS.index(month) + 1] if month != MONTHS[-1] else None
        if (household, following) in adults:
            assert adults[household, following] == numbers
            compared += 1
    assert compared > 1500


def test_ages_include_newborns_children_turning_18_and_pensioners(members: list) -> None:
    ages: dict[str, list[int]] = defaultdict(list)
    for row in members:
        number = row["personnummer"].replace("-", "")
        ages[number].append(age_on(birth_date(number), month_end(row["bidragsmanad"])))
        if row["roll"] == "BARN":
            assert 0 <= ages[number][-1] <= 21, row
    children = [a for a in ages.values() if max(a) < 18]
    turned_18 = [a for a in ages.values() if min(a) < 18 <= max(a)]
    assert len(children) > 50
    assert turned_18, "no child turns 18 during the period"
    assert any(min(a) == 0 for a in ages.values())
    assert sum(min(a) >= 65 for a in ages.values()) >= 3


# --- payments, households and cases ---------------------------------------------------------


def test_rare_household_compositions_are_present(members: list) -> None:
    applicants: dict[str, list[int]] = defaultdict(list)
    households = set()
    for row in members:
        households.add(row["hushall_id"])
        if row["roll"] == "SOK":
            birth = birth_date(row["personnummer"])
            applicants[row["hushall_id"]].append(age_on(birth, month_end(row["bidragsmanad"])))
    assert households - set(applicants), "no household without a sökande (hushållstyp 9)"
    assert any(min(ages) < 18 for ages in applicants.values()), "no household of only children"


def test_every_paid_household_has_members_that_month_and_a_case(
    out: Path, payments: list, members: list
) -> None:
    listed = {(r["hushall_id"], r["bidragsmanad"]) for r in members}
    cases = {r["arende_id"]: r for r in rows(out, "arenden")}
    paid_cases = set()
    for row in payments:
        assert (row["hushall_id"], row["bidragsmanad"]) in listed, row
        case = cases[row["arende_id"]]
        assert (case["hushall_id"], case["stadsdel_kod"]) == (
            row["hushall_id"],
            row["stadsdel_kod"],
        )
        paid_cases.add(row["arende_id"])
    assert paid_cases == set(cases)
    paid = {(r["hushall_id"], r["bidragsmanad"]) for r in payments}
    assert listed == paid, "members listed for a month without payments"


def test_cases_open_before_the_first_and_close_after_the_last_payment(
    out: Path, payments: list
) -> None:
    by_case: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in payments:
        by_case[row["arende_id"]].append(row)
    extraction = date.fromisoformat(EXTRACTION)
    closed = 0
    for case in rows(out, "arenden"):
        paid = by_case[case["arende_id"]]
        opened = date.fromisoformat(case["aktualiserad_datum"])
        assert opened <= min(date.fromisoformat(r["utbetalningsdatum"]) for r in paid)
        assert opened <= month_end(min(r["bidragsmanad"] for r in paid))
        assert bool(case["avslutad_datum"]) == bool(case["avslutsorsak_kod"]), case
        if case["avslutad_datum"]:
            closed += 1
            ended = date.fromisoformat(case["avslutad_datum"])
            assert month_end(max(r["bidragsmanad"] for r in paid)) < ended <= extraction
            assert max(date.fromisoformat(r["utbetalningsdatum"]) for r in paid) < ended
    reasons = Counter(c["avslutsorsak_kod"] for c in rows(out, "arenden") if c["avslutad_datum"])
    assert 0.1 < reasons["OKANT"] / closed < 0.4


def test_ids_are_unique_and_never_look_like_a_personnummer(out: Path) -> None:
    long_number = re.compile(r"\d{10,}")
    for path in out.iterdir():
        for row in read(path):
            for column, value in row.items():
                if column != "personnummer":
                    assert not long_number.search(value), (path.name, column, value)
    for export, column in (
        ("utbetalningar", "utbetalning_id"),
        ("arenden", "arende_id"),
        ("forandringsplaner", "plan_id"),
        ("insatser", "insats_id"),
        ("brukarenkat", "svar_id"),
        ("personal", "anstallning_id"),
        ("vrakningsforebyggande", "underrattelse_id"),
        ("akutboende", "beslut_id"),
        ("fut_anmalningar", "anmalan_id"),
        ("synpunkter", "synpunkt_id"),
    ):
        ids = [r[column] for r in rows(out, export)]
        assert len(ids) == len(set(ids)), export
        assert all(re.match(r"^[A-Z]", i) for i in ids), export
    assert all(re.fullmatch(r"HR\d{5}", r["anstallning_id"]) for r in rows(out, "personal"))
    for row in rows(out, "hushallsmedlemmar") + rows(out, "medarbetarenkat"):
        assert re.match(r"^[A-Z]", row.get("hushall_id") or row["respondent_id"])


def test_net_zero_months_and_moves_split_across_two_districts(
    household_months: dict, members: list
) -> None:
    net_zero = [k for k, by_area in household_months.items() if sum(by_area.values()) == 0]
    split = [k for k, by_area in household_months.items() if len(by_area) == 2]
    assert len(net_zero) >= 2
    assert len(split) >= 4
    for key in split:
        amounts = sorted(household_months[key].values())
        assert 0 < amounts[0] < amounts[1], "a split must name one district as the larger"
    listed = {(r["hushall_id"], r["bidragsmanad"]) for r in members}
    assert set(net_zero) <= listed  # listed, though not a bidragshushåll that month


def test_payment_mix_has_lo_corrections_and_reasons_like_the_city(
    payments: list, household_months: dict
) -> None:
    kinds = Counter(r["bistandstyp"] for r in payments)
    assert 0.03 < kinds["LO"] / len(payments) < 0.15
    assert any(kronor(r["belopp"]) < 0 for r in payments)
    lo_purposes = {r["lo_andamal"] for r in payments if r["bistandstyp"] == "LO"}
    assert lo_purposes >= {"HYRESSKULD", "TANDVARD", "TILLFALLIGT_BOENDE", "OVRIGT"}
    groups = {
        "01": "A",
        "02": "A",
        "03": "A",
        "05": "A",
        "13": "A",
        "06": "S",
        "07": "S",
        "25": "S",
        "24": "S",
        "09": "E",
        "26": "E",
        "15": "P",
        "16": "P",
    }
    hinder = {(r["hushall_id"], r["bidragsmanad"]): r["forsorjningshinder_kod"] for r in payments}
    share = Counter(
        groups.get(hinder[k], "O") for k, v in household_months.items() if sum(v.values()) > 0
    )
    total = sum(share.values())
    assert 0.30 < share["A"] / total < 0.50
    assert 0.20 < share["S"] / total < 0.36
    assert 0.015 < share["E"] / total < 0.08
    assert 0.002 < share["P"] / total < 0.04


def test_calibration_households_and_kronor_per_household_month(
    payments: list, household_months: dict
) -> None:
    per_month: Counter[tuple[str, str]] = Counter()
    fs: dict[tuple[str, str], float] = defaultdict(float)
    for row in payments:
        if row["bistandstyp"] == "FS":
            fs[row["hushall_id"], row["bidragsmanad"]] += kronor(row["belopp"])
    bidragshushall = [k for k, v in household_months.items() if sum(v.values()) > 0]
    for key in bidragshushall:
        by_area = household_months[key]
        per_month[max(by_area, key=by_area.get), key[1]] += 1
    for month in MONTHS:
        assert 40 <= per_month["BRO", month] <= 60, month
        assert 40 <= per_month["HAL", month] <= 60, month
        assert 5 <= per_month["HEM", month] <= 15, month
    mean_fs = sum(fs[k] for k in bidragshushall) / len(bidragshushall)
    assert 7_000 <= mean_fs <= 10_000


def test_spells_are_short_and_long_term(household_months: dict) -> None:
    months_2025 = Counter(
        k[0] for k, v in household_months.items() if k[1].startswith("2025") and sum(v.values()) > 0
    )
    long_term = sum(n >= 10 for n in months_2025.values())
    short = sum(n <= 3 for n in months_2025.values())
    assert 0.2 < long_term / len(months_2025) < 0.6
    assert 0.1 < short / len(months_2025) < 0.5


def test_adult_recipients_are_half_to_one_and_a_half_percent_of_adults(
    out: Path, members: list, household_months: dict
) -> None:
    adults: dict[tuple[str, str], int] = defaultdict(int)  # (district, year) → person-months
    for row in members:
        by_area = household_months[row["hushall_id"], row["bidragsmanad"]]
        if sum(by_area.values()) <= 0:
            continue
        birth = birth_date(row["personnummer"])
        if age_on(birth, month_end(row["bidragsmanad"])) >= 18:
            adults[max(by_area, key=by_area.get), row["bidragsmanad"][:4]] += 1
    population: Counter[tuple[str, str]] = Counter()
    for row in rows(out, "befolkning"):
        if int(row["alder"]) >= 18:
            population[row["stadsdel_kod"], str(int(row["ar"]) + 1)] += int(row["antal"])
    for district in ("BRO", "HAL"):
        for year in ("2024", "2025"):
            share = adults[district, year] / 12 / population[district, year]
            assert 0.005 <= share <= 0.015, (district, year, share)


def test_change_plans_follow_their_cases(out: Path) -> None:
    cases = {c["arende_id"]: c for c in rows(out, "arenden")}
    first_plan: dict[str, date] = {}
    plans = rows(out, "forandringsplaner")
    for plan in plans:
        case = cases[plan["arende_id"]]
        drawn = date.fromisoformat(plan["upprattad_datum"])
        horizon = date.fromisoformat(case["avslutad_datum"] or EXTRACTION)
        assert date.fromisoformat(case["aktualiserad_datum"]) < drawn <= horizon
        if plan["senast_reviderad_datum"]:
            assert drawn < date.fromisoformat(plan["senast_reviderad_datum"]) <= horizon
        first_plan[plan["arende_id"]] = min(drawn, first_plan.get(plan["arende_id"], drawn))
    assert any(p["senast_reviderad_datum"] for p in plans)
    assert len(plans) > len(first_plan), "no case has a second plan"
    eligible = within = 0
    for case in cases.values():
        opened = date.fromisoformat(case["aktualiserad_datum"])
        ended = date.fromisoformat(case["avslutad_datum"] or EXTRACTION)
        if (ended - opened).days > 90:
            eligible += 1
            plan = first_plan.get(case["arende_id"])
            within += plan is not None and (plan - opened).days <= 90
    assert 0.65 < within / eligible < 0.9


def test_measures_belong_to_adult_recipients_and_have_outcomes(out: Path, members: list) -> None:
    recipients = {r["personnummer"].replace("-", "") for r in members}
    measures = rows(out, "insatser")
    outcomes: dict[str, set[str]] = defaultdict(set)
    for row in measures:
        number = row["personnummer"].replace("-", "")
        assert number in recipients
        start = date.fromisoformat(row["startdatum"])
        assert age_on(birth_date(number), start) >= 18
        assert bool(row["slutdatum"]) == bool(row["utfall_kod"]), row
        if row["slutdatum"]:
            assert start < date.fromisoformat(row["slutdatum"]) <= date.fromisoformat(EXTRACTION)
        outcomes[row["insatstyp"]].add(row["utfall_kod"])
    assert "PENSION" in outcomes["AR_TEAM"]
    assert "KONTRAKT_OVERTAGET" in outcomes["FORSOKSLAGENHET"]
    assert any("" in found for found in outcomes.values()), "no ongoing measure"


# --- population, staff and surveys ----------------------------------------------------------


def test_population_covers_every_age_for_districts_only(out: Path) -> None:
    population = rows(out, "befolkning")
    cells = Counter((r["ar"], r["stadsdel_kod"], r["kon"]) for r in population)
    assert set(cells) == {
        (y, d, k) for y in ("2023", "2024", "2025") for d in ("BRO", "HAL") for k in ("K", "M")
    }
    for row in population:
        assert 0 <= int(row["alder"]) <= 110 and int(row["antal"]) >= 0
    assert set(cells.values()) == {111}


def test_absence_invariants_and_sick_leave_level(out: Path) -> None:
    staff = {r["anstallning_id"]: r for r in rows(out, "personal")}
    hours = Counter[str]()
    for row in rows(out, "franvaro"):
        scheduled = kronor(row["schemalagd_tid_timmar"])
        sick = kronor(row["sjukfranvaro_timmar"])
        first_days = kronor(row["sjukfranvaro_dag1_14_timmar"])
        assert 0 <= first_days <= sick <= scheduled and scheduled > 0, row
        employee = staff[row["anstallning_id"]]
        assert (employee["enhet_kod"], employee["kon"]) == (row["enhet_kod"], row["kon"])
        hours["scheduled"] += round(scheduled * 100)
        hours["sick"] += round(sick * 100)
    assert 0.05 <= hours["sick"] / hours["scheduled"] <= 0.12
    per_unit = Counter(r["enhet_kod"] for r in staff.values() if not r["slutdatum"])
    assert all(9 <= n <= 15 for n in per_unit.values()), per_unit


def test_employee_survey_answers_every_question_once(out: Path) -> None:
    questions = ref_codes("enkatfraga")
    genders: set[str] = set()
    for year in ("2024", "2025"):
        answers = read(out / f"medarbetarenkat_{year}.csv")
        by_respondent: dict[str, list[str]] = defaultdict(list)
        for row in answers:
            assert row["svar"] in {"1", "2", "3", "4", "5"}
            by_respondent[row["respondent_id"]].append(row["fraga_kod"])
            genders.add(row["kon"])
        for asked in by_respondent.values():
            assert sorted(asked) == sorted(questions)
        assert len(by_respondent) >= 20
    assert genders == {"K", "M", ""}


# --- profiles -------------------------------------------------------------------------------


def test_profiles_use_the_reference_districts_and_their_units() -> None:
    with (SEEDS / "ref_districts.csv").open(encoding="utf-8", newline="") as handle:
        units = {row["stadsdel_kod"]: row["enhet_kod"] for row in csv.DictReader(handle)}
    for profile in PROFILES.values():
        for area in profile.areas:
            assert units[area.code] == area.unit, (profile.name, area.code)
    assert {a.code for a in STOCKHOLM.areas} == set(units)
    assert {a.code for a in STOCKHOLM.areas if not a.population} == {"HEM", "BOU"}


def test_stockholm_is_calibrated_on_the_figures_in_the_domain_brief() -> None:
    december_2020 = {
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
    areas = {a.code: a for a in STOCKHOLM.areas}
    for code, households in december_2020.items():
        assert round(STOCKHOLM.households_target(areas[code], Month(2020, 12))) == households
    bromma_2021 = [
        STOCKHOLM.households_target(areas["BRO"], m)
        for m in month_range(Month(2021, 1), Month(2021, 12))
    ]
    assert 330 <= sum(bromma_2021) / 12 <= 350  # domain.md: 361 … 330, mean 340
    assert abs(STOCKHOLM.households_target(areas["BRO"], Month(2022, 1)) - 317) <= 10
    for month in month_range(Month(2021, 1), Month(2021, 12)):
        city = sum(STOCKHOLM.households_target(a, month) for a in STOCKHOLM.areas)
        assert 8_200 <= city <= 9_000, month


def test_national_is_stockholm_scaled_to_110_000_households_over_ten_years() -> None:
    first, last = resolve_range(NATIONAL, None, None)
    months = month_range(first, last)
    assert (first, len(months)) == (Month(2016, 1), 120)  # fixed: reproducible by default
    assert [a.code for a in NATIONAL.areas] == [a.code for a in STOCKHOLM.areas]
    per_month = [sum(NATIONAL.households_target(a, m) for a in NATIONAL.areas) for m in months]
    assert 105_000 <= sum(per_month) / len(per_month) <= 118_000
    assert all(95_000 <= n <= 130_000 for n in per_month)
    stockholm = {a.code: a for a in STOCKHOLM.areas}
    for area in NATIONAL.areas:  # shares of the population and the mix stay Stockholm's
        base = stockholm[area.code]
        assert area.households / base.households == pytest.approx(12.65)
        assert area.population == round(base.population * 12.65)
        assert (area.mix, area.homeless, area.unit) == (base.mix, base.homeless, base.unit)


def test_stockholm_runs_from_2019_to_the_last_full_month() -> None:
    assert resolve_range(STOCKHOLM, None, None, today=date(2026, 11, 23)) == (
        Month(2019, 1),
        Month(2026, 10),
    )
    assert resolve_range(STOCKHOLM, None, None, today=date(2027, 1, 1)) == (
        Month(2019, 1),
        Month(2026, 12),
    )
    assert resolve_range(STOCKHOLM, "2021-01", "2021-03") == (Month(2021, 1), Month(2021, 3))


def test_the_generator_does_not_write_the_future(tmp_path: Path) -> None:
    """issue 20: run on 4 December 2026 the last month is November, every snapshot is dated 4
    December at the latest (not the 5th), and the newest population is 31 December 2025 (SCB
    publishes about two months after the year's end). A month after today is refused."""
    today = date(2026, 12, 4)
    assert resolve_range(STOCKHOLM, "2026-09", None, today=today)[1] == Month(2026, 11)
    written = generate(tmp_path / "now", seed=1, start="2026-10", end="2026-11", today=today)
    names = {p.name for p in written}
    snapshots = {_key(n) for n in names if re.search(r"_\d{4}-\d{2}-\d{2}\.csv$", n)}
    assert snapshots == {"2026-12-04"}
    assert {n for n in names if n.startswith("befolkning")} == {"befolkning_2025.csv"}
    assert max(_key(n) for n in names if n.startswith("utbetalningar")) == "2026-11"
    # on 5 January 2027 the last full month is December; 2026's population comes in March
    assert resolve_range(STOCKHOLM, "2026-09", None, today=date(2027, 1, 5))[1] == Month(2026, 12)
    march = {
        p.name
        for p in generate(
            tmp_path / "march", seed=1, start="2026-12", end="2026-12", today=date(2027, 3, 1)
        )
    }
    assert {n for n in march if n.startswith("befolkning")} == {
        "befolkning_2025.csv",
        "befolkning_2026.csv",
    }
    assert {_key(n) for n in march if n.startswith("arenden")} == {"2027-01-05"}
    with pytest.raises(ValueError, match=re.escape("--to 2026-12 is in the future")):
        generate(tmp_path / "future", seed=1, start="2026-11", end="2026-12", today=today)


def test_today_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests set BISTAND_TODAY (tests/conftest.py), so the default range is the same any day."""
    from orchestration.synthetic.generate import resolve_today

    monkeypatch.setenv("BISTAND_TODAY", "2026-12-04")
    assert resolve_range(STOCKHOLM, None, None) == (Month(2019, 1), Month(2026, 11))
    assert resolve_today(date(2020, 1, 1)) == date(2020, 1, 1)
    monkeypatch.setenv("BISTAND_TODAY", "4 dec")
    with pytest.raises(ValueError, match="BISTAND_TODAY"):
        resolve_today()


# --- deliveries: a month later -------------------------------------------------------------


def _key(name: str) -> str:
    return name.removesuffix(".csv").rsplit("_", 1)[1]


def test_a_month_later_changes_only_the_last_two_months_and_adds_the_new_one(
    tmp_path: Path,
) -> None:
    """`--to M` re-delivers M-2 and M-1 with late bookings; everything older is byte-identical.

    So a benchmark can generate `--to M-1`, refresh, and copy in the files of `--to M` that
    differ: the new month, its two predecessors, new snapshots and the unfinished year's files.
    """
    before = {p.name: p for p in generate(tmp_path / "before", seed=5, end="2025-06")}
    after = {p.name: p for p in generate(tmp_path / "after", seed=5, end="2025-07")}
    monthly = ("utbetalningar", "hushallsmedlemmar", "franvaro")
    new = {n for n in after if n not in before}
    assert new == {f"{e}_2025-07.csv" for e in monthly} | {
        f"{e}_2025-08-05.csv"
        for e in (
            "arenden",
            "forandringsplaner",
            "insatser",
            "personal",
            "vrakningsforebyggande",
            "akutboende",
            "fut_anmalningar",
            "synpunkter",
        )
    }
    redelivered = set()
    for name, path in before.items():
        if name not in after:
            assert _key(name) == "2025-07-05", name  # the older snapshots
            continue
        same = path.read_bytes() == after[name].read_bytes()
        key = _key(name)
        if (name.startswith(monthly) and key < "2025-05") or key in ("2023", "2024"):
            assert same, f"{name} changed although it is older than the last two months"
        if not same:
            redelivered.add(name)
    # payments of both months get late bookings; members change where a whole month was late
    expected = {"utbetalningar_2025-05.csv", "utbetalningar_2025-06.csv"}
    assert expected | {"hushallsmedlemmar_2025-06.csv"} <= redelivered
    assert redelivered <= expected | {
        "hushallsmedlemmar_2025-05.csv",
        "hushallsmedlemmar_2025-06.csv",
        "medarbetarenkat_2025.csv",
        "brukarenkat_2025.csv",
        "budget_2025.csv",  # the unfinished year's budget is scaled from its months so far
    }


# What a snapshot may fill in or move on for a record an earlier snapshot holds: what closes,
# is decided or is followed up later (every other field, and the id, stay as they were).
SNAPSHOT_LATER_FIELDS = {
    "arenden": {"avslutad_datum", "avslutsorsak_kod"},
    "forandringsplaner": {"senast_reviderad_datum"},
    "insatser": {"slutdatum", "utfall_kod"},
    "vrakningsforebyggande": {"avslutad_datum", "utfall_kod"},
    "akutboende": {"slutdatum", "kostnad"},
    "fut_anmalningar": {
        "forhandsbedomning_datum",
        "beslut",
        "aterkrav_datum",
        "aterkrav_belopp",
        "polisanmald",
    },
    "synpunkter": {"aterkoppling_datum"},
}


def test_a_later_snapshot_repeats_every_earlier_record_under_its_id(tmp_path: Path) -> None:
    """A register's snapshot a month later holds the same records under the same ids: only
    what was empty (open, not yet decided) is filled in, and a plan's last follow-up moves on.

    So an incremental refresh of one new month recomputes what the month changed, as it
    would on a real register, not a renumbered history.
    """
    before = tmp_path / "before"
    after = tmp_path / "after"
    generate(before, profile="stockholm", seed=3, start="2024-01", end="2025-06")
    generate(after, profile="stockholm", seed=3, start="2024-01", end="2025-07")
    for export, later in SNAPSHOT_LATER_FIELDS.items():
        (earlier_file,) = before.glob(f"{export}_*.csv")
        (later_file,) = after.glob(f"{export}_*.csv")
        id_column = CONTRACT[export].split(";")[0]
        now = {row[id_column]: row for row in read(later_file)}
        earlier = read(earlier_file)
        filled = 0
        for row in earlier:
            again = now.get(row[id_column])
            assert again is not None, f"{export}: {row[id_column]} is gone a month later"
            for column, value in row.items():
                if again[column] == value:
                    continue
                assert column in later, f"{export} {row[id_column]}: {column} changed"
                if column == "senast_reviderad_datum" and value:
                    assert again[column] > value, f"{export} {row[id_column]}: moved back"
                else:
                    assert value in ("", "N"), f"{export} {row[id_column]}: {column} rewritten"
                filled += 1
        assert len(now) > len(earlier), f"{export}: nothing new a month later"
        if export != "synpunkter":  # few feedback items are answered in one month
            assert filled, f"{export}: nothing closed or followed up a month later"


def test_a_redelivery_keeps_every_row_and_adds_later_bookings(tmp_path: Path) -> None:
    first = generate(tmp_path / "first", seed=2, end="2025-06")
    final = tmp_path / "final"
    generate(final, seed=2, end="2025-08")
    extraction = {"2025-05": "2025-06-05", "2025-06": "2025-07-05"}  # of the first delivery
    kinds: Counter[str] = Counter()
    for path in first:
        export, key = path.stem.rsplit("_", 1)
        if export not in ("utbetalningar", "hushallsmedlemmar") or key not in extraction:
            continue
        old = path.read_text(encoding="utf-8").splitlines()
        new = (final / path.name).read_text(encoding="utf-8").splitlines()
        assert set(old) <= set(new), f"{path.name}: a re-delivery dropped rows"
        added = [
            dict(zip(CONTRACT[export].split(";"), line.split(";"), strict=True))
            for line in set(new) - set(old)
        ]
        if export == "utbetalningar" or key == "2025-06":  # members change with late months
            assert added, f"{path.name}: nothing was booked late"
        if export == "utbetalningar":
            for row in added:
                assert row["utbetalningsdatum"] > extraction[key], row  # booked after delivery
                kinds["retroactive" if row["belopp"][0] != "-" else "correction"] += 1
    assert kinds["correction"] and kinds["retroactive"], kinds


def test_the_catalogue_v2_exports_keep_their_codes_and_invariants(out: Path) -> None:
    notices = rows(out, "vrakningsforebyggande")
    assert {r["typ"] for r in notices} == ref_codes("underrattelsetyp")
    assert {r["utfall_kod"] for r in notices} - {""} <= ref_codes("vrakning_utfall")
    for r in notices:
        assert (r["avslutad_datum"] == "") == (r["utfall_kod"] == ""), r
        assert r["avslutad_datum"] == "" or r["avslutad_datum"] >= r["inkom_datum"], r
        assert r["inkom_datum"] < EXTRACTION and int(r["barn_i_hushallet"]) >= 0
        assert r["utfall_kod"] != "VERKSTALLD" or r["typ"] == "AVHYSNING", r
    assert {r["boendetyp"] for r in rows(out, "akutboende")} <= ref_codes("boendetyp")
    for r in rows(out, "fut_anmalningar"):
        assert (
            r["forhandsbedomning_datum"] == "" or r["forhandsbedomning_datum"] >= r["inkom_datum"]
        )
        assert r["aterkrav_datum"] == "" or r["beslut"] == "UTREDNING", r
    feedback = rows(out, "synpunkter")
    assert {r["avsandare"] for r in feedback} <= ref_codes("synpunkt_avsandare")
    assert {r["typ"] for r in feedback} <= ref_codes("synpunkt_typ")
    assert {r["kategori"] for r in feedback} <= ref_codes("synpunkt_kategori")
    for r in feedback:
        assert r["aterkoppling_datum"] == "" or r["aterkoppling_datum"] >= r["inkom_datum"], r
