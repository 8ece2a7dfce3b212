"""Dagster's UI as a data engineer meets it: `make ui` on the instance of one finished refresh.

One module fixture copies the Dagster instance of the session's refreshed tiny warehouse (the
CLI's run, beside the warehouse) and starts `make ui` on it — as a user would, on a free port,
without a terminal (SIGINT ignored, as for a background job) and with an empty landing
directory, so the daemon's sensors find nothing to start. Chromium (check_site.mjs, the site
test's driver) opens the global asset lineage, the Automation page, the last run and the checks
of one asset; the tests judge what the pages show. The last test stops `make ui` with SIGINT
to its process group, as Ctrl-C does, and checks that every process it started is gone.
Screenshots go to test-artifacts/dagster-ui/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus

from tests.browser.dagster_ui import Ui, descendants, make_ui
from tests.conftest import Refreshed

REPO = Path(__file__).resolve().parents[2]
CHECK_SITE = Path(__file__).with_name("check_site.mjs")
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = REPO / "test-artifacts" / "dagster-ui"
BROWSER_TIMEOUT_S = 240
STOP_TIMEOUT_S = 15
CHECKED_ASSET = ["marts", "fct_indicator_value"]
LOADER_ASSET = ["raw", "utbetalningar"]
GROUPS = ["raw", "reference", "staging", "intermediate", "marts", "publish"]
# The Automation page's rows and their on/off switches (Dagster 1.13's UI)
AUTOMATION_ROW = '[class*="ListItem_listItem__"]'
AUTOMATION_SWITCH = 'label[class*="formatSwitch"] input[type=checkbox]'
SCHEDULES = ["nightly_refresh"]
SENSORS = ["landing_sensor", "refresh_canceled", "refresh_failed", "refresh_succeeded"]


@dataclass(frozen=True)
class LastRun:
    run_id: str
    job_name: str
    status: DagsterRunStatus
    passed_checks: list[str]  # of CHECKED_ASSET, in this run
    rows_loaded: int  # LOADER_ASSET's `rader_laddade` in this run


@dataclass(frozen=True)
class Report:
    problems: list[str]
    results: dict
    visits: list[dict]


def _last_run(home: Path) -> LastRun:
    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)  # the instance's dagster.yaml reads base_dir from it
    try:
        with DagsterInstance.get() as instance:
            (run,) = instance.get_runs(limit=1)
            events = [e.dagster_event for e in instance.all_logs(run.run_id) if e.dagster_event]
    finally:
        if previous is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = previous
    passed = sorted(
        e.asset_check_evaluation_data.check_name
        for e in events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.asset_check_evaluation_data.asset_key.path == CHECKED_ASSET
        and e.asset_check_evaluation_data.passed
    )
    (rows,) = [
        e.materialization.metadata["rader_laddade"].value
        for e in events
        if e.event_type_value == "ASSET_MATERIALIZATION"
        and e.asset_key is not None
        and e.asset_key.path == LOADER_ASSET
    ]
    return LastRun(run.run_id, run.job_name, run.status, passed, int(rows))


@pytest.fixture(scope="module")
def ui_home(
    refreshed_warehouse: Refreshed, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, LastRun]:
    """A copy of the refresh's instance beside a warehouse path of its own; its last run."""
    work = tmp_path_factory.mktemp("dagster-ui")
    shutil.copytree(refreshed_warehouse.dagster_home, work / "dagster_home")
    # as after a first visit: no "Join the Dagster community" dialog over the pages
    (work / "dagster_home" / ".nux").mkdir()
    (work / "dagster_home" / ".nux" / "nux.yaml").write_text("seen: 1\n", encoding="utf-8")
    (work / "landing").mkdir()
    last = _last_run(work / "dagster_home")
    assert last.status == DagsterRunStatus.SUCCESS, last
    assert last.passed_checks, "the refresh recorded no passed check of " + "/".join(CHECKED_ASSET)
    return work, last


@pytest.fixture(scope="module")
def ui(ui_home: tuple[Path, LastRun]) -> Iterator[Ui]:
    work, _ = ui_home
    with (
        tempfile.TemporaryFile(mode="w+") as log,
        make_ui(work / "warehouse.duckdb", work / "landing", log) as ui,
    ):
        yield ui


def _visits(last: LastRun) -> list[dict]:
    body = {"do": "texts", "selector": "body"}
    return [
        {
            "path": "/asset-groups",
            "name": "lineage",
            "ready": "#root",
            "steps": [
                *({"do": "text", "text": group, "exact": True} for group in GROUPS),
                {**body, "as": "lineage_text"},
            ],
        },
        {
            "path": "/automation",
            "name": "automation",
            "ready": "#root",
            "steps": [
                *({"do": "text", "text": name, "exact": True} for name in SCHEDULES + SENSORS),
                {
                    "do": "checked",
                    "selector": AUTOMATION_ROW,
                    "input": AUTOMATION_SWITCH,
                    "as": "automation_rows",
                },
            ],
        },
        {
            "path": f"/runs/{last.run_id}",
            "name": "run",
            "ready": "#root",
            "steps": [
                {"do": "text", "text": "Success", "exact": True},
                {"do": "text", "text": "ASSET_CHECK_EVALUATION", "exact": True},
                {**body, "as": "run_text"},
            ],
        },
        {
            "path": f"/assets/{'/'.join(CHECKED_ASSET)}?view=checks",
            "name": "checks",
            "ready": "#root",
            "steps": [
                {"do": "text", "text": "Passed", "exact": True},
                {**body, "as": "checks_text"},
            ],
        },
        {
            "path": f"/assets/{'/'.join(LOADER_ASSET)}",
            "name": "loader",
            "ready": "#root",
            "steps": [
                {"do": "text", "text": "rader_laddade", "exact": True},
                {**body, "as": "loader_text"},
            ],
        },
    ]


@pytest.fixture(scope="module")
def report(
    ui: Ui, ui_home: tuple[Path, LastRun], tmp_path_factory, evidence_installed: None
) -> Report:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium`", pytrace=False)
    _, last = ui_home
    work = tmp_path_factory.mktemp("dagster-ui-browser")
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    plan_file = work / "plan.json"
    plan_file.write_text(
        json.dumps(
            {"baseUrl": ui.base_url, "artifactsDir": str(ARTIFACTS), "visits": _visits(last)}
        ),
        encoding="utf-8",
    )
    report_file = work / "report.json"
    proc = subprocess.run(
        [
            "timeout",
            "--kill-after=10",
            str(BROWSER_TIMEOUT_S),
            "node",
            str(CHECK_SITE),
            str(plan_file),
            str(report_file),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "CHECK_SITE_TIMEOUT_MS": "30000"},
    )
    print(f"make ui answered after {ui.startup_s:.1f} s\n{proc.stdout[-3000:]}")
    if proc.returncode != 0 or not report_file.exists():
        pytest.fail(
            f"check_site.mjs failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n"
            f"{proc.stderr[-3000:]}\n--- make ui ---\n{ui.output()[-3000:]}",
            pytrace=False,
        )
    data = json.loads(report_file.read_text(encoding="utf-8"))
    return Report(data["problems"], data["results"], data["visits"])


def _steps_failed(report: Report) -> list[str]:
    return [p for p in report.problems if p.startswith(("step ", "visit "))]


def test_pages_open_without_errors(report: Report) -> None:
    assert _steps_failed(report) == []
    assert [p for p in report.problems if "non-local host" in p] == []
    assert {v["path"].split("?")[0].split("/")[1] for v in report.visits} == {
        "asset-groups",
        "automation",
        "runs",
        "assets",
    }
    for name in ("lineage", "automation", "run", "checks"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000, name


def test_lineage_shows_every_layer(report: Report) -> None:
    text = report.results["lineage_text"][0]
    assert "Global asset lineage" in text
    for group in GROUPS:
        assert group in text.split(), group


def test_schedule_and_every_sensor_are_running(report: Report) -> None:
    rows = report.results["automation_rows"]
    switches = {row["text"].split()[0]: row["checked"] for row in rows}
    assert switches == {name: [True] for name in SCHEDULES + SENSORS}


def test_last_run_succeeded_with_its_checks(report: Report, ui_home: tuple[Path, LastRun]) -> None:
    _, last = ui_home
    text = " ".join(report.results["run_text"][0].split())
    assert f"Runs / {last.run_id[:8]} Success Run of {last.job_name}" in text
    # the event log: materialisations and passed checks (the list is virtualised, so only the
    # events in view are in the page)
    assert re.search(r"ASSET_CHECK_EVALUATION Check \S+ succeeded for materialization of", text)
    assert "Errored (0) No steps have errored" in text


def test_asset_checks_have_results(report: Report, ui_home: tuple[Path, LastRun]) -> None:
    _, last = ui_home
    words = report.results["checks_text"][0].split()
    assert f"Checks ({len(last.passed_checks)})" in " ".join(words)
    assert words.count("Succeeded") == len(last.passed_checks)
    assert "Passed" in words
    for check in last.passed_checks:
        assert check in words, check


def test_loader_row_count_is_shown(report: Report, ui_home: tuple[Path, LastRun]) -> None:
    """The loader's metadata table: key, time of the materialisation, value."""
    _, last = ui_home
    text = " ".join(report.results["loader_text"][0].split())
    assert re.search(rf"\brader_laddade (\S+ ){{1,3}}{last.rows_loaded}\b", text), text[:2000]
    assert re.search(r"\brader_avvisade (\S+ ){1,3}0\b", text), text[:2000]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_make_ui_stops_on_sigint_and_leaves_nothing(ui: Ui, report: Report) -> None:
    """Last: Ctrl-C (SIGINT to the process group) ends `make ui` and everything it started."""
    running = " | ".join(_cmdline(pid) for pid, _ in descendants(ui.process.pid))
    for part in ("dagster dev", "dagster_webserver", "dagster._daemon", "code-server"):
        assert part in running, part
    seconds, left = ui.stop(signal.SIGINT, STOP_TIMEOUT_S)
    assert left == set(), [_cmdline(pid) for pid, _ in left]
    assert ui.process.wait(timeout=5) == 0, ui.output()[-3000:]
    print(f"make ui stopped in {seconds:.1f} s")
