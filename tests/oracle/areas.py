"""Fan-out of observations to areas and genders (rulebook, common rules 5 and 7).

An observation carrying a district (`stadsdel_kod`) counts in
- its district, only when the district's kind is `stadsdel` (city-wide units have no district row),
- the district's unit (`enhet_kod` from the district reference data),
- the whole city `STHLM`.
Staff data carry the unit directly: unit and city only.
Genders: every observation counts in `alla`; gender-split indicators also count it in `kvinnor`
or `man` from its `kon` (observations without `kon` only in `alla`).

The key columns are categoricals so that grouping millions of fanned-out rows stays fast.
"""

from __future__ import annotations

import pandas as pd

from tests.oracle.reference import Reference

CITY = "STHLM"
KEY = ["year", "period", "area_level", "area_code", "gender"]
GENDER_OF_KON = {"K": "kvinnor", "M": "man"}
AREA_LEVELS = pd.CategoricalDtype(["stadsdel", "enhet", "stad"])
GENDERS = pd.CategoricalDtype(["alla", "kvinnor", "man"])


def _area_codes(ref: Reference) -> pd.CategoricalDtype:
    codes = {*ref.districts["stadsdel_kod"], *ref.codes["enhet"], CITY}
    return pd.CategoricalDtype(sorted(codes))


def _in_area(
    observations: pd.DataFrame, level: str, codes: pd.Series | str, ref: Reference
) -> pd.DataFrame:
    return observations.assign(
        area_level=pd.Categorical([level] * len(observations), dtype=AREA_LEVELS),
        area_code=pd.Series(codes, index=observations.index).astype(_area_codes(ref)),
    )


def with_areas(observations: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """One copy per area the observation counts in: columns area_level, area_code added."""
    kind = dict(zip(ref.districts["stadsdel_kod"], ref.districts["typ"], strict=True))
    unit = dict(zip(ref.districts["stadsdel_kod"], ref.districts["enhet_kod"], strict=True))
    located = observations[observations["stadsdel_kod"].isin(kind.keys())]
    districts = located[located["stadsdel_kod"].map(kind) == "stadsdel"]
    return pd.concat(
        [
            _in_area(districts, "stadsdel", districts["stadsdel_kod"], ref),
            _in_area(located, "enhet", located["stadsdel_kod"].map(unit), ref),
            _in_area(located, "stad", CITY, ref),
        ],
        ignore_index=True,
    )


def with_unit_areas(observations: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """Staff observations (column enhet_kod): their unit and the city."""
    return pd.concat(
        [
            _in_area(observations, "enhet", observations["enhet_kod"], ref),
            _in_area(observations, "stad", CITY, ref),
        ],
        ignore_index=True,
    )


def with_genders(observations: pd.DataFrame, split: bool) -> pd.DataFrame:
    """`alla` for every observation; with split also kvinnor/man from column `kon`."""
    everyone = observations.assign(
        gender=pd.Categorical(["alla"] * len(observations), dtype=GENDERS)
    )
    if not split:
        return everyone
    by_gender = observations.assign(gender=observations["kon"].map(GENDER_OF_KON).astype(GENDERS))
    by_gender = by_gender[by_gender["gender"].notna()]
    return pd.concat([everyone, by_gender], ignore_index=True)
