"""Paths and environment shared by the CLI, the Dagster definitions and the tests.

Nothing here reads the environment at import time: every value is resolved when asked for,
so tests and the CLI can point the same definitions at another landing directory or warehouse.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
REFERENCE_DIR = DBT_PROJECT_DIR / "seeds"
EVIDENCE_DIR = REPO_ROOT / "evidence"
EVIDENCE_DIR_ENV = "BISTAND_EVIDENCE_DIR"


def evidence_dir() -> Path:
    """The Evidence project a refresh builds the pages in: evidence/, or $BISTAND_EVIDENCE_DIR
    (a copy of it, e.g. for a test that must not touch evidence/build)."""
    given = os.environ.get(EVIDENCE_DIR_ENV, "").strip()
    return Path(given).resolve() if given else EVIDENCE_DIR


# dbt from the same environment as this interpreter, also when the venv is not activated.
_VENV_DBT = Path(sys.executable).parent / "dbt"
DBT_EXECUTABLE = str(_VENV_DBT) if _VENV_DBT.exists() else (shutil.which("dbt") or "dbt")

LANDING_ENV = "BISTAND_LANDING"
WAREHOUSE_ENV = "BISTAND_WAREHOUSE"
KEY_ENV = "EB_PSEUDONYM_KEY"


@dataclass(frozen=True)
class Paths:
    """Where one refresh reads its deliveries and writes its files."""

    landing: Path
    warehouse: Path

    @property
    def publish_file(self) -> Path:
        """The file the pages read: a copy of the `publish` schema, replaced atomically."""
        return self.warehouse.with_name("publish.duckdb")

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder for this warehouse: compiled SQL, run results, dbt.log and the
        partial-parse state. dbt re-parses the whole project when the profile changes, and the
        warehouse path is part of the profile, so each warehouse keeps its own (one shared
        folder would make every refresh of another warehouse a full parse)."""
        return self.warehouse.with_name("dbt_target")

    @property
    def key_file(self) -> Path:
        """Where the generated pseudonym key lives when EB_PSEUDONYM_KEY is unset."""
        return self.warehouse.with_name("pseudonym.key")

    @classmethod
    def from_env(cls) -> Paths:
        landing = os.environ.get(LANDING_ENV) or str(REPO_ROOT / "data" / "landing")
        warehouse = os.environ.get(WAREHOUSE_ENV) or str(REPO_ROOT / "data" / "warehouse.duckdb")
        return cls(landing=Path(landing).resolve(), warehouse=Path(warehouse).resolve())
