"""The client survey (brukarenkät): one row per response."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from .contract import HEADERS, file_name
from .csvout import csv_writer
from .months import Month, is_workday
from .profiles import AreaSpec


def _workdays(month: Month) -> list[date]:
    days = (month.first + timedelta(days=i) for i in range(month.days))
    return [d for d in days if is_workday(d)]


def write_client_surveys(
    areas: tuple[AreaSpec, ...], months: list[Month], out_dir: Path, seed: int
) -> list[Path]:
    """One ``brukarenkat_<year>.csv`` per year, responses dated inside the range's months."""
    rng = random.Random(f"{seed}:brukarenkat")
    paths: list[Path] = []
    for year in sorted({m.year for m in months}):
        in_year = [m for m in months if m.year == year]
        workdays = {m: _workdays(m) for m in in_year}
        path = out_dir / file_name("brukarenkat", year)
        number = 0
        with csv_writer(path, HEADERS["brukarenkat"]) as out:
            for area in areas:
                improved = rng.uniform(0.45, 0.65)
                worse = rng.uniform(0.05, 0.12)
                responses = min(120, max(15, round(area.households * 0.15)))
                for verksamhet, count in (("EB", responses), ("BEROENDE", responses * 35 // 100)):
                    for _ in range(count):
                        number += 1
                        day = rng.choice(workdays[rng.choice(in_year)])
                        draw = rng.random()
                        situation = (
                            "FORBATTRAD"
                            if draw < improved
                            else "FORSAMRAD"
                            if draw > 1 - worse
                            else "OFORANDRAD"
                        )
                        kon = "" if rng.random() < 0.1 else rng.choice("KM")
                        out.writerow(
                            [
                                f"S{year}-{number:05d}",
                                day.isoformat(),
                                area.code,
                                verksamhet,
                                kon,
                                situation,
                            ]
                        )
        paths.append(path)
    return paths
