"""`make bench`: generate, full and incremental refresh, oracle, site → benchmarks/results.md.

    python -m benchmarks.run [--profiles stockholm,national] [--seed 1] [--month 2026-10]
                             [--work data/bench] [--skip-site] [--skip-oracle] [--regenerate]

Per profile (months from `--from` to M; tiny 2024-01…2025-12, stockholm 2019-01…M, national the
ten years up to M):

1. generate landing A (up to M-1) and B (up to M), same seed — reused from an earlier run when
   the same profile, seed, months and generator code were already generated (work/landings/);
2. copy A into a fresh run directory and `bistand refresh --no-pages` it into an empty warehouse
   (full refresh), measured as a fresh child process (benchmarks/measure.py);
3. the pandas oracle on A in a fresh process (benchmarks/oracle_child.py);
4. copy into A every file of B that is new or whose bytes differ, and refresh again
   (incremental refresh);
5. for the stockholm profile, the site benchmark (benchmarks/site.py) on the published file.

Where the time goes comes from the refresh's Dagster instance (step timings, beside the
warehouse) and dbt's run_results.json (moved from dbt_project/target into the run directory).
Results are saved after every profile to results.json and rendered to results.md; profiles not
run this time keep their earlier figures.
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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.breakdown import dbt_breakdown, step_breakdown
from benchmarks.delivery import deliver, diff_landings, landing_summary
from benchmarks.measure import run_measured
from benchmarks.report import render

REPO = Path(__file__).resolve().parents[1]
BISTAND = str(Path(sys.executable).parent / "bistand")


@dataclass(frozen=True)
class Source:
    """The code under test: a snapshot of a commit (default) or the working tree as it is."""

    root: Path
    mode: str  # "head" | "worktree"
    commit: str
    uncommitted: tuple[str, ...] = ()

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


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DAGSTER_HOME", "BISTAND_LANDING", "BISTAND_WAREHOUSE", "PYTHONPATH"):
        env.pop(name, None)
    if SOURCE.root != REPO:
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
    so that other people's edits in the working tree cannot change the code mid-run;
    `worktree`: the repository as it is, uncommitted changes included (and listed)."""
    commit = _git("rev-parse", "HEAD").strip()
    if not commit:
        raise SystemExit("benchmarks: not a git checkout (use --source worktree)")
    if mode == "worktree":
        return Source(REPO, mode, commit[:7], tuple(uncommitted_paths()))
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
    return Source(root, mode, commit[:7])


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
            BISTAND,
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


def warm_manifest() -> float:
    """dbt parse now if the project changed, so the timed refresh does not include it."""
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-c", "from orchestration.project import ensure_manifest; "
         "ensure_manifest()"],
        cwd=SOURCE.root, env=child_env(), capture_output=True, check=False,
    )  # fmt: skip
    return time.monotonic() - started


def dbt_threads() -> int | None:
    """dbt's thread count from profiles.yml (run_results.json records it only when passed)."""
    text = SOURCE.profiles_yml.read_text(encoding="utf-8")
    match = re.search(r"^\s*threads:\s*(\d+)", text, re.M)
    return int(match.group(1)) if match else None


def dagster_steps(dagster_home: Path) -> dict | None:
    """The newest run of the refresh's own Dagster instance: run id, times, step durations."""
    from dagster import DagsterInstance

    instance = DagsterInstance.from_config(str(dagster_home))
    try:
        runs = instance.get_runs(limit=1)
        if not runs:
            return None
        run_id = runs[0].run_id
        stats = instance.get_run_stats(run_id)
        steps = [
            {"step_key": s.step_key, "seconds": s.end_time - s.start_time}
            for s in instance.get_run_step_stats(run_id)
            if s.start_time is not None and s.end_time is not None
        ]
        return {
            "run_id": run_id,
            "run_start": stats.start_time,
            "run_end": stats.end_time,
            "steps": steps,
        }
    finally:
        instance.dispose()


def collect_run_results(run_id: str, dest: Path) -> dict | None:
    """Move this run's dbt target directory into the run directory; its run_results.json."""
    found = sorted(SOURCE.dbt_target.glob(f"dbt_warehouse-{run_id[:7]}-*"))
    if not found:
        return None
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(dest, ignore_errors=True)
    shutil.move(str(found[-1]), dest)
    results = dest / "run_results.json"
    return json.loads(results.read_text(encoding="utf-8")) if results.exists() else None


def load_log(warehouse: Path, after_delivery: int) -> dict:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select status, count(*), sum(rows_loaded), sum(rows_rejected) from raw.load_log "
            "where delivery_id > ? group by status order by status",
            [after_delivery],
        ).fetchall()
    finally:
        con.close()
    return {
        "deliveries": sum(r[1] for r in rows),
        "by_status": {r[0]: r[1] for r in rows},
        "rows_loaded": int(sum(r[2] or 0 for r in rows)),
        "rows_rejected": int(sum(r[3] or 0 for r in rows)),
    }


def build_scope(warehouse: Path, run_id: str) -> str | None:
    """What the dbt build rebuilt of the month-keyed facts (meta.refresh_runs.build_scope:
    `hela`, `från YYYY-MM`, `inga ändrade månader`), when the refresh records it."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(
            "select build_scope from meta.refresh_runs where run_id = ?", [run_id]
        ).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return row[0] if row else None


def last_delivery(warehouse: Path) -> int:
    import duckdb

    if not warehouse.exists():
        return 0
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select coalesce(max(delivery_id), 0) from raw.load_log").fetchone()[0]
    except duckdb.Error:
        return 0
    finally:
        con.close()


def timed_refresh(kind: str, profile: str, run: Path, args: argparse.Namespace) -> dict:
    landing, warehouse = run / "landing", run / "warehouse.duckdb"
    parse_s = warm_manifest()
    manifest = SOURCE.dbt_target / "manifest.json"
    manifest_mtime = manifest.stat().st_mtime if manifest.exists() else None
    before = last_delivery(warehouse)
    load_before = list(os.getloadavg())
    log(
        f"{profile}: {kind} refresh (load average {load_before[0]:.2f}; "
        f"manifest check before it {parse_s:.1f} s)"
    )
    measured = run_measured(
        [BISTAND, "refresh", "--landing", landing, "--warehouse", warehouse, "--no-pages"],
        log_file=run / f"refresh-{kind}.log",
        env=child_env(),
        cwd=SOURCE.root,
        timeout_s=args.timeout,
        rss_cap=args.rss_cap,
        progress=lambda m: log(f"{profile}: {kind} refresh {m}"),
    )
    end = measured.started_at + measured.wall_s
    log(
        f"{profile}: {kind} refresh exit {measured.exit_code} in {measured.wall_s:.1f} s, "
        f"peak RSS {measured.peak_rss / 1e9:.2f} GB"
        + (f" — {measured.aborted}" if measured.aborted else "")
    )
    result: dict = {
        "measured": measured.to_dict(),
        "load_before": load_before,
        "warm_parse_s": parse_s,
        "manifest_parsed": manifest.exists() and manifest.stat().st_mtime != manifest_mtime,
        "warehouse_bytes": warehouse.stat().st_size if warehouse.exists() else None,
        "publish_bytes": (run / "publish.duckdb").stat().st_size
        if (run / "publish.duckdb").exists()
        else None,
    }
    dagster = dagster_steps(run / "dagster_home") if (run / "dagster_home").exists() else None
    if dagster:
        result["dagster"] = dagster
        result["steps"] = step_breakdown(
            dagster["steps"],
            process_start=measured.started_at,
            process_end=end,
            run_start=dagster["run_start"],
            run_end=dagster["run_end"],
        )
        run_results = collect_run_results(dagster["run_id"], run / f"dbt-target-{kind}")
        result["dbt"] = dbt_breakdown(run_results, threads=dbt_threads()) if run_results else None
    if warehouse.exists() and dagster:
        result["build_scope"] = build_scope(warehouse, dagster["run_id"])
    if warehouse.exists():
        try:
            result["load_log"] = load_log(warehouse, before)
        except Exception as error:  # a report, not a check
            result["load_log_error"] = str(error)
    return result


def timed_oracle(profile: str, run: Path, args: argparse.Namespace) -> dict:
    out = run / "oracle.json"
    load_before = list(os.getloadavg())
    log(f"{profile}: oracle on landing A (load average {load_before[0]:.2f})")
    measured = run_measured(
        [sys.executable, "-m", "benchmarks.oracle_child", run / "landing", out],
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
    try:
        from benchmarks.site import markdown, measure_site
    except ImportError as error:  # the pages engineer's module; optional here
        return {"skipped": f"skipped: benchmarks/site.py not importable ({error})"}
    publish = run / "publish.duckdb"
    if not publish.exists():
        return {"skipped": "skipped: no publish.duckdb (the refresh failed)"}
    log(f"{profile}: site benchmark on {publish}")
    try:
        result = measure_site(publish, run / "site")
    except Exception as error:  # reported in the table
        log(f"{profile}: site benchmark failed: {error}")
        return {"error": str(error).splitlines()[0][:300], "traceback": traceback.format_exc()}
    log(
        f"{profile}: site build {result['build_s']} s, max first render "
        f"{result['first_render_ms_max']} ms"
    )
    return {"result": result, "markdown": markdown(result)}


# ---------------------------------------------------------------- one profile


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
        "commit": SOURCE.commit,
        "source": SOURCE.mode,
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
    log(f"{profile}: copying landing A to {run / 'landing'}")
    shutil.copytree(landing_a, run / "landing", copy_function=shutil.copy2)

    result["full"] = timed_refresh("full", profile, run, args)
    checkpoint(result)
    full_ok = result["full"]["measured"]["exit_code"] in (0, 2)
    if args.skip_oracle:
        result["oracle"] = {"skipped": "skipped (--skip-oracle)"}
    else:
        result["oracle"] = timed_oracle(profile, run, args)
        checkpoint(result)

    diff = diff_landings(landing_a, landing_b)
    result["delivery"] = deliver(diff, landing_b, run / "landing")
    d = result["delivery"]
    log(
        f"{profile}: delivered {d['files_new']} new + {d['files_changed']} changed files, "
        f"{d['rows']} rows ({d['files_same']} identical not copied)"
    )
    if full_ok:
        result["incremental"] = timed_refresh("incremental", profile, run, args)
        checkpoint(result)
    else:
        result["incremental"] = {"skipped": "skipped: the full refresh failed"}

    if profile in args.site_profiles and not args.skip_site:
        result["site"] = timed_site(profile, run)
    result["machine"]["load_end"] = list(os.getloadavg())
    del result["incomplete"]
    return result


# ---------------------------------------------------------------- results files


def save(results: dict, out: Path) -> None:
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
        "--rss-cap-gb",
        type=float,
        default=12.0,
        help="stop a measured process tree above this RSS, GB (the machine is shared; "
        "default %(default)s)",
    )
    args = parser.parse_args(argv)
    args.profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    unknown = set(args.profiles) - set(FIRST_MONTH)
    if unknown:
        parser.error(f"unknown profiles {sorted(unknown)}: choose from {sorted(FIRST_MONTH)}")
    args.site_profiles = {p.strip() for p in args.site_profiles.split(",")}
    args.work = args.work.resolve()
    args.rss_cap = int(args.rss_cap_gb * 1e9)
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
                    or previous.get("date"),
                }
            results["profiles"][profile] = current
        except KeyboardInterrupt:
            log("interrupted: earlier profiles are saved")
            return 130
        save(results, args.out)
        p = results["profiles"][profile]
        failed |= "full" not in p or p["full"]["measured"]["exit_code"] not in (0, 2)
        log(f"{profile}: done; wrote {args.out}")
    print(render(results))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
