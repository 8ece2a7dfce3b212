"""Publish: copy the `publish` schema into the file the pages read, atomically.

The pages never open the live warehouse (DuckDB allows one writer, and a half-built warehouse
must never be shown): the publish tables are written to a temporary file beside the published
one, which then replaces it with one rename. A failed run leaves the previous file untouched.
"""

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from orchestration.faults import fault_point
from orchestration.pages import build_site
from orchestration.reports import (
    Staged,
    Written,
    commit_reports,
    discard_reports,
    read_reports,
    reports_dir,
    stage_reports,
    write_reports,
)
from orchestration.resources import WarehouseResource
from orchestration.runlog import PAGES_ONLY_SCOPE, record_build_scope, record_published

PUBLISH_TABLES = ("kpi", "indicator", "area", "rapport")
# The storage format of the published file: the newest that Evidence's DuckDB reader
# (@duckdb/node-api 1.4.x) can open — it refuses v1.5 files (notes/evidence.md) — and faster to
# write than DuckDB's default for a new file (v1.0): publishing the stockholm profile took
# 0,84–0,92 s in v1.0 and 0,63–0,68 s in v1.4.
PUBLISH_STORAGE_VERSION = "v1.4.0"
# Copied as they are from the warehouse's `meta` schema (the run log for the data-quality page).
META_TABLES = ("refresh_runs",)


def publish_file(warehouse_file: Path, target: Path) -> dict[str, int]:
    """Write the publish schema of `warehouse_file` to `target` atomically; row counts per table.

    Every table of the warehouse's `publish` schema is copied (the dbt models there are what the
    pages may read), plus the run log. The file is written beside the target and renamed over it.
    """
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(
        str(tmp), config={"storage_compatibility_version": PUBLISH_STORAGE_VERSION}
    )
    try:
        own = con.execute("select current_database()").fetchone()[0]
        con.execute(f"attach '{warehouse_file}' as warehouse (read_only)")
        con.execute(f'create schema "{own}".publish')
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'warehouse' and table_schema = 'publish' order by 1"
            ).fetchall()
        ]
        copies = [(f"warehouse.publish.{t}", t) for t in tables]
        copies += [(f"warehouse.meta.{t}", t) for t in META_TABLES]
        for source, table in copies:
            # sorted, so that the same content gives the same file content
            con.execute(
                f'create table "{own}".publish.{table} as select * from {source} order by all'
            )
            counts[table] = con.execute(f'select count(*) from "{own}".publish.{table}').fetchone()[
                0
            ]
        con.execute("detach warehouse")
        con.execute("checkpoint")
    finally:
        con.close()
    fault_point("publicering")
    os.replace(tmp, target)
    return counts


PUBLISH_FILE = AssetKey(["published", "publish_file"])
REPORTS = AssetKey(["published", "reports"])


@multi_asset(
    name="published",
    specs=[
        AssetSpec(
            PUBLISH_FILE,
            group_name="publish",
            deps=[AssetKey(["publish", table]) for table in PUBLISH_TABLES],
            description="The publish schema copied to publish.duckdb, the file Evidence reads.",
            kinds={"duckdb"},
        ),
        AssetSpec(
            REPORTS,
            group_name="publish",
            deps=[PUBLISH_FILE],
            description=(
                "The tertial reports as Word documents, one per area and period, written with "
                "python-docx from publish.rapport (folder `rapporter` beside the published "
                "file); only documents whose rows changed are written again."
            ),
            kinds={"docx"},
        ),
    ],
    can_subset=True,
)
def published(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[MaterializeResult]:
    """Publish, and the Word reports, in one step. Copying the tables is DuckDB's work and
    writing the documents Python's, so they run side by side: on the stockholm profile publish
    took 0,68 s and the documents then 0,45–0,85 s, one after the other with the second core
    idle; the one step takes 1,0–1,1 s (incremental refreshes, against 1,2–1,6 s for the two
    steps in the same hour). The documents are read from the warehouse's publish.rapport — the
    rows the published file gets — and put in place only after it: a failed publish leaves those
    of the last one. Materialised alone, the reports are written from the published file."""
    paths = warehouse.paths()
    selected = context.selected_asset_keys
    out_dir = reports_dir(paths.publish_file)
    if PUBLISH_FILE in selected:
        with warehouse.connect() as con:
            record_published(con, context.run_id)
        staging: Future[Staged] | None = None
        with ThreadPoolExecutor(max_workers=1) as pool:
            if REPORTS in selected:
                rows = read_reports(paths.warehouse)
                staging = pool.submit(stage_reports, rows, out_dir)
            try:
                counts = publish_file(paths.warehouse, paths.publish_file)
            except BaseException:
                if staging is not None:
                    with contextlib.suppress(BaseException):
                        discard_reports(staging.result())
                raise
        context.log.info(f"Publicerat {paths.publish_file}: {counts}")
        yield MaterializeResult(
            asset_key=PUBLISH_FILE,
            metadata={
                "fil": MetadataValue.path(str(paths.publish_file)),
                **{f"rader_{table}": MetadataValue.int(n) for table, n in counts.items()},
            },
        )
        if staging is not None:
            yield _reports_result(context, commit_reports(staging.result()))
    elif REPORTS in selected:
        yield _reports_result(context, write_reports(paths.publish_file))


def _reports_result(context: AssetExecutionContext, done: Written) -> MaterializeResult:
    context.log.info(
        f"Rapporter (Word): {done.written} skrivna, {done.unchanged} oförändrade, "
        f"{done.removed} borttagna på {done.seconds} s"
    )
    return MaterializeResult(
        asset_key=REPORTS,
        metadata={
            "skrivna": MetadataValue.int(done.written),
            "oforandrade": MetadataValue.int(done.unchanged),
            "borttagna": MetadataValue.int(done.removed),
            "sekunder": MetadataValue.float(done.seconds),
        },
    )


@asset(
    key=AssetKey(["published", "pages"]),
    group_name="publish",
    deps=[PUBLISH_FILE, REPORTS],
    description="The Evidence site (evidence/build) rebuilt from the published file.",
    kinds={"evidence"},
)
def pages(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    selection = context.run.asset_selection
    if context.job_name == "pages" or selection == {context.asset_key}:
        with warehouse.connect() as con:  # a run of the pages alone (orchestration/runlog.py)
            record_build_scope(con, context.run_id, PAGES_ONLY_SCOPE)
    timings = build_site(warehouse.paths().publish_file)
    context.log.info(f"Sidorna byggda: {timings}")
    return MaterializeResult(
        metadata={step: MetadataValue.float(seconds) for step, seconds in timings.items()}
    )
