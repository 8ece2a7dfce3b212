"""Publish: copy the `publish` schema into the file the pages read, atomically.

The pages never open the live warehouse (DuckDB allows one writer, and a half-built warehouse
must never be shown): the publish tables are written to a temporary file beside the published
one, which then replaces it with one rename. A failed run leaves the previous file untouched.
"""

import os
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.resources import WarehouseResource

PUBLISH_TABLES = ("kpi", "indicator", "area")


def publish_file(warehouse_file: Path, target: Path) -> dict[str, int]:
    """Write the publish schema of `warehouse_file` to `target` atomically; row counts per table."""
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(str(tmp))
    try:
        own = con.execute("select current_database()").fetchone()[0]
        con.execute(f"attach '{warehouse_file}' as warehouse (read_only)")
        con.execute(f'create schema "{own}".publish')
        for table in PUBLISH_TABLES:
            con.execute(
                f'create table "{own}".publish.{table} as select * from warehouse.publish.{table}'
            )
            counts[table] = con.execute(f'select count(*) from "{own}".publish.{table}').fetchone()[
                0
            ]
        con.execute("detach warehouse")
        con.execute("checkpoint")
    finally:
        con.close()
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
    counts = publish_file(paths.warehouse, paths.publish_file)
    context.log.info(f"Publicerat {paths.publish_file}: {counts}")
    return MaterializeResult(
        metadata={
            "fil": MetadataValue.path(str(paths.publish_file)),
            **{f"rader_{table}": MetadataValue.int(n) for table, n in counts.items()},
        }
    )
