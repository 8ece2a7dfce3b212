"""Entry point: write every raw export of the contract for one profile and month range."""

from __future__ import annotations

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


def resolve_range(
    profile: Profile, start: str | None, end: str | None, today: date | None = None
) -> tuple[Month, Month]:
    """The months to generate; ``end`` defaults to the profile's or the last full month."""
    first = Month.parse(start if start is not None else profile.start)
    if end is not None:
        last = Month.parse(end)
    elif profile.end is not None:
        last = Month.parse(profile.end)
    else:
        last = Month.of(today or date.today()).add(-1)
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
) -> list[Path]:
    """Write synthetic raw exports for ``profile`` into ``out_dir``; return the files written.

    Deterministic: the same arguments give byte-identical files. Raises ValueError for an
    unknown profile or a bad month range. `on_month(month, months)` is told after each month of
    the case exports is written (progress for long profiles).
    """
    spec = get_profile(profile)
    first, last = resolve_range(spec, start, end)
    months = month_range(first, last)
    extraction = last.add(1).first.replace(day=5)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    told = None if on_month is None else (lambda month: on_month(month, len(months)))
    simulation = AssistanceSimulation(spec, seed, first, last, out_dir, extraction, told)
    paths = simulation.run()
    paths += write_budget(simulation.outcome, first, last, out_dir, seed)
    paths += write_population(spec.areas, first.year - 1, last.year, out_dir, seed)
    paths += write_staff(spec.areas, months, extraction, out_dir, seed)
    paths += write_client_surveys(spec.areas, months, out_dir, seed)
    paths += write_services(
        spec.areas, first, last, extraction, out_dir, seed, spec.min_service_scale
    )
    return sorted(paths)
