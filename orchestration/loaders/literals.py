"""Python values written as DuckDB SQL literals.

The refresh passes values to DuckDB inside the SQL text instead of as prepared-statement
parameters: DuckDB's Python client (1.5) imports pandas and numpy on the first parameter it
converts (any value but None; 0,3 s of one core here), and nothing else in a refresh's process
needs them. The loaders, the run log, the stop-early check, the incremental build plan and
`bistand accept` all write their values this way (tests/test_uptodate.py checks that none of
them imports pandas). Only values the project made itself go through here (masked file names,
keys, hashes, counts, run ids, messages, timestamps, paths); every string is quoted with `'`
doubled, which is all a DuckDB string literal needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

SqlValue = str | int | float | bool | datetime | date | None


def text(value: str) -> str:
    """A VARCHAR literal."""
    return "'" + value.replace("'", "''") + "'"


def literal(value: SqlValue) -> str:
    """A literal of the value's type (NULL for None)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        return f"timestamp '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"date '{value.isoformat()}'"
    return text(value)


def text_list(values: Iterable[str | None]) -> str:
    """A VARCHAR[] literal."""
    return "[" + ", ".join(literal(v) for v in values) + "]::varchar[]"


def int_list(values: Iterable[int | None]) -> str:
    """A BIGINT[] literal."""
    return "[" + ", ".join(literal(v) for v in values) + "]::bigint[]"


def blob(value: bytes) -> str:
    """A BLOB literal (every byte escaped)."""
    return "'" + "".join(f"\\x{b:02X}" for b in value) + "'::blob"


def row(values: Iterable[SqlValue]) -> str:
    """One parenthesised row for `insert ... values`."""
    return "(" + ", ".join(literal(v) for v in values) + ")"
