"""dagster-dbt, imported without dbt-core: the one place this project imports it from.

No dbt command runs in a Dagster process: `dbt build` and `dbt parse` run in a dbt child
process (orchestration/dbt_warm.py, or the `dbt` executable), which imports dbt-core itself.
Yet dagster-dbt, when dbt-core is importable, imports dbt's adapters, contracts and version at
its own import (dagster_dbt/compat.py): 1.4 s of every refresh's start-up (`python -X
importtime`), on the one core the start-up has while the warm dbt process starts on the other.
dagster-dbt also runs without dbt-core (for the dbt Fusion engine) with its own copies of those
few names (node and test statuses, node types); so this module imports it while `dbt` cannot
be imported, and every module of the project imports dagster-dbt from here.

What that path changes, and why it does not matter here:
- dagster-dbt evaluates `@dbt_assets`' selection itself: the default (every node), which is
  the only one used, reads the manifest's nodes — the same assets and checks
  (tests/test_definitions.py compares them with dbt-core's selection);
- it would learn dbt's version from `dbt --version` and would build a dbt adapter in this
  process: orchestration/dbt_resource.py does neither (the version comes from the installed
  package's metadata; the adapter only serves metadata the refresh does not fetch);
- `dagster dev`'s parse on every load runs in the dbt child (orchestration/project.py).
If dagster-dbt was imported before this module (by a test, say), it stays as it was imported.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType


class _WithoutDbtCore(importlib.abc.MetaPathFinder):
    """A finder that refuses `dbt` and its submodules (not dbt_common or dbt-duckdb's names)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == "dbt" or fullname.startswith("dbt."):
            raise ModuleNotFoundError(f"No module named {fullname!r} (dagster_dbt_import)")
        return None


def _import_without_dbt_core() -> None:
    if "dagster_dbt" in sys.modules or "dbt" in sys.modules:
        return
    finder = _WithoutDbtCore()
    sys.meta_path.insert(0, finder)
    try:
        import dagster_dbt
        import dagster_dbt.asset_utils
        import dagster_dbt.core.dbt_cli_invocation  # noqa: F401
    finally:
        sys.meta_path.remove(finder)


_import_without_dbt_core()

from dagster_dbt import (  # noqa: E402
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets  # noqa: E402
from dagster_dbt.core import dbt_cli_invocation  # noqa: E402
from dagster_dbt.dbt_project import using_dagster_dev  # noqa: E402

__all__ = [
    "DagsterDbtTranslator",
    "DagsterDbtTranslatorSettings",
    "DbtCliResource",
    "DbtProject",
    "dbt_assets",
    "dbt_cli_invocation",
    "get_manifest_and_translator_from_dbt_assets",
    "using_dagster_dev",
]
