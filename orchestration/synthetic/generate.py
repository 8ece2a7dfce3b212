"""Entry point: write every raw export of the contract for one profile and month range.

The generator never writes the future: by default it ends with the last full month before
today, no snapshot is dated after today, and population files exist only for years the
statistics office has published (SCB publishes 31 December's population about two months later:
here from 1 March of the next year). "Today" is the wall clock unless given — ``today=`` or the
environment variable ``BISTAND_TODAY`` (YYYY-MM-DD; `bistand generate --today`), so that tests do
not depend on the date they run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from .assistance import AssistanceSimulation
from .budget import write_budget
from .months import Month, month_range
from .population import write_population
from .profiles import Profile, get_profile
from .services import write_services
from .staff import write_staff
from .surveys import write_client_surveys

TODAY_ENV = "BISTAND_TODAY"


def resolve_today(today: date | None = None) -> date:
    """``today`` if given, else $BISTAND_TODAY (YYYY-MM-DD), else the wall clock's date."""
    if today is not None:
        return today
    given = os.environ.get(TODAY_ENV, "").strip()
    if not given:
        return date.today()
    try:
        return date.fromisoformat(given)
    except ValueError:
        raise ValueError(f"invalid date {given!r} in {TODAY_ENV}: use YYYY-MM-DD") from None


def latest_published_population(today: date) -> int:
    """The newest year whose 31 December population is published on ``today`` (from 1 March of
    the next year: SCB publishes about two months after the year's end)."""
    return today.year - 1 if today >= date(today.year, 3, 1) else today.year - 2


def resolve_range(
    profile: Profile, start: str | None, end: str | None, today: date | None = None
) -> tuple[Month, Month]:
    """The months to generate; ``end`` defaults to the profile's or the last full month before
    today, and no month after that one can be asked for (the generator never writes the future)."""
    last_full = Month.of(resolve_today(today)).add(-1)
    first = Month.parse(start if start is not None else profile.start)
    if end is not None:
        last = Month.parse(end)
    elif profile.end is not None:
        last = min(Month.parse(profile.end), last_full)
    else:
        last = last_full
    if last > last_full:
        raise ValueError(
            f"--to {last} is in the future: the last full month before {resolve_today(today)} "
            f"is {last_full}"
        )
    if last < first:
        raise ValueError(f"empty month range: --from {first} is after --to {last}")
    return first, last


def generate(
    out_dir: Path,
    profile: str = "tiny",
    seed: int = 0,
    start: str | None = None,
    end: str | None = None,
    on_month: Callable[[Month, int], None] | None = None,
    today: date | None = None,
) -> list[Path]:
    """Write synthetic raw exports for ``profile`` into ``out_dir``; return the files written.

    Deterministic: the same arguments give byte-identical files. Raises ValueError for an
    unknown profile or a bad month range. `on_month(month, months)` is told after each month of
    the case exports is written (progress for long profiles). ``today`` (default:
    $BISTAND_TODAY or the wall clock) bounds what is written: the months, the snapshots'
    extraction date and the population years.
    """
    spec = get_profile(profile)
    today = resolve_today(today)
    first, last = resolve_range(spec, start, end, today)
    months = month_range(first, last)
    # the snapshots are taken on the 5th of the month after the last, but never after today
    extraction = min(last.add(1).first.replace(day=5), today)
    population_last = min(last.year, latest_published_population(today))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    told = None if on_month is None else (lambda month: on_month(month, len(months)))
    simulation = AssistanceSimulation(spec, seed, first, last, out_dir, extraction, told)
    paths = simulation.run()
    paths += write_budget(simulation.outcome, first, last, out_dir, seed)
    paths += write_population(spec.areas, first.year - 1, population_last, out_dir, seed)
    paths += write_staff(spec.areas, months, extraction, out_dir, seed)
    paths += write_client_surveys(spec.areas, months, out_dir, seed)
    paths += write_services(
        spec.areas, first, last, extraction, out_dir, seed, spec.min_service_scale
    )
    return sorted(paths)
