"""Dagster's SQLite storage, with the event log reusing one SQLAlchemy engine per database file.

Dagster's `SqliteEventLogStorage` creates and disposes of a SQLAlchemy engine for every write
(several per event: the run's own database, the cross-run index, the asset-check tables). A dbt
build is a few hundred events, so that set-up — not SQLite — was most of what recording a
refresh cost (profiled: ~5 engine creations per event). This subclass keeps one engine per
database file for the life of the process. Engines still use `NullPool` (a new SQLite
connection per transaction, exactly as before), the files and tables are Dagster's own, and the
same lock serialises writers, so the webserver and the daemon read it as any Dagster instance.

It is selected in the instance's `dagster.yaml` (orchestration/instance.py writes it):

    storage:
      custom:
        module: orchestration.dagster_storage
        class: BistandSqliteStorage
        config: {base_dir: <DAGSTER_HOME>}
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, QueuePool


class ReusedEngineEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with one engine per shard (database file) instead of one per
    transaction."""

    # Set in a CLI refresh (orchestration/instance.py): keep each file's SQLite connection open
    # between transactions instead of opening and closing one per transaction (profiled: ~1 900
    # connects and closes a stockholm refresh, ~1.5 s, and every new connection reads the schema
    # again). One process, no fork; other processes (webserver, daemon) keep NullPool.
    keep_connections: ClassVar[bool] = False

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: dict[str, Engine] = {}  # the parent's __init__ already connects
        self._tables_seen: set[str] = set()
        self._columns_seen: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            if self.keep_connections:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=QueuePool,
                    pool_size=1,
                    max_overflow=4,  # a nested transaction on the same file gets its own
                    connect_args={
                        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                        "check_same_thread": False,  # transactions serialised by _db_lock
                    },
                )
            else:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=NullPool,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                )
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    # Dagster asks the index database whether a table or column exists before every asset
    # event it stores (`has_table` with an engine of its own each time; profiled: ~0.9 s of a
    # stockholm refresh). A table or column, once there, stays for the life of the process
    # (Dagster's migrations add, and run only from `dagster instance migrate`), so a "yes" is
    # remembered; a "no" is asked again.
    def has_table(self, table_name: str) -> bool:
        if table_name in self._tables_seen:
            return True
        exists = super().has_table(table_name)
        if exists:
            self._tables_seen.add(table_name)
        return exists

    def _has_asset_key_col_on_connection(self, conn: Connection, column_name: str) -> bool:
        if column_name in self._columns_seen:
            return True
        exists = super()._has_asset_key_col_on_connection(conn, column_name)
        if exists:
            self._columns_seen.add(column_name)
        return exists

    def delete_events(self, run_id: str) -> None:
        """Delete the run's events, and its database file: Dagster deletes the rows but keeps
        the file (~120 KB a run, so a pruned instance would still grow with every run)."""
        with self._db_lock:  # the run's file is removed: forget its engine first
            engine = self._engines.pop(run_id, None)
            if engine is not None:
                engine.dispose()
        super().delete_events(run_id)
        with self._db_lock:
            engine = self._engines.pop(run_id, None)
            if engine is not None:
                engine.dispose()
            self._initialized_dbs.discard(run_id)
            for suffix in (".db", ".db-wal", ".db-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(self._base_dir, f"{run_id}{suffix}"))

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


def _history(base: str, *parts: str) -> str:
    return os.path.join(base, "history", *parts, "")


class BistandSqliteStorage(DagsterSqliteStorage):
    """Dagster's default SQLite storage (same files under `base_dir`), with the event log above."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self.base_dir = base_dir
        self._run_storage = SqliteRunStorage.from_local(_history(base_dir))
        self._event_log_storage = ReusedEngineEventLogStorage(_history(base_dir, "runs"))
        self._schedule_storage = SqliteScheduleStorage.from_local(
            os.path.join(base_dir, "schedules")
        )
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData, config_value: dict[str, Any]
    ) -> BistandSqliteStorage:
        os.makedirs(config_value["base_dir"], exist_ok=True)
        return cls(config_value["base_dir"], inst_data=inst_data)
