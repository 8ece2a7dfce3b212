"""Staging: the records of delivered files as one relation that validation.py reads.

Two ways, one result (tests/loaders/test_plain_path.py loads every case both ways):

- `plain_source`: plain files (UTF-8, no quote character, no lone carriage return: every line a
  record; nearly every delivery) of one export with the same header, any number at once, are
  read by DuckDB — `read_text`, one row per physical line, split on `;` — in ONE query that
  also validates and pseudonymises each distinct identifier (identity_sql.py). The raw lines
  live only inside that query (a materialised CTE): no raw personnummer reaches a table,
  temporary or not, or a file. A row the SQL does not decide — a personnummer with a non-ASCII
  character, a value in another column that might be a personnummer (the SQL prefilter of
  `identifiers.CANDIDATE_PREFILTER_SQL` matches; validation.py checks it on the trimmed values),
  a line longer (in bytes) than the csv module's field limit — sets `_route`: its file is staged
  again the other way, alone.
- `python_source`: any other file goes through the csv module (textfile.open_records), one
  record at a time, with `identifiers.identify_person` per distinct value; the records become a
  relation registered from Python memory (never a table or a file).

The relation's columns:
`_file` (the file's index in the batch), `_file_key`, `_line_number` (physical line), `_route`,
`_no_space` (no field holds anything `trim` would remove: it is skipped), `_python_reason` /
`_python_line` (a record that cannot be used at all — wrong number of fields, a quoting error —
with its masked line), `_f<j>` (the field at position j of each contract column other than the
identifiers, empty = null), per personnummer column `_pnr_reason_<c>`, `_pnr_pseudonym_<c>`,
`_pnr_birth_<c>` (YYYY-MM-01), `_pnr_coord_<c>` (1/0), per employee-number column `_emp_<c>`
(pseudonym); and what `Staged.shown` reads to show a rejected record (the raw line `_line`, or
`_shown` from Python). The Python relation also has, per other contract column, `_pii_<c>`: the
value holds a valid personnummer, so the row is rejected and the value never stored.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.loaders import identity_sql
from orchestration.loaders.contract import ExportSpec, Kind
from orchestration.loaders.header import Plan
from orchestration.loaders.identifiers import (
    CANDIDATE_PREFILTER_SQL,
    contains_personnummer,
    identify_employee,
    identify_person,
    mask,
    mask_digits,
)
from orchestration.loaders.literals import text
from orchestration.loaders.textfile import open_records

# Tests set this to stage every file with the Python record reader (the two must agree).
FORCE_PYTHON_RECORDS = False
# A line that holds nothing but whitespace (Python's str.isspace) and `;`: not a record.
BLANK_LINE_RE = r"[\t-\r\x1c-\x20\x85\p{Z};]*"
GLOB_CHARACTERS = set("*?[]{}")
RECORDS = "_bistand_records"  # the relation python_source registers
_PREFILTER = re.compile(CANDIDATE_PREFILTER_SQL, re.ASCII)


@dataclass(frozen=True)
class BatchFile:
    """One file of a staging batch."""

    index: int  # `_file`
    path: Path
    file_key: str
    header_line: int


def _blank(line: str) -> str:
    """SQL: the line is blank (BLANK_LINE_RE); the regular expression runs only on lines that
    do not start with an ASCII letter or digit (no blank line does)."""
    first = f"ord({line})"
    return (
        f"(case when {first} between 48 and 57 or {first} between 65 and 90 "
        f"or {first} between 97 and 122 then false "
        f"else regexp_full_match({line}, '{BLANK_LINE_RE}') end)"
    )


def suits_plain(path: Path, plain: bool) -> bool:
    """Whether DuckDB may read the file (textfile.FileFacts.plain, a path without glob
    characters, which read_text would expand)."""
    return plain and not FORCE_PYTHON_RECORDS and not GLOB_CHARACTERS & set(str(path))


def width_reason(width_found: str, width: int) -> str:
    return f"fel antal fält: {width_found}, väntade {width}"


def pii_columns(spec: ExportSpec) -> list[str]:
    """The contract columns checked for a personnummer in the wrong place."""
    return [c.name for c in spec.columns if c.kind not in (Kind.PERSONNUMMER, Kind.EMPLOYEE_NUMBER)]


def derived_columns(plan: Plan) -> list[str]:
    names = []
    for name, _ in plan.persons:
        names += [f"_pnr_reason_{name}", f"_pnr_pseudonym_{name}", f"_pnr_birth_{name}"]
        names.append(f"_pnr_coord_{name}")
    names += [f"_emp_{name}" for name, _ in plan.employees]
    return names


@dataclass(frozen=True)
class Staged:
    """A staged relation and how validation.py reads it."""

    relation: str  # SQL: the staged rows (see the module docstring)
    shown: str  # SQL over the relation: a record as shown in a reject, before `mask_sql`
    shown_columns: tuple[str, ...]  # the relation's columns `shown` reads
    pii_flags: bool  # whether the relation has `_pii_<c>` (else lookalikes are routed)


def _shown_fields(plan: Plan, fields: str) -> str:
    """SQL: a plain record's fields (a list) as `Plan.masked_line` shows them before `mask`:
    identifiers digit by digit, ignored columns `*`, joined by `;` (a plain field holds no `;`,
    quote or line break, so nothing is quoted)."""
    identity_positions = ", ".join(str(j) for j in [*sorted(plan.identity_positions), -1])
    ignored_positions = ", ".join(str(j) for j in [*plan.ignored, -1])
    return (
        f"array_to_string(list_transform({fields}, lambda x, i: case "
        f"when i - 1 in ({identity_positions}) then {identity_sql.mask_digits('x')} "
        f"when i - 1 in ({ignored_positions}) and x <> '' then '*' else x end), ';')"
    )


def plain_source(spec: ExportSpec, plan: Plan, files: list[BatchFile]) -> Staged:
    """The staged relation of plain files sharing `plan` (see the module docstring)."""
    width = plan.width
    rows = ", ".join(
        f"({f.index}, {text(str(f.path))}, {f.header_line}, {text(f.file_key)})" for f in files
    )
    paths = "[" + ", ".join(text(str(f.path)) for f in files) + "]"
    # a carriage return can only end a plain line (CRLF)
    line = "case when suffix(line, chr(13)) then rtrim(line, chr(13)) else line end"
    ctes = [
        f"_files(_file, _path, _header_line, _file_key) as (values {rows})",
        # the unnesting runs on one thread (a few rows, one per file); materialised, the lines
        # are then split, checked and joined by every thread
        f"""_physical as materialized (
            select _file, _file_key, line_number as _line_number, line
            from (
                select _file, _file_key, _header_line,
                       generate_subscripts(l, 1) as line_number, unnest(l) as line
                from (select fl._file, fl._file_key, fl._header_line,
                             string_split(t.content, chr(10)) as l
                      from read_text({paths}) as t join _files as fl on fl._path = t.filename)
            )
            where line_number > _header_line
        )""",
        # `_no_space`: ASCII without a space, so no field has anything `trim` removes
        f"""_lines as not materialized (
            select _file, _file_key, _line_number, _line, string_split(_line, ';') as f,
                   _length, strlen(_line) = length(_line) and not contains(_line, ' ') as _no_space
            from (select _file, _file_key, _line_number, {line} as _line,
                         strlen(line) as _length
                  from _physical where not {_blank("line")})
        )""",
    ]
    joins: list[str] = []
    derived: list[str] = []
    routes = [f"l._length > {csv.field_size_limit()}"]
    identities = [(name, j, True) for name, j in plan.persons]
    identities += [(name, j, False) for name, j in plan.employees]
    for n, (name, j, is_person) in enumerate(identities):
        # every line's field (a malformed line's too: never joined, harmless and cheaper)
        values = f"select distinct split_part({line}, ';', {j + 1}) as raw from _physical"
        relation = (
            identity_sql.person_relation(values, name)
            if is_person
            else identity_sql.employee_relation(values)
        )
        ctes.append(f"_ids{n} as {relation}")
        joins.append(
            f"left join _ids{n} as id{n} on id{n}.raw = case when l.ok then l.f[{j + 1}] end"
        )
        if is_person:
            derived += [
                f"id{n}.reason as _pnr_reason_{name}",
                f"id{n}.pseudonym as _pnr_pseudonym_{name}",
                f"id{n}.birth as _pnr_birth_{name}",
                f"id{n}.coord as _pnr_coord_{name}",
            ]
            routes.append(f"coalesce(id{n}.route, false)")
        else:
            derived.append(f"id{n}.employee as _emp_{name}")
    columns = [
        f"case when l.ok then nullif(l.f[{j + 1}], '') end as _f{j}" for j in value_positions(plan)
    ]
    relation = f"""(
        with {", ".join(ctes)}
        select l._file, l._file_key, l._line_number::bigint as _line_number,
               ({" or ".join(routes)}) as _route, l._no_space, l._line,
               case when not l.ok then 'fel antal fält: ' || len(l.f) || ', väntade {width}'
                    end as _python_reason,
               case when not l.ok
                    then {identity_sql.python_mask(_shown_fields(plan, "l.f"))} end as _python_line,
               {", ".join(columns + derived)}
        from (select *, len(f) = {width} as ok from _lines) as l
        {" ".join(joins)}
    )"""
    shown = _shown_fields(plan, "string_split(_line, ';')")
    return Staged(relation, shown, ("_no_space", "_line"), pii_flags=False)


def value_positions(plan: Plan) -> list[int]:
    """Positions of the contract's columns other than identifiers (staged as `_f<j>`)."""
    identity = plan.identity_positions
    return sorted(j for j in plan.positions.values() if j not in identity)


def _person_entry(raw: str, key: bytes, column: str) -> tuple:
    ident = identify_person(raw, key, column)
    return (
        mask_digits(raw) or None,
        ident.reason,
        ident.pseudonym,
        ident.birth_month.isoformat() if ident.birth_month else None,
        None if ident.is_coordination_number is None else str(int(ident.is_coordination_number)),
    )


def _employee_entry(raw: str, key: bytes) -> tuple:
    value = raw.strip()
    return (mask_digits(raw) or None, identify_employee(value, key) if value else None)


def holds_personnummer(value: str) -> bool:
    """Whether a value of another column holds a valid personnummer: the SQL prefilter (as
    DuckDB applies it, ASCII digits) and then `contains_personnummer`."""
    return bool(_PREFILTER.search(value)) and contains_personnummer(value)


def _quoted(field: str) -> str:
    """A field of a rejected record as shown: quoted (CSV style) when it holds `;`, a quote
    or a line break."""
    if any(c in field for c in ';"\n\r'):
        return '"' + field.replace('"', '""') + '"'
    return field


def python_source(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    plan: Plan,
    file: BatchFile,
    encoding: str,
    key: bytes,
) -> Staged:
    """Read one file with the csv module and register its records as the relation RECORDS;
    the staged relation over it (see the module docstring). FileRejected for a quote never
    closed."""
    import pandas as pd  # only this path needs it (DuckDB scans the frame in place)

    header, _header_line, records = open_records(file.path, encoding)
    if tuple(header) != plan.header:  # one header finder serves both: a bug, never input
        raise RuntimeError(f"{file.path.name}: header read twice differently")
    width = plan.width
    persons, employees, ignored = plan.persons, plan.employees, set(plan.ignored)
    identity = plan.identity_positions
    values = value_positions(plan)
    others = [(name, plan.positions.get(name)) for name in pii_columns(spec)]
    derived = derived_columns(plan)
    person_cache: list[dict[str, tuple]] = [{} for _ in persons]
    employee_cache: list[dict[str, tuple]] = [{} for _ in employees]
    pii_cache: dict[str, bool] = {}
    lines: list[int] = []
    reasons: list[str | None] = []
    python_lines: list[str | None] = []
    shown: list[str | None] = []
    value_columns: list[list[str | None]] = [[] for _ in values]
    derived_values: list[list[str | None]] = [[] for _ in derived]
    pii_values: list[list[bool]] = [[] for _ in others]
    for record in records:
        lines.append(record.line_number)
        fields = record.fields
        reason = None
        if fields is None:
            reason, line = record.error, mask(record.raw or "")
        elif len(fields) != width:
            reason, line = width_reason(str(len(fields)), width), plan.masked_line(fields)
        if reason is not None:
            reasons.append(reason)
            python_lines.append(line)
            shown.append(None)
            for column in value_columns:
                column.append(None)
            for column in derived_values:
                column.append(None)
            for column in pii_values:
                column.append(False)
            continue
        assert fields is not None
        reasons.append(None)
        python_lines.append(None)
        extra: list[str | None] = []
        masked: dict[int, str] = {}
        for (name, j), cache in zip(persons, person_cache, strict=True):
            entry = cache.get(fields[j])
            if entry is None:
                entry = cache[fields[j]] = _person_entry(fields[j], key, name)
            masked[j] = entry[0] or ""
            extra.extend(entry[1:])
        for (_, j), cache in zip(employees, employee_cache, strict=True):
            entry = cache.get(fields[j])
            if entry is None:
                entry = cache[fields[j]] = _employee_entry(fields[j], key)
            masked[j] = entry[0] or ""
            extra.append(entry[1])
        shown.append(
            ";".join(
                _quoted(masked[j] if j in identity else ("*" if j in ignored and f else f))
                for j, f in enumerate(fields)
            )
        )
        for column, j in zip(value_columns, values, strict=True):
            column.append(fields[j] or None)
        for column, value in zip(derived_values, extra, strict=True):
            column.append(value)
        for column, (_, j) in zip(pii_values, others, strict=True):
            value = fields[j] if j is not None else ""
            flag = pii_cache.get(value)
            if flag is None:
                flag = pii_cache[value] = holds_personnummer(value)
            column.append(flag)
    frame: dict[str, object] = {
        "_line_number": pd.Series(lines, dtype="int64"),
        "_python_reason": pd.Series(reasons, dtype=object),
        "_python_line": pd.Series(python_lines, dtype=object),
        "_shown": pd.Series(shown, dtype=object),
    }
    for j, column in zip(values, value_columns, strict=True):
        frame[f"_f{j}"] = pd.Series(column, dtype=object)
    for name, column in zip(derived, derived_values, strict=True):
        frame[name] = pd.Series(column, dtype=object)
    for (name, _), column in zip(others, pii_values, strict=True):
        frame[f"_pii_{name}"] = pd.Series(column, dtype=bool)
    con.register(RECORDS, pd.DataFrame(frame))
    columns = [f"_f{j}::varchar as _f{j}" for j in values]
    columns += [f"{name}::varchar as {name}" for name in derived]
    columns += [f"_pii_{name}::boolean as _pii_{name}" for name, _ in others]
    relation = f"""(
        select {file.index} as _file, {text(file.file_key)} as _file_key,
               _line_number::bigint as _line_number, false as _route, false as _no_space,
               _python_reason::varchar as _python_reason, _python_line::varchar as _python_line,
               _shown::varchar as _shown, {", ".join(columns)}
        from {RECORDS}
    )"""
    return Staged(relation, "_shown", ("_no_space", "_shown"), pii_flags=True)


def unregister(con: duckdb.DuckDBPyConnection) -> None:
    con.unregister(RECORDS)
