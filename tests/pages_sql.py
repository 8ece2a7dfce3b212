"""The pages' default views without a browser: their own SQL, run with DuckDB.

Evidence runs each page's ```sql blocks against the source tables (evidence/sources/kpi/*.sql, read
from the publish file) with the page's inputs filled in; a Dropdown's first value is its
`defaultValue` (the first row of the query it names) or else its first option in `order`. This
module does the same from the .md and .sql files themselves — no second Evidence build — so a
test can ask what a page shows first on any publish file (tests/test_page_defaults.py runs it on
the Stockholm-sized one). Svelte markup and charts are not rendered: only the queries' rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "evidence" / "pages"
SOURCES = ROOT / "evidence" / "sources" / "kpi"

_SQL_BLOCK = re.compile(r"^```sql (\w+)\n(.*?)^```", re.S | re.M)
_DROPDOWN = re.compile(r"<Dropdown\s(.*?)/>", re.S)
_ATTR = re.compile(r'(\w+)=(?:"([^"]*)"|\{([^}]*)\}|([^\s/>]+))')
_DEFAULT = re.compile(r"^(\w+)\[0\]\?\.(\w+)$")
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


def source_connection(publish_file: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory database with the schema `kpi` the pages query: every source query of
    evidence/sources/kpi/ run against the publish file, as `npm run sources` does."""
    con = duckdb.connect()
    con.execute(f"attach '{publish_file}' as publish (read_only)")
    con.execute("create schema memory.kpi")
    for path in sorted(SOURCES.glob("*.sql")):
        sql = path.read_text(encoding="utf-8").replace("set schema = 'publish';", "")
        con.execute("use publish.publish")
        con.execute(f"create table memory.kpi.{path.stem} as\n{sql}")
    con.execute("use memory.main")
    return con


@dataclass
class Dropdown:
    name: str
    data: str
    value: str
    order: str | None = None
    where: str | None = None
    default: tuple[str, str] | None = None  # (query, column) of defaultValue={query[0]?.column}


@dataclass
class Page:
    """A page's queries, evaluated with the inputs its Dropdowns start with."""

    path: Path
    queries: dict[str, str]
    dropdowns: list[Dropdown]
    params: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path, params: dict[str, str] | None = None) -> Page:
        text = path.read_text(encoding="utf-8")
        queries = {name: sql for name, sql in _SQL_BLOCK.findall(text)}
        dropdowns = []
        for tag in _DROPDOWN.findall(text):
            attrs = {m[1]: m[2] or m[3] or m[4] for m in _ATTR.finditer(tag)}
            default = _DEFAULT.match(attrs.get("defaultValue", ""))
            dropdowns.append(
                Dropdown(
                    name=attrs["name"],
                    data=attrs["data"],
                    value=attrs["value"],
                    order=attrs.get("order"),
                    where=attrs.get("where"),
                    default=default.groups() if default else None,
                )
            )
        return cls(path, queries, dropdowns, dict(params or {}))

    def sql(self, name: str) -> str | None:
        """The query with its placeholders filled in; None while an input it needs is unset."""

        def fill(match: re.Match) -> str:
            key = match.group(1).strip()
            if key in self.queries:
                inner = self.sql(key)
                if inner is None:
                    raise LookupError(key)
                return f"({inner})"
            if key.startswith("params."):
                return self.params[key.removeprefix("params.")]
            input_match = re.fullmatch(r"inputs\.(\w+)\.value", key)
            if input_match is None:
                raise ValueError(f"{self.path.name}: unknown placeholder ${{{key}}}")
            if input_match.group(1) not in self.inputs:
                raise LookupError(key)
            return str(self.inputs[input_match.group(1)])

        try:
            return _PLACEHOLDER.sub(fill, self.queries[name])
        except LookupError:
            return None

    def run(self, con: duckdb.DuckDBPyConnection, name: str) -> list[dict]:
        sql = self.sql(name)
        if sql is None:
            raise LookupError(f"{self.path.name}: query {name} needs an input that is not set")
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def open(self, con: duckdb.DuckDBPyConnection) -> dict[str, list[dict]]:
        """Sets each Dropdown's first value as Evidence does, then runs every query."""
        pending = list(self.dropdowns)
        while pending:
            progressed = False
            for dropdown in list(pending):
                value = self._first_value(con, dropdown)
                if value is _NOT_YET:
                    continue
                self.inputs[dropdown.name] = value
                pending.remove(dropdown)
                progressed = True
            if not progressed:
                names = [d.name for d in pending]
                raise AssertionError(f"{self.path.name}: Dropdowns {names} cannot be set")
        return {name: self.run(con, name) for name in self.queries}

    def _first_value(self, con: duckdb.DuckDBPyConnection, dropdown: Dropdown) -> Any:
        data = self.sql(dropdown.data)
        if data is None:
            return _NOT_YET
        options_sql = f"select * from ({data}) as o"
        if dropdown.where:
            options_sql += f" where {dropdown.where}"
        if dropdown.order:
            options_sql += f" order by {dropdown.order}"
        sql = f"select {dropdown.value} from ({options_sql})"
        options = [row[0] for row in con.execute(sql).fetchall()]
        if dropdown.default is None:
            if not options:
                raise AssertionError(f"{self.path.name}: Dropdown {dropdown.name} has no options")
            return options[0]
        query, column = dropdown.default
        if self.sql(query) is None:
            return _NOT_YET
        rows = self.run(con, query)
        value = rows[0][column] if rows else None
        # Evidence selects nothing when the default is not one of the options
        assert value in options, (self.path.name, dropdown.name, value, options[:5])
        return value


_NOT_YET = object()


def pages() -> list[Path]:
    """Every page with queries (the templated indicator page needs params: see Page.read)."""
    return sorted(p for p in PAGES.rglob("*.md") if _SQL_BLOCK.search(p.read_text("utf-8")))
