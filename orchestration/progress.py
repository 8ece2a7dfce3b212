"""What a person at a terminal sees of a refresh: one line per step, the rest in a log file.

Two Dagster loggers, configured by the CLI's run config (a run started by the Dagster daemon or
the UI keeps Dagster's own console logger):

- `progress` prints one Swedish line per finished step to the terminal: each loader with its new
  files, rows and seconds; the dbt build with its models and checks; publish; pages.
- `logfile` writes every Dagster log record, at every level, to the refresh's log file.

dbt's own output (dagster-dbt writes it to `sys.stdout`) is redirected into the same file by the
CLI (orchestration/run.py); `--verbose` shows the file's lines live as well.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

from dagster import Field, InitLoggerContext, logger

from orchestration.numbers import seconds, thousands

# Where the progress lines go: the terminal the CLI had before it sent stdout/stderr to the log
# file (orchestration/run.py sets it; stdout otherwise).
TERMINAL: TextIO | None = None

_STEP_LABELS = {
    "dbt_warehouse": "dbt build",
    "published": "publicering",  # and the Word reports, in the same step
}


# The loaders' one step (orchestration/assets/loaders.py): a line per export it materialises.
LOADER_STEP = "raw"


def step_label(step_key: str) -> str:
    """`raw` → `laddning`, `published__pages` → `sidor`, …"""
    if step_key in _STEP_LABELS:
        return _STEP_LABELS[step_key]
    if step_key == "published__pages":
        return "sidor"
    if step_key == LOADER_STEP:
        return "laddning"
    return step_key


def export_label(asset_key: Any) -> str:
    """`raw/utbetalningar` → `utbetalningar`, `raw/okanda_filer` → `okända filer`."""
    return asset_key.path[-1].replace("okanda_filer", "okända filer")


@dataclass
class _Step:
    files: int | None = None
    rows: int | None = None
    rejected: int | None = None
    materialized: int = 0
    checks_passed: int = 0
    checks_failed: int = 0
    extra: list[str] = field(default_factory=list)


# A step that runs longer (the dbt build of the national profile) shows how far it has come.
HEARTBEAT_SECONDS = 30.0


class ProgressHandler(logging.Handler):
    """Turns Dagster events into one line per finished step (and a line every
    HEARTBEAT_SECONDS while a long step materialises assets)."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.DEBUG)
        self.stream = stream
        self.steps: dict[str, _Step] = {}
        self.started: dict[str, float] = {}
        self.shown = time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        meta: dict[str, Any] | None = getattr(record, "dagster_meta", None)
        event = meta.get("dagster_event") if meta else None
        if event is None:
            return
        key = event.step_key or ""
        step = self.steps.setdefault(key, _Step())
        kind = event.event_type_value
        if kind == "STEP_START":
            self.started[key] = self.shown = time.monotonic()
        elif kind in ("ASSET_MATERIALIZATION", "ASSET_CHECK_EVALUATION") and key == "dbt_warehouse":
            self._heartbeat(key, step)  # long: a line every HEARTBEAT_SECONDS
        if kind == "ASSET_MATERIALIZATION":
            step.materialized += 1
            materialization = event.event_specific_data.materialization
            metadata = materialization.metadata
            if "rader_laddade" in metadata:  # an export loaded: its line now
                export = _Step(
                    files=metadata["nya_leveranser"].value,
                    rows=metadata["rader_laddade"].value,
                    rejected=metadata["rader_avvisade"].value,
                )
                took = metadata["sekunder"].value if "sekunder" in metadata else None
                self._line(export_label(materialization.asset_key), export, took, ok=True)
        elif kind == "ASSET_CHECK_EVALUATION":
            if event.event_specific_data.passed:
                step.checks_passed += 1
            else:
                step.checks_failed += 1
        elif kind == "STEP_SUCCESS" and key != LOADER_STEP:  # the loaders' lines are written
            self._line(step_label(key), step, event.event_specific_data.duration_ms / 1000, ok=True)
        elif kind == "STEP_FAILURE":
            self._line(step_label(key), step, None, ok=False)

    def _heartbeat(self, key: str, step: _Step) -> None:
        now = time.monotonic()
        if now - self.shown < HEARTBEAT_SECONDS:
            return
        self.shown = now
        elapsed = now - self.started.get(key, now)
        self.stream.write(
            f"  {step_label(key):<20} … {step.materialized} klara, "
            f"{step.checks_passed + step.checks_failed} kontroller hittills, {seconds(elapsed)}\n"
        )
        self.stream.flush()

    def _line(self, name: str, step: _Step, duration: float | None, ok: bool) -> None:
        """`name`: an export, or a step's label."""
        parts: list[str] = []
        if step.rows is not None:
            parts.append(f"{step.files} nya filer, {thousands(step.rows)} rader")
            if step.rejected:
                parts.append(f"{thousands(step.rejected)} avvisade")
        elif name == _STEP_LABELS["dbt_warehouse"]:
            parts.append(f"{step.materialized} modeller")
            checks = step.checks_passed + step.checks_failed
            parts.append(f"{checks} kontroller ({step.checks_failed} fallerade)")
        if duration is not None:
            parts.append(seconds(duration))
        if not ok:
            parts.append("MISSLYCKADES")
        self.stream.write(f"  {name:<20} {', '.join(parts)}\n")
        self.stream.flush()


@logger(
    config_schema={},
    description="One Swedish line per finished step on the terminal (bistand refresh).",
)
def progress_logger(init_context: InitLoggerContext) -> logging.Logger:
    log = logging.Logger("bistand.progress", level=logging.DEBUG)
    log.addHandler(ProgressHandler(TERMINAL or sys.stdout))
    return log


@logger(
    config_schema={
        "path": Field(str, default_value="", description="the log file; empty: none"),
        "echo": Field(bool, default_value=False),
    },
    description="Every Dagster log record into the refresh's log file (and stderr with echo).",
)
def logfile_logger(init_context: InitLoggerContext) -> logging.Logger:
    config = init_context.logger_config
    log = logging.Logger("bistand.logfile", level=logging.DEBUG)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    if config["path"]:
        handler = logging.FileHandler(config["path"], encoding="utf-8")
        handler.setFormatter(formatter)
        log.addHandler(handler)
    if config["echo"]:
        echo = logging.StreamHandler(sys.__stderr__ or sys.stderr)
        echo.setFormatter(formatter)
        log.addHandler(echo)
    return log
