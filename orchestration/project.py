"""The dbt project as Dagster sees it (one module-level DbtProject, as dagster-dbt recommends)."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from pathlib import Path

from orchestration.dagster_dbt_import import DbtProject, using_dagster_dev
from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _manifest_is_stale() -> bool:
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")
    for name in sources:
        path = DBT_PROJECT_DIR / name
        files = [path] if path.is_file() else path.rglob("*")
        if any(f.is_file() and f.stat().st_mtime > built for f in files):
            return True
    return False


# What `dbt parse` leaves that others read: Dagster's @dbt_assets reads manifest.json at import,
# the next parse starts from partial_parse.msgpack.
_PARSE_OUTPUTS = ("manifest.json", "semantic_manifest.json", "partial_parse.msgpack")


def ensure_manifest(force: bool = False) -> None:
    """`dbt parse` when the manifest is missing (fresh clone) or older than the dbt sources.

    Two processes of one checkout may want it at once (two refreshes of different warehouses,
    tests in parallel): one parses while the other waits on a lock, and the parse is written
    to a folder of its own and renamed into place, so a reader never sees half a manifest.
    """
    if not (force or _manifest_is_stale()):
        return
    target = Path(dbt_project.manifest_path).parent
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (force or _manifest_is_stale()):
            return  # another process parsed while this one waited
        from orchestration.dbt_resource import BistandDbtCliResource

        scratch = Path(tempfile.mkdtemp(prefix="parse-", dir=target))
        try:
            state = target / "partial_parse.msgpack"
            if state.exists():
                shutil.copyfile(state, scratch / state.name)
            dbt = BistandDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
            dbt.cli(["parse", "--quiet"], target_path=scratch).wait()
            for name in _PARSE_OUTPUTS:
                if (scratch / name).exists():
                    os.replace(scratch / name, target / name)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


# `dagster dev` re-parses on every load (what dagster-dbt's `prepare_if_dev` does for a project
# without packages, but in the dbt child: its preparer would build a dbt adapter in this
# process, orchestration/dagster_dbt_import.py); anything else (a fresh clone, the CLI, tests)
# parses once here when there is no manifest yet, since @dbt_assets reads it at import time.
if using_dagster_dev():
    ensure_manifest(force=True)
elif not dbt_project.manifest_path.exists():
    ensure_manifest()
