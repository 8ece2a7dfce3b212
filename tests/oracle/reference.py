"""Reference data: the dbt seed CSV files, read as data (codes, districts, catalogue, targets)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Reference:
    districts: pd.DataFrame  # stadsdel_kod, typ (stadsdel | stadsovergripande), enhet_kod
    catalogue: pd.DataFrame  # one row per indicator_code
    targets: pd.DataFrame  # indicator_code, year, area_level, area_code, target, target_kf
    codes: dict[str, frozenset[str]]  # code list name → valid codes
    question_index: dict[str, str]  # employee-survey question → MOT | LED | STY | REK

    def indicator(self, code: str) -> pd.Series:
        return self.catalogue.loc[code]

    def kon_uppdelad(self, code: str) -> bool:
        return bool(self.catalogue.loc[code, "kon_uppdelad"])

    def area_levels(self, code: str) -> list[str]:
        return [level.strip() for level in str(self.catalogue.loc[code, "area_levels"]).split(",")]


def _read(seeds_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(seeds_dir / f"{name}.csv", dtype=str, keep_default_na=False)


def _codes(seeds_dir: Path, name: str, column: str = "kod") -> frozenset[str]:
    return frozenset(_read(seeds_dir, name)[column])


def load_reference(seeds_dir: Path = SEEDS_DIR) -> Reference:
    districts = _read(seeds_dir, "ref_districts")[["stadsdel_kod", "typ", "enhet_kod"]]

    catalogue = _read(seeds_dir, "indicators").set_index("indicator_code")
    catalogue["kon_uppdelad"] = catalogue["kon_uppdelad"].str.lower() == "true"
    catalogue["population_based"] = catalogue["population_based"].str.lower() == "true"
    catalogue["tolerans"] = pd.to_numeric(catalogue["tolerans"].replace("", "0.10"))

    targets = _read(seeds_dir, "targets")
    targets["year"] = targets["year"].astype("int64")
    for column in ("target", "target_kf"):
        targets[column] = pd.to_numeric(targets[column].replace("", None), errors="coerce")

    codes = {
        "stadsdel": frozenset(districts["stadsdel_kod"]),
        "enhet": _codes(seeds_dir, "ref_units", "enhet_kod"),
        "kon": _codes(seeds_dir, "ref_kon"),
        "roll": _codes(seeds_dir, "ref_roll"),
        "bistandstyp": _codes(seeds_dir, "ref_bistandstyp"),
        "forsorjningshinder": _codes(seeds_dir, "ref_forsorjningshinder"),
        "lo_andamal": _codes(seeds_dir, "ref_lo_andamal"),
        "avslutsorsak": _codes(seeds_dir, "ref_avslutsorsak"),
        "insatstyp": _codes(seeds_dir, "ref_insatstyp"),
        "insats_utfall": _codes(seeds_dir, "ref_insats_utfall"),
        "enkatfraga": _codes(seeds_dir, "ref_enkatfraga"),
        "verksamhet": _codes(seeds_dir, "ref_verksamhet"),
        "situation": _codes(seeds_dir, "ref_brukarenkat_situation"),
        "ja_nej": _codes(seeds_dir, "ref_ja_nej"),
        "underrattelsetyp": _codes(seeds_dir, "ref_underrattelsetyp"),
        "vrakning_orsak": _codes(seeds_dir, "ref_vrakning_orsak"),
        "vrakning_utfall": _codes(seeds_dir, "ref_vrakning_utfall"),
        "boendetyp": _codes(seeds_dir, "ref_boendetyp"),
        "fut_beslut": _codes(seeds_dir, "ref_fut_beslut"),
        "synpunkt_avsandare": _codes(seeds_dir, "ref_synpunkt_avsandare"),
        "synpunkt_typ": _codes(seeds_dir, "ref_synpunkt_typ"),
        "synpunkt_kategori": _codes(seeds_dir, "ref_synpunkt_kategori"),
    }
    questions = _read(seeds_dir, "ref_enkatfraga")
    question_index = dict(zip(questions["kod"], questions["index_kod"], strict=True))
    return Reference(districts, catalogue, targets, codes, question_index)
