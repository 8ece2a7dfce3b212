"""Column order of the raw exports, exactly as in shared/spec/raw-exports.md and
catalogue-v2.md."""

from __future__ import annotations

HEADERS: dict[str, tuple[str, ...]] = {
    "utbetalningar": (
        "utbetalning_id",
        "arende_id",
        "hushall_id",
        "stadsdel_kod",
        "bidragsmanad",
        "utbetalningsdatum",
        "belopp",
        "bistandstyp",
        "forsorjningshinder_kod",
        "lo_andamal",
    ),
    "hushallsmedlemmar": ("hushall_id", "bidragsmanad", "personnummer", "kon", "roll"),
    "arenden": (
        "arende_id",
        "hushall_id",
        "stadsdel_kod",
        "aktualiserad_datum",
        "avslutad_datum",
        "avslutsorsak_kod",
    ),
    "forandringsplaner": ("plan_id", "arende_id", "upprattad_datum", "senast_reviderad_datum"),
    "insatser": (
        "insats_id",
        "personnummer",
        "kon",
        "stadsdel_kod",
        "insatstyp",
        "startdatum",
        "slutdatum",
        "utfall_kod",
    ),
    "befolkning": ("ar", "stadsdel_kod", "kon", "alder", "antal"),
    "personal": (
        "anstallning_id",
        "enhet_kod",
        "kon",
        "befattning",
        "sysselsattningsgrad",
        "anstallningsdatum",
        "slutdatum",
    ),
    "franvaro": (
        "anstallning_id",
        "enhet_kod",
        "kon",
        "manad",
        "schemalagd_tid_timmar",
        "sjukfranvaro_timmar",
        "sjukfranvaro_dag1_14_timmar",
    ),
    "medarbetarenkat": ("respondent_id", "enkat_ar", "enhet_kod", "kon", "fraga_kod", "svar"),
    "brukarenkat": ("svar_id", "datum", "stadsdel_kod", "verksamhet", "kon", "situation"),
    "vrakningsforebyggande": (
        "underrattelse_id",
        "personnummer",
        "kon",
        "stadsdel_kod",
        "typ",
        "inkom_datum",
        "orsak",
        "barn_i_hushallet",
        "stod_mottaget",
        "avslutad_datum",
        "utfall_kod",
    ),
    "akutboende": (
        "beslut_id",
        "personnummer",
        "kon",
        "stadsdel_kod",
        "boendetyp",
        "barn_i_hushallet",
        "startdatum",
        "slutdatum",
        "kostnad",
    ),
    "fut_anmalningar": (
        "anmalan_id",
        "arende_id",
        "stadsdel_kod",
        "inkom_datum",
        "forhandsbedomning_datum",
        "beslut",
        "aterkrav_datum",
        "aterkrav_belopp",
        "polisanmald",
    ),
    "synpunkter": (
        "synpunkt_id",
        "inkom_datum",
        "stadsdel_kod",
        "verksamhet",
        "avsandare",
        "typ",
        "kategori",
        "lex_sarah",
        "aterkoppling_datum",
        "atgard_vidtagen",
    ),
    "budget": ("ar", "stadsdel_kod", "bistandstyp", "manad", "belopp"),
}


def file_name(export: str, key: object) -> str:
    """``<export>_<key>.csv`` for a month, year or extraction date key."""
    if export not in HEADERS:
        raise KeyError(export)
    return f"{export}_{key}.csv"
