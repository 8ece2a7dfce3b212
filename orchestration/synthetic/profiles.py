"""Profiles: parameter sets that say how much data to generate and for which areas."""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise

from .months import Month

# Household-type decks (Socialstyrelsen's hushållstyp codes, see ref_hushallstyp.csv).
# Districts follow Bromma's January 2022 mix (domain.md: 130/109/9/43/2/24 of 317) per ~100
# new households, plus one household of only children (1) and one of unknown type (9).
DISTRICT_MIX: tuple[tuple[str, int], ...] = (
    ("3", 41),
    ("5", 34),
    ("4", 3),
    ("6", 13),
    ("7", 1),
    ("8", 8),
    ("1", 1),
    ("9", 1),
)
# The large outer districts (Rinkeby-Kista, Spånga-Tensta, Hässelby-Vällingby, Enskede-Årsta-Vantör,
# Farsta, Skärholmen, Skarpnäck): more families with children than Bromma, so that the city's
# share of children in families on assistance nears the 2,7–3,6 % of its target (domain.md).
SUBURB_MIX: tuple[tuple[str, int], ...] = (
    ("3", 34),
    ("5", 27),
    ("4", 4),
    ("6", 19),
    ("7", 2),
    ("8", 13),
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

# Seasonality per calendar month, December = 1 (so December figures anchor a profile): more
# households in winter and June, fewer in late summer and autumn (Bromma 2021, domain.md).
SEASONALITY: tuple[float, ...] = (
    1.01,
    1.00,
    1.00,
    0.98,
    0.97,
    0.99,
    0.98,
    0.96,
    0.95,
    0.95,
    0.97,
    1.00,
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
    trend: tuple[tuple[str, float], ...] = ()  # the area's own trend, else the profile's


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
    # catalogue-v2 exports (services.py): an area's volume is its households ÷ Hägersten-
    # Älvsjö's, but at least this share (so a small test profile has every indicator's events)
    min_service_scale: float = 0.0

    def households_target(self, area: AreaSpec, month: Month) -> float:
        trend = interpolate(area.trend or self.trend, month)
        return area.households * trend * self.seasonality[month.month - 1]


def interpolate(knots: tuple[tuple[str, float], ...], month: Month) -> float:
    """Trend index in ``month``: linear between (month, index) knots, flat outside, 1 if none."""
    if not knots:
        return 1.0
    points = [(Month.parse(m), value) for m, value in knots]
    if month <= points[0][0]:
        return points[0][1]
    for (m0, v0), (m1, v1) in pairwise(points):
        if month <= m1:
            return v0 + (v1 - v0) * month.minus(m0) / m1.minus(m0)
    return points[-1][1]


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
    fs_scale=0.96,
    min_service_scale=0.25,
)


def _stockholm_area(
    code: str,
    households: int,
    population: int,
    mix: tuple[tuple[str, int], ...] = DISTRICT_MIX,
    homeless: bool = False,
    trend: tuple[tuple[str, float], ...] = (),
) -> AreaSpec:
    """A district or city-wide unit with households as in December 2020 (domain.md)."""
    staff = 25 + households // 120  # domain.md: a unit has about 25–35 staff
    return AreaSpec(code, f"EB-{code}", households, population, staff, mix, homeless, trend)


# Bromma: 372 in December 2020, 361 … 330 through 2021, 317 in January 2022 (domain.md).
BROMMA_TREND: tuple[tuple[str, float], ...] = (
    ("2019-01", 1.08),
    ("2020-12", 1.00),
    ("2021-12", 0.89),
    ("2022-01", 0.86),
    ("2023-12", 0.90),
    ("2025-12", 0.95),
)


# All 15 areas: households per month in December 2020 (seed 004's table), population on
# 31 December 2018 (approximate, so that Bromma's adults on assistance are ≈ 0,6 %), and the
# city-wide units sized so the whole city has ≈ 8 700 households (8 400–8 900 in 2021).
STOCKHOLM = Profile(
    name="stockholm",
    areas=(
        _stockholm_area("RIK", 1_346, 48_000, SUBURB_MIX),
        _stockholm_area("SPT", 700, 39_000, SUBURB_MIX),
        _stockholm_area("HAV", 935, 76_000, SUBURB_MIX),
        _stockholm_area("BRO", 372, 77_000, trend=BROMMA_TREND),
        _stockholm_area("KUN", 188, 68_000),
        _stockholm_area("NOR", 214, 71_000),
        _stockholm_area("OST", 178, 72_000),
        _stockholm_area("SOD", 461, 131_000),
        _stockholm_area("EAV", 1_152, 106_000, SUBURB_MIX),
        _stockholm_area("SKA", 459, 50_000, SUBURB_MIX),
        _stockholm_area("FAR", 705, 58_000, SUBURB_MIX),
        _stockholm_area("HAL", 839, 111_000),
        _stockholm_area("SKH", 624, 37_000, SUBURB_MIX),
        _stockholm_area("HEM", 400, 0, mix=HOMELESS_MIX, homeless=True),
        _stockholm_area("BOU", 120, 0, homeless=True),
    ),
    start="2019-01",
    end=None,
    # The city: higher in 2019 (1,5 % of adults in 2018), December 2020 = the table, 8 400–8 900
    # a month in 2021, a dip in 2022, then slowly up again.
    trend=(
        ("2019-01", 1.08),
        ("2020-12", 1.00),
        ("2021-12", 1.00),
        ("2022-12", 0.95),
        ("2023-12", 0.97),
        ("2025-12", 1.00),
    ),
    fs_scale=0.82,
    burn_in_months=24,
)

# National: the same 15 areas with every district's caseload, population and staff scaled so
# that the country has ≈ 110 000 bidragshushåll a month (Stockholm's 8 693 in December 2020 ×
# 12,65), over ten years. Shares of the population, household mix, kronor per household-month
# and spell lengths stay Stockholm's; only the volume is national.
NATIONAL_SCALE = 12.65


def _national_area(area: AreaSpec) -> AreaSpec:
    households = area.households * NATIONAL_SCALE
    staff = max(25, round(households / 30))  # a caseload of ≈ 30 households per employee
    return replace(
        area,
        households=households,
        population=round(area.population * NATIONAL_SCALE),
        staff=staff,
    )


NATIONAL = Profile(
    name="national",
    areas=tuple(_national_area(a) for a in STOCKHOLM.areas),
    start="2016-01",
    end="2025-12",
    # higher in the late 2010s, as the country's caseload was, then as Stockholm
    trend=(("2016-01", 1.14), *STOCKHOLM.trend),
    fs_scale=STOCKHOLM.fs_scale,
    burn_in_months=STOCKHOLM.burn_in_months,
)

PROFILES: dict[str, Profile] = {p.name: p for p in (TINY, STOCKHOLM, NATIONAL)}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown profile {name!r}: choose one of {known}") from None
