"""Building deliveries by hand and looking at what the loader made of them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
from personnummer import personnummer as pnr

from orchestration.loaders.contract import EXPORTS
from orchestration.loaders.engine import ExportOutcome, load_export, record_unknown_files

KEY = b"test-key-not-secret"
BASE_MTIME = 1_700_000_000  # 2023-11-14: file modification times count up from here


def make_pnr(birth: str, serial: str = "123") -> str:
    """A valid 12-digit personnummer for `birth` (YYYYMMDD, day + 60 for samordningsnummer)."""
    for check in "0123456789":
        candidate = f"{birth}{serial}{check}"
        if pnr.valid(candidate):
            return candidate
    raise ValueError(birth)


PNR = [make_pnr(f"19{60 + i:02d}0{1 + i % 9}1{i % 9}", f"{200 + i:03d}") for i in range(12)]

FILE = {
    "utbetalningar": "utbetalningar_2024-01.csv",
    "hushallsmedlemmar": "hushallsmedlemmar_2024-01.csv",
    "arenden": "arenden_2026-01-05.csv",
    "forandringsplaner": "forandringsplaner_2026-01-05.csv",
    "insatser": "insatser_2026-01-05.csv",
    "befolkning": "befolkning_2024.csv",
    "personal": "personal_2026-01-05.csv",
    "franvaro": "franvaro_2024-01.csv",
    "medarbetarenkat": "medarbetarenkat_2025.csv",
    "brukarenkat": "brukarenkat_2025.csv",
    "vrakningsforebyggande": "vrakningsforebyggande_2026-01-05.csv",
    "akutboende": "akutboende_2026-01-05.csv",
    "fut_anmalningar": "fut_anmalningar_2026-01-05.csv",
    "synpunkter": "synpunkter_2026-01-05.csv",
    "budget": "budget_2025.csv",
}

# Another key of the same export (for snapshots an earlier extraction date).
OTHER_FILE = {
    "utbetalningar": "utbetalningar_2024-02.csv",
    "hushallsmedlemmar": "hushallsmedlemmar_2024-02.csv",
    "arenden": "arenden_2025-12-05.csv",
    "forandringsplaner": "forandringsplaner_2025-12-05.csv",
    "insatser": "insatser_2025-12-05.csv",
    "befolkning": "befolkning_2023.csv",
    "personal": "personal_2025-12-05.csv",
    "franvaro": "franvaro_2024-02.csv",
    "medarbetarenkat": "medarbetarenkat_2024.csv",
    "brukarenkat": "brukarenkat_2024.csv",
    "vrakningsforebyggande": "vrakningsforebyggande_2025-12-05.csv",
    "akutboende": "akutboende_2025-12-05.csv",
    "fut_anmalningar": "fut_anmalningar_2025-12-05.csv",
    "synpunkter": "synpunkter_2025-12-05.csv",
    "budget": "budget_2024.csv",
}


def good_row(export: str, i: int, key: str | None = None) -> dict[str, str]:
    """A valid row number `i` (1-based) of `export`, for the file key `key`."""
    month = key if key and len(key) == 7 else "2024-01"
    year = key if key and len(key) == 4 else None
    rows = {
        "utbetalningar": {
            "utbetalning_id": f"U{i:05d}",
            "arende_id": f"A{i:05d}",
            "hushall_id": f"H{i:05d}",
            "stadsdel_kod": "BRO",
            "bidragsmanad": month,
            "utbetalningsdatum": f"{month}-25",
            "belopp": f"{1000 + i},50",
            "bistandstyp": "FS",
            "forsorjningshinder_kod": "01",
            "lo_andamal": "",
        },
        "hushallsmedlemmar": {
            "hushall_id": f"H{i:05d}",
            "bidragsmanad": month,
            "personnummer": PNR[i % len(PNR)],
            "kon": "K",
            "roll": "SOK",
        },
        "arenden": {
            "arende_id": f"A{i:05d}",
            "hushall_id": f"H{i:05d}",
            "stadsdel_kod": "BRO",
            "aktualiserad_datum": "2023-05-01",
            "avslutad_datum": "",
            "avslutsorsak_kod": "",
        },
        "forandringsplaner": {
            "plan_id": f"P{i:05d}",
            "arende_id": f"A{i:05d}",
            "upprattad_datum": "2023-06-01",
            "senast_reviderad_datum": "",
        },
        "insatser": {
            "insats_id": f"I{i:05d}",
            "personnummer": PNR[i % len(PNR)],
            "kon": "K",
            "stadsdel_kod": "BRO",
            "insatstyp": "OSA",
            "startdatum": "2023-01-01",
            "slutdatum": "",
            "utfall_kod": "",
        },
        "befolkning": {
            "ar": year or "2024",
            "stadsdel_kod": "BRO",
            "kon": "K",
            "alder": str(i),
            "antal": "100",
        },
        "personal": {
            "anstallning_id": f"HR{i:05d}",
            "enhet_kod": "EB-BRO",
            "kon": "K",
            "befattning": "Socialsekreterare",
            "sysselsattningsgrad": "100",
            "anstallningsdatum": "2020-01-01",
            "slutdatum": "",
        },
        "franvaro": {
            "anstallning_id": f"HR{i:05d}",
            "enhet_kod": "EB-BRO",
            "kon": "K",
            "manad": month,
            "schemalagd_tid_timmar": "160,00",
            "sjukfranvaro_timmar": "8,00",
            "sjukfranvaro_dag1_14_timmar": "8,00",
        },
        "medarbetarenkat": {
            "respondent_id": f"R{i:05d}",
            "enkat_ar": year or "2025",
            "enhet_kod": "EB-BRO",
            "kon": "K",
            "fraga_kod": "MOT1",
            "svar": "4",
        },
        "brukarenkat": {
            "svar_id": f"S{i:05d}",
            "datum": f"{year or '2025'}-05-01",
            "stadsdel_kod": "BRO",
            "verksamhet": "EB",
            "kon": "K",
            "situation": "FORBATTRAD",
        },
        "vrakningsforebyggande": {
            "underrattelse_id": f"V{i:05d}",
            "personnummer": PNR[i % len(PNR)],
            "kon": "K",
            "stadsdel_kod": "BRO",
            "typ": "UPPSAGNING",
            "inkom_datum": "2024-03-01",
            "orsak": "HYRESSKULD",
            "barn_i_hushallet": "0",
            "stod_mottaget": "J",
            "avslutad_datum": "",
            "utfall_kod": "",
        },
        "akutboende": {
            "beslut_id": f"B{i:05d}",
            "personnummer": PNR[i % len(PNR)],
            "kon": "M",
            "stadsdel_kod": "BRO",
            "boendetyp": "HOTELL",
            "barn_i_hushallet": "2",
            "startdatum": "2024-03-01",
            "slutdatum": "",
            "kostnad": "",
        },
        "fut_anmalningar": {
            "anmalan_id": f"F{i:05d}",
            "arende_id": f"A{i:05d}",
            "stadsdel_kod": "BRO",
            "inkom_datum": "2024-03-01",
            "forhandsbedomning_datum": "",
            "beslut": "",
            "aterkrav_datum": "",
            "aterkrav_belopp": "",
            "polisanmald": "",
        },
        "synpunkter": {
            "synpunkt_id": f"SY{i:05d}",
            "inkom_datum": "2024-03-01",
            "stadsdel_kod": "BRO",
            "verksamhet": "EB",
            "avsandare": "BRUKARE",
            "typ": "KLAGOMAL",
            "kategori": "BEMOTANDE",
            "lex_sarah": "N",
            "aterkoppling_datum": "",
            "atgard_vidtagen": "N",
        },
        "budget": {
            "ar": year or "2025",
            "stadsdel_kod": ["BRO", "HAL", "HEM"][(i - 1) % 3],
            "bistandstyp": "FS" if (i - 1) // 3 % 2 == 0 else "LO",
            "manad": "",
            "belopp": f"{1000000 + i},00",
        },
    }
    return rows[export]


def key_of(file_name: str) -> str:
    return file_name.rsplit("_", 1)[1].removesuffix(".csv")


def delivery(
    export: str,
    rows: list[dict[str, str] | str | None],
    *,
    file_name: str | None = None,
    header: list[str] | None = None,
    newline: str = "\n",
) -> str:
    """CSV text: a header and one line per entry of `rows` — None is a good row, a dict a good
    row with those values changed, a str a raw line as it stands."""
    key = key_of(file_name or FILE[export])
    names = header or list(EXPORTS[export].column_names)
    lines = [";".join(names)]
    for i, row in enumerate(rows, start=1):
        if isinstance(row, str):
            lines.append(row)
            continue
        values = {**good_row(export, i, key), **(row or {})}
        lines.append(";".join(values.get(name.strip().lower(), "") for name in names))
    return newline.join(lines) + newline


@dataclass
class LoadLog:
    delivery_id: int
    status: str
    file_key: str | None
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    message: str | None
    warnings: str | None
    encoding: str | None
    same_as_delivery_id: int | None
    content_hash: str


class Env:
    """A landing directory and a warehouse file; the loader run against them in-process."""

    def __init__(self, root: Path) -> None:
        self.landing = root / "landing"
        self.landing.mkdir()
        self.path = root / "warehouse.duckdb"
        self.con = duckdb.connect(str(self.path))
        self.clock = BASE_MTIME

    def close(self) -> None:
        self.con.close()

    def write(
        self, name: str, text: str | bytes, *, encoding: str = "utf-8", mtime: int | None = None
    ) -> Path:
        """Deliver a file; each delivery is newer than the one before unless `mtime` is given."""
        path = self.landing / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
        if mtime is None:
            self.clock += 60
            mtime = self.clock
        os.utime(path, (mtime, mtime))
        return path

    def load(self, export: str, **kwargs: object) -> ExportOutcome:
        return load_export(self.con, EXPORTS[export], self.landing, KEY, **kwargs)

    def load_unknown(self) -> ExportOutcome:
        return record_unknown_files(self.con, self.landing)

    def log(self, file_name: str) -> LoadLog:
        """The newest load-log row of a file."""
        row = self.con.execute(
            "select delivery_id, status, file_key, rows_read, rows_loaded, rows_rejected, "
            "message, warnings, encoding, same_as_delivery_id, content_hash "
            "from raw.load_log where file_name = ? order by delivery_id desc limit 1",
            [file_name],
        ).fetchone()
        assert row is not None, f"{file_name} is not in the load log"
        return LoadLog(*row)

    def logs(self, export: str) -> list[tuple]:
        return self.con.execute(
            "select file_name, status from raw.load_log where export = ? order by delivery_id",
            [export],
        ).fetchall()

    def rejects(self, file_name: str) -> list[tuple[int, str]]:
        return self.con.execute(
            "select line_number, reason from raw.rejects where file_name = ? "
            "order by delivery_id, line_number",
            [file_name],
        ).fetchall()

    def reject_lines(self, file_name: str) -> list[str]:
        return [
            r[0]
            for r in self.con.execute(
                "select raw_line_masked from raw.rejects where file_name = ? order by line_number",
                [file_name],
            ).fetchall()
        ]

    def current_lines(self, export: str, file_key: str | None = None) -> list[int]:
        """Line numbers of the current rows of `export` (of one key's delivery)."""
        where = ""
        params: list[object] = []
        if file_key is not None:
            where = (
                "where _delivery_id in (select data_delivery_id from raw.current_deliveries "
                "where export = ? and file_key = ?)"
            )
            params = [export, file_key]
        return [
            r[0]
            for r in self.con.execute(
                f"select _line_number from raw.{export} {where} order by _line_number", params
            ).fetchall()
        ]

    def current(self, export: str, columns: str, order: str = "_line_number") -> list[tuple]:
        return self.con.execute(f"select {columns} from raw.{export} order by {order}").fetchall()

    def history_count(self, export: str) -> int:
        return self.con.execute(f"select count(*) from raw.{export}_history").fetchone()[0]

    def outstanding(self, export: str | None = None) -> list[tuple]:
        where, params = ("where export = ?", [export]) if export else ("", [])
        return self.con.execute(
            f"select level, file_name, line_number, reason from raw.outstanding_rejects {where} "
            "order by level, file_name, line_number",
            params,
        ).fetchall()
