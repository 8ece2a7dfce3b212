"""The Evidence site, built once from the refreshed tiny warehouse and checked in Chromium.

One session fixture builds the site (in a copy of evidence/, see site_build.py) and one drives
Chromium through every page with check_site.mjs, following a plan that carries the texts the
warehouse says each checked cell must show. The tests below judge that one report: no console
errors, every page opened, ILS numbers equal the warehouse for the same cells (default view and
after changing period and area), suppressed cells show the dash, the ILS export as CSV and
Excel, a few numbers on the other pages, and no personal data anywhere in the build output.
Screenshots of every page are written to test-artifacts/browser/.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.browser import site_build
from tests.browser.expected import (
    DOLD,
    EXPORT_HEADER,
    ILS_COLUMNS,
    STATUS_WORD,
    UNIT_TEXT,
    IlsRow,
    View,
    Warehouse,
    excel_number,
    format_sv,
)
from tests.privacy import personnummer_in_text

REPO = Path(__file__).resolve().parents[2]
CHECK_SITE = Path(__file__).with_name("check_site.mjs")
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = REPO / "test-artifacts" / "browser"
BROWSER_TIMEOUT_S = 1200
PAGES = ["/", "/hushall/", "/insatser/", "/personal/", "/datakvalitet/", "/metod/"]
PSEUDONYM = re.compile(r"(?<![a-z])[a-p]{32}(?![a-z])")
# Columns that would mean person-level rows in a published table.
PERSON_COLUMNS = {
    "personnummer",
    "person_id",
    "hushall_id",
    "household_id",
    "employee_id",
    "anstalld_id",
    "respondent_id",
    "arende_id",
    "case_id",
    "pseudonym",
}


@pytest.mark.parametrize(
    ("value", "tag", "expected"),
    [
        (1234.5, "tal1", "1\u00a0234,5"),
        (1234.55, "tal1", "1\u00a0234,5"),  # binary 1234.5499…, as ssf shows it
        (380.25, "tal1", "380,3"),
        (0.0062, "andel2", "0,62\u00a0%"),
        (0.123, "andel1", "12,3\u00a0%"),
        (12345678, "kr", "12\u00a0345\u00a0678 kr"),
        (8618.5, "tal0", "8\u00a0619"),
    ],
)
def test_format_sv(value: float, tag: str, expected: str) -> None:
    assert format_sv(value, tag) == expected


# --- the plan ------------------------------------------------------------------------------


@dataclass
class Plan:
    default: View
    period_view: View
    area_view: View
    suppressed_view: View | None
    ils: dict[str, list[IlsRow]]  # view key -> expected rows
    codes: list[str]
    names: dict[str, str]
    tables: dict[str, list[dict]]  # result key -> [{row, col, text}]
    indicator_views: dict[str, tuple[View, list[IlsRow]]]
    visits: list[dict]


def _ils_expect(rows: list[IlsRow]) -> dict[str, dict[str, str]]:
    return {
        r.code: {**{c: r.cells[c] for c in ILS_COLUMNS}, "status": r.cells["status"]} for r in rows
    }


def _cell(value, suppressed: bool, tag: str) -> str:
    if suppressed:
        return "–"
    return "" if value is None else format_sv(value, tag)


def _make_plan(wh: Warehouse) -> Plan:
    default = wh.default_view()
    periods = wh.tertial_periods(default.year)
    other_period = next((p for p in periods if p != default.period), default.period)
    period_view = View(default.year, other_period, default.area_code, default.area_name)
    district = wh.first_district()
    area_view = View(default.year, other_period, district, wh.area_name(district))
    suppressed_view = wh.suppressed_view()

    ils = {"default": wh.ils(default), "period": wh.ils(period_view), "area": wh.ils(area_view)}
    oversikt_steps = [
        {"do": "ils", "as": "ils_default", "expect": _ils_expect(ils["default"])},
        {"do": "download", "testid": "ils-csv", "as": "csv_default"},
        {"do": "download", "testid": "ils-excel", "as": "xlsx_default"},
        {"do": "select", "title": "Period", "option": period_view.period_label},
        {"do": "ils", "as": "ils_period", "expect": _ils_expect(ils["period"])},
        {"do": "select", "title": "Område", "option": area_view.area_name},
        {"do": "ils", "as": "ils_area", "expect": _ils_expect(ils["area"])},
        {"do": "download", "testid": "ils-csv", "as": "csv_area"},
        {"do": "download", "testid": "ils-excel", "as": "xlsx_area"},
    ]
    if suppressed_view is not None:
        ils["suppressed"] = wh.ils(suppressed_view)
        oversikt_steps += [
            {"do": "select", "title": "År", "option": str(suppressed_view.year)},
            {"do": "select", "title": "Period", "option": suppressed_view.period_label},
            {"do": "select", "title": "Område", "option": suppressed_view.area_name},
            {"do": "ils", "as": "ils_suppressed", "expect": _ils_expect(ils["suppressed"])},
        ]

    codes = [
        c for (c,) in wh.rows("select indicator_code from publish.indicator order by sortering")
    ]
    names = dict(wh.rows("select indicator_code, namn from publish.indicator"))

    # Hushåll: the latest year, Hela staden first; EB_HUSHALL per month and household types.
    tables: dict[str, list[dict]] = {}
    h_year = wh.one("select max(year) from publish.hushall_typ")
    tables["hushall"] = [
        {"row": area, "col": f"k{int(period[1:])}", "text": _cell(value, suppressed, "tal0")}
        for area, period, value, suppressed in wh.rows(
            """
            select a.area_name, f.period, f.value, f.is_suppressed
            from marts.fct_indicator_value f join publish.area a using (area_level, area_code)
            where f.indicator_code = 'EB_HUSHALL' and f.gender = 'alla' and f.year = ?
                and f.period like 'M%' and f.area_code in ('STHLM', ?)
            """,
            [h_year, district],
        )
    ]
    tables["hushallstyper"] = [
        {
            "row": f"{code} {name}",
            "col": f"k{int(period[1:])}",
            "text": _cell(n, suppressed, "tal0"),
        }
        for code, name, period, n, suppressed in wh.rows(
            """
            select hushallstyp_kod, hushallstyp_namn, period, antal_hushall, is_suppressed
            from publish.hushall_typ where year = ? and area_code = 'STHLM'
            """,
            [h_year],
        )
    ]
    # Personal: sick leave over 12 months, Hela staden, the latest year with staff months.
    p_year = wh.one("select max(year) from publish.personal_enhet")
    tables["sjukfranvaro"] = [
        {"row": area, "col": f"k{int(period[1:])}", "text": _cell(value, suppressed, "andel1")}
        for area, period, value, suppressed in wh.rows(
            """
            select a.area_name, f.period, f.value, f.is_suppressed
            from marts.fct_indicator_value f join publish.area a using (area_level, area_code)
            where f.indicator_code = 'PE_SJUKFRANVARO' and f.gender = 'alla' and f.year = ?
                and f.period like 'M%' and f.area_code = 'STHLM'
            """,
            [p_year],
        )
    ]
    # Insatser: the IN_* indicators for Hela staden, the latest year with measure months.
    i_year = wh.one("select max(year) from publish.insats_manad")
    tables["insatser"] = [
        {
            "row": name,
            "col": period.lower(),
            "text": _cell(value, suppressed, "andel2" if unit == "andel" else "tal0"),
        }
        for name, unit, period, value, suppressed in wh.rows(
            """
            select i.namn, i.enhet, f.period, f.value, f.is_suppressed
            from marts.fct_indicator_value f join publish.indicator i using (indicator_code)
            where f.indicator_code like 'IN\\_%' escape '\\' and f.gender = 'alla'
                and f.year = ? and f.period in ('T1', 'T2', 'VB') and f.area_code = 'STHLM'
            """,
            [i_year],
        )
    ]
    # Datakvalitet: files and rows loaded per export.
    tables["per_export"] = []
    for export, files, rows_loaded in wh.rows(
        "select export, count(*), sum(rader_inlasta) from publish.datakvalitet group by export"
    ):
        tables["per_export"] += [
            {"row": export, "col": "filer", "text": format_sv(files, "tal0")},
            {"row": export, "col": "rader_inlasta", "text": format_sv(rows_loaded or 0, "tal0")},
        ]

    # Indicator pages: each opens with the latest period of that indicator for the first area.
    indicator_views = {}
    for code in ("EB_HUSHALL", "EB_ANDEL_VUXNA", "PE_SJUKFRANVARO"):
        if code not in codes:
            continue
        year = wh.one(
            "select max(year) from publish.kpi "
            "where indicator_code = ? and period_type = 'tertial'",
            [code],
        )
        period = wh.one(
            """
            select k.period from publish.kpi k join publish.period p using (year, period)
            where k.indicator_code = ? and k.year = ? and k.period_type = 'tertial'
            order by p.sortering desc limit 1
            """,
            [code, year],
        )
        area = wh.one(
            """
            select area_code from publish.area
            where area_code in (select area_code from publish.kpi where indicator_code = ?)
            order by sortering limit 1
            """,
            [code],
        )
        view = View(year, period, area, wh.area_name(area))
        indicator_views[code] = (view, [r for r in wh.ils(view) if r.code == code])

    visits = [
        {
            "path": "/",
            "name": "oversikt",
            "ready": "[data-testid=ils-tabell] tbody tr",
            "steps": oversikt_steps,
        },
        {
            "path": "/hushall/",
            "name": "hushall",
            "steps": [
                {
                    "do": "table",
                    "testid": "hushall-per-manad",
                    "as": "hushall",
                    "expect": tables["hushall"],
                },
                {
                    "do": "table",
                    "testid": "hushallstyper",
                    "as": "hushallstyper",
                    "expect": tables["hushallstyper"],
                },
            ],
        },
        {
            "path": "/insatser/",
            "name": "insatser",
            "steps": [
                {
                    "do": "table",
                    "testid": "insats-indikatorer",
                    "as": "insatser",
                    "expect": tables["insatser"],
                },
            ],
        },
        {
            "path": "/personal/",
            "name": "personal",
            "steps": [
                {
                    "do": "table",
                    "testid": "sjukfranvaro",
                    "as": "sjukfranvaro",
                    "expect": tables["sjukfranvaro"],
                },
            ],
        },
        {
            "path": "/datakvalitet/",
            "name": "datakvalitet",
            "steps": [
                {
                    "do": "table",
                    "testid": "per-export",
                    "as": "per_export",
                    "expect": tables["per_export"],
                },
            ],
        },
        {
            "path": "/metod/",
            "name": "metod",
            "steps": [
                {"do": "links", "selector": "article a[href^='/indikator/']", "as": "metod_links"},
            ],
        },
    ]
    for code in codes:
        steps: list[dict] = [{"do": "text", "text": names[code], "exact": True}]
        if code in indicator_views:
            steps.append(
                {"do": "ils", "as": f"ils_{code}", "expect": _ils_expect(indicator_views[code][1])}
            )
        visits.append({"path": f"/indikator/{code}/", "name": f"indikator_{code}", "steps": steps})
    return Plan(
        default,
        period_view,
        area_view,
        suppressed_view,
        ils,
        codes,
        names,
        tables,
        indicator_views,
        visits,
    )


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def warehouse(refreshed_warehouse) -> Iterator[Warehouse]:
    wh = Warehouse(refreshed_warehouse.warehouse)
    yield wh
    wh.close()


@pytest.fixture(scope="session")
def site(refreshed_warehouse, tmp_path_factory: pytest.TempPathFactory) -> site_build.Site:
    """The site, built once per test session."""
    try:
        return site_build.build_site(
            refreshed_warehouse.publish_file, tmp_path_factory.mktemp("site")
        )
    except site_build.BuildFailed as err:
        pytest.fail(str(err), pytrace=False)


@dataclass
class Report:
    plan: Plan
    problems: list[str]
    results: dict
    visits: list[dict]


@pytest.fixture(scope="session")
def report(site: site_build.Site, warehouse: Warehouse, tmp_path_factory) -> Report:
    """Chromium through every page once (check_site.mjs), with the expected texts."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium`", pytrace=False)
    plan = _make_plan(warehouse)
    work = tmp_path_factory.mktemp("browser")
    with site_build.serve(site.build) as base_url:
        plan_file = work / "plan.json"
        plan_file.write_text(
            json.dumps(
                {"baseUrl": base_url, "artifactsDir": str(ARTIFACTS), "visits": plan.visits}
            ),
            encoding="utf-8",
        )
        report_file = work / "report.json"
        proc = subprocess.run(
            [
                "timeout",
                "--kill-after=10",
                str(BROWSER_TIMEOUT_S),
                "node",
                str(CHECK_SITE),
                str(plan_file),
                str(report_file),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
    print(proc.stdout[-4000:])
    if proc.returncode != 0 or not report_file.exists():
        pytest.fail(
            f"check_site.mjs failed (exit {proc.returncode}):\n{proc.stdout[-4000:]}\n"
            f"{proc.stderr[-4000:]}",
            pytrace=False,
        )
    data = json.loads(report_file.read_text(encoding="utf-8"))
    return Report(plan, data["problems"], data["results"], data["visits"])


# --- tests -----------------------------------------------------------------------------------

pytestmark = pytest.mark.browser


def test_every_page_opens_without_errors(report: Report) -> None:
    expected = PAGES + [f"/indikator/{code}/" for code in report.plan.codes]
    assert [v["path"] for v in report.visits] == expected
    assert report.problems == [], "\n".join(report.problems)
    for visit in report.visits:
        assert (ARTIFACTS / f"{_visit_name(report, visit['path'])}.png").is_file()


def _visit_name(report: Report, path: str) -> str:
    return next(v["name"] for v in report.plan.visits if v["path"] == path)


def test_every_indicator_page_was_built(site: site_build.Site, report: Report) -> None:
    for code in report.plan.codes:
        assert (site.build / "indikator" / code / "index.html").is_file(), code
    assert sorted(set(report.results["metod_links"])) == sorted(
        f"/indikator/{code}/" for code in report.plan.codes
    )


def _assert_ils(report: Report, key: str, expected: list[IlsRow]) -> None:
    shown = report.results.get(f"ils_{key}")
    assert shown is not None, f"ILS table {key} not read"
    assert shown["order"] == [r.code for r in expected], "indicators or their order differ"
    for row in expected:
        got = shown["rows"][row.code]
        assert got["indikator"] == row.name
        want = {c: row.cells[c] for c in (*ILS_COLUMNS, "status")}
        assert {c: got[c] for c in want} == want, f"{key}: {row.code}"


def test_ils_default_view_equals_the_warehouse(report: Report) -> None:
    _assert_ils(report, "default", report.plan.ils["default"])


def test_ils_follows_the_period_and_area_filters(report: Report) -> None:
    plan = report.plan
    _assert_ils(report, "period", plan.ils["period"])
    _assert_ils(report, "area", plan.ils["area"])
    shown = [
        {k: r["utfall"] for k, r in report.results[f"ils_{view}"]["rows"].items()}
        for view in ("default", "period", "area")
    ]
    if plan.period_view.period != plan.default.period:
        assert shown[0] != shown[1], "changing the period did not change the numbers"
    assert shown[1] != shown[2], "changing the area did not change the numbers"


def test_suppressed_cells_show_a_dash(report: Report) -> None:
    plan = report.plan
    assert plan.suppressed_view is not None, "no suppressed value in the test data"
    _assert_ils(report, "suppressed", plan.ils["suppressed"])
    hidden = [
        (view, row.code, col)
        for view, rows in plan.ils.items()
        for row in rows
        for col, is_hidden in row.suppressed.items()
        if is_hidden
    ]
    assert hidden
    for view, code, col in hidden:
        assert report.results[f"ils_{view}"]["rows"][code][col] == DOLD


def _csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM"
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


@pytest.mark.parametrize("view", ["default", "area"])
def test_ils_csv_export(report: Report, view: str) -> None:
    plan = report.plan
    v = plan.default if view == "default" else plan.area_view
    download = report.results[f"csv_{view}"]
    assert download["name"] == f"{v.file_stem}.csv"
    rows = _csv_rows(Path(download["file"]))
    assert rows[0] == EXPORT_HEADER
    expected = plan.ils[view]
    assert len(rows) == 1 + len(expected)
    for line, row in zip(rows[1:], expected, strict=True):
        record = dict(zip(EXPORT_HEADER, line, strict=True))
        assert record["Indikator"] == row.name
        assert record["Kod"] == row.code
        assert record["Enhet"] == UNIT_TEXT[row.unit]
        assert record["Period"] == v.period_label
        assert record["Område"] == v.area_name
        for col, header in zip(ILS_COLUMNS, EXPORT_HEADER[1:7], strict=True):
            cell = row.cells[col]
            want = (
                "–"
                if row.suppressed[col]
                else (excel_number(cell) if row.values[col] is not None else "")
            )
            assert record[header] == want, f"{row.code} {header}"
        assert record["Status"] == (STATUS_WORD[row.status] if row.status else row.cells["status"])


@pytest.mark.parametrize("view", ["default", "area"])
def test_ils_excel_export(report: Report, view: str) -> None:
    import openpyxl

    plan = report.plan
    v = plan.default if view == "default" else plan.area_view
    download = report.results[f"xlsx_{view}"]
    assert download["name"] == f"{v.file_stem}.xlsx"
    sheet = openpyxl.load_workbook(download["file"]).active
    assert sheet.title == "ILS"
    assert sheet["A1"].value == f"ILS-export: {v.area_name}, {v.period_label} {v.year}"
    header = [c.value for c in sheet[4]]
    assert header[: len(EXPORT_HEADER)] == EXPORT_HEADER
    expected = plan.ils[view]
    for i, row in enumerate(expected):
        cells = [c.value for c in sheet[5 + i]]
        record = dict(zip(EXPORT_HEADER, cells, strict=False))
        assert record["Kod"] == row.code and record["Indikator"] == row.name
        for col, header_name in zip(ILS_COLUMNS, EXPORT_HEADER[1:7], strict=True):
            got = record[header_name]
            if row.suppressed[col]:
                assert got == "–", f"{row.code} {header_name}"
            elif row.values[col] is None:
                assert got is None, f"{row.code} {header_name}"
            else:
                assert isinstance(got, (int, float)), f"{row.code} {header_name}: {got!r}"
                assert got == pytest.approx(row.values[col], rel=1e-9, abs=1e-12)
        number_format = sheet.cell(row=5 + i, column=2).number_format
        if row.values["utfall"] is not None:
            assert (
                number_format
                == {"andel2": "0.00%", "kr": '#,##0" kr"', "tal0": "#,##0", "tal1": "#,##0.0"}[
                    row.fmt
                ]
            )
    # nothing but the footnote after the rows
    assert sheet.cell(row=5 + len(expected), column=1).value is None


def test_indicator_pages_show_the_warehouse_values(report: Report) -> None:
    assert report.plan.indicator_views
    for code, (_view, rows) in report.plan.indicator_views.items():
        _assert_ils(report, code, rows)


@pytest.mark.parametrize(
    "key", ["hushall", "hushallstyper", "insatser", "sjukfranvaro", "per_export"]
)
def test_other_pages_show_the_warehouse_values(report: Report, key: str) -> None:
    expected = report.plan.tables[key]
    assert expected, f"no expected values for {key}"
    shown = report.results[key]
    assert shown is not None, f"table {key} not read"
    by_first = {}
    for cells in shown["rows"]:
        by_first[next(iter(cells.values()))] = cells
    for e in expected:
        assert e["row"] in by_first, f"{key}: no row {e['row']!r}"
        assert by_first[e["row"]].get(e["col"]) == e["text"], f"{key}: {e}"


# --- privacy of the build output ---------------------------------------------------------------


def test_build_output_has_no_personal_data(site: site_build.Site) -> None:
    # compiled library code (_app/immutable) holds numeric constants, not data
    files = [
        p for p in site.build.rglob("*") if p.is_file() and "_app/immutable" not in p.as_posix()
    ]
    assert len(files) > 50
    hits: dict[str, list[str]] = {}
    for path in files:
        text = path.read_bytes().decode("latin-1")
        found = personnummer_in_text(text) + PSEUDONYM.findall(text)
        if found:
            hits[str(path.relative_to(site.build))] = found[:5]
    # The tables are compressed parquet: read every value too.
    parquet = sorted(site.build.glob("data/**/*.parquet"))
    assert parquet, "no parquet files in the build"
    con = duckdb.connect()
    try:
        for path in parquet:
            columns = [r[0] for r in con.execute(f"describe select * from '{path}'").fetchall()]
            person = PERSON_COLUMNS.intersection(c.lower() for c in columns)
            assert not person, f"{path.name}: person-level columns {person}"
            for (row,) in con.execute(f"select cast(t as varchar) from '{path}' as t").fetchall():
                found = personnummer_in_text(row) + PSEUDONYM.findall(row)
                if found:
                    hits.setdefault(path.name, []).extend(found[:5])
    finally:
        con.close()
    assert hits == {}
