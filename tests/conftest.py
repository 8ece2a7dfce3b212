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
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.children import sigterm_kept

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


# --- work started in the background when the session starts --------------------------------
# The test session is one process; most tests wait on a subprocess (a refresh, dbt, Evidence,
# Chromium) with one core busy. Fixtures that cost a refresh or more and that no early test
# needs are made in a background thread from the session's start (right after the site's chain
# has started, below), one after the other, each waiting on its subprocesses (so that the
# thread holds no GIL while they run). A module
# registers such a fixture's maker with `made_in_background`; the fixture asks `prepared()`,
# which waits for the background's result or, when the session did not start it, makes it.
# The site and Chromium's walk through it have a thread of their own (below).


@dataclass(frozen=True)
class Preparation:
    """What the background makes under a name: `maker(work, *values of the session fixtures
    `needs`)`, for the tests that use fixture `used_by`."""

    maker: Callable[..., Any]
    needs: tuple[str, ...]
    used_by: str


BACKGROUND: dict[str, Preparation] = {}
_prepared: dict[str, Future] = {}


def made_in_background(
    name: str, *needs: str, used_by: str | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Registers the maker of fixture `name` (called with a new folder and the values of the
    session fixtures `needs`); `used_by`: the fixture that asks for it, if not `name`."""

    def register(maker: Callable[..., Any]) -> Callable[..., Any]:
        BACKGROUND[name] = Preparation(maker, needs, used_by or name)
        return maker

    return register


def prepared(name: str, request: pytest.FixtureRequest) -> Any:
    """Fixture `name`'s value: from the background, or made now."""
    started = _prepared.get(name)
    if started is not None:
        return started.result()
    preparation = BACKGROUND[name]
    work = request.getfixturevalue("tmp_path_factory").mktemp(name)
    return preparation.maker(work, *(request.getfixturevalue(n) for n in preparation.needs))


def generate_and_refresh(work: Path, *generate_args: str) -> Refreshed:
    """`bistand generate --out <work>/landing <generate_args>`, then a refresh of it into
    <work>/warehouse.duckdb (both as subprocesses); both must succeed."""
    landing = work / "landing"
    generated = run_bistand("generate", "--out", landing, *generate_args)
    assert generated.returncode == 0, generated.stderr[-5000:]
    refreshed = refresh(landing, work / "warehouse.duckdb")
    assert refreshed.exit_code == 0, refreshed.output[-5000:]
    return refreshed


@made_in_background("stockholm_refreshed")
def _stockholm(work: Path) -> Refreshed:
    return generate_and_refresh(
        work, "--profile", "stockholm", "--seed", "0",
        "--from", STOCKHOLM_FIRST, "--to", STOCKHOLM_LAST,
    )  # fmt: skip


@pytest.fixture(scope="session")
def stockholm_refreshed(request: pytest.FixtureRequest) -> Refreshed:
    """The stockholm profile (seed 0) refreshed once (shared, treat as read-only)."""
    return prepared("stockholm_refreshed", request)


@dataclass(frozen=True)
class DbtRun:
    """A `dbt` command's result and its target folder (run_results.json, manifest.json)."""

    result: subprocess.CompletedProcess[str]
    target: Path


@made_in_background("dbt_unit_tests", "refreshed_warehouse")
def run_dbt_unit_tests(work: Path, refreshed: Refreshed) -> DbtRun:
    """dbt's unit tests (`dbt test --select test_type:unit`) on a copy of the tiny warehouse."""
    from orchestration import dbt_warm

    copy = work / "warehouse.duckdb"
    shutil.copy2(refreshed.warehouse, copy)
    target = work / "target"
    result = dbt_warm.run(copy, target, ["test", "--select", "test_type:unit"])
    return DbtRun(result, target)


@pytest.fixture(scope="session")
def dbt_unit_tests(request: pytest.FixtureRequest) -> DbtRun:
    """dbt's unit tests, run once (tests/test_dbt.py judges them)."""
    return prepared("dbt_unit_tests", request)


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


# --- the Evidence site, built and checked while the other tests run ---------------------------
# The site (npm: sources + build, a minute or more) and then Chromium's walk through every page
# (check_site.mjs), made in a background thread of their own from the session's refreshed
# warehouse, judged by tests/browser/test_site.py.

SITE_TESTS = "tests/browser/test_site.py"
_site: Future | None = None
_report: Future | None = None
_evidence: Future | None = None
# When each step of the site's chain ran (seconds since the session started), for the one line
# pytest_terminal_summary prints: whether the chain or the other tests set the session's length.
_SESSION_START = time.monotonic()
_chain_times: list[tuple[str, float, float]] = []


def _timed(step: str, work: Callable[[], Any]) -> Any:
    started = time.monotonic()
    try:
        return work()
    finally:
        _chain_times.append((step, started - _SESSION_START, time.monotonic() - _SESSION_START))


# --- Evidence's node packages, installed while the first tests run ---------------------------
# `make test` installs the Python packages and Chromium before pytest starts; Evidence's node
# packages (`make evidence-deps`: npm install and the patch check — ~25 s with a warm npm cache,
# longer on a fresh machine) are installed by the session itself, in the site's thread, while
# the tiny refresh and the first tests run. The site build follows it in that thread; the other
# tests that use the packages (a real page build, Chromium's driver) ask `evidence_installed`.


def install_evidence() -> None:
    """`make evidence-deps` in the repository; its output in the error if it fails."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    result = subprocess.run(
        ["make", "--no-print-directory", "evidence-deps"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"`make evidence-deps` failed (exit {result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )


@pytest.fixture(scope="session")
def evidence_installed() -> None:
    """Evidence's node packages are installed (by the background, or now)."""
    if _evidence is not None:
        _evidence.result()
    else:
        install_evidence()


def _uses_prepared(item: pytest.Item) -> bool:
    """Whether the test needs a fixture made in the background (it then runs late)."""
    used_by = {preparation.used_by for preparation in BACKGROUND.values()}
    return any(name in used_by for name in getattr(item, "fixturenames", ()))


# Tests that run several refreshes each (CPU-bound on both cores): after the others, with the
# longest last, so that as few of them as possible meet the background's busiest part (the site
# build, Chromium's walk) — measured: the kill -9 test took 54 s alone and 112–122 s while
# Chromium walked the site. (Last of all, after the browser tests, the session waited ~90 s
# for Chromium's walk with nothing else to do: 490 s against 472 s.)
REFRESHING_TESTS = (
    "tests/test_privacy.py",
    "tests/test_orchestration.py",
    "tests/test_oracle_differential.py",
    "tests/test_faults.py",
)


def _group(item: pytest.Item) -> tuple[int, int]:
    path = item.nodeid.split("::")[0]
    if item.nodeid.startswith("tests/browser/"):
        return (3, 0)
    if path in REFRESHING_TESTS:
        return (2, REFRESHING_TESTS.index(path))
    if _uses_prepared(item):
        return (1, 0)
    return (0, 0)


# Dagster maps SIGTERM to SIGINT's handler whenever it swaps its interrupt handlers and leaves it
# so (orchestration/children.py: sigterm_kept). In a session whose SIGINT is ignored — run
# without a terminal, as in CI — a test's in-process Dagster run (e.g. `materialize`) left
# SIGTERM ignored in this process, so every process a later test started ignored SIGTERM too
# and was stopped only by the SIGKILL that follows 10 s later: ~20 s in
# tests/test_bench.py alone, the kill -9 test's page build, and the site's http.server, which
# did not stop on SIGTERM in one fresh-clone run (33eab57). Each test leaves SIGTERM as it
# found it, so every test starts with the SIGTERM the session started with.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    with sigterm_kept():
        return (yield)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The other tests first (while the background works), then the tests of what the
    background made, the refreshing ones and the browser tests (a stable sort: the order
    within each group is kept)."""
    items.sort(key=_group)


@pytest.fixture(scope="session", autouse=True)
def background_work(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Starts the background work this session's tests need (see above)."""
    global _site, _report, _evidence
    items = request.session.items
    wanted = {name for item in items for name in getattr(item, "fixturenames", ())}
    site_tests = any(item.nodeid.startswith(SITE_TESTS) for item in items)
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="prepare") as prepare,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="site-build") as site_worker,
    ):
        # Evidence's packages while the main thread makes the tiny refresh the site needs
        if site_tests or "evidence_installed" in wanted:
            _evidence = site_worker.submit(_timed, "evidence-deps", install_evidence)
        # the site first: the session's longest chain (tiny refresh → site build → Chromium)
        if site_tests:
            from tests.browser import site_build, test_site

            refreshed = _timed(
                "tiny refresh", lambda: request.getfixturevalue("refreshed_warehouse")
            )
            site_dir = tmp_path_factory.mktemp("site")
            browser_dir = tmp_path_factory.mktemp("browser")
            installed = _evidence

            def build() -> site_build.Site:
                assert installed is not None
                installed.result()  # done (the same thread); raises its error if it failed
                return site_build.build_site(refreshed.publish_file, site_dir)

            site = site_worker.submit(_timed, "site build", build)
            _site = site
            # the same worker, so it starts once the site is built (and fails with it)
            _report = site_worker.submit(
                _timed,
                "browser walk",
                lambda: test_site.make_report(site.result(), refreshed.warehouse, browser_dir),
            )
        for name, preparation in BACKGROUND.items():
            if preparation.used_by in wanted:
                work = tmp_path_factory.mktemp(name)
                values = [request.getfixturevalue(n) for n in preparation.needs]
                _prepared[name] = prepare.submit(preparation.maker, work, *values)
        try:
            yield
        finally:
            _site = _report = _evidence = None
            _prepared.clear()


def background_site() -> Future | None:
    """The site build started for this session (tests/browser/test_site.py waits for it)."""
    return _site


def background_report() -> Future | None:
    """The Chromium report started for this session after the site build."""
    return _report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line: when the background chain's steps ran, in seconds since the session started."""
    if _chain_times:
        terminalreporter.write_line(
            "background chain: "
            + ", ".join(
                f"{step} {end - start:.0f} s ({start:.0f}–{end:.0f})"
                for step, start, end in _chain_times
            )
            + f"; session {time.monotonic() - _SESSION_START:.0f} s"
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """docs/reliability.md from what this session's tests recorded (tests/reliability.py)."""
    from tests import reliability

    reliability.write()
