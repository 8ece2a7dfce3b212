"""One Dagster asset per raw export (load new deliveries), plus one for unknown landing files,
all made by one multi-asset (one step, one connection; each asset can be materialised alone).

Each asset reports what this run loaded as metadata and carries the asset check
`inga_avvisade_leveranser`, which fails (severity WARN, so the rest of the refresh still runs)
while the export has *outstanding* rejects: rejected rows of its current deliveries, or a refused
file still in the landing directory that no later delivery of its key replaced (engine.py).
A reject therefore keeps failing the check on every run until a corrected delivery arrives.

`raw/okanda_filer` records landing files that no export claims (e.g. `okand_2024-01.csv`) as
refused deliveries in raw.load_log; its check fails while such a file is in the landing directory.

Everything logged or attached as metadata is masked: no personnummer can reach Dagster's storage.
"""

import time
from collections import Counter
from collections.abc import Iterator

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from orchestration.faults import fault_point
from orchestration.loaders.contract import EXPORTS, ExportSpec
from orchestration.loaders.engine import ExportOutcome, load_export, record_unknown_files
from orchestration.resources import WarehouseResource

REJECTS_CHECK = "inga_avvisade_leveranser"
UNKNOWN_FILES_KEY = AssetKey(["raw", "okanda_filer"])


def loader_asset_key(export: str) -> AssetKey:
    return AssetKey(["raw", export])


def outcome_metadata(outcome: ExportOutcome) -> dict[str, MetadataValue]:
    reasons: Counter[str] = Counter()
    for file in outcome.files:
        if file.status == "loaded":
            reasons.update(file.reasons)
        if file.status == "rejected" and file.message:
            reasons[file.message] += 1
    return {
        "nya_leveranser": MetadataValue.int(len(outcome.files)),
        "rader_laddade": MetadataValue.int(outcome.rows_loaded),
        "rader_avvisade": MetadataValue.int(outcome.rows_rejected),
        "filer_avvisade": MetadataValue.int(outcome.files_rejected),
        "filer": MetadataValue.md(
            "\n".join(
                f"- {f.file_name}: {f.status}, {f.rows_read} lästa, {f.rows_loaded} laddade, "
                f"{f.rows_rejected} avvisade"
                for f in outcome.files
            )
            or "inga nya leveranser"
        ),
        "avvisningsorsaker": MetadataValue.json(dict(reasons)),
    }


def check_result(outcome: ExportOutcome, key: AssetKey) -> AssetCheckResult:
    pending = outcome.outstanding
    return AssetCheckResult(
        check_name=REJECTS_CHECK,
        asset_key=key,
        passed=not pending.any,
        severity=AssetCheckSeverity.WARN,
        description=(
            f"{len(pending.files)} avvisade filer och {pending.rows} avvisade rader väntar på "
            "en rättad leverans"
            + (
                f"; {len(pending.held)} omleveranser hålls (bistand accept FIL)"
                if pending.held
                else ""
            )
            if pending.any
            else "Inga utestående avvisningar."
        ),
        metadata={
            "utestaende_filer": MetadataValue.int(len(pending.files)),
            "utestaende_rader": MetadataValue.int(pending.rows),
            "utestaende_orsaker": MetadataValue.json(dict(pending.reasons)),
            "avvisade_filer": MetadataValue.md("\n".join(f"- {m}" for m in pending.files) or "-"),
            "hallna_filer": MetadataValue.md("\n".join(f"- {m}" for m in pending.held) or "-"),
            "nya_avvisade_rader": MetadataValue.int(outcome.rows_rejected),
            "nya_avvisade_filer": MetadataValue.int(outcome.files_rejected),
        },
    )


def log_outcome(context: AssetExecutionContext, outcome: ExportOutcome) -> None:
    for file in outcome.files:
        if file.status == "rejected":
            context.log.warning(f"Avvisad fil: {file.message}")
        elif file.status == "held":
            context.log.warning(f"Hållen fil: {file.message}")
        elif file.status == "loaded" and file.rows_rejected:
            context.log.warning(
                f"{file.file_name}: {file.rows_rejected} av {file.rows_read} rader avvisade"
            )
    for warning, files in outcome.warnings.items():  # each warning once per run
        where = files[0] if len(files) == 1 else f"{files[0]} m.fl. ({len(files)} filer)"
        context.log.warning(f"{where}: {warning}")
    if outcome.outstanding.any:
        context.log.warning(
            f"{outcome.export}: {len(outcome.outstanding.files)} avvisade filer och "
            f"{outcome.outstanding.rows} avvisade rader utestående"
        )


def _loader_spec(key: AssetKey, description: str) -> AssetSpec:
    return AssetSpec(key, group_name="raw", description=description, kinds={"duckdb", "csv"})


# every export, then the landing files no export claims (recorded after every export has
# taken its own)
_LOADERS: dict[AssetKey, ExportSpec | None] = {
    **{loader_asset_key(spec.name): spec for spec in EXPORTS.values()},
    UNKNOWN_FILES_KEY: None,
}


def _description(spec: ExportSpec | None) -> str:
    if spec is None:
        return "Landing files that no export claims, recorded as refused deliveries."
    return f"{spec.description} Loads new `{spec.name}_*.csv` deliveries into raw."


@multi_asset(
    name="raw",
    specs=[_loader_spec(key, _description(spec)) for key, spec in _LOADERS.items()],
    check_specs=[
        AssetCheckSpec(
            REJECTS_CHECK,
            asset=key,
            description="No outstanding rejected file or row of this export."
            if spec is not None
            else "No unknown file in the landing directory.",
        )
        for key, spec in _LOADERS.items()
    ],
    can_subset=True,
)
def raw_loaders(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[MaterializeResult]:
    """Every export's new deliveries, one export after the other, in one Dagster step and on one
    connection (a step of its own per export cost ~80 ms of Dagster's bookkeeping and a new
    connection each: 1,4 s of a refresh's 2,2 s of loading on the tiny profile). Each export is
    still an asset of its own with its own check, and can be materialised alone."""
    selected = context.selected_asset_keys
    paths = warehouse.paths()
    loaded = 0
    with warehouse.connect() as con:
        for key, spec in _LOADERS.items():
            if key not in selected:
                continue
            started = time.monotonic()
            if spec is None:
                outcome = record_unknown_files(con, paths.landing)
            else:
                outcome = load_export(con, spec, paths.landing, warehouse.pseudonym_key())
                loaded += 1
                if loaded == 1:
                    fault_point("laddning")
            log_outcome(context, outcome)
            yield MaterializeResult(
                asset_key=key,
                metadata={
                    **outcome_metadata(outcome),
                    "sekunder": MetadataValue.float(round(time.monotonic() - started, 3)),
                },
                check_results=[check_result(outcome, key)],
            )


loader_assets = [raw_loaders]
