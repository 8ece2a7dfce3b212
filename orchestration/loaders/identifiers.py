"""Person identifiers: validation with the `personnummer` package, pseudonyms, masking.

- A personnummer must be 12 digits `ÅÅÅÅMMDDNNNN`, optionally with `-` before the last four;
  the check digit and date are validated by the `personnummer` package (samordningsnummer,
  day + 60, are valid). A 10-digit number is rejected (century unknown), and so is `+` (only
  meaningful in the 10-digit form) and any other character, spaces included.
- Only distinct values are validated (a person appears in many rows); the loader keeps a cache.
- The personnummer itself leaves this module only as a keyed pseudonym, a birth month and the
  samordningsnummer flag. Every text the loader stores or logs goes through `mask` first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from personnummer import personnummer as pnr

from orchestration.pseudonym import pseudonymise

_TWELVE = re.compile(r"^\d{8}-?\d{4}$")
_TEN = re.compile(r"^\d{6}[-+]?\d{4}$")
_PLUS_TWELVE = re.compile(r"^\d{8}\+\d{4}$")

# Anything shaped like a personnummer, broadly: 6 or 8 digits, an optional - or +, 4 digits.
MASK_PATTERN = r"\d{6,8}[-+]?\d{4}"
_MASK = re.compile(MASK_PATTERN)
MASK_TEXT = "XXXXXXXX-XXXX"
# What the privacy scan looks for (10 or 12 digits not inside a longer word, nor the fraction of
# a decimal number); candidates are then checked with the `personnummer` package.
_CANDIDATE = re.compile(r"(?<![\dA-Za-z])(?<!\d[.,])(?:\d{8}|\d{6})[-+]?\d{4}(?![\dA-Za-z])")
CANDIDATE_PREFILTER_SQL = r"(^|[^0-9A-Za-z])(\d{6}|\d{8})[-+]?\d{4}([^0-9A-Za-z]|$)"

MISSING = "saknar värde i {column}"
TEN_DIGITS = "personnummer med 10 siffror (århundrade okänt; ska vara ÅÅÅÅMMDD-NNNN)"
PLUS_SIGN = "personnummer med '+' (ska vara 12 siffror, ÅÅÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN)"
BAD_FORMAT = "personnummer har fel format (ska vara ÅÅÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN)"
INVALID = "ogiltigt personnummer (kontrollsiffra eller datum stämmer inte)"


@dataclass(frozen=True)
class PersonIdentity:
    """What the warehouse keeps of a personnummer (or why it was rejected)."""

    reason: str | None
    pseudonym: str | None = None
    birth_month: date | None = None
    is_coordination_number: bool | None = None


def identify_person(raw: str, key: bytes, column: str = "personnummer") -> PersonIdentity:
    value = raw.strip()
    if not value:
        return PersonIdentity(reason=MISSING.format(column=column))
    if _TEN.match(value):
        return PersonIdentity(reason=TEN_DIGITS)
    if _PLUS_TWELVE.match(value):
        return PersonIdentity(reason=PLUS_SIGN)
    if not _TWELVE.match(value):
        return PersonIdentity(reason=BAD_FORMAT)
    digits = value.replace("-", "")
    try:
        parsed = pnr.Personnummer(digits)
        born = parsed.get_date()
    except Exception:  # the package raises its own exceptions, or ValueError for bad dates
        return PersonIdentity(reason=INVALID)
    return PersonIdentity(
        reason=None,
        pseudonym=pseudonymise(key, digits),
        birth_month=date(born.year, born.month, 1),
        is_coordination_number=parsed.is_coordination_number(),
    )


def identify_employee(raw: str, key: bytes) -> str:
    """HR employee numbers are not personal identity numbers, but are pseudonymised too."""
    return pseudonymise(key, raw.strip(), domain="anstallning")


def mask(text: str) -> str:
    """`text` with everything shaped like a personnummer replaced by XXXXXXXX-XXXX."""
    return _MASK.sub(MASK_TEXT, text)


_DIGITS_TO_X = str.maketrans("0123456789", "XXXXXXXXXX")


def mask_digits(text: str) -> str:
    """Every digit replaced by X (the personnummer and employee-number fields of a reject)."""
    return text.translate(_DIGITS_TO_X)


def contains_personnummer(text: str) -> bool:
    """Whether `text` holds a valid personnummer (10 or 12 digits) — the privacy scan's rule."""
    return any(pnr.valid(m.group(0).replace("+", "-")) for m in _CANDIDATE.finditer(text))
