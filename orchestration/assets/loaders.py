"""One Dagster asset per raw export: load new deliveries from the landing directory.

Each asset reports what it loaded as metadata and carries an asset check that fails (severity
WARN, so the rest of the refresh still runs) when this run rejected a file or a row.
"""

from collections import Counter

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.loaders.contract import EXPORTS, ExportSpec
from orchestration.loaders.engine import ExportOutcome, load_export
from orchestration.resources import WarehouseResource

REJECTS_CHECK = "inga_avvisade_leveranser"


def loader_asset_key(export: str) -> AssetKey:
    return AssetKey(["raw", export])


def outcome_metadata(outcome: ExportOutcome) -> dict[str, MetadataValue]:
    reasons: Counter[str] = Counter()
    for file in outcome.files:
        reasons.update(file.reasons)
        if file.status == "rejected" and file.message:
            reasons[file.message] += 1
    return {
        "nya_filer": MetadataValue.int(len(outcome.files)),
        "rader_laddade": MetadataValue.int(outcome.rows_loaded),
        "rader_avvisade": MetadataValue.int(outcome.rows_rejected),
        "filer_avvisade": MetadataValue.int(outcome.files_rejected),
        "filer": MetadataValue.md(
            "\n".join(
                f"- {f.file_name}: {f.status}, {f.rows_loaded} laddade, {f.rows_rejected} avvisade"
                for f in outcome.files
            )
            or "inga nya filer"
        ),
        "avvisningsorsaker": MetadataValue.json(dict(reasons)),
    }


def build_loader_asset(spec: ExportSpec) -> AssetsDefinition:
    key = loader_asset_key(spec.name)

    @asset(
        key=key,
        group_name="raw",
        description=f"{spec.description} Loads new `{spec.name}_*.csv` deliveries into raw.",
        check_specs=[
            AssetCheckSpec(
                REJECTS_CHECK,
                asset=key,
                description="No file or row of this export was rejected in this run.",
            )
        ],
        kinds={"duckdb", "csv"},
    )
    def _load(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        paths = warehouse.paths()
        with warehouse.connect() as con:
            outcome = load_export(con, spec, paths.landing, warehouse.pseudonym_key())
        for file in outcome.files:
            if file.status == "rejected":
                context.log.warning(f"Avvisad fil: {file.message}")
            elif file.rows_rejected:
                context.log.warning(
                    f"{file.file_name}: {file.rows_rejected} av {file.rows_read} rader avvisade"
                )
            for warning in file.warnings:
                context.log.warning(f"{file.file_name}: {warning}")
        metadata = outcome_metadata(outcome)
        passed = outcome.files_rejected == 0 and outcome.rows_rejected == 0
        return MaterializeResult(
            metadata=metadata,
            check_results=[
                AssetCheckResult(
                    check_name=REJECTS_CHECK,
                    passed=passed,
                    severity=AssetCheckSeverity.WARN,
                    metadata={
                        "filer_avvisade": metadata["filer_avvisade"],
                        "rader_avvisade": metadata["rader_avvisade"],
                        "avvisningsorsaker": metadata["avvisningsorsaker"],
                    },
                )
            ],
        )

    return _load


loader_assets = [build_loader_asset(spec) for spec in EXPORTS.values()]
