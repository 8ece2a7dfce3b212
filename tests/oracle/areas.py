"""Fan-out of observations to areas and genders (rulebook, common rules 5 and 7).

An observation carrying a district (`stadsdel_kod`) counts in
- its district, only when the district's kind is `stadsdel` (city-wide units have no district row),
- the district's unit (`enhet_kod` from the district reference data),
- the whole city `STHLM`.
Staff data carry the unit directly: unit and city only.
Genders: every observation counts in `alla`; gender-split indicators also count it in `kvinnor`
or `man` from its `kon` (observations without `kon` only in `alla`).
"""

from __future__ import annotations

import pandas as pd

from tests.oracle.reference import Reference

CITY = "STHLM"
KEY = ["year", "period", "area_level", "area_code", "gender"]
GENDER_OF_KON = {"K": "kvinnor", "M": "man"}


def with_areas(observations: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """One copy per area the observation counts in: columns area_level, area_code added."""
    located = observations.merge(ref.districts, on="stadsdel_kod", how="inner")
    in_district = located[located["typ"] == "stadsdel"].assign(
        area_level="stadsdel", area_code=lambda d: d["stadsdel_kod"]
    )
    in_unit = located.assign(area_level="enhet", area_code=located["enhet_kod"])
    in_city = located.assign(area_level="stad", area_code=CITY)
    combined = pd.concat([in_district, in_unit, in_city], ignore_index=True)
    return combined.drop(columns=["typ", "enhet_kod"])


def with_unit_areas(observations: pd.DataFrame) -> pd.DataFrame:
    """Staff observations (column enhet_kod): their unit and the city."""
    in_unit = observations.assign(area_level="enhet", area_code=observations["enhet_kod"])
    in_city = observations.assign(area_level="stad", area_code=CITY)
    return pd.concat([in_unit, in_city], ignore_index=True)


def with_genders(observations: pd.DataFrame, split: bool) -> pd.DataFrame:
    """`alla` for every observation; with split also kvinnor/man from column `kon`."""
    everyone = observations.assign(gender="alla")
    if not split:
        return everyone
    by_gender = observations.assign(gender=observations["kon"].map(GENDER_OF_KON))
    by_gender = by_gender[by_gender["gender"].notna()]
    return pd.concat([everyone, by_gender], ignore_index=True)
