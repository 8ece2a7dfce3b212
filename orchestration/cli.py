"""`bistand`: the command line. A thin wrapper over the Dagster definitions, not a 2nd pipeline.

    bistand generate --out DIR [--profile tiny|stockholm|national]
                     [--from YYYY-MM] [--to YYYY-MM] [--seed N]
    bistand refresh [--landing DIR] [--warehouse FILE] [--no-pages] [--wait]

Exit codes of refresh: 0 all good; 2 finished but some input was rejected; 1 failed (the
previously published file is untouched).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REJECTED = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bistand", description="KPI-lager för ekonomiskt bistånd (Dagster + DuckDB + dbt)."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="skriv syntetiska exportfiler enligt kontraktet")
    gen.add_argument("--out", required=True, type=Path, help="katalog att skriva filerna till")
    gen.add_argument("--profile", default="tiny", choices=["tiny", "stockholm", "national"])
    gen.add_argument("--from", dest="start", metavar="YYYY-MM", help="första månad")
    gen.add_argument("--to", dest="end", metavar="YYYY-MM", help="sista månad")
    gen.add_argument("--seed", type=int, default=0)

    ref = sub.add_parser("refresh", help="ladda leveranser, bygg lagret och publicera")
    ref.add_argument("--landing", type=Path, default=None, help="leveranskatalog (data/landing)")
    ref.add_argument(
        "--warehouse", type=Path, default=None, help="lagrets fil (data/warehouse.duckdb)"
    )
    ref.add_argument("--no-pages", action="store_true", help="bygg inte om webbsidorna")
    ref.add_argument(
        "--full-rebuild",
        action="store_true",
        help="bygg om alla månader (annars bara de med nya eller ändrade leveranser)",
    )
    ref.add_argument(
        "--wait", action="store_true", help="vänta om en annan uppdatering pågår (annars avbryt)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "generate":
        return _generate(args)
    return _refresh(args)


def _generate(args: argparse.Namespace) -> int:
    from orchestration.synthetic import generate

    try:
        files = generate(
            args.out, profile=args.profile, seed=args.seed, start=args.start, end=args.end
        )
    except ValueError as error:
        print(f"bistand generate: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Skrev {len(files)} filer till {args.out}")
    return EXIT_OK


def _refresh(args: argparse.Namespace) -> int:
    from orchestration.settings import LANDING_ENV, WAREHOUSE_ENV, Paths

    defaults = Paths.from_env()
    paths = Paths(
        landing=args.landing.resolve() if args.landing else defaults.landing,
        warehouse=args.warehouse.resolve() if args.warehouse else defaults.warehouse,
    )
    if not paths.landing.is_dir():
        print(f"bistand refresh: leveranskatalogen {paths.landing} finns inte", file=sys.stderr)
        return EXIT_FAILED
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    os.environ[LANDING_ENV] = str(paths.landing)
    os.environ[WAREHOUSE_ENV] = str(paths.warehouse)

    from orchestration.run import run_refresh

    outcome = run_refresh(
        paths, pages=not args.no_pages, wait=args.wait, full_rebuild=args.full_rebuild
    )
    print(outcome.summary())
    if not outcome.success:
        return EXIT_FAILED
    return EXIT_REJECTED if outcome.anything_rejected else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
