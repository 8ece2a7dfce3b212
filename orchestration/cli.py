"""`bistand`: the command line. A thin wrapper over the Dagster definitions, not a 2nd pipeline.

    bistand generate --out DIR [--profile tiny|stockholm|national]
                     [--from YYYY-MM] [--to YYYY-MM] [--seed N] [--today YYYY-MM-DD]
    bistand refresh [--landing DIR] [--warehouse FILE] [--no-pages] [--wait] [--full-rebuild]
                    [--verbose]
    bistand accept FILE [--warehouse FILE]

Exit codes of refresh: 0 all good; 2 finished but some input was rejected; 1 failed (the
previously published file is untouched). A refresh with nothing new stops early, without
starting Dagster or dbt (orchestration/uptodate.py): this module imports neither before it knows.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from importlib import metadata
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REJECTED = 2

ENVIRONMENT = """\
miljövariabler:
  BISTAND_LANDING       leveranskatalog när --landing saknas (standard data/landing)
  BISTAND_WAREHOUSE     lagrets fil när --warehouse saknas (standard data/warehouse.duckdb)
  EB_PSEUDONYM_KEY      nyckeln för pseudonymer av personnummer (annars skapas pseudonym.key
                        bredvid lagret första gången)
  DAGSTER_HOME          Dagsters instans (standard dagster_home/ bredvid lagret, samma som
                        `make ui` använder)
  BISTAND_DUCKDB_MEMORY_LIMIT  DuckDB:s minnesgräns för dbt (standard 6GB)
  BISTAND_MAX_REJECTED_PERCENT  högsta andel avvisade rader (procent, standard 1) som en
                        omleverans av en månad eller ett år får ha och ändå ersätta den
                        nuvarande; fler hålls (se bistand accept)
  BISTAND_KEEP_RUNS     antal Dagster-körningar som sparas i instansen (standard 200)
  BISTAND_KEEP_LOGS     antal uppdateringsloggar i logs/ bredvid lagret (standard 30)
  BISTAND_TODAY         dagens datum för generate (ÅÅÅÅ-MM-DD) när --today saknas
  BISTAND_EVIDENCE_DIR  Evidence-projektet som sidorna byggs i (standard evidence/)
"""

REFRESH_EPILOG = (
    """\
slutkoder:
  0  allt laddat, byggt, testat och publicerat (eller inget nytt att göra)
  2  klart och publicerat, men någon leverans eller rad avvisades, eller en omleverans hölls
     (se sammanfattningen och sidan Datakvalitet); koden står kvar tills en rättad leverans
     kommit eller den hållna godkänts med bistand accept
  1  misslyckat: en blockerande kontroll eller ett steg fallerade, eller en annan uppdatering
     pågår; den tidigare publicerade filen och sidorna är orörda

"""
    + ENVIRONMENT
)


def _version() -> str:
    try:
        return metadata.version("bistand")
    except metadata.PackageNotFoundError:  # run from a source tree without installing
        return "okänd"


class _SwedishHelp(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "användning: " if prefix is None else prefix)


def _swedish(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Swedish section titles and -h (argparse's own texts are English)."""
    parser._positionals.title = "kommandon"
    parser._optionals.title = "flaggor"
    parser.add_argument("-h", "--help", action="help", help="visa den här hjälpen och avsluta")
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = _swedish(
        argparse.ArgumentParser(
            prog="bistand",
            description="KPI-lager för ekonomiskt bistånd: exportfiler → DuckDB → dbt → sidor.",
            epilog=ENVIRONMENT,
            formatter_class=_SwedishHelp,
            add_help=False,
        )
    )
    parser.add_argument(
        "--version", action="version", version=f"bistand {_version()}", help="visa versionen"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="kommando")

    gen = sub.add_parser(
        "generate",
        add_help=False,
        formatter_class=_SwedishHelp,
        help="skriv syntetiska exportfiler enligt kontraktet",
        description="Skriv syntetiska exportfiler (alla exporter i kontraktet) till en katalog. "
        "Samma argument ger byte-identiska filer.",
    )
    gen.add_argument(
        "--out", required=True, type=Path, metavar="KATALOG", help="katalog att skriva filerna till"
    )
    gen.add_argument(
        "--profile",
        default="tiny",
        choices=["tiny", "stockholm", "national"],
        help="storlek: tiny (två enheter, för tester), stockholm (stadens 14 stadsdelar, "
        "kalibrerad mot verkliga tal), national (≈ 110 000 hushåll i månaden); standard tiny",
    )
    gen.add_argument("--from", dest="start", metavar="ÅÅÅÅ-MM", help="första månad")
    gen.add_argument(
        "--to", dest="end", metavar="ÅÅÅÅ-MM", help="sista månad (standard: förra månaden)"
    )
    gen.add_argument("--seed", type=int, default=0, metavar="N", help="slumpfrö (standard 0)")
    gen.add_argument(
        "--today",
        type=_iso_date,
        metavar="ÅÅÅÅ-MM-DD",
        help="dagens datum för generatorn: inga månader, uttagsdatum eller befolkningsår efter "
        "det (standard $BISTAND_TODAY, annars dagens datum)",
    )

    _swedish(gen)
    ref = sub.add_parser(
        "refresh",
        add_help=False,
        help="ladda leveranser, bygg lagret och publicera",
        description="Ladda nya leveranser, bygg och testa lagret (dbt), publicera och bygg "
        "sidorna. Utan nya leveranser eller ändrade modeller avslutas den direkt.",
        epilog=REFRESH_EPILOG,
        formatter_class=_SwedishHelp,
    )
    _swedish(ref)
    ref.add_argument(
        "--landing",
        type=Path,
        default=None,
        metavar="KATALOG",
        help="leveranskatalog (standard data/landing)",
    )
    ref.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        metavar="FIL",
        help="lagrets fil (standard data/warehouse.duckdb)",
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
    ref.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="visa hela loggen (dbt, Dagster) medan den skrivs; annars bara en rad per steg",
    )

    acc = sub.add_parser(
        "accept",
        add_help=False,
        formatter_class=_SwedishHelp,
        help="godkänn en hållen omleverans så att den ersätter sin månad eller sitt år",
        description="En omleverans av en månad eller ett år som skulle krympa den kraftigt (0 "
        "rader eller under hälften av den nuvarande leveransens) eller har fler avvisade rader "
        "än gränsen (BISTAND_MAX_REJECTED_PERCENT, standard 1 %) hålls: den nuvarande "
        "leveransen gäller. accept godkänner filen (det noteras i leveransloggen); nästa "
        "uppdatering låter den ersätta den nuvarande.",
        epilog="slutkoder:\n  0  godkänd\n  1  filen hålls inte, finns inte i leveransloggen, "
        "eller en uppdatering pågår\n",
    )
    _swedish(acc)
    acc._positionals.title = "argument"
    acc.add_argument("file", metavar="FIL", help="den hållna filens namn (eller sökväg)")
    acc.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        metavar="FIL",
        help="lagrets fil (standard data/warehouse.duckdb)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The console script (`argv` None: the process's own arguments) or a call from Python."""
    args = _parser().parse_args(argv)
    if args.command == "generate":
        return _generate(args)
    if args.command == "accept":
        return _accept(args)
    code = _refresh(args)
    if argv is None and "dagster" in sys.modules:
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """End the process without the interpreter's teardown of Dagster's and dbt's module graph
    (measured: seconds after the summary). Everything is closed by now: the warehouse
    connections, the log file, the Dagster instance (synced, orchestration/instance.py)."""
    import logging

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ogiltigt datum {text!r}: skriv ÅÅÅÅ-MM-DD") from None


def _generate(args: argparse.Namespace) -> int:
    from orchestration.synthetic import generate

    started = time.monotonic()
    shown = [started]

    def progress(month: object, months: int) -> None:
        now = time.monotonic()
        if now - shown[0] >= 5:  # a line every few seconds on long profiles
            shown[0] = now
            print(f"  … t.o.m. {month} ({months} månader), {now - started:.0f} s", flush=True)

    try:
        files = generate(
            args.out,
            profile=args.profile,
            seed=args.seed,
            start=args.start,
            end=args.end,
            on_month=progress,
            today=args.today,
        )
    except ValueError as error:
        print(f"bistand generate: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Skrev {len(files)} filer till {args.out} ({time.monotonic() - started:.0f} s)")
    return EXIT_OK


def _accept(args: argparse.Namespace) -> int:
    from orchestration.accept import NotHeld, accept
    from orchestration.lock import WarehouseBusy
    from orchestration.settings import Paths

    defaults = Paths.from_env()
    paths = Paths(
        landing=defaults.landing,
        warehouse=args.warehouse.resolve() if args.warehouse else defaults.warehouse,
    )
    try:
        print(accept(paths, args.file))
    except (NotHeld, WarehouseBusy) as problem:
        print(f"bistand accept: {problem}", file=sys.stderr)
        return EXIT_FAILED
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

    from orchestration.loaders.guard import max_rejected_percent
    from orchestration.lock import WarehouseBusy, WriterLock, is_duckdb_lock_error

    try:
        max_rejected_percent()
    except ValueError as problem:
        print(f"bistand refresh: {problem}", file=sys.stderr)
        return EXIT_FAILED

    # One writer from the first look at the warehouse to the end of the run (orchestration/lock.py)
    lock = WriterLock(paths.warehouse)
    try:
        lock.acquire(wait=args.wait)
    except WarehouseBusy as busy:
        print(f"bistand refresh: {busy}", file=sys.stderr)
        return EXIT_FAILED
    try:
        early = _up_to_date(paths, args)
        if early is not None:
            return early
        from orchestration import uptodate
        from orchestration.run import run_refresh

        # everything current but the pages (e.g. after a failed page build): only they are built
        pages_only = (
            not args.no_pages
            and not args.full_rebuild
            and uptodate.check(paths, pages=False) is not None
        )
        outcome = run_refresh(
            paths,
            pages=not args.no_pages,
            pages_only=pages_only,
            wait=args.wait,
            full_rebuild=args.full_rebuild,
            verbose=args.verbose,
        )
    except Exception as error:
        if not is_duckdb_lock_error(error):
            raise
        print(
            f"bistand refresh: en annan process höll lagret {paths.warehouse} öppet; "
            "försök igen senare eller använd --wait",
            file=sys.stderr,
        )
        return EXIT_FAILED
    finally:
        lock.release()
    print(outcome.summary())
    if not outcome.success:
        return EXIT_FAILED
    return EXIT_REJECTED if outcome.anything_rejected else EXIT_OK


def _up_to_date(paths, args: argparse.Namespace) -> int | None:
    """The exit code when nothing is new (after one or two lines), else None: refresh."""
    if args.full_rebuild:
        return None
    from orchestration import uptodate
    from orchestration.numbers import thousands

    current = uptodate.check(paths, pages=not args.no_pages)  # the caller holds the lock
    if current is None:
        return None
    print(
        f"Inget nytt: {thousands(current.files)} leveransfiler och modellerna oförändrade sedan "
        f"uppdateringen {current.finished_at:%Y-%m-%d %H:%M} (UTC); det publicerade är aktuellt."
    )
    if current.held_files:
        print(f"Hållna omleveranser (godkänn med bistand accept FIL): {current.held_files} filer")
    if current.outstanding_files or current.outstanding_rows:
        print(
            "Utestående avvisningar (väntar på en rättad leverans): "
            f"{current.outstanding_files} filer, {thousands(current.outstanding_rows)} rader"
        )
    if current.anything_rejected:
        return EXIT_REJECTED
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
