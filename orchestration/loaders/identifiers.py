"""Validation of person identifiers with the `personnummer` package, and their pseudonyms.

Only distinct values pass through Python (a person appears in many rows); the result is joined
back in DuckDB. The personnummer itself leaves this module only as a pseudonym and a birth month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from personnummer import personnummer as pnr

from orchestration.pseudonym import pseudonymise

_TWELVE = re.compile(r"^\d{8}-?\d{4}$")
_TEN = re.compile(r"^\d{6}[-+]?\d{4}$")


@dataclass(frozen=True)
class PersonIdentity:
    """What the warehouse keeps of a personnummer (or why it was rejected)."""

    reason: str | None
    pseudonym: str | None = None
    birth_month: date | None = None
    is_coordination_number: bool | None = None


def identify_person(raw: str, key: bytes) -> PersonIdentity:
    value = raw.strip()
    if not value:
        return PersonIdentity(reason="personnummer saknas")
    if _TEN.match(value):
        return PersonIdentity(reason="personnummer med 10 siffror (århundrade okänt)")
    if not _TWELVE.match(value):
        return PersonIdentity(reason="personnummer har fel format (ska vara ÅÅÅÅMMDDNNNN)")
    digits = value.replace("-", "")
    try:
        parsed = pnr.Personnummer(digits)
        born = parsed.get_date()
    except Exception:  # the package raises its own exception or ValueError for bad dates
        return PersonIdentity(reason="ogiltigt personnummer (kontrollsiffra eller datum)")
    return PersonIdentity(
        reason=None,
        pseudonym=pseudonymise(key, digits),
        birth_month=date(born.year, born.month, 1),
        is_coordination_number=parsed.is_coordination_number(),
    )


def identify_employee(raw: str, key: bytes) -> str:
    """HR employee numbers are not personal identity numbers, but are pseudonymised too."""
    return pseudonymise(key, raw.strip(), domain="anstallning")
