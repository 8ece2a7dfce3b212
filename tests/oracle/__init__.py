"""An independent pandas oracle for marts.fct_indicator_value.

Computes every indicator of the catalogue straight from the raw CSV files of a landing directory,
following docs/indicator-rules.md, without any code or SQL shared with the pipeline (only the
reference-data CSV files in dbt_project/seeds are read, as data).

Layout:
- landing.py, exports.py, pnr.py — the raw-export contract: files, deliveries, valid rows
- reference.py — the seed CSV files (districts, catalogue, targets, code lists)
- periods.py, areas.py — periods and completeness; fan-out to areas and genders
- assistance.py, cases.py, measures.py, staff.py, client_survey.py — one function per indicator
- computed.py, assemble.py — from observed cells to the final rows (value, status, …)
- compute.py — `compute_indicators(landing)`
"""

from tests.oracle.compute import INDICATORS, compute_indicators

__all__ = ["INDICATORS", "compute_indicators"]
