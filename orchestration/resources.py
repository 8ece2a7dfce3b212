"""Resources: where the refresh reads and writes, and the single DuckDB write connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource

from orchestration.pseudonym import load_or_create_key
from orchestration.settings import Paths


class WarehouseResource(ConfigurableResource):
    """The landing directory and the warehouse file of one deployment.

    Unset fields fall back to BISTAND_LANDING / BISTAND_WAREHOUSE at run time (never at import),
    then to data/landing and data/warehouse.duckdb in the repository.
    """

    landing: str | None = None
    warehouse: str | None = None

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
