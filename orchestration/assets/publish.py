"""Publish: copy the `publish` schema into the file the pages read, atomically.

The pages never open the live warehouse (DuckDB allows one writer, and a half-built warehouse
must never be shown): the publish tables are written to a temporary file beside the published
one, which then replaces it with one rename. A failed run leaves the previous file untouched.
"""

import os
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.faults import fault_point
from orchestration.pages import build_site
from orchestration.reports import write_reports
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


@asset(
    key=AssetKey(["published", "publish_file"]),
    group_name="publish",
    deps=[AssetKey(["publish", table]) for table in PUBLISH_TABLES],
    description="The publish schema copied to publish.duckdb, the file Evidence reads.",
    kinds={"duckdb"},
)
def published_file(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    paths = warehouse.paths()
    with warehouse.connect() as con:
        record_published(con, context.run_id)
    counts = publish_file(paths.warehouse, paths.publish_file)
    context.log.info(f"Publicerat {paths.publish_file}: {counts}")
    return MaterializeResult(
        metadata={
            "fil": MetadataValue.path(str(paths.publish_file)),
            **{f"rader_{table}": MetadataValue.int(n) for table, n in counts.items()},
        }
    )


@asset(
    key=AssetKey(["published", "reports"]),
    group_name="publish",
    deps=[published_file],
    description=(
        "The tertial reports as Word documents, one per area and period, written with "
        "python-docx from publish.rapport in the published file (folder `rapporter` beside it); "
        "only documents whose rows changed are written again."
    ),
    kinds={"docx"},
)
def reports(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    done = write_reports(warehouse.paths().publish_file)
    context.log.info(
        f"Rapporter (Word): {done.written} skrivna, {done.unchanged} oförändrade, "
        f"{done.removed} borttagna på {done.seconds} s"
    )
    return MaterializeResult(
        metadata={
            "skrivna": MetadataValue.int(done.written),
            "oforandrade": MetadataValue.int(done.unchanged),
            "borttagna": MetadataValue.int(done.removed),
            "sekunder": MetadataValue.float(done.seconds),
        }
    )


@asset(
    key=AssetKey(["published", "pages"]),
    group_name="publish",
    deps=[published_file, reports],
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
