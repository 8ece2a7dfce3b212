"""The budget export (catalogue-v2): budget_YYYY.csv, the year's budget for ekonomiskt bistånd
per district and type, calibrated to the generated outcome.

A district's yearly budget lies within ± 10 % of its outcome (shared/seeds/002: Östermalm's
plan budgets 19,0 mnkr against costs of the same size): each district and year gets one factor
in 0,94–1,06 and each type a further 0,98–1,02 around it (so FS + LO stays within 0,92–1,08 of
the outcome). A year the run covers only partly is budgeted on its months scaled to twelve.
The first district (by code) gets monthly rows in full years — each type's yearly budget shared
over the months like the district's monthly outcome — the others one row per type (spread
evenly over the months).
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from .contract import HEADERS, file_name
from .csvout import csv_writer
from .months import Month, month_range

YEAR_FACTOR = (0.94, 1.06)
TYPE_FACTOR = (0.98, 1.02)


def write_budget(
    outcome: Counter[tuple[str, str, str]], first: Month, last: Month, out_dir: Path, seed: int
) -> list[Path]:
    """One budget_YYYY.csv per year of the run; `outcome` is net öre per (YYYY-MM, district,
    type)."""
    rng = random.Random(f"{seed}:budget")
    districts = sorted({district for _, district, _ in outcome})
    paths = []
    for year in range(first.year, last.year + 1):
        months = [m for m in month_range(first, last) if m.year == year]
        keys = [str(m) for m in months]
        path = out_dir / file_name("budget", year)
        paths.append(path)
        with csv_writer(path, HEADERS["budget"]) as writer:
            for district in districts:
                year_factor = rng.uniform(*YEAR_FACTOR)
                monthly = district == districts[0] and len(months) == 12
                both = [
                    max(outcome[key, district, "FS"] + outcome[key, district, "LO"], 0)
                    for key in keys
                ]
                for typ in ("FS", "LO"):
                    factor = year_factor * rng.uniform(*TYPE_FACTOR)
                    paid = sum(max(outcome[key, district, typ], 0) for key in keys)
                    total = paid * 12 / len(months) * factor / 100
                    if monthly and sum(both) > 0:
                        for key, share in zip(keys, both, strict=True):
                            kronor = round(total * share / sum(both))
                            writer.writerow([year, district, typ, key, f"{kronor},00"])
                        continue
                    writer.writerow([year, district, typ, "", f"{round(total, -3):.0f},00"])
    return paths
