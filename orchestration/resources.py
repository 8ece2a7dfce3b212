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
        path.parent.mkdir(parents=True, exist_ok=True)
        with DuckDBResource(database=str(path)).get_connection() as con:
            yield con

    def pseudonym_key(self) -> bytes:
        return load_or_create_key(self.paths().key_file)
