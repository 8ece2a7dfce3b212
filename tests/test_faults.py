"""Faults: kill -9 of a refresh at several points, a busy warehouse, a held re-delivery.

Each test records what it measured for docs/reliability.md (tests/reliability.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import gzip
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from orchestration.faults import FAULT_ENV
from tests import reliability
from tests.conftest import (
    BISTAND,
    REPO_ROOT,
    Refreshed,
    refresh,
    run_bistand,
    table_hashes,
)

KILLED_AT = {
    "1": "loading (after the first loader committed; BISTAND_FAULT=laddning)",
    "2": "dbt build (the refresh killed while its dbt child builds)",
    "3": "publish (new file written beside the old one, before the rename; "
    "BISTAND_FAULT=publicering)",
}


def du(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- processes


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def descendants(pid: int, parents: dict[int, int] | None = None) -> dict[int, str]:
    """Every process below `pid`, with its command line (`parents`: a `_parents()` just read)."""
    parents = _parents() if parents is None else parents
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    commands = {}
    for p in found:
        try:
            raw = Path(f"/proc/{p}/cmdline").read_bytes()
        except OSError:
            continue
        commands[p] = raw.replace(b"\0", b" ").decode(errors="replace").strip()
    return commands


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def survivors(pids: set[int], within_s: float = 5.0) -> set[int]:
    """Those of `pids` still running after `within_s` (a zombie counts as gone)."""
    deadline = time.monotonic() + within_s
    while True:
        left = {p for p in pids if _alive(p)}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


PR_SET_CHILD_SUBREAPER = 36


@pytest.fixture
def subreaper() -> Iterator[set[int]]:
    """This test process adopts the orphans of its children (instead of init), so a process a
    killed refresh left behind is found below it; yields the processes below it before."""
    libc = ctypes.CDLL(None)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    try:
        yield set(descendants(os.getpid()))
    finally:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def _session(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[3])
    except (OSError, IndexError, ValueError):
        return None


def leftovers(before: set[int], within_s: float = 5.0) -> dict[int, str]:
    """Processes below this one that were not there `before` and still run after `within_s`;
    adopted zombies are reaped. Only a refresh's: start_refresh starts each refresh in a session
    of its own and its children stay in it, so a process below one of this test session's own
    (the browser tests' site build and Chromium, run meanwhile by tests/conftest.py) is not."""
    me, ours = os.getpid(), os.getsid(0)

    def from_a_refresh(pid: int, parents: dict[int, int]) -> bool:
        while pid != me and pid in parents:
            if _session(pid) == ours:
                return False
            pid = parents[pid]
        return True

    deadline = time.monotonic() + within_s
    while True:
        parents = _parents()
        new = {
            p: c
            for p, c in descendants(me, parents).items()
            if p not in before and from_a_refresh(p, parents)
        }
        for pid in [p for p in new if not _alive(p)]:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            new.pop(pid)
        if not new or time.monotonic() > deadline:
            return new
        time.sleep(0.05)


def start_refresh(
    work: Path, env: dict[str, str] | None = None, pages: bool = False
) -> subprocess.Popen[bytes]:
    full_env = {**os.environ, "EB_PSEUDONYM_KEY": "test-key-not-secret", **(env or {})}
    full_env.pop("DAGSTER_HOME", None)
    return subprocess.Popen(
        [
            BISTAND,
            "refresh",
            "--landing",
            str(work / "landing"),
            "--warehouse",
            str(work / "warehouse.duckdb"),
            *([] if pages else ["--no-pages"]),
        ],
        cwd=REPO_ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # only so that the test can clean up after a failure
    )


def kill_when(
    proc: subprocess.Popen[bytes], condition: Callable[[dict[int, str]], bool], timeout_s: float
) -> dict[int, str]:
    """SIGKILL the refresh's own process (not its group) once `condition(descendants)` holds;
    the descendants it had then."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the refresh finished before it could be killed"
        children = descendants(proc.pid)
        if condition(children):
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return children
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail("the moment to kill the refresh never came")


def dbt_is_building(children: dict[int, str], work: Path) -> bool:
    """Whether the refresh in `work` runs `dbt build`: a `dbt build` child, or the warm dbt
    process (orchestration/dbt_warm.py) once the refresh's log says it was handed the build."""
    if any("dbt" in cmd and " build" in cmd for cmd in children.values()):
        return True
    if not any("orchestration.dbt_warm" in cmd for cmd in children.values()):
        return False
    logs = sorted((work / "logs").glob("refresh-*.log"), key=lambda p: p.stat().st_mtime)
    return bool(logs) and "dbt kördes i processen" in logs[-1].read_text(errors="replace")


def die_by_itself(proc: subprocess.Popen[bytes], timeout_s: float = 300) -> None:
    """Wait for a refresh that kills itself (BISTAND_FAULT); it must have died by SIGKILL."""
    try:
        code = proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert code == -signal.SIGKILL, f"the refresh ended with {code}, not by the fault"


def last_run_status(warehouse: Path) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select status from meta.refresh_runs order by started_at desc limit 1"
        ).fetchone()[0]
    finally:
        con.close()


# ---------------------------------------------------------------- kill -9


def test_kill_9_while_loading_building_and_publishing_leaves_nothing_running(
    refreshed_warehouse: Refreshed, tmp_path: Path, subreaper: set[int], evidence_installed: None
) -> None:
    """One warehouse, four refreshes killed in turn (each leaves the run unfinished, so the next
    one runs again) — loading, dbt, publishing, a real page build — then a refresh that must be
    green and publish what a clean run did."""
    work = tmp_path / "crash"
    shutil.copytree(refreshed_warehouse.warehouse.parent, work)
    published = file_hash(work / "publish.duckdb")
    clean = table_hashes(refreshed_warehouse.publish_file)
    # a new delivery (the same rows, a new modification time) so that there is loading to do
    month = work / "landing" / "utbetalningar_2025-06.csv"
    later = month.stat().st_mtime + 3600
    os.utime(month, (later, later))
    rows: dict[str, dict[str, object]] = {}
    target_before = du(work / "dbt_target")
    entries_before = sorted(p.name for p in work.iterdir())

    # 1. killed while loading: right after the first loader committed (BISTAND_FAULT)
    proc = start_refresh(work, {FAULT_ENV: "laddning"})
    die_by_itself(proc)
    left = leftovers(subreaper)
    assert left == {}, f"still running: {left}"
    assert file_hash(work / "publish.duckdb") == published
    assert last_run_status(work / "warehouse.duckdb") == "pågår"
    rows["1"] = {"processes left": len(left)}

    # 2. killed while dbt builds: the dbt child must die with it (PR_SET_PDEATHSIG). Before
    #    the kill, a second refresh started meanwhile must find it busy and say who holds it.
    proc = start_refresh(work)
    second: list[tuple[subprocess.CompletedProcess[str], float]] = []

    def building(c: dict[int, str]) -> bool:
        if not dbt_is_building(c, work):
            return False
        started = time.monotonic()
        busy = run_bistand("refresh", "--landing", work / "landing", "--warehouse", warehouse)
        second.append((busy, time.monotonic() - started))
        return True

    warehouse = work / "warehouse.duckdb"
    children = kill_when(proc, building, 300)
    busy, busy_s = second[0]
    assert busy.returncode == 1
    assert "Traceback" not in busy.stderr
    assert busy.stderr.startswith(
        f"bistand refresh: en annan uppdatering pågår redan (process {proc.pid} (bistand refresh"
    ), busy.stderr
    dbt = {pid for pid, cmd in children.items() if "dbt" in cmd}
    assert len(dbt) == 1, children
    left = leftovers(subreaper)
    assert left == {}, f"still running after the refresh died: {left}"
    assert file_hash(work / "publish.duckdb") == published
    rows["2"] = {"processes left": len(left)}

    # 3. killed while publishing: the new file written beside the old one, not yet renamed
    proc = start_refresh(work, {FAULT_ENV: "publicering"})
    die_by_itself(proc)
    assert (work / ".publish.duckdb.tmp").exists(), "the fault came before the file was written"
    left = leftovers(subreaper)
    assert left == {}, f"still running: {left}"
    assert file_hash(work / "publish.duckdb") == published
    rows["3"] = {"processes left": len(left)}

    # 5. the next refresh is green and publishes exactly what a clean run publishes
    result = refresh(work / "landing", work / "warehouse.duckdb")
    assert result.exit_code == 0, result.output[-3000:]
    assert table_hashes(work / "publish.duckdb") == clean
    assert not (work / ".publish.duckdb.tmp").exists()

    # 4. killed a few seconds into a real Evidence page build: with everything else current,
    #    a refresh with pages builds only them; the next refresh (no pages) has nothing to do
    published = file_hash(work / "publish.duckdb")
    rows["4"] = kill_during_a_real_page_build(work, tmp_path, subreaper)
    assert file_hash(work / "publish.duckdb") == published
    after = refresh(work / "landing", work / "warehouse.duckdb")
    assert after.exit_code == 0, after.output[-3000:]
    assert after.output.startswith("Inget nytt"), after.output[-3000:]
    # disk: dbt's one target folder is overwritten, not multiplied; nothing new beside it
    target_after = du(work / "dbt_target")
    assert sorted(p.name for p in work.iterdir()) == entries_before
    assert target_after <= target_before * 1.25, (target_before, target_after)
    with closing(
        sqlite3.connect(f"file:{work / 'dagster_home/history/runs.db'}?mode=ro", uri=True)
    ) as db:
        (runs_kept,) = db.execute("select count(*) from runs").fetchone()
    reliability.record(
        "disk",
        "real refreshes: 1 clean + 4 killed + 1 (tiny profile)",
        {
            "runs": 6,
            "keep": "200 (default)",
            "dagster_home": reliability.mb(du(work / "dagster_home")),
            "runs kept": runs_kept,
            "logs": len(list((work / "logs").glob("refresh-*.log"))),
            "logs size": reliability.mb(du(work / "logs")),
            "dbt_target": f"{reliability.mb(target_before)} → {reliability.mb(target_after)}",
        },
    )
    reliability.record(
        "concurrent",
        "two refreshes at once",
        {
            "held by": "a refresh during its dbt build",
            "second refresh": "bistand refresh",
            "exit": 1,
            "took": reliability.within(busy_s),
            "message": "en annan uppdatering pågår redan (process <pid> (bistand refresh …), "
            "lås …); försök igen senare eller använd --wait",
        },
    )
    for key, row in rows.items():
        reliability.record(
            "faults",
            key,
            {
                "killed at": KILLED_AT.get(key),
                "published file untouched": True,
                **row,
                "next refresh exit": result.exit_code,
                "next publishes = clean run": True,
            },
        )


def _evidence_node(cmd: str) -> bool:
    """Evidence's CLI under node: `evidence sources` (it reads the published file) or
    `evidence build:strict` — not the patch check before them."""
    words = cmd.split()
    return (
        bool(words)
        and words[0].endswith("node")
        and "evidence" in cmd
        and ("sources" in words or "build:strict" in words)
    )


def kill_during_a_real_page_build(
    work: Path, tmp_path: Path, subreaper: set[int]
) -> dict[str, object]:
    """A refresh with pages killed by SIGKILL a few seconds into Evidence's real page build
    (while a node process of it runs, 3 s or more after the first appeared: `evidence sources`,
    reading the published file, or `evidence build:strict`): nothing of it is left — timeout,
    npm, node — and the pages already published (build/) are byte-identical. The build runs in
    a copy of evidence/ (BISTAND_EVIDENCE_DIR), never in the project's own; its build/ holds a
    previous build's files (Evidence copies a new build over them only once it succeeded). The
    reliability row."""
    from tests.browser.site_build import copy_site

    site = copy_site(tmp_path)
    previous = {
        "index.html": b"<!doctype html><title>\xc3\x96versikt</title>",
        "indikator/EB_HUSHALL/index.html": b"<!doctype html><title>EB_HUSHALL</title>",
        "data/kpi/kpi_tertial/kpi_tertial.parquet": os.urandom(4096),
    }
    for name, content in previous.items():
        (site / "build" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "build" / name).write_bytes(content)

    def pages() -> dict[Path, str]:
        build = site / "build"
        return {p.relative_to(build): file_hash(p) for p in build.rglob("*") if p.is_file()}

    before = pages()
    proc = start_refresh(work, {"BISTAND_EVIDENCE_DIR": str(site)}, pages=True)
    seen: list[float] = []

    # killed while a node process of Evidence runs, 3 s or more after the first appeared: the
    # sources step may be over by then (DuckDB writes its files: ~1 s on the tiny profile) and
    # build:strict not yet started
    def building_for_a_while(children: dict[int, str]) -> bool:
        running = any(_evidence_node(c) for c in children.values())
        if not seen and running:
            seen.append(time.monotonic())
        return running and time.monotonic() - seen[0] >= 3

    children = kill_when(proc, building_for_a_while, 300)
    nodes = [c for c in children.values() if _evidence_node(c)]
    assert nodes, children
    with closing(duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)) as con:
        (scope,) = con.execute(
            "select build_scope from meta.refresh_runs order by started_at desc limit 1"
        ).fetchone()
    assert scope == "endast sidorna", "the pages were not built alone"
    left = leftovers(subreaper, within_s=15)  # `timeout` ends npm and node (SIGTERM, then KILL)
    assert left == {}, f"still running after the refresh died: {left}"
    assert pages() == before, "the published pages changed"
    return {
        "killed at": "page build: 3 s into Evidence's own node process "
        f"(`{' '.join(nodes[0].split()[2:4])}`, a real build: {len(children)} processes below "
        "the refresh)",
        "processes left": len(left),
        "published file untouched": "pages (build/) byte-identical",
    }


# ---------------------------------------------------------------- busy warehouse


def _hold_open(warehouse: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding DuckDB's lock on `warehouse` (as an orphaned dbt would)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(warehouse)!r})\n"
            "print('open', flush=True)\n"
            f"time.sleep({seconds})\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
    return holder


def test_a_warehouse_held_open_by_another_process_is_busy_not_a_traceback(
    refreshed_warehouse: Refreshed, tmp_path: Path
) -> None:
    work = tmp_path / "busy"
    shutil.copytree(refreshed_warehouse.warehouse.parent, work)
    warehouse = work / "warehouse.duckdb"
    holder = _hold_open(warehouse, 60)
    try:
        started = time.monotonic()
        busy = run_bistand("refresh", "--landing", work / "landing", "--warehouse", warehouse)
        busy_s = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert busy.returncode == 1
    assert "Traceback" not in busy.stdout + busy.stderr
    message = busy.stderr.strip()
    assert message.startswith(
        f"bistand refresh: en annan uppdatering pågår redan: lagret {warehouse} hålls öppet av "
        f"process {holder.pid} (python -c import duckdb"
    ), message
    assert message.endswith("; försök igen senare eller använd --wait"), message

    holder = _hold_open(warehouse, 3)
    try:
        started = time.monotonic()
        waited = run_bistand(
            "refresh",
            "--landing",
            work / "landing",
            "--warehouse",
            warehouse,
            "--no-pages",
            "--wait",
        )
        wait_s = time.monotonic() - started
    finally:
        holder.wait()
    assert waited.returncode == 0, waited.stdout + waited.stderr
    assert waited.stdout.startswith("Inget nytt"), waited.stdout
    assert wait_s >= 2.0
    reliability.record(
        "concurrent",
        "DuckDB lock held (orphan writer)",
        {
            "held by": "another process with the warehouse open",
            "second refresh": "bistand refresh",
            "exit": 1,
            "took": reliability.within(busy_s),
            "message": "en annan uppdatering pågår redan: lagret … hålls öppet av process "
            "<pid> (<command>)",
        },
    )
    reliability.record(
        "concurrent",
        "DuckDB lock held, --wait",
        {
            "held by": "another process, for 3 s",
            "second refresh": "bistand refresh --wait",
            "exit": 0,
            "took": f"{reliability.within(wait_s)} (held 3 s)",
            "message": "waited, then: Inget nytt …",
        },
    )


def test_a_refresh_finds_another_refresh_running(tmp_path: Path) -> None:
    """Our own lock held by a running refresh (here: a process holding the lock file)."""
    (tmp_path / "landing").mkdir()
    warehouse = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nfrom pathlib import Path\nfrom orchestration.lock import WriterLock\n"
            f"WriterLock(Path({str(warehouse)!r})).acquire()\n"
            "print('held', flush=True)\ntime.sleep(60)\n",
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    try:
        started = time.monotonic()
        busy = run_bistand("refresh", "--landing", tmp_path / "landing", "--warehouse", warehouse)
        busy_s = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert busy.returncode == 1
    assert "Traceback" not in busy.stderr
    assert busy.stderr.startswith(
        f"bistand refresh: en annan uppdatering pågår redan (process {holder.pid} (python -c"
    ), busy.stderr
    assert busy.stderr.rstrip().endswith(
        f"lås {warehouse}.lock); försök igen senare eller använd --wait"
    )
    reliability.record(
        "concurrent",
        "writer lock held (a refresh running)",
        {
            "held by": "a running refresh (flock)",
            "second refresh": "bistand refresh",
            "exit": 1,
            "took": reliability.within(busy_s),
            "message": "en annan uppdatering pågår redan (process <pid> (<command>), lås …)",
        },
    )


# ---------------------------------------------------------------- delivery guard


def test_a_header_only_redelivery_is_held_by_a_refresh_then_accepted(
    refreshed_warehouse: Refreshed, tmp_path: Path
) -> None:
    from orchestration import uptodate
    from orchestration.incremental import plan_build, project_fingerprint
    from orchestration.settings import Paths

    work = tmp_path / "guard"
    shutil.copytree(refreshed_warehouse.warehouse.parent, work)
    warehouse = work / "warehouse.duckdb"
    name = "utbetalningar_2025-09.csv"
    path = work / "landing" / name
    con = duckdb.connect(str(warehouse), read_only=True)
    (before,) = con.execute(
        "select count(*) from raw.utbetalningar where bidragsmanad = '2025-09-01'"
    ).fetchone()
    con.close()
    header = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(header + "\n", encoding="utf-8")
    # and in the same refresh three bad files of the fuzz suite's kinds, of keys not delivered
    bad = {
        "utbetalningar_2026-03.csv": bytes(range(256)) * 4,  # binary
        "hushallsmedlemmar_2026-03.csv": gzip.compress(header.encode() + b"\n"),
        "befolkning_2031.csv": "ar;stadsdel_kod;kon;alder;antal\n".encode("utf-16"),
    }
    for bad_name, content in bad.items():
        (work / "landing" / bad_name).write_bytes(content)

    held = refresh(work / "landing", warehouse)
    assert held.exit_code == 2, held.output[-3000:]
    assert "Nya filer: 4 (3 avvisade hela, 1 hållna)" in held.output
    for bad_name in bad:
        assert f"  AVVISAD FIL {bad_name}: " in held.output
    message = (
        f"{name}: HÅLLEN, ersätter inte 2025-09 (0 rader laddade, nuvarande leverans har "
        f"{before}); {name} gäller. Godkänn den med: bistand accept {name}"
    )
    assert f"  HÅLLEN FIL {message}" in held.output
    assert "Hållna leveranser (nuvarande leverans gäller tills `bistand accept FIL`): 1 filer" in (
        held.output
    )
    # the month keeps its rows and the bad files add nothing: everything published is as it was
    assert table_hashes(work / "publish.duckdb") == table_hashes(refreshed_warehouse.publish_file)
    con = duckdb.connect(str(work / "publish.duckdb"), read_only=True)
    shown = con.execute(
        "select status, ar_aktuell, rader_lasta, meddelande, godkand "
        "from publish.publish.datakvalitet where filnamn = ? order by leverans_id desc limit 1",
        [name],
    ).fetchone()
    con.close()
    assert shown == ("held", False, 0, message, None)

    accepted = run_bistand("accept", name, "--warehouse", warehouse)
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.startswith(f"{name} godkänd (leverans ")
    paths = Paths(landing=work / "landing", warehouse=warehouse)
    assert uptodate.check(paths, pages=False) is None  # so the next refresh runs
    con = duckdb.connect(str(warehouse))
    try:
        (after,) = con.execute(
            "select count(*) from raw.utbetalningar where bidragsmanad = '2025-09-01'"
        ).fetchone()
        plan = plan_build(con, project_fingerprint())
        status = con.execute(
            "select status, accepted_at is not null from raw.load_log where file_name = ? "
            "order by delivery_id desc limit 1",
            [name],
        ).fetchone()
    finally:
        con.close()
    assert (after, status) == (0, ("loaded", True))
    assert (plan.full, str(plan.rebuild_from)) == (False, "2025-09-01")
    again = run_bistand("accept", name, "--warehouse", warehouse)
    assert again.returncode == 1
    assert "hålls inte (status loaded)" in again.stderr
    reliability.record(
        "guard",
        "header-only re-delivery of 2025-09 (refresh)",
        {
            "status": "held, then accepted",
            "rows of the month before": before,
            "rows after": f"{before} (held); 0 after bistand accept",
            "exit": held.exit_code,
        },
    )
    reliability.record(
        "bad_input",
        "(through a refresh) binary, gzip, UTF-16 files + a held re-delivery",
        {
            "files": 4,
            "refused": 3,
            "loaded": "1 (held)",
            "rows read": 0,
            "rows loaded": 0,
            "rows rejected": 0,
            "tracebacks": 0,
            "personnummer in rejects": 0,
            "outcome": "exit 2; publish.kpi, indicator and area unchanged",
        },
    )


def test_pages_are_replaced_only_by_a_finished_build(tmp_path: Path) -> None:
    """build/ is not emptied before a page build; after it, what the new build lacks goes."""
    from orchestration.pages import remove_stale
    from orchestration.uptodate import PAGES_MARKER

    build, fresh = tmp_path / "build", tmp_path / "fresh"
    for folder, files in (
        (build, ["index.html", "old/page.html", "data/a.parquet", PAGES_MARKER]),
        (fresh, ["index.html", "data/a.parquet", "new/page.html"]),
    ):
        for name in files:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(name)
    assert remove_stale(build, tmp_path / "missing") == 0  # a build that never finished
    assert (build / "old" / "page.html").exists()
    (build / "new").mkdir()
    (build / "new" / "page.html").write_text("new")  # what Evidence copies on success
    assert remove_stale(build, fresh) == 1
    assert sorted(str(p.relative_to(build)) for p in build.rglob("*")) == [
        PAGES_MARKER,
        "data",
        "data/a.parquet",
        "index.html",
        "new",
        "new/page.html",
    ]
