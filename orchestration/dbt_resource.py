"""dagster-dbt's `DbtCliResource`, without the two set-up steps this project never uses.

Before every `dbt` command dagster-dbt (0.29) runs `dbt --version` in a subprocess to learn the
installed version, and builds a dbt adapter in this process (loading every macro of the
project) — the adapter only serves `.fetch_column_metadata()`, which the refresh does not call.
Together that is seconds of every refresh (a Python process start, dbt's imports, the macro
parse) before dbt itself starts. Here the version comes from the installed dbt-core package's
metadata (the `dbt` executable is the one of this environment: orchestration/settings.py), and
no adapter is built, so this process never imports dbt (orchestration/dagster_dbt_import.py).
Everything else — the subprocess, its events, asset checks — is dagster-dbt's, except that the
`dbt` child is started to die with the refresh (orchestration/children.py): a killed refresh
leaves no `dbt build` writing the warehouse without the lock.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property, partial
from types import ModuleType
from typing import Any

from packaging import version

from orchestration import dbt_warm
from orchestration.children import die_with_parent
from orchestration.dagster_dbt_import import DbtCliResource, dbt_cli_invocation


class _SubprocessDyingWithParent(ModuleType):
    """`subprocess` as dagster-dbt sees it while it starts dbt: `Popen` hands the command to
    the refresh's warm `dbt` process when there is one (orchestration/dbt_warm.py), else starts
    `dbt` with the parent-death signal; everything else is the real module's."""

    def __init__(self) -> None:
        super().__init__("subprocess")
        self._popen = partial(subprocess.Popen, preexec_fn=die_with_parent())

    def Popen(self, args: list[str], **kwargs: Any) -> subprocess.Popen:
        warm = dbt_warm.claim(list(args), kwargs.get("env") or {})
        return warm if warm is not None else self._popen(args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)


@contextmanager
def _children_die_with_parent() -> Iterator[None]:
    saved = dbt_cli_invocation.subprocess
    dbt_cli_invocation.subprocess = _SubprocessDyingWithParent()  # type: ignore[assignment]
    try:
        yield
    finally:
        dbt_cli_invocation.subprocess = saved


class BistandDbtCliResource(DbtCliResource):
    """`DbtCliResource` without `dbt --version` and without an in-process adapter."""

    @cached_property
    def _cli_version(self) -> version.Version:
        # dbt-core's own version, from the installed package's metadata: this process does not
        # import dbt (orchestration/dagster_dbt_import.py)
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Any) -> None:  # type: ignore[override]
        return None

    def cli(self, args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """dagster-dbt's `cli`, its dbt process dying with this one."""
        with _children_die_with_parent():
            return super().cli(args, **kwargs)
