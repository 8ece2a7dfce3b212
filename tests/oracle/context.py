"""What every indicator family needs: reference data, the valid raw rows, and source months."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from tests.oracle.exports import Landing
from tests.oracle.periods import last_day
from tests.oracle.reference import Reference


@dataclass
class Context:
    ref: Reference
    landing: Landing
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def memo(self, name: str, compute: Callable[[], Any]) -> Any:
        """Compute a shared intermediate (household-months, recipient-months) once."""
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    # --- source months (rulebook, common rule 6) -------------------------------------------
    @cached_property
    def payment_months(self) -> frozenset[int]:
        """Months with both a payments and a household-members delivery."""
        return self.landing.payment_months & self.landing.member_months

    def _snapshot_months(self, extraction: pd.Timestamp | None) -> frozenset[int]:
        """From the first payment month, months whose last day is before the extraction date."""
        if extraction is None or not self.payment_months:
            return frozenset()
        month, months = min(self.payment_months), set()
        while last_day(month) < extraction:
            months.add(month)
            month += 1
        return frozenset(months)

    @cached_property
    def case_months(self) -> frozenset[int]:
        return self._snapshot_months(self.landing.case_extraction)

    @cached_property
    def measure_months(self) -> frozenset[int]:
        return self._snapshot_months(self.landing.measure_extraction)

    def export_months(self, export: str) -> frozenset[int]:
        """Months of a catalogue-v2 snapshot export (like arenden's)."""
        return self._snapshot_months(self.landing.extractions.get(export))

    @cached_property
    def absence_months(self) -> frozenset[int]:
        return self.landing.absence_months

    @staticmethod
    def _whole_years(years: frozenset[int]) -> frozenset[int]:
        return frozenset(year * 12 + m for year in years for m in range(12))

    @cached_property
    def staff_survey_months(self) -> frozenset[int]:
        return self._whole_years(self.landing.staff_survey_years)

    @cached_property
    def client_survey_months(self) -> frozenset[int]:
        return self._whole_years(self.landing.client_survey_years)
