"""Stop early: is there anything for a refresh to do?

A refresh with nothing new (the nightly run on a night without deliveries, a landing sensor tick
that saw nothing) verifies the landing directory against what the warehouse recorded and exits,
without starting Dagster or dbt. It is *up to date* when all of these hold:

1. the last refresh run in `meta.refresh_runs` finished (`klar` or `klar_med_avvisningar`) —
   runs of the pages alone (build_scope `endast sidorna`) do not count: they change nothing there;
2. the landing directory lists exactly the files the loaders saw at that run
   (`raw.landing_files`: masked name, size and modification time — a new, replaced, touched or
   removed file is a change);
3. the dbt project (models, macros, seeds, settings) has the fingerprint of the last successful
   build (`meta.dbt_build_state`, orchestration/incremental.py);
4. the published file exists and was written after the last run that published started (a
   pages-only run, below, publishes nothing);
5. when pages are asked for, `evidence/build` was built from that very published file (the
   marker orchestration/pages.py writes after a build);
6. no held delivery was accepted (`bistand accept`) since that run started.

Anything else, or anything unreadable (no warehouse yet, an older layout), means "not up to date"
and the full refresh runs — except when only 5 fails (the CLI checks again without it): then it
builds the pages from the published file as it is, without loading or dbt (e.g. after a failed
page build).
This module must stay cheap: it imports neither dagster nor dbt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.loaders.literals import literal, text
from orchestration.runlog import PAGES_ONLY_SCOPE
from orchestration.settings import Paths
from orchestration.settings import evidence_dir as default_evidence_dir

FINISHED = ("klar", "klar_med_avvisningar")
PAGES_MARKER = ".bistand-publish"
EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class UpToDate:
    """Why the warehouse is current: the last run and its outstanding rejects."""

    run_id: str
    finished_at: datetime
    files: int
    outstanding_files: int
    outstanding_rows: int
    held_files: int = 0

    @property
    def anything_rejected(self) -> bool:
        return bool(self.outstanding_files or self.outstanding_rows or self.held_files)


def pages_marker(evidence_dir: Path | None = None) -> Path:
    return (evidence_dir or default_evidence_dir()) / "build" / PAGES_MARKER


def publish_stamp(publish_file: Path) -> str:
    """What identifies one published file: its path, size and modification time."""
    st = publish_file.stat()
    return f"{publish_file.resolve()}\n{st.st_size}\n{st.st_mtime_ns}\n"


def _listing(landing: Path) -> list[tuple[str, int, datetime]]:
    """The landing as the loaders list it (masked name, size, modification time): one rule."""
    from orchestration.loaders.deliveries import in_delivery_order, landing_paths

    return sorted((s.name, s.size, s.mtime) for s in in_delivery_order(landing_paths(landing)))


def _utc_naive(ns: int) -> datetime:
    """A modification time as the loaders store it: naive UTC, microseconds."""
    return EPOCH + timedelta(microseconds=ns // 1000)


def check(paths: Paths, *, pages: bool, evidence_dir: Path | None = None) -> UpToDate | None:
    """The last run when nothing has changed since it, else None (a refresh must run)."""
    if not (paths.warehouse.exists() and paths.publish_file.exists() and paths.landing.is_dir()):
        return None
    try:
        con = duckdb.connect(str(paths.warehouse), read_only=True)
    except duckdb.Error:  # another process writes it: let the refresh report that
        return None
    try:
        return _check(con, paths, pages=pages, evidence_dir=evidence_dir)
    except duckdb.Error:  # a table or column missing: an older or unfinished warehouse
        return None
    finally:
        con.close()


def _check(
    con: duckdb.DuckDBPyConnection, paths: Paths, *, pages: bool, evidence_dir: Path
) -> UpToDate | None:
    # the last run that could change the warehouse (not one of the pages alone, finished or not:
    # it wrote nothing there, and the pages marker below tells whether its pages were built)
    last = con.execute(
        "select run_id, status, started_at, finished_at from meta.refresh_runs "
        f"where build_scope is distinct from {text(PAGES_ONLY_SCOPE)} "
        "order by started_at desc, finished_at desc nulls first limit 1"
    ).fetchone()
    if last is None or last[1] not in FINISHED or last[3] is None:
        return None
    run_id, _, started_at, finished_at = last

    recorded = sorted(
        con.execute("select file_name, file_size, file_mtime from raw.landing_files").fetchall()
    )
    if recorded != _listing(paths.landing):
        return None

    from orchestration.incremental import project_fingerprint

    built = con.execute("select distinct project_fingerprint from meta.dbt_build_state").fetchall()
    if [row[0] for row in built] != [project_fingerprint()]:
        return None

    # written by the last run that published (a pages-only run publishes nothing)
    (published_by,) = con.execute(
        "select max(started_at) from meta.refresh_runs where published_at is not null"
    ).fetchone()
    published = _utc_naive(paths.publish_file.stat().st_mtime_ns)
    if published_by is None or published < published_by:
        return None
    if pages:
        marker = pages_marker(evidence_dir)
        if not marker.exists() or marker.read_text() != publish_stamp(paths.publish_file):
            return None

    (accepted,) = con.execute(
        f"select count(*) from raw.load_log where accepted_at >= {literal(started_at)}"
    ).fetchone()
    if accepted:
        return None

    outstanding = dict(
        con.execute("select level, count(*) from raw.outstanding_rejects group by level").fetchall()
    )
    return UpToDate(
        run_id=run_id,
        finished_at=finished_at,
        files=len(recorded),
        outstanding_files=outstanding.get("fil", 0),
        outstanding_rows=outstanding.get("rad", 0),
        held_files=outstanding.get("hållen", 0),
    )
