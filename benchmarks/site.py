"""Benchmark of the Evidence site: build time and first render of every page in Chromium.

`measure_site(publish_file)` builds the site from a published file (in a copy of evidence/,
like the browser tests: `npm run sources` + `npm run build:strict`), serves it on 127.0.0.1 and
opens every page once with an empty HTTP cache in headless Chromium (tests/browser/
check_site.mjs). For each page it records:

- first_render_ms: navigation start until the page's main numbers are visible (the ILS table's
  rows, the first table of the page; the Metod page's first definition),
- fcp_ms: the browser's first contentful paint,
- settled_ms: until the network is idle and no table is still loading.

Targets (issue 7): build ≤ 90 s, first render ≤ 2 s per page.

    uv run --frozen python -m benchmarks.site PUBLISH_FILE [WORK_DIR]
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.browser import site_build

REPO = Path(__file__).resolve().parents[1]
CHECK_SITE = REPO / "tests" / "browser" / "check_site.mjs"
BUILD_TARGET_S = 90.0
FIRST_RENDER_TARGET_MS = 2000.0
BROWSER_TIMEOUT_S = 1800

# What counts as "rendered" per page: its main numbers are on screen.
READY = {
    "/": "[data-testid=ils-tabell] tbody tr[data-kod]",
    "/hushall/": "[data-testid=hushall-per-manad] tbody tr[data-rad]",
    "/insatser/": "[data-testid=insats-indikatorer] tbody tr[data-rad]",
    "/personal/": "[data-testid=sjukfranvaro] tbody tr[data-rad]",
    "/datakvalitet/": "[data-testid=per-export] tbody tr[data-rad]",
    "/metod/": "article h3",
}
INDICATOR_READY = "[data-testid=ils-tabell] tbody tr[data-kod]"


def site_pages(build: Path) -> list[str]:
    """Every page of a built site: the fixed pages and one per indicator code."""
    codes = sorted(p.parent.name for p in (build / "indikator").glob("*/index.html"))
    return [*READY, *(f"/indikator/{code}/" for code in codes)]


def measure_pages(build: Path, pages: list[str] | None = None) -> dict[str, dict]:
    """First render per page (empty cache each time) of an already built site."""
    pages = pages or site_pages(build)
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        plan = {
            "artifactsDir": str(Path(tmp) / "artifacts"),
            "coldCache": True,
            "visits": [
                {"path": p, "ready": READY.get(p, INDICATOR_READY), "steps": []} for p in pages
            ],
        }
        with site_build.serve(build) as base_url:
            plan["baseUrl"] = base_url
            plan_file, report_file = Path(tmp) / "plan.json", Path(tmp) / "report.json"
            plan_file.write_text(json.dumps(plan), encoding="utf-8")
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
            )
        if proc.returncode != 0 or not report_file.exists():
            raise RuntimeError(
                f"check_site.mjs failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
        report = json.loads(report_file.read_text(encoding="utf-8"))
    result = {}
    for visit in report["visits"]:
        result[visit["path"]] = {
            k: (round(v) if isinstance(v, (int, float)) else v)
            for k, v in visit.items()
            if k in ("first_render_ms", "fcp_ms", "settled_ms")
        }
    if report["problems"]:
        result["_problems"] = report["problems"]
    return result


def measure_site(publish_file: Path, work_dir: Path | None = None) -> dict:
    """Builds the site from publish_file and measures it; a dict for the benchmark table.

    Keys: build_s (sources + build:strict, the figure for the ≤ 90 s target), build_steps_s,
    build_wall_s, build_cpu_s (CPU seconds of all build processes: the cost on an idle
    machine), load_average_build (1-minute load before and after the build), build_size_mb,
    pages ({path: {first_render_ms, fcp_ms, settled_ms}}, every page once with an empty
    cache), n_pages, first_render_ms_max, first_render_ms_median, slowest_page, problems
    (console errors and the like; should be empty), cpu_count, load_average (the 1/5/15-minute
    load when done), targets, build_ok, first_render_ok. work_dir keeps the built site
    (default: a temporary directory, removed). `markdown(result)` renders it as a table.
    """
    own = work_dir is None
    work = Path(tempfile.mkdtemp(prefix="bench-site-")) if own else Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    try:
        load_before = os.getloadavg()
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        site = site_build.build_site(Path(publish_file), work)
        wall = time.monotonic() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU seconds the build used (all its processes): what it costs on an idle machine,
        # whatever else the machine was doing.
        build_cpu_s = (cpu_after.ru_utime - cpu_before.ru_utime) + (
            cpu_after.ru_stime - cpu_before.ru_stime
        )
        load_build = os.getloadavg()
        build_s = site.timings["sources"] + site.timings["build"]
        size_mb = sum(p.stat().st_size for p in site.build.rglob("*") if p.is_file()) / 1e6
        pages = measure_pages(site.build)
        problems = pages.pop("_problems", [])
        renders = [p["first_render_ms"] for p in pages.values() if p.get("first_render_ms")]
        slowest = max(pages.items(), key=lambda kv: kv[1].get("first_render_ms") or 0)
        return {
            "publish_file": str(publish_file),
            "build_s": round(build_s, 1),
            "build_steps_s": site.timings,
            "build_wall_s": round(wall, 1),
            "build_cpu_s": round(build_cpu_s, 1),
            "load_average_build": [round(x, 2) for x in (*load_before[:1], *load_build[:1])],
            "build_size_mb": round(size_mb, 1),
            "pages": pages,
            "n_pages": len(pages),
            "first_render_ms_max": max(renders, default=None),
            "first_render_ms_median": sorted(renders)[len(renders) // 2] if renders else None,
            "slowest_page": slowest[0],
            "problems": problems,
            "cpu_count": os.cpu_count(),
            "load_average": os.getloadavg(),
            "targets": {"build_s": BUILD_TARGET_S, "first_render_ms": FIRST_RENDER_TARGET_MS},
            "build_ok": build_s <= BUILD_TARGET_S,
            "first_render_ok": bool(renders)
            and len(renders) == len(pages)
            and max(renders) <= FIRST_RENDER_TARGET_MS,
        }
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)


def markdown(result: dict) -> str:
    """The result as a small markdown table (for benchmarks/results.md)."""
    lines = [
        f"Site build (sources + build:strict): **{result['build_s']} s** "
        f"(target ≤ {BUILD_TARGET_S:.0f} s; {result['build_steps_s']}), "
        f"{result['build_size_mb']} MB; {result['build_cpu_s']} CPU s; 1-minute load "
        f"{result['load_average_build'][0]:.1f} before and {result['load_average_build'][1]:.1f} "
        f"after the build on {result['cpu_count']} cores.",
        "",
        "| page | first render (ms) | first contentful paint (ms) | settled (ms) |",
        "|---|---:|---:|---:|",
    ]
    for path, t in result["pages"].items():
        lines.append(
            f"| `{path}` | {t.get('first_render_ms')} | {t.get('fcp_ms')} | {t.get('settled_ms')} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    out = measure_site(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
    print(json.dumps(out, indent=1, ensure_ascii=False))
    print(markdown(out))
