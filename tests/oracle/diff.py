"""Row-by-row comparison of the oracle with marts.fct_indicator_value, and a readable report."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from tests.oracle.areas import KEY

ROW_KEY = ["indicator_code", *KEY]
FLOAT_COLUMNS = ["value", "numerator", "denominator", "target", "target_kf", "previous_year_value"]
EXACT_COLUMNS = ["n_individuals", "status", "is_suppressed"]
COMPARED = [*FLOAT_COLUMNS, *EXACT_COLUMNS]
REL_TOL = 1e-9


@dataclass
class Differences:
    only_in_oracle: pd.DataFrame  # ROW_KEY rows the warehouse lacks
    only_in_warehouse: pd.DataFrame  # ROW_KEY rows the oracle lacks
    mismatches: pd.DataFrame  # ROW_KEY + column, oracle, warehouse
    codes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.only_in_oracle) + len(self.only_in_warehouse) + len(self.mismatches)

    def for_code(self, code: str) -> Differences:
        def pick(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame["indicator_code"] == code]

        return Differences(
            pick(self.only_in_oracle), pick(self.only_in_warehouse), pick(self.mismatches), [code]
        )


def _is_null(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def same(column: str, left: object, right: object) -> bool:
    """Null equals null; floats within a relative 1e-9; everything else exactly."""
    if _is_null(left) or _is_null(right):
        return _is_null(left) and _is_null(right)
    if column in FLOAT_COLUMNS:
        return math.isclose(float(left), float(right), rel_tol=REL_TOL, abs_tol=1e-12)
    if column == "n_individuals":
        return int(left) == int(right)
    if column == "is_suppressed":
        return bool(left) == bool(right)
    return left == right


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[[*ROW_KEY, *COMPARED]].copy()
    frame["year"] = frame["year"].astype("int64")
    for column in ["indicator_code", "area_level", "area_code", "period", "gender"]:
        frame[column] = frame[column].astype(str)
    return frame


def compare(oracle: pd.DataFrame, warehouse: pd.DataFrame) -> Differences:
    oracle, warehouse = _normalised(oracle), _normalised(warehouse)
    joined = oracle.merge(
        warehouse, on=ROW_KEY, how="outer", suffixes=("_oracle", "_warehouse"), indicator=True
    )
    only_oracle = joined.loc[joined["_merge"] == "left_only", ROW_KEY]
    only_warehouse = joined.loc[joined["_merge"] == "right_only", ROW_KEY]
    both = joined[joined["_merge"] == "both"]
    found = []
    for column in COMPARED:
        left, right = both[f"{column}_oracle"], both[f"{column}_warehouse"]
        differs = [not same(column, a, b) for a, b in zip(left, right, strict=True)]
        bad = both.loc[differs, ROW_KEY].assign(
            column=column, oracle=left[differs].to_numpy(), warehouse=right[differs].to_numpy()
        )
        found.append(bad)
    mismatches = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    codes = sorted(set(oracle["indicator_code"]) | set(warehouse["indicator_code"]))
    return Differences(
        only_oracle.reset_index(drop=True),
        only_warehouse.reset_index(drop=True),
        mismatches.sort_values(ROW_KEY, ignore_index=True),
        codes,
    )


def _row_label(row: pd.Series) -> str:
    return f"{row.area_level}/{row.area_code} {row.year} {row.period} {row.gender}"


def report(differences: Differences, limit: int = 20) -> str:
    """Counts per indicator, then the first `limit` differences grouped by indicator."""
    lines = []
    issues: list[tuple[str, str]] = []
    for row in differences.only_in_oracle.itertuples():
        issues.append((row.indicator_code, f"only in oracle:    {_row_label(row)}"))
    for row in differences.only_in_warehouse.itertuples():
        issues.append((row.indicator_code, f"only in warehouse: {_row_label(row)}"))
    for row in differences.mismatches.itertuples():
        issues.append(
            (
                row.indicator_code,
                f"{row.column:<20} {_row_label(row)}: oracle={row.oracle!r} "
                f"warehouse={row.warehouse!r}",
            )
        )
    per_code = pd.Series([code for code, _ in issues], dtype="object").value_counts().sort_index()
    lines.append(
        f"{len(issues)} differences: " + ", ".join(f"{c} {n}" for c, n in per_code.items())
    )
    shown: dict[str, list[str]] = {}
    for code, text in sorted(issues, key=lambda issue: issue[0])[:limit]:
        shown.setdefault(code, []).append(text)
    for code, texts in shown.items():
        lines.append(f"{code}:")
        lines.extend(f"  {text}" for text in texts)
    return "\n".join(lines)
