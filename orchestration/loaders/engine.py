"""Load one export's deliveries from the landing directory into the raw layer.

For each file not seen before (by content hash), in delivery order (modification time, then
name): check the name and header, stage its records, validate every row in DuckDB, and in ONE
transaction append the good rows to `raw.<export>_history`, the bad ones to `raw.rejects`, and
a `raw.load_log` row with rows read = loaded + rejected. A file refused whole gets a load-log row
with the reason and no data; the current state of its slice is untouched.
"""

from __future__ import annotations

import csv
import logging
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.loaders.checks_sql import (
    MONTH_RE,
    YEAR_RE,
    masked_line_expr,
    reason_exprs,
    typed_expr,
)
from orchestration.loaders.contract import ExportSpec, KeyKind, Kind
from orchestration.loaders.identifiers import identify_employee, identify_person
from orchestration.loaders.reference import register_reference_tables
from orchestration.loaders.storage import column_ddl, ensure_raw_schema, history_table
from orchestration.loaders.textfile import (
    FileRejected,
    content_hash,
    detect_encoding,
    open_records,
    rebuild_line,
)

log = logging.getLogger(__name__)


@dataclass
class FileOutcome:
    file_name: str
    status: str  # loaded | rejected | unchanged
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    message: str | None = None
    warnings: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class ExportOutcome:
    export: str
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def files_rejected(self) -> int:
        return sum(f.status == "rejected" for f in self.files)


def delivered_files(spec: ExportSpec, landing: Path) -> list[Path]:
    """Files of this export, oldest delivery first (mtime, then name)."""
    if not landing.is_dir():
        return []
    prefix = f"{spec.name}_"
    files = [
        p
        for p in landing.iterdir()
        if p.is_file() and p.name.lower().startswith(prefix) and p.suffix.lower() == ".csv"
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def load_export(
    con: duckdb.DuckDBPyConnection, spec: ExportSpec, landing: Path, key: bytes
) -> ExportOutcome:
    ensure_raw_schema(con, spec)
    register_reference_tables(con, spec)
    seen = {
        row[0]
        for row in con.execute(
            "select content_hash from raw.load_log where export = ?", [spec.name]
        ).fetchall()
    }
    outcome = ExportOutcome(export=spec.name)
    for path in delivered_files(spec, landing):
        digest = content_hash(path)
        if digest in seen:
            continue  # a byte-identical delivery is loaded once
        seen.add(digest)
        result = _load_file(con, spec, path, digest, key)
        outcome.files.append(result)
        level = (
            logging.WARNING if result.status == "rejected" or result.rows_rejected else logging.INFO
        )
        log.log(
            level,
            "%s: %s, %d rader lästa, %d laddade, %d avvisade%s",
            path.name,
            result.status,
            result.rows_read,
            result.rows_loaded,
            result.rows_rejected,
            f" ({result.message})" if result.message else "",
        )
    return outcome


def _file_key(spec: ExportSpec, path: Path) -> str:
    match = spec.file_pattern().match(path.name)
    if not match:
        expected = {
            KeyKind.MONTH: "ÅÅÅÅ-MM",
            KeyKind.YEAR: "ÅÅÅÅ",
            KeyKind.SNAPSHOT: "ÅÅÅÅ-MM-DD",
        }[spec.key_kind]
        raise FileRejected(
            f"filnamnets nyckel kan inte tolkas (väntade {spec.name}_{expected}.csv)"
        )
    key = match.group("key")
    try:
        if spec.key_kind is KeyKind.MONTH:
            datetime.strptime(key + "-01", "%Y-%m-%d")
        elif spec.key_kind is KeyKind.SNAPSHOT:
            datetime.strptime(key, "%Y-%m-%d")
    except ValueError as error:
        raise FileRejected(f"filnamnets nyckel '{key}' är inget giltigt datum") from error
    return key


def _next_delivery_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(delivery_id), 0) + 1 from raw.load_log").fetchone()[0]


def _load_file(
    con: duckdb.DuckDBPyConnection, spec: ExportSpec, path: Path, digest: str, key: bytes
) -> FileOutcome:
    stat = path.stat()
    mtime = datetime.fromtimestamp(stat.st_mtime, tz=UTC).replace(tzinfo=None)
    outcome = FileOutcome(file_name=path.name, status="loaded")
    file_key: str | None = None
    encoding: str | None = None
    with tempfile.TemporaryDirectory(prefix="bistand-stage-") as tmp:
        stage = Path(tmp) / "stage.csv"
        try:
            file_key = _file_key(spec, path)
            encoding = detect_encoding(path)
            python_rejects = _stage(spec, path, encoding, stage, outcome)
            con.execute("begin transaction")
            try:
                delivery_id = _next_delivery_id(con)
                _validate_and_insert(
                    con, spec, stage, file_key, key, delivery_id, python_rejects, outcome
                )
                _log(
                    con,
                    spec,
                    delivery_id,
                    path,
                    file_key,
                    digest,
                    mtime,
                    stat.st_size,
                    encoding,
                    outcome,
                )
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
        except FileRejected as rejected:
            outcome = FileOutcome(
                file_name=path.name,
                status="rejected",
                rows_read=outcome.rows_read,
                message=f"{path.name}: {rejected}",
                warnings=outcome.warnings,
            )
            con.execute("begin transaction")
            delivery_id = _next_delivery_id(con)
            _log(
                con,
                spec,
                delivery_id,
                path,
                file_key,
                digest,
                mtime,
                stat.st_size,
                encoding,
                outcome,
            )
            con.execute("commit")
    return outcome


def _stage(
    spec: ExportSpec, path: Path, encoding: str, stage: Path, outcome: FileOutcome
) -> list[tuple[int, str, str]]:
    """Write the records as a normalised CSV (line number + contract columns in order).

    Returns the rejects found while reading (wrong number of fields), with masked lines.
    """
    header, records = open_records(path, encoding)
    if len(header) == 1 and any(sep in header[0] for sep in (",", "\t", "|")):
        raise FileRejected(
            "fel avgränsare: rubrikraden har en enda kolumn; filen ska vara semikolonseparerad. "
            f"Förväntade kolumner: {';'.join(spec.column_names)}"
        )
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise FileRejected(f"kolumn(er) förekommer flera gånger: {', '.join(duplicates)}")
    missing = [name for name in spec.required_names if name not in header]
    if missing:
        raise FileRejected(
            f"saknar kolumn(er) {', '.join(missing)}. "
            f"Förväntade kolumner: {';'.join(spec.column_names)}"
        )
    unknown = [name for name in header if name not in spec.column_names]
    if unknown:
        outcome.warnings.append(f"okända kolumner ignoreras: {', '.join(unknown)}")
    positions = [header.index(name) if name in header else None for name in spec.column_names]
    rejects: list[tuple[int, str, str]] = []
    width = len(header)
    with stage.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(["_line_number", *spec.column_names])
        for record in records:
            outcome.rows_read += 1
            if len(record.fields) != width:
                rejects.append(
                    (
                        record.line_number,
                        _mask_python(rebuild_line(record.fields)),
                        f"fel antal fält: {len(record.fields)}, väntade {width}",
                    )
                )
                continue
            writer.writerow(
                [
                    record.line_number,
                    *(record.fields[i] if i is not None else "" for i in positions),
                ]
            )
    return rejects


def _mask_python(line: str) -> str:
    return re.sub(r"\d{6,8}[-+]?\d{4}", "XXXXXXXX-XXXX", line)


def _validate_and_insert(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    stage: Path,
    file_key: str,
    key: bytes,
    delivery_id: int,
    python_rejects: list[tuple[int, str, str]],
    outcome: FileOutcome,
) -> None:
    columns = {"_line_number": "BIGINT", **{name: "VARCHAR" for name in spec.column_names}}
    con.execute("drop table if exists _clean")
    text_cols = ", ".join(
        f'"{c}" as _text_{c}, nullif(trim("{c}"), \'\') as {c}' for c in spec.column_names
    )
    con.execute(
        f"""create temp table _clean as
        select _line_number, {text_cols}
        from read_csv(?, header = true, delim = ';', quote = '"', escape = '"',
                      auto_detect = false, columns = {columns!r})""",
        [str(stage)],
    )
    joins: list[str] = []
    extra_selects: list[str] = []
    for column in spec.columns:
        if column.kind is Kind.PERSONNUMMER:
            _register_person_map(con, column.name, key)
            joins.append(
                f"left join _pnr_{column.name} as m_{column.name} "
                f"on m_{column.name}.raw = c.{column.name}"
            )
            extra_selects.append(
                f"case when c.{column.name} is null then 'saknar värde i {column.name}' "
                f"else m_{column.name}.reason end as pnr_reason_{column.name}, "
                f"m_{column.name}.pseudonym as person_pseudonym, "
                f"m_{column.name}.birth_month as person_birth_month, "
                f"m_{column.name}.is_coordination as person_is_coordination_number"
            )
        elif column.kind is Kind.EMPLOYEE_NUMBER:
            _register_employee_map(con, column.name, key)
            joins.append(
                f"left join _emp_{column.name} as e_{column.name} "
                f"on e_{column.name}.raw = c.{column.name}"
            )
            extra_selects.append(f"e_{column.name}.pseudonym as employee_pseudonym")
        extra_selects.append(f"{typed_expr(column, f'c.{column.name}')} as t_{column.name}")

    if spec.key_column is not None:
        key_col = spec.key_column
        pattern = YEAR_RE if spec.key_kind is KeyKind.YEAR else MONTH_RE
        mismatch = con.execute(
            f"select _line_number, {key_col} from _clean "
            f"where regexp_full_match({key_col}, ?) and {key_col} <> ? "
            f"order by _line_number limit 1",
            [pattern, file_key],
        ).fetchone()
        if mismatch is not None:
            raise FileRejected(
                f"rad {mismatch[0]}: {key_col} '{mismatch[1]}' stämmer inte med filnamnets "
                f"nyckel {file_key}; hela filen avvisas"
            )
    reasons = [r.format(key_year=file_key[:4]) for r in reason_exprs(spec)]
    unique = spec.unique
    dup_reason = ""
    if unique:
        cols = ", ".join(unique)
        dup_reason = (
            f", case when row_number() over (partition by {cols} order by _line_number) > 1 "
            f"then 'dubblett av {cols} (första förekomsten på rad ' || "
            f"first(_line_number) over (partition by {cols} order by _line_number) || ')' end"
        )
    con.execute("drop table if exists _checked")
    con.execute(
        f"""create temp table _checked as
        with typed as (
            select c.*, {", ".join(extra_selects)}
            from _clean as c {" ".join(joins)}
        )
        select typed.*,
               list_filter([{", ".join(reasons)}{dup_reason}], x -> x is not null) as _reasons,
               {masked_line_expr(spec)} as _masked_line
        from typed"""
    )
    target_columns: list[str] = ["_delivery_id", "_line_number"]
    source_exprs: list[str] = [str(delivery_id), "_line_number"]
    for column in spec.columns:
        for name, _type in column_ddl(column):
            target_columns.append(name)
            if column.kind in (Kind.PERSONNUMMER, Kind.EMPLOYEE_NUMBER):
                source_exprs.append(name)
            else:
                source_exprs.append(f"t_{column.name}")
    con.execute(
        f"insert into {history_table(spec)} ({', '.join(target_columns)}) "
        f"select {', '.join(source_exprs)} from _checked where len(_reasons) = 0 "
        f"order by _line_number"
    )
    con.execute(
        "insert into raw.rejects select ?, ?, ?, _line_number, _masked_line, "
        "array_to_string(_reasons, '; ') from _checked where len(_reasons) > 0",
        [delivery_id, spec.name, outcome.file_name],
    )
    for line_number, masked, reason in python_rejects:
        con.execute(
            "insert into raw.rejects values (?, ?, ?, ?, ?, ?)",
            [delivery_id, spec.name, outcome.file_name, line_number, masked, reason],
        )
    loaded, rejected_sql = con.execute(
        "select count(*) filter (where len(_reasons) = 0), "
        "count(*) filter (where len(_reasons) > 0) from _checked"
    ).fetchone()
    outcome.rows_loaded = loaded
    outcome.rows_rejected = rejected_sql + len(python_rejects)
    for reason, count in con.execute(
        "select reason, count(*) from raw.rejects where delivery_id = ? group by reason",
        [delivery_id],
    ).fetchall():
        outcome.reasons[reason] = count
    con.execute("drop table if exists _checked")
    con.execute("drop table if exists _clean")


def _register_person_map(con: duckdb.DuckDBPyConnection, column: str, key: bytes) -> None:
    values = [
        r[0]
        for r in con.execute(
            f"select distinct {column} from _clean where {column} is not null"
        ).fetchall()
    ]
    rows = []
    for raw in values:
        ident = identify_person(raw, key)
        rows.append(
            (raw, ident.reason, ident.pseudonym, ident.birth_month, ident.is_coordination_number)
        )
    con.execute(f"drop table if exists _pnr_{column}")
    con.execute(
        f"create temp table _pnr_{column} (raw varchar, reason varchar, pseudonym varchar, "
        f"birth_month date, is_coordination boolean)"
    )
    if rows:
        con.executemany(f"insert into _pnr_{column} values (?, ?, ?, ?, ?)", rows)


def _register_employee_map(con: duckdb.DuckDBPyConnection, column: str, key: bytes) -> None:
    values = [
        r[0]
        for r in con.execute(
            f"select distinct {column} from _clean where {column} is not null"
        ).fetchall()
    ]
    con.execute(f"drop table if exists _emp_{column}")
    con.execute(f"create temp table _emp_{column} (raw varchar, pseudonym varchar)")
    if values:
        con.executemany(
            f"insert into _emp_{column} values (?, ?)",
            [(raw, identify_employee(raw, key)) for raw in values],
        )


def _log(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    delivery_id: int,
    path: Path,
    file_key: str | None,
    digest: str,
    mtime: datetime,
    size: int,
    encoding: str | None,
    outcome: FileOutcome,
) -> None:
    con.execute(
        "insert into raw.load_log values "
        "(?, ?, ?, ?, ?, ?, ?, now()::timestamp, ?, ?, ?, ?, ?, ?, ?)",
        [
            delivery_id,
            spec.name,
            path.name,
            file_key,
            digest,
            mtime,
            size,
            outcome.status,
            encoding,
            outcome.rows_read,
            outcome.rows_loaded,
            outcome.rows_rejected,
            outcome.message,
            "; ".join(outcome.warnings) or None,
        ],
    )
