"""Resources: where the refresh reads and writes, and the single DuckDB write connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from orchestration.lock import WriterLock
from orchestration.pseudonym import load_or_create_key
from orchestration.runlog import record_start
from orchestration.settings import Paths

# The storage format a new warehouse file is written in. DuckDB's default for a new file is still
# the format of v1.0 (so that old versions can read it); the v1.4 format writes a table faster:
# measured with DuckDB 1.5.6 on the stockholm profile, fct_person_month (1,5 M rows) 0,66–1,04 s
# in the v1.0 format and 0,47–0,57 s in v1.4 (0,19–0,23 s into a temporary table, which is not
# written to the file at all). The format belongs to the file: every later connection, DuckDB
# 1.4 or newer, reads and writes it without being told (an existing file keeps its format).
# The pages never read this file (publish.py copies what they need into a file of its own).
WAREHOUSE_STORAGE_VERSION = "v1.4.0"


def create_warehouse_file(path: Path) -> None:
    """Create an empty warehouse file at `path` in WAREHOUSE_STORAGE_VERSION, unless it exists.

    The setting is given to this short connection only: DuckDB refuses a second connection to
    the same file in one process with a different configuration than an open one.
    """
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    config = {"storage_compatibility_version": WAREHOUSE_STORAGE_VERSION}
    duckdb.connect(str(path), config=config).close()


class WarehouseResource(ConfigurableResource):
    """The landing directory and the warehouse file of one deployment.

    Unset fields fall back to BISTAND_LANDING / BISTAND_WAREHOUSE at run time (never at import),
    then to data/landing and data/warehouse.duckdb in the repository.
    """

    landing: str | None = None
    warehouse: str | None = None
    wait_for_lock: bool = False
    # rebuild every month of the month-keyed facts (orchestration/incremental.py)
    full_rebuild: bool = False

    _lock: WriterLock | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Take the one-writer lock for the whole run (released in teardown or by the kernel).

        Sensors use this resource outside of any run: they only read the landing directory.
        """
        if not context.run_id:
            return
        self._lock = WriterLock(self.paths().warehouse)
        self._lock.acquire(wait=self.wait_for_lock)
        with self.connect() as con:
            record_start(con, context.run_id)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.release()

    def paths(self) -> Paths:
        defaults = Paths.from_env()
        return Paths(
            landing=Path(self.landing).resolve() if self.landing else defaults.landing,
            warehouse=Path(self.warehouse).resolve() if self.warehouse else defaults.warehouse,
        )

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The one write connection; closed (and checkpointed) when the block ends."""
        path = self.paths().warehouse
        create_warehouse_file(path)
        with DuckDBResource(database=str(path)).get_connection() as con:
            yield con

    def pseudonym_key(self) -> bytes:
        return load_or_create_key(self.paths().key_file)
