"""Builds the Evidence site from a published file and checks it in headless Chromium.

The build runs in a copy of evidence/ under tmp_path (node_modules symlinked), so it neither
clobbers evidence/build nor collides with a build running there at the same time: Evidence
rewrites .evidence/template and build/ in place.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
EVIDENCE = REPO / "evidence"
# Generated or installed; everything else in evidence/ is copied.
NOT_COPIED = {
    "node_modules",
    "build",
    ".svelte-kit",
    ".evidence/template",
    ".evidence/meta",
    "static/data",
}
CHECK_SITE = Path(__file__).with_name("check_site.mjs")
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = REPO / "test-artifacts" / "browser"

SOURCES_TIMEOUT_S = 300
BUILD_TIMEOUT_S = 900
BROWSER_TIMEOUT_S = 300

# Evidence format tags (.evidence/customization/custom-formatting.json):
# tag -> (decimals, percent, suffix).
FORMATS = {
    "tal0": (0, False, ""),
    "tal1": (1, False, ""),
    "andel1": (1, True, ""),
    "andel2": (2, True, ""),
    "kr": (0, False, " kr"),
}


def _js_round(x: float) -> int:
    return math.floor(x + 0.5)


def format_sv(value: float, tag: str) -> str:
    """Formats like the site: ssf 0.11.2's rounding, then Swedish separators (U+00A0, comma)."""
    decimals, percent, suffix = FORMATS[tag]
    a = abs(value) * 100 if percent else abs(value)
    if decimals and not percent:
        # ssf's "#,##0.0" rounds the fraction on its own and carries into the integer part.
        frac = _js_round((a - math.floor(a)) * 10**decimals)
        carry = len(str(frac)) > decimals
        whole, frac = math.floor(a) + carry, 0 if carry else frac
    else:
        whole, frac = divmod(_js_round(a * 10**decimals), 10**decimals)
    text = str(whole) if percent else f"{whole:,}".replace(",", "\u00a0")
    if decimals:
        text += "," + str(frac).zfill(decimals)
    if percent:
        text += "\u00a0%"
    return ("-" if value < 0 else "") + text + suffix


@pytest.mark.parametrize(
    ("value", "tag", "expected"),
    [
        (1234.5, "tal1", "1\u00a0234,5"),
        (1234.55, "tal1", "1\u00a0234,5"),  # binary 1234.5499…, as ssf shows it
        (380.25, "tal1", "380,3"),
        (0.0062, "andel2", "0,62\u00a0%"),
        (0.123, "andel1", "12,3\u00a0%"),
        (12345678, "kr", "12\u00a0345\u00a0678 kr"),
        (8618.5, "tal0", "8\u00a0619"),
    ],
)
def test_format_sv(value: float, tag: str, expected: str) -> None:
    assert format_sv(value, tag) == expected


def _copy_site(dest: Path) -> Path:
    """Copies the Evidence project to dest/evidence and links its node_modules."""

    def ignore(directory: str, names: list[str]) -> list[str]:
        rel = Path(directory).relative_to(EVIDENCE)
        return [n for n in names if (rel / n).as_posix() in NOT_COPIED]

    site = dest / "evidence"
    shutil.copytree(EVIDENCE, site, ignore=ignore)
    (site / "node_modules").symlink_to(EVIDENCE / "node_modules", target_is_directory=True)
    return site


def _run(cmd: list[str], cwd: Path, timeout_s: int, env: dict[str, str] | None = None) -> None:
    """Runs cmd under `timeout`; fails the test with its output if it fails."""
    full = ["timeout", "--kill-after=10", str(timeout_s), *cmd]
    started = time.monotonic()
    proc = subprocess.run(full, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    print(f"{' '.join(cmd)}: exit {proc.returncode} in {elapsed:.1f} s")
    if proc.returncode != 0:
        timed_out = proc.returncode == 124
        why = f"timed out after {timeout_s} s" if timed_out else f"exit {proc.returncode}"
        pytest.fail(
            f"`{' '.join(cmd)}` failed ({why}) in {cwd}\n"
            f"--- stdout (tail) ---\n{proc.stdout[-6000:]}\n"
            f"--- stderr (tail) ---\n{proc.stderr[-6000:]}",
            pytrace=False,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_served(url: str, server: subprocess.Popen, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"http.server exited early:\n{server.stderr.read()}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"http.server did not answer at {url} within {timeout_s} s", pytrace=False)


def _expected_city_value(publish_file: Path) -> str:
    """The number the default view (Hela staden) shows: EB_HUSHALL, the latest year with tertial
    rows, gender alla, the latest tertial period with a value (VB, else T2, else T1)."""
    con = duckdb.connect(str(publish_file), read_only=True)
    try:
        # The file is publish.duckdb: "publish" is both catalog and schema, so set the schema.
        con.execute("set schema = 'publish'")
        whole_numbers, latest_year = con.execute(
            """
            select
                coalesce(bool_and(value = round(value)), true),
                max(year) filter (where period_type = 'tertial')
            from kpi where indicator_code = 'EB_HUSHALL'
            """
        ).fetchone()
        row = con.execute(
            """
            select value from kpi
            where indicator_code = 'EB_HUSHALL' and area_code = 'STHLM' and gender = 'alla'
                and year = ? and period in ('T1', 'T2', 'VB') and value is not null
            order by case period when 'VB' then 1 when 'T2' then 2 else 3 end
            limit 1
            """,
            [latest_year],
        ).fetchone()
    finally:
        con.close()
    if row is None:
        pytest.fail(
            f"{publish_file} has no unsuppressed EB_HUSHALL tertial value for STHLM in "
            f"{latest_year}; cannot pick a number to look for",
            pytrace=False,
        )
    return format_sv(row[0], "tal0" if whole_numbers else "tal1")


@pytest.mark.browser
def test_site_shows_published_numbers(refreshed_warehouse, tmp_path: Path) -> None:
    publish_file = Path(refreshed_warehouse.publish_file).resolve()
    assert publish_file.is_file(), f"publish file missing: {publish_file}"
    if not (EVIDENCE / "node_modules" / ".bin" / "evidence").exists():
        pytest.fail("evidence/node_modules missing: run `npm install` in evidence/", pytrace=False)
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium`", pytrace=False)

    site = _copy_site(tmp_path)
    env = dict(os.environ)
    # The connector joins filename onto sources/kpi/, so the override must be relative to it.
    env["EVIDENCE_SOURCE__kpi__filename"] = os.path.relpath(publish_file, site / "sources" / "kpi")

    _run(["npm", "run", "--silent", "check:patches"], site, 60)
    _run(["npm", "run", "sources"], site, SOURCES_TIMEOUT_S, env)
    _run(["npm", "run", "build:strict"], site, BUILD_TIMEOUT_S, env)

    expected = _expected_city_value(publish_file)
    expectations = [
        {"text": "Ekonomiskt bistånd – nyckeltal", "exact": True},
        {"text": "Antal bidragshushåll (snitt per månad)", "exact": True},
        {"text": "Hela staden, VB (januari–december)", "exact": False},
        {"text": expected, "exact": True},
    ]

    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            "--directory",
            "build",
            str(port),
        ],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = f"http://127.0.0.1:{port}/"
        _wait_until_served(base_url, server)
        started = time.monotonic()
        proc = subprocess.run(
            [
                "timeout",
                "--kill-after=10",
                str(BROWSER_TIMEOUT_S),
                "node",
                str(CHECK_SITE),
                base_url,
                json.dumps(expectations),
                str(ARTIFACTS),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        print(f"check_site: exit {proc.returncode} in {time.monotonic() - started:.1f} s")
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert proc.returncode == 0, (
        f"browser check failed (expected city value {expected!r}; screenshot in {ARTIFACTS})\n"
        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )
