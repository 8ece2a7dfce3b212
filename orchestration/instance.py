"""The Dagster instance the CLI runs in: DAGSTER_HOME if set, else one beside the warehouse.

Either way telemetry is off (dagster.yaml), so nothing waits on the network.
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster import DagsterInstance

DAGSTER_YAML = """\
telemetry:
  enabled: false
"""


def prepare_dagster_home(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    return home


def cli_instance(warehouse: Path) -> DagsterInstance:
    home = os.environ.get("DAGSTER_HOME")
    path = Path(home).resolve() if home else warehouse.parent / "dagster_home"
    os.environ["DAGSTER_HOME"] = str(prepare_dagster_home(path))
    return DagsterInstance.get()
