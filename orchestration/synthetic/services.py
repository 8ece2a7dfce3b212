"""Catalogue v2 exports: eviction prevention, emergency housing, FUT reports and complaints.

Four snapshots (key = the extraction date, like `arenden`), calibrated to Hägersten-Älvsjö's
year 2023 (shared/seeds/001, verksamhetsberättelse) and scaled by each area's size — its
households per month against Hägersten-Älvsjö's 839 in the stockholm profile:
- ~772 closed notices a year, 23 evictions carried out (97,02 % averted), all of them after an
  eviction application to Kronofogden (39 applications: 23 carried out, 16 averted); 8 of the
  23 households had children; 47,85 % of the households accepted support;
- 6 families with children granted hotel or hostel emergency housing;
- FUT reports as a district unit's 56 a year with 18 repayment decisions (seed 000, 2018),
  73,02 % pre-assessed within 3 months;
- complaints and other feedback as the seed's table: 8 reports from clients (most of them
  complaints), 7 lex Sarah reports, feedback given on most complaints.
City-wide units get no notices (they have no tenants of their own) but more emergency housing.
Activity starts a few months before the first month, so the first periods have notices closing
and reports falling due. Rows dated after the extraction date are not written; what closes
after it is still open.

A later snapshot repeats an earlier one, as a real register's does: records are drawn month by
month (every area's, then the next month's), each with every draw it could need whether or not
the extraction date shows the result, so what was received before the earlier extraction date
keeps its id and contents, and only what has closed or been decided since is filled in.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from .contract import HEADERS, file_name
from .csvout import csv_writer
from .draws import Deck, between
from .months import Month, month_range
from .pnr import PersonnummerFactory, written
from .profiles import AreaSpec

REFERENCE_HOUSEHOLDS = 839  # Hägersten-Älvsjö, households per month (stockholm profile)
LEAD_MONTHS = 6  # activity simulated before the first month

# per year at Hägersten-Älvsjö's size
TERMINATION_NOTICES = 733  # uppsägningar: never carried out by themselves
EVICTION_APPLICATIONS = 39  # ansökningar om avhysning: 23 carried out, 16 averted
FAMILY_HOTEL_DECISIONS = 6.5  # families with children in hotel or hostel (6 distinct)
OTHER_EMERGENCY_DECISIONS = 40
FUT_REPORTS = 56
# complaints and other feedback per year: (avsandare, typ, count)
# (seed 001's table: 8 from clients — "Brukare/patient" — a year)
FEEDBACK: tuple[tuple[str, str, float], ...] = (
    ("BRUKARE", "KLAGOMAL", 6),
    ("BRUKARE", "SYNPUNKT", 1),
    ("BRUKARE", "BEROM", 1),
    ("ANHORIG", "KLAGOMAL", 2),
    ("ANHORIG", "SYNPUNKT", 1),
    ("OMBUD", "KLAGOMAL", 1),
    ("PERSONAL", "AVVIKELSE", 9),
    ("PERSONAL", "BEROM", 3),
    ("ANNAN", "SYNPUNKT", 2),
)
LEX_SARAH_PER_DEVIATION = 7 / 9

APPLICATION_OUTCOMES = (("VERKSTALLD", 23), ("AVVARJD", 12), ("FLYTT", 4))
TERMINATION_OUTCOMES = (("AVVARJD", 80), ("FLYTT", 12), ("OVRIGT", 8))
REASONS = (("HYRESSKULD", 75), ("STORNING", 10), ("ANDRAHAND", 10), ("OVRIGT", 5))
OTHER_HOUSING = (("HOTELL", 35), ("VANDRARHEM", 15), ("AKUTBOENDE", 30), ("JOURLAGENHET", 12))
CATEGORIES = (
    ("BEMOTANDE", 5),
    ("HANDLAGGNING", 4),
    ("BESLUT", 3),
    ("TILLGANGLIGHET", 2),
    ("OVRIGT", 1),
)


def _count(rng: random.Random, per_year: float, scale: float) -> int:
    """Events in one month: the expected number, rounded at random (keeps totals close)."""
    expected = per_year * scale / 12
    return int(expected + rng.random())


def _day(rng: random.Random, month: Month) -> date:
    return month.first + timedelta(days=int(rng.random() * month.days))


def _adult(rng: random.Random, factory: PersonnummerFactory, on: date) -> tuple[str, str]:
    """(personnummer, kon) of an adult aged 20–69 on `on`."""
    birth = on - timedelta(days=between(rng, 20 * 365, 69 * 365))
    male = rng.random() < 0.5
    return factory.new(birth, male), "M" if male else "K"


def _months(first: Month, last: Month) -> list[Month]:
    return month_range(first.add(-LEAD_MONTHS), last)


def _month_major(months: list[Month], areas) -> Iterator[tuple[Month, AreaSpec]]:
    """Every (month, area), month by month: a later snapshot draws its new month after every
    earlier one, so it repeats the earlier snapshot's records under the same ids (what is
    closed since is filled in; see the module docstring). Every record drawn takes an id, also
    one dated after the extraction date (not written: its id is a gap until a later snapshot)."""
    for month in months:
        for area in areas:
            yield month, area


def _scale(area: AreaSpec, floor: float) -> float:
    return max(area.households / REFERENCE_HOUSEHOLDS, floor)


def _notices(rng: random.Random, areas, months, extraction, floor) -> Iterator[list[str]]:
    factory = PersonnummerFactory(rng)
    support = Deck(rng, (("J", 11), ("N", 12)))  # 47,8 %
    reasons = Deck(rng, REASONS)
    tenanted = [area for area in areas if not area.homeless]
    outcomes = {
        area.code: {
            "AVHYSNING": Deck(rng, APPLICATION_OUTCOMES),
            "UPPSAGNING": Deck(rng, TERMINATION_OUTCOMES),
        }
        for area in tenanted
    }
    # 8 of the 23 evictions carried out affected children
    evicted_children = {area.code: Deck(rng, (("J", 8), ("N", 15))) for area in tenanted}
    number = 0
    for month, area in _month_major(months, tenanted):
        scale = _scale(area, floor)
        kinds = ["UPPSAGNING"] * _count(rng, TERMINATION_NOTICES, scale)
        kinds += ["AVHYSNING"] * _count(rng, EVICTION_APPLICATIONS, scale)
        for kind in kinds:
            received = _day(rng, month)
            pnr, kon = _adult(rng, factory, received)
            outcome = outcomes[area.code][kind].draw()
            # 8 of 23 evictions carried out affected children; 30 % of the other notices
            if outcome == "VERKSTALLD":
                with_children = evicted_children[area.code].draw() == "J"
            else:
                with_children = rng.random() < 0.30
            closed = received + timedelta(days=between(rng, 14, 150))
            row = [
                written(pnr, rng),
                kon,
                area.code,
                kind,
                received.isoformat(),
                reasons.draw(),
                str(between(rng, 1, 3) if with_children else 0),
                support.draw(),
            ]
            number += 1  # an id for every record drawn (see _month_major)
            if received >= extraction:
                continue
            is_open = closed >= extraction
            yield [
                f"V{number:07d}",
                *row,
                "" if is_open else closed.isoformat(),
                "" if is_open else outcome,
            ]


def _emergency_housing(rng: random.Random, areas, months, extraction, floor):
    factory = PersonnummerFactory(rng)
    kinds = Deck(rng, OTHER_HOUSING)
    number = 0
    for month, area in _month_major(months, areas):
        scale = _scale(area, floor) * (3 if area.homeless else 1)
        decisions = ["family"] * _count(rng, FAMILY_HOTEL_DECISIONS, scale)
        decisions += ["other"] * _count(rng, OTHER_EMERGENCY_DECISIONS, scale)
        for who in decisions:
            start = _day(rng, month)
            pnr, kon = _adult(rng, factory, start)
            if who == "family":
                kind = "HOTELL" if rng.random() < 0.6 else "VANDRARHEM"
                children = between(rng, 1, 4)
            else:
                kind = kinds.draw()
                children = between(rng, 1, 2) if kind == "JOURLAGENHET" else 0
            stays = [start]
            if who == "family" and rng.random() < 0.1:  # a prolonged stay: a new decision
                stays.append(start + timedelta(days=between(rng, 7, 28)))
            for begin in stays:
                shown = written(pnr, rng)
                nights = between(rng, 3, 28)
                cost_missing = rng.random() < 0.05
                number += 1  # an id for every record drawn (see _month_major)
                if begin >= extraction:
                    continue
                end = begin + timedelta(days=nights)
                is_open = end >= extraction
                nightly = {"HOTELL": 1_100, "VANDRARHEM": 650}.get(kind, 450)
                cost = "" if is_open or cost_missing else f"{nights * nightly},00"
                yield [
                    f"AB{number:07d}",
                    shown,
                    kon,
                    area.code,
                    kind,
                    str(children),
                    begin.isoformat(),
                    "" if is_open else end.isoformat(),
                    cost,
                ]


def _fut_reports(rng: random.Random, areas, months, extraction, floor):
    timely = Deck(rng, (("J", 27), ("N", 10)))  # 73,0 %
    decisions = Deck(rng, (("UTREDNING", 11), ("EJ_UTREDNING", 9)))
    number = 0
    for month, area in _month_major(months, areas):
        scale = _scale(area, floor)
        for _ in range(_count(rng, FUT_REPORTS, scale)):
            received = _day(rng, month)
            days = between(rng, 3, 88) if timely.draw() == "J" else between(rng, 95, 240)
            assessed = received + timedelta(days=days)
            case = f"A{area.code}{between(rng, 1, 999_999):06d}"
            decision = decisions.draw()
            # 18 repayment decisions of 56 reports: most investigations end in one
            repaid = assessed + timedelta(days=between(rng, 20, 120))
            repayment = decision == "UTREDNING" and rng.random() < 0.58
            amount = f"{between(rng, 2_000, 90_000)},00"
            police = "J" if rng.random() < 0.3 else "N"
            number += 1  # an id for every record drawn (see _month_major)
            if received >= extraction:
                continue
            row = [f"FUT{number:07d}", case, area.code, received.isoformat(), "", "", "", "", ""]
            if assessed < extraction:
                row[4], row[5], row[8] = assessed.isoformat(), decision, "N"
                if repayment and repaid < extraction:
                    row[6], row[7], row[8] = repaid.isoformat(), amount, police
            yield row


def _feedback(rng: random.Random, areas, months, extraction, floor):
    categories = Deck(rng, CATEGORIES)
    number = 0
    for month, area in _month_major(months, areas):
        scale = _scale(area, floor)
        for sender, kind, per_year in FEEDBACK:
            for _ in range(_count(rng, per_year, scale)):
                received = _day(rng, month)
                answered = None
                if kind in ("KLAGOMAL", "SYNPUNKT") and rng.random() < 0.8:
                    answered = received + timedelta(days=between(rng, 3, 60))
                lex_sarah = kind == "AVVIKELSE" and rng.random() < LEX_SARAH_PER_DEVIATION
                action = kind in ("KLAGOMAL", "AVVIKELSE") and rng.random() < 0.6
                activity = "EB" if rng.random() < 0.75 else "BEROENDE"
                category = categories.draw()
                number += 1  # an id for every record drawn (see _month_major)
                if received >= extraction:
                    continue
                yield [
                    f"SY{number:07d}",
                    received.isoformat(),
                    area.code,
                    activity,
                    sender,
                    kind,
                    category,
                    "J" if lex_sarah else "N",
                    answered.isoformat() if answered and answered < extraction else "",
                    "J" if action else "N",
                ]


WRITERS = {
    "vrakningsforebyggande": _notices,
    "akutboende": _emergency_housing,
    "fut_anmalningar": _fut_reports,
    "synpunkter": _feedback,
}


def write_services(
    areas: tuple[AreaSpec, ...],
    first: Month,
    last: Month,
    extraction: date,
    out_dir: Path,
    seed: int,
    min_scale: float = 0.0,
) -> list[Path]:
    """One snapshot of each catalogue-v2 export, dated `extraction`; an area's volume is at
    least `min_scale` of Hägersten-Älvsjö's."""
    months = _months(first, last)
    paths: list[Path] = []
    for export, rows in WRITERS.items():
        rng = random.Random(f"{seed}:{export}")
        path = out_dir / file_name(export, extraction.isoformat())
        with csv_writer(path, HEADERS[export]) as out:
            for row in rows(rng, areas, months, extraction, min_scale):
                out.writerow(row)
        paths.append(path)
    return paths
