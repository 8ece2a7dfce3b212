"""`evidence sources` writes the same parquet files whether DuckDB writes them or Evidence's JS.

The patch NATIVE-PARQUET-PATCH (evidence/patches/@evidence-dev+duckdb+…, …+sdk+…) has DuckDB write
each source's parquet file itself (COPY … TO) in the types Evidence's own path gives it (every
value to a JS object, to Arrow, to parquet in wasm: ~1 µs a value, most of the sources step).
The pages read these files in the browser and at build time, so they must not differ: the same
columns with the same types and the same rows in the same order, for every source query, on a
published file of a real refresh (timestamps with microseconds, a date column without a value,
booleans, integers). EVIDENCE_JS_PARQUET=1 makes the connector take Evidence's path.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.browser import site_build
from tests.conftest import Refreshed


def _sources(site: Path, publish_file: Path, js: bool) -> dict[str, Path]:
    env = {**site_build.sources_env(site, publish_file), "EVIDENCE_JS_PARQUET": "1" if js else "0"}
    site_build.run_step(["npm", "run", "sources"], site, site_build.SOURCES_TIMEOUT_S, env)
    data = site / ".evidence" / "template" / "static" / "data" / "kpi"
    files = {p.parent.name: p for p in data.glob("*/*.parquet")}
    moved = {}
    for name, path in files.items():  # out of the way of the next run
        moved[name] = path.rename(site / f"{'js' if js else 'native'}-{name}.parquet")
    return moved


def test_duckdb_writes_the_same_parquet_as_evidence(
    refreshed_warehouse: Refreshed, tmp_path: Path, evidence_installed: None
) -> None:
    site = site_build.copy_site(tmp_path)
    queries = sorted(p.stem for p in (site / "sources" / "kpi").glob("*.sql"))
    js = _sources(site, refreshed_warehouse.publish_file, js=True)
    native = _sources(site, refreshed_warehouse.publish_file, js=False)
    assert sorted(js) == sorted(native) == queries

    con = duckdb.connect()

    def writer(path: Path) -> str:
        sql = "select created_by from parquet_file_metadata(?)"
        return con.execute(sql, [str(path)]).fetchone()[0]

    def row_count(path: Path) -> int:
        return con.execute(f"select count(*) from read_parquet('{path}')").fetchone()[0]

    writers = set()
    for name in queries:
        a, b = js[name], native[name]
        writers.add((writer(a), writer(b)))
        types_a = con.execute(f"describe select * from read_parquet('{a}')").fetchall()
        types_b = con.execute(f"describe select * from read_parquet('{b}')").fetchall()
        assert types_a == types_b, name
        # every row in its place: the row number is part of each compared row
        rows = "select * from read_parquet('{}', file_row_number = true)"
        (differ,) = con.execute(
            f"select count(*) from (({rows.format(a)} except all {rows.format(b)})"
            f" union all ({rows.format(b)} except all {rows.format(a)}))"
        ).fetchone()
        # (the message, and its count, only when the files differ)
        assert differ == 0, f"{name}: {differ} rows in one file only ({row_count(a)} rows)"
    # both paths did run: Evidence's writer (parquet-rs in wasm) and DuckDB's
    assert {js_writer.split()[0] for js_writer, _ in writers} == {"parquet-rs"}
    assert {native_writer.split()[0] for _, native_writer in writers} == {"DuckDB"}
    # the two rules of the patch's own were exercised: timestamps whose microseconds would round
    # up (they are dropped) and a date column without a value (written as DOUBLE)
    published = duckdb.connect(str(refreshed_warehouse.publish_file), read_only=True)
    (round_up,) = published.execute(
        "select count(*) from publish.publish.datakvalitet where microsecond(inlast) % 1000 >= 500"
    ).fetchone()
    published.close()
    assert round_up > 0
    quality = native["datakvalitet"]
    described = dict(
        (column, kind)
        for column, kind, *_ in con.execute(
            f"describe select * from read_parquet('{quality}')"
        ).fetchall()
    )
    assert described["inlast"] == "TIMESTAMP"
    assert described["godkand"] == "DOUBLE"
