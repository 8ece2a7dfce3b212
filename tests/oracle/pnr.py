"""Personnummer → a stable person key and the birth year-month (raw-exports contract).

Own parsing, on purpose independent of the pipeline: 12 digits `YYYYMMDDNNNC`, optionally with
`-` before the last four; the last ten digits pass the Luhn check; the date must exist, where a
samordningsnummer has day + 60. A 10-digit number is invalid (century unknown).
"""

from __future__ import annotations

import pandas as pd

PNR_PATTERN = r"^(\d{8})-?(\d{4})$"


def luhn_ok(ten_digits: pd.Series) -> pd.Series:
    """Luhn check of strings of exactly ten digits (weights 2,1,2,1,… from the left)."""
    number = ten_digits.astype("int64")
    total = pd.Series(0, index=ten_digits.index, dtype="int64")
    for position in range(10):
        digit = number // 10 ** (9 - position) % 10
        if position % 2 == 0:
            digit = digit * 2
            digit = digit.where(digit < 10, digit - 9)
        total += digit
    return total % 10 == 0


def parse_personnummer(raw: pd.Series) -> pd.DataFrame:
    """Columns `person` (the 12 digits as an integer, NA when invalid), `birth_year`,
    `birth_month`, aligned with `raw`.

    The 12-digit form is the person's identity: `19800101-1234` and `198001011234` are one person.
    Each distinct string is parsed once (a person appears in many monthly rows).
    """
    codes, distinct = pd.factorize(raw.fillna("").astype(str).str.strip())
    parsed = _parse_distinct(pd.Series(distinct, dtype="str"))
    return parsed.iloc[codes].set_axis(raw.index)


def _parse_distinct(raw: pd.Series) -> pd.DataFrame:
    parts = raw.str.extract(PNR_PATTERN)
    twelve = (parts[0] + parts[1]).where(parts[0].notna())
    result = pd.DataFrame(index=raw.index)
    result["person"] = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    result["birth_year"] = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    result["birth_month"] = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    well_formed = twelve.notna()
    if not well_formed.any():
        return result
    digits = twelve[well_formed]
    year = digits.str[0:4].astype("int64")
    month = digits.str[4:6].astype("int64")
    day = digits.str[6:8].astype("int64")
    day = day.where(day <= 60, day - 60)  # samordningsnummer
    iso = (
        year.astype(str).str.zfill(4)
        + "-"
        + month.astype(str).str.zfill(2)
        + "-"
        + day.astype(str).str.zfill(2)
    )
    date_ok = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").notna()
    valid = date_ok & luhn_ok(digits.str[2:12])
    ok_index = valid[valid].index
    result.loc[ok_index, "person"] = digits[valid].astype("int64")
    result.loc[ok_index, "birth_year"] = year[valid]
    result.loc[ok_index, "birth_month"] = month[valid]
    return result
