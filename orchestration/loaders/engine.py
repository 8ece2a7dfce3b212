"""Load one export's deliveries from the landing directory into the raw layer.

A *delivery* is a landing file with a (name, content hash, modification time) the warehouse has
not seen. Files are taken in delivery order (modification time, then name), each with its own
delivery id and `raw.load_log` row. For each delivery: check the name and header, stage its
records, validate every row set-based in DuckDB, and in ONE transaction append the good rows to
`raw.<export>_history`, the bad ones to `raw.rejects` and the load-log row with rows read =
loaded + rejected. A file refused whole gets a load-log row with the reason and no data; the
current state of its slice is untouched (a slice is never half-replaced).

How (one concern per module):
- deliveries.py — listing the landing directory, which files are new, identical re-deliveries,
  delivery ids, `raw.load_log`, `raw.landing_files`, outstanding rejects;
- header.py — the header against the contract (file-level header rules);
- staging.py — the records of many files at once as one relation: plain files (nearly all) read
  by DuckDB, identifiers validated and pseudonymised per distinct value in SQL
  (identity_sql.py); other files through the csv module. No raw personnummer is ever written to
  a table, temporary or not, or to a file;
- validation.py — every row checked set-based (value rules in checks_sql.py);
- history.py — the transaction that writes a checked batch.
Plain files of one export with the same header are staged, checked and written together (a
batch, up to BATCH_BYTES of files): each stays its own delivery, with its own load-log row, its
own rejects and its own file-level refusal, and the batch is one transaction. A batch's checked
rows go straight to the history; the files among them with anything to report (rejects,
warnings, refusal, possible duplicates) are taken out again in that transaction and checked the
careful way, through a temporary table of checked rows, with a second read of just those files.

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
- The delivery guard (guard.py): a re-delivery of a month or year that would shrink its slice
  sharply (0 rows, or under half the current delivery's) or rejects more than 1 % of its rows
  is `held`: stored, but the current delivery stays current until `bistand accept FILE`. So a
  header-only file empties a month only when it is the month's first delivery, or is accepted.
- Reference data changed (a code added to a seed)? Touch the affected files: they become new
  deliveries and, the rules hash differing, are validated again.

File-level (the file is refused whole; the message names the file, the problem and, for columns,
the expected names): name without a parseable key, bytes neither UTF-8 nor Windows-1252, NUL
bytes, no header, wrong delimiter, a required column missing, a column named twice, a quote never
closed, a key column (`bidragsmanad`, `manad`, `ar`, `enkat_ar`) naming another month/year than
the file's key, a budget file mixing rows with and without `manad` for one district and type
(ExportSpec.all_or_none). A landing file no export claims (`okand_2024-01.csv`) is recorded as
refused with export `(okänd)` by the unknown-files asset. Hidden files (`.name`) and directories
are ignored.

Row-level (`raw.rejects`, see checks_sql.py for the value rules): wrong number of fields, a
quoting error inside the record, bad personnummer, unparseable number/date, unknown code or code
not valid in the row's period, value outside its range, broken invariant, duplicate identity
(within the file), a personnummer-like value in any other column. Line numbers are physical lines
(the header is line 1). Unknown header names and empty header names are ignored with one warning
per file.

Outstanding rejects and the exit status
- A row reject is outstanding while its delivery is current; a file reject while that very file
  is still in the landing directory and no later delivery of its key has loaded. Rejects that a
  re-delivery replaced, or a file the operator removed, are history (still in the load log).
- The asset check of each export fails while the export has outstanding rejects, so the problem
  stays visible on every run until a corrected delivery arrives — not only in the run that first
  saw it. `outstanding_rejects()` gives the same for the CLI's exit status.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.loaders import deliveries, history, identity_sql, staging, validation
from orchestration.loaders.contract import EXPORTS, UNKNOWN_EXPORT, ExportSpec, KeyKind
from orchestration.loaders.deliveries import (
    LogEntry,
    Seen,
    claimed_files,
    delivered_files,
    outstanding_rejects,
    unknown_files,
)
from orchestration.loaders.guard import HELD, Guard, guard_for
from orchestration.loaders.header import Plan, plan
from orchestration.loaders.identifiers import mask
from orchestration.loaders.outcomes import ExportOutcome, FileOutcome, Outstanding
from orchestration.loaders.reference import register_reference_tables
from orchestration.loaders.staging import BLANK_LINE_RE, BatchFile
from orchestration.loaders.storage import ensure_raw_layer
from orchestration.loaders.textfile import FileFacts, FileRejected, read_header

log = logging.getLogger(__name__)

# Plain files staged together at most (bytes of files): bounds the memory of one batch.
BATCH_BYTES = 128 << 20


@dataclass(frozen=True)
class Delivery:
    """A new delivery that passed the file-level checks before staging."""

    seen: Seen
    facts: FileFacts
    delivery_id: int
    file_key: str
    plan: Plan
    header_line: int


def load_export(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    landing: Path,
    key: bytes,
    *,
    reference_dir: Path | None = None,
) -> ExportOutcome:
    """Load the new deliveries of one export; the outcome includes its outstanding rejects."""
    con.execute("set enable_progress_bar = false")  # no bars in the refresh's output
    ensure_raw_layer(con)
    new, listing = deliveries.new_deliveries(con, spec.name, claimed_files(spec, landing))
    outcome = ExportOutcome(export=spec.name)
    if new:
        outcome.files = _deliver(con, spec, new, key, reference_dir)
    for result in outcome.files:
        log.info(  # the Dagster asset reports to the run; this is for other callers
            "%s: %s, %d rader lästa, %d laddade, %d avvisade%s",
            result.file_name,
            result.status,
            result.rows_read,
            result.rows_loaded,
            result.rows_rejected,
            f" ({result.message})" if result.message else "",
        )
    deliveries.record_listing(con, spec.name, listing)
    outcome.outstanding = outstanding_rejects(con, spec.name)
    return outcome


def record_unknown_files(con: duckdb.DuckDBPyConnection, landing: Path) -> ExportOutcome:
    """Record every landing file no export claims as a refused delivery of export `(okänd)`."""
    ensure_raw_layer(con)
    new, listing = deliveries.new_deliveries(con, UNKNOWN_EXPORT, unknown_files(landing))
    outcome = ExportOutcome(export=UNKNOWN_EXPORT)
    names = ", ".join(EXPORTS)
    entries = []
    first_id = deliveries.next_delivery_id(con) if new else 0
    for i, (seen, _facts) in enumerate(new):
        message = (
            f"{seen.name}: okänd export; filen laddas inte. Filnamnet ska vara "
            f"<export>_<nyckel>.csv med en av exporterna {names}"
        )
        result = FileOutcome(
            file_name=seen.name, status="rejected", message=message, delivery_id=first_id + i
        )
        entries.append(LogEntry(UNKNOWN_EXPORT, seen, None, None, result, None))
        outcome.files.append(result)
        log.info(message)
    deliveries.log_without_rows(con, entries)
    deliveries.record_listing(con, UNKNOWN_EXPORT, listing)
    outcome.outstanding = outstanding_rejects(con, UNKNOWN_EXPORT)
    return outcome


def _refused(
    seen: Seen, problem: FileRejected, warnings: list[str], delivery_id: int
) -> FileOutcome:
    return FileOutcome(
        file_name=seen.name,
        status="rejected",
        message=f"{seen.name}: {mask(str(problem))}",
        warnings=warnings,
        delivery_id=delivery_id,
    )


def _deliver(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    new: list[tuple[Seen, FileFacts]],
    key: bytes,
    reference_dir: Path | None,
) -> list[FileOutcome]:
    """Load `new` (in delivery order): the outcome of each, in the same order."""
    register_reference_tables(con, spec, reference_dir)
    rules = deliveries.rules_hash(spec, reference_dir)
    guard = guard_for(con, spec)  # before any delivery of this run: the slices as they were
    earlier = deliveries.earlier_loads(con, spec.name, rules)
    first_id = deliveries.next_delivery_id(con)
    outcomes: list[FileOutcome] = []
    without_rows: list[LogEntry] = []
    staged: list[Delivery] = []
    later: list[tuple[Seen, FileFacts, int]] = []  # the same content as a delivery of this run
    in_this_run: set[tuple[str, str]] = set()
    for i, (seen, facts) in enumerate(new):
        delivery_id = first_id + i
        file_key: str | None = None
        try:
            file_key = deliveries.file_key(spec, seen.path.name)
            if facts.problem:
                raise FileRejected(facts.problem)
            same = earlier.get((file_key, facts.content_hash))
            if same is not None:
                result = guard.apply(file_key, deliveries.identical_outcome(seen, same))
                result.delivery_id = delivery_id
            elif (file_key, facts.content_hash) in in_this_run:
                later.append((seen, facts, delivery_id))
                continue
            else:
                header, header_line = read_header(seen.path, facts.encoding)
                found = plan(spec, header)
                in_this_run.add((file_key, facts.content_hash))
                staged.append(Delivery(seen, facts, delivery_id, file_key, found, header_line))
                continue
        except FileRejected as problem:
            result = _refused(seen, problem, [], delivery_id)
        outcomes.append(result)
        without_rows.append(LogEntry(spec.name, seen, file_key, facts.encoding, result, rules))
    deliveries.log_without_rows(con, without_rows)

    identity_sql.set_key(con, key)
    try:
        plain = [d for d in staged if staging.suits_plain(d.seen.path, d.facts.plain)]
        for batch in _batches(plain):
            outcomes += _load_plain(con, spec, batch, key, rules, guard)
        plain_ids = {d.delivery_id for d in plain}
        for d in staged:
            if d.delivery_id not in plain_ids:
                outcomes += _stage_batch(con, spec, [d], key, rules, guard, python=True)
        for seen, facts, delivery_id in later:  # rare: after the first copy has been written
            outcomes += _deliver_again(con, spec, seen, facts, delivery_id, key, rules, guard)
    finally:
        identity_sql.clear_key(con)
        validation.drop(con)
    return sorted(outcomes, key=lambda o: o.delivery_id or 0)


def _batches(plain: list[Delivery]) -> Iterator[list[Delivery]]:
    """Plain deliveries grouped by header (in delivery order), at most BATCH_BYTES each."""
    groups: dict[tuple[str, ...], list[Delivery]] = {}
    for d in plain:
        groups.setdefault(d.plan.header, []).append(d)
    for group in groups.values():
        batch: list[Delivery] = []
        size = 0
        for d in group:
            if batch and size + d.seen.size > BATCH_BYTES:
                yield batch
                batch, size = [], 0
            batch.append(d)
            size += d.seen.size
        if batch:
            yield batch


def _deliver_again(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    seen: Seen,
    facts: FileFacts,
    delivery_id: int,
    key: bytes,
    rules: str,
    guard: Guard,
) -> list[FileOutcome]:
    """A delivery with the content and key of an earlier delivery of this run: identical to it
    if that one loaded, else staged itself."""
    file_key = deliveries.file_key(spec, seen.path.name)
    same = deliveries.earlier_loads(con, spec.name, rules).get((file_key, facts.content_hash))
    if same is not None:
        result = guard.apply(file_key, deliveries.identical_outcome(seen, same))
        result.delivery_id = delivery_id
    else:
        try:
            header, header_line = read_header(seen.path, facts.encoding)
            found = plan(spec, header)
        except FileRejected as problem:
            result = _refused(seen, problem, [], delivery_id)
        else:
            d = Delivery(seen, facts, delivery_id, file_key, found, header_line)
            python = not staging.suits_plain(seen.path, facts.plain)
            return _stage_batch(con, spec, [d], key, rules, guard, python=python)
    deliveries.log_without_rows(
        con, [LogEntry(spec.name, seen, file_key, facts.encoding, result, rules)]
    )
    return [result]


def _load_plain(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    batch: list[Delivery],
    key: bytes,
    rules: str,
    guard: Guard,
) -> list[FileOutcome]:
    """Load a batch of plain files sharing a header. Their checked rows are appended straight to
    the history (validation.insert_clean_rows); a file with anything to report — a rejected or
    routed row, a rounded decimal, rows of another period, possible duplicates — has its rows
    removed again in the same transaction and goes the careful way (`_stage_batch`)."""
    found = batch[0].plan
    files = [BatchFile(k, d.seen.path, d.file_key, d.header_line) for k, d in enumerate(batch)]
    ids = [d.delivery_id for d in batch]
    outcomes: list[FileOutcome] = []
    careful: list[Delivery] = []
    con.execute("begin transaction")
    try:
        staged = staging.plain_source(spec, found, files)
        validation.insert_clean_rows(con, spec, found, staged, ids)
        appended = history.appended_rows(con, spec, ids)
        dirty = {d for d, (_clean, not_clean) in appended.items() if not_clean}
        dirty |= history.duplicated_deliveries(con, spec, ids)
        if dirty:
            history.drop_appended(con, spec, sorted(dirty))
        entries = []
        for d in batch:
            if d.delivery_id in dirty:
                careful.append(d)
                continue
            rows = appended[d.delivery_id][0]
            check = validation.FileCheck(rows_read=rows, rows_loaded=rows)
            result = guard.apply(d.file_key, _result(spec, d, check))
            entries.append(LogEntry(spec.name, d.seen, d.file_key, d.facts.encoding, result, rules))
            outcomes.append(result)
        deliveries.write_load_log(con, entries)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    if careful:
        outcomes += _stage_batch(con, spec, careful, key, rules, guard, python=False)
    return outcomes


def _stage_batch(
    con: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    batch: list[Delivery],
    key: bytes,
    rules: str,
    guard: Guard,
    *,
    python: bool,
) -> list[FileOutcome]:
    """Stage, check and write files sharing a header (python: one file, csv module)."""
    found = batch[0].plan
    files = [BatchFile(k, d.seen.path, d.file_key, d.header_line) for k, d in enumerate(batch)]
    try:
        if python:
            try:
                source = staging.python_source(
                    con, spec, found, files[0], batch[0].facts.encoding, key
                )
            except FileRejected as problem:  # a quote never closed
                d = batch[0]
                result = _refused(d.seen, problem, list(found.warnings), d.delivery_id)
                deliveries.log_without_rows(
                    con, [LogEntry(spec.name, d.seen, d.file_key, d.facts.encoding, result, rules)]
                )
                return [result]
        else:
            source = staging.plain_source(spec, found, files)
        validation.check(con, spec, found, source, duplicates=python)
        if spec.unique and not python and validation.has_duplicate_candidates(con):
            validation.check(con, spec, found, source, duplicates=True)
        routed = validation.routed_files(con) if not python else []
        checks = validation.summarise(
            con, spec, found, [k for k in range(len(batch)) if k not in routed]
        )
        outcomes, entries, loaded = [], [], {}
        for k, d in enumerate(batch):
            if k in routed:
                continue
            result = guard.apply(d.file_key, _result(spec, d, checks[k]))
            entry = LogEntry(spec.name, d.seen, d.file_key, d.facts.encoding, result, rules)
            entries.append(entry)
            outcomes.append(result)
            if result.status in ("loaded", HELD):  # a held file's rows are kept, not current
                loaded[k] = entry
        history.write_batch(con, spec, entries, loaded)
    finally:
        validation.drop(con)
        if python:
            staging.unregister(con)
    for k in routed:  # a row the SQL did not decide: this file the Python way, alone
        outcomes += _stage_batch(con, spec, [batch[k]], key, rules, guard, python=True)
    return outcomes


def _result(spec: ExportSpec, d: Delivery, found: validation.FileCheck) -> FileOutcome:
    """The outcome of a staged and checked file."""
    if found.rows_loaded + found.rows_rejected != found.rows_read:  # a bug, never bad input
        raise RuntimeError(
            f"{found.rows_read} rows read, {found.rows_loaded} + {found.rows_rejected} checked"
        )
    warnings = list(d.plan.warnings)
    if found.other_period is not None:
        count, first, value = found.other_period
        col = spec.key_column
        problem = FileRejected(
            f"{count} rad(er) har {col} för en annan period än filnamnets nyckel "
            f"{d.file_key} (första: rad {first}, {col} '{value}'); hela filen avvisas"
        )
        return _refused(d.seen, problem, warnings, d.delivery_id)
    if found.mixed is not None and spec.all_or_none is not None:
        count, first = found.mixed
        column, groups = spec.all_or_none
        problem = FileRejected(
            f"{count} rad(er) med samma {' och '.join(groups)} har {column} på vissa rader men "
            f"inte på andra (första: rad {first}); hela filen avvisas"
        )
        return _refused(d.seen, problem, warnings, d.delivery_id)
    warnings += found.warnings
    if found.rows_read == 0:
        what = (
            f"ögonblicksbilden {d.file_key} är tom"
            if spec.key_kind is KeyKind.SNAPSHOT
            else f"{d.file_key} blir tom i lagret"
        )
        warnings.append(f"filen har inga rader: {what}")
    return FileOutcome(
        file_name=d.seen.name,
        status="loaded",
        rows_read=found.rows_read,
        rows_loaded=found.rows_loaded,
        rows_rejected=found.rows_rejected,
        warnings=warnings,
        reasons=found.reasons,
        delivery_id=d.delivery_id,
    )


__all__ = [
    "BATCH_BYTES",
    "BLANK_LINE_RE",
    "ExportOutcome",
    "FileOutcome",
    "Outstanding",
    "delivered_files",
    "load_export",
    "outstanding_rejects",
    "record_unknown_files",
]
