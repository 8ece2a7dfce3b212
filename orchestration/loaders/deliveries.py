"""Deliveries and their bookkeeping: the landing listing, which files are new, the load log.

- A *delivery* is a landing file with a (name, size, modification time) the load log has not
  seen for its export; a file already there is not even opened (an unchanged landing directory
  costs a directory listing and one query per export). Files are taken in delivery order:
  modification time, then name.
- Every delivery gets exactly one `raw.load_log` row; delivery ids count up in delivery order.
- A delivery whose key and content hash equal an earlier *loaded* delivery's, validated against
  the same reference data and rules (`rules_hash`), is `identical`: it reuses those rows.
- `raw.landing_files` holds what the landing directory held at each loader's last run (the
  outstanding-rejects view needs it: a refused file stays outstanding while it is still there).
- Landing-file names are masked (identifiers.mask) before they are stored or logged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.loaders.contract import ExportSpec, KeyKind, export_for
from orchestration.loaders.identifiers import mask
from orchestration.loaders.literals import row, text
from orchestration.loaders.outcomes import FileOutcome, Outstanding
from orchestration.loaders.reference import reference_fingerprint
from orchestration.loaders.textfile import FileFacts, FileRejected, inspect_file

# Bump when a validation rule changes: identical re-deliveries are then validated again.
RULES_VERSION = "2"
EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class Seen:
    """A landing file as listed: name (masked), size, modification time, content hash."""

    path: Path
    name: str
    size: int
    mtime: datetime
    content_hash: str | None = None


@dataclass(frozen=True)
class EarlierLoad:
    """The first loaded delivery of a (key, content hash) under the current rules."""

    delivery_id: int
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    warnings: str | None


@dataclass(frozen=True)
class LogEntry:
    """One `raw.load_log` row to write."""

    export: str
    seen: Seen
    file_key: str | None
    encoding: str | None
    outcome: FileOutcome
    rules: str | None


def _mtime(ns: int) -> datetime:
    return EPOCH + timedelta(microseconds=ns // 1000)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def landing_paths(landing: Path) -> list[Path]:
    """Every regular, non-hidden file of the landing directory (not its subdirectories)."""
    if not landing.is_dir():
        return []
    return [p for p in landing.iterdir() if p.is_file() and not p.name.startswith(".")]


def in_delivery_order(paths: list[Path]) -> list[Seen]:
    listed = []
    for p in paths:
        st = p.stat()
        listed.append(
            (st.st_mtime_ns, p.name, Seen(p, mask(p.name), st.st_size, _mtime(st.st_mtime_ns)))
        )
    return [s for _, _, s in sorted(listed, key=lambda t: (t[0], t[1]))]


def claimed_files(spec: ExportSpec, landing: Path) -> list[Path]:
    return [p for p in landing_paths(landing) if export_for(p.name) is spec]


def delivered_files(spec: ExportSpec, landing: Path) -> list[Path]:
    """Files this export claims, oldest delivery first (mtime, then name)."""
    return [s.path for s in in_delivery_order(claimed_files(spec, landing))]


def unknown_files(landing: Path) -> list[Path]:
    return [
        s.path
        for s in in_delivery_order(
            [p for p in landing_paths(landing) if export_for(p.name) is None]
        )
    ]


def _known_events(con: duckdb.DuckDBPyConnection, export: str) -> dict[tuple, str]:
    return {
        (name, size, mtime): digest
        for name, size, mtime, digest in con.execute(
            "select file_name, file_size, file_mtime, content_hash from raw.load_log "
            f"where export = {text(export)}"
        ).fetchall()
    }


def new_deliveries(
    con: duckdb.DuckDBPyConnection, export: str, paths: list[Path]
) -> tuple[list[tuple[Seen, FileFacts]], list[Seen]]:
    """(new deliveries in delivery order with their facts, the whole listing) of `paths`."""
    known = _known_events(con, export)
    new, listing = [], []
    for seen in in_delivery_order(paths):
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


def record_listing(con: duckdb.DuckDBPyConnection, export: str, listing: list[Seen]) -> None:
    """Replace the export's rows of `raw.landing_files` by `listing` (one transaction)."""
    listed_at = now()
    statements = [f"delete from raw.landing_files where export = {text(export)}"]
    if listing:
        values = ", ".join(
            row([export, s.name, s.size, s.mtime, s.content_hash, listed_at]) for s in listing
        )
        statements.append(f"insert into raw.landing_files values {values}")
    con.execute("begin transaction")
    try:
        for statement in statements:
            con.execute(statement)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def rules_hash(spec: ExportSpec, reference_dir: Path | None = None) -> str:
    return hashlib.sha256(
        f"{RULES_VERSION}:{reference_fingerprint(spec, reference_dir)}".encode()
    ).hexdigest()


def file_key(spec: ExportSpec, name: str) -> str:
    """The key in a file's name (the file is refused when there is none or it is no date)."""
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


def next_delivery_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(delivery_id), 0) + 1 from raw.load_log").fetchone()[0]


def earlier_loads(
    con: duckdb.DuckDBPyConnection, export: str, rules: str
) -> dict[tuple[str, str], EarlierLoad]:
    """The first loaded delivery of every (key, content hash) of `export` under `rules`."""
    return {
        (key, digest): EarlierLoad(*rest)
        for key, digest, *rest in con.execute(
            "select file_key, content_hash, min(delivery_id), "
            "arg_min(rows_read, delivery_id), arg_min(rows_loaded, delivery_id), "
            "arg_min(rows_rejected, delivery_id), arg_min(warnings, delivery_id) "
            f"from raw.load_log where export = {text(export)} and rules_hash = {text(rules)} "
            "and status = 'loaded' group by all"
        ).fetchall()
    }


def identical_outcome(seen: Seen, earlier: EarlierLoad) -> FileOutcome:
    return FileOutcome(
        file_name=seen.name,
        status="identical",
        rows_read=earlier.rows_read,
        rows_loaded=earlier.rows_loaded,
        rows_rejected=earlier.rows_rejected,
        message=f"identisk med leverans {earlier.delivery_id}; raderna återanvänds",
        warnings=earlier.warnings.split("; ") if earlier.warnings else [],
        same_as_delivery_id=earlier.delivery_id,
    )


def write_load_log(con: duckdb.DuckDBPyConnection, entries: list[LogEntry]) -> None:
    """Insert the load-log rows of `entries` (the caller holds the transaction)."""
    if not entries:
        return
    loaded_at = now()
    values = ", ".join(
        row(
            [
                e.outcome.delivery_id,
                e.export,
                e.seen.name,
                e.file_key,
                e.seen.content_hash,
                e.seen.mtime,
                e.seen.size,
                loaded_at,
                e.outcome.status,
                e.encoding,
                e.outcome.rows_read,
                e.outcome.rows_loaded,
                e.outcome.rows_rejected,
                e.outcome.message,
                "; ".join(e.outcome.warnings) or None,
                e.outcome.same_as_delivery_id,
                e.rules,
            ]
        )
        for e in entries
    )
    con.execute(
        "insert into raw.load_log (delivery_id, export, file_name, file_key, content_hash, "
        "file_mtime, file_size, loaded_at, status, encoding, rows_read, rows_loaded, "
        f"rows_rejected, message, warnings, same_as_delivery_id, rules_hash) values {values}"
    )


def log_without_rows(con: duckdb.DuckDBPyConnection, entries: list[LogEntry]) -> None:
    """Record deliveries that bring no rows (refused, identical) in one transaction."""
    if not entries:
        return
    con.execute("begin transaction")
    try:
        write_load_log(con, entries)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def outstanding_rejects(con: duckdb.DuckDBPyConnection, export: str | None = None) -> Outstanding:
    """The outstanding rejects of one export (or of all, `export=None`)."""
    where = f"where export = {text(export)}" if export else ""
    result = Outstanding()
    for level, reason, count in con.execute(
        f"select level, reason, count(*) from raw.outstanding_rejects {where} "
        "group by all order by level, count(*) desc, reason"
    ).fetchall():
        if level == "fil":
            result.files.extend([reason] * count)
        elif level == "hållen":
            result.held.extend([reason] * count)
        else:
            result.rows += count
            result.reasons[reason] = count
    return result
