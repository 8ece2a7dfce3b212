"""No personnummer reaches the warehouse, the published file, dbt artifacts or Dagster storage."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.conftest import REPO_ROOT, Refreshed
from tests.privacy import duckdb_texts, file_texts, personnummer_in_text, scan


def test_the_scanner_finds_personnummer_in_every_written_form() -> None:
    text = "a 19850709-9805 b 198507099805 c 850709-9805 d 8507099805 e 198507699802"
    assert personnummer_in_text(text) == [
        "19850709-9805",
        "198507099805",
        "850709-9805",
        "8507099805",
        "198507699802",  # samordningsnummer
    ]
    # not personnummer: a bad check digit, an epoch timestamp, a hex digest
    assert personnummer_in_text("198507099806 1763904000 a3f198507099805") == []


def test_generated_landing_does_contain_personnummer(tiny_landing: Path) -> None:
    """The scan is meaningful: the input it protects against really holds personnummer."""
    with (next(tiny_landing.glob("hushallsmedlemmar_*.csv"))).open(encoding="utf-8") as handle:
        numbers = [row["personnummer"] for row in csv.DictReader(handle, delimiter=";")]
    assert numbers and all(personnummer_in_text(n) for n in numbers)


def test_no_personnummer_in_warehouse_publish_dagster_or_dbt(
    refreshed_warehouse: Refreshed,
) -> None:
    texts = [
        *duckdb_texts(refreshed_warehouse.warehouse),
        *duckdb_texts(refreshed_warehouse.publish_file),
        *file_texts(refreshed_warehouse.dagster_home.rglob("*")),
        *file_texts((REPO_ROOT / "dbt_project" / "target").rglob("*.json")),
        *file_texts((REPO_ROOT / "dbt_project" / "logs").rglob("*")),
        ("refresh output", refreshed_warehouse.output),
    ]
    assert len(texts) > 100
    assert scan(texts) == {}
