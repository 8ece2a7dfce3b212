"""The landing directory, file level: names, encodings, headers and delivery semantics.

Contract (raw-exports.md): files `<export>_<key>.csv`, `;`-separated, UTF-8 (optional BOM) or
Windows-1252 when not valid UTF-8, header names case-insensitive in any order. A monthly or yearly
key's newest delivery (modification time, then name) replaces earlier ones; of a snapshot export
the latest extraction date is the truth. A file rejected whole (undecodable, required column
missing, a monthly file naming another month) leaves the previous delivery in force.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import pandas as pd

KeyKind = Literal["month", "year", "date"]


@dataclass(frozen=True)
class ExportSpec:
    key_kind: KeyKind
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    month_column: str | None = None  # monthly exports: every row must name the file's month


EXPORTS: dict[str, ExportSpec] = {
    "utbetalningar": ExportSpec(
        "month",
        (
            "utbetalning_id",
            "arende_id",
            "hushall_id",
            "stadsdel_kod",
            "bidragsmanad",
            "utbetalningsdatum",
            "belopp",
            "bistandstyp",
            "forsorjningshinder_kod",
        ),
        ("lo_andamal",),
        month_column="bidragsmanad",
    ),
    "hushallsmedlemmar": ExportSpec(
        "month",
        ("hushall_id", "bidragsmanad", "personnummer", "kon", "roll"),
        month_column="bidragsmanad",
    ),
    "arenden": ExportSpec(
        "date",
        (
            "arende_id",
            "hushall_id",
            "stadsdel_kod",
            "aktualiserad_datum",
            "avslutad_datum",
            "avslutsorsak_kod",
        ),
    ),
    "forandringsplaner": ExportSpec(
        "date", ("plan_id", "arende_id", "upprattad_datum"), ("senast_reviderad_datum",)
    ),
    "insatser": ExportSpec(
        "date",
        (
            "insats_id",
            "personnummer",
            "kon",
            "stadsdel_kod",
            "insatstyp",
            "startdatum",
            "slutdatum",
            "utfall_kod",
        ),
    ),
    "befolkning": ExportSpec("year", ("ar", "stadsdel_kod", "kon", "alder", "antal")),
    "budget": ExportSpec("year", ("ar", "stadsdel_kod", "bistandstyp", "belopp"), ("manad",)),
    "personal": ExportSpec(
        "date",
        (
            "anstallning_id",
            "enhet_kod",
            "kon",
            "befattning",
            "sysselsattningsgrad",
            "anstallningsdatum",
        ),
        ("slutdatum",),
    ),
    "franvaro": ExportSpec(
        "month",
        (
            "anstallning_id",
            "enhet_kod",
            "kon",
            "manad",
            "schemalagd_tid_timmar",
            "sjukfranvaro_timmar",
            "sjukfranvaro_dag1_14_timmar",
        ),
        month_column="manad",
    ),
    "medarbetarenkat": ExportSpec(
        "year", ("respondent_id", "enkat_ar", "enhet_kod", "fraga_kod", "svar"), ("kon",)
    ),
    "brukarenkat": ExportSpec(
        "year", ("svar_id", "datum", "stadsdel_kod", "verksamhet", "situation"), ("kon",)
    ),
    # shared/spec/catalogue-v2.md
    "vrakningsforebyggande": ExportSpec(
        "date",
        (
            "underrattelse_id",
            "personnummer",
            "kon",
            "stadsdel_kod",
            "typ",
            "inkom_datum",
            "orsak",
            "barn_i_hushallet",
            "stod_mottaget",
        ),
        ("avslutad_datum", "utfall_kod"),
    ),
    "akutboende": ExportSpec(
        "date",
        (
            "beslut_id",
            "personnummer",
            "kon",
            "stadsdel_kod",
            "boendetyp",
            "barn_i_hushallet",
            "startdatum",
        ),
        ("slutdatum", "kostnad"),
    ),
    "fut_anmalningar": ExportSpec(
        "date",
        ("anmalan_id", "arende_id", "stadsdel_kod", "inkom_datum"),
        ("forhandsbedomning_datum", "beslut", "aterkrav_datum", "aterkrav_belopp", "polisanmald"),
    ),
    "synpunkter": ExportSpec(
        "date",
        (
            "synpunkt_id",
            "inkom_datum",
            "stadsdel_kod",
            "verksamhet",
            "avsandare",
            "typ",
            "kategori",
            "lex_sarah",
            "atgard_vidtagen",
        ),
        ("aterkoppling_datum",),
    ),
}

SURROUNDING_BLANKS = re.compile(r"[ \t]+(;|\r?\n|$)|(^|;|\n)[ \t]+")
FILE_NAME = re.compile(r"^(?P<export>[a-z_]+)_(?P<key>[0-9-]+)\.csv$")


@dataclass(frozen=True)
class Delivery:
    export: str
    key: str
    path: Path
    rows: pd.DataFrame  # string columns named as in the contract; empty field = ""


def decode(raw: bytes) -> str | None:
    """UTF-8 (a BOM is dropped), else Windows-1252; None when neither decodes."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return None


def key_is_valid(key: str, kind: KeyKind) -> bool:
    try:
        if kind == "month":
            return re.fullmatch(r"\d{4}-\d{2}", key) is not None and 1 <= int(key[5:]) <= 12
        if kind == "year":
            return re.fullmatch(r"\d{4}", key) is not None
        return re.fullmatch(r"\d{4}-\d{2}-\d{2}", key) is not None and bool(date.fromisoformat(key))
    except ValueError:
        return False


def read_rows(path: Path, spec: ExportSpec) -> pd.DataFrame | None:
    """The file's rows as strings, or None when the file is rejected whole."""
    text = decode(path.read_bytes())
    if text is None:
        return None
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=";",
            quotechar='"',
            dtype="str",
            na_filter=False,
            on_bad_lines="skip",  # rows with too many fields are invalid
        )
    except (pd.errors.EmptyDataError, pd.errors.ParserError):
        return None
    frame.columns = [str(name).strip().lower() for name in frame.columns]
    if any(column not in frame.columns for column in spec.required):
        return None
    wanted = [*spec.required, *(c for c in spec.optional if c in frame.columns)]
    frame = frame.loc[:, ~frame.columns.duplicated()][wanted].fillna("")
    for column in spec.optional:
        if column not in frame:
            frame[column] = ""
    if SURROUNDING_BLANKS.search(text) is None:  # the usual case: nothing to trim
        return frame.astype("str")
    return frame.apply(lambda column: column.astype("str").str.strip())


def _candidates(landing: Path) -> dict[tuple[str, str], list[Path]]:
    """(export, key) → its files, newest delivery first (modification time, then name)."""
    found: dict[tuple[str, str], list[Path]] = {}
    for path in landing.iterdir():
        match = FILE_NAME.match(path.name.lower())
        if not path.is_file() or match is None or match["export"] not in EXPORTS:
            continue
        export, key = match["export"], match["key"]
        if key_is_valid(key, EXPORTS[export].key_kind):
            found.setdefault((export, key), []).append(path)
    for paths in found.values():
        paths.sort(key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
    return found


def select_deliveries(landing: Path) -> dict[str, list[Delivery]]:
    """Per export, the deliveries that are the truth: one per key, or the latest snapshot."""
    chosen: dict[str, list[Delivery]] = {export: [] for export in EXPORTS}
    for (export, key), paths in sorted(_candidates(landing).items()):
        spec = EXPORTS[export]
        for path in paths:
            rows = read_rows(path, spec)
            if rows is None:
                continue
            if spec.month_column and not (rows[spec.month_column] == key).all():
                continue  # a monthly file whose rows name another month is rejected whole
            chosen[export].append(Delivery(export, key, path, rows))
            break
    for export, spec in EXPORTS.items():
        if spec.key_kind == "date" and chosen[export]:
            chosen[export] = [max(chosen[export], key=lambda d: d.key)]
    return chosen
