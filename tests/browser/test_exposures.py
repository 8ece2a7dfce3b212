"""The dbt exposures and the Evidence site name the same tables.

Every page is a dbt exposure (dbt_project/models/publish/_publish__exposures.yml) whose
depends_on lists the publish models it reads. This checks, without running dbt or Evidence, that
each page's SQL (its own blocks and the shared queries/ files it names) reads exactly the tables
its exposure lists, that every source query in evidence/sources/kpi/ is a thin select of the
published table of the same name, and that the two sets agree. The run log `refresh_runs` is
copied into the published file by the publish step (it is not a dbt model), so it is the one
table a page may read without it appearing in depends_on.

A source query may instead be a prototype (PROTOTYPES): a table shaped for the pages from
published tables, to be published by dbt under that name. A page that reads a prototype counts as
reading the published tables it is made from, until the publish model replaces it.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
PUBLISH = REPO / "dbt_project" / "models" / "publish"
EVIDENCE = REPO / "evidence"
SOURCES = EVIDENCE / "sources" / "kpi"
NOT_DBT = {"refresh_runs"}  # copied from the warehouse's meta schema by the publish step
# Source queries that shape published tables for the pages (issue 22: fewer and cheaper queries
# per prerendered page), each with the publish models it reads. When dbt publishes a table of
# that name, its source becomes a thin select and it leaves this list (evidence/PERFORMANCE.md).
PROTOTYPES = {
    "kpi_tertial": {"kpi", "area"},
    "kpi_manad": {"kpi", "area"},
    "indikator_sida": {"indicator", "kpi", "period"},
    "indikator_urval": {"kpi", "period", "area"},
}

SQL_BLOCK = re.compile(r"```sql[ \t]+\w+\s*\n(.*?)```", re.S)
FRONTMATTER_QUERY = re.compile(r"^\s*-\s*\w+\s*:\s*([\w./-]+\.sql)\s*$", re.M)
KPI_TABLE = re.compile(r"\bkpi\.([a-z_]+)\b")
REF = re.compile(r"ref\(\s*'([^']+)'\s*\)")


def _strip_sql_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def exposures() -> dict[str, dict]:
    data = yaml.safe_load((PUBLISH / "_publish__exposures.yml").read_text(encoding="utf-8"))
    return {e["name"]: e for e in data["exposures"]}


def publish_models() -> set[str]:
    data = yaml.safe_load((PUBLISH / "_publish__models.yml").read_text(encoding="utf-8"))
    return {m["name"] for m in data["models"]}


def page_file(url: str) -> Path:
    parts = [p for p in url.strip("/").split("/") if p]
    parts = [f"[{p[1:-1]}]" if p.startswith("<") and p.endswith(">") else p for p in parts]
    if parts and parts[-1].startswith("["):
        return EVIDENCE / "pages" / Path(*parts[:-1]) / f"{parts[-1]}.md"
    return EVIDENCE / "pages" / Path(*parts) / "index.md"


def page_tables(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    sql = [m.group(1) for m in SQL_BLOCK.finditer(text)]
    frontmatter = text.split("---")[1] if text.startswith("---") else ""
    for name in FRONTMATTER_QUERY.findall(frontmatter):
        sql.append((EVIDENCE / "queries" / name).read_text(encoding="utf-8"))
    return {t for block in sql for t in KPI_TABLE.findall(_strip_sql_comments(block))}


def published(tables: set[str]) -> set[str]:
    """The publish models behind tables a page reads (a prototype stands for what it reads)."""
    return {p for t in tables for p in PROTOTYPES.get(t, {t})}


def source_tables() -> dict[str, set[str]]:
    """Source file stem -> the tables its query reads."""
    result = {}
    for path in sorted(SOURCES.glob("*.sql")):
        sql = _strip_sql_comments(path.read_text(encoding="utf-8"))
        result[path.stem] = set(re.findall(r"\bfrom\s+([a-z_]+)\b", sql, re.I))
    return result


def test_every_page_is_an_exposure_and_every_exposure_a_page() -> None:
    pages = {p.relative_to(EVIDENCE / "pages") for p in (EVIDENCE / "pages").rglob("*.md")}
    files = {page_file(e["url"]).relative_to(EVIDENCE / "pages") for e in exposures().values()}
    assert pages == files


def test_each_page_reads_exactly_its_exposures_models() -> None:
    models = publish_models()
    for name, exposure in exposures().items():
        depends = set(REF.findall(" ".join(exposure["depends_on"])))
        assert depends <= models, f"{name}: depends on non-publish models {depends - models}"
        read = published(page_tables(page_file(exposure["url"])))
        assert read - NOT_DBT == depends, (
            f"exposure {name} ({exposure['url']}): the page reads {sorted(read)}, "
            f"depends_on lists {sorted(depends)}"
        )


def test_each_source_query_reads_its_own_published_table() -> None:
    sources = source_tables()
    assert sources
    for stem, tables in sources.items():
        if stem in PROTOTYPES:
            continue
        assert tables == {stem}, f"sources/kpi/{stem}.sql reads {tables}"


def test_prototypes_read_what_they_declare() -> None:
    """A prototype source reads published tables only, those PROTOTYPES names (its `from`s and
    `join`s, its own CTEs aside), and the publish schema has no model of that name yet."""
    models = publish_models()
    for stem, declared in PROTOTYPES.items():
        path = SOURCES / f"{stem}.sql"
        assert path.is_file(), f"prototype {stem} has no source query"
        sql = _strip_sql_comments(path.read_text(encoding="utf-8"))
        ctes = set(re.findall(r"(?:\bwith|,)\s+([a-z_]+)\s+as\s*\(", sql, re.I))
        tables = set(re.findall(r"\b(?:from|join)\s+([a-z_]+)\b", sql, re.I)) - ctes
        assert tables == declared, f"sources/kpi/{stem}.sql reads {tables}, declared {declared}"
        assert declared <= models
        assert stem not in models, f"{stem} is published now: make its source a thin select"


def test_exposures_and_sources_name_the_same_tables() -> None:
    depends = {
        model
        for exposure in exposures().values()
        for model in REF.findall(" ".join(exposure["depends_on"]))
    }
    assert published(set(source_tables())) - NOT_DBT == depends
    # and nothing published is left without a page, nor read without being published
    assert depends == publish_models()
