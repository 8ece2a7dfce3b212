"""Find anything that looks like a personnummer: 10 or 12 digits (optionally with - or +)
that form a valid date and pass the Luhn check — i.e. what the `personnummer` package accepts.

Digits that are the fraction of a decimal number (`9892.964509803922`, also where two timestamps
run together in a binary file: `14:06:11.2002262026-11-23`) are not an identifier written out and
are not reported; every other run of 10 or 12 digits not inside a longer word is checked."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
from personnummer import personnummer as pnr

CANDIDATE = re.compile(r"(?<![\dA-Za-z])(?<!\d[.,])(\d{8}|\d{6})[-+]?(\d{4})(?![\dA-Za-z])")


def personnummer_in_text(text: str) -> list[str]:
    found = []
    for match in CANDIDATE.finditer(text):
        candidate = match.group(0)
        if pnr.valid(candidate.replace("+", "-")):
            found.append(candidate)
    return found


def duckdb_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(table, text of every row) for every table and view in a DuckDB file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select table_catalog, table_schema, table_name from information_schema.tables"
        ).fetchall()
        for catalog, schema, table in tables:
            name = f'"{catalog}"."{schema}"."{table}"'
            for (row,) in con.execute(f"select cast(t as varchar) from {name} as t").fetchall():
                yield f"{schema}.{table}", row
    finally:
        con.close()


def file_texts(paths: Iterable[Path]) -> Iterator[tuple[str, str]]:
    for path in paths:
        if path.is_file():
            yield str(path), path.read_bytes().decode("latin-1")


def scan(texts: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for where, text in texts:
        found = personnummer_in_text(text)
        if found:
            hits.setdefault(where, []).extend(found)
    return hits


def docx_texts(paths: Iterable[Path]) -> Iterator[tuple[str, str]]:
    """The text of Word documents (the tertial reports): every paragraph and table cell, and
    the document's own properties."""
    from docx import Document

    for path in paths:
        doc = Document(str(path))
        parts = [p.text for p in doc.paragraphs]
        parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
        props = doc.core_properties
        parts += [str(v) for v in (props.author, props.title, props.subject, props.comments)]
        yield str(path), "\n".join(parts)
