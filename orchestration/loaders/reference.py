"""Code lists from the dbt seeds (dbt_project/seeds/ref_*.csv), the one source of truth.

Each code carries `giltig_from` / `giltig_tom` (empty = open). For the loader a code's validity
is the span from its earliest `giltig_from` to its latest `giltig_tom` (a code listed twice with a
gap is treated as valid in the gap too).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from orchestration.loaders.contract import ExportSpec, Kind
from orchestration.loaders.literals import text_list
from orchestration.settings import REFERENCE_DIR

CODE_COLUMN = {"ref_districts": "stadsdel_kod", "ref_units": "enhet_kod"}


@dataclass(frozen=True)
class Code:
    code: str
    valid_from: date | None
    valid_to: date | None


def _date(text: str | None) -> date | None:
    text = (text or "").strip()
    return date.fromisoformat(text) if text else None


def seed_path(seed: str, directory: Path | None = None) -> Path:
    return (directory or REFERENCE_DIR) / f"{seed}.csv"


def reference_codes(seed: str, directory: Path | None = None) -> tuple[Code, ...]:
    with seed_path(seed, directory).open(encoding="utf-8", newline="") as handle:
        column = CODE_COLUMN.get(seed, "kod")
        return tuple(
            Code(row[column].strip(), _date(row.get("giltig_from")), _date(row.get("giltig_tom")))
            for row in csv.DictReader(handle)
        )


def seeds_of(spec: ExportSpec) -> list[str]:
    return sorted({c.reference for c in spec.columns if c.kind is Kind.CODE and c.reference})


def reference_fingerprint(spec: ExportSpec, directory: Path | None = None) -> str:
    """A hash of the seed files this export is validated against."""
    digest = hashlib.sha256()
    for seed in seeds_of(spec):
        digest.update(seed.encode())
        digest.update(seed_path(seed, directory).read_bytes())
    return digest.hexdigest()


def register_reference_tables(
    con: duckdb.DuckDBPyConnection, spec: ExportSpec, directory: Path | None = None
) -> None:
    """Temp tables `_codes_<seed>(kod, giltig_from, giltig_tom)`, one row per code."""
    for seed in seeds_of(spec):
        codes = reference_codes(seed, directory)
        kods = text_list([c.code for c in codes])
        froms = text_list([c.valid_from.isoformat() if c.valid_from else None for c in codes])
        tos = text_list([c.valid_to.isoformat() if c.valid_to else None for c in codes])
        con.execute(
            f"""create or replace temp table _codes_{seed} as
            select kod, min(coalesce(giltig_from, date '0001-01-01')) as giltig_from,
                   nullif(max(coalesce(giltig_tom, date '9999-12-31')), date '9999-12-31')
                       as giltig_tom
            from (select unnest({kods}) as kod,
                         unnest({froms})::date as giltig_from,
                         unnest({tos})::date as giltig_tom)
            group by kod"""
        )
