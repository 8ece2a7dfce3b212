"""benchmarks/results.md from the figures in benchmarks/results.json: targets, summary, details.

Pure: `render(results)` depends only on its argument (tested with exact output in
tests/test_bench.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PROFILE_ORDER = ("tiny", "stockholm", "national")
GB = 1e9


@dataclass(frozen=True)
class Target:
    what: str  # the row of issue 22's table
    label: str  # the target itself
    source: str  # a profile name, or "make_test" (results["make_test"])
    measure: Callable[[dict], tuple[float | None, str, str | None]]  # value, shown, why missing
    limit: float
    higher_is_better: bool = False


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 600:
        return f"{seconds:.1f} s"
    return f"{seconds:.0f} s ({seconds / 60:.1f} min)"


def fmt_bytes(n: float | None) -> str:
    if n is None:
        return "—"
    if n >= GB:
        return f"{n / GB:.2f} GB"
    if n >= 10e6:
        return f"{n / 1e6:.0f} MB"
    return f"{n / 1e6:.1f} MB"


def fmt_count(n: int | None) -> str:
    if n is None:
        return "—"
    if n >= 1_000_000:
        return f"{n / 1e6:.1f} M"
    return f"{n:,}".replace(",", " ")


def fmt_pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def fmt_times(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.2f}×" if x < 1 else f"{x:.1f}×"


def _wall(step: dict | None) -> float | None:
    if not step or "measured" not in step:
        return None
    return step["measured"]["wall_s"]


def _median_note(step: dict | None) -> str:
    """`` (median of 3: 31.2 s / 33.0 s / 36.1 s)`` for a repeated measurement (the runs in the
    order they ran), else ``""``."""
    repeats = (step or {}).get("repeats")
    if not repeats:
        return ""
    return f" (median of {len(repeats)}: " + " / ".join(fmt_s(r["wall_s"]) for r in repeats) + ")"


def succeeded(step: dict | None) -> bool:
    """Whether a measured step ran to its end with exit 0 or 2 (2: input rejected, by design)."""
    if not step or "measured" not in step:
        return False
    m = step["measured"]
    return m.get("aborted") is None and m.get("exit_code") in (0, 2)


def _failure(step: dict | None, what: str) -> str | None:
    """Why a step gives no valid figure, or None when it does."""
    if not step or "measured" not in step:
        return f"{what} not measured" if not step or "skipped" not in step else step["skipped"]
    m = step["measured"]
    if m.get("aborted"):
        return f"{what} {m['aborted']}"
    if m.get("exit_code") not in (0, 2):
        return f"{what} failed (exit {m.get('exit_code')})"
    return None


def full_time(p: dict) -> tuple[float | None, str, str | None]:
    why = _failure(p.get("full"), "full refresh")
    wall = _wall(p.get("full"))
    return (None if why else wall), fmt_s(wall) + _median_note(p.get("full")), why


def full_rss(p: dict) -> tuple[float | None, str, str | None]:
    full = p.get("full")
    why = _failure(full, "full refresh")
    rss = full["measured"]["peak_rss"] if full and "measured" in full else None
    return (None if why else rss), fmt_bytes(rss), why


def incremental_share(p: dict) -> tuple[float | None, str, str | None]:
    why = _failure(p.get("full"), "full refresh") or _failure(
        p.get("incremental"), "incremental refresh"
    )
    full, inc = _wall(p.get("full")), _wall(p.get("incremental"))
    share = inc / full if full and inc is not None else None
    shown = fmt_pct(share)
    if share is not None and (p["full"].get("repeats") or p["incremental"].get("repeats")):
        shown += f" ({fmt_s(inc)} / {fmt_s(full)}, medians)"
    return (None if why else share), shown, why


def oracle_ratio(p: dict) -> tuple[float | None, str, str | None]:
    """Oracle wall time / full refresh wall time. A stopped oracle gives a lower bound."""
    why = _failure(p.get("full"), "full refresh")
    full, oracle = _wall(p.get("full")), _wall(p.get("oracle"))
    if why or not full or oracle is None:
        return None, "—", why or _failure(p.get("oracle"), "oracle")
    ratio = oracle / full
    o = p["oracle"]["measured"]
    if o.get("aborted"):
        return ratio, f"≥ {fmt_times(ratio)} (oracle {o['aborted']})", None
    if o.get("exit_code") != 0:
        return None, "—", f"oracle failed (exit {o.get('exit_code')})"
    return ratio, fmt_times(ratio), None


def nothing_new_time(p: dict) -> tuple[float | None, str, str | None]:
    why = _failure(p.get("nothing_new"), "nothing-new refresh")
    wall = _wall(p.get("nothing_new"))
    return (None if why else wall), fmt_s(wall), why


def nothing_new_lines(p: dict) -> tuple[float | None, str, str | None]:
    step = p.get("nothing_new")
    why = _failure(step, "nothing-new refresh")
    lines = (step or {}).get("output_lines")
    if lines is None:
        return None, "—", why or "nothing-new refresh: output not counted"
    return (None if why else float(lines)), f"{lines} lines", why


def floor_ratio(p: dict) -> tuple[float | None, str, str | None]:
    """Full refresh wall time / the plain-DuckDB floor script's, same landing, same run."""
    why = _failure(p.get("full"), "full refresh")
    floor = p.get("floor")
    why = why or _failure(floor, "floor script")
    if not why and floor["measured"].get("exit_code") != 0:
        why = f"floor script failed (exit {floor['measured'].get('exit_code')})"
    full, low = _wall(p.get("full")), _wall(floor)
    if why or not low or full is None:
        return None, "—", why
    ratio = full / low
    medians = ", medians" if p["full"].get("repeats") or floor.get("repeats") else ""
    return ratio, f"{fmt_times(ratio)} ({fmt_s(full)} / {fmt_s(low)}{medians})", None


def _site_result(p: dict) -> tuple[dict | None, str | None]:
    site = p.get("site")
    if not site:
        return None, "site not measured"
    if "result" not in site:
        return None, site.get("skipped") or f"site benchmark failed: {site.get('error', '?')}"
    return site["result"], None


def site_build_ratio(p: dict) -> tuple[float | None, str, str | None]:
    """The site's build over the one-page site's (sources + build:strict each), same run."""
    result, why = _site_result(p)
    if result is None:
        return None, "—", why
    one_page = (p.get("site") or {}).get("one_page")
    if not one_page or not one_page.get("build_s"):
        return None, f"site {fmt_s(result['build_s'])}", "one-page site not measured"
    ratio = result["build_s"] / one_page["build_s"]
    shown = f"{fmt_times(ratio)} ({fmt_s(result['build_s'])} / {fmt_s(one_page['build_s'])})"
    return ratio, shown, None


def site_first_render(p: dict) -> tuple[float | None, str, str | None]:
    """The slowest page's first render; every page must have rendered."""
    result, why = _site_result(p)
    if result is None:
        return None, "—", why
    slowest = result.get("first_render_ms_max")
    pages = result.get("pages", {})
    missing = [path for path, t in pages.items() if not t.get("first_render_ms")]
    shown = f"{slowest} ms (`{result.get('slowest_page')}`)" if slowest is not None else "—"
    if missing or slowest is None:
        return None, shown, f"{len(missing)} of {len(pages)} pages did not render"
    return float(slowest), shown, None


def make_test_time(m: dict) -> tuple[float | None, str, str | None]:
    """`make test` on a fresh clone: its wall time; it must pass."""
    if "measured" not in m:
        return None, "—", m.get("skipped") or m.get("error") or "make test not measured"
    wall = m["measured"]["wall_s"]
    shown = fmt_s(wall) + (f" ({m['summary']})" if m.get("summary") else "")
    if m["measured"].get("aborted"):
        return None, shown, f"make test {m['measured']['aborted']}"
    if m["measured"].get("exit_code") != 0:
        return None, shown, f"make test failed (exit {m['measured'].get('exit_code')})"
    return wall, shown, None


NOTHING_NEW = "refresh with nothing new delivered (stockholm, right after the incremental one)"
SITE = "Evidence build of the stockholm site"
TARGETS = (
    Target(
        "stockholm full refresh (empty warehouse, `--no-pages`)", "≤ 30 s", "stockholm",
        full_time, 30.0,
    ),
    Target(NOTHING_NEW, "≤ 3 s", "stockholm", nothing_new_time, 3.0),
    Target(NOTHING_NEW, "≤ 10 lines of output", "stockholm", nothing_new_lines, 10),
    Target(
        "one new month (incremental), national", "≤ 10 % of full", "national",
        incremental_share, 0.10,
    ),
    Target(
        "one new month (incremental), stockholm", "≤ 50 % of full", "stockholm",
        incremental_share, 0.50,
    ),
    Target("national full refresh", "≤ 5 min", "national", full_time, 300.0),
    Target("national full refresh", "peak RSS ≤ 8 GB", "national", full_rss, 8 * GB),
    Target(
        "warehouse vs the pandas oracle (stockholm)", "≥ 5× faster", "stockholm",
        oracle_ratio, 5.0, True,
    ),
    Target(
        "project vs a plain-DuckDB floor script (stockholm, same landing, same run)",
        "full refresh ≤ 8× the floor's time", "stockholm", floor_ratio, 8.0,
    ),
    Target(
        SITE, "≤ 1.5× a one-page, query-free site built in the same run", "stockholm",
        site_build_ratio, 1.5,
    ),
    Target(SITE, "first render ≤ 2 s on every page", "stockholm", site_first_render, 2000.0),
    Target("`make test` on a fresh clone", "≤ 8 min, passing", "make_test", make_test_time, 480),
)  # fmt: skip


def _target_input(results: dict, source: str) -> dict | None:
    if source == "make_test":
        return results.get("make_test")
    return results.get("profiles", {}).get(source)


def evaluate(results: dict) -> list[dict]:
    """One row per target: what, target, measured, verdict (met / not met / not measured)."""
    rows = []
    for target in TARGETS:
        data = _target_input(results, target.source)
        row = {"what": target.what, "target": target.label, "measured": "—"}
        if data is None:
            rows.append({**row, "verdict": "not measured"})
            continue
        value, shown, why = target.measure(data)
        if value is None:
            missing = (
                not why
                or why.endswith("not measured")
                or why.startswith("skipped")
                or why.endswith("not counted")
            )
            verdict = "not measured" if missing else f"not met ({why})"
        elif target.higher_is_better:
            verdict = "met" if value >= target.limit else "not met"
        else:
            verdict = "met" if value <= target.limit else "not met"
        rows.append({**row, "measured": shown, "verdict": verdict})
    return rows


def targets_table(results: dict) -> list[str]:
    lines = ["| what (issue 22) | target | measured | verdict |", "|---|---|---|---|"]
    rows = evaluate(results)
    for row in rows:
        cells = (row["what"], row["target"], row["measured"], row["verdict"])
        lines.append("| " + " | ".join(cells) + " |")
    counts = {
        v: sum(1 for r in rows if r["verdict"].startswith(v))
        for v in ("met", "not met", "not measured")
    }
    lines += [
        "",
        f"{counts['met']} of {len(rows)} met, {counts['not met']} not met, "
        f"{counts['not measured']} not measured. " + runs_sentence(results),
    ]
    return lines


def _run_of(data: dict) -> tuple[str, str]:
    return (data.get("run_started") or data.get("date") or "?", data.get("commit") or "?")


def runs_sentence(results: dict) -> str:
    """Whether the figures come from one run of `make bench` on one commit, as issue 22 asks."""
    sources = {
        name: _run_of(p)
        for name, p in results.get("profiles", {}).items()
        if name in ("stockholm", "national")
    }
    if results.get("make_test"):
        sources["make test"] = _run_of(results["make_test"])
    for name, p in results.get("profiles", {}).items():
        site = p.get("site") or {}
        if name == "stockholm" and site.get("measured_in_run_of"):
            sources["site"] = (site["measured_in_run_of"], site.get("commit") or "?")
    runs = set(sources.values())
    if not runs:
        return "Nothing measured yet."
    if len(runs) == 1:
        started, commit = runs.pop()
        return f"All from one run, started {started}, on commit `{commit}`."
    parts = [f"{name}: {started}, `{commit}`" for name, (started, commit) in sources.items()]
    return "**Not from one run**: " + "; ".join(parts) + "."


def _months(p: dict) -> str:
    return f"{p['first_month']} … {p['month']}"


def _landing_cell(landing: dict | None) -> str:
    if not landing:
        return "—"
    return (
        f"{landing['files']} files, {fmt_count(landing['rows'])} rows, "
        f"{fmt_bytes(landing['bytes'])}"
    )


def _generate_cell(gen: dict | None) -> str:
    if not gen:
        return "—"
    if gen.get("error"):
        return f"failed: {gen['error']}"
    text = f"{fmt_s(gen['seconds'])}, {fmt_bytes(gen.get('peak_rss'))} RSS"
    if gen.get("load_before"):
        text += f", load {gen['load_before'][0]:.1f}"
    if gen.get("reused"):
        text += f" (reused landing, measured {gen['generated_at']})"
    return text


def _refresh_cell(step: dict | None) -> str:
    if not step:
        return "—"
    if "measured" not in step:
        return step.get("skipped", "—")
    m = step["measured"]
    text = fmt_s(m["wall_s"])
    if m.get("aborted"):
        text += f" ({m['aborted']})"
    elif m.get("exit_code") not in (0, 2):
        text += f" (FAILED, exit {m.get('exit_code')})"
    elif m.get("exit_code") == 2:
        text += " (exit 2: input rejected)"
    return text + _median_note(step)


def _site_cell(site: dict | None) -> str:
    if not site:
        return "—"
    if "result" in site:
        r = site["result"]
        one_page = site.get("one_page")
        return (
            f"build {fmt_s(r['build_s'])}"
            + (f" (one-page site {fmt_s(one_page['build_s'])})" if one_page else "")
            + f", slowest first render {r['first_render_ms_max']} ms ({r['n_pages']} pages)"
            + (f" (run of {site['measured_in_run_of']})" if site.get("measured_in_run_of") else "")
        )
    return site.get("skipped") or f"failed: {site.get('error', '?')}"


def _floor_cell(p: dict) -> str:
    floor = p.get("floor")
    if not floor or "measured" not in floor:
        return (floor or {}).get("skipped", "—")
    m = floor["measured"]
    text = f"{fmt_s(m['wall_s'])}{_median_note(floor)}, {fmt_bytes(m['peak_rss'])} RSS"
    if m.get("aborted"):
        text += f" ({m['aborted']})"
    elif m.get("exit_code") != 0:
        text += f" (FAILED, exit {m.get('exit_code')})"
    return text


def _nothing_new_cell(p: dict) -> str:
    step = p.get("nothing_new")
    text = _refresh_cell(step)
    if step and step.get("output_lines") is not None:
        text += f", {step['output_lines']} lines of output"
    return text


def summary_table(profiles: dict) -> list[str]:
    names = [n for n in PROFILE_ORDER if n in profiles]
    rows: list[tuple[str, Callable[[dict], str]]] = [
        ("months (M = last)", _months),
        ("landing up to M", lambda p: _landing_cell(p.get("generate", {}).get("landing"))),
        ("generate up to M", lambda p: _generate_cell(p.get("generate"))),
        ("full refresh (up to M-1, empty warehouse)", lambda p: _refresh_cell(p.get("full"))),
        ("peak RSS, full refresh", lambda p: full_rss(p)[1]),
        ("CPU time, full refresh (user + system)", lambda p: _cpu(p.get("full"))),
        ("floor script (plain DuckDB, landing A)", _floor_cell),
        ("full refresh / floor", lambda p: floor_ratio(p)[1]),
        ("incremental refresh (+ month M)", lambda p: _refresh_cell(p.get("incremental"))),
        ("incremental / full", lambda p: incremental_share(p)[1]),
        ("peak RSS, incremental", lambda p: _rss(p.get("incremental"))),
        ("refresh with nothing new (after the incremental)", _nothing_new_cell),
        ("oracle (up to M-1)", _oracle_cell),
        ("CPU time, oracle", lambda p: _cpu(p.get("oracle"))),
        ("oracle / warehouse (full refresh)", lambda p: oracle_ratio(p)[1]),
        ("site (Evidence build, first render)", lambda p: _site_cell(p.get("site"))),
    ]
    lines = [
        "| | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(profiles[n]) for n in names) + " |")
    return lines


def _cpu(step: dict | None) -> str:
    """CPU seconds of the whole tree; CPU / cores bounds the wall time on an idle machine."""
    if not step or "measured" not in step:
        return "—"
    m = step["measured"]
    return fmt_s(m["cpu_user_s"] + m["cpu_sys_s"])


def _rss(step: dict | None) -> str:
    if not step or "measured" not in step:
        return "—"
    return fmt_bytes(step["measured"]["peak_rss"])


def _oracle_cell(p: dict) -> str:
    oracle = p.get("oracle")
    if not oracle or "measured" not in oracle:
        return (oracle or {}).get("skipped", "—")
    m = oracle["measured"]
    text = f"{fmt_s(m['wall_s'])}, {fmt_bytes(m['peak_rss'])} RSS"
    if m.get("aborted"):
        text += f" ({m['aborted']})"
    elif m.get("exit_code") != 0:
        text += f" (FAILED, exit {m.get('exit_code')})"
    return text


def _load(load: list[float] | None) -> str:
    return " / ".join(f"{x:.2f}" for x in load) if load else "—"


def _memory_line(m: dict) -> str:
    procs = ", ".join(
        f"`{k}` {fmt_bytes(v)}" for k, v in list(m["peaks_by_process"].items())[:4] if v
    )
    return (
        f"peak RSS {fmt_bytes(m['peak_rss'])} (sum over the process tree sampled every "
        f"{m.get('interval_s', 0.5)} s: {fmt_bytes(m['tree_peak'])}; largest single process, "
        f"exact: {fmt_bytes(m['max_rss_single'])}; per process: {procs or '—'}); "
        f"CPU {m['cpu_user_s']:.0f} s user + {m['cpu_sys_s']:.0f} s system"
    )


def _share(x: float | None, total: float | None) -> str:
    if x is None or not total:
        return ""
    return f"{100 * x / total:.0f} %"


def breakdown_table(columns: list[tuple[str, dict | None]]) -> list[str]:
    """Where the time goes, one column pair per refresh (full, incremental, nothing new).

    The split comes from the refresh's Dagster run and dbt's run_results.json; a refresh without
    them (no Dagster run, e.g. one that stops early) shows its whole wall time only.
    """
    columns = [(name, step) for name, step in columns if step and "measured" in step]
    if not columns:
        return []
    steps = [step.get("steps") or {} for _, step in columns]
    dbts = [step.get("dbt") or {} for _, step in columns]
    totals = [
        st.get("total_s") if st.get("total_s") is not None else step["measured"]["wall_s"]
        for st, (_, step) in zip(steps, columns, strict=True)
    ]

    def row(label: str, values: list[float | None], indent: bool = False) -> str:
        cells = []
        for v, total in zip(values, totals, strict=True):
            cells.append(f"{fmt_s(v)} | {_share(v, total)}" if v is not None else "— | ")
        prefix = "  ↳ " if indent else ""
        return f"| {prefix}{label} | " + " | ".join(cells) + " |"

    lines = [
        "| where the time goes | " + " | ".join(f"{name} | share" for name, _ in columns) + " |",
        "|---|" + "---:|---:|" * len(columns),
        row("whole `bistand refresh` process", totals),
        row("start-up (imports, Dagster definitions)", [s.get("startup_s") for s in steps]),
        row("loaders (all exports)", [s.get("loaders_s") for s in steps]),
    ]
    exports: list[str] = []
    for s in steps:
        exports += [e for e in s.get("loaders") or {} if e not in exports]
    for export in exports:
        lines.append(
            row(export, [(s.get("loaders") or {}).get(export) for s in steps], indent=True)
        )
    lines.append(row("dbt build (Dagster step)", [s.get("dbt_s") for s in steps]))
    lines.append(row("dbt start-up (to its first node)", [d.get("startup_s") for d in dbts], True))
    lines.append(row("dbt nodes (dbt's elapsed time)", [d.get("elapsed_s") for d in dbts], True))
    overhead = []
    for s, d in zip(steps, dbts, strict=True):
        if s.get("dbt_s") is not None and d.get("invocation_s") is not None:
            overhead.append(s["dbt_s"] - d["invocation_s"])
        else:
            overhead.append(None)
    lines.append(row("dagster-dbt (process, events) around dbt", overhead, True))
    lines.append(
        row("publish and the Word reports (one step)", [s.get("publish_s") for s in steps])
    )
    lines.append("| pages | " + " | ".join("skipped (`--no-pages`) | " for _ in columns) + " |")
    other_keys = sorted({k for s in steps for k in (s.get("other_steps") or {})})
    for key in other_keys:
        lines.append(row(f"step `{key}`", [(s.get("other_steps") or {}).get(key) for s in steps]))
    lines.append(row("Dagster between steps", [s.get("between_steps_s") for s in steps]))
    lines.append(
        row("after the run (run log, summary, exit)", [s.get("after_run_s") for s in steps])
    )
    whole_only = [name for (name, _), s in zip(columns, steps, strict=True) if not s]
    if whole_only:
        lines += [
            "",
            "No Dagster run recorded for: "
            + ", ".join(whole_only)
            + " (whole process only; see its output below).",
        ]
    return lines


def dbt_lines(label: str, dbt: dict | None) -> list[str]:
    if not dbt:
        return [f"{label}: no run_results.json found."]
    kinds = ", ".join(
        f"{v['count']} {k}s Σ {fmt_s(v['seconds'])}" for k, v in dbt["by_type"].items()
    )
    lines = [
        f"{label}: {kinds} (execution times summed over {dbt.get('threads') or '?'} threads).",
    ]
    if dbt.get("failed"):
        lines.append(f"Failed nodes: {', '.join(dbt['failed'])}.")
    lines += [
        "",
        "| slowest dbt models | seconds | share of Σ models |",
        "|---|---:|---:|",
    ]
    for model in dbt["top_models"]:
        lines.append(
            f"| `{model['name']}` | {model['seconds']:.2f} | {100 * model['share']:.0f} % |"
        )
    return lines


def _refresh_paragraph(name: str, step: dict | None) -> list[str]:
    if not step:
        return [f"**{name}**: not run."]
    if "measured" not in step:
        return [f"**{name}**: {step.get('skipped', 'not run')}."]
    m = step["measured"]
    parts = [
        f"**{name}**: {_refresh_cell(step)} wall; {_memory_line(m)}. "
        f"Load average before: {_load(step.get('load_before'))}."
    ]
    extra = []
    if m.get("left_behind"):
        extra.append(
            "it exited leaving "
            + ", ".join(f"`{x}`" for x in m["left_behind"])
            + " running (stopped by the harness)"
        )
    if step.get("build_scope"):
        extra.append(f"dbt rebuilt the month-keyed facts: `{step['build_scope']}`")
    if step.get("reparsed_by_dbt"):
        extra.append("dbt parsed the whole project during the run (its dbt.log)")
    if step.get("dbt_files_parsed"):
        parsed, total = step["dbt_files_parsed"]
        extra.append(
            f"dbt parsed {parsed} of the project's {total} files before the build (its parse "
            "state was not reused)"
            if parsed
            else f"dbt reused its parse state (0 of the project's {total} files parsed)"
        )
    if step.get("warehouse_bytes") is not None:
        extra.append(f"warehouse file {fmt_bytes(step['warehouse_bytes'])}")
    if step.get("publish_bytes") is not None:
        extra.append(f"publish file {fmt_bytes(step['publish_bytes'])}")
    if step.get("repeats"):
        extra.append(
            f"reported: run {step['reported_run']} of {len(step['repeats'])}, the median; these "
            "figures and the breakdown below are of that run (CPU time of each run: "
            + " / ".join(f"{r['cpu_s']:.0f} s" for r in step["repeats"])
            + ")"
        )
    if extra:
        text = "; ".join(extra)
        parts.append(text[0].upper() + text[1:] + ".")
    return [" ".join(parts)]


def _delivery_lines(p: dict) -> list[str]:
    d = p.get("delivery")
    if not d:
        return []
    lines = [
        f"Delivered for month {p['month']}: {d['files_new']} new files, {d['files_changed']} "
        f"changed (re-delivered months, new snapshots), {d['files_same']} byte-identical to "
        f"landing A (not copied), {d['files_only_in_previous']} only in A (older snapshots; "
        f"left in place); {fmt_count(d['rows'])} rows, {fmt_bytes(d['bytes'])}.",
    ]
    loaded = p.get("incremental", {}).get("load_log")
    if loaded:
        lines[0] += (
            f" The loaders took in {loaded['deliveries']} deliveries (status: "
            + ", ".join(f"{k} {v}" for k, v in loaded["by_status"].items())
            + f"), {fmt_count(loaded['rows_loaded'])} rows loaded, "
            f"{fmt_count(loaded['rows_rejected'])} rejected."
        )
    lines += ["", "| export | new files | changed files | rows |", "|---|---:|---:|---:|"]
    for export, e in d["per_export"].items():
        lines.append(f"| {export} | {e['new']} | {e['changed']} | {fmt_count(e['rows'])} |")
    return lines


def _landing_sentence(p: dict) -> str:
    args = f"--profile {p['profile']} --seed {p['seed']} --from {p['first_month']}"
    parts = []
    for key, month, name in (
        ("generate_prev", p["prev_month"], "A"),
        ("generate", p["month"], "B"),
    ):
        gen = p.get(key) or {}
        parts.append(
            f"landing {name} `bistand generate {args} --to {month}`: "
            f"{_landing_cell(gen.get('landing'))}, generated in {_generate_cell(gen)}"
        )
    text = "Landings: " + "; ".join(parts) + "."
    hashes = {(p.get(k) or {}).get("generator_hash") for k in ("generate_prev", "generate")}
    if len(hashes - {None}) > 1:
        text += " **Warning: A and B were generated by different generator code.**"
    return text


def _limits_line(limits: dict | None) -> list[str]:
    if not limits:
        return []
    return [
        "",
        f"Limits (a measured process is stopped beyond them, the machine being shared): "
        f"RSS of its process tree {fmt_bytes(limits['rss_cap'])}, "
        f"{fmt_s(limits['timeout_s'])} per generate/refresh, "
        f"{fmt_s(limits['oracle_timeout_s'])} for the oracle.",
    ]


def _setup_lines(setup: dict | None) -> list[str]:
    """What was prepared before any timing (not measured), from the source's setup record."""
    if not setup:
        return []
    parts = []
    for step in setup.get("steps", []):
        seconds = step.get("seconds")
        parts.append(
            f"{step['what']}: {step['result']}" + (f" ({fmt_s(seconds)})" if seconds else "")
        )
    done = "; ".join(parts)
    return [f"Prepared before timing (not measured): {done}.", ""]


def _floor_lines(p: dict) -> list[str]:
    floor = p.get("floor")
    if not floor:
        return ["**Floor script**: not run."]
    if "measured" not in floor:
        return [f"**Floor script**: {floor.get('skipped', 'not run')}."]
    child = floor.get("child") or {}
    timings = child.get("timings") or {}
    steps = ", ".join(f"{k.removesuffix('_s')} {fmt_s(v)}" for k, v in timings.items())
    counts = child.get("counts") or {}
    text = (
        f"**Floor script** (`benchmarks/floor.py`: plain DuckDB on landing A, own process, "
        f"right after the full refresh): {_floor_cell(p)}; "
        + (f"DuckDB {child.get('duckdb_version')}, {steps}; " if child else "")
        + (
            f"{fmt_count(counts.get('utbetalningar'))} payments, "
            f"{fmt_count(counts.get('hushallsmedlemmar'))} household members, "
            f"{fmt_count(counts.get('hushall_manad'))} household-months; "
            if counts
            else ""
        )
        + f"{_memory_line(floor['measured'])}. Full refresh / floor: {floor_ratio(p)[1]}."
    )
    return [text]


def _output_lines(step: dict | None, limit: int = 30) -> list[str]:
    """The refresh's own output (stdout and stderr, to a file), for the nothing-new run."""
    if not step or step.get("output") is None:
        return []
    shown = step["output"][:limit]
    lines = ["", f"Its output ({step.get('output_lines')} lines, stdout and stderr to a file):", ""]
    lines += ["```", *shown]
    if len(step["output"]) > limit or (step.get("output_lines") or 0) > len(shown):
        lines.append(f"… ({step.get('output_lines')} lines in all)")
    return [*lines, "```"]


def make_test_section(m: dict | None) -> list[str]:
    if not m:
        return [
            "## `make test` on a fresh clone",
            "",
            "Not measured in this file: `python -m benchmarks.run --make-test` (add "
            "`--profiles ''` to run only it).",
            "",
        ]
    lines = ["## `make test` on a fresh clone", ""]
    if "measured" not in m:
        return [*lines, m.get("skipped") or f"Failed to start: {m.get('error', '?')}", ""]
    meas = m["measured"]
    _, shown, why = make_test_time(m)
    lines.append(
        f"Measured {m.get('date', '?')}: `git clone` of the repository at commit "
        f"`{m.get('commit', '?')}` into a new directory, then `CI=true make test` there "
        f"(setup: uv sync and npm install from the lock files and warm caches, chromium check, "
        f"lint, pytest); all output to `{m.get('log_file', '?')}`. Wall time {shown}, exit "
        f"{meas.get('exit_code')}"
        + (f" ({why})" if why else "")
        + f"; {_memory_line(meas)}. Load average before: {_load(m.get('load_before'))}."
    )
    if m.get("note"):
        lines += ["", m["note"]]
    if m.get("tail"):
        lines += ["", "End of its output:", "", "```", *m["tail"], "```"]
    return [*lines, ""]


def profile_section(p: dict) -> list[str]:
    machine = p.get("machine", {})
    dirty = p.get("uncommitted") or []
    lines = [
        f"## {p['profile']}",
        "",
        *(
            [
                "**Incomplete run** (stopped, or still running): below is what it got to.",
                "",
            ]
            if p.get("incomplete")
            else []
        ),
        f"Measured {p['date']} on commit `{p['commit']}`"
        + (" (a snapshot of it, `git archive`)" if p.get("source") == "head" else "")
        + (f" (working tree, uncommitted changes in: {', '.join(dirty)})" if dirty else "")
        + f"; {machine.get('cores')} cores ({machine.get('cpu_model', '?')}), "
        f"{machine.get('ram_bytes', 0) / 2**30:.1f} GiB RAM "
        f"({machine.get('mem_available_start', 0) / 2**30:.1f} GiB available at start); "
        f"load average (1/5/15 min) at start {_load(machine.get('load_start'))}, "
        f"at end {_load(machine.get('load_end'))}.",
        *_limits_line(p.get("limits")),
        "",
        _landing_sentence(p),
        "",
    ]
    lines += _setup_lines(p.get("setup"))
    lines += _refresh_paragraph("Full refresh (landing A into an empty warehouse)", p.get("full"))
    lines.append("")
    lines += _floor_lines(p)
    lines.append("")
    lines += _delivery_lines(p)
    lines.append("")
    lines += _refresh_paragraph(
        "Incremental refresh (the delivery above, into A's warehouse)", p.get("incremental")
    )
    lines.append("")
    lines += _refresh_paragraph(
        "Refresh with nothing new (the same landing again, right after the incremental one)",
        p.get("nothing_new"),
    )
    lines += _output_lines(p.get("nothing_new"))
    lines.append("")
    lines += breakdown_table(
        [
            ("full", p.get("full")),
            ("incremental", p.get("incremental")),
            ("nothing new", p.get("nothing_new")),
        ]
    )
    lines.append("")
    lines += dbt_lines("dbt build, full refresh", (p.get("full") or {}).get("dbt"))
    lines.append("")
    inc_dbt = (p.get("incremental") or {}).get("dbt")
    if inc_dbt:
        lines += dbt_lines("dbt build, incremental refresh", inc_dbt)
        lines.append("")
    oracle = p.get("oracle")
    if oracle and "measured" in oracle:
        child = oracle.get("child") or {}
        lines.append(
            f"**Oracle** (`tests.oracle.compute_indicators` on landing A, own process): "
            f"{_oracle_cell(p)}; "
            + (
                f"import {fmt_s(child.get('import_s'))}, compute {fmt_s(child.get('compute_s'))}, "
                f"{fmt_count(child.get('rows'))} rows for {child.get('indicators')} indicators; "
                if child
                else ""
            )
            + f"{_memory_line(oracle['measured'])}. Load average before: "
            f"{_load(oracle.get('load_before'))}. Oracle / warehouse full refresh: "
            f"{oracle_ratio(p)[1]}."
        )
    else:
        lines.append(f"**Oracle**: {(oracle or {}).get('skipped', 'not run')}.")
    lines.append("")
    site = p.get("site")
    if site:
        earlier = site.get("measured_in_run_of")
        lines.append(
            "**Site** (`benchmarks/site.py`: `measure_one_page`, then `measure_site` on the "
            "run's publish file" + (f"; kept from the run of {earlier}" if earlier else "") + "):"
        )
        lines.append("")
        lines.append(site["markdown"] if site.get("markdown") else _site_cell(site))
        lines.append("")
        if site.get("one_page_error"):
            lines += [f"One-page site failed: {site['one_page_error']}", ""]
        lines += _setup_lines({"steps": [site["setup"]]} if site.get("setup") else None)
    return lines


METHOD = (
    "Method: the profile is generated up to month M-1 (landing A) and up to M (landing B, same "
    "seed); A is refreshed into an empty warehouse (*full*); the plain-DuckDB floor script "
    "(`benchmarks/floor.py`) runs on A; the pandas oracle computes every indicator from A; every "
    "file of B that is new or differs from A is copied into A and the warehouse is refreshed "
    "again (*incremental*); then once more with nothing new delivered (*nothing new*). For the "
    "stockholm profile the Evidence site is built from the run's publish file, just "
    "after a one-page, query-free site with the same configuration. `--make-test` adds `make "
    "test` on a fresh clone. The code measured is a `git archive` snapshot of the commit named "
    "(`--source head`, the default), so edits in progress elsewhere in the working tree cannot "
    "change it mid-run. The full refresh, the floor script and the incremental refresh run "
    "`--repeat` times (default 3), interleaved: each repeat refreshes landing A into an empty "
    "warehouse, runs the floor script on it, delivers month M and refreshes again from that "
    "state (the oracle runs once, after the first floor script). The machine's speed drifts "
    "over minutes, so interleaved it weighs alike on both sides of each ratio. Of each kind "
    "the run with the median wall time is reported, every run's time beside it: identical "
    "refreshes on this shared machine took 32–38 s within one hour, so one run decides "
    "nothing near a target.",
    "",
    "**Measured** (each a fresh child process, wall time from its start to its exit, CPU time "
    "and peak RSS of its whole process tree): `bistand refresh --landing … --warehouse … "
    "--no-pages` (full: the warehouse file does not exist yet; everything the command does "
    "counts — interpreter start-up and imports, Dagster's instance, the loaders, `dbt build` "
    "including any parsing dbt does during the run, publish, the summary and the exit); "
    "`python benchmarks/floor.py` (the same landing, into a new DuckDB file); the oracle; "
    "`npm run sources` + `npm run build:strict` of each site (`check:patches` runs first, not "
    "counted); `git clone` + `CI=true make test` (everything, setup included). The nothing-new "
    "refresh's lines of output are its stdout and stderr written to a file (not a terminal).",
    "",
    "**Not measured** (done before timing, as `make setup` on a fresh clone and a first refresh "
    "leave a machine, so that no timed refresh pays a one-off cost a user's second refresh would "
    "not): extracting the snapshot; `uv sync --frozen --compile-bytecode` into the snapshot's own "
    "`.venv` (or, if that fails, the main `.venv` with the snapshot first on `PYTHONPATH`); "
    "Evidence's node_modules (a link to evidence/node_modules when package.json, "
    "package-lock.json and patches/ are identical, else `npm install` in the snapshot); "
    "byte-compiling the snapshot's own modules; dbt's manifest and parse state before each "
    "refresh (`ensure_manifest()`, i.e. `dbt parse` only when the project changed, then the "
    "project parsed into the warehouse's own `dbt_target/` by the refresh's own dbt process, "
    "`orchestration/dbt_warm.py` `prepare()`, as the warehouse's previous refresh leaves it and "
    "its first would otherwise do once — a plain `dbt parse` leaves a parse state that process "
    "cannot reuse; seconds in results.json as `warm_parse_s`, and each refresh says how many "
    "files dbt parsed). Nor are generating the landings, "
    "copying landing A, delivering month M, or the Chromium page visits (first render is "
    "measured per page in the browser, separately). Each profile below lists what its setup "
    "did. Times are wall-clock; CPU time over the number of cores bounds the wall time from "
    "below even on an idle machine.",
)


def render(results: dict) -> str:
    profiles = results.get("profiles", {})
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m benchmarks.run`, see its `--help`); the raw figures "
        "are in `results.json`. GB = 10⁹ bytes. The machine is shared: every profile says when, "
        "on which commit and at what load average it was measured.",
        "",
        *METHOD,
        "",
        "## Targets",
        "",
        *targets_table(results),
        "",
    ]
    if profiles:
        lines += ["## Summary", ""]
        lines += summary_table(profiles)
        lines.append("")
    for name in PROFILE_ORDER:
        if name in profiles:
            lines += profile_section(profiles[name])
        elif name != "tiny":
            lines += [
                f"## {name}",
                "",
                f"Not measured in this file: `python -m benchmarks.run --profiles {name}`.",
                "",
            ]
    lines += make_test_section(results.get("make_test"))
    for note in results.get("notes", []):
        lines += [note, ""]
    return "\n".join(lines).rstrip() + "\n"
