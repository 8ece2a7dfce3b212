"""Profiles: parameter sets that say how much data to generate and for which areas."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from .months import Month

# Household-type weights (Socialstyrelsen's hushållstyp codes, see ref_hushallstyp.csv).
# Districts follow Bromma's January 2022 mix (domain.md: 130/109/9/43/2/24 of 317), plus a
# few households of only children (1) and of unknown type (9).
DISTRICT_MIX: tuple[tuple[str, int], ...] = (
    ("3", 130),
    ("5", 109),
    ("4", 9),
    ("6", 43),
    ("7", 2),
    ("8", 24),
    ("1", 1),
    ("9", 1),
)
# The homeless unit: mostly single adults.
HOMELESS_MIX: tuple[tuple[str, int], ...] = (
    ("3", 136),
    ("5", 52),
    ("4", 2),
    ("6", 6),
    ("7", 3),
    ("9", 1),
)

# Mild seasonality (index per calendar month): more households in winter, fewer in autumn.
SEASONALITY: tuple[float, ...] = (
    1.03,
    1.02,
    1.02,
    1.00,
    0.99,
    1.01,
    1.00,
    0.98,
    0.97,
    0.97,
    0.99,
    1.02,
)


@dataclass(frozen=True)
class AreaSpec:
    """One district or city-wide unit."""

    code: str  # stadsdel_kod
    unit: str  # enhet_kod (the district's default unit in ref_districts.csv)
    households: float  # bidragshushåll per month at trend index 1,0
    population: int  # residents on 31 December of the year before the first month; 0 = none
    staff: int  # employees of the unit
    mix: tuple[tuple[str, int], ...] = DISTRICT_MIX  # hushållstyp deck
    homeless: bool = False  # city-wide homeless unit: trial flats, temporary housing


@dataclass(frozen=True)
class Profile:
    name: str
    areas: tuple[AreaSpec, ...]
    start: str  # default first month
    end: str | None  # default last month; None = the last full month before today
    # Trend of household counts: (month, index) knots, linear in between, flat outside.
    trend: tuple[tuple[str, float], ...] = ()
    seasonality: tuple[float, ...] = SEASONALITY
    fs_scale: float = 1.0  # calibrates försörjningsstöd to ≈ 8 500 kr per household-month
    burn_in_months: int = 36  # simulated before the first month so spells are realistic

    def households_target(self, area: AreaSpec, month: Month) -> float:
        return area.households * self.trend_index(month) * self.seasonality[month.month - 1]

    def trend_index(self, month: Month) -> float:
        if not self.trend:
            return 1.0
        knots = [(Month.parse(m), value) for m, value in self.trend]
        if month <= knots[0][0]:
            return knots[0][1]
        for (m0, v0), (m1, v1) in pairwise(knots):
            if month <= m1:
                return v0 + (v1 - v0) * month.minus(m0) / m1.minus(m0)
        return knots[-1][1]


TINY = Profile(
    name="tiny",
    areas=(
        AreaSpec("BRO", "EB-BRO", households=50, population=8_600, staff=12),
        AreaSpec("HAL", "EB-HAL", households=52, population=7_400, staff=12),
        AreaSpec(
            "HEM", "EB-HEM", households=10, population=0, staff=12, mix=HOMELESS_MIX, homeless=True
        ),
    ),
    start="2024-01",
    end="2025-12",
    fs_scale=0.88,
)

PROFILES: dict[str, Profile] = {p.name: p for p in (TINY,)}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown profile {name!r}: choose one of {known}") from None
