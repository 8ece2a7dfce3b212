"""dagster-dbt's `DbtCliResource`, without the two set-up steps this project never uses.

Before every `dbt` command dagster-dbt (0.29) runs `dbt --version` in a subprocess to learn the
installed version, and builds a dbt adapter in this process (loading every macro of the
project) — the adapter only serves `.fetch_column_metadata()`, which the refresh does not call.
Together that is seconds of every refresh (a Python process start, dbt's imports, the macro
parse) before dbt itself starts. Here the version comes from the installed dbt-core package
(the `dbt` executable is the one of this environment: orchestration/settings.py), and no
adapter is built. Everything else — the subprocess, its events, asset checks — is dagster-dbt's.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from dagster_dbt import DbtCliResource
from packaging import version


class BistandDbtCliResource(DbtCliResource):
    """`DbtCliResource` without `dbt --version` and without an in-process adapter."""

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__ as installed

        return version.parse(installed)

    def _initialize_dbt_core_adapter(self, args: Any) -> None:  # type: ignore[override]
        return None
