"""`make bench`: every target of issue 22 measured side by side in one run → benchmarks/results.md.

    python -m benchmarks.run [--profiles stockholm,national] [--seed 1] [--month 2026-10]
                             [--work data/bench] [--skip-site] [--skip-oracle] [--regenerate]
                             [--make-test] [--source head|worktree]

Before any timing, the code under test is prepared like a fresh clone after `make setup`
(`--source head`, the default: a `git archive` snapshot of HEAD under work/src/, with its own
`uv sync --frozen --compile-bytecode` .venv, Evidence's node_modules, byte-compiled modules; the
dbt manifest before each refresh). Per profile (months from `--from` to M; tiny 2024-01…2025-12,
stockholm 2019-01…M, national the ten years up to M):

1. generate landing A (up to M-1) and B (up to M), same seed — reused from an earlier run when
   the same profile, seed, months and generator code were already generated (work/landings/);
2. copy A into a fresh run directory and `bistand refresh --no-pages` it into an empty warehouse
   (full refresh), measured as a fresh child process (benchmarks/measure.py);
3. the plain-DuckDB floor script on A (benchmarks/floor.py), in a fresh process;
4. the pandas oracle on A in a fresh process (benchmarks/oracle_child.py);
5. copy into A every file of B that is new or whose bytes differ, and refresh again
   (incremental refresh); then refresh once more with nothing new (its time and lines of output);
6. for the stockholm profile, the site benchmark (benchmarks/site.py): a one-page, query-free
   Evidence site and then the project's site from the run's publish file (the last refresh's).

`--make-test` then clones the measured commit into a new directory and times `CI=true make test`
there (several minutes; `--profiles ''` runs only that).

Where the time goes comes from the refresh's Dagster instance (step timings, beside the
warehouse) and dbt's run_results.json (moved from dbt_project/target into the run directory);
without them a refresh shows its wall time only. Results are saved after every step to
results.json and rendered to results.md; profiles not run this time keep their earlier figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.breakdown import dbt_breakdown, step_breakdown
from benchmarks.delivery import deliver, diff_landings, landing_summary
from benchmarks.floor import MEMORY_LIMIT
from benchmarks.measure import run_measured
from benchmarks.report import render, succeeded

REPO = Path(__file__).resolve().parents[1]
FLOOR_SCRIPT = Path(__file__).resolve().parent / "floor.py"
SNAPSHOTS_KEPT = 3  # snapshot directories (each with its .venv) kept under work/src
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Source:
    """The code under test: a snapshot of a commit (default) or the working tree as it is."""

    root: Path
    mode: str  # "head" | "worktree"
    commit: str  # short
    uncommitted: tuple[str, ...] = ()
    full_commit: str = ""
    python: Path = Path(sys.executable)  # the interpreter of the code under test's environment
    pythonpath: bool = False  # True: the main .venv with the snapshot first on PYTHONPATH
    setup: dict = field(default_factory=dict)  # what was prepared before timing

    @property
    def bistand(self) -> str:
        return str(self.python.parent / "bistand")

    @property
    def evidence(self) -> Path:
        return self.root / "evidence"

    @property
    def dbt_target(self) -> Path:
        return self.root / "dbt_project" / "target"

    @property
    def profiles_yml(self) -> Path:
        return self.root / "dbt_project" / "profiles.yml"

    @property
    def generator_dir(self) -> Path:
        return self.root / "orchestration" / "synthetic"


# Set by main(); the working tree until then (tests import this module without running it).
SOURCE = Source(REPO, "worktree", "?")
DEFAULT_MONTH = "2026-10"  # the last full month when the benchmark was written: reproducible
# First month per profile; None = the NATIONAL_MONTHS months up to M.
FIRST_MONTH: dict[str, str | None] = {"tiny": "2024-01", "stockholm": "2019-01", "national": None}
TINY_MONTH = "2025-12"  # the tiny profile's own last month
NATIONAL_MONTHS = 120
SITE_PROFILE = "stockholm"


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def add_months(month: str, n: int) -> str:
    year, mon = map(int, month.split("-"))
    index = year * 12 + (mon - 1) + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(profile: str, month: str | None) -> tuple[str, str]:
    """(first month, M) of a profile's benchmark."""
    last = month or (TINY_MONTH if profile == "tiny" else DEFAULT_MONTH)
    first = FIRST_MONTH[profile] or add_months(last, -(NATIONAL_MONTHS - 1))
    return first, last


# ---------------------------------------------------------------- environment and machine


def clean_env() -> dict[str, str]:
    """This environment without the harness's own virtualenv and the project's variables."""
    env = dict(os.environ)
    for name in (
        "DAGSTER_HOME",
        "BISTAND_LANDING",
        "BISTAND_WAREHOUSE",
        "EB_PSEUDONYM_KEY",
        "PYTHONPATH",
        "PYTHONHOME",
        "VIRTUAL_ENV",
        "UV_PROJECT_ENVIRONMENT",
    ):
        env.pop(name, None)
    if sys.prefix != sys.base_prefix:  # `make bench` runs under `uv run`: its .venv/bin first
        venv_bin = str(Path(sys.executable).parent)
        paths = env.get("PATH", "").split(os.pathsep)
        env["PATH"] = os.pathsep.join(p for p in paths if p and p.rstrip("/") != venv_bin)
    return env


def child_env() -> dict[str, str]:
    env = clean_env()
    if SOURCE.pythonpath:
        # ahead of the editable install's path (the repository): the snapshot's packages
        env["PYTHONPATH"] = str(SOURCE.root)
    env.update(
        EB_PSEUDONYM_KEY="bench-key-not-secret",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DAGSTER_TELEMETRY_ENABLED="false",
    )
    return env


def machine() -> dict:
    meminfo = {}
    with open("/proc/meminfo", encoding="ascii") as handle:
        for line in handle:
            key, value = line.split(":", 1)
            meminfo[key] = int(value.split()[0]) * 1024
    cpu_model = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu_model": cpu_model,
        "ram_bytes": meminfo.get("MemTotal"),
        "mem_available_start": meminfo.get("MemAvailable"),
        "load_start": list(os.getloadavg()),
    }


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout


def uncommitted_paths() -> list[str]:
    """Directories (two levels) with uncommitted changes in the working tree."""
    dirty = set()
    for line in _git("status", "--porcelain").splitlines():
        path = line[3:].split(" -> ")[-1].strip('"')
        if path.startswith("benchmarks/results."):
            continue
        parts = path.rstrip("/").split("/")
        dirty.add("/".join(parts[:2]) if len(parts) > 2 else parts[0])
    return sorted(dirty)


def prepare_source(mode: str, work: Path) -> Source:
    """`head`: a snapshot of the committed HEAD (git archive) under work/src/, reused per commit,
    so that other people's edits in the working tree cannot change the code mid-run, and set up
    like a fresh clone after `make setup` (setup_snapshot); `worktree`: the repository as it is,
    uncommitted changes included (and listed), in the main .venv."""
    commit = _git("rev-parse", "HEAD").strip()
    if not commit:
        raise SystemExit("benchmarks: not a git checkout (use --source worktree)")
    if mode == "worktree":
        setup = {"steps": [{"what": "code", "result": "the working tree in the main .venv"}]}
        return Source(REPO, mode, commit[:7], tuple(uncommitted_paths()), commit, setup=setup)
    root = work / "src" / commit[:12]
    if not root.is_dir():
        tmp = root.with_name(root.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit], cwd=REPO, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive.stdout, check=True)
        tmp.rename(root)
        log(f"snapshot of {commit[:7]} in {root}")
    prune_snapshots(work / "src", keep=root)
    setup = setup_snapshot(root)
    return Source(
        root,
        mode,
        commit[:7],
        full_commit=commit,
        python=Path(setup["python"]),
        pythonpath=setup["pythonpath"],
        setup=setup,
    )


def prune_snapshots(src: Path, keep: Path, n: int = SNAPSHOTS_KEPT) -> None:
    """Removes all but the newest n snapshots (each holds a .venv of several hundred MB)."""
    snapshots = sorted(
        (p for p in src.iterdir() if p.is_dir() and not p.name.endswith(".tmp")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in [p for p in snapshots if p != keep][n - 1 :]:
        log(f"removing old snapshot {old}")
        shutil.rmtree(old, ignore_errors=True)


def _uv() -> list[str] | None:
    """uv as `make setup` runs it (`python3 -m uv`), or a uv on PATH; outside this .venv."""
    path = clean_env().get("PATH")
    python3 = shutil.which("python3", path=path)
    if python3:
        probe = subprocess.run(
            [python3, "-m", "uv", "--version"], capture_output=True, check=False, env=clean_env()
        )
        if probe.returncode == 0:
            return [python3, "-m", "uv"]
    uv = shutil.which("uv", path=path)
    return [uv] if uv else None


def _tail(text: str, n: int = 300) -> str:
    return " ".join(text.strip().split())[-n:]


def _same_files(a: Path, b: Path, names: tuple[str, ...]) -> bool:
    import filecmp

    for name in names:
        pa, pb = a / name, b / name
        if pa.is_dir() or pb.is_dir():
            files_a = sorted(p.relative_to(pa) for p in pa.rglob("*") if p.is_file())
            files_b = sorted(p.relative_to(pb) for p in pb.rglob("*") if p.is_file())
            if files_a != files_b or not all(
                filecmp.cmp(pa / f, pb / f, shallow=False) for f in files_a
            ):
                return False
        elif pa.exists() != pb.exists() or (pa.exists() and not filecmp.cmp(pa, pb, shallow=False)):
            return False
    return True


EVIDENCE_INSTALL = ("package.json", "package-lock.json", ".npmrc", "patches")


def setup_evidence(root: Path) -> dict | None:
    """Evidence's node_modules for a snapshot, before the site is timed (once per snapshot):
    a link to the main checkout's when package.json, package-lock.json, .npmrc and patches/ are
    identical, else `npm install` in the snapshot, as `make setup` would."""
    evidence, main_evidence = root / "evidence", REPO / "evidence"
    marker = evidence / ".bench-node-modules.json"
    if marker.exists() and (evidence / "node_modules").exists():
        return json.loads(marker.read_text(encoding="utf-8"))
    if not evidence.is_dir():
        return None
    started = time.monotonic()
    installed = (main_evidence / "node_modules" / ".bin" / "evidence").exists()
    modules = evidence / "node_modules"
    if modules.is_symlink():
        modules.unlink()
    elif modules.exists():
        shutil.rmtree(modules)  # an install that did not finish
    if installed and _same_files(evidence, main_evidence, EVIDENCE_INSTALL):
        (evidence / "node_modules").symlink_to(main_evidence / "node_modules")
        result = (
            "node_modules linked to evidence/node_modules (package.json, package-lock.json, "
            ".npmrc and patches/ identical)"
        )
    else:
        log(f"setup: npm install in {evidence}")
        proc = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=evidence,
            env=clean_env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=1800,
        )
        if proc.returncode == 0:
            result = "`npm install` in the snapshot's evidence/ (its install inputs differ)"
        else:
            result = f"npm install failed (exit {proc.returncode}: {_tail(proc.stderr)})"
            if installed:
                shutil.rmtree(evidence / "node_modules", ignore_errors=True)
                (evidence / "node_modules").symlink_to(main_evidence / "node_modules")
                result += "; linked to evidence/node_modules instead"
    step = {"what": "Evidence", "result": result, "seconds": round(time.monotonic() - started, 1)}
    log(f"setup: {result}")
    marker.write_text(json.dumps(step), encoding="utf-8")
    return step


def setup_snapshot(root: Path) -> dict:
    """Prepare a snapshot like a fresh clone after `make setup`, once (root/.bench-setup.json):
    its own .venv (`uv sync --frozen --compile-bytecode`; else the main .venv with the snapshot
    on PYTHONPATH) and its modules byte-compiled. Evidence's node_modules: setup_evidence, when
    a site is to be built."""
    marker = root / ".bench-setup.json"
    if marker.exists():
        setup = json.loads(marker.read_text(encoding="utf-8"))
        if Path(setup["python"]).exists():
            return setup
    steps: list[dict] = []
    python, pythonpath = Path(sys.executable), True
    uv = _uv()
    started = time.monotonic()
    if uv is None:
        result = "uv not found: the main .venv with the snapshot first on PYTHONPATH"
    else:
        log(f"setup: uv sync --frozen --compile-bytecode in {root}")
        proc = subprocess.run(
            [*uv, "sync", "--frozen", "--quiet", "--compile-bytecode"],
            cwd=root,
            env=clean_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        venv_python = root / ".venv" / "bin" / "python"
        if proc.returncode == 0 and (root / ".venv" / "bin" / "bistand").exists():
            python, pythonpath = venv_python, False
            result = "`uv sync --frozen --compile-bytecode` into the snapshot's .venv"
        else:
            result = (
                f"uv sync failed (exit {proc.returncode}: {_tail(proc.stderr)}): the main .venv "
                "with the snapshot first on PYTHONPATH"
            )
    steps.append(
        {"what": "Python", "result": result, "seconds": round(time.monotonic() - started, 1)}
    )
    log(f"setup: {result}")

    started = time.monotonic()
    proc = subprocess.run(
        [python, "-m", "compileall", "-q", "-x", r"/(\.venv|node_modules)/", str(root)],
        capture_output=True,
        check=False,
        env=clean_env(),
    )
    steps.append(
        {
            "what": "bytecode",
            "result": "the snapshot's modules compiled (`compileall`)"
            if proc.returncode == 0
            else f"compileall exit {proc.returncode}",
            "seconds": round(time.monotonic() - started, 1),
        }
    )

    setup = {
        "python": str(python),
        "pythonpath": pythonpath,
        "prepared_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "steps": steps,
    }
    marker.write_text(json.dumps(setup, indent=1), encoding="utf-8")
    return setup


def generator_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(SOURCE.generator_dir.rglob("*.py")):
        digest.update(path.relative_to(SOURCE.generator_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------- generation (reused)


def generated_landing(
    work: Path, profile: str, seed: int, first: str, last: str, args: argparse.Namespace
) -> tuple[Path, dict]:
    """The landing for these arguments, generated now or reused from an earlier run."""
    key = f"{profile}-seed{seed}-{first}-{last}"
    landing = work / "landings" / key
    marker = work / "landings" / f"{key}.json"
    code = generator_hash()
    if marker.exists() and landing.is_dir() and not args.regenerate:
        info = json.loads(marker.read_text(encoding="utf-8"))
        if info.get("generator_hash") == code:
            log(f"{profile}: reusing landing {landing} (generated {info['generated_at']})")
            return landing, {**info, "reused": True}
        log(f"{profile}: generator code changed since {landing} was generated: regenerating")
    shutil.rmtree(landing, ignore_errors=True)
    marker.unlink(missing_ok=True)
    load_before = list(os.getloadavg())
    log(f"{profile}: generating {first} … {last} (seed {seed}) into {landing}")
    measured = run_measured(
        [
            SOURCE.bistand,
            "generate",
            "--profile",
            profile,
            "--seed",
            str(seed),
            "--from",
            first,
            "--to",
            last,
            "--out",
            landing,
        ],
        log_file=work / "landings" / f"{key}.log",
        env=child_env(),
        cwd=SOURCE.root,
        timeout_s=args.timeout,
        rss_cap=args.rss_cap,
        progress=lambda m: log(f"{profile}: generate {m}"),
    )
    if not measured.ok:
        tail = Path(measured.log_file).read_text(encoding="utf-8", errors="replace")[-600:]
        raise GenerationFailed(
            measured.aborted or f"exit {measured.exit_code}: {tail.strip().splitlines()[-1:]}"
        )
    info = {
        "generator_hash": code,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": measured.wall_s,
        "peak_rss": measured.peak_rss,
        "load_before": load_before,
        "landing": landing_summary(landing),
        "measured": measured.to_dict(),
    }
    marker.write_text(json.dumps(info, indent=1), encoding="utf-8")
    log(f"{profile}: generated in {measured.wall_s:.1f} s: {info['landing']}")
    return landing, {**info, "reused": False}


class GenerationFailed(RuntimeError):
    pass


# ---------------------------------------------------------------- refresh and what it did


def warm_manifest(run: Path) -> dict:
    """dbt's manifest and parse state as the refresh will want them, before timing:
    `ensure_manifest()` (the manifest the Dagster definitions read; dbt parse when the project
    changed), then the project parsed into the warehouse's own target folder by the refresh's
    own dbt process (orchestration/dbt_warm.py `prepare()`) — the parse state a warehouse's
    previous refresh leaves (its first would parse the whole project once: the profile, which
    holds the warehouse path, is new). A snapshot without `prepare()` gets a plain `dbt parse`,
    whose state that process cannot use (it parses every file again: `dbt_files_parsed`)."""
    env = child_env()
    env.update(
        BISTAND_LANDING=str(run / "landing"), BISTAND_WAREHOUSE=str(run / "warehouse.duckdb")
    )
    started = time.monotonic()
    proc = subprocess.run(
        [SOURCE.python, "-c", "from orchestration.project import ensure_manifest; "
         "ensure_manifest()"],
        cwd=SOURCE.root, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    how, code, error = "ensure_manifest()", proc.returncode, proc.stderr + proc.stdout
    project = SOURCE.root / "dbt_project"
    if project.is_dir():
        try:
            proc = subprocess.run(
                [SOURCE.python, "-c", PREPARE, run / "warehouse.duckdb", run / "dbt_target"],
                cwd=SOURCE.root, env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            parser = "dbt_warm.prepare()"
            if proc.returncode == NO_PREPARE:
                proc = subprocess.run(
                    [SOURCE.python.parent / "dbt", "parse", "--quiet", "--project-dir", project,
                     "--profiles-dir", project, "--target-path", run / "dbt_target"],
                    cwd=project, env={**env, "DBT_LOG_PATH": str(run / "dbt_target")},
                    capture_output=True, text=True, check=False,
                )  # fmt: skip
                parser = "dbt parse"
            how += f" + {parser}"
            code, error = code or proc.returncode, error + proc.stderr + proc.stdout
        except OSError as failure:
            code, error = None, str(failure)
    return {
        "seconds": time.monotonic() - started,
        "how": how,
        "exit_code": code,
        **({"error": _tail(error)} if code != 0 else {}),
    }


# The parse a refresh's warm dbt process makes, in the snapshot's code (exit 3: it has none).
NO_PREPARE = 3
PREPARE = (
    "import sys\n"
    "from pathlib import Path\n"
    "try:\n"
    "    from orchestration.dbt_warm import prepare\n"
    "except ImportError:\n"
    f"    sys.exit({NO_PREPARE})\n"
    "result = prepare(Path(sys.argv[1]), Path(sys.argv[2]))\n"
    "print(result.stdout, end='')\n"
    "sys.exit(result.returncode)\n"
)


def dbt_files_parsed(run: Path, since: float) -> list[int] | None:
    """[files dbt parsed, files in the project] by the refresh's own parse (dbt's
    perf_info.json, when written since `since`): 0 parsed when the parse state was reused."""
    perf = run / "dbt_target" / "perf_info.json"
    try:
        if perf.stat().st_mtime < since:
            return None
        info = json.loads(perf.read_text(encoding="utf-8"))
        return [int(info["parsed_path_count"]), int(info["path_count"])]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def reparsed_by_dbt(run: Path, since: float) -> bool:
    """Whether the refresh's dbt build parsed the whole project (its dbt.log since `since`)."""
    log_file = run / "dbt_target" / "dbt.log"
    if not log_file.exists() or log_file.stat().st_mtime < since:
        return False
    text = log_file.read_text(encoding="utf-8", errors="replace")
    last = text.rfind('"MainReportVersion"')
    return "UnableToPartialParse" in text[last if last >= 0 else 0 :]


def dbt_threads() -> int | None:
    """dbt's thread count from profiles.yml (run_results.json records it only when passed)."""
    try:
        text = SOURCE.profiles_yml.read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"^\s*threads:\s*(\d+)", text, re.M)
    return int(match.group(1)) if match else None


def dagster_steps(dagster_home: Path, run_id: str | None, since: float) -> dict | None:
    """The refresh's Dagster run (run id, times, step durations): `run_id` when the run log
    names it, else the newest run of the instance beside the warehouse if it started after
    `since` (a refresh that stops early starts no run: then None, not the previous run)."""
    if not dagster_home.exists():
        return None
    try:
        from dagster import DagsterEventType, DagsterInstance

        # its dagster.yaml takes base_dir from DAGSTER_HOME (orchestration/instance.py)
        os.environ["DAGSTER_HOME"] = str(dagster_home)
        instance = DagsterInstance.from_config(str(dagster_home))
    except Exception as error:  # another Dagster, another layout: a report, not a failure
        return {"error": f"{type(error).__name__}: {error}"[:300]}
    try:
        run = instance.get_run_by_id(run_id) if run_id else None
        if run is None:
            runs = instance.get_runs(limit=1)
            run = runs[0] if runs else None
        if run is None:
            return None
        stats = instance.get_run_stats(run.run_id)
        if stats.start_time is None or stats.start_time < since - 1:
            return None
        steps = [
            {"step_key": s.step_key, "seconds": s.end_time - s.start_time}
            for s in instance.get_run_step_stats(run.run_id)
            if s.start_time is not None and s.end_time is not None
        ]
        loaders = {}
        for record in instance.get_records_for_run(
            run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION, limit=1000
        ).records:
            event = record.event_log_entry.dagster_event
            materialization = event.event_specific_data.materialization if event else None
            # the loaders' exports (`raw/<export>`); other assets (the Word reports) say
            # `sekunder` too but are steps of their own
            if (
                materialization is not None
                and materialization.asset_key.path[0] == "raw"
                and "sekunder" in materialization.metadata
            ):
                loaders[materialization.asset_key.path[-1]] = materialization.metadata[
                    "sekunder"
                ].value
        return {
            "run_id": run.run_id,
            "run_start": stats.start_time,
            "run_end": stats.end_time,
            "steps": steps,
            "loaders": loaders,
        }
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"[:300]}
    finally:
        instance.dispose()


def collect_run_results(run_id: str | None, dest: Path, since: float) -> dict | None:
    """This run's dbt run_results.json: the run's own target directory
    (`dbt_warehouse-<run id>-…`, moved into the run directory), else the newest run_results.json
    written since `since` under dbt's target directory or beside the warehouse (copied)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    found = sorted(SOURCE.dbt_target.glob(f"dbt_warehouse-{run_id[:7]}-*")) if run_id else []
    if found:
        shutil.rmtree(dest, ignore_errors=True)
        shutil.move(str(found[-1]), dest)
        results = dest / "run_results.json"
        return json.loads(results.read_text(encoding="utf-8")) if results.exists() else None
    candidates = []
    for root in (SOURCE.dbt_target, dest.parent):
        if not root.exists():
            continue
        for path in root.rglob("run_results.json"):
            if any(part.startswith("dbt-target-") for part in path.relative_to(root).parts):
                continue  # an earlier refresh's, collected by this harness
            mtime = path.stat().st_mtime
            if mtime >= since:
                candidates.append((mtime, path))
    if not candidates:
        return None
    newest = max(candidates)[1]
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(newest, dest / "run_results.json")
    return json.loads(newest.read_text(encoding="utf-8"))


def _query(warehouse: Path, sql: str, params: list | None = None) -> list[dict] | None:
    """Rows of a read-only query on the warehouse as dicts; None if it cannot be answered."""
    import duckdb

    if not warehouse.exists():
        return None
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return None
    try:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    except duckdb.Error:
        return None
    finally:
        con.close()


def load_log(warehouse: Path, after_delivery: int) -> dict | None:
    rows = _query(
        warehouse,
        "select status, count(*) as n, sum(rows_loaded) as loaded, sum(rows_rejected) as "
        "rejected from raw.load_log where delivery_id > ? group by status order by status",
        [after_delivery],
    )
    if rows is None:
        return None
    return {
        "deliveries": sum(r["n"] for r in rows),
        "by_status": {r["status"]: r["n"] for r in rows},
        "rows_loaded": int(sum(r["loaded"] or 0 for r in rows)),
        "rows_rejected": int(sum(r["rejected"] or 0 for r in rows)),
    }


def refresh_runs(warehouse: Path) -> list[dict]:
    """meta.refresh_runs, oldest first (empty when the warehouse or the table is missing)."""
    return _query(warehouse, "select * from meta.refresh_runs order by started_at") or []


def last_delivery(warehouse: Path) -> int:
    rows = _query(warehouse, "select coalesce(max(delivery_id), 0) as d from raw.load_log")
    return int(rows[0]["d"]) if rows else 0


def count_output_lines(text: str) -> int:
    """Lines a command printed (stdout and stderr together); a last line without newline
    counts, a carriage-return progress update does not start a new line."""
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def timed_refresh(
    kind: str, profile: str, run: Path, args: argparse.Namespace, attempt: int | None = None
) -> dict:
    """`bistand refresh --no-pages` on the run's landing and warehouse, measured; kind is
    `full`, `incremental` or `nothing_new`; `attempt` (1, 2, …) when it is repeated."""
    landing, warehouse = run / "landing", run / "warehouse.duckdb"
    label = kind.replace("_", "-") + (f"-{attempt}" if attempt else "")
    warm = warm_manifest(run)
    before = last_delivery(warehouse)
    runs_before = {r.get("run_id") for r in refresh_runs(warehouse)}
    load_before = list(os.getloadavg())
    log(
        f"{profile}: {label} refresh (load average {load_before[0]:.2f}; manifest check "
        f"before it {warm['seconds']:.1f} s)"
    )
    measured = run_measured(
        [SOURCE.bistand, "refresh", "--landing", landing, "--warehouse", warehouse, "--no-pages"],
        log_file=run / f"refresh-{label}.log",
        env=child_env(),
        cwd=SOURCE.root,
        timeout_s=args.timeout,
        rss_cap=args.rss_cap,
        progress=lambda m: log(f"{profile}: {label} refresh {m}"),
    )
    end = measured.started_at + measured.wall_s
    output = Path(measured.log_file).read_text(encoding="utf-8", errors="replace")
    result: dict = {
        "measured": measured.to_dict(),
        "load_before": load_before,
        "warm_parse_s": warm["seconds"],
        "warm_manifest": warm,
        "output_lines": count_output_lines(output),
        "reparsed_by_dbt": reparsed_by_dbt(run, measured.started_at),
        "dbt_files_parsed": dbt_files_parsed(run, measured.started_at),
        "warehouse_bytes": warehouse.stat().st_size if warehouse.exists() else None,
        "publish_bytes": (run / "publish.duckdb").stat().st_size
        if (run / "publish.duckdb").exists()
        else None,
    }
    if kind == "nothing_new":  # shown in results.md, without terminal colours
        result["output"] = [ANSI.sub("", line) for line in output.splitlines()[:60]]
    log(
        f"{profile}: {label} refresh exit {measured.exit_code} in {measured.wall_s:.1f} s, "
        f"peak RSS {measured.peak_rss / 1e9:.2f} GB, {result['output_lines']} lines of output"
        + (f" — {measured.aborted}" if measured.aborted else "")
    )
    new_runs = [r for r in refresh_runs(warehouse) if r.get("run_id") not in runs_before]
    if new_runs:
        row = new_runs[-1]
        result["refresh_run"] = {k: None if v is None else str(v) for k, v in row.items()}
        result["build_scope"] = row.get("build_scope")
    run_id = new_runs[-1].get("run_id") if new_runs else None
    dagster = dagster_steps(run / "dagster_home", run_id, since=measured.started_at)
    if dagster and "error" in dagster:
        result["dagster_error"] = dagster["error"]
        dagster = None
    if dagster:
        result["dagster"] = dagster
        result["steps"] = step_breakdown(
            dagster["steps"],
            process_start=measured.started_at,
            process_end=end,
            run_start=dagster["run_start"],
            run_end=dagster["run_end"],
            loaders=dagster.get("loaders"),
        )
        run_id = dagster["run_id"]
    run_results = collect_run_results(run_id, run / f"dbt-target-{label}", measured.started_at)
    result["dbt"] = dbt_breakdown(run_results, threads=dbt_threads()) if run_results else None
    try:
        result["load_log"] = load_log(warehouse, before)
    except Exception as error:  # a report, not a check
        result["load_log_error"] = str(error)
    return result


def timed_floor(
    profile: str, run: Path, args: argparse.Namespace, attempt: int | None = None
) -> dict:
    """benchmarks/floor.py on landing A, as a fresh process, in the same run."""
    suffix = f"-{attempt}" if attempt else ""
    out, db = run / f"floor{suffix}.json", run / "floor.duckdb"
    load_before = list(os.getloadavg())
    log(f"{profile}: floor script on landing A (load average {load_before[0]:.2f})")
    measured = run_measured(
        [SOURCE.python, FLOOR_SCRIPT, run / "landing", out, "--db", db, "--memory-limit",
         os.environ.get("BISTAND_DUCKDB_MEMORY_LIMIT", MEMORY_LIMIT)],
        log_file=run / f"floor{suffix}.log",
        env=child_env(),
        cwd=run,
        timeout_s=args.timeout,
        rss_cap=args.rss_cap,
        progress=lambda m: log(f"{profile}: floor {m}"),
    )  # fmt: skip
    log(
        f"{profile}: floor exit {measured.exit_code} in {measured.wall_s:.1f} s, "
        f"peak RSS {measured.peak_rss / 1e9:.2f} GB"
        + (f" — {measured.aborted}" if measured.aborted else "")
    )
    child = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    db.unlink(missing_ok=True)
    return {"measured": measured.to_dict(), "load_before": load_before, "child": child}


def timed_oracle(profile: str, run: Path, args: argparse.Namespace) -> dict:
    out = run / "oracle.json"
    load_before = list(os.getloadavg())
    log(f"{profile}: oracle on landing A (load average {load_before[0]:.2f})")
    measured = run_measured(
        [SOURCE.python, "-m", "benchmarks.oracle_child", run / "landing", out],
        log_file=run / "oracle.log",
        env=child_env(),
        cwd=SOURCE.root,
        timeout_s=args.oracle_timeout,
        rss_cap=args.rss_cap,
        progress=lambda m: log(f"{profile}: oracle {m}"),
    )
    log(
        f"{profile}: oracle exit {measured.exit_code} in {measured.wall_s:.1f} s, "
        f"peak RSS {measured.peak_rss / 1e9:.2f} GB"
        + (f" — {measured.aborted}" if measured.aborted else "")
    )
    child = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return {"measured": measured.to_dict(), "load_before": load_before, "child": child}


def timed_site(profile: str, run: Path) -> dict:
    """The one-page site, then the project's site from the publish file (same run)."""
    try:
        from benchmarks.site import CHECK_SITE, markdown, measure_one_page, measure_site
    except ImportError as error:
        return {"skipped": f"skipped: benchmarks/site.py not importable ({error})"}
    publish = run / "publish.duckdb"
    if not publish.exists():
        return {"skipped": "skipped: no publish.duckdb (the refresh failed)"}
    check_site = SOURCE.root / "tests" / "browser" / "check_site.mjs"
    check_site = check_site if check_site.exists() else CHECK_SITE
    setup = setup_evidence(SOURCE.root) if SOURCE.root != REPO else None
    log(f"{profile}: one-page Evidence site (the floor of a build)")
    try:
        one_page = measure_one_page(run / "site-one-page", SOURCE.evidence)
        log(f"{profile}: one-page site build {one_page['build_s']} s")
    except Exception as error:  # reported; the site is still measured
        log(f"{profile}: one-page site failed: {error}")
        one_page = None
        one_page_error = str(error).splitlines()[0][:300]
    log(f"{profile}: site benchmark on {publish}")
    try:
        result = measure_site(publish, run / "site", SOURCE.evidence, check_site)
    except Exception as error:  # reported in the table
        log(f"{profile}: site benchmark failed: {error}")
        return {"error": str(error).splitlines()[0][:300], "traceback": traceback.format_exc()}
    log(
        f"{profile}: site build {result['build_s']} s, max first render "
        f"{result['first_render_ms_max']} ms"
    )
    out = {"result": result, "markdown": markdown(result, one_page), "commit": SOURCE.commit}
    if setup:
        out["setup"] = setup
    if one_page:
        out["one_page"] = one_page
    else:
        out["one_page_error"] = one_page_error
    return out


def timed_make_test(args: argparse.Namespace) -> dict:
    """`git clone` of the measured commit into a new directory, then `CI=true make test` there."""
    base = args.work / "make-test"
    clone = base / f"clone-{SOURCE.commit}"
    shutil.rmtree(clone, ignore_errors=True)
    base.mkdir(parents=True, exist_ok=True)
    result: dict = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "run_started": args.run_started,
        "commit": SOURCE.commit,
    }
    if SOURCE.uncommitted:
        result["note"] = (
            "The clone holds the commit only: the working tree's uncommitted changes in "
            + ", ".join(SOURCE.uncommitted)
            + " are not in it."
        )
    try:
        subprocess.run(
            ["git", "clone", "--quiet", "--no-checkout", str(REPO), str(clone)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        subprocess.run(
            ["git", "-C", str(clone), "checkout", "--quiet", "--detach", SOURCE.full_commit],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    except subprocess.CalledProcessError as error:
        return {**result, "error": f"git: {_tail(error.stderr or '')}"}
    env = clean_env()
    env.update(CI="true", DBT_SEND_ANONYMOUS_USAGE_STATS="false", DAGSTER_TELEMETRY_ENABLED="false")
    load_before = list(os.getloadavg())
    log(f"make test on a fresh clone of {SOURCE.commit} in {clone} (load {load_before[0]:.2f})")
    log_file = base / f"make-test-{SOURCE.commit}.log"
    measured = run_measured(
        ["make", "test"],
        log_file=log_file,
        env=env,
        cwd=clone,
        timeout_s=args.make_test_timeout,
        rss_cap=args.rss_cap,
        progress=lambda m: log(f"make test {m}"),
    )
    log(
        f"make test exit {measured.exit_code} in {measured.wall_s:.1f} s"
        + (f" — {measured.aborted}" if measured.aborted else "")
    )
    text = log_file.read_text(encoding="utf-8", errors="replace")
    if not args.keep_clone:
        shutil.rmtree(clone, ignore_errors=True)
    return {
        **result,
        "measured": measured.to_dict(),
        "load_before": load_before,
        "log_file": str(log_file),
        "summary": pytest_summary(text),
        "tail": text.splitlines()[-15:],
    }


def pytest_summary(text: str) -> str | None:
    """pytest's summary lines (`12 passed, 1 skipped in 301.2s`), without the `=` rule; `make
    test` runs two sessions side by side (the browser tests and the others): joined with ` + `."""
    found = []
    for line in text.splitlines():
        match = re.fullmatch(r"=+ (.*\bin [\d.]+s.*?) =+", line.strip())
        if match:
            found.append(match.group(1))
    return " + ".join(found) or None


# ---------------------------------------------------------------- one profile


# What the harness itself writes into a run directory (logs, copies of dbt's run results, the
# floor's and the oracle's output, the sites); everything else there is what a refresh reads and
# writes (landing, warehouse, published file, reports, Dagster's and dbt's state).
HARNESS_FILES = ("refresh-", "dbt-target-", "floor", "oracle", "site")


def clear_refresh_state(run: Path, keep_landing: bool) -> None:
    """Remove what refreshes wrote into `run` (and the landing unless `keep_landing`)."""
    for entry in run.iterdir():
        if entry.name.startswith(HARNESS_FILES) or (keep_landing and entry.name == "landing"):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def median_run(runs: list[dict]) -> dict:
    """The run reported for repeated measurements: the first that failed, if one did, else the
    one with the median wall time (of an even number, the faster of the two middle ones).
    Every run's wall time, CPU time, peak RSS and load in `repeats`, in the order they ran."""
    failed = [r for r in runs if not succeeded(r)]
    ordered = sorted(runs, key=lambda r: r["measured"]["wall_s"])
    chosen = failed[0] if failed else ordered[(len(ordered) - 1) // 2]
    if len(runs) == 1:
        return chosen
    repeats = [
        {
            "wall_s": r["measured"]["wall_s"],
            "cpu_s": round(
                r["measured"].get("cpu_user_s", 0) + r["measured"].get("cpu_sys_s", 0), 2
            ),
            "peak_rss": r["measured"].get("peak_rss"),
            "load_before": (r.get("load_before") or [None])[0],
            "ok": succeeded(r),
        }
        for r in runs
    ]
    return {**chosen, "repeats": repeats, "reported_run": runs.index(chosen) + 1}


@dataclass(frozen=True)
class Repeat:
    """The steps of one repeat of a profile's measurements (bench_profile)."""

    reset: Callable[[], None]  # before every repeat: landing A into an empty run directory
    full: Callable[[int | None], dict]
    floor: Callable[[int | None], dict]
    after_first_floor: Callable[[], None]  # once, right after the first floor script
    deliver: Callable[[int], None]  # month M into the full refresh's landing
    incremental: Callable[[int | None], dict]
    # the runs so far (full, floor, incremental), after each floor and incremental refresh
    progress: Callable[[list[dict], list[dict], list[dict]], None]


def interleaved(times: int, steps: Repeat) -> tuple[list[dict], list[dict], list[dict]]:
    """`times` repeats of full → floor → delivery → incremental, one after the other (the
    attempt number is None for a single repeat: file names without it); stops at a failed
    refresh. The runs of each kind, in the order they ran."""
    fulls: list[dict] = []
    floors: list[dict] = []
    incrementals: list[dict] = []
    for attempt in range(1, times + 1):
        n = attempt if times > 1 else None
        steps.reset()
        fulls.append(steps.full(n))
        floors.append(steps.floor(n))
        if attempt == 1:
            steps.after_first_floor()
        steps.progress(fulls, floors, incrementals)
        if not succeeded(fulls[-1]):
            break
        steps.deliver(attempt)
        incrementals.append(steps.incremental(n))
        steps.progress(fulls, floors, incrementals)
        if not succeeded(incrementals[-1]):
            break
    return fulls, floors, incrementals


def bench_profile(
    profile: str, args: argparse.Namespace, checkpoint: Callable[[dict], None] = lambda r: None
) -> dict:
    """All measurements of one profile; `checkpoint` gets the partial result after each step."""
    first, month = month_range(profile, args.month)
    prev = add_months(month, -1)
    result: dict = {
        "profile": profile,
        "seed": args.seed,
        "first_month": first,
        "prev_month": prev,
        "month": month,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "run_started": args.run_started,
        "commit": SOURCE.commit,
        "source": SOURCE.mode,
        "setup": SOURCE.setup,
        "uncommitted": list(SOURCE.uncommitted),
        "machine": machine(),
        "incomplete": True,
        "limits": {
            "rss_cap": args.rss_cap,
            "timeout_s": args.timeout,
            "oracle_timeout_s": args.oracle_timeout,
        },
    }
    log(
        f"{profile}: {first} … {month}, seed {args.seed}, load average "
        f"{result['machine']['load_start']}"
    )
    try:
        landing_a, result["generate_prev"] = generated_landing(
            args.work, profile, args.seed, first, prev, args
        )
        landing_b, result["generate"] = generated_landing(
            args.work, profile, args.seed, first, month, args
        )
    except GenerationFailed as error:
        log(f"{profile}: generation failed: {error}")
        result["generate"] = {"error": str(error)}
        result["machine"]["load_end"] = list(os.getloadavg())
        return result

    run = args.work / "runs" / profile
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)

    # Interleaved, one repeat after the other: a full refresh of landing A into an empty
    # warehouse, the floor script on the same landing (the oracle too, the first time), then
    # month M delivered and the incremental refresh from that full refresh's state. The
    # machine's speed drifts over minutes on this shared machine; interleaved, it weighs alike
    # on both sides of each ratio (full / floor, incremental / full).
    diff = diff_landings(landing_a, landing_b)

    def reset() -> None:
        log(f"{profile}: copying landing A to {run / 'landing'} (an empty run directory)")
        clear_refresh_state(run, keep_landing=False)
        shutil.copytree(landing_a, run / "landing", copy_function=shutil.copy2)

    def oracle() -> None:
        if args.skip_oracle:
            result["oracle"] = {"skipped": "skipped (--skip-oracle)"}
        else:
            result["oracle"] = timed_oracle(profile, run, args)

    def delivered(attempt: int) -> None:
        delivery = deliver(diff, landing_b, run / "landing")
        if attempt == 1:
            result["delivery"] = delivery
            log(
                f"{profile}: delivered {delivery['files_new']} new + "
                f"{delivery['files_changed']} changed files, {delivery['rows']} rows "
                f"({delivery['files_same']} identical not copied)"
            )

    def progress(fulls: list[dict], floors: list[dict], incrementals: list[dict]) -> None:
        result["full"] = median_run(fulls)
        result["floor"] = median_run(floors)
        if incrementals:
            result["incremental"] = median_run(incrementals)
        checkpoint(result)

    _, _, incrementals = interleaved(
        args.repeat,
        Repeat(
            reset=reset,
            full=lambda n: timed_refresh("full", profile, run, args, n),
            floor=lambda n: timed_floor(profile, run, args, n),
            after_first_floor=oracle,
            deliver=delivered,
            incremental=lambda n: timed_refresh("incremental", profile, run, args, n),
            progress=progress,
        ),
    )
    if not incrementals:
        result["incremental"] = {"skipped": "skipped: the full refresh failed"}
    # a failed full refresh of a later repeat leaves no delivered state to refresh again
    if succeeded(result["full"]) and succeeded(result["incremental"]):
        result["nothing_new"] = timed_refresh("nothing_new", profile, run, args)
        checkpoint(result)
    else:
        why = "incremental" if succeeded(result["full"]) else "full"
        result["nothing_new"] = {"skipped": f"skipped: the {why} refresh failed"}

    if profile in args.site_profiles and not args.skip_site:
        result["site"] = timed_site(profile, run)
    result["machine"]["load_end"] = list(os.getloadavg())
    del result["incomplete"]
    return result


# ---------------------------------------------------------------- results files


def save(results: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    out.write_text(render(results), encoding="utf-8")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--profiles",
        default="stockholm,national",
        help="comma-separated: tiny, stockholm, national (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="full and incremental refreshes and floor scripts per profile; the run with the "
        "median wall time is reported, with every run's time (default %(default)s; a national "
        "run takes minutes: --repeat 1)",
    )
    parser.add_argument(
        "--month",
        default=None,
        help=f"M, the month the incremental refresh adds (default {DEFAULT_MONTH}; tiny 2025-12)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=REPO / "data" / "bench",
        help="landings and run directories (default data/bench, gitignored)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "benchmarks" / "results.md",
        help="results.md to write; results.json beside it",
    )
    parser.add_argument("--skip-site", action="store_true", help="no site benchmark")
    parser.add_argument(
        "--site-profiles",
        default=SITE_PROFILE,
        help="profiles whose publish file the site benchmark uses (default %(default)s)",
    )
    parser.add_argument(
        "--source",
        choices=("head", "worktree"),
        default="head",
        help="code to measure: a snapshot of the committed HEAD (default; others' uncommitted "
        "edits cannot change it mid-run) or the working tree as it is",
    )
    parser.add_argument("--skip-oracle", action="store_true")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="only rewrite results.md from results.json (e.g. after editing its notes)",
    )
    parser.add_argument(
        "--regenerate",
        action="store_true",
        help="generate the landings even when a matching one exists",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3 * 3600,
        help="seconds per generate/refresh before it is stopped",
    )
    parser.add_argument("--oracle-timeout", type=float, default=3600)
    parser.add_argument(
        "--make-test",
        action="store_true",
        help="also time `CI=true make test` on a fresh clone of the measured commit (minutes)",
    )
    parser.add_argument(
        "--make-test-timeout",
        type=float,
        default=3600,
        help="seconds before `make test` is stopped (default %(default)s)",
    )
    parser.add_argument(
        "--keep-clone", action="store_true", help="keep the clone `make test` ran in"
    )
    parser.add_argument(
        "--rss-cap-gb",
        type=float,
        default=12.0,
        help="stop a measured process tree above this RSS, GB (the machine is shared; "
        "default %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    args.profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    unknown = set(args.profiles) - set(FIRST_MONTH)
    if unknown:
        parser.error(f"unknown profiles {sorted(unknown)}: choose from {sorted(FIRST_MONTH)}")
    args.site_profiles = {p.strip() for p in args.site_profiles.split(",")}
    if not args.profiles and not args.make_test and not args.render_only:
        parser.error("no profiles: name at least one, or use --make-test")
    args.work = args.work.resolve()
    args.rss_cap = int(args.rss_cap_gb * 1e9)
    args.run_started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return args


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    json_file = args.out.with_suffix(".json")
    results = (
        json.loads(json_file.read_text(encoding="utf-8"))
        if json_file.exists()
        else {"profiles": {}}
    )
    if args.render_only:
        args.out.write_text(render(results), encoding="utf-8")
        return 0
    global SOURCE
    SOURCE = prepare_source(args.source, args.work)
    log(f"measuring commit {SOURCE.commit} ({SOURCE.mode}: {SOURCE.root})")
    # `kill PID` (e.g. of a run started in the background) stops the measured processes too
    signal.signal(signal.SIGTERM, _interrupt)
    failed = False
    for profile in args.profiles:
        try:
            previous = results["profiles"].get(profile) or {}

            def checkpoint(partial: dict, profile: str = profile) -> None:
                results["profiles"][profile] = partial
                save(results, args.out)

            current = bench_profile(profile, args, checkpoint)
            if "site" not in current and "result" in previous.get("site", {}):
                # --skip-site: keep the last site figures, marked with when they were measured
                current["site"] = {
                    **previous["site"],
                    "measured_in_run_of": previous["site"].get("measured_in_run_of")
                    or previous.get("run_started")
                    or previous.get("date"),
                    "commit": previous["site"].get("commit")
                    or (
                        None
                        if previous["site"].get("measured_in_run_of")
                        else previous.get("commit")
                    ),
                }
            results["profiles"][profile] = current
        except KeyboardInterrupt:
            log("interrupted: earlier profiles are saved")
            return 130
        save(results, args.out)
        full = results["profiles"][profile].get("full") or {}
        failed |= (full.get("measured") or {}).get("exit_code") not in (0, 2)
        log(f"{profile}: done; wrote {args.out}")
    if args.make_test:
        try:
            results["make_test"] = timed_make_test(args)
        except KeyboardInterrupt:
            log("interrupted during make test: the profiles are saved")
            return 130
        save(results, args.out)
        failed |= (results["make_test"].get("measured") or {}).get("exit_code") != 0
    print(render(results))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
