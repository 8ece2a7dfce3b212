"""Staging: the records of delivered files as one relation that validation.py reads.

Two ways, one result (tests/loaders/test_plain_path.py loads every case both ways):

- `plain_source`: plain files (UTF-8, no quote character, no lone carriage return: every line a
  record; nearly every delivery) of one export with the same header, any number at once, are
  read by DuckDB — `read_text`, one row per physical line, split on `;` — in ONE query that
  also validates and pseudonymises each distinct identifier (identity_sql.py). The raw lines
  live only inside that query (a materialised CTE): no raw personnummer reaches a table,
  temporary or not, or a file. A row the SQL does not decide — a personnummer with a non-ASCII
  character, a value in another column that might be a personnummer (the SQL prefilter of
  `identifiers.CANDIDATE_PREFILTER_SQL` matches), a line longer than the csv module's field
  limit — sets `_route`: its file is staged again the other way, alone.
- `python_source`: any other file goes through the csv module (textfile.open_records), one
  record at a time, with `identifiers.identify_person` per distinct value; the records become a
  relation registered from Python memory (never a table or a file).

The relation's columns:
`_file` (the file's index in the batch), `_file_key`, `_line_number` (physical line), `_route`,
`_python_reason` / `_python_line` (a record that cannot be used at all — wrong number of fields,
a quoting error — with its masked line), `_f0`… (the file's fields in file order, empty = null,
identifiers masked digit by digit, ignored columns `*`), per personnummer column
`_pnr_reason_<c>`, `_pnr_pseudonym_<c>`, `_pnr_birth_<c>` (YYYY-MM-01), `_pnr_coord_<c>` (1/0),
per employee-number column `_emp_<c>` (pseudonym), and per other contract column `_pii_<c>`
(the value holds a valid personnummer: the row is rejected and the value never stored).
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


def plain_source(spec: ExportSpec, plan: Plan, files: list[BatchFile]) -> str:
    """The staged relation of plain files sharing `plan` (see the module docstring)."""
    width = plan.width
    rows = ", ".join(
        f"({f.index}, {text(str(f.path))}, {f.header_line}, {text(f.file_key)})" for f in files
    )
    paths = "[" + ", ".join(text(str(f.path)) for f in files) + "]"
    ctes = [
        f"_files(_file, _path, _header_line, _file_key) as (values {rows})",
        f"""_lines as materialized (
            select _file, _file_key, line_number as _line_number,
                   string_split(rtrim(line, chr(13)), ';') as f, length(line) as _length
            from (
                select _file, _file_key, _header_line,
                       generate_subscripts(l, 1) as line_number, unnest(l) as line
                from (select fl._file, fl._file_key, fl._header_line,
                             string_split(t.content, chr(10)) as l
                      from read_text({paths}) as t join _files as fl on fl._path = t.filename)
            )
            where line_number > _header_line and not regexp_full_match(line, '{BLANK_LINE_RE}')
        )""",
    ]
    joins: list[str] = []
    fields: dict[int, str] = {}
    derived: list[str] = []
    routes = [f"l._length > {csv.field_size_limit()}"]
    identities = [(name, j, True) for name, j in plan.persons]
    identities += [(name, j, False) for name, j in plan.employees]
    for n, (name, j, is_person) in enumerate(identities):
        values = f"select distinct f[{j + 1}] as raw from _lines where len(f) = {width}"
        relation = (
            identity_sql.person_relation(values, name)
            if is_person
            else identity_sql.employee_relation(values)
        )
        ctes.append(f"_ids{n} as {relation}")
        joins.append(
            f"left join _ids{n} as id{n} on id{n}.raw = case when l.ok then l.f[{j + 1}] end"
        )
        fields[j] = f"id{n}.masked"
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
    for j in plan.ignored:
        fields[j] = f"case when l.f[{j + 1}] <> '' then '*' end"
    pii = []
    for name in pii_columns(spec):
        pii.append(f"false as _pii_{name}")
        if name in plan.positions:
            value = f"trim(l.f[{plan.positions[name] + 1}])"
            routes.append(
                f"(l.ok and case when length({value}) >= 10 then "
                f"regexp_matches({value}, {text(CANDIDATE_PREFILTER_SQL)}) else false end)"
            )
    columns = [
        f"case when l.ok then {fields.get(j, f'nullif(l.f[{j + 1}], {chr(39) * 2})')} end as _f{j}"
        for j in range(width)
    ]
    identity_positions = ", ".join(str(j) for j in [*sorted(plan.identity_positions), -1])
    ignored_positions = ", ".join(str(j) for j in [*plan.ignored, -1])
    shown = (  # Plan.masked_line before `mask` (rebuild_line quotes nothing a plain line holds)
        "list_transform(l.f, lambda x, i: case "
        f"when i - 1 in ({identity_positions}) then {identity_sql.mask_digits('x')} "
        f"when i - 1 in ({ignored_positions}) and x <> '' then '*' else x end)"
    )
    return f"""(
        with {", ".join(ctes)}
        select l._file, l._file_key, l._line_number::bigint as _line_number,
               ({" or ".join(routes)}) as _route,
               case when not l.ok then 'fel antal fält: ' || len(l.f) || ', väntade {width}'
                    end as _python_reason,
               case when not l.ok then {identity_sql.python_mask(f"array_to_string({shown}, ';')")}
                    end as _python_line,
               {", ".join(columns + derived + pii)}
        from (select *, len(f) = {width} as ok from _lines) as l
        {" ".join(joins)}
    )"""


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


def python_source(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    plan: Plan,
    file: BatchFile,
    encoding: str,
    key: bytes,
) -> str:
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
    others = [(name, plan.positions.get(name)) for name in pii_columns(spec)]
    derived = derived_columns(plan)
    person_cache: list[dict[str, tuple]] = [{} for _ in persons]
    employee_cache: list[dict[str, tuple]] = [{} for _ in employees]
    pii_cache: dict[str, bool] = {}
    lines: list[int] = []
    reasons: list[str | None] = []
    shown: list[str | None] = []
    field_columns: list[list[str | None]] = [[] for _ in range(width)]
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
            shown.append(line)
            for column in field_columns:
                column.append(None)
            for column in derived_values:
                column.append(None)
            for column in pii_values:
                column.append(False)
            continue
        assert fields is not None
        reasons.append(None)
        shown.append(None)
        extra: list[str | None] = []
        masked: dict[int, str | None] = {}
        for (name, j), cache in zip(persons, person_cache, strict=True):
            entry = cache.get(fields[j])
            if entry is None:
                entry = cache[fields[j]] = _person_entry(fields[j], key, name)
            masked[j] = entry[0]
            extra.extend(entry[1:])
        for (_, j), cache in zip(employees, employee_cache, strict=True):
            entry = cache.get(fields[j])
            if entry is None:
                entry = cache[fields[j]] = _employee_entry(fields[j], key)
            masked[j] = entry[0]
            extra.append(entry[1])
        for j, column in enumerate(field_columns):
            value = fields[j]
            if j in identity:
                column.append(masked[j])
            elif j in ignored:
                column.append("*" if value else None)
            else:
                column.append(value or None)
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
        "_python_line": pd.Series(shown, dtype=object),
    }
    for j, column in enumerate(field_columns):
        frame[f"_f{j}"] = pd.Series(column, dtype=object)
    for name, column in zip(derived, derived_values, strict=True):
        frame[name] = pd.Series(column, dtype=object)
    for (name, _), column in zip(others, pii_values, strict=True):
        frame[f"_pii_{name}"] = pd.Series(column, dtype=bool)
    con.register(RECORDS, pd.DataFrame(frame))
    columns = [f"_f{j}::varchar as _f{j}" for j in range(width)]
    columns += [f"{name}::varchar as {name}" for name in derived]
    columns += [f"_pii_{name}::boolean as _pii_{name}" for name, _ in others]
    return f"""(
        select {file.index} as _file, {text(file.file_key)} as _file_key,
               _line_number::bigint as _line_number, false as _route,
               _python_reason::varchar as _python_reason, _python_line::varchar as _python_line,
               {", ".join(columns)}
        from {RECORDS}
    )"""


def unregister(con: duckdb.DuckDBPyConnection) -> None:
    con.unregister(RECORDS)
