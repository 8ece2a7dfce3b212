"""No personnummer reaches the warehouse, the published file, dbt artifacts or Dagster storage."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, Refreshed, made_in_background, prepared, refresh
from tests.privacy import docx_texts, duckdb_texts, file_texts, personnummer_in_text, scan

# dbt's text artifacts in a warehouse's target folder: run results, manifest, log, compiled SQL
TEXT = {".json", ".log", ".sql"}


def test_the_scanner_finds_personnummer_in_every_written_form() -> None:
    text = "a 19850709-9805 b 198507099805 c 850709-9805 d 8507099805 e 198507699802"
    assert personnummer_in_text(text) == [
        "19850709-9805",
        "198507099805",
        "850709-9805",
        "8507099805",
        "198507699802",  # samordningsnummer
    ]
    # not personnummer: a bad check digit, an epoch timestamp, a hex digest, the fraction of a
    # decimal number (964509803922 alone would be one: a samordningsnummer)
    assert personnummer_in_text("198507099806 1763904000 a3f198507099805") == []
    assert personnummer_in_text("9892.964509803922 11.2002262026-11") == []
    assert personnummer_in_text("x 964509803922 -2002262026-") == ["964509803922", "2002262026"]


def test_generated_landing_does_contain_personnummer(tiny_landing: Path) -> None:
    """The scan is meaningful: the input it protects against really holds personnummer — in the
    household members and in catalogue v2's notices and emergency-housing decisions."""
    for export in ("hushallsmedlemmar", "vrakningsforebyggande", "akutboende"):
        with (next(tiny_landing.glob(f"{export}_*.csv"))).open(encoding="utf-8") as handle:
            numbers = [row["personnummer"] for row in csv.DictReader(handle, delimiter=";")]
        assert numbers and all(personnummer_in_text(n) for n in numbers), export


def test_no_personnummer_in_warehouse_publish_dagster_or_dbt(
    refreshed_warehouse: Refreshed,
) -> None:
    texts = [
        *duckdb_texts(refreshed_warehouse.warehouse),
        *duckdb_texts(refreshed_warehouse.publish_file),
        # the Word reports written beside the published file (orchestration/reports.py)
        *docx_texts(refreshed_warehouse.publish_file.with_name("rapporter").glob("*.docx")),
        *file_texts(refreshed_warehouse.dagster_home.rglob("*")),
        *file_texts(refreshed_warehouse.log_dir.rglob("*")),
        *file_texts(p for p in refreshed_warehouse.dbt_target.rglob("*") if p.suffix in TEXT),
        *file_texts((REPO_ROOT / "dbt_project" / "target").rglob("*.json")),
        *file_texts((REPO_ROOT / "dbt_project" / "logs").rglob("*")),
        ("refresh output", refreshed_warehouse.output),
    ]
    assert len(texts) > 100
    # the catalogue-v2 exports with personnummer were loaded (pseudonymised) and scanned
    scanned = {where for where, _ in texts}
    assert {"raw.vrakningsforebyggande_history", "raw.akutboende_history"} <= scanned
    assert any(where.endswith(".docx") for where in scanned), "the Word reports were scanned"
    assert scan(texts) == {}


@made_in_background("refreshed_with_personnummer", "tiny_landing")
def refresh_with_personnummer(work: Path, tiny_landing: Path) -> Refreshed:
    """The tiny delivery with personnummer in rejected rows, reasons and a file name, refreshed
    (in the background since the session started, tests/conftest.py)."""
    import shutil

    landing = work / "landing"
    shutil.copytree(tiny_landing, landing, copy_function=shutil.copy2)
    members = landing / "hushallsmedlemmar_2025-12.csv"
    good = members.read_text(encoding="utf-8").splitlines()
    valid = [line.split(";")[2].replace("-", "") for line in good[1:6]]
    bad = [
        f"H9990001;2025-12;{valid[0][2:]};K;SOK",  # 10 digits
        f"{valid[1]};2025-12;{valid[1]};K;SOK",  # a personnummer as household id
        f"H9990003;2025-12;{valid[2]};K",  # too few fields
        f"H9990004;2025-12;{valid[3]};K;{valid[4][:8]}-{valid[4][8:]}",  # as a role code
    ]
    members.write_text("\n".join([*good, *bad]) + "\n", encoding="utf-8")
    notices = next(landing.glob("vrakningsforebyggande_*.csv"))
    lines = notices.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(";")
    fields[0], fields[1] = "V9990001", valid[0][2:]  # a notice with a 10-digit personnummer
    notices.write_text("\n".join([*lines, ";".join(fields)]) + "\n", encoding="utf-8")
    (landing / f"okand_{valid[0]}.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    assert len(personnummer_in_text("\n".join(bad))) >= 5
    return refresh(landing, work / "warehouse.duckdb")


@pytest.fixture(scope="module")
def refreshed_with_personnummer(request: pytest.FixtureRequest) -> Refreshed:
    return prepared("refreshed_with_personnummer", request)


def test_rejected_input_full_of_personnummer_leaves_none_behind(
    refreshed_with_personnummer: Refreshed,
) -> None:
    """A refresh whose delivery is full of personnummer in rejected rows, reasons and file names:
    exit 2 with a summary, and still no personnummer anywhere (warehouse, published file,
    Dagster's event storage, dbt's files, the output)."""
    result = refreshed_with_personnummer
    assert result.exit_code == 2, result.output[-3000:]
    assert "rader avvisade: 5" in result.output
    assert "personnummer med 10 siffror" in result.output
    assert f"AVVISAD FIL okand_{'XXXXXXXX-XXXX'}.csv" in result.output
    texts = [
        *duckdb_texts(result.warehouse),
        *duckdb_texts(result.publish_file),
        *file_texts(result.dagster_home.rglob("*")),
        *file_texts(result.log_dir.rglob("*")),
        *file_texts(p for p in result.dbt_target.rglob("*") if p.suffix in TEXT),
        *file_texts((REPO_ROOT / "dbt_project" / "target").rglob("*.json")),
        *file_texts((REPO_ROOT / "dbt_project" / "logs").rglob("*")),
        ("refresh output", result.output),
    ]
    rejects = [t for where, t in texts if where == "raw.rejects"]
    assert len(rejects) == 5
    assert scan(texts) == {}
