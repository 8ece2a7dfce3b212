"""SQL that turns the staged text of one delivery into typed columns and per-row reasons.

Every reason is Swedish (it is shown to controllers on the data-quality page) and names the
column; values are quoted only for codes, dates and numbers, never for person identifiers.
"""

from __future__ import annotations

from orchestration.loaders.contract import Column, ExportSpec, Kind

PNR_MASK_PATTERN = r"\d{6,8}[-+]?\d{4}"

DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
MONTH_RE = r"^\d{4}-\d{2}$"
YEAR_RE = r"^\d{4}$"
INT_RE = r"^-?\d+$"
DECIMAL_RE = r"^-?\d+(,\d{1,4})?$"
DOT_DECIMAL_RE = r"^-?\d+\.\d+$"


def typed_expr(column: Column, v: str) -> str:
    """A `try_` cast of the trimmed text `v` to the column's raw type (text kinds pass through)."""
    return {
        Kind.DATE: f"case when regexp_full_match({v}, '{DATE_RE}') "
        f"then try_strptime({v}, '%Y-%m-%d')::date end",
        Kind.MONTH: f"case when regexp_full_match({v}, '{MONTH_RE}') "
        f"then try_strptime({v} || '-01', '%Y-%m-%d')::date end",
        Kind.YEAR: f"case when regexp_full_match({v}, '{YEAR_RE}') "
        f"then try_cast({v} as integer) end",
        Kind.INT: f"case when regexp_full_match({v}, '{INT_RE}') then try_cast({v} as integer) end",
        Kind.DECIMAL: f"case when regexp_full_match({v}, '{DECIMAL_RE}') "
        f"then try_cast(replace({v}, ',', '.') as decimal(18, 4)) end",
    }.get(column.kind, v)


def reason_exprs(spec: ExportSpec) -> list[str]:
    """One nullable reason expression per check, evaluated over the `typed` relation."""
    reasons: list[str] = []
    for column in spec.columns:
        v = column.name
        t = f"t_{v}"
        if column.required and column.kind is not Kind.PERSONNUMMER:
            reasons.append(f"case when {v} is null then 'saknar värde i {v}' end")
        if column.kind is Kind.PERSONNUMMER:
            reasons.append(f"pnr_reason_{v}")
        elif column.kind is Kind.CODE:
            reasons.append(
                f"case when {v} is not null "
                f"and {v} not in (select kod from _codes_{column.reference}) "
                f"then 'okänd kod ''' || {v} || ''' i {v}' end"
            )
        elif column.kind is Kind.DECIMAL:
            reasons.append(
                f"case when {v} is not null and regexp_full_match({v}, '{DOT_DECIMAL_RE}') "
                f"then 'decimalpunkt i {v} (ska vara decimalkomma): ''' || {v} || '''' "
                f"when {v} is not null and {t} is null "
                f"then 'ogiltigt tal i {v}: ''' || {v} || '''' end"
            )
        elif column.kind in (Kind.DATE, Kind.MONTH, Kind.YEAR, Kind.INT):
            word = {
                Kind.DATE: "datum",
                Kind.MONTH: "månad",
                Kind.YEAR: "år",
                Kind.INT: "heltal",
            }[column.kind]
            reasons.append(
                f"case when {v} is not null and {t} is null "
                f"then 'ogiltigt {word} i {v}: ''' || {v} || '''' end"
            )
        if column.minimum is not None:
            reasons.append(
                f"case when {t} < {column.minimum} "
                f"then '{v} under tillåtet minimum {column.minimum:g}' end"
            )
        if column.maximum is not None:
            reasons.append(
                f"case when {t} > {column.maximum} "
                f"then '{v} över tillåtet maximum {column.maximum:g}' end"
            )
    reasons.extend(INVARIANTS[name] for name in spec.extra_checks)
    return reasons


INVARIANTS: dict[str, str] = {
    "closing_fields_together": "case when (avslutad_datum is null) <> (avslutsorsak_kod is null) "
    "then 'avslutad_datum och avslutsorsak_kod ska anges tillsammans' end",
    "closed_after_opened": "case when t_avslutad_datum < t_aktualiserad_datum "
    "then 'avslutad_datum före aktualiserad_datum' end",
    "revised_after_drawn_up": "case when t_senast_reviderad_datum < t_upprattad_datum "
    "then 'senast_reviderad_datum före upprattad_datum' end",
    "outcome_with_end": "case when (slutdatum is null) <> (utfall_kod is null) "
    "then 'slutdatum och utfall_kod ska anges tillsammans' end",
    "ended_after_start": "case when t_slutdatum < t_startdatum "
    "then 'slutdatum före startdatum' end",
    "ended_after_employed": "case when t_slutdatum < t_anstallningsdatum "
    "then 'slutdatum före anstallningsdatum' end",
    "hours_ordered": "case when t_sjukfranvaro_dag1_14_timmar > t_sjukfranvaro_timmar "
    "then 'sjukfranvaro_dag1_14_timmar större än sjukfranvaro_timmar' "
    "when t_sjukfranvaro_timmar > t_schemalagd_tid_timmar "
    "then 'sjukfranvaro_timmar större än schemalagd_tid_timmar' end",
    "date_in_year": "case when year(t_datum) <> {key_year} "
    "then 'datum ligger inte i filens år' end",
}


def masked_line_expr(spec: ExportSpec) -> str:
    """The record rebuilt as one line, with person identifiers masked digit by digit."""
    parts = []
    for column in spec.columns:
        v = f"coalesce(_text_{column.name}, '')"
        if column.kind is Kind.PERSONNUMMER:
            parts.append(f"regexp_replace({v}, '\\d', 'X', 'g')")
        else:
            parts.append(f"regexp_replace({v}, '{PNR_MASK_PATTERN}', 'XXXXXXXX-XXXX', 'g')")
    return "concat_ws(';', " + ", ".join(parts) + ")"
