"""Load one export's deliveries from the landing directory into the raw layer.

A *delivery* is a landing file with a (name, content hash, modification time) the warehouse has
not seen. Files are taken in delivery order (modification time, then name). For each delivery:
check the name and header, stage its records, validate every row set-based in DuckDB, and in
ONE transaction append the good rows to `raw.<export>_history`, the bad ones to `raw.rejects`
and a `raw.load_log` row with rows read = loaded + rejected. A file refused whole gets a
load-log row with the reason and no data; the current state of its slice is untouched (a slice
is never half-replaced).

Staging. A plain file (UTF-8, no quote character, no lone carriage return: every line a record;
nearly every delivery) is split into records by DuckDB (`read_text`, one row per physical line);
only its distinct identifiers go to Python, to be validated and pseudonymised, and come back as
a relation registered from Python memory — a raw personnummer is never written to any table,
temporary or not, nor to a file. Any other file takes one Python pass with the csv module, which
writes a staging file with the identifiers already replaced. Both give the same relation
(tests/loaders/test_plain_path.py); the personnummer is validated once per distinct value.

Rules (the decisions behind them are the contract's, made precise here):

Deliveries and re-deliveries
- A landing directory that has not changed creates no deliveries: a file whose (name, size,
  modification time) is already in the load log is not even read again.
- A file with a new modification time is a new delivery, also when its bytes are identical to an
  earlier one. If an earlier delivery of the same key with the same content hash was loaded
  against the same reference data and rules, the new one is recorded as `identical` and reuses
  its rows (byte-identical content is loaded — parsed and stored — once). It is still the newest
  delivery, so A → B → A makes A current again.
- Monthly and yearly exports: the newest loaded delivery of each key is current. Snapshots: the
  latest extraction date among loaded deliveries is current (a re-delivery of the same date
  replaces it; an older snapshot delivered late changes nothing).
- A header-only file (no rows) is a valid delivery: it empties its month/year (or makes the
  latest snapshot empty), with a warning. A file without even a header is refused.
- Reference data changed (a code added to a seed)? Touch the affected files: they become new
  deliveries and, the rules hash differing, are validated again.

File-level (the file is refused whole; the message names the file, the problem and, for columns,
the expected names): name without a parseable key, bytes neither UTF-8 nor Windows-1252, NUL
bytes, no header, wrong delimiter, a required column missing, a column named twice, a quote never
closed, a key column (`bidragsmanad`, `manad`, `ar`, `enkat_ar`) naming another month/year than
the file's key. A landing file no export claims (`okand_2024-01.csv`) is recorded as refused with
export `(okänd)` by the unknown-files asset. Hidden files (`.name`) and directories are ignored.

Row-level (`raw.rejects`, see checks_sql.py for the value rules): wrong number of fields, a
quoting error inside the record, bad personnummer, unparseable number/date, unknown code or code
not valid in the row's period, value outside its range, broken invariant, duplicate identity, a
personnummer-like value in any other column. Line numbers are physical lines (the header is line
1). Unknown header names and empty header names are ignored with one warning per file.

Outstanding rejects and the exit status
- A row reject is outstanding while its delivery is current; a file reject while that very file
  is still in the landing directory and no later delivery of its key has loaded. Rejects that a
  re-delivery replaced, or a file the operator removed, are history (still in the load log).
- The asset check of each export fails while the export has outstanding rejects, so the problem
  stays visible on every run until a corrected delivery arrives — not only in the run that first
  saw it. `outstanding_rejects()` gives the same for the CLI's exit status.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.loaders.checks_sql import (
    LONG_DECIMAL_RE,
    MONTH_RE,
    YEAR_RE,
    code_joins,
    duplicate_exprs,
    mask_sql,
    masked_line_expr,
    reason_exprs,
    typed_expr,
)
from orchestration.loaders.contract import (
    EXPORTS,
    UNKNOWN_EXPORT,
    ExportSpec,
    KeyKind,
    Kind,
    export_for,
)
from orchestration.loaders.identifiers import (
    CANDIDATE_PREFILTER_SQL,
    contains_personnummer,
    identify_employee,
    identify_person,
    mask,
    mask_digits,
)
from orchestration.loaders.reference import reference_fingerprint, register_reference_tables
from orchestration.loaders.storage import column_ddl, ensure_raw_layer, history_table
from orchestration.loaders.textfile import (
    FileFacts,
    FileRejected,
    inspect_file,
    open_records,
    read_header,
    rebuild_line,
)

log = logging.getLogger(__name__)

# Bump when a validation rule changes: identical re-deliveries are then validated again.
RULES_VERSION = "2"
EPOCH = datetime(1970, 1, 1)
REASON_SQL = mask_sql("_reasons")
# Tests set this to stage every file with the Python record reader (the two must agree).
FORCE_PYTHON_RECORDS = False


@dataclass
class FileOutcome:
    file_name: str
    status: str  # loaded | identical | rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    message: str | None = None
    warnings: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)
    delivery_id: int | None = None
    same_as_delivery_id: int | None = None


@dataclass
class Outstanding:
    """The rejects of one export that still matter (see the module docstring)."""

    files: list[str] = field(default_factory=list)  # messages of refused files
    rows: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.files or self.rows)


@dataclass
class ExportOutcome:
    export: str
    files: list[FileOutcome] = field(default_factory=list)
    outstanding: Outstanding = field(default_factory=Outstanding)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files if f.status == "loaded")

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files if f.status == "loaded")

    @property
    def files_rejected(self) -> int:
        return sum(f.status == "rejected" for f in self.files)

    @property
    def warnings(self) -> dict[str, list[str]]:
        """Each distinct warning once, with the files it concerns."""
        seen: dict[str, list[str]] = {}
        for f in self.files:
            for warning in f.warnings:
                seen.setdefault(warning, []).append(f.file_name)
        return seen


@dataclass(frozen=True)
class Seen:
    """A landing file as listed: name (masked), size, modification time, content hash."""

    path: Path
    name: str
    size: int
    mtime: datetime
    content_hash: str | None = None


def _mtime(ns: int) -> datetime:
    return EPOCH + timedelta(microseconds=ns // 1000)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def landing_paths(landing: Path) -> list[Path]:
    """Every regular, non-hidden file of the landing directory (not its subdirectories)."""
    if not landing.is_dir():
        return []
    return [p for p in landing.iterdir() if p.is_file() and not p.name.startswith(".")]


def _in_delivery_order(paths: list[Path]) -> list[Seen]:
    listed = []
    for p in paths:
        st = p.stat()
        listed.append(
            (st.st_mtime_ns, p.name, Seen(p, mask(p.name), st.st_size, _mtime(st.st_mtime_ns)))
        )
    return [s for _, _, s in sorted(listed, key=lambda t: (t[0], t[1]))]


def delivered_files(spec: ExportSpec, landing: Path) -> list[Path]:
    """Files this export claims, oldest delivery first (mtime, then name)."""
    claimed = [p for p in landing_paths(landing) if export_for(p.name) is spec]
    return [s.path for s in _in_delivery_order(claimed)]


def unknown_files(landing: Path) -> list[Path]:
    return [
        s.path
        for s in _in_delivery_order(
            [p for p in landing_paths(landing) if export_for(p.name) is None]
        )
    ]


def _known_events(con: duckdb.DuckDBPyConnection, export: str) -> dict[tuple, str]:
    return {
        (name, size, mtime): digest
        for name, size, mtime, digest in con.execute(
            "select file_name, file_size, file_mtime, content_hash from raw.load_log "
            "where export = ?",
            [export],
        ).fetchall()
    }


def _record_listing(con: duckdb.DuckDBPyConnection, export: str, listing: list[Seen]) -> None:
    con.execute("delete from raw.landing_files where export = ?", [export])
    if listing:
        con.execute(
            "insert into raw.landing_files select ?, unnest($2::varchar[]), unnest($3::bigint[]), "
            "unnest($4::timestamp[]), unnest($5::varchar[]), ?",
            [
                export,
                [s.name for s in listing],
                [s.size for s in listing],
                [s.mtime for s in listing],
                [s.content_hash for s in listing],
                _now(),
            ],
        )


def _new_deliveries(
    con: duckdb.DuckDBPyConnection, export: str, paths: list[Path]
) -> tuple[list[tuple[Seen, FileFacts | None]], list[Seen]]:
    """(new deliveries with their facts, the whole listing) of `paths` for `export`."""
    known = _known_events(con, export)
    new, listing = [], []
    for seen in _in_delivery_order(paths):
        digest = known.get((seen.name, seen.size, seen.mtime))
        if digest is not None:  # unchanged since it was delivered: not read again
            listing.append(Seen(seen.path, seen.name, seen.size, seen.mtime, digest))
            continue
        facts = inspect_file(seen.path)
        seen = Seen(seen.path, seen.name, seen.size, seen.mtime, facts.content_hash)
        listing.append(seen)
        known[(seen.name, seen.size, seen.mtime)] = facts.content_hash
        new.append((seen, facts))
    return new, listing


def rules_hash(spec: ExportSpec, reference_dir: Path | None = None) -> str:
    return hashlib.sha256(
        f"{RULES_VERSION}:{reference_fingerprint(spec, reference_dir)}".encode()
    ).hexdigest()


def load_export(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    landing: Path,
    key: bytes,
    *,
    reference_dir: Path | None = None,
    stage_dir: Path | None = None,
) -> ExportOutcome:
    """Load the new deliveries of one export; the outcome includes its outstanding rejects."""
    con.execute("set enable_progress_bar = false")  # no bars in the refresh's output
    ensure_raw_layer(con)
    register_reference_tables(con, spec, reference_dir)
    rules = rules_hash(spec, reference_dir)
    claimed = [p for p in landing_paths(landing) if export_for(p.name) is spec]
    new, listing = _new_deliveries(con, spec.name, claimed)
    outcome = ExportOutcome(export=spec.name)
    caches: dict[str, dict[str, tuple]] = {}
    for seen, facts in new:
        result = _deliver(con, spec, seen, facts, key, rules, caches, stage_dir)
        outcome.files.append(result)
        log.info(  # the Dagster asset reports to the run; this is for other callers
            "%s: %s, %d rader lästa, %d laddade, %d avvisade%s",
            result.file_name,
            result.status,
            result.rows_read,
            result.rows_loaded,
            result.rows_rejected,
            f" ({result.message})" if result.message else "",
        )
    _record_listing(con, spec.name, listing)
    outcome.outstanding = outstanding_rejects(con, spec.name)
    return outcome


def record_unknown_files(con: duckdb.DuckDBPyConnection, landing: Path) -> ExportOutcome:
    """Record every landing file no export claims as a refused delivery of export `(okänd)`."""
    ensure_raw_layer(con)
    new, listing = _new_deliveries(con, UNKNOWN_EXPORT, unknown_files(landing))
    outcome = ExportOutcome(export=UNKNOWN_EXPORT)
    names = ", ".join(EXPORTS)
    for seen, _facts in new:
        message = (
            f"{seen.name}: okänd export; filen laddas inte. Filnamnet ska vara "
            f"<export>_<nyckel>.csv med en av exporterna {names}"
        )
        result = FileOutcome(file_name=seen.name, status="rejected", message=message)
        _log_in_transaction(con, UNKNOWN_EXPORT, seen, None, None, result, None)
        outcome.files.append(result)
        log.info(message)
    _record_listing(con, UNKNOWN_EXPORT, listing)
    outcome.outstanding = outstanding_rejects(con, UNKNOWN_EXPORT)
    return outcome


def outstanding_rejects(con: duckdb.DuckDBPyConnection, export: str | None = None) -> Outstanding:
    """The outstanding rejects of one export (or of all, `export=None`)."""
    where, params = ("where export = ?", [export]) if export else ("", [])
    result = Outstanding()
    for level, reason, count in con.execute(
        f"select level, reason, count(*) from raw.outstanding_rejects {where} "
        "group by all order by level, count(*) desc, reason",
        params,
    ).fetchall():
        if level == "fil":
            result.files.extend([reason] * count)
        else:
            result.rows += count
            result.reasons[reason] = count
    return result


def _file_key(spec: ExportSpec, name: str) -> str:
    match = spec.file_pattern().match(name)
    if not match:
        raise FileRejected(
            f"filnamnets nyckel kan inte tolkas (väntade {spec.name}_{spec.key_format}.csv)"
        )
    key = match.group("key")
    try:
        if spec.key_kind is KeyKind.MONTH:
            datetime.strptime(key + "-01", "%Y-%m-%d")
        elif spec.key_kind is KeyKind.SNAPSHOT:
            datetime.strptime(key, "%Y-%m-%d")
    except ValueError as error:
        raise FileRejected(
            f"filnamnets nyckel '{key}' är inget giltigt datum "
            f"(väntade {spec.name}_{spec.key_format}.csv)"
        ) from error
    return key


def _next_delivery_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(delivery_id), 0) + 1 from raw.load_log").fetchone()[0]


def _identical_to(
    con: duckdb.DuckDBPyConnection, spec: ExportSpec, file_key: str, digest: str, rules: str
) -> tuple | None:
    return con.execute(
        "select delivery_id, rows_read, rows_loaded, rows_rejected, encoding, warnings "
        "from raw.load_log where export = ? and file_key = ? and content_hash = ? "
        "and rules_hash = ? and status = 'loaded' order by delivery_id limit 1",
        [spec.name, file_key, digest, rules],
    ).fetchone()


def _deliver(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    seen: Seen,
    facts: FileFacts,
    key: bytes,
    rules: str,
    caches: dict[str, dict[str, tuple]],
    stage_dir: Path | None,
) -> FileOutcome:
    outcome = FileOutcome(file_name=seen.name, status="loaded")
    file_key: str | None = None
    try:
        file_key = _file_key(spec, seen.path.name)
        if facts.problem:
            raise FileRejected(facts.problem)
        same = _identical_to(con, spec, file_key, facts.content_hash, rules)
        if same is not None:
            same_id, read, loaded, rejected, _encoding, warnings = same
            outcome = FileOutcome(
                file_name=seen.name,
                status="identical",
                rows_read=read,
                rows_loaded=loaded,
                rows_rejected=rejected,
                message=f"identisk med leverans {same_id}; raderna återanvänds",
                warnings=warnings.split("; ") if warnings else [],
                same_as_delivery_id=same_id,
            )
            _log_in_transaction(con, spec.name, seen, file_key, facts.encoding, outcome, rules)
            return outcome
        staged = None
        if facts.plain and not GLOB_CHARACTERS & set(str(seen.path)) and not FORCE_PYTHON_RECORDS:
            staged = _stage_plain(con, spec, seen.path, facts.encoding, key, caches, outcome)
        if staged is not None:
            layout, source = staged
            _validate(con, spec, source, layout, file_key, outcome)
        else:
            outcome.warnings.clear()  # the header is checked again
            with tempfile.TemporaryDirectory(prefix="bistand-stage-", dir=stage_dir) as tmp:
                stage = Path(tmp) / "stage.csv"
                layout = _stage(spec, seen.path, facts.encoding, stage, key, caches, outcome)
                _validate(con, spec, _stage_source(stage, layout), layout, file_key, outcome)
        width = layout.width
        con.execute("begin transaction")
        try:
            outcome.delivery_id = _next_delivery_id(con)
            _insert(con, spec, outcome, width)
            _log(con, spec.name, seen, file_key, facts.encoding, outcome, rules)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    except FileRejected as rejected:
        outcome = FileOutcome(
            file_name=seen.name,
            status="rejected",
            rows_read=0,
            message=f"{seen.name}: {mask(str(rejected))}",
            warnings=outcome.warnings,
        )
        _log_in_transaction(con, spec.name, seen, file_key, facts.encoding, outcome, rules)
    finally:
        for table in ("_clean", "_checked", "_pii"):
            con.execute(f"drop table if exists {table}")
        con.execute("drop view if exists _lines")
        for name in REGISTERED:
            con.unregister(name)
    return outcome


@dataclass(frozen=True)
class Layout:
    """How the staging file is laid out: the file's columns, then derived identity columns."""

    width: int  # columns in the delivered file
    positions: dict[str, int]  # contract column → position in the file
    derived: tuple[str, ...]  # staged identity columns after the file's columns
    rows_written: int


def _header_check(spec: ExportSpec, header: list[str], outcome: FileOutcome) -> None:
    expected = ";".join(spec.column_names)
    optional = [c.name for c in spec.columns if not c.required]
    expected_text = f"Förväntade kolumner: {expected}" + (
        f" (valfria: {', '.join(optional)})" if optional else ""
    )
    if len(header) == 1 and any(sep in header[0] for sep in (",", "\t", "|")):
        raise FileRejected(
            "fel avgränsare: rubrikraden har en enda kolumn; filen ska vara semikolonseparerad. "
            + expected_text
        )
    named = [name for name in header if name]
    duplicates = sorted({name for name in named if named.count(name) > 1})
    if duplicates:
        raise FileRejected(
            f"kolumn(er) förekommer flera gånger i rubrikraden: {', '.join(duplicates)}. "
            + expected_text
        )
    missing = [name for name in spec.required_names if name not in header]
    if missing:
        raise FileRejected(f"saknar kolumn(er) {', '.join(missing)}. " + expected_text)
    unknown = [name for name in named if name not in spec.column_names]
    if unknown:
        outcome.warnings.append(mask(f"okända kolumner ignoreras: {', '.join(unknown)}"))
    empty = [str(j + 1) for j, name in enumerate(header) if not name]
    if empty:
        outcome.warnings.append(f"kolumner utan rubrik ignoreras: nr {', '.join(empty)}")


def _person_entry(raw: str, key: bytes, column: str) -> tuple:
    ident = identify_person(raw, key, column)
    return (
        mask_digits(raw),
        ident.reason or "",
        ident.pseudonym or "",
        ident.birth_month.isoformat() if ident.birth_month else "",
        "" if ident.is_coordination_number is None else str(int(ident.is_coordination_number)),
    )


def _employee_entry(raw: str, key: bytes) -> tuple:
    value = raw.strip()
    return (mask_digits(raw), identify_employee(value, key) if value else "")


@dataclass(frozen=True)
class Plan:
    """What the header says: the file's width and which of its columns are what."""

    width: int
    positions: dict[str, int]  # contract column → position in the file
    persons: list[tuple[str, int]]  # personnummer columns and their positions
    employees: list[tuple[str, int]]  # employee-number columns and their positions
    ignored: list[int]  # positions of columns the contract does not know
    derived: tuple[str, ...]  # staged identity columns after the file's columns

    @property
    def identity_positions(self) -> set[int]:
        return {j for _, j in self.persons + self.employees}

    def masked_line(self, fields: list[str]) -> str:
        """A record as a masked line for the rejects table (identifiers and ignored columns
        hidden field by field, then anything like a personnummer)."""
        identities = self.identity_positions
        shown = [
            mask_digits(f) if j in identities else ("*" if j in self.ignored and f else f)
            for j, f in enumerate(fields)
        ]
        return mask(rebuild_line(shown))


def _plan(spec: ExportSpec, header: list[str], outcome: FileOutcome) -> Plan:
    _header_check(spec, header, outcome)
    positions = {name: header.index(name) for name in spec.column_names if name in header}
    persons = [(c.name, positions[c.name]) for c in spec.columns if c.kind is Kind.PERSONNUMMER]
    employees = [
        (c.name, positions[c.name]) for c in spec.columns if c.kind is Kind.EMPLOYEE_NUMBER
    ]
    derived: list[str] = []
    for name, _ in persons:
        derived += [f"_pnr_reason_{name}", f"_pnr_pseudonym_{name}", f"_pnr_birth_{name}"]
        derived += [f"_pnr_coord_{name}"]
    for name, _ in employees:
        derived.append(f"_emp_{name}")
    ignored = [j for j, name in enumerate(header) if name not in spec.column_names]
    return Plan(len(header), positions, persons, employees, ignored, tuple(derived))


def _stage(
    spec: ExportSpec,
    path: Path,
    encoding: str,
    stage: Path,
    key: bytes,
    caches: dict[str, dict[str, tuple]],
    outcome: FileOutcome,
) -> Layout:
    """Write the records to a staging CSV: line number, a reason when the record cannot be used
    at all (with its masked line), the file's fields in file order (identifiers masked, ignored
    columns as `*`), then pseudonym, birth month and reason of each identifier column."""
    header, _header_line, records = open_records(path, encoding)
    plan = _plan(spec, header, outcome)
    width, persons, employees, ignored = plan.width, plan.persons, plan.employees, plan.ignored
    padding = [""] * (width + len(plan.derived))
    plain = not (persons or employees or ignored)
    person_caches = [caches.setdefault(f"pnr:{name}", {}) for name, _ in persons]
    employee_caches = [caches.setdefault(f"emp:{name}", {}) for name, _ in employees]

    rows = 0
    with stage.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(
            ["_line_number", "_python_reason", "_python_line"]
            + [f"_f{j}" for j in range(width)]
            + list(plan.derived)
        )
        for record in records:
            rows += 1
            fields = record.fields
            if fields is None:
                writer.writerow(
                    [record.line_number, record.error, mask(record.raw or ""), *padding]
                )
                continue
            if len(fields) != width:
                reason = _width_reason(fields, width)
                writer.writerow([record.line_number, reason, plan.masked_line(fields), *padding])
                continue
            if plain:
                writer.writerow([record.line_number, "", "", *fields])
                continue
            extra: list[str] = []
            for (name, j), cache in zip(persons, person_caches, strict=True):
                raw = fields[j]
                entry = cache.get(raw)
                if entry is None:
                    entry = cache[raw] = _person_entry(raw, key, name)
                fields[j] = entry[0]
                extra.extend(entry[1:])
            for (_, j), cache in zip(employees, employee_caches, strict=True):
                raw = fields[j]
                entry = cache.get(raw)
                if entry is None:
                    entry = cache[raw] = _employee_entry(raw, key)
                fields[j] = entry[0]
                extra.append(entry[1])
            for j in ignored:
                if fields[j]:
                    fields[j] = "*"
            writer.writerow([record.line_number, "", "", *fields, *extra])
    outcome.rows_read = rows
    return Layout(width, plan.positions, plan.derived, rows)


def _width_reason(fields: list[str], width: int) -> str:
    return f"fel antal fält: {len(fields)}, väntade {width}"


def _stage_source(stage: Path, layout: Layout) -> str:
    """The staging file as a relation (`_validate` reads it)."""
    names = ["_line_number", "_python_reason", "_python_line"]
    names += [f"_f{j}" for j in range(layout.width)] + list(layout.derived)
    columns = {name: "VARCHAR" for name in names}
    columns["_line_number"] = "BIGINT"
    return (
        f"read_csv({_sql_text(str(stage))}, header = true, delim = ';', quote = '\"', "
        f"escape = '\"', auto_detect = false, strict_mode = true, columns = {columns!r})"
    )


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# A line that holds nothing but whitespace (Python's str.isspace) and `;`: not a record.
BLANK_LINE_RE = r"[\t-\r\x1c-\x20\x85\p{Z};]*"
GLOB_CHARACTERS = set("*?[]{}")
# The Python relations `_stage_plain` registers: malformed lines, one map per identifier column.
REGISTERED = (
    "_bad_lines",
    *(
        f"_ids_{n}"
        for n in range(
            max(
                sum(c.kind in (Kind.PERSONNUMMER, Kind.EMPLOYEE_NUMBER) for c in spec.columns)
                for spec in EXPORTS.values()
            )
        )
    ),
)


def _lines_sql(path: Path, header_line: int) -> str:
    """The records of a plain file (textfile.py): every non-blank physical line after the
    header, numbered, split on `;` — read by DuckDB, never by Python."""
    return f"""
        select line_number, string_split(rtrim(line, chr(13)), ';') as f,
               length(line) as line_length
        from (
            select generate_subscripts(l, 1) as line_number, unnest(l) as line
            from (select string_split(content, chr(10)) as l from read_text({_sql_text(str(path))}))
        )
        where line_number > {header_line} and not regexp_full_match(line, '{BLANK_LINE_RE}')"""


def _register(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list]) -> None:
    """Python lists as a relation DuckDB can join, without copying them into a table (the
    identity maps hold raw personnummer, which must never be stored)."""
    import pandas as pd

    con.register(name, pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()}))


def _stage_plain(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    path: Path,
    encoding: str,
    key: bytes,
    caches: dict[str, dict[str, tuple]],
    outcome: FileOutcome,
) -> tuple[Layout, str] | None:
    """Stage a plain file in DuckDB: the relation `_validate` reads, equal to what `_stage`
    writes, with only distinct identifiers and malformed records passing through Python.
    None when the file turns out not to suit (a field over the csv module's limit)."""
    header, header_line = read_header(path, encoding)
    plan = _plan(spec, header, outcome)
    width = plan.width
    con.execute(f"create or replace temp view _lines as {_lines_sql(path, header_line)}")
    rows, longest = con.execute("select count(*), max(line_length) from _lines").fetchone()
    if (longest or 0) > csv.field_size_limit():
        return None

    bad = con.execute(
        f"select line_number, f from _lines where len(f) <> {width} order by line_number"
    ).fetchall()
    _register(
        con,
        "_bad_lines",
        {
            "line_number": [n for n, _ in bad],
            "reason": [_width_reason(f, width) for _, f in bad],
            "line": [plan.masked_line(f) for _, f in bad],
        },
    )
    joins = ["left join _bad_lines as bad on bad.line_number::bigint = s.line_number"]
    fields: dict[int, str] = {}
    derived: list[str] = []
    identities = [(f"pnr:{name}", name, j, True) for name, j in plan.persons] + [
        (f"emp:{name}", name, j, False) for name, j in plan.employees
    ]
    for n, (cache_name, name, j, is_person) in enumerate(identities):
        cache = caches.setdefault(cache_name, {})
        values = con.execute(
            f"select distinct f[{j + 1}] from _lines where len(f) = {width}"
        ).fetchall()
        for (raw,) in values:
            if raw not in cache:
                cache[raw] = (
                    _person_entry(raw, key, name) if is_person else _employee_entry(raw, key)
                )
        entries = [(raw, cache[raw]) for (raw,) in values]
        # the fields of a cache entry (`_person_entry`, `_employee_entry`), in order
        attributes = (
            ("masked", "reason", "pseudonym", "birth", "coord")
            if is_person
            else (
                "masked",
                "employee",
            )
        )
        mapping: dict[str, list] = {"raw": [raw for raw, _ in entries]}
        for i, attribute in enumerate(attributes):
            mapping[attribute] = [entry[i] or None for _, entry in entries]
        _register(con, f"_ids_{n}", mapping)
        joins.append(
            f"left join _ids_{n} as id{n} "
            f"on id{n}.raw::varchar = case when s.ok then s.f[{j + 1}] end"
        )
        fields[j] = f"id{n}.masked::varchar"
        if is_person:
            derived += [
                f"id{n}.reason::varchar as _pnr_reason_{name}",
                f"id{n}.pseudonym::varchar as _pnr_pseudonym_{name}",
                f"id{n}.birth::varchar as _pnr_birth_{name}",
                f"id{n}.coord::varchar as _pnr_coord_{name}",
            ]
        else:
            derived.append(f"id{n}.employee::varchar as _emp_{name}")
    for j in plan.ignored:
        fields[j] = f"case when s.f[{j + 1}] <> '' then '*' end"
    columns = [
        f"case when s.ok then {fields.get(j, f'nullif(s.f[{j + 1}], {chr(39) * 2})')} end as _f{j}"
        for j in range(width)
    ]
    outcome.rows_read = rows
    source = f"""(
        select s.line_number::bigint as _line_number, bad.reason::varchar as _python_reason,
               bad.line::varchar as _python_line, {", ".join(columns + derived)}
        from (select *, len(f) = {width} as ok from _lines) as s
        {" ".join(joins)}
    )"""
    return Layout(width, plan.positions, plan.derived, rows), source


def _clean_columns(spec: ExportSpec, layout: Layout) -> list[str]:
    """The `_clean` relation's columns: contract columns trimmed (empty = null), identities."""
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
        elif name in layout.positions:
            cols.append(f"nullif(trim(_f{layout.positions[name]}), '') as {name}")
        else:
            cols.append(f"null::varchar as {name}")
    return cols


def _validate(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    source: str,
    layout: Layout,
    file_key: str,
    outcome: FileOutcome,
) -> None:
    """Build `_checked`: every staged row (from the relation `source`) with its typed values
    and its list of reasons."""
    con.execute(
        f"""create or replace temp table _clean as
        select _line_number, _python_reason, _python_line,
               {", ".join(f"_f{j}" for j in range(layout.width))},
               {", ".join(_clean_columns(spec, layout))}
        from {source}"""
    )
    staged = con.execute("select count(*) from _clean").fetchone()[0]
    if staged != layout.rows_written:  # a bug, never bad input: stop before anything is written
        raise RuntimeError(f"staging read {staged} rows, wrote {layout.rows_written}")

    if spec.key_column is not None:
        col = spec.key_column
        pattern = YEAR_RE if spec.key_kind is KeyKind.YEAR else MONTH_RE
        other = con.execute(
            f"select count(*), min(_line_number), arg_min({col}, _line_number) from _clean "
            f"where regexp_full_match({col}, ?) and {col} <> ?",
            [pattern, file_key],
        ).fetchone()
        if other[0]:
            raise FileRejected(
                f"{other[0]} rad(er) har {col} för en annan period än filnamnets nyckel "
                f"{file_key} (första: rad {other[1]}, {col} '{other[2]}'); hela filen avvisas"
            )

    pii = _personnummer_lookalikes(con, spec, layout)
    if pii:
        con.execute("create or replace temp table _pii as select unnest(?::varchar[]) as v", [pii])
    typed = ", ".join(
        f"{typed_expr(c, f'c.{c.name}')} as t_{c.name}"
        for c in spec.columns
        if c.kind not in (Kind.PERSONNUMMER, Kind.EMPLOYEE_NUMBER)
    )
    joins, ref_columns = code_joins(spec)
    dup_cte, dup_join, dup_reason = duplicate_exprs(spec)
    reasons = [*reason_exprs(spec, file_key, bool(pii)), dup_reason]
    # `_reasons`: every failed check, `; `-separated; '' for a good row.
    con.execute(
        f"""create or replace temp table _checked as
        with typed as (
            select c.*, {typed}{", " + ref_columns if ref_columns else ""}
            from _clean as c {joins}
        ){dup_cte}
        select typed.*,
            coalesce(_python_reason, concat_ws('; ', {", ".join(reasons)})) as _reasons
        from typed {dup_join}"""
    )
    loaded, rejected = con.execute(
        "select count(*) filter (where _reasons = ''), "
        "count(*) filter (where _reasons <> '') from _checked"
    ).fetchone()
    outcome.rows_loaded, outcome.rows_rejected = loaded, rejected
    if loaded + rejected != outcome.rows_read:
        raise RuntimeError(f"{outcome.rows_read} rows read, {loaded} + {rejected} checked")
    decimals = [
        c.name for c in spec.columns if c.kind is Kind.DECIMAL and c.name in layout.positions
    ]
    if decimals and loaded:
        counts = con.execute(
            "select "
            + ", ".join(
                f"count(*) filter (where regexp_matches({d}, '{LONG_DECIMAL_RE}'))"
                for d in decimals
            )
            + " from _checked where _reasons = ''"
        ).fetchone()
        for name, count in zip(decimals, counts, strict=True):
            if count:
                outcome.warnings.append(
                    f"{count} värde(n) i {name} hade fler än 4 decimaler och avrundades till 4"
                )
    if outcome.rows_read == 0:
        what = (
            f"ögonblicksbilden {file_key} är tom"
            if spec.key_kind is KeyKind.SNAPSHOT
            else f"{file_key} blir tom i lagret"
        )
        outcome.warnings.append(f"filen har inga rader: {what}")
    outcome.reasons = dict(
        con.execute(
            f"select {REASON_SQL} as reason, count(*) "
            "from _checked where _reasons <> '' group by reason order by reason"
        ).fetchall()
    )


def _personnummer_lookalikes(
    con: duckdb.DuckDBPyConnection, spec: ExportSpec, layout: Layout
) -> list[str]:
    """Values of the other columns that hold a valid personnummer (checked per distinct value)."""
    others = [
        c.name
        for c in spec.columns
        if c.kind not in (Kind.PERSONNUMMER, Kind.EMPLOYEE_NUMBER) and c.name in layout.positions
    ]
    if not others:
        return []
    candidates = con.execute(
        f"select distinct v from (select unnest([{', '.join(others)}]) as v from _clean) "
        f"where length(v) >= 10 and regexp_matches(v, ?)",
        [CANDIDATE_PREFILTER_SQL],
    ).fetchall()
    return [v for (v,) in candidates if contains_personnummer(v)]


def _insert(
    con: duckdb.DuckDBPyConnection, spec: ExportSpec, outcome: FileOutcome, width: int
) -> None:
    target: list[str] = ["_delivery_id", "_line_number"]
    source: list[str] = [str(outcome.delivery_id), "_line_number"]
    for column in spec.columns:
        for name, _type in column_ddl(column):
            target.append(name)
            source.append(
                name if column.kind in (Kind.PERSONNUMMER, Kind.EMPLOYEE_NUMBER) else f"t_{name}"
            )
    con.execute(
        f"insert into {history_table(spec)} ({', '.join(target)}) "
        f"select {', '.join(source)} from _checked where _reasons = '' order by _line_number"
    )
    con.execute(
        f"insert into raw.rejects "
        f"select ?, ?, ?, _line_number, coalesce(_python_line, {masked_line_expr(width)}), "
        f"{REASON_SQL} "
        f"from _checked where _reasons <> '' order by _line_number",
        [outcome.delivery_id, spec.name, outcome.file_name],
    )


def _log(
    con: duckdb.DuckDBPyConnection,
    export: str,
    seen: Seen,
    file_key: str | None,
    encoding: str | None,
    outcome: FileOutcome,
    rules: str | None,
) -> None:
    con.execute(
        "insert into raw.load_log (delivery_id, export, file_name, file_key, content_hash, "
        "file_mtime, file_size, loaded_at, status, encoding, rows_read, rows_loaded, "
        "rows_rejected, message, warnings, same_as_delivery_id, rules_hash) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            outcome.delivery_id,
            export,
            seen.name,
            file_key,
            seen.content_hash,
            seen.mtime,
            seen.size,
            _now(),
            outcome.status,
            encoding,
            outcome.rows_read,
            outcome.rows_loaded,
            outcome.rows_rejected,
            outcome.message,
            "; ".join(outcome.warnings) or None,
            outcome.same_as_delivery_id,
            rules,
        ],
    )


def _log_in_transaction(
    con: duckdb.DuckDBPyConnection,
    export: str,
    seen: Seen,
    file_key: str | None,
    encoding: str | None,
    outcome: FileOutcome,
    rules: str | None,
) -> None:
    con.execute("begin transaction")
    try:
        outcome.delivery_id = _next_delivery_id(con)
        _log(con, export, seen, file_key, encoding, outcome, rules)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


__all__ = [
    "ExportOutcome",
    "FileOutcome",
    "Outstanding",
    "delivered_files",
    "load_export",
    "outstanding_rejects",
    "record_unknown_files",
]
