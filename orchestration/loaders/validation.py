"""Validation: every staged row of a batch of files checked set-based, in one DuckDB query.

`checked_query` turns a staged relation (staging.py) into checked rows: per row its file,
physical line number, the masked reasons (`''` for a good row; checks_sql.py has the value
rules), for a rejected row its masked line, for a good row its typed history columns. A rejected
row keeps nothing else — no value of it, typed or not, leaves the query — so a personnummer in a
wrong column is never stored, not even temporarily. Two ways to use it:
- `insert_clean_rows` appends the checked rows straight to the history table, marking the rows
  of files with anything to report (engine.py takes those files out again);
- `check` writes them to the temporary table `_checked`, and `summarise` then gives per file
  what the load log needs: rows read (= loaded + rejected), the reasons, the warnings, and
  whether the file is refused whole because a key column (`bidragsmanad`, `manad`, `ar`,
  `enkat_ar`) names another month or year than the file's key.

Values are trimmed (empty = missing) before they are checked; a decimal with more than four
decimals is rounded and reported as a warning on the file, not as a reject. The query never
spills to disk and builds its hash joins on the small side (`_run_check`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from orchestration.loaders.checks_sql import (
    MONTH_RE,
    YEAR_RE,
    code_joins,
    duplicate_exprs,
    mask_sql,
    period_columns,
    reason_exprs,
    typed_expr,
)
from orchestration.loaders.contract import ExportSpec, KeyKind, Kind
from orchestration.loaders.header import Plan
from orchestration.loaders.identifiers import CANDIDATE_PREFILTER_SQL
from orchestration.loaders.literals import int_list, text
from orchestration.loaders.staging import Staged, pii_columns
from orchestration.loaders.storage import column_ddl, history_table

CHECKED = "_checked"
# Added to the delivery id of a row `insert_clean_rows` must not keep (ids stay far below it).
NOT_CLEAN = 1 << 40
IDENTITY_KINDS = (Kind.PERSONNUMMER, Kind.EMPLOYEE_NUMBER)


@dataclass
class FileCheck:
    """What validation found in one file of the batch."""

    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    # rows whose key column names another period: (count, first line, its value)
    other_period: tuple[int, int, str] | None = None
    # ExportSpec.all_or_none broken: (rows in the mixed groups, first such line)
    mixed: tuple[int, int] | None = None
    warnings: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)


def history_columns(spec: ExportSpec) -> list[str]:
    """The history table's columns after `_delivery_id`, `_line_number` (storage.column_ddl)."""
    return [name for column in spec.columns for name, _type in column_ddl(column)]


def _clean_columns(spec: ExportSpec, plan: Plan) -> list[str]:
    """Contract columns trimmed (empty = null) and the identities' columns."""
    cols = []
    for column in spec.columns:
        name = column.name
        if column.kind is Kind.PERSONNUMMER:
            cols += [
                f"nullif(_pnr_reason_{name}, '') as _pnr_reason_{name}",
                f"nullif(_pnr_pseudonym_{name}, '') as {name}",
                f"nullif(_pnr_pseudonym_{name}, '') as person_pseudonym",
                f"try_cast(nullif(_pnr_birth_{name}, '') as date) as person_birth_month",
                f"case _pnr_coord_{name} when '1' then true when '0' then false end "
                "as person_is_coordination_number",
            ]
        elif column.kind is Kind.EMPLOYEE_NUMBER:
            cols += [
                f"nullif(_emp_{name}, '') as {name}",
                f"nullif(_emp_{name}, '') as employee_pseudonym",
            ]
        elif name in plan.positions:
            cols.append(f"{_trimmed(plan.positions[name])} as {name}")
        else:
            cols.append(f"null::varchar as {name}")
    return cols


def _trimmed(position: int) -> str:
    """SQL: the staged field at `position` trimmed, empty = null (`trim` skipped where the
    staging found nothing it would remove: `_no_space`)."""
    field = f"_f{position}"
    return f"nullif(case when _no_space then {field} else trim({field}) end, '')"


def _decimals(spec: ExportSpec, plan: Plan) -> list[str]:
    return [c.name for c in spec.columns if c.kind is Kind.DECIMAL and c.name in plan.positions]


def _may_hold_personnummer(value: str) -> str:
    """SQL: the trimmed value passes the privacy scan's prefilter (identifiers.py)."""
    return (
        f"case when strlen({value}) >= 10 "
        f"then regexp_matches({value}, {text(CANDIDATE_PREFILTER_SQL)}) else false end"
    )


def check(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    plan: Plan,
    staged: Staged,
    *,
    duplicates: bool,
) -> None:
    """Create `_checked` from a staged relation (`checked_query`)."""
    _run_check(
        con,
        f"create or replace temp table {CHECKED} as "
        + checked_query(spec, plan, staged, duplicates=duplicates),
    )


def insert_clean_rows(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    plan: Plan,
    staged: Staged,
    delivery_ids: list[int],
) -> None:
    """Append the checked rows of a batch straight to `raw.<export>_history` (the caller holds
    the transaction): the fast way for files with nothing to report, which most are. A row
    that would be rejected, routed, rounded (a warning) or refuse its file gets the delivery id
    plus NOT_CLEAN instead, so the caller finds the files that must be checked the careful way
    (`check`) and removes all their rows before committing; duplicates it finds in the
    appended rows (history.duplicated_deliveries)."""
    query = checked_query(spec, plan, staged, duplicates=False)
    not_clean = ["_route", "_reason <> ''"]
    if spec.key_column is not None:
        not_clean.append("_other_key is not null")
    if spec.all_or_none is not None:
        not_clean.append("_mixed")
    not_clean += [f"coalesce(_long_{d}, false)" for d in _decimals(spec, plan)]
    columns = history_columns(spec)
    ids = int_list(delivery_ids)
    _run_check(
        con,
        f"""insert into {history_table(spec)} (_delivery_id, _line_number, {", ".join(columns)})
        select ({ids})[_file + 1] + case when {" or ".join(not_clean)} then {NOT_CLEAN} else 0 end,
               _line_number, {", ".join(f"h_{c}" for c in columns)}
        from ({query})
        order by _file, _line_number""",
    )


def checked_query(spec: ExportSpec, plan: Plan, staged: Staged, *, duplicates: bool) -> str:
    """The query behind `_checked` (see the module docstring for its columns).

    Without `_pii_<c>` flags (the plain path) a row with a value that may hold a personnummer
    is routed (`_route`) instead of checked.

    Duplicates (ExportSpec.unique) need the staged rows twice, which costs a materialisation of
    them all; most batches have none. Without `duplicates` each row gets instead `_key_hash` (a
    hash of the file and the row's identity; equal identities hash equal), and
    `has_duplicate_candidates` says whether the check must run again with `duplicates`."""
    cleaned = _clean_columns(spec, plan)
    route = "_route"
    if not staged.pii_flags:
        route = " or ".join(
            [
                "_route",
                *(
                    _may_hold_personnummer(_trimmed(plan.positions[name]))
                    for name in pii_columns(spec)
                    if name in plan.positions
                ),
            ]
        )
    columns = ["_file", "_file_key", "_line_number", f"({route}) as _route"]
    columns += ["_python_reason", "_python_line", *staged.shown_columns]
    if staged.pii_flags:
        columns += [f"_pii_{name}" for name in pii_columns(spec)]
    typed = ", ".join(
        f"{typed_expr(c, f'c.{c.name}')} as t_{c.name}"
        for c in spec.columns
        if c.kind not in IDENTITY_KINDS
    )
    joins, ref_columns = code_joins(spec)
    period = period_columns(spec)
    if duplicates:
        dup_cte, dup_join, dup_reason = duplicate_exprs(spec, "clean")
    else:
        dup_cte, dup_join, dup_reason = "", "", "null"
    reasons = [*reason_exprs(spec, pii_flags=staged.pii_flags), dup_reason]
    good = "(not _route and _reasons = '')"
    history = [
        f"case when {good} then {name} end as h_{name}"
        if column.kind in IDENTITY_KINDS
        else f"case when {good} then t_{name} end as h_{name}"
        for column in spec.columns
        for name, _type in column_ddl(column)
    ]
    outputs = [
        "_file",
        "_line_number",
        "_route",
        f"case when _route then null when _reasons = '' then '' else {mask_sql('_reasons')} "
        "end as _reason",
        f"case when not _route and _reasons <> '' then "
        f"coalesce(_python_line, {mask_sql(staged.shown)}) end as _masked_line",
        *history,
        # a good row's decimal matched DECIMAL_RE: `,\d{5,}$` is 5 or more digits after a comma
        *(
            f"case when {good} then strpos({d}, ',') > 0 and strlen({d}) - strpos({d}, ',') >= 5 "
            f"end as _long_{d}"
            for d in _decimals(spec, plan)
        ),
    ]
    if spec.unique and not duplicates:
        complete = " and ".join(f"{c} is not null" for c in spec.unique)
        outputs.append(
            f"case when not _route and {complete} then hash(_file, {', '.join(spec.unique)}) "
            "end as _key_hash"
        )
    if spec.key_column is not None:
        col = spec.key_column
        pattern = YEAR_RE if spec.key_kind is KeyKind.YEAR else MONTH_RE
        outputs.append(
            f"case when {col} = _file_key then null when regexp_full_match({col}, '{pattern}') "
            f"then {col} end as _other_key"
        )
    if spec.all_or_none is not None:
        column, groups = spec.all_or_none
        window = f"over (partition by _file, {', '.join(groups)})"
        outputs.append(
            f"coalesce(bool_or({column} is null) {window} "
            f"and bool_or({column} is not null) {window}, false) as _mixed"
        )
    return f"""
        with clean as {"materialized " if dup_cte else ""}(
            select {", ".join(columns + cleaned)}
            from {staged.relation}
        ){dup_cte},
        typed as (
            select *{", " + period if period else ""}
            from (select c.*, {typed}{", " + ref_columns if ref_columns else ""}
                  from clean as c {joins})
        ),
        checked as (
            select typed.*,
                   coalesce(_python_reason, concat_ws('; ', {", ".join(reasons)})) as _reasons
            from typed {dup_join}
        )
        select {", ".join(outputs)}
        from checked"""


def _run_check(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Run the check query with two settings, restored afterwards:
    - nothing spills to DuckDB's temporary directory: the query holds raw lines (personnummer
      included) in memory, and they must never reach a file (batches are bounded, engine.py:
      a batch that does not fit fails the run instead);
    - every hash join builds on the side written on the right (the small one: identifiers per
      distinct value, codes, duplicates). DuckDB's build-side choice sees no difference in size
      between a relation and its distinct values and may build a hash table of every staged
      row instead (measured: 6× slower)."""
    before = con.execute(
        "select current_setting('disabled_optimizers'), current_setting('temp_directory')"
    ).fetchone()
    disabled = ", ".join(o for o in (before[0], "build_side_probe_side") if o)
    con.execute(f"set disabled_optimizers = {text(disabled)}")
    con.execute("set temp_directory = ''")
    try:
        con.execute(sql)
    finally:
        con.execute(f"set disabled_optimizers = {text(before[0])}")
        con.execute(f"set temp_directory = {text(before[1])}")


def has_duplicate_candidates(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether two rows of `_checked` (checked without `duplicates`) may share an identity."""
    return con.execute(
        f"select exists (select 1 from {CHECKED} where _key_hash is not null "
        "group by _key_hash having count(*) > 1)"
    ).fetchone()[0]


def routed_files(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Files of the batch with a row the SQL staging did not decide (staging.py), which are
    dropped from `_checked` and must be staged by the Python record reader."""
    routed = [
        f for (f,) in con.execute(f"select distinct _file from {CHECKED} where _route").fetchall()
    ]
    if routed:
        con.execute(f"delete from {CHECKED} where _file in ({', '.join(map(str, routed))})")
    return sorted(routed)


def summarise(
    con: duckdb.DuckDBPyConnection, spec: ExportSpec, plan: Plan, files: list[int]
) -> dict[int, FileCheck]:
    """Per file of the batch (every index in `files`, also those without rows)."""
    result = {f: FileCheck() for f in files}
    decimals = _decimals(spec, plan)
    other = (
        ", count(_other_key), min(_line_number) filter (where _other_key is not null), "
        "arg_min(_other_key, _line_number) filter (where _other_key is not null)"
    )
    mixed = ", count(*) filter (where _mixed), min(_line_number) filter (where _mixed)"
    for f, read, loaded, rejected, *rest in con.execute(
        "select _file, count(*), count(*) filter (where _reason = ''), "
        "count(*) filter (where _reason <> '')"
        + (other if spec.key_column is not None else "")
        + (mixed if spec.all_or_none is not None else "")
        + "".join(f", count(*) filter (where _long_{d})" for d in decimals)
        + f" from {CHECKED} group by _file"
    ).fetchall():
        found = result[f]
        found.rows_read, found.rows_loaded, found.rows_rejected = read, loaded, rejected
        if spec.key_column is not None:
            count, first, value = rest[:3]
            rest = rest[3:]
            if count:
                found.other_period = (count, first, value)
        if spec.all_or_none is not None:
            count, first = rest[:2]
            rest = rest[2:]
            if count:
                found.mixed = (count, first)
        if loaded:
            for name, count in zip(decimals, rest, strict=True):
                if count:
                    found.warnings.append(
                        f"{count} värde(n) i {name} hade fler än 4 decimaler och avrundades till 4"
                    )
    for f, reason, count in con.execute(
        f"select _file, _reason, count(*) from {CHECKED} where _reason <> '' "
        "group by all order by _file, _reason"
    ).fetchall():
        result[f].reasons[reason] = count
    return result


def drop(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop table if exists {CHECKED}")
