"""The tertial reports as Word documents: one per area and period, from publish.rapport.

Written with python-docx into the folder `rapporter` beside the published file, from the rows
that file gets: in a refresh they are read from the warehouse's publish.rapport (the same rows)
once dbt's build has succeeded, and the documents are written while publish copies the tables —
each as a temporary file, put in place only once the published file is (so a failed publish
leaves the documents of the previous one). The pages build copies that folder to
evidence/static/rapporter so the Rapport page links to /rapporter/<dokument_fil>. Each document:
headings per goal level (KF:s inriktningsmål, KF:s mål för verksamhetsområdet, nämndmål) with
their judgements, one table per nämndmål in the ILS columns with Swedish number format (as the
pages: `1 234`, `12,34 %`), the suppression footnote and an empty *Analys* paragraph ready to
write in.

One query reads every area and period. Documents are written for the two latest years with
reports (publish.rapport names their files; older years' reports were written long ago). Writing
a document costs ~15 ms, so only documents whose rows changed since the last run are written: a
manifest beside them holds a hash of each
document's rows (and of this module's layout version); documents of reports that no longer exist
are removed. Nothing here sees a person: publish has no person-level column.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
import zipfile
from collections.abc import Iterable
from copy import deepcopy
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import duckdb

REPORTS_DIR_NAME = "rapporter"
MANIFEST = ".manifest.json"
# Bump when the documents' layout changes: every document is then written again.
LAYOUT_VERSION = "4"

NBSP = "\u00a0"
STRECK = "–"
DOLD_NOT = (
    f"{STRECK} = värdet bygger på färre än 5 personer (hushåll, ärenden, svar) och redovisas inte."
)
# hidden as a complement (publish.kpi.suppression_reason 'komplementar'), marked as on the pages
KOMPLEMENT = f"{STRECK}{NBSP}dold"
KOMPLEMENT_NOT = (
    f"{KOMPLEMENT} = värdet bygger på 5 eller fler men är dolt för att en annan uppgift, som "
    "bygger på färre än 5, inte ska kunna räknas fram ur de visade (en summa minus de visade "
    "delarna)."
)
HEADERS = (
    "Indikator",
    "Periodens utfall",
    "Utfall män",
    "Utfall kvinnor",
    "Utfall VB föregående år",
    "Årsmål",
    "KF:s årsmål",
    "Period",
)
JUDGEMENT_TEXT = {
    "uppfylls_helt": "Uppfylls helt",
    "uppfylls_delvis": "Uppfylls delvis",
    "uppfylls_ej": "Uppfylls ej",
    None: "Bedöms inte (ingen indikator har utfall mot årsmål)",
}
TITLE = {
    "T1": "Tertialrapport 1 {year}",
    "T2": "Tertialrapport 2 {year}",
    "VB": "Verksamhetsberättelse {year}",
}
# format tag -> (decimals, percent, suffix), as the pages (components/format.js)
FORMATS = {
    "tal0": (0, False, ""),
    "tal1": (1, False, ""),
    "andel2": (2, True, ""),
    "kr": (0, False, " kr"),
}

COLUMNS = (
    "area_code",
    "area_name",
    "year",
    "period",
    "dokument_fil",
    "inriktningsmal_nr",
    "inriktningsmal_namn",
    "inriktningsmal_bedomning",
    "kf_mal_nr",
    "kf_mal_namn",
    "kf_mal_bedomning",
    "namndmal_kod",
    "namndmal_namn",
    "namndmal_bedomning",
    "namndmal_antal_bedomda",
    "namndmal_antal_indikatorer",
    "indicator_code",
    "indicator_name",
    "format_tag",
    "kon_uppdelad",
    "period_text",
    "utfall",
    "utfall_dold",
    "man",
    "man_dold",
    "kvinnor",
    "kvinnor_dold",
    "fg_ar",
    "fg_ar_dold",
    "utfall_orsak",
    "man_orsak",
    "kvinnor_orsak",
    "fg_ar_orsak",
    "arsmal",
    "kf_arsmal",
)
QUERY = f"""
select {", ".join(COLUMNS)}
from "{{catalog}}".publish.rapport
where dokument_fil is not null
order by dokument_fil, namndmal_sortering, rad
"""


@dataclass(frozen=True)
class Row:
    area_code: str
    area_name: str
    year: int
    period: str
    dokument_fil: str
    inriktningsmal_nr: str
    inriktningsmal_namn: str
    inriktningsmal_bedomning: str | None
    kf_mal_nr: str
    kf_mal_namn: str
    kf_mal_bedomning: str | None
    namndmal_kod: str
    namndmal_namn: str
    namndmal_bedomning: str | None
    namndmal_antal_bedomda: int
    namndmal_antal_indikatorer: int
    indicator_code: str | None
    indicator_name: str | None
    format_tag: str | None
    kon_uppdelad: bool | None
    period_text: str | None
    utfall: float | None
    utfall_dold: bool
    man: float | None
    man_dold: bool
    kvinnor: float | None
    kvinnor_dold: bool
    fg_ar: float | None
    fg_ar_dold: bool
    utfall_orsak: str | None
    man_orsak: str | None
    kvinnor_orsak: str | None
    fg_ar_orsak: str | None
    arsmal: float | None
    kf_arsmal: float | None


def _js_round(x: float) -> int:
    return math.floor(x + 0.5)


def format_sv(value: float, tag: str) -> str:
    """A number as the pages show it: Evidence's ssf rounding, then Swedish separators
    (U+00A0 between thousands, decimal comma, `12,34 %`, `1 234 kr`)."""
    decimals, percent, suffix = FORMATS.get(tag, FORMATS["tal1"])
    a = abs(value) * 100 if percent else abs(value)
    if decimals and not percent:
        # "#,##0.0" rounds the fraction on its own and carries into the integer part
        frac = _js_round((a - math.floor(a)) * 10**decimals)
        carry = len(str(frac)) > decimals
        whole, frac = math.floor(a) + carry, 0 if carry else frac
    else:
        whole, frac = divmod(_js_round(a * 10**decimals), 10**decimals)
    text = str(whole) if percent else f"{whole:,}".replace(",", NBSP)
    if decimals:
        text += "," + str(frac).zfill(decimals)
    if percent:
        text += NBSP + "%"
    return ("-" if value < 0 else "") + text + suffix


def cell_text(
    value: float | None, suppressed: bool, tag: str | None, reason: str | None = None
) -> str:
    """A table cell: the number, "–" when suppressed ("– dold" when hidden as a complement),
    empty when there is none."""
    if suppressed:
        return KOMPLEMENT if reason == "komplementar" else STRECK
    return "" if value is None else format_sv(value, tag or "tal1")


def table_rows(rows: list[Row]) -> list[tuple[str, ...]]:
    """The ILS table of one nämndmål: header, then a row per indicator (texts as written)."""
    out = [HEADERS]
    for r in rows:
        if r.indicator_code is None:
            continue
        split = bool(r.kon_uppdelad)
        out.append(
            (
                r.indicator_name or r.indicator_code,
                cell_text(r.utfall, r.utfall_dold, r.format_tag, r.utfall_orsak),
                cell_text(r.man, r.man_dold, r.format_tag, r.man_orsak) if split else "",
                cell_text(r.kvinnor, r.kvinnor_dold, r.format_tag, r.kvinnor_orsak)
                if split
                else "",
                cell_text(r.fg_ar, r.fg_ar_dold, r.format_tag, r.fg_ar_orsak),
                cell_text(r.arsmal, False, r.format_tag),
                cell_text(r.kf_arsmal, False, r.format_tag),
                r.period_text or "",
            )
        )
    return out


def judgement_text(judgement: str | None) -> str:
    return JUDGEMENT_TEXT.get(judgement, JUDGEMENT_TEXT[None])


def title(period: str, year: int, area_name: str) -> str:
    return f"{TITLE[period].format(year=year)} – {area_name}"


def _fingerprint(rows: list[Row]) -> str:
    digest = hashlib.sha256(LAYOUT_VERSION.encode())
    digest.update(repr([tuple(vars(r).values()) for r in rows]).encode())
    return digest.hexdigest()


class _Writer:
    """Writes the documents with python-docx, one after the other into one Document.

    A fresh Document per report costs ~45 ms (parsing the default template, resolving style
    names on every paragraph, serialising and compressing its ~800 kB of style parts on every
    save). Here the template is parsed once and its body emptied before each report; the
    optional stylesWithEffects part is dropped and the parts a report never changes are
    serialised once; and python-docx builds one prototype of each kind of paragraph and of a
    table's header and data rows, which every report copies and fills in — ~6 ms a document.
    """

    COLUMNS = len(HEADERS)

    def __init__(self) -> None:
        from docx import Document
        from docx.opc.part import XmlPart
        from docx.opc.parts.coreprops import CorePropertiesPart
        from docx.parts.document import DocumentPart

        self.doc = Document()
        for rid, rel in list(self.doc.part.rels.items()):
            if rel.reltype.endswith("/stylesWithEffects"):
                self.doc.part.drop_rel(rid)
        style = {s.name: s.style_id for s in self.doc.styles}
        self.body = self.doc.element.body
        # prototypes, made with python-docx and taken out of the body
        self.paragraphs = {}
        for key in (None, "Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
            for lead in (False, True):
                p = self.doc.add_paragraph()
                if key:
                    p.style = self.doc.styles[key]
                if lead:
                    p.add_run("lead").bold = True
                p.add_run("text")
                self.paragraphs[key, lead] = p._p
        self.empty_paragraph = self.doc.add_paragraph()._p
        table = self.doc.add_table(rows=2, cols=self.COLUMNS)
        table.style = self.doc.styles["Table Grid"]
        for r, row in enumerate(table.rows):
            for cell in row.cells:
                cell.paragraphs[0].add_run("x").bold = r == 0
        self.header_row, self.data_row = table._tbl.tr_lst
        for tr in (self.header_row, self.data_row):
            table._tbl.remove(tr)
        self.empty_table = table._tbl
        self.start()
        # what no report changes is serialised once, not on every save
        core = self.doc.core_properties
        core.author = core.last_modified_by = "bistand"
        core.comments = "Skriven av bistand ur de publicerade nyckeltalen."
        for part in self.doc.part.package.iter_parts():
            if isinstance(part, XmlPart) and not isinstance(
                part, (DocumentPart, CorePropertiesPart)
            ):
                part.__class__ = _frozen(part)
        assert style["Table Grid"]  # the template has the styles used above

    def start(self) -> None:
        """An empty body (the section properties stay)."""
        sect = self.body.sectPr
        self.body[:] = [] if sect is None else [sect]

    def _append(self, element) -> None:
        sect = self.body.sectPr
        if sect is None:
            self.body.append(element)
        else:
            sect.addprevious(element)

    @staticmethod
    def _fill(element, texts) -> None:
        from docx.oxml.ns import qn

        for t, text in zip(element.iter(qn("w:t")), texts, strict=True):
            t.text = text

    def paragraph(
        self, text: str = "", style: str | None = None, bold_lead: str | None = None
    ) -> None:
        if not text and not bold_lead:
            self._append(deepcopy(self.empty_paragraph))
            return
        p = deepcopy(self.paragraphs[style, bool(bold_lead)])
        self._fill(p, [bold_lead, text] if bold_lead else [text])
        self._append(p)

    def table(self, rows: list[tuple[str, ...]]) -> None:
        tbl = deepcopy(self.empty_table)
        for r, texts in enumerate(rows):
            tr = deepcopy(self.header_row if r == 0 else self.data_row)
            self._fill(tr, texts)
            tbl.append(tr)
        self._append(tbl)

    def save(self, path: Path) -> None:
        """python-docx's save (OpcPackage.save, PackageWriter.write) into a zip written at
        zlib's fastest level: level 6, python-docx's, spent ~0,2 s more of the ~0,9 s the
        stockholm profile's 145 documents take, for files ~30 % smaller (~35 kB a document)."""
        from docx.opc.pkgwriter import PackageWriter

        package = self.doc.part.package
        for part in package.parts:
            part.before_marshal()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            writer = _ZipWriter(archive)
            PackageWriter._write_content_types_stream(writer, package.parts)
            PackageWriter._write_pkg_rels(writer, package.rels)
            PackageWriter._write_parts(writer, package.parts)


class _ZipWriter:
    """python-docx's physical package writer (docx.opc.phys_pkg._ZipPkgWriter) over an open zip."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive

    def write(self, pack_uri, blob: bytes) -> None:  # type: ignore[no-untyped-def]
        self.archive.writestr(pack_uri.membername, blob)


def _frozen(part):
    """The part's class with its XML serialised once (it is the same in every report)."""
    blob = part.blob

    class Frozen(type(part)):
        @property
        def blob(self) -> bytes:
            return blob

    return Frozen


def write_document(rows: list[Row], path: Path, writer: _Writer | None = None) -> None:
    """The report of one area and period (rows in report order) to `path`."""
    first = rows[0]
    w = writer or _Writer()
    w.start()
    w.paragraph(title(first.period, first.year, first.area_name), "Title")
    w.doc.core_properties.title = title(first.period, first.year, first.area_name)
    w.paragraph(
        "Uppföljning av Kommunfullmäktiges inriktningsmål. Siffrorna är de publicerade "
        "nyckeltalen (samma som på sidan Rapport); tertialen är kumulativa (T1 januari–april, "
        "T2 januari–augusti, VB hela året)."
    )
    for _, by_goal in groupby(rows, key=lambda r: r.inriktningsmal_nr):
        by_goal = list(by_goal)
        g = by_goal[0]
        w.paragraph(
            f"{g.inriktningsmal_nr}. {g.inriktningsmal_namn}", "Heading 1", "KF:s inriktningsmål: "
        )
        w.paragraph(judgement_text(g.inriktningsmal_bedomning), bold_lead="Bedömning: ")
        for _, by_kf in groupby(by_goal, key=lambda r: r.kf_mal_nr):
            by_kf = list(by_kf)
            k = by_kf[0]
            w.paragraph(
                f"{k.kf_mal_nr} {k.kf_mal_namn}", "Heading 2", "KF:s mål för verksamhetsområdet: "
            )
            w.paragraph(judgement_text(k.kf_mal_bedomning), bold_lead="Bedömning: ")
            for _, by_nm in groupby(by_kf, key=lambda r: r.namndmal_kod):
                by_nm = list(by_nm)
                n = by_nm[0]
                w.paragraph(n.namndmal_namn, "Heading 3", "Nämndmål: ")
                rows_of_table = table_rows(by_nm)
                if len(rows_of_table) > 1:
                    w.table(rows_of_table)
                    w.paragraph(DOLD_NOT)
                    if any(KOMPLEMENT in row for row in rows_of_table):
                        w.paragraph(KOMPLEMENT_NOT)
                else:
                    w.paragraph(
                        "Inga indikatorer redovisas för nämndmålet för det här området "
                        "(målet bedöms i analysen)."
                    )
                judged = (
                    f" ({n.namndmal_antal_bedomda} av {n.namndmal_antal_indikatorer} indikatorer "
                    "har utfall mot årsmål)"
                    if n.namndmal_antal_indikatorer
                    else ""
                )
                w.paragraph(judgement_text(n.namndmal_bedomning) + judged, bold_lead="Bedömning: ")
                w.paragraph("Analys", "Heading 4")
                w.paragraph("")  # the unit's analysis, to be written
    w.save(path)


def read_reports(database: Path) -> dict[str, list[Row]]:
    """Every report's rows (one query on publish.rapport of `database`: the published file, or
    the warehouse it is copied from), by document file name, in report order."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        # the file's own catalog: the published file's is called publish, like the schema
        catalog = con.execute("select current_database()").fetchone()[0]
        query = QUERY.format(catalog=catalog.replace('"', '""'))
        rows = [Row(*values) for values in con.execute(query).fetchall()]
    finally:
        con.close()
    # reports without a file name (older years: see publish.rapport) get no document
    return {
        name: list(group)
        for name, group in groupby(rows, key=lambda r: r.dokument_fil)
        if name is not None
    }


@dataclass(frozen=True)
class Written:
    written: int
    unchanged: int
    removed: int
    seconds: float


@dataclass(frozen=True)
class Staged:
    """Documents written beside their place, not yet in it (commit_reports puts them there)."""

    out_dir: Path
    fingerprints: dict[str, str]  # every report's, for the manifest
    staged: list[tuple[Path, Path]]  # (temporary file, document)
    unchanged: int
    started: float


def reports_dir(publish_file: Path) -> Path:
    return Path(publish_file).with_name(REPORTS_DIR_NAME)


def stage_reports(reports: dict[str, list[Row]], out_dir: Path) -> Staged:
    """Write each document whose rows changed since the manifest (or that is missing) as a
    temporary file beside it; nothing in `out_dir` that the pages serve changes yet."""
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        before: dict[str, str] = json.loads((out_dir / MANIFEST).read_text())
    except (FileNotFoundError, ValueError):
        before = {}
    fingerprints: dict[str, str] = {}
    staged: list[tuple[Path, Path]] = []
    unchanged = 0
    writer: _Writer | None = None
    try:
        for name, rows in reports.items():
            fingerprint = _fingerprint(rows)
            target = out_dir / name
            if before.get(name) == fingerprint and target.is_file():
                unchanged += 1
            else:
                tmp = target.with_name(f".{name}.tmp")
                writer = writer or _Writer()
                write_document(rows, tmp, writer)
                staged.append((tmp, target))
            fingerprints[name] = fingerprint
    except BaseException:
        discard_reports(Staged(out_dir, fingerprints, staged, unchanged, started))
        raise
    return Staged(out_dir, fingerprints, staged, unchanged, started)


def commit_reports(staged: Staged) -> Written:
    """Put the staged documents in place, remove those of reports that are gone, and write the
    manifest last."""
    for tmp, target in staged.staged:
        os.replace(tmp, target)
    removed = _remove_others(staged.out_dir, set(staged.fingerprints))
    manifest_file = staged.out_dir / MANIFEST
    tmp_manifest = manifest_file.with_name(f"{MANIFEST}.tmp")
    tmp_manifest.write_text(json.dumps(staged.fingerprints, sort_keys=True, indent=0))
    os.replace(tmp_manifest, manifest_file)
    seconds = round(time.monotonic() - staged.started, 2)
    return Written(len(staged.staged), staged.unchanged, removed, seconds)


def discard_reports(staged: Staged) -> None:
    """Remove the staged documents (the published file was not replaced)."""
    for tmp, _ in staged.staged:
        tmp.unlink(missing_ok=True)


def write_reports(publish_file: Path, out_dir: Path | None = None) -> Written:
    """Write the documents whose rows changed; remove those of reports that are gone."""
    out_dir = Path(out_dir) if out_dir else reports_dir(publish_file)
    return commit_reports(stage_reports(read_reports(publish_file), out_dir))


def _remove_others(out_dir: Path, keep: Iterable[str]) -> int:
    keep = set(keep) | {MANIFEST}
    removed = 0
    for path in out_dir.iterdir():
        if path.name not in keep:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed += 1
    return removed


def stage_for_site(publish_file: Path, evidence_dir: Path) -> int:
    """Copy the documents beside `publish_file` to evidence_dir/static/rapporter (served as
    /rapporter/); how many. Run before an Evidence build, which copies static/ into the site."""
    source = reports_dir(publish_file)
    target = Path(evidence_dir) / "static" / REPORTS_DIR_NAME
    shutil.rmtree(target, ignore_errors=True)
    if not source.is_dir():
        return 0
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*"))
    return sum(1 for _ in target.iterdir())
