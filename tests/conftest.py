"""Shared fixtures: one generated tiny delivery and one refreshed warehouse for the session.

A refresh runs the whole Dagster job (loaders, dbt build, publish) in a subprocess through the
`bistand` console script, exactly as a user would; tests that need other data build their own.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

BISTAND = str(Path(sys.executable).parent / "bistand")
REPO_ROOT = Path(__file__).resolve().parent.parent

# "Today" for the generator (orchestration/synthetic/generate.py): fixed, so that no test depends
# on the date it runs — the issue 20 scenario, a run on 4 December 2026 (the last full month is
# November 2026; the newest published population is 31 December 2025). The environment carries
# it into every `bistand generate` the tests start.
TEST_TODAY = "2026-12-04"
os.environ["BISTAND_TODAY"] = TEST_TODAY


@dataclass(frozen=True)
class Refreshed:
    landing: Path
    warehouse: Path
    exit_code: int
    output: str

    @property
    def publish_file(self) -> Path:
        return self.warehouse.with_name("publish.duckdb")

    @property
    def dagster_home(self) -> Path:
        return self.warehouse.parent / "dagster_home"

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder of this warehouse (orchestration/settings.py)."""
        return self.warehouse.parent / "dbt_target"

    @property
    def log_dir(self) -> Path:
        """The refresh's log files (orchestration/run.py)."""
        return self.warehouse.parent / "logs"


def run_bistand(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the console script; the pseudonym key comes from the test environment."""
    full_env = {**os.environ, "EB_PSEUDONYM_KEY": "test-key-not-secret", **(env or {})}
    full_env.pop("DAGSTER_HOME", None)
    return subprocess.run(
        [BISTAND, *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=REPO_ROOT,
        check=False,
    )


def refresh(landing: Path, warehouse: Path, *extra: str) -> Refreshed:
    """`bistand refresh` without rebuilding the pages (the browser test builds them itself)."""
    result = run_bistand(
        "refresh", "--landing", landing, "--warehouse", warehouse, "--no-pages", *extra
    )
    return Refreshed(landing, warehouse, result.returncode, result.stdout + result.stderr)


@pytest.fixture(scope="session")
def tiny_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "landing"
    result = run_bistand("generate", "--out", out, "--profile", "tiny", "--seed", "7")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def refreshed_warehouse(tiny_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Refreshed:
    """The tiny delivery refreshed once into a fresh warehouse (shared, treat as read-only)."""
    work = tmp_path_factory.mktemp("warehouse")
    landing = work / "landing"
    shutil.copytree(tiny_landing, landing, copy_function=shutil.copy2)
    refreshed = refresh(landing, work / "warehouse.duckdb")
    assert refreshed.exit_code == 0, refreshed.output[-5000:]
    return refreshed


# The calibrated stockholm profile from 2021-01 to 2022-03 (2021 complete, January 2022 final —
# its two re-deliveries are in — and two preliminary months after it), refreshed once for the
# session without pages: tests/test_calibration.py checks its figures against the real ones,
# tests/test_disclosure.py that no hidden KPI figure can be computed from the shown ones.
STOCKHOLM_FIRST, STOCKHOLM_LAST = "2021-01", "2022-03"


@pytest.fixture(scope="session")
def stockholm_refreshed(tmp_path_factory: pytest.TempPathFactory) -> Refreshed:
    """The stockholm profile (seed 0) refreshed once (shared, treat as read-only)."""
    from orchestration.synthetic import generate

    work = tmp_path_factory.mktemp("calibration")
    landing = work / "landing"
    generate(landing, profile="stockholm", seed=0, start=STOCKHOLM_FIRST, end=STOCKHOLM_LAST)
    refreshed = refresh(landing, work / "warehouse.duckdb")
    assert refreshed.exit_code == 0, refreshed.output[-5000:]
    return refreshed


# The published KPI tables whose content the fault and orchestration tests compare.
KPI_TABLES = ("kpi", "indicator", "area")


def table_hashes(publish_file: Path, tables: tuple[str, ...] = KPI_TABLES) -> dict[str, str]:
    """A hash of each published table's rows (in a fixed order)."""
    con = duckdb.connect(str(publish_file), read_only=True)
    try:
        return {
            t: hashlib.sha256(
                repr(
                    con.execute(f"select * from publish.publish.{t} order by all").fetchall()
                ).encode()
            ).hexdigest()
            for t in tables
        }
    finally:
        con.close()


# --- the Evidence site, built and checked while the other tests run --------------------------
# Building the site (npm: sources + build, mostly one node process) takes a minute or more, and
# Chromium's walk through every page (check_site.mjs) as long again. The browser tests run last;
# the site and the Chromium report they judge are made one after the other in a background
# thread from the session's refreshed warehouse as soon as the session starts, while the Python
# tests use the other core.

SITE_TESTS = "tests/browser/test_site.py"
_site: Future | None = None
_report: Future | None = None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The browser tests last (a stable sort: the order within each group is kept)."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/browser/"))


@pytest.fixture(scope="session", autouse=True)
def site_built_in_background(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Starts the site build, then the Chromium report, when the session has site tests."""
    global _site, _report
    if not any(item.nodeid.startswith(SITE_TESTS) for item in request.session.items):
        yield
        return
    from tests.browser import site_build, test_site

    refreshed = request.getfixturevalue("refreshed_warehouse")
    site_dir, browser_dir = tmp_path_factory.mktemp("site"), tmp_path_factory.mktemp("browser")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="site-build") as executor:
        site = executor.submit(site_build.build_site, refreshed.publish_file, site_dir)
        _site = site
        # the same worker, so it starts once the site is built (and fails with it)
        _report = executor.submit(
            lambda: test_site.make_report(site.result(), refreshed.warehouse, browser_dir)
        )
        yield
    _site = _report = None


def background_site() -> Future | None:
    """The site build started for this session (tests/browser/test_site.py waits for it)."""
    return _site


def background_report() -> Future | None:
    """The Chromium report started for this session after the site build."""
    return _report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """docs/reliability.md from what this session's tests recorded (tests/reliability.py)."""
    from tests import reliability

    reliability.write()
