"""`bistand accept FILE`: let a held re-delivery replace its slice (orchestration/loaders/guard.py).

The newest load-log row of the file must be `held`. It becomes `loaded` (or `identical`, when its
rows are an earlier delivery's), with `accepted_at` set and the acceptance added to its message;
nothing else changes. The next refresh is then not "nothing new" (uptodate.py): it makes the
file current, rebuilds from its month (incremental.py) and publishes. Taken under the writer lock.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.loaders.deliveries import now
from orchestration.loaders.identifiers import mask
from orchestration.loaders.literals import literal, text
from orchestration.loaders.storage import ensure_raw_layer
from orchestration.lock import WriterLock
from orchestration.settings import Paths


class NotHeld(ValueError):
    """The file has no held delivery to accept."""


def accept(paths: Paths, file: str) -> str:
    """Accept the held delivery of `file` (a name or path); a Swedish line saying what was done."""
    name = mask(Path(file).name)
    if not paths.warehouse.exists():
        raise NotHeld(f"lagret {paths.warehouse} finns inte")
    lock = WriterLock(paths.warehouse)
    lock.acquire()
    try:
        con = duckdb.connect(str(paths.warehouse))
        try:
            return _accept(con, name)
        finally:
            con.close()
    finally:
        lock.release()


def _accept(con: duckdb.DuckDBPyConnection, name: str) -> str:
    try:
        row = con.execute(
            "select delivery_id, status, same_as_delivery_id, file_key from raw.load_log "
            f"where file_name = {text(name)} order by delivery_id desc limit 1"
        ).fetchone()
    except duckdb.CatalogException:
        row = None
    if row is None:
        raise NotHeld(f"{name}: ingen leverans med det namnet i lagrets leveranslogg")
    delivery_id, status, same_as, file_key = row
    if status != "held":
        raise NotHeld(f"{name}: senaste leveransen (nr {delivery_id}) hålls inte (status {status})")
    ensure_raw_layer(con)  # an older warehouse gets the accepted_at column
    accepted_at = now()
    new_status = "identical" if same_as is not None else "loaded"
    con.execute(
        f"update raw.load_log set status = {text(new_status)}, "
        f"accepted_at = {literal(accepted_at)}, "
        "message = message || ' — GODKÄND med bistand accept ' "
        f"|| strftime({literal(accepted_at)}, '%Y-%m-%d %H:%M') || ' (UTC)' "
        f"where delivery_id = {literal(delivery_id)}"
    )
    return (
        f"{name} godkänd (leverans {delivery_id}): den ersätter {file_key} vid nästa "
        "uppdatering (bistand refresh)"
    )
