"""Population (befolkning) by district, gender and age on 31 December, a cohort model."""

from __future__ import annotations

import math
import random
from pathlib import Path

from .contract import HEADERS, file_name
from .csvout import csv_writer
from .profiles import AreaSpec

MAX_AGE = 110


def _age_weight(age: int) -> float:
    """Relative size of one age year in a Stockholm district (young adults, few very old)."""
    if age < 6:
        return 1.55
    if age < 18:
        return 1.40
    if age < 25:
        return 1.05
    if age < 45:
        return 1.75
    if age < 65:
        return 1.30
    if age < 80:
        return 0.95
    return max(0.0, 0.55 * math.exp(-0.16 * (age - 80)))


def _mortality(age: int) -> float:
    return min(0.5, 0.0002 + 0.0001 * math.exp(0.09 * max(0, age - 20)))


def _migration(age: int) -> float:
    """Net migration per year: young adults move in, young families move out."""
    if 20 <= age <= 34:
        return 0.03
    if age < 6 or 35 <= age <= 44:
        return -0.02
    return 0.0


def _initial(rng: random.Random, total: int) -> dict[str, list[int]]:
    weights = [_age_weight(a) * rng.uniform(0.93, 1.07) for a in range(MAX_AGE + 1)]
    scale = total / sum(weights)
    women = [min(0.65, 0.49 + max(0, a - 60) * 0.004) for a in range(MAX_AGE + 1)]
    return {
        "K": [round(w * scale * women[a]) for a, w in enumerate(weights)],
        "M": [round(w * scale * (1 - women[a])) for a, w in enumerate(weights)],
    }


def _age_one_year(rng: random.Random, counts: list[int]) -> list[int]:
    births = round(counts[0] * rng.uniform(0.97, 1.03))
    aged = [births]
    for age in range(1, MAX_AGE + 1):
        survivors = counts[age - 1] * (1 - _mortality(age - 1))
        if age == MAX_AGE:
            survivors += counts[age] * (1 - _mortality(age))
        aged.append(max(0, round(survivors * (1 + _migration(age) + rng.gauss(0, 0.005)))))
    return aged


def write_population(
    areas: tuple[AreaSpec, ...], first_year: int, last_year: int, out_dir: Path, seed: int
) -> list[Path]:
    """One ``befolkning_<year>.csv`` per year; areas without population are left out."""
    rng = random.Random(f"{seed}:population")
    state = {a.code: _initial(rng, a.population) for a in areas if a.population > 0}
    paths: list[Path] = []
    for year in range(first_year, last_year + 1):
        if year > first_year:
            state = {
                code: {kon: _age_one_year(rng, counts) for kon, counts in by_kon.items()}
                for code, by_kon in state.items()
            }
        path = out_dir / file_name("befolkning", year)
        with csv_writer(path, HEADERS["befolkning"]) as out:
            for code, by_kon in state.items():
                for kon in ("K", "M"):
                    for age, count in enumerate(by_kon[kon]):
                        out.writerow([year, code, kon, age, count])
        paths.append(path)
    return paths
