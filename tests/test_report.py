"""The tertial report (issue 20): the goal hierarchy covers the catalogue, and every Word
document the refresh wrote shows exactly the published figures.

The documents are the session's refresh's (`refreshed_warehouse`, written beside its publish
file by the `published/reports` asset). Each is opened with python-docx; its tables must equal
publish.rapport's rows formatted as the site formats them (tests/browser/expected.format_sv, an
implementation of its own), with format tags worked out from the warehouse as the pages do. A
suppressed cell must read "–", never the hidden number (known in marts.fct_indicator_value).
"""

from __future__ import annotations

import csv
import json
import shutil
from itertools import groupby
from pathlib import Path

import duckdb
import pytest
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from orchestration import reports
from tests.browser.expected import Warehouse, format_sv
from tests.conftest import REPO_ROOT, Refreshed

SEEDS = REPO_ROOT / "dbt_project" / "seeds"
YEARS = range(2015, 2041)  # every year a report may have, and beyond the open editions
HEADERS = [
    "Indikator",
    "Periodens utfall",
    "Utfall män",
    "Utfall kvinnor",
    "Utfall VB föregående år",
    "Årsmål",
    "KF:s årsmål",
    "Period",
]
JUDGEMENT = {
    "uppfylls_helt": "Uppfylls helt",
    "uppfylls_delvis": "Uppfylls delvis",
    "uppfylls_ej": "Uppfylls ej",
}


def _seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _years(row: dict[str, str]) -> range:
    last = int(row["giltig_tom_ar"]) if row["giltig_tom_ar"] else YEARS[-1]
    return range(int(row["giltig_from_ar"]), last + 1)


def test_every_catalogue_indicator_is_placed_or_outside_the_report_every_year() -> None:
    indicators = [r["indicator_code"] for r in _seed("indicators")]
    goals = {r["namndmal_kod"]: _years(r) for r in _seed("ref_malhierarki")}
    placements = _seed("ref_indikator_namndmal")
    assert set(indicators) == {p["indicator_code"] for p in placements}, "every indicator placed"
    for code in indicators:
        rows = [p for p in placements if p["indicator_code"] == code]
        for year in YEARS:
            covering = [p for p in rows if year in _years(p)]
            assert len(covering) == 1, f"{code} {year}: {len(covering)} rows"
    for p in placements:
        if p["namndmal_kod"]:
            assert not p["utanfor_rapporten_skal"], p
            # the goal is valid every year the placement is
            assert set(_years(p)) <= set(goals[p["namndmal_kod"]]), p
        else:
            assert p["utanfor_rapporten_skal"].strip(), f"{p['indicator_code']}: a reason"
    # the names of the 2023 goals are the seed report's, word for word
    seed_2023 = REPO_ROOT.parent / "shared" / "seeds" / "001_224bbd46f3dd11ca.txt"
    if seed_2023.is_file():
        text = seed_2023.read_text(encoding="utf-8")
        for g in _seed("ref_malhierarki"):
            if g["giltig_from_ar"] == "2023":
                for name in (g["inriktningsmal_namn"], g["kf_mal_namn"], g["namndmal_namn"]):
                    assert name in text, name


def _cell(value: float | None, hidden: bool, tag: str, reason: str | None = None) -> str:
    """As the pages: "–" for fewer than 5, "– dold" when hidden as a complement."""
    if hidden:
        return "–\u00a0dold" if reason == "komplementar" else "–"
    return "" if value is None else format_sv(value, tag)


def _content(path: Path) -> tuple[list[tuple[str, str]], list[list[list[str]]]]:
    """(style, text) of every paragraph, and every table's cell texts, in document order."""
    doc = Document(str(path))
    paragraphs, tables = [("core title", doc.core_properties.title)], []
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph):
            paragraphs.append((block.style.name, block.text))
        elif isinstance(block, Table):
            tables.append([[c.text for c in row.cells] for row in block.rows])
    return paragraphs, tables


@pytest.fixture(scope="module")
def published(refreshed_warehouse: Refreshed) -> dict[str, list[dict]]:
    con = duckdb.connect(str(refreshed_warehouse.publish_file), read_only=True)
    try:
        cur = con.execute(
            "select * from publish.publish.rapport order by dokument_fil, namndmal_sortering, rad"
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    # documents are written for the two latest years with reports (publish.rapport)
    years = sorted({r["year"] for r in rows})
    assert all((r["dokument_fil"] is None) == (r["year"] < years[-1] - 1) for r in rows)
    return {k: list(g) for k, g in groupby(rows, key=lambda r: r["dokument_fil"]) if k is not None}


@pytest.fixture(scope="module")
def hidden_values(refreshed_warehouse: Refreshed) -> tuple[dict[str, str], dict]:
    """Format tags as the pages work them out, and the unsuppressed values of the fact."""
    wh = Warehouse(refreshed_warehouse.warehouse)
    try:
        tags = wh.fmt_tags()
        facts = {
            (code, area, year, period, gender): (value, previous)
            for code, area, year, period, gender, value, previous in wh.rows(
                """
                select indicator_code, area_code, year, period, gender, value,
                    previous_year_value
                from marts.fct_indicator_value where period in ('T1', 'T2', 'VB')
                """
            )
        }
    finally:
        wh.close()
    return tags, facts


def test_every_report_has_its_word_document(
    refreshed_warehouse: Refreshed, published: dict[str, list[dict]]
) -> None:
    folder = reports.reports_dir(refreshed_warehouse.publish_file)
    written = {p.name for p in folder.glob("*.docx")}
    assert published, "the tiny data has reports"
    assert written == set(published)
    manifest = json.loads((folder / reports.MANIFEST).read_text())
    assert set(manifest) == written


def test_documents_equal_the_published_figures_and_hide_what_is_hidden(
    refreshed_warehouse: Refreshed,
    published: dict[str, list[dict]],
    hidden_values: tuple[dict[str, str], dict],
) -> None:
    tags, facts = hidden_values
    folder = reports.reports_dir(refreshed_warehouse.publish_file)
    hidden = []  # (document, table, row, column, hidden value, format tag)
    for name, rows in published.items():
        paragraphs, tables = _content(folder / name)
        first = rows[0]
        kind = {"T1": "Tertialrapport 1", "T2": "Tertialrapport 2", "VB": "Verksamhetsberättelse"}
        assert paragraphs.pop(0)[1] == paragraphs[0][1], "the document's title property"
        assert paragraphs[0] == (
            "Title",
            f"{kind[first['period']]} {first['year']} – {first['area_name']}",
        )
        headings = [(s, t) for s, t in paragraphs if s.startswith("Heading")]
        expected_headings, expected_tables = [], []
        for _, goal in groupby(rows, key=lambda r: r["namndmal_kod"]):
            goal = list(goal)
            g = goal[0]
            inr = (
                "Heading 1",
                f"KF:s inriktningsmål: {g['inriktningsmal_nr']}. {g['inriktningsmal_namn']}",
            )
            kf = (
                "Heading 2",
                f"KF:s mål för verksamhetsområdet: {g['kf_mal_nr']} {g['kf_mal_namn']}",
            )
            for heading in (inr, kf):
                if heading not in expected_headings:
                    expected_headings.append(heading)
            expected_headings += [
                ("Heading 3", f"Nämndmål: {g['namndmal_namn']}"),
                ("Heading 4", "Analys"),
            ]
            table = [HEADERS]
            for r in goal:
                if r["indicator_code"] is None:
                    continue
                tag = tags[r["indicator_code"]]
                split = r["kon_uppdelad"]
                table.append(
                    [
                        r["indicator_name"],
                        _cell(r["utfall"], r["utfall_dold"], tag, r["utfall_orsak"]),
                        _cell(r["man"], r["man_dold"], tag, r["man_orsak"]) if split else "",
                        _cell(r["kvinnor"], r["kvinnor_dold"], tag, r["kvinnor_orsak"])
                        if split
                        else "",
                        _cell(r["fg_ar"], r["fg_ar_dold"], tag, r["fg_ar_orsak"]),
                        _cell(r["arsmal"], False, tag),
                        _cell(r["kf_arsmal"], False, tag),
                        r["period_text"],
                    ]
                )
                # a hidden cell reads "–", never the number the fact knows
                key = (r["indicator_code"], r["area_code"], r["year"])
                period = "VB" if r["period_text"] == str(r["year"]) else r["period"]
                for column, gender in ((1, "alla"), (2, "man"), (3, "kvinnor")):
                    if r[("utfall", "man", "kvinnor")[column - 1] + "_dold"]:
                        value = facts.get((*key, period, gender), (None, None))[0]
                        if value is not None:
                            hidden.append(
                                (name, len(expected_tables), len(table) - 1, column, value, tag)
                            )
            if len(table) > 1:
                expected_tables.append(table)
            # the judgement under the table
            judged = JUDGEMENT.get(g["namndmal_bedomning"], "Bedöms inte")
            assert any(t.startswith(f"Bedömning: {judged}") for _, t in paragraphs), (name, judged)
        assert headings == expected_headings, name
        assert tables == expected_tables, name
        for doc, t, row, column, value, tag in (h for h in hidden if h[0] == name):
            shown = tables[t][row][column]
            assert shown in ("–", "–\u00a0dold") and format_sv(value, tag) not in shown, (doc, t)
        # an empty Analys paragraph after every Analys heading
        for i, (style, text) in enumerate(paragraphs):
            if style == "Heading 4":
                assert text == "Analys" and paragraphs[i + 1] == ("Normal", ""), name
        if any(r["utfall_dold"] or r["fg_ar_dold"] for r in rows):
            assert any(t.startswith("– = värdet bygger på färre än 5") for _, t in paragraphs)
        if any(
            "komplementar" in (r["utfall_orsak"], r["man_orsak"], r["kvinnor_orsak"]) for r in rows
        ):
            assert any(t.startswith("–\u00a0dold = värdet bygger på 5") for _, t in paragraphs)
    assert hidden, "the tiny data has suppressed cells to check"


def test_only_changed_documents_are_written_again(
    refreshed_warehouse: Refreshed, published: dict[str, list[dict]], tmp_path: Path
) -> None:
    publish = tmp_path / "publish.duckdb"
    shutil.copy2(refreshed_warehouse.publish_file, publish)
    shutil.copytree(reports.reports_dir(refreshed_warehouse.publish_file), tmp_path / "rapporter")
    n = len(published)
    again = reports.write_reports(publish)
    assert (again.written, again.unchanged, again.removed) == (0, n, 0)
    folder = reports.reports_dir(publish)
    one, other = sorted(published)[:2]
    (folder / one).unlink()
    manifest = json.loads((folder / reports.MANIFEST).read_text())
    manifest[other] = "changed rows"
    (folder / reports.MANIFEST).write_text(json.dumps(manifest))
    (folder / "Rapport_1999_T1_X.docx").write_bytes(b"a report that no longer exists")
    done = reports.write_reports(publish)
    assert (done.written, done.unchanged, done.removed) == (2, n - 2, 1)
    assert {p.name for p in folder.glob("*.docx")} == set(published)
    # the site build serves them under /rapporter/ (and not the manifest)
    site = tmp_path / "evidence"
    assert reports.stage_for_site(publish, site) == n
    assert not (site / "static" / "rapporter" / reports.MANIFEST).exists()


def test_staged_documents_take_their_place_only_when_committed(
    refreshed_warehouse: Refreshed, published: dict[str, list[dict]], tmp_path: Path
) -> None:
    """A refresh writes the documents from the warehouse's publish.rapport while publish copies
    it (orchestration/assets/publish.py): the warehouse gives the published file's rows; staged
    documents are temporary files until the published file is in place, and a failed publish
    discards them, leaving the folder as it was."""
    rows = reports.read_reports(refreshed_warehouse.warehouse)
    assert rows == reports.read_reports(refreshed_warehouse.publish_file)
    assert set(rows) == set(published)
    folder = tmp_path / "rapporter"
    shutil.copytree(reports.reports_dir(refreshed_warehouse.publish_file), folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    one = sorted(rows)[0]
    manifest = json.loads((folder / reports.MANIFEST).read_text())
    manifest[one] = "changed rows"
    (folder / reports.MANIFEST).write_text(json.dumps(manifest))
    before[reports.MANIFEST] = (folder / reports.MANIFEST).read_bytes()

    staged = reports.stage_reports(rows, folder)
    assert [target.name for _, target in staged.staged] == [one]
    assert {p.name for p in folder.iterdir()} == set(before) | {f".{one}.tmp"}
    reports.discard_reports(staged)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before

    done = reports.commit_reports(reports.stage_reports(rows, folder))
    assert (done.written, done.unchanged, done.removed) == (1, len(rows) - 1, 0)
    assert {p.name for p in folder.iterdir()} == set(before)
    assert json.loads((folder / reports.MANIFEST).read_text())[one] != "changed rows"


@pytest.mark.parametrize(
    ("value", "tag", "text"),
    [
        (0.0062, "andel2", "0,62\u00a0%"),
        (0.12345, "andel2", "12,35\u00a0%"),
        (1234.5, "tal1", "1\u00a0234,5"),
        (9.96, "tal1", "10,0"),
        (48.5, "tal0", "49"),
        (-84090.4, "kr", "-84\u00a0090 kr"),
        (3735724, "kr", "3\u00a0735\u00a0724 kr"),
    ],
)
def test_documents_format_numbers_as_the_pages(value: float, tag: str, text: str) -> None:
    assert reports.format_sv(value, tag) == format_sv(value, tag) == text
