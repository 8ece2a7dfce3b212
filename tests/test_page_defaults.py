"""What a controller sees first, on Stockholm-sized data (issue 20).

The browser test (tests/browser/test_site.py) walks the built site on tiny data, whose last
delivered month ends a year; here the pages' own queries (read from the .md files, run with DuckDB
as Evidence runs them: tests/pages_sql.py) are opened on the session's Stockholm-sized publish
file — 2021-01 … 2022-03, with the 2022 survey and budget files delivered. That is the shape of
the reported bug: a year whose yearly files give VB rows before its December is delivered. No
second Evidence build: the queries are the pages', the inputs what their Dropdowns start with.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.conftest import Refreshed
from tests.pages_sql import PAGES, Page, pages, source_connection

# The five flow indicators look back 12 months before each month of the period (catalogue:
# time_window 'period', lookback_months 12): with deliveries from January 2021 their first month is
# January 2022, so no complete tertial of theirs exists in this data — their pages have no
# period to open on, and Översikt's VB 2021 has no row for them. Every other indicator has.
NO_COMPLETE_TERTIAL = {
    "EB_INFLODE_NYA",
    "EB_INFLODE_ATERKOMMANDE",
    "EB_UTFLODE",
    "EB_TID_MED_BISTAND",
    "EB_INFLODE_NYA_PERSONER",
}
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december"]  # fmt: skip


def _last_delivered_month(landing: Path) -> date:
    """From the file names alone: the last month with both payments and household members."""

    def months(export: str) -> set[date]:
        found = set()
        for path in landing.glob(f"{export}_*.csv"):
            match = re.fullmatch(rf"{export}_(\d{{4}})-(\d{{2}})\.csv", path.name)
            if match:
                found.add(date(int(match[1]), int(match[2]), 1))
        return found

    return max(months("utbetalningar") & months("hushallsmedlemmar"))


def _latest_complete_tertial(last_month: date) -> tuple[int, str]:
    """T1 ends in April, T2 in August, VB in December: the latest that ends by last_month."""
    ends = [(year, period, end) for year in range(last_month.year - 1, last_month.year + 1)
            for period, end in (("T1", 4), ("T2", 8), ("VB", 12))]  # fmt: skip
    return max((y, p) for y, p, end in ends if date(y, end, 1) <= last_month)


@pytest.fixture(scope="module")
def pages_con(stockholm_refreshed: Refreshed) -> duckdb.DuckDBPyConnection:
    con = source_connection(stockholm_refreshed.publish_file)
    yield con
    con.close()


@pytest.fixture(scope="module")
def expected_first(stockholm_refreshed: Refreshed) -> tuple[int, str]:
    return _latest_complete_tertial(_last_delivered_month(stockholm_refreshed.landing))


def test_the_data_has_the_shape_of_the_bug(pages_con, expected_first) -> None:
    """The yearly files give 2022 VB rows and months to December 2022 while March 2022 is the
    last month delivered — what made Översikt open on VB of an unfinished year."""
    assert expected_first == (2021, "VB")
    early = pages_con.execute(
        "select distinct indicator_code from kpi.kpi_tertial where year = 2022 and period = 'VB'"
    ).fetchall()
    assert {"BR_FORBATTRAD", "EK_BUDGET"} <= {c for (c,) in early}
    (last_month,) = pages_con.execute("select max(month_date) from kpi.kpi_manad").fetchone()
    assert last_month == date(2022, 12, 1)


def test_oversikt_opens_on_the_latest_complete_tertial_with_every_indicator(
    pages_con, expected_first
) -> None:
    page = Page.read(PAGES / "index.md")
    shown = page.open(pages_con)
    assert (page.inputs["ar"], page.inputs["period"]) == expected_first
    assert page.inputs["omrade"] == "STHLM"
    catalogue = pages_con.execute(
        "select indicator_code from kpi.indicator where kolada_kod is null"
    ).fetchall()
    with_value = {r["kod"] for r in shown["ils"] if r["utfall"] is not None or r["utfall_dold"]}
    assert with_value == {c for (c,) in catalogue} - NO_COMPLETE_TERTIAL
    assert len(with_value) == 38
    # "Månadsvärden finns till och med …": the last delivered month, not December 2022
    assert shown["data_till"] == [{"senaste_manad": "mars 2022"}]


@pytest.mark.parametrize(
    "page_path",
    [p for p in pages() if p.parent.name not in ("indikator", "metod", "datakvalitet")],
    ids=lambda p: p.parent.name if p.parent != PAGES else "oversikt",
)
def test_every_page_opens_on_the_year_of_the_latest_complete_tertial(
    pages_con, expected_first, page_path: Path
) -> None:
    """Each page with a year opens on the year of the latest complete tertial (Flöden: on its
    only year, 2022, the first with 12 months before it), with rows in every table."""
    page = Page.read(page_path)
    shown = page.open(pages_con)
    year, period = expected_first
    assert page.inputs["ar"] == (2022 if page_path.parent.name == "floden" else year)
    if "period" in page.inputs:
        assert page.inputs["period"] == period
    empty = {name for name, rows in shown.items() if not rows}
    # the forecast backtest needs a complete year before the forecast year (here 2020)
    assert empty <= {"traffsakerhet"}, empty


def test_every_indicator_page_opens_on_its_latest_complete_tertial_with_values(
    pages_con, expected_first
) -> None:
    codes = [c for (c,) in pages_con.execute("select indicator_code from kpi.indicator").fetchall()]
    assert len(codes) == 47
    for code in codes:
        if code in NO_COMPLETE_TERTIAL:
            continue
        page = Page.read(PAGES / "indikator" / "[kod].md", {"kod": code})
        shown = page.open(pages_con)
        assert (page.inputs["ar"], page.inputs["period"]) == expected_first, code
        chosen = [r for r in shown["jamforelse"] if r["area_code"] == page.inputs["omrade"]]
        assert chosen and chosen[0]["utfall"] is not None, code
