"""The benchmark harness (benchmarks/) on small fakes: no long runs, exact expected output.

`make bench` itself is slow and machine-dependent; here: dbt's run_results.json and Dagster's
step timings into the breakdown, the verdicts per target of issue 22, the markdown tables, the
delivery of one more month between two landings, process labels and the month ranges; the floor
script on a hand-written landing; the nothing-new refresh and `make test` on a fresh clone with
a fake `bistand` and a fake repository; the one-page Evidence site's files.
"""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.breakdown import dbt_breakdown, step_breakdown
from benchmarks.delivery import count_rows, deliver, diff_landings, export_of
from benchmarks.measure import process_label
from benchmarks.report import (
    breakdown_table,
    dbt_lines,
    evaluate,
    make_test_time,
    render,
    runs_sentence,
    summary_table,
    targets_table,
)
from benchmarks.run import Source, month_range

RUN_RESULTS = {
    "metadata": {
        "invocation_started_at": "2026-11-23T16:15:00Z",
        "generated_at": "2026-11-23T16:16:00Z",
    },
    "elapsed_time": 50.0,
    "args": {"which": "build"},
    "results": [
        {
            "unique_id": "model.bistand.stg_payments",
            "status": "success",
            "execution_time": 2.0,
            "relation_name": '"warehouse"."staging"."stg_payments"',
            "timing": [
                {"name": "compile", "started_at": "2026-11-23T16:15:08Z"},
                {"name": "execute", "started_at": "2026-11-23T16:15:09Z"},
            ],
        },
        {
            "unique_id": "model.bistand.fct_indicator_value",
            "status": "success",
            "execution_time": 6.0,
            "relation_name": '"warehouse"."marts"."fct_indicator_value"',
            "timing": [{"name": "compile", "started_at": "2026-11-23T16:15:30Z"}],
        },
        {
            "unique_id": "model.bistand.int_ephemeral",
            "status": "success",
            "execution_time": 2.0,
            "relation_name": None,
            "timing": [],
        },
        {
            "unique_id": "test.bistand.not_null_x",
            "status": "pass",
            "execution_time": 0.5,
            "timing": [],
        },
        {
            "unique_id": "test.bistand.unique_y",
            "status": "fail",
            "execution_time": 0.25,
            "timing": [],
        },
        {
            "unique_id": "seed.bistand.ref_kon",
            "status": "success",
            "execution_time": 1.0,
            "relation_name": '"warehouse"."reference"."ref_kon"',
            "timing": [{"name": "execute", "started_at": "2026-11-23T16:15:10Z"}],
        },
    ],
}


def test_dbt_breakdown_from_run_results() -> None:
    assert dbt_breakdown(RUN_RESULTS, top=2, threads=2) == {
        "elapsed_s": 50.0,
        "invocation_s": 60.0,
        "startup_s": 8.0,
        "threads": 2,
        "by_type": {
            "model": {"count": 3, "seconds": 10.0},
            "seed": {"count": 1, "seconds": 1.0},
            "test": {"count": 2, "seconds": 0.75},
        },
        "failed": ["test.bistand.unique_y"],
        "model_seconds": 10.0,
        "top_models": [
            {"name": "marts.fct_indicator_value", "seconds": 6.0, "share": 0.6},
            {"name": "int_ephemeral", "seconds": 2.0, "share": 0.2},
        ],
    }


STEPS = [
    {"step_key": "raw", "seconds": 5.0},
    {"step_key": "dbt_warehouse", "seconds": 70.0},
    {"step_key": "published", "seconds": 2.0},
    {"step_key": "something_new", "seconds": 0.5},
]


def test_step_breakdown_splits_the_process_time() -> None:
    assert step_breakdown(
        STEPS,
        process_start=100.0,
        process_end=200.0,
        run_start=110.0,
        run_end=190.0,
        loaders={"arenden": 1.0, "utbetalningar": 4.0},
    ) == {
        "total_s": 100.0,
        "startup_s": 10.0,
        "loaders_s": 5.0,
        "loaders": {"utbetalningar": 4.0, "arenden": 1.0},
        "dbt_s": 70.0,
        "publish_s": 2.0,
        "pages_s": None,
        "other_steps": {"something_new": 0.5},
        "between_steps_s": 2.5,
        "after_run_s": 10.0,
    }


def measured(wall: float, exit_code: int | None = 0, peak: int = 10**9, aborted=None) -> dict:
    return {
        "wall_s": wall,
        "exit_code": exit_code,
        "aborted": aborted,
        "peak_rss": peak,
        "tree_peak": peak,
        "max_rss_single": peak // 2,
        "peaks_by_process": {"bistand refresh": peak // 2, "dbt build": peak // 4},
        "cpu_user_s": 80.0,
        "cpu_sys_s": 5.0,
        "interval_s": 0.5,
    }


def profile(
    name: str,
    full: dict,
    inc: dict,
    oracle: dict,
    site: dict | None = None,
    floor: dict | None = None,
    nothing_new: dict | None = None,
) -> dict:
    result = {
        "profile": name,
        "seed": 1,
        "first_month": "2019-01",
        "prev_month": "2026-09",
        "month": "2026-10",
        "date": "2026-11-23 17:00 UTC",
        "run_started": "2026-11-23 16:55 UTC",
        "commit": "abc1234",
        "uncommitted": [],
        "machine": {"cores": 2, "load_start": [0.5, 0.4, 0.3], "load_end": [1.0, 0.5, 0.3]},
        "generate": {
            "seconds": 95.0,
            "peak_rss": 60_000_000,
            "reused": True,
            "generated_at": "2026-11-23 16:00 UTC",
            "landing": {"files": 300, "rows": 2_400_000, "bytes": 120_000_000},
        },
        "full": full,
        "incremental": inc,
        "oracle": oracle,
    }
    for key, value in (("site", site), ("floor", floor), ("nothing_new", nothing_new)):
        if value:
            result[key] = value
    return result


RESULTS = {
    "profiles": {
        "stockholm": profile(
            "stockholm",
            {"measured": measured(58.0)},
            {"measured": measured(12.0, exit_code=2)},
            {"measured": measured(300.0)},
            site={
                "result": {
                    "build_s": 75.0,
                    "first_render_ms_max": 2100,
                    "slowest_page": "/hushall/",
                    "n_pages": 2,
                    "pages": {
                        "/": {"first_render_ms": 900},
                        "/hushall/": {"first_render_ms": 2100},
                    },
                },
                "one_page": {"build_s": 60.0, "build_steps_s": {"sources": 2.0, "build": 58.0}},
                "markdown": "(the site's own table)",
            },
            floor={"measured": measured(5.0, peak=500_000_000)},
            nothing_new={"measured": measured(2.0), "output_lines": 4},
        ),
        "national": profile(
            "national",
            {"measured": measured(700.0, peak=7_500_000_000)},
            {"measured": measured(30.0, exit_code=1)},
            {"measured": measured(3600.0, exit_code=None, aborted="stopped after 3600 s")},
        ),
    },
    "make_test": {
        "date": "2026-11-23 18:00 UTC",
        "run_started": "2026-11-23 16:55 UTC",
        "commit": "abc1234",
        "measured": measured(420.0),
        "summary": "300 passed in 400.0s",
    },
}


def test_verdicts_per_target() -> None:
    assert [(r["target"], r["verdict"]) for r in evaluate(RESULTS)] == [
        ("≤ 30 s", "not met"),
        ("≤ 3 s", "met"),
        ("≤ 10 lines of output", "met"),
        ("≤ 10 % of full", "not met (incremental refresh failed (exit 1))"),
        ("≤ 50 % of full", "met"),
        ("≤ 5 min", "not met"),
        ("peak RSS ≤ 8 GB", "met"),
        ("≥ 5× faster", "met"),
        ("full refresh ≤ 8× the floor's time", "not met"),
        ("≤ 1.5× a one-page, query-free site built in the same run", "met"),
        ("first render ≤ 2 s on every page", "not met"),
        ("≤ 8 min, passing", "met"),
    ]


def test_targets_table() -> None:
    nothing_new = "refresh with nothing new delivered (stockholm, right after the incremental one)"
    assert targets_table(RESULTS) == [
        "| what (issue 22) | target | measured | verdict |",
        "|---|---|---|---|",
        "| stockholm full refresh (empty warehouse, `--no-pages`) | ≤ 30 s | 58.0 s | not met |",
        f"| {nothing_new} | ≤ 3 s | 2.00 s | met |",
        f"| {nothing_new} | ≤ 10 lines of output | 4 lines | met |",
        "| one new month (incremental), national | ≤ 10 % of full | 4.3 % "
        "| not met (incremental refresh failed (exit 1)) |",
        "| one new month (incremental), stockholm | ≤ 50 % of full | 20.7 % | met |",
        "| national full refresh | ≤ 5 min | 700 s (11.7 min) | not met |",
        "| national full refresh | peak RSS ≤ 8 GB | 7.50 GB | met |",
        "| warehouse vs the pandas oracle (stockholm) | ≥ 5× faster | 5.2× | met |",
        "| project vs a plain-DuckDB floor script (stockholm, same landing, same run) "
        "| full refresh ≤ 8× the floor's time | 11.6× (58.0 s / 5.00 s) | not met |",
        "| Evidence build of the stockholm site "
        "| ≤ 1.5× a one-page, query-free site built in the same run "
        "| 1.2× (75.0 s / 60.0 s) | met |",
        "| Evidence build of the stockholm site | first render ≤ 2 s on every page "
        "| 2100 ms (`/hushall/`) | not met |",
        "| `make test` on a fresh clone | ≤ 8 min, passing "
        "| 420.0 s (300 passed in 400.0s) | met |",
        "",
        "7 of 12 met, 5 not met, 0 not measured. "
        "All from one run, started 2026-11-23 16:55 UTC, on commit `abc1234`.",
    ]


def test_targets_not_measured_without_results() -> None:
    table = targets_table({"profiles": {}})
    assert table[2] == (
        "| stockholm full refresh (empty warehouse, `--no-pages`) | ≤ 30 s | — | not measured |"
    )
    assert all(line.endswith("| — | not measured |") for line in table[2:14])
    assert table[14:] == ["", "0 of 12 met, 0 not met, 12 not measured. Nothing measured yet."]


def test_targets_from_different_runs_say_so() -> None:
    results = {
        "profiles": {"stockholm": RESULTS["profiles"]["stockholm"]},
        "make_test": {**RESULTS["make_test"], "run_started": "2026-11-20 09:00 UTC"},
    }
    assert runs_sentence(results) == (
        "**Not from one run**: stockholm: 2026-11-23 16:55 UTC, `abc1234`; "
        "make test: 2026-11-20 09:00 UTC, `abc1234`."
    )


def test_missing_parts_are_not_measured_or_not_met() -> None:
    stockholm = dict(RESULTS["profiles"]["stockholm"])
    stockholm["site"] = {**stockholm["site"]}
    del stockholm["site"]["one_page"]
    stockholm["nothing_new"] = {"skipped": "skipped: the incremental refresh failed"}
    stockholm["floor"] = {"measured": measured(5.0, exit_code=1)}
    failed_test = {**RESULTS["make_test"], "measured": measured(500.0, exit_code=2)}
    rows = {
        (r["what"][:20], r["target"]): (r["measured"], r["verdict"])
        for r in evaluate({"profiles": {"stockholm": stockholm}, "make_test": failed_test})
    }
    assert rows[("refresh with nothing", "≤ 3 s")] == ("—", "not measured")
    assert rows[("refresh with nothing", "≤ 10 lines of output")] == ("—", "not measured")
    assert rows[("project vs a plain-D", "full refresh ≤ 8× the floor's time")] == (
        "—",
        "not met (floor script failed (exit 1))",
    )
    assert rows[
        ("Evidence build of th", "≤ 1.5× a one-page, query-free site built in the same run")
    ] == ("site 75.0 s", "not measured")
    assert rows[("`make test` on a fre", "≤ 8 min, passing")] == (
        "500.0 s (300 passed in 400.0s)",
        "not met (make test failed (exit 2))",
    )


def test_summary_table() -> None:
    assert summary_table(RESULTS["profiles"]) == [
        "| | stockholm | national |",
        "|---|---|---|",
        "| months (M = last) | 2019-01 … 2026-10 | 2019-01 … 2026-10 |",
        "| landing up to M | 300 files, 2.4 M rows, 120 MB | 300 files, 2.4 M rows, 120 MB |",
        "| generate up to M | 95.0 s, 60 MB RSS (reused landing, measured 2026-11-23 16:00 UTC) "
        "| 95.0 s, 60 MB RSS (reused landing, measured 2026-11-23 16:00 UTC) |",
        "| full refresh (up to M-1, empty warehouse) | 58.0 s | 700 s (11.7 min) |",
        "| peak RSS, full refresh | 1.00 GB | 7.50 GB |",
        "| CPU time, full refresh (user + system) | 85.0 s | 85.0 s |",
        "| floor script (plain DuckDB, landing A) | 5.00 s, 500 MB RSS | — |",
        "| full refresh / floor | 11.6× (58.0 s / 5.00 s) | — |",
        "| incremental refresh (+ month M) | 12.0 s (exit 2: input rejected) "
        "| 30.0 s (FAILED, exit 1) |",
        "| incremental / full | 20.7 % | 4.3 % |",
        "| peak RSS, incremental | 1.00 GB | 1.00 GB |",
        "| refresh with nothing new (after the incremental) | 2.00 s, 4 lines of output | — |",
        "| oracle (up to M-1) | 300.0 s, 1.00 GB RSS "
        "| 3600 s (60.0 min), 1.00 GB RSS (stopped after 3600 s) |",
        "| CPU time, oracle | 85.0 s | 85.0 s |",
        "| oracle / warehouse (full refresh) | 5.2× | ≥ 5.1× (oracle stopped after 3600 s) |",
        "| site (Evidence build, first render) "
        "| build 75.0 s (one-page site 60.0 s), slowest first render 2100 ms (2 pages) | — |",
    ]


def test_breakdown_table_full_incremental_and_nothing_new() -> None:
    full = {
        "measured": measured(100.0),
        "steps": step_breakdown(
            STEPS,
            process_start=100.0,
            process_end=200.0,
            run_start=110.0,
            run_end=190.0,
            loaders={"arenden": 1.0, "utbetalningar": 4.0},
        ),
        "dbt": dbt_breakdown(RUN_RESULTS, threads=2),
    }
    inc_steps = [{"step_key": "raw", "seconds": 0.5}, {"step_key": "dbt_warehouse", "seconds": 9.0}]
    inc = {
        "measured": measured(20.0),
        "steps": step_breakdown(
            inc_steps,
            process_start=0.0,
            process_end=20.0,
            run_start=8.0,
            run_end=18.0,
            loaders={"arenden": 0.5},
        ),
    }
    nothing_new = {"measured": measured(1.5)}  # stopped early: no Dagster run, no dbt
    assert breakdown_table(
        [("full", full), ("incremental", inc), ("nothing new", nothing_new)]
    ) == [
        "| where the time goes | full | share | incremental | share | nothing new | share |",
        "|---|---:|---:|---:|---:|---:|---:|",
        "| whole `bistand refresh` process | 100.0 s | 100 % | 20.0 s | 100 % | 1.50 s | 100 % |",
        "| start-up (imports, Dagster definitions) | 10.0 s | 10 % | 8.00 s | 40 % | — |  |",
        "| loaders (all exports) | 5.00 s | 5 % | 0.50 s | 2 % | — |  |",
        "|   ↳ utbetalningar | 4.00 s | 4 % | — |  | — |  |",
        "|   ↳ arenden | 1.00 s | 1 % | 0.50 s | 2 % | — |  |",
        "| dbt build (Dagster step) | 70.0 s | 70 % | 9.00 s | 45 % | — |  |",
        "|   ↳ dbt start-up (to its first node) | 8.00 s | 8 % | — |  | — |  |",
        "|   ↳ dbt nodes (dbt's elapsed time) | 50.0 s | 50 % | — |  | — |  |",
        "|   ↳ dagster-dbt (process, events) around dbt | 10.0 s | 10 % | — |  | — |  |",
        "| publish and the Word reports (one step) | 2.00 s | 2 % | — |  | — |  |",
        "| pages | skipped (`--no-pages`) |  | skipped (`--no-pages`) |  "
        "| skipped (`--no-pages`) |  |",
        "| step `something_new` | 0.50 s | 0 % | — |  | — |  |",
        "| Dagster between steps | 2.50 s | 2 % | 0.50 s | 2 % | — |  |",
        "| after the run (run log, summary, exit) | 10.0 s | 10 % | 2.00 s | 10 % | — |  |",
        "",
        "No Dagster run recorded for: nothing new (whole process only; see its output below).",
    ]
    assert breakdown_table([("full", None), ("incremental", {"skipped": "x"})]) == []


def test_dbt_lines() -> None:
    assert dbt_lines("dbt build, full refresh", dbt_breakdown(RUN_RESULTS, top=2, threads=2)) == [
        "dbt build, full refresh: 3 models Σ 10.0 s, 1 seeds Σ 1.00 s, 2 tests Σ 0.75 s "
        "(execution times summed over 2 threads).",
        "Failed nodes: test.bistand.unique_y.",
        "",
        "| slowest dbt models | seconds | share of Σ models |",
        "|---|---:|---:|",
        "| `marts.fct_indicator_value` | 6.00 | 60 % |",
        "| `int_ephemeral` | 2.00 | 20 % |",
    ]


def test_the_median_run_is_reported_with_every_run() -> None:
    from benchmarks.run import median_run

    runs = [
        {"measured": measured(36.0), "load_before": [2.0, 1.0, 1.0]},
        {"measured": measured(31.0), "load_before": [1.0, 1.0, 1.0]},
        {"measured": measured(33.0), "load_before": [1.5, 1.0, 1.0]},
    ]
    chosen = median_run(runs)
    assert chosen["measured"]["wall_s"] == 33.0 and chosen["reported_run"] == 3
    assert [(r["wall_s"], r["cpu_s"], r["load_before"], r["ok"]) for r in chosen["repeats"]] == [
        (36.0, 85.0, 2.0, True),
        (31.0, 85.0, 1.0, True),
        (33.0, 85.0, 1.5, True),
    ]
    # of an even number, the faster middle one; a failed run is the one reported
    assert median_run(runs[:2])["measured"]["wall_s"] == 31.0
    failed = {"measured": measured(5.0, exit_code=1)}
    assert median_run([runs[0], failed])["measured"]["exit_code"] == 1
    assert "repeats" not in median_run(runs[:1])  # one run: as it was


def test_repeats_are_interleaved_and_stop_at_a_failure() -> None:
    """Each repeat runs full, floor, delivery and incremental one after the other, so that the
    machine's drift weighs alike on both sides of each ratio; the oracle once, after the first
    floor; the runs so far are reported after each floor and incremental refresh (a bench
    stopped midway keeps them); a failed refresh ends the repeats."""
    from benchmarks.run import Repeat, interleaved

    calls: list[object] = []

    def step(name: str, fail: set[int | None] = frozenset()):  # type: ignore[assignment]
        def run(attempt: int | None) -> dict:
            calls.append((name, attempt))
            return {"measured": measured(10.0, exit_code=1 if attempt in fail else 0)}

        return run

    def steps(full_fails: set[int | None] = frozenset(), inc_fails=frozenset()) -> Repeat:
        return Repeat(
            reset=lambda: calls.append("reset"),
            full=step("full", full_fails),
            floor=step("floor"),
            after_first_floor=lambda: calls.append("oracle"),
            deliver=lambda attempt: calls.append(("deliver", attempt)),
            incremental=step("incremental", inc_fails),
            progress=lambda full, floor, inc: calls.append(("so far", len(full), len(inc))),
        )

    fulls, floors, incrementals = interleaved(3, steps())
    assert calls == [
        "reset", ("full", 1), ("floor", 1), "oracle", ("so far", 1, 0),
        ("deliver", 1), ("incremental", 1), ("so far", 1, 1),
        "reset", ("full", 2), ("floor", 2), ("so far", 2, 1),
        ("deliver", 2), ("incremental", 2), ("so far", 2, 2),
        "reset", ("full", 3), ("floor", 3), ("so far", 3, 2),
        ("deliver", 3), ("incremental", 3), ("so far", 3, 3),
    ]  # fmt: skip
    assert (len(fulls), len(floors), len(incrementals)) == (3, 3, 3)

    calls.clear()
    fulls, floors, incrementals = interleaved(3, steps(full_fails={2}))
    # no delivery after a failure
    assert calls[-4:] == ["reset", ("full", 2), ("floor", 2), ("so far", 2, 1)]
    assert (len(fulls), len(incrementals)) == (2, 1)
    assert fulls[-1]["measured"]["exit_code"] == 1

    calls.clear()
    interleaved(3, steps(inc_fails={1}))
    assert calls[-2:] == [("incremental", 1), ("so far", 1, 1)]

    calls.clear()
    interleaved(1, steps())
    assert calls == ["reset", ("full", None), ("floor", None), "oracle", ("so far", 1, 0),
                     ("deliver", 1), ("incremental", None), ("so far", 1, 1)]  # fmt: skip
    # one repeat: no attempt number in its file names


def test_refresh_state_is_cleared_without_the_harness_files(tmp_path: Path) -> None:
    from benchmarks.run import clear_refresh_state

    run = tmp_path / "run"
    write(run / "landing" / "utbetalningar_2026-09.csv", "a;b\n")
    write(run / "warehouse.duckdb", "w")
    write(run / "dagster_home" / "storage" / "x", "x")
    write(run / "refresh-full-1.log", "log")
    write(run / "dbt-target-full-1" / "run_results.json", "{}")
    clear_refresh_state(run, keep_landing=True)
    assert sorted(p.name for p in run.iterdir()) == [
        "dbt-target-full-1",
        "landing",
        "refresh-full-1.log",
    ]
    clear_refresh_state(run, keep_landing=False)
    assert sorted(p.name for p in run.iterdir()) == ["dbt-target-full-1", "refresh-full-1.log"]


def test_repeated_runs_are_shown_as_the_median_and_every_run() -> None:
    stockholm = RESULTS["profiles"]["stockholm"]
    repeats = [
        {"wall_s": w, "cpu_s": c, "peak_rss": 1, "load_before": 1.0, "ok": True}
        for w, c in ((62.0, 90.0), (58.0, 85.0), (57.0, 84.0))
    ]
    full = {**stockholm["full"], "repeats": repeats, "reported_run": 2}
    floor = {**stockholm["floor"], "repeats": [dict(r, wall_s=5.0) for r in repeats]}
    p = {**stockholm, "full": full, "floor": floor}
    rows = {r["what"]: r["measured"] for r in evaluate({"profiles": {"stockholm": p}})}
    assert rows["stockholm full refresh (empty warehouse, `--no-pages`)"] == (
        "58.0 s (median of 3: 62.0 s / 58.0 s / 57.0 s)"
    )
    assert rows["one new month (incremental), stockholm"] == "20.7 % (12.0 s / 58.0 s, medians)"
    assert (
        rows["project vs a plain-DuckDB floor script (stockholm, same landing, same run)"]
        == "11.6× (58.0 s / 5.00 s, medians)"
    )
    text = render({"profiles": {"stockholm": p}})
    assert "eported: run 2 of 3, the median; these figures and the breakdown below are of " in text
    assert "(CPU time of each run: 90 s / 85 s / 84 s)" in text
    assert "5.00 s (median of 3: 5.00 s / 5.00 s / 5.00 s), 500 MB RSS" in text


def test_render_has_targets_then_sections() -> None:
    text = render(RESULTS)
    assert text.startswith("# Benchmarks\n")
    assert "\n".join(targets_table(RESULTS)) in text
    assert text.index("## stockholm") < text.index("## national")
    assert "**Oracle**" in text and "| where the time goes |" in text
    only_stockholm = render({"profiles": {"stockholm": RESULTS["profiles"]["stockholm"]}})
    assert "## national\n\nNot measured in this file: `python -m benchmarks.run --profiles " in (
        only_stockholm
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    return path


def test_delivery_of_one_more_month(tmp_path: Path) -> None:
    a, b, landing = tmp_path / "a", tmp_path / "b", tmp_path / "landing"
    header = "col1;col2\n"
    for root in (a, landing):
        write(root / "utbetalningar_2026-08.csv", header + "1;2\n")
        write(root / "utbetalningar_2026-09.csv", header + "1;2\n3;4\n")
        write(root / "arenden_2026-10-05.csv", header + "x;y\n")
    write(b / "utbetalningar_2026-08.csv", header + "1;2\n")
    write(b / "utbetalningar_2026-09.csv", header + "1;2\n3;5\n")  # corrected
    write(b / "utbetalningar_2026-10.csv", header + "5;6\n7;8\n9;0")  # no final newline
    write(b / "arenden_2026-11-05.csv", header + "x;y\nz;w\n")  # new snapshot

    diff = diff_landings(a, b)
    assert diff.to_dict() == {
        "new": ["arenden_2026-11-05.csv", "utbetalningar_2026-10.csv"],
        "changed": ["utbetalningar_2026-09.csv"],
        "same": ["utbetalningar_2026-08.csv"],
        "only_in_a": ["arenden_2026-10-05.csv"],
    }
    assert deliver(diff, b, landing) == {
        "files_new": 2,
        "files_changed": 1,
        "files_same": 1,
        "files_only_in_previous": 1,
        "rows": 7,
        "bytes": 18 + 18 + 21,
        "per_export": {
            "arenden": {"new": 1, "changed": 0, "rows": 2, "bytes": 18},
            "utbetalningar": {"new": 1, "changed": 1, "rows": 5, "bytes": 39},
        },
        "files": [
            "arenden_2026-11-05.csv",
            "utbetalningar_2026-09.csv",
            "utbetalningar_2026-10.csv",
        ],
    }
    assert (landing / "utbetalningar_2026-09.csv").read_text() == header + "1;2\n3;5\n"
    assert (a / "utbetalningar_2026-09.csv").read_text() == header + "1;2\n3;4\n"  # A untouched
    assert sorted(p.name for p in landing.iterdir()) == [
        "arenden_2026-10-05.csv",
        "arenden_2026-11-05.csv",
        "utbetalningar_2026-08.csv",
        "utbetalningar_2026-09.csv",
        "utbetalningar_2026-10.csv",
    ]


def test_count_rows_and_export_names(tmp_path: Path) -> None:
    assert count_rows(write(tmp_path / "x.csv", "h\n")) == 0
    assert count_rows(write(tmp_path / "y.csv", "h\n1\n2")) == 2
    assert export_of("hushallsmedlemmar_2024-03.csv") == "hushallsmedlemmar"
    assert export_of("befolkning_2018.csv") == "befolkning"
    assert export_of("okand.csv") == "okand"


def test_process_labels() -> None:
    py = "/work/main/.venv/bin/python"
    assert process_label([py, "/work/main/.venv/bin/bistand", "refresh", "--landing", "L"]) == (
        "bistand refresh"
    )
    assert process_label([py, "/work/main/.venv/bin/dbt", "build", "--select", "x"]) == (
        "dbt build"
    )
    assert process_label([py, "-u", "-m", "benchmarks.oracle_child", "L", "o.json"]) == (
        "benchmarks.oracle_child"
    )
    assert process_label([py, "/x/watch_orphans.py", "12070"]) == "watch_orphans.py"
    assert process_label([py, "/w/.venv/bin/dbt", "--version"]) == "dbt --version"
    assert process_label(["node", "/x/vite", "build"]) == "node"
    assert process_label([py, "-c", "import x"]) == "python -c"
    assert process_label([]) == "?"


def test_month_ranges() -> None:
    assert month_range("tiny", None) == ("2024-01", "2025-12")
    assert month_range("stockholm", None) == ("2019-01", "2026-10")
    assert month_range("national", None) == ("2016-11", "2026-10")
    assert month_range("national", "2027-01") == ("2017-02", "2027-01")


def test_a_page_that_never_rendered_fails_the_first_render_target() -> None:
    stockholm = RESULTS["profiles"]["stockholm"]
    site = {"result": {**stockholm["site"]["result"], "first_render_ms_max": 900}}
    site["result"]["pages"] = {"/": {"first_render_ms": 900}, "/hushall/": {}}
    rows = evaluate({"profiles": {"stockholm": {**stockholm, "site": site}}})
    assert rows[10] == {
        "what": "Evidence build of the stockholm site",
        "target": "first render ≤ 2 s on every page",
        "measured": "900 ms (`/hushall/`)",
        "verdict": "not met (1 of 2 pages did not render)",
    }


def test_measured_child_exit_code_leftovers_and_time_limit(tmp_path: Path) -> None:
    from benchmarks.measure import run_measured

    ok = run_measured(["sh", "-c", "echo hi; exit 2"], log_file=tmp_path / "a.log")
    assert (ok.exit_code, ok.ok, ok.aborted, ok.left_behind) == (2, True, None, [])
    assert (tmp_path / "a.log").read_text() == "hi\n"
    assert ok.max_rss_single > 0

    # an orphan still running when the command exits is stopped and reported
    orphan = run_measured(["sh", "-c", "sleep 60 & sleep 0.3"], log_file=tmp_path / "b.log")
    assert orphan.exit_code == 0 and orphan.left_behind == ["sleep"]
    # … but one that exits by itself within the grace period is not
    helper = run_measured(["sh", "-c", "sleep 1 & sleep 0.3"], log_file=tmp_path / "d.log")
    assert helper.exit_code == 0 and helper.left_behind == []

    stopped = run_measured(["sleep", "60"], log_file=tmp_path / "c.log", timeout_s=1)
    assert stopped.exit_code is None and not stopped.ok
    assert stopped.aborted == "stopped after the time limit of 1 s"


# ---------------------------------------------------------------- the floor script


def luhn_pnr(first_eleven: str) -> str:
    """A 12-digit personnummer with a valid check digit (Luhn over the last ten digits)."""
    digits = [int(c) for c in first_eleven[2:]]
    total = sum(sum(divmod(d * (2 - i % 2), 10)) for i, d in enumerate(digits))
    return first_eleven + str((10 - total % 10) % 10)


def fake_landing(root: Path) -> Path:
    """Two households in 2025: H1 (BRO) paid all twelve months, H2 (ENS) three months and one
    month cancelled by a correction; H1 has an adult, a samordningsnummer adult and a child."""
    pay_header = (
        "utbetalning_id;arende_id;hushall_id;stadsdel_kod;bidragsmanad;utbetalningsdatum;"
        "belopp;bistandstyp;forsorjningshinder_kod;lo_andamal\n"
    )
    adult, coordination = luhn_pnr("19800101123"), luhn_pnr("19900171456")  # day 71 = 11
    child = luhn_pnr("20200505789")
    for m in range(1, 13):
        month = f"2025-{m:02d}"
        pays = [f"U{m}a;A1;H1;BRO;{month};{month}-01;1000,50;FS;03;"]
        if m in (1, 2, 3):
            pays.append(f"U{m}b;A2;H2;ENS;{month};{month}-01;800,00;FS;03;")
        if m == 4:
            pays += [f"U{m}c;A2;H2;ENS;{month};{month}-01;500,00;FS;03;",
                     f"U{m}d;A2;H2;ENS;{month};{month}-20;-500,00;FS;03;"]  # fmt: skip
        write(root / f"utbetalningar_{month}.csv", pay_header + "\n".join(pays) + "\n")
        members = [
            f"H1;{month};{adult[:8]}-{adult[8:]};K;SOK",
            f"H1;{month};{coordination};M;MED",
            f"H1;{month};{child};K;BARN",
            f"H2;{month};199001011234;M;SOK",  # fails the Luhn check
        ]
        write(
            root / f"hushallsmedlemmar_{month}.csv",
            "hushall_id;bidragsmanad;personnummer;kon;roll\n" + "\n".join(members) + "\n",
        )
    write(root / "arenden_2025-12-31.csv", "arende_id\nA1\n")  # other exports are not read
    return root


def test_floor_script_does_the_core_work(tmp_path: Path) -> None:
    from benchmarks.floor import run_floor

    result = run_floor(fake_landing(tmp_path / "landing"), tmp_path / "floor.duckdb")
    assert result["files"] == {"utbetalningar": 12, "hushallsmedlemmar": 12}
    assert result["counts"] == {
        "utbetalningar": 12 + 3 + 2,
        "hushallsmedlemmar": 48,
        "hushall_manad": 12 + 3,  # H2's April nets to 0 kr: not a bidragshushåll
        "hushall_per_stadsdel": 12 + 3,
        "langvarigt_per_ar": 1,
        "reader_errors": 0,
        "invalid_personnummer": 12,
    }
    # both adults of H1 (the samordningsnummer's birth day is 71 - 60), not the child
    assert result["long_term_adults_per_year"] == {"2025": 2}
    assert set(result["timings"]) == {
        "connect_s",
        "read_utbetalningar_s",
        "read_hushallsmedlemmar_s",
        "households_per_district_s",
        "long_term_per_year_s",
        "checkpoint_s",
    }
    import duckdb

    con = duckdb.connect(str(tmp_path / "floor.duckdb"), read_only=True)
    try:
        stored = con.execute("select pseudonym from hushallsmedlemmar").fetchall()
        assert all(p is None or len(p) == 64 for (p,) in stored)  # sha256 hex, never the number
        assert con.execute(
            "select stadsdel_kod, count(*) from hushall_manad group by all order by 1"
        ).fetchall() == [("BRO", 12), ("ENS", 3)]
        # written in the warehouse's storage format (the floor must not write slower)
        assert con.execute(
            "select tags['storage_version'] from duckdb_databases() where database_name = 'floor'"
        ).fetchone() == ("v1.4.0+",)
    finally:
        con.close()
    from orchestration.resources import WAREHOUSE_STORAGE_VERSION

    assert result["settings"]["storage_compatibility_version"] == WAREHOUSE_STORAGE_VERSION


def test_floor_script_as_a_process(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    from benchmarks.run import FLOOR_SCRIPT

    out = tmp_path / "floor.json"
    subprocess.run(
        [sys.executable, FLOOR_SCRIPT, fake_landing(tmp_path / "landing"), out], check=True
    )
    result = json.loads(out.read_text())
    assert result["long_term_adults_per_year"] == {"2025": 2}
    assert result["script_s"] > 0 and result["db_bytes"] > 0


# ---------------------------------------------------------------- the harness's steps, faked


def fake_source(tmp_path: Path, bistand: str) -> Source:
    """A code base whose `bistand` is a shell script (no orchestration package, no dbt)."""
    import sys

    root, bin_dir = tmp_path / "src", tmp_path / "venv" / "bin"
    root.mkdir()
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    write(bin_dir / "bistand", "#!/bin/sh\n" + bistand).chmod(0o755)
    return Source(root, "head", "abc1234", full_commit="abc1234" * 5, python=bin_dir / "python")


def test_nothing_new_refresh_counts_its_output_and_needs_no_dagster(
    tmp_path: Path, monkeypatch
) -> None:
    import argparse

    from benchmarks import run

    script = (
        "echo 'Inget nytt levererat.'\n"
        "printf '\\033[32mKlart\\033[0m på 0,1 s\\n' >&2\n"  # coloured, on stderr
        "exit 0\n"
    )
    monkeypatch.setattr(run, "SOURCE", fake_source(tmp_path, script))
    work = tmp_path / "run"
    (work / "landing").mkdir(parents=True)
    args = argparse.Namespace(timeout=60, rss_cap=None)
    result = run.timed_refresh("nothing_new", "tiny", work, args)
    assert result["measured"]["exit_code"] == 0
    assert result["output_lines"] == 2
    assert result["output"] == ["Inget nytt levererat.", "Klart på 0,1 s"]
    assert "steps" not in result and result["dbt"] is None
    assert result["warm_manifest"]["exit_code"] != 0  # no orchestration package: reported
    assert (work / "refresh-nothing-new.log").exists()


def test_output_lines_and_pytest_summary() -> None:
    from benchmarks.run import count_output_lines, pytest_summary

    assert count_output_lines("") == 0
    assert count_output_lines("a\nb\n") == 2
    assert count_output_lines("a\nb") == 2
    assert count_output_lines("progress 10%\rprogress 100%\ndone\n") == 2
    log = "lint ok\n==== 3 failed, 290 passed, 2 skipped in 401.23s (0:06:41) ====\nmake: *** x\n"
    assert pytest_summary(log) == "3 failed, 290 passed, 2 skipped in 401.23s (0:06:41)"
    assert pytest_summary("no tests ran\n") is None
    # make test runs the browser tests as a second session beside the others
    both = log + "==== 51 passed in 240.10s (0:04:00) ====\n"
    assert pytest_summary(both) == (
        "3 failed, 290 passed, 2 skipped in 401.23s (0:06:41) + 51 passed in 240.10s (0:04:00)"
    )


def fake_repo(root: Path, recipe: str) -> str:
    import subprocess

    root.mkdir()
    write(root / "Makefile", f"test:\n\t{recipe}\n")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "Makefile"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    return subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_make_test_on_a_fresh_clone(tmp_path: Path, monkeypatch) -> None:
    import argparse

    from benchmarks import run

    commit = fake_repo(
        tmp_path / "repo",
        'test -z "$$VIRTUAL_ENV" && echo "CI=$$CI" && echo "== 2 passed in 0.01s =="',
    )
    monkeypatch.setattr(run, "REPO", tmp_path / "repo")
    monkeypatch.setattr(run, "SOURCE", Source(tmp_path, "head", commit[:7], full_commit=commit))
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere/.venv")
    args = argparse.Namespace(
        work=tmp_path / "work", run_started="now", make_test_timeout=60, rss_cap=None,
        keep_clone=False,
    )  # fmt: skip
    result = run.timed_make_test(args)
    assert result["measured"]["exit_code"] == 0
    assert result["summary"] == "2 passed in 0.01s"
    assert "CI=true" in result["tail"]
    assert result["commit"] == commit[:7] and result["run_started"] == "now"
    assert not (tmp_path / "work" / "make-test" / f"clone-{commit[:7]}").exists()
    assert make_test_time(result)[2] is None

    failing = fake_repo(tmp_path / "repo2", "exit 3")
    monkeypatch.setattr(run, "REPO", tmp_path / "repo2")
    monkeypatch.setattr(run, "SOURCE", Source(tmp_path, "head", failing[:7], full_commit=failing))
    result = run.timed_make_test(args)
    assert result["measured"]["exit_code"] == 2  # make's own exit code for a failed recipe
    assert make_test_time(result)[2] == "make test failed (exit 2)"


def test_run_results_found_without_a_run_id(tmp_path: Path, monkeypatch) -> None:
    import json
    import time

    from benchmarks import run

    source = Source(tmp_path / "src", "head", "abc1234")
    monkeypatch.setattr(run, "SOURCE", source)
    since = time.time() - 1
    write(source.dbt_target / "old" / "run_results.json", "{}")
    old = source.dbt_target / "old" / "run_results.json"

    os.utime(old, (since - 100, since - 100))
    write(source.dbt_target / "run_results.json", json.dumps(RUN_RESULTS))
    dest = tmp_path / "run" / "dbt-target-full"
    assert run.collect_run_results(None, dest, since) == RUN_RESULTS
    assert (dest / "run_results.json").exists()
    assert (source.dbt_target / "run_results.json").exists()  # copied, not moved
    # a later refresh does not pick up the copy collected for this one
    os.utime(source.dbt_target / "run_results.json", (since - 50, since - 50))
    assert run.collect_run_results(None, tmp_path / "run" / "dbt-target-incremental", since) is None
    assert run.dagster_steps(tmp_path / "no-dagster-home", None, since) is None


def test_clean_env_drops_the_harness_venv(monkeypatch) -> None:
    from benchmarks.run import clean_env

    monkeypatch.setenv("VIRTUAL_ENV", "/x/.venv")
    monkeypatch.setenv("DAGSTER_HOME", "/x/dagster")
    monkeypatch.setenv("BISTAND_WAREHOUSE", "/x/w.duckdb")
    env = clean_env()
    assert not {"VIRTUAL_ENV", "DAGSTER_HOME", "BISTAND_WAREHOUSE"} & set(env)


def test_snapshot_setup_is_reused_and_install_inputs_compared(tmp_path: Path) -> None:
    import json
    import sys

    from benchmarks.run import _same_files, setup_snapshot

    marker = {"python": sys.executable, "pythonpath": False, "steps": [], "prepared_at": "x"}
    write(tmp_path / "snap" / ".bench-setup.json", json.dumps(marker))
    assert setup_snapshot(tmp_path / "snap") == marker  # no uv, no npm the second time

    for name in ("a", "b"):
        write(tmp_path / name / "package.json", "{}")
        write(tmp_path / name / "patches" / "x.patch", "p")
    names = ("package.json", "package-lock.json", "patches")
    assert _same_files(tmp_path / "a", tmp_path / "b", names)
    write(tmp_path / "b" / "patches" / "y.patch", "q")
    assert not _same_files(tmp_path / "a", tmp_path / "b", names)


# ---------------------------------------------------------------- the one-page site


def test_one_page_site_has_the_configuration_and_one_page(tmp_path: Path) -> None:
    from benchmarks.site import one_page_site

    evidence = tmp_path / "evidence"
    for name in ("package.json", "package-lock.json", "evidence.config.yaml",
                 "evidence.settings.json", "patches/a.patch", ".evidence/customization/c.json",
                 "pages/index.md", "pages/indikator/[kod].md", "sources/kpi/kpi.sql",
                 "components/X.svelte"):  # fmt: skip
        write(evidence / name, name)
    write(evidence / "node_modules" / ".bin" / "evidence", "")
    site = one_page_site(evidence, tmp_path / "work")
    files = sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.is_file() and "node_modules" not in p.parts
    )
    assert files == [
        ".evidence/customization/c.json",
        "evidence.config.yaml",
        "evidence.settings.json",
        "package-lock.json",
        "package.json",
        "pages/index.md",
        "patches/a.patch",
    ]
    assert "{" not in (site / "pages" / "index.md").read_text()  # no query, no component
    assert (site / "sources").is_dir() and not any((site / "sources").iterdir())
    assert (site / "node_modules").resolve() == (evidence / "node_modules").resolve()


def test_site_markdown_compares_with_the_one_page_site() -> None:
    from benchmarks.site import build_ratio, markdown

    site = {
        "build_s": 90.0,
        "build_steps_s": {"check:patches": 0.5, "sources": 3.0, "build": 87.0},
        "build_size_mb": 90.0,
        "build_cpu_s": 100.0,
        "build_peak_rss": 3_000_000_000,
        "load_average_build": [1.0, 2.0],
        "cpu_count": 2,
        "pages": {"/": {"first_render_ms": 800, "fcp_ms": 300, "settled_ms": 900}},
    }
    one_page = {
        "build_s": 60.0,
        "build_steps_s": {"sources": 2.0, "build": 58.0},
        "build_cpu_s": 70.0,
        "build_peak_rss": 3_100_000_000,
        "load_average_build": [1.5, 1.8],
    }
    assert build_ratio(site, one_page) == 1.5
    assert build_ratio(site, None) is None
    text = markdown(site, one_page)
    assert (
        "Site / one-page: **1.50×** (target ≤ 1.5×); build:strict alone 1.50×; "
        "CPU seconds 1.43×." in text
    )
    assert text.endswith("| `/` | 800 | 300 | 900 |")


def test_a_refresh_is_prepared_with_the_parse_state_its_own_dbt_process_leaves(
    tmp_path: Path, monkeypatch
) -> None:
    """warm_manifest parses through the snapshot's dbt_warm.prepare(), the refresh's own dbt
    process (a plain `dbt parse` leaves a parse state that process cannot reuse); a snapshot
    without prepare() gets `dbt parse`."""
    from benchmarks import run

    source = fake_source(tmp_path, "exit 0\n")
    (source.root / "dbt_project").mkdir()
    package = source.root / "orchestration"
    write(package / "__init__.py", "")
    write(package / "project.py", "def ensure_manifest():\n    pass\n")
    write(
        package / "dbt_warm.py",
        "import subprocess\n"
        "def prepare(warehouse, target):\n"
        "    target.mkdir(parents=True, exist_ok=True)\n"
        "    (target / 'prepared').write_text(str(warehouse))\n"
        "    return subprocess.CompletedProcess([], 0, '', '')\n",
    )
    write(
        source.python.parent / "dbt",
        '#!/bin/sh\necho "$@" > "$DBT_LOG_PATH/parsed"\n',
    ).chmod(0o755)
    monkeypatch.setattr(run, "SOURCE", source)
    work = tmp_path / "run"
    (work / "dbt_target").mkdir(parents=True)

    prepared = run.warm_manifest(work)
    assert (prepared["how"], prepared["exit_code"]) == (
        "ensure_manifest() + dbt_warm.prepare()",
        0,
    )
    assert (work / "dbt_target" / "prepared").read_text() == str(work / "warehouse.duckdb")
    assert not (work / "dbt_target" / "parsed").exists()

    (package / "dbt_warm.py").unlink()  # an older snapshot
    parsed = run.warm_manifest(work)
    assert (parsed["how"], parsed["exit_code"]) == ("ensure_manifest() + dbt parse", 0)
    assert (work / "dbt_target" / "parsed").read_text().startswith("parse --quiet")


def test_the_files_dbt_parsed_come_from_its_perf_info_of_this_refresh(tmp_path: Path) -> None:

    from benchmarks.run import dbt_files_parsed

    perf = write(
        tmp_path / "dbt_target" / "perf_info.json",
        '{"path_count": 308, "parsed_path_count": 0, "is_partial_parse_enabled": true}',
    )
    written = perf.stat().st_mtime
    assert dbt_files_parsed(tmp_path, written - 1) == [0, 308]
    assert dbt_files_parsed(tmp_path, written + 1) is None  # an earlier refresh's
    write(perf, '{"path_count": 308, "parsed_path_count": 308}')
    os.utime(perf, (written, written))
    assert dbt_files_parsed(tmp_path, written - 1) == [308, 308]
    write(perf, '{"path_count": 308')  # cut short
    assert dbt_files_parsed(tmp_path, 0) is None
    assert dbt_files_parsed(tmp_path / "none", 0) is None

    stockholm = RESULTS["profiles"]["stockholm"]
    for files, line in (
        ([0, 308], "dbt reused its parse state (0 of the project's 308 files parsed)"),
        ([308, 308], "dbt parsed 308 of the project's 308 files before the build (its parse "),
    ):
        p = {**stockholm, "full": {**stockholm["full"], "dbt_files_parsed": files}}
        assert line[1:] in render({"profiles": {"stockholm": p}})  # "Dbt …" when first
