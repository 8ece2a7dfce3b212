"""Benchmark of the Evidence site: its build against a one-page site's; first render per page.

`measure_one_page(work_dir, evidence)` builds the floor: a site with the same package.json,
package-lock.json, .npmrc, patches, scripts, evidence.config.yaml, evidence.settings.json and
.evidence/customization as `evidence` (node_modules symlinked), an empty sources/ and one page of
plain text with no query.

`measure_site(publish_file, work_dir, evidence)` builds the project's site from a published file
in a copy of `evidence` (node_modules symlinked; the source's `filename` pointed at the file, as
the browser tests do), serves it on 127.0.0.1 and opens every page once with an empty HTTP cache
in headless Chromium (tests/browser/check_site.mjs). For each page it records:

- first_render_ms: navigation start until the page's main numbers are visible (the ILS table's
  rows, the first table of the page; the Metod page's first definition),
- fcp_ms: the browser's first contentful paint,
- settled_ms: until the network is idle and no table is still loading.

Both builds run the same steps, each a measured child process (benchmarks/measure.py: wall time,
CPU time, peak RSS): `npm run check:patches` (not counted), `npm run sources` and
`npm run build:strict`. The build figure of either site is sources + build:strict.

Targets (issue 22): the site's build ≤ 1.5× the one-page site's, built in the same run; first
render ≤ 2 s on every page.

    python -m benchmarks.site PUBLISH_FILE [WORK_DIR]          # the site, then the one-page site
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.measure import run_measured

REPO = Path(__file__).resolve().parents[1]
EVIDENCE = REPO / "evidence"
CHECK_SITE = REPO / "tests" / "browser" / "check_site.mjs"
BUILD_RATIO_TARGET = 1.5  # site build / one-page site build, same run
FIRST_RENDER_TARGET_MS = 2000.0
BROWSER_TIMEOUT_S = 1800
SOURCES_TIMEOUT_S = 300
BUILD_TIMEOUT_S = 1200

# Generated or installed; everything else in evidence/ is copied for the project's site.
NOT_COPIED = {
    "node_modules",
    "build",
    ".svelte-kit",
    ".evidence/template",
    ".evidence/meta",
    "static/data",
}
# The configuration the one-page site shares with the project's site (when present).
ONE_PAGE_FILES = (
    "package.json",
    "package-lock.json",
    ".npmrc",
    "evidence.config.yaml",
    "evidence.settings.json",
    "patches",
    "scripts",
    ".evidence/customization",
)
ONE_PAGE_TEXT = "# En sida\n\nBara text: ingen fråga, ingen komponent, ingen datakälla.\n"

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


class BuildFailed(RuntimeError):
    pass


def site_pages(build: Path) -> list[str]:
    """Every page of a built site: the fixed pages and one per indicator code."""
    codes = sorted(p.parent.name for p in (build / "indikator").glob("*/index.html"))
    return [*READY, *(f"/indikator/{code}/" for code in codes)]


def _link_node_modules(evidence: Path, site: Path) -> None:
    modules = (evidence / "node_modules").resolve()
    if not (modules / ".bin" / "evidence").exists():
        raise BuildFailed(f"{modules}: Evidence not installed (`npm install` in {evidence})")
    (site / "node_modules").symlink_to(modules, target_is_directory=True)


def copy_site(evidence: Path, dest: Path) -> Path:
    """The Evidence project `evidence` copied to dest/evidence, its node_modules linked."""

    def ignore(directory: str, names: list[str]) -> list[str]:
        rel = Path(directory).relative_to(evidence)
        return [n for n in names if (rel / n).as_posix() in NOT_COPIED]

    site = dest / "evidence"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(evidence, site, ignore=ignore, symlinks=True)
    _link_node_modules(evidence, site)
    return site


def one_page_site(evidence: Path, dest: Path) -> Path:
    """dest/evidence-one-page: `evidence`'s configuration, no source, one plain-text page."""
    site = dest / "evidence-one-page"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    for name in ONE_PAGE_FILES:
        source = evidence / name
        if source.is_dir():
            shutil.copytree(source, site / name)
        elif source.is_file():
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, site / name)
    (site / "sources").mkdir()
    (site / "pages").mkdir()
    (site / "pages" / "index.md").write_text(ONE_PAGE_TEXT, encoding="utf-8")
    _link_node_modules(evidence, site)
    return site


def run_steps(site: Path, env: dict[str, str], logs: Path) -> dict[str, dict]:
    """check:patches, sources and build:strict in `site`, each measured; BuildFailed on error."""
    steps = (
        ("check:patches", ["npm", "run", "--silent", "check:patches"], 120),
        ("sources", ["npm", "run", "sources"], SOURCES_TIMEOUT_S),
        ("build", ["npm", "run", "build:strict"], BUILD_TIMEOUT_S),
    )
    measured: dict[str, dict] = {}
    for name, cmd, timeout_s in steps:
        if name == "check:patches" and not (site / "scripts" / "check-patches.mjs").exists():
            continue
        m = run_measured(
            cmd,
            log_file=logs / f"{site.name}-{name.replace(':', '-')}.log",
            env=env,
            cwd=site,
            timeout_s=timeout_s,
        )
        print(f"{site.name}: {' '.join(cmd)}: exit {m.exit_code} in {m.wall_s:.1f} s", flush=True)
        measured[name] = m.to_dict()
        if not m.ok or m.exit_code != 0:
            tail = Path(m.log_file).read_text(encoding="utf-8", errors="replace")[-4000:]
            raise BuildFailed(
                f"`{' '.join(cmd)}` in {site}: {m.aborted or f'exit {m.exit_code}'}\n{tail}"
            )
    return measured


def build_figures(steps: dict[str, dict]) -> dict:
    """sources + build:strict: wall seconds, CPU seconds, peak RSS; seconds per step."""
    counted = [steps[k] for k in ("sources", "build") if k in steps]
    return {
        "build_s": round(sum(m["wall_s"] for m in counted), 1),
        "build_steps_s": {k: round(m["wall_s"], 1) for k, m in steps.items()},
        "build_cpu_s": round(sum(m["cpu_user_s"] + m["cpu_sys_s"] for m in counted), 1),
        "build_peak_rss": max((m["peak_rss"] for m in counted), default=None),
    }


def measure_pages(
    build: Path, pages: list[str] | None = None, check_site: Path = CHECK_SITE
) -> dict[str, dict]:
    """First render per page (empty cache each time) of an already built site."""
    from tests.browser import site_build  # http.server around the build

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
                    str(check_site),
                    str(plan_file),
                    str(report_file),
                ],
                cwd=check_site.parents[2],
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


def measure_one_page(work_dir: Path, evidence: Path = EVIDENCE) -> dict:
    """Builds the one-page site (the floor of any Evidence build here); its figures."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    site = one_page_site(Path(evidence), work_dir)
    steps = run_steps(site, dict(os.environ), work_dir / "logs")
    built = site / "build"
    return {
        **build_figures(steps),
        "load_average_build": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "build_size_mb": round(_size(built) / 1e6, 1),
        "pages_built": sorted(str(p.relative_to(built)) for p in built.rglob("index.html")),
        "steps": steps,
    }


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure_site(
    publish_file: Path,
    work_dir: Path | None = None,
    evidence: Path = EVIDENCE,
    check_site: Path = CHECK_SITE,
) -> dict:
    """Builds the site from publish_file and measures it; a dict for the benchmark table.

    Keys: build_s (sources + build:strict, compared with the one-page site's), build_steps_s,
    build_cpu_s, build_peak_rss, load_average_build (1-minute load before and after the build),
    build_size_mb, pages ({path: {first_render_ms, fcp_ms, settled_ms}}, every page once with
    an empty cache), n_pages, first_render_ms_max, first_render_ms_median, slowest_page,
    problems (console errors and the like; should be empty), cpu_count, load_average (when
    done), steps (each step's measurement). work_dir keeps the built site (default: a
    temporary directory, removed). `markdown(result)` renders it as a table.
    """
    own = work_dir is None
    work = Path(tempfile.mkdtemp(prefix="bench-site-")) if own else Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    try:
        publish_file = Path(publish_file).resolve()
        if not publish_file.is_file():
            raise BuildFailed(f"publish file missing: {publish_file}")
        load_before = os.getloadavg()[0]
        site = copy_site(Path(evidence), work)
        from tests.browser.site_build import sources_env  # the tests' site reads it alike

        steps = run_steps(site, sources_env(site, publish_file), work / "logs")
        load_build = os.getloadavg()[0]
        built = site / "build"
        pages = measure_pages(built, check_site=check_site)
        problems = pages.pop("_problems", [])
        renders = [p["first_render_ms"] for p in pages.values() if p.get("first_render_ms")]
        slowest = max(pages.items(), key=lambda kv: kv[1].get("first_render_ms") or 0)
        return {
            "publish_file": str(publish_file),
            **build_figures(steps),
            "load_average_build": [round(load_before, 2), round(load_build, 2)],
            "build_size_mb": round(_size(built) / 1e6, 1),
            "pages": pages,
            "n_pages": len(pages),
            "first_render_ms_max": max(renders, default=None),
            "first_render_ms_median": sorted(renders)[len(renders) // 2] if renders else None,
            "slowest_page": slowest[0],
            "problems": problems,
            "cpu_count": os.cpu_count(),
            "load_average": os.getloadavg(),
            "steps": steps,
        }
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)


def build_ratio(site: dict | None, one_page: dict | None) -> float | None:
    """The site's build (sources + build:strict) over the one-page site's."""
    if not site or not one_page or not one_page.get("build_s"):
        return None
    return site["build_s"] / one_page["build_s"]


def _gb(n: int | None) -> str:
    return "—" if n is None else f"{n / 1e9:.2f} GB"


def markdown(result: dict, one_page: dict | None = None) -> str:
    """The result as a small markdown table (for benchmarks/results.md)."""
    lines = [
        f"Site build (sources + build:strict): **{result['build_s']} s** "
        f"({result['build_steps_s']}), {result['build_size_mb']} MB; "
        f"{result['build_cpu_s']} CPU s, peak RSS {_gb(result.get('build_peak_rss'))}; "
        f"1-minute load {result['load_average_build'][0]:.1f} before and "
        f"{result['load_average_build'][1]:.1f} after the build on {result['cpu_count']} cores.",
    ]
    if one_page:
        ratio = build_ratio(result, one_page) or float("nan")
        strict_only = (
            result["build_steps_s"].get("build", 0) / one_page["build_steps_s"]["build"]
            if one_page["build_steps_s"].get("build")
            else None
        )
        lines += [
            "",
            f"One-page site (same configuration and node_modules, one page of plain text, no "
            f"source, no query), built just before it: **{one_page['build_s']} s** "
            f"({one_page['build_steps_s']}); {one_page['build_cpu_s']} CPU s, peak RSS "
            f"{_gb(one_page.get('build_peak_rss'))}; 1-minute load "
            f"{one_page['load_average_build'][0]:.1f} before. Site / one-page: "
            f"**{ratio:.2f}×** (target ≤ {BUILD_RATIO_TARGET}×)"
            + (f"; build:strict alone {strict_only:.2f}×" if strict_only else "")
            + (
                f"; CPU seconds {result['build_cpu_s'] / one_page['build_cpu_s']:.2f}×"
                if one_page.get("build_cpu_s")
                else ""
            )
            + ".",
        ]
    if result.get("problems"):
        lines += ["", f"Problems seen in the browser: {result['problems']}"]
    lines += [
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
    work = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="bench-"))
    floor = measure_one_page(work / "one-page")
    out = measure_site(Path(sys.argv[1]), work / "site")
    print(json.dumps({"site": out, "one_page": floor}, indent=1, ensure_ascii=False))
    print(markdown(out, floor))
