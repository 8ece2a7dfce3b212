"""SQL that turns the staged text of one delivery into typed columns and per-row reasons.

Every reason is Swedish (it is shown to controllers on the data-quality page) and names the
column; values are quoted for codes, dates and numbers, never for person identifiers, and every
reason is masked (anything shaped like a personnummer → XXXXXXXX-XXXX) before it is stored.

Rules decided here (see also the engine's docstring):
- Values are trimmed; an empty field is missing.
- Decimal comma, optional minus, no thousands separator, no `+`. More than 4 decimals are
  rounded half away from zero to 4 (the raw type is decimal(18, 4)) and reported as a warning
  on the file, not as a reject: the contract does not limit decimals.
- A code must be in its reference list (unknown code) and its validity (`giltig_from` to
  `giltig_tom`) must overlap the row's period (ExportSpec.validity); rows whose period cannot be
  computed (missing or invalid dates) are only checked for membership.
- Duplicates of a row's identity (ExportSpec.unique; a personnummer compared in its 12-digit
  form): identical rows (same content in every contract column) keep the first and reject the
  later copies; rows with the same identity but different content are all rejected, because the
  loader cannot know which one is right.
- A value in any column other than the personnummer/employee number that holds a valid
  personnummer (10 or 12 digits) is rejected and not stored — not even in an id column.
"""

from __future__ import annotations

from orchestration.loaders.contract import Column, ExportSpec, KeyKind, Kind
from orchestration.loaders.identifiers import MASK_PATTERN, MASK_TEXT

DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
MONTH_RE = r"^\d{4}-\d{2}$"
YEAR_RE = r"^\d{4}$"
INT_RE = r"^-?\d+$"
DECIMAL_RE = r"^-?\d+(,\d+)?$"
DOT_DECIMAL_RE = r"^-?\d+\.\d+$"
LONG_DECIMAL_RE = r",\d{5,}$"
DECIMAL_PLACES = 4


def sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quoted(value_sql: str) -> str:
    """SQL that renders a value as 'value' inside a reason."""
    return f"'''' || {value_sql} || ''''"


def typed_expr(column: Column, v: str) -> str:
    """A `try_` cast of the trimmed text `v` to the column's raw type (text kinds pass through)."""
    return {
        # for text of the pattern, a cast is `strptime(…, '%Y-%m-%d')` (test_checks_sql.py)
        Kind.DATE: f"case when regexp_full_match({v}, '{DATE_RE}') then try_cast({v} as date) end",
        Kind.MONTH: f"case when regexp_full_match({v}, '{MONTH_RE}') "
        f"then try_cast({v} || '-01' as date) end",
        Kind.YEAR: f"case when regexp_full_match({v}, '{YEAR_RE}') "
        f"then try_cast({v} as integer) end",
        Kind.INT: f"case when regexp_full_match({v}, '{INT_RE}') then try_cast({v} as integer) end",
        Kind.DECIMAL: f"case when regexp_full_match({v}, '{DECIMAL_RE}') "
        f"then try_cast(replace({v}, ',', '.') as decimal(18, {DECIMAL_PLACES})) end",
    }.get(column.kind, v)


KIND_WORD = {
    Kind.DATE: "ogiltigt datum",
    Kind.MONTH: "ogiltig månad",
    Kind.YEAR: "ogiltigt år",
    Kind.INT: "ogiltigt heltal",
}


# The file's key as SQL over a staged row (`_file_key`: a batch holds files of many keys).
KEY_DATE = "cast(_file_key as date)"
KEY_YEAR = "cast(left(_file_key, 4) as integer)"


def period_exprs(spec: ExportSpec) -> tuple[str, str] | None:
    """SQL for the first and last day of a row's period (for code validity), over `typed`."""
    if not spec.validity:
        return None
    start = spec.column(spec.validity[0])
    t = f"t_{start.name}"
    if start.kind is Kind.MONTH:
        return t, f"last_day({t})"
    if start.kind is Kind.YEAR:
        return f"make_date({t}, 1, 1)", f"make_date({t}, 12, 31)"
    if len(spec.validity) == 1:
        return t, t
    end = f"t_{spec.validity[1]}"
    open_until = KEY_DATE if spec.key_kind is KeyKind.SNAPSHOT else "date '9999-12-31'"
    return t, f"greatest({t}, coalesce({end}, {open_until}))"


def period_columns(spec: ExportSpec) -> str:
    """The row's period as columns `_p_start`, `_p_end` (computed once, read by every code
    column's validity check), or '' when the export has no validity rule."""
    period = period_exprs(spec)
    return f"{period[0]} as _p_start, {period[1]} as _p_end" if period else ""


def reason_exprs(spec: ExportSpec, *, pii_flags: bool) -> list[str]:
    """One nullable reason expression per check, evaluated over the `typed` relation (with
    `pii_flags`, it carries the staged `_pii_<column>` flags, staging.py; with a validity rule,
    the `period_columns`)."""
    reasons: list[str] = []
    period = ("_p_start", "_p_end") if spec.validity else None
    for column in spec.columns:
        v = column.name
        t = f"t_{v}"
        if column.kind is Kind.PERSONNUMMER:
            reasons.append(f"_pnr_reason_{v}")
            continue
        if column.required:
            reasons.append(f"case when {v} is null then 'saknar värde i {v}' end")
        if pii_flags and column.kind is not Kind.EMPLOYEE_NUMBER:
            reasons.append(
                f"case when _pii_{v} then 'värdet i {v} ser ut som ett "
                f"personnummer och lagras inte' end"
            )
        if column.kind is Kind.CODE:
            ref = f"_ref_{v}"
            unknown = (
                f"when {v} is not null and {ref}_kod is null "
                f"then 'okänd kod ' || {quoted(v)} || ' i {v}' "
            )
            invalid = ""
            if period is not None:
                start, end = period
                invalid = (
                    f"when {v} is not null and {start} is not null and {end} is not null "
                    f"and ({ref}_from > {end} or {ref}_to < {start}) "
                    f"then 'kod ' || {quoted(v)} || ' i {v} gäller inte under radens period ' "
                    f"|| strftime({start}, '%Y-%m-%d') || '–' || strftime({end}, '%Y-%m-%d') "
                    f"|| ' (giltig ' || strftime({ref}_from, '%Y-%m-%d') || '–' "
                    f"|| coalesce(strftime({ref}_to, '%Y-%m-%d'), '') || ')' "
                )
            reasons.append(f"case {unknown}{invalid}end")
        elif column.kind is Kind.DECIMAL:
            # a value with a decimal point never parses (DECIMAL_RE has none): only then look
            reasons.append(
                f"case when {v} is not null and {t} is null then (case "
                f"when regexp_full_match({v}, '{DOT_DECIMAL_RE}') "
                f"then 'decimalpunkt i {v} (ska vara decimalkomma): ' || {quoted(v)} "
                f"else 'ogiltigt tal i {v}: ' || {quoted(v)} end) end"
            )
        elif column.kind in KIND_WORD:
            reasons.append(
                f"case when {v} is not null and {t} is null "
                f"then '{KIND_WORD[column.kind]} i {v}: ' || {quoted(v)} end"
            )
        if column.minimum is not None:
            reasons.append(
                f"case when {t} < {column.minimum} "
                f"then '{v} under tillåtet minimum {column.minimum:g}: ' || {quoted(v)} end"
            )
        if column.maximum is not None:
            reasons.append(
                f"case when {t} > {column.maximum} "
                f"then '{v} över tillåtet maximum {column.maximum:g}: ' || {quoted(v)} end"
            )
    reasons.extend(INVARIANTS[name].format(key_year=KEY_YEAR) for name in spec.extra_checks)
    return reasons


def code_joins(spec: ExportSpec) -> tuple[str, str]:
    """(left joins of every code column to its reference list, the columns they add:
    `_ref_<column>_kod`, `_ref_<column>_from`, `_ref_<column>_to`)."""
    joins, columns = [], []
    for c in spec.columns:
        if c.kind is not Kind.CODE:
            continue
        alias = f"_j_{c.name}"
        joins.append(f"left join _codes_{c.reference} as {alias} on {alias}.kod = c.{c.name}")
        columns.append(
            f"{alias}.kod as _ref_{c.name}_kod, {alias}.giltig_from as _ref_{c.name}_from, "
            f"{alias}.giltig_tom as _ref_{c.name}_to"
        )
    return " ".join(joins), ", ".join(columns)


def duplicate_exprs(spec: ExportSpec, relation: str = "typed") -> tuple[str, str, str]:
    """For ExportSpec.unique: (CTEs ending in `dups` over `relation` with one row per identity
    repeated within one file, the join that brings its columns to each row, the reason over
    those columns). Rows of different files (`_file`) never duplicate each other. A 64-bit hash
    of the identity finds the candidates cheaply; `dups` groups them by the identity itself."""
    if not spec.unique:
        return "", "", "null"
    key = ", ".join(spec.unique)
    complete = " and ".join(f"{c} is not null" for c in spec.unique)
    content = "hash(" + ", ".join(spec.column_names) + ")"
    cte = (
        f", dup_hashes as (select hash(_file, {key}) as _dup_hash from {relation} "
        f"where {complete} "
        f"group by _dup_hash having count(*) > 1)"
        f", dups as (select _file, {key}, count(*) as _dup_count, "
        f"min(_line_number) as _dup_first, min({content}) <> max({content}) as _dup_conflict "
        f"from {relation} where {complete} "
        f"and hash(_file, {key}) in (select _dup_hash from dup_hashes) "
        f"group by _file, {key} having count(*) > 1)"
    )
    join = f"left join dups using (_file, {key})"
    reason = (
        f"case when _dup_count is null then null "
        f"when _dup_conflict then 'dubblett med olika innehåll: samma {key} på ' "
        f"|| _dup_count || ' rader (första på rad ' || _dup_first || ')' "
        f"when _line_number > _dup_first then 'dubblett av rad ' || _dup_first "
        f"|| ' (identisk rad)' end"
    )
    return cte, join, reason


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
    "notice_closing_fields_together": "case when (avslutad_datum is null) <> (utfall_kod is null) "
    "then 'avslutad_datum och utfall_kod ska anges tillsammans' end",
    "notice_closed_after_received": "case when t_avslutad_datum < t_inkom_datum "
    "then 'avslutad_datum före inkom_datum' end",
    "assessed_after_received": "case when t_forhandsbedomning_datum < t_inkom_datum "
    "then 'forhandsbedomning_datum före inkom_datum' end",
    "repayment_after_received": "case when t_aterkrav_datum < t_inkom_datum "
    "then 'aterkrav_datum före inkom_datum' end",
    "feedback_after_received": "case when t_aterkoppling_datum < t_inkom_datum "
    "then 'aterkoppling_datum före inkom_datum' end",
    "month_in_year": "case when year(t_manad) <> {key_year} "
    "then 'manad ' || strftime(t_manad, '%Y-%m') || ' ligger inte i filens år ' "
    "|| {key_year} end",
    "date_in_year": "case when year(t_datum) <> {key_year} "
    "then 'datum ' || strftime(t_datum, '%Y-%m-%d') || ' ligger inte i filens år ' "
    "|| {key_year} end",
}


def mask_sql(text_sql: str) -> str:
    """SQL masking everything shaped like a personnummer in `text_sql`."""
    return f"regexp_replace({text_sql}, '{MASK_PATTERN}', '{MASK_TEXT}', 'g')"
