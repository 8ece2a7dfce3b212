"""The dbt project as Dagster sees it (one module-level DbtProject, as dagster-dbt recommends)."""

from __future__ import annotations

from dagster_dbt import DbtProject

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


def ensure_manifest(force: bool = False) -> None:
    """`dbt parse` when the manifest is missing (fresh clone) or older than the dbt sources."""
    if force or _manifest_is_stale():
        from orchestration.dbt_resource import BistandDbtCliResource

        dbt = BistandDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
        dbt.cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()


# `dagster dev` re-parses on every load; anything else (a fresh clone, the CLI, tests) parses
# once here when there is no manifest yet, since @dbt_assets reads it at import time.
dbt_project.prepare_if_dev()
if not dbt_project.manifest_path.exists():
    ensure_manifest()
