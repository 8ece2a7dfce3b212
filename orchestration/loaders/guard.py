"""The delivery guard: a suspicious re-delivery of a month or year is held, not made current.

A monthly or yearly export's newest delivery replaces its slice entirely (engine.py). A
re-delivery that would do harm is **held** instead (`raw.load_log.status = 'held'`): its rows
and rejects are stored like any delivery's, but the current delivery of its key stays current,
until someone accepts it with `bistand accept FILE` (orchestration/accept.py), which records the
acceptance in the load log (`accepted_at`, and the status becomes `loaded` or `identical`).

Held when there is a current delivery of the same key and the new one
- has no rows loaded while the current one has rows (e.g. a header-only re-delivery), or
- has fewer than half the current delivery's loaded rows, or
- rejects more than `BISTAND_MAX_REJECTED_PERCENT` percent of its rows (default 1).

First deliveries of a key and snapshot exports are never held (a snapshot is judged against no
earlier slice of its own key). A held file is outstanding — exit code 2, the asset check, the
Datakvalitet page — while it is in the landing directory and no later delivery of its key has
replaced it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import duckdb

from orchestration.loaders.contract import ExportSpec, KeyKind
from orchestration.loaders.literals import text
from orchestration.loaders.outcomes import FileOutcome

HELD = "held"
MAX_REJECTED_ENV = "BISTAND_MAX_REJECTED_PERCENT"
DEFAULT_MAX_REJECTED_PERCENT = 1.0


def max_rejected_percent() -> float:
    """The highest share of rejected rows (percent) a re-delivery may have and still replace."""
    raw = os.environ.get(MAX_REJECTED_ENV, "").strip().replace(",", ".")
    if not raw:
        return DEFAULT_MAX_REJECTED_PERCENT
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(
            f"{MAX_REJECTED_ENV}={raw!r} är inget tal (procent, t.ex. 1 eller 2,5)"
        ) from None
    if not 0 <= value <= 100:
        raise ValueError(f"{MAX_REJECTED_ENV}={raw!r} ska vara mellan 0 och 100 (procent)")
    return value


@dataclass(frozen=True)
class Slice:
    """The current delivery of one key."""

    file_name: str
    rows_loaded: int


@dataclass(frozen=True)
class Guard:
    """The current slices of one export and the rejected-share limit, for one load."""

    slices: dict[str, Slice]
    max_percent: float

    def hold_reason(self, file_key: str | None, outcome: FileOutcome) -> str | None:
        """Why `outcome` must not replace its slice (Swedish), or None."""
        current = self.slices.get(file_key) if file_key else None
        if current is None:
            return None
        if outcome.rows_loaded == 0 and current.rows_loaded > 0:
            return f"0 rader laddade, nuvarande leverans har {current.rows_loaded}"
        if 2 * outcome.rows_loaded < current.rows_loaded:
            return (
                f"{outcome.rows_loaded} rader laddade, under hälften av nuvarande leverans "
                f"{current.rows_loaded}"
            )
        read = outcome.rows_read
        if read and outcome.rows_rejected * 100 > self.max_percent * read:
            share = f"{100 * outcome.rows_rejected / read:.1f}".replace(".", ",")
            limit = f"{self.max_percent:g}".replace(".", ",")
            return (
                f"{outcome.rows_rejected} av {read} rader avvisade ({share} %, gränsen är "
                f"{limit} %, {MAX_REJECTED_ENV})"
            )
        return None

    def apply(self, file_key: str | None, outcome: FileOutcome) -> FileOutcome:
        """`outcome` held (status and message) when it must not replace its slice."""
        if outcome.status not in ("loaded", "identical"):
            return outcome
        reason = self.hold_reason(file_key, outcome)
        if reason is None:
            return outcome
        current = self.slices[file_key]  # type: ignore[index]
        outcome.status = HELD
        outcome.message = (
            f"{outcome.file_name}: HÅLLEN, ersätter inte {file_key} ({reason}); "
            f"{current.file_name} gäller. Godkänn den med: bistand accept {outcome.file_name}"
        )
        return outcome


def guard_for(con: duckdb.DuckDBPyConnection, spec: ExportSpec) -> Guard:
    """The guard of one export's load: its current slices (none for snapshot exports)."""
    limit = max_rejected_percent()
    if spec.key_kind is KeyKind.SNAPSHOT:
        return Guard({}, limit)
    rows = con.execute(
        "select c.file_key, c.file_name, l.rows_loaded from raw.current_deliveries as c "
        "join raw.load_log as l using (delivery_id) "
        f"where c.export = {text(spec.name)}"
    ).fetchall()
    return Guard({key: Slice(name, loaded) for key, name, loaded in rows}, limit)
