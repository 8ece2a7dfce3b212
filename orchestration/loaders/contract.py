"""The raw-export contract (shared/spec/raw-exports.md) as data: one ExportSpec per export.

The loader, the asset factory and the tests all read these specs; adding an optional column or
a new export is a change here and nowhere else.

`validity` names the row's period for the code-validity rule (reference-data.md: codes carry
`giltig_from`/`giltig_tom`): a code is accepted when its validity overlaps that period.
- a MONTH column: the whole month; a YEAR column: the whole year; a DATE column: that day;
- (start, end) DATE columns: from start to end, an open episode (empty end) lasting until the
  extraction date of the snapshot (the file's key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class KeyKind(StrEnum):
    MONTH = "month"  # YYYY-MM: a slice replaced by its newest delivery
    YEAR = "year"  # YYYY: same semantics as MONTH
    SNAPSHOT = "snapshot"  # YYYY-MM-DD extraction date: the latest snapshot is the truth


class Kind(StrEnum):
    ID = "id"  # non-empty text
    TEXT = "text"
    CODE = "code"  # must be in a reference-data seed
    DATE = "date"  # YYYY-MM-DD
    MONTH = "month"  # YYYY-MM
    YEAR = "year"  # YYYY
    INT = "int"
    DECIMAL = "decimal"  # decimal comma, no thousands separator
    PERSONNUMMER = "personnummer"  # replaced by a pseudonym + birth month at load
    EMPLOYEE_NUMBER = "employee_number"  # HR number, pseudonymised too


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True
    reference: str | None = None  # seed file name (without .csv) for CODE columns
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class ExportSpec:
    name: str
    key_kind: KeyKind
    columns: tuple[Column, ...]
    description: str
    unique: tuple[str, ...] = ()  # columns that identify a row within one delivery
    key_column: str | None = None  # a column that must equal the file's key
    extra_checks: tuple[str, ...] = field(default_factory=tuple)  # names of invariants
    validity: tuple[str, ...] = ()  # the row's period for code validity: (column[, end column])
    # (column, group columns): within one file, the rows of a group must all have the column or
    # all lack it — a file mixing the two for a group is refused whole (budget: `manad`)
    all_or_none: tuple[str, tuple[str, ...]] | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def key_format(self) -> str:
        return {KeyKind.MONTH: "ÅÅÅÅ-MM", KeyKind.YEAR: "ÅÅÅÅ", KeyKind.SNAPSHOT: "ÅÅÅÅ-MM-DD"}[
            self.key_kind
        ]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def claims(self, file_name: str) -> bool:
        """Whether a landing file belongs to this export: its name starts with the export name
        followed by anything but a letter (`utbetalningar_2024-01.csv`, `UTBETALNINGAR.csv`,
        `utbetalningar_2024-13.csv`). A claimed file with a bad name is rejected by this export,
        so it is reported where a controller looks for it."""
        return re.match(rf"^{self.name}(?![a-zåäö])", file_name, re.IGNORECASE) is not None

    def file_pattern(self) -> re.Pattern[str]:
        key = {
            KeyKind.MONTH: r"(?P<key>\d{4}-\d{2})",
            KeyKind.YEAR: r"(?P<key>\d{4})",
            KeyKind.SNAPSHOT: r"(?P<key>\d{4}-\d{2}-\d{2})",
        }[self.key_kind]
        return re.compile(rf"^{self.name}_{key}\.csv$", re.IGNORECASE)


C = Column
K = Kind

EXPORTS: dict[str, ExportSpec] = {
    spec.name: spec
    for spec in (
        ExportSpec(
            name="utbetalningar",
            key_kind=KeyKind.MONTH,
            description="One payment of ekonomiskt bistånd (case system).",
            columns=(
                C("utbetalning_id", K.ID),
                C("arende_id", K.ID),
                C("hushall_id", K.ID),
                C("stadsdel_kod", K.CODE, reference="ref_districts"),
                C("bidragsmanad", K.MONTH),
                C("utbetalningsdatum", K.DATE),
                C("belopp", K.DECIMAL),
                C("bistandstyp", K.CODE, reference="ref_bistandstyp"),
                C("forsorjningshinder_kod", K.CODE, reference="ref_forsorjningshinder"),
                C("lo_andamal", K.CODE, required=False, reference="ref_lo_andamal"),
            ),
            unique=("utbetalning_id",),
            key_column="bidragsmanad",
            validity=("bidragsmanad",),
        ),
        ExportSpec(
            name="hushallsmedlemmar",
            key_kind=KeyKind.MONTH,
            description="One person in one household in one bidragsmånad (case system).",
            columns=(
                C("hushall_id", K.ID),
                C("bidragsmanad", K.MONTH),
                C("personnummer", K.PERSONNUMMER),
                C("kon", K.CODE, reference="ref_kon"),
                C("roll", K.CODE, reference="ref_roll"),
            ),
            unique=("hushall_id", "personnummer"),
            key_column="bidragsmanad",
            validity=("bidragsmanad",),
        ),
        ExportSpec(
            name="arenden",
            key_kind=KeyKind.SNAPSHOT,
            description="One case (ärende), snapshot of the case system.",
            columns=(
                C("arende_id", K.ID),
                C("hushall_id", K.ID),
                C("stadsdel_kod", K.CODE, reference="ref_districts"),
                C("aktualiserad_datum", K.DATE),
                C("avslutad_datum", K.DATE, required=False),
                C("avslutsorsak_kod", K.CODE, required=False, reference="ref_avslutsorsak"),
            ),
            unique=("arende_id",),
            extra_checks=("closing_fields_together", "closed_after_opened"),
            validity=("aktualiserad_datum", "avslutad_datum"),
        ),
        ExportSpec(
            name="forandringsplaner",
            key_kind=KeyKind.SNAPSHOT,
            description="One change plan (förändringsplan), snapshot of the case system.",
            columns=(
                C("plan_id", K.ID),
                C("arende_id", K.ID),
                C("upprattad_datum", K.DATE),
                C("senast_reviderad_datum", K.DATE, required=False),
            ),
            unique=("plan_id",),
            extra_checks=("revised_after_drawn_up",),
        ),
        ExportSpec(
            name="insatser",
            key_kind=KeyKind.SNAPSHOT,
            description="One measure episode for one person, snapshot of the case system.",
            columns=(
                C("insats_id", K.ID),
                C("personnummer", K.PERSONNUMMER),
                C("kon", K.CODE, reference="ref_kon"),
                C("stadsdel_kod", K.CODE, reference="ref_districts"),
                C("insatstyp", K.CODE, reference="ref_insatstyp"),
                C("startdatum", K.DATE),
                C("slutdatum", K.DATE, required=False),
                C("utfall_kod", K.CODE, required=False, reference="ref_insats_utfall"),
            ),
            unique=("insats_id",),
            extra_checks=("outcome_with_end", "ended_after_start"),
            validity=("startdatum", "slutdatum"),
        ),
        ExportSpec(
            name="befolkning",
            key_kind=KeyKind.YEAR,
            description="Population by district, gender and age on 31 December.",
            columns=(
                C("ar", K.YEAR),
                C("stadsdel_kod", K.CODE, reference="ref_districts"),
                C("kon", K.CODE, reference="ref_kon"),
                C("alder", K.INT, minimum=0, maximum=110),
                C("antal", K.INT, minimum=0),
            ),
            unique=("stadsdel_kod", "kon", "alder"),
            key_column="ar",
            validity=("ar",),
        ),
        ExportSpec(
            name="personal",
            key_kind=KeyKind.SNAPSHOT,
            description="One employment (HR system).",
            columns=(
                C("anstallning_id", K.EMPLOYEE_NUMBER),
                C("enhet_kod", K.CODE, reference="ref_units"),
                C("kon", K.CODE, reference="ref_kon"),
                C("befattning", K.TEXT),
                C("sysselsattningsgrad", K.DECIMAL, minimum=0, maximum=100),
                C("anstallningsdatum", K.DATE),
                C("slutdatum", K.DATE, required=False),
            ),
            unique=("anstallning_id", "anstallningsdatum"),
            extra_checks=("ended_after_employed",),
            validity=("anstallningsdatum", "slutdatum"),
        ),
        ExportSpec(
            name="franvaro",
            key_kind=KeyKind.MONTH,
            description="One employee's scheduled and sick hours in one month (HR system).",
            columns=(
                C("anstallning_id", K.EMPLOYEE_NUMBER),
                C("enhet_kod", K.CODE, reference="ref_units"),
                C("kon", K.CODE, reference="ref_kon"),
                C("manad", K.MONTH),
                C("schemalagd_tid_timmar", K.DECIMAL, minimum=0),
                C("sjukfranvaro_timmar", K.DECIMAL, minimum=0),
                C("sjukfranvaro_dag1_14_timmar", K.DECIMAL, minimum=0),
            ),
            unique=("anstallning_id", "enhet_kod"),
            key_column="manad",
            extra_checks=("hours_ordered",),
            validity=("manad",),
        ),
        ExportSpec(
            name="medarbetarenkat",
            key_kind=KeyKind.YEAR,
            description="One answer to one question by one respondent (employee survey).",
            columns=(
                C("respondent_id", K.ID),
                C("enkat_ar", K.YEAR),
                C("enhet_kod", K.CODE, reference="ref_units"),
                C("kon", K.CODE, required=False, reference="ref_kon"),
                C("fraga_kod", K.CODE, reference="ref_enkatfraga"),
                C("svar", K.INT, minimum=1, maximum=5),
            ),
            unique=("respondent_id", "fraga_kod"),
            key_column="enkat_ar",
            validity=("enkat_ar",),
        ),
        ExportSpec(
            name="brukarenkat",
            key_kind=KeyKind.YEAR,
            description="One client-survey response.",
            columns=(
                C("svar_id", K.ID),
                C("datum", K.DATE),
                C("stadsdel_kod", K.CODE, reference="ref_districts"),
                C("verksamhet", K.CODE, reference="ref_verksamhet"),
                C("kon", K.CODE, required=False, reference="ref_kon"),
                C("situation", K.CODE, reference="ref_brukarenkat_situation"),
            ),
            unique=("svar_id",),
            extra_checks=("date_in_year",),
            validity=("datum",),
        ),
        ExportSpec(
            name="vrakningsforebyggande",
            key_kind=KeyKind.SNAPSHOT,
            description="One notice from a landlord to the social services (eviction prevention).",
            columns=(
                C("underrattelse_id", K.ID),
                C("personnummer", K.PERSONNUMMER),
                C("kon", K.CODE, reference="ref_kon"),
                C("stadsdel_kod", K.CODE, reference="ref_districts"),
                C("typ", K.CODE, reference="ref_underrattelsetyp"),
                C("inkom_datum", K.DATE),
                C("orsak", K.CODE, reference="ref_vrakning_orsak"),
                C("barn_i_hushallet", K.INT, minimum=0),
                C("stod_mottaget", K.CODE, reference="ref_ja_nej"),
                C("avslutad_datum", K.DATE, required=False),
                C("utfall_kod", K.CODE, required=False, reference="ref_vrakning_utfall"),
            ),
            unique=("underrattelse_id",),
            extra_checks=("notice_closing_fields_together", "notice_closed_after_received"),
            validity=("inkom_datum", "avslutad_datum"),
        ),
        ExportSpec(
            name="akutboende",
            key_kind=KeyKind.SNAPSHOT,
            description="One decision on emergency housing.",
            columns=(
                C("beslut_id", K.ID),
                C("personnummer", K.PERSONNUMMER),
                C("kon", K.CODE, reference="ref_kon"),
                C("stadsdel_kod", K.CODE, reference="ref_districts"),
                C("boendetyp", K.CODE, reference="ref_boendetyp"),
                C("barn_i_hushallet", K.INT, minimum=0),
                C("startdatum", K.DATE),
                C("slutdatum", K.DATE, required=False),
                C("kostnad", K.DECIMAL, required=False, minimum=0),
            ),
            unique=("beslut_id",),
            extra_checks=("ended_after_start",),
            validity=("startdatum", "slutdatum"),
        ),
        ExportSpec(
            name="fut_anmalningar",
            key_kind=KeyKind.SNAPSHOT,
            description="One report of a suspected incorrect payment (felaktig utbetalning).",
            columns=(
                C("anmalan_id", K.ID),
                C("arende_id", K.ID),
                C("stadsdel_kod", K.CODE, reference="ref_districts"),
                C("inkom_datum", K.DATE),
                C("forhandsbedomning_datum", K.DATE, required=False),
                C("beslut", K.CODE, required=False, reference="ref_fut_beslut"),
                C("aterkrav_datum", K.DATE, required=False),
                C("aterkrav_belopp", K.DECIMAL, required=False),
                C("polisanmald", K.CODE, required=False, reference="ref_ja_nej"),
            ),
            unique=("anmalan_id",),
            extra_checks=("assessed_after_received", "repayment_after_received"),
            validity=("inkom_datum",),
        ),
        ExportSpec(
            name="synpunkter",
            key_kind=KeyKind.SNAPSHOT,
            description="One complaint, suggestion, praise or deviation report (no personal data).",
            columns=(
                C("synpunkt_id", K.ID),
                C("inkom_datum", K.DATE),
                C("stadsdel_kod", K.CODE, reference="ref_districts"),
                C("verksamhet", K.CODE, reference="ref_verksamhet"),
                C("avsandare", K.CODE, reference="ref_synpunkt_avsandare"),
                C("typ", K.CODE, reference="ref_synpunkt_typ"),
                C("kategori", K.CODE, reference="ref_synpunkt_kategori"),
                C("lex_sarah", K.CODE, reference="ref_ja_nej"),
                C("aterkoppling_datum", K.DATE, required=False),
                C("atgard_vidtagen", K.CODE, reference="ref_ja_nej"),
            ),
            unique=("synpunkt_id",),
            extra_checks=("feedback_after_received",),
            validity=("inkom_datum",),
        ),
        ExportSpec(
            name="budget",
            key_kind=KeyKind.YEAR,
            description="The year's budget for ekonomiskt bistånd per district and type "
            "(catalogue-v2): a yearly amount, or monthly shares when rows name a month.",
            columns=(
                C("ar", K.YEAR),
                C("stadsdel_kod", K.CODE, reference="ref_districts"),
                C("bistandstyp", K.CODE, reference="ref_bistandstyp"),
                C("manad", K.MONTH, required=False),
                C("belopp", K.DECIMAL),
            ),
            unique=("stadsdel_kod", "bistandstyp", "manad"),
            key_column="ar",
            extra_checks=("month_in_year",),
            validity=("ar",),
            all_or_none=("manad", ("stadsdel_kod", "bistandstyp")),
        ),
    )
}

# The `export` recorded in raw.load_log for a landing file that no export claims.
UNKNOWN_EXPORT = "(okänd)"


def export_for(file_name: str) -> ExportSpec | None:
    """The export that claims a landing file, or None (an unknown file)."""
    return next((spec for spec in EXPORTS.values() if spec.claims(file_name)), None)
