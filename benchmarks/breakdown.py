"""Where a refresh's time goes: Dagster's step timings and dbt's run_results.json, summarised.

Pure functions over plain data (tested in tests/test_bench.py); the reading of the Dagster
instance and of the files is in benchmarks/run.py.
"""

from __future__ import annotations

from datetime import datetime

DBT_STEP = "dbt_warehouse"
PUBLISH_STEP = "published"  # the publish file and the Word reports
PAGES_STEP = "published__pages"
LOADER_STEP = "raw"  # all exports in one step; each export's seconds from its metadata


def _ts(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def node_name(result: dict) -> str:
    """`schema.model` from the relation name, else the last part of the unique id."""
    relation = result.get("relation_name")
    if relation:
        parts = [p.strip('"') for p in relation.split(".")]
        return ".".join(parts[-2:])
    return result["unique_id"].split(".")[-1]


def dbt_breakdown(run_results: dict, top: int = 10, threads: int | None = None) -> dict:
    """Summary of one `dbt build`: time per resource type, the slowest models, dbt's start-up.

    execution_time is per node; with several threads their sum exceeds the wall time, so the
    model shares are of the models' summed execution time, not of the wall time.
    """
    results = run_results.get("results", [])
    by_type: dict[str, dict] = {}
    for result in results:
        kind = result["unique_id"].split(".")[0]
        entry = by_type.setdefault(kind, {"count": 0, "seconds": 0.0})
        entry["count"] += 1
        entry["seconds"] += result.get("execution_time") or 0.0
    models = sorted(
        (r for r in results if r["unique_id"].startswith("model.")),
        key=lambda r: (-(r.get("execution_time") or 0.0), r["unique_id"]),
    )
    model_total = sum(r.get("execution_time") or 0.0 for r in models)
    starts = [
        _ts(t["started_at"]) for r in results for t in r.get("timing", []) if t.get("started_at")
    ]
    metadata = run_results.get("metadata", {})
    invoked = metadata.get("invocation_started_at")
    generated = metadata.get("generated_at")
    return {
        "elapsed_s": run_results.get("elapsed_time"),
        "invocation_s": _ts(generated) - _ts(invoked) if invoked and generated else None,
        "startup_s": min(starts) - _ts(invoked) if invoked and starts else None,
        "threads": run_results.get("args", {}).get("threads") or threads,
        "by_type": {k: by_type[k] for k in sorted(by_type)},
        "failed": sorted(
            r["unique_id"] for r in results if r.get("status") in ("error", "fail", "runtime error")
        ),
        "model_seconds": model_total,
        "top_models": [
            {
                "name": node_name(r),
                "seconds": r.get("execution_time") or 0.0,
                "share": (r.get("execution_time") or 0.0) / model_total if model_total else 0.0,
            }
            for r in models[:top]
        ],
    }


def step_breakdown(
    steps: list[dict],
    *,
    process_start: float,
    process_end: float,
    run_start: float | None,
    run_end: float | None,
    loaders: dict[str, float] | None = None,
) -> dict:
    """The refresh process's wall time split into start-up, Dagster steps and the rest.

    steps: [{"step_key", "seconds"}] from Dagster's step stats; the loaders are one step
    (`raw`), and `loaders` the seconds of each export in it ({export: seconds}, from the
    `sekunder` metadata of its materialisation).
    """
    by_key = {s["step_key"]: s["seconds"] for s in steps}
    others = {
        k: v
        for k, v in by_key.items()
        if k not in (LOADER_STEP, DBT_STEP, PUBLISH_STEP, PAGES_STEP)
    }
    in_steps = sum(by_key.values())
    return {
        "total_s": process_end - process_start,
        "startup_s": run_start - process_start if run_start is not None else None,
        "loaders_s": by_key.get(LOADER_STEP),
        "loaders": dict(sorted((loaders or {}).items(), key=lambda kv: (-kv[1], kv[0]))),
        "dbt_s": by_key.get(DBT_STEP),
        "publish_s": by_key.get(PUBLISH_STEP),
        "pages_s": by_key.get(PAGES_STEP),
        "other_steps": others,
        "between_steps_s": (run_end - run_start - in_steps)
        if run_start is not None and run_end is not None
        else None,
        "after_run_s": process_end - run_end if run_end is not None else None,
    }
