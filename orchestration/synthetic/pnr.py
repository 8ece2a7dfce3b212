"""Synthetic Swedish personnummer and samordningsnummer (12 digits, Luhn on the last ten)."""

from __future__ import annotations

import random
from datetime import date


def luhn_check_digit(digits: str) -> int:
    """Check digit for the nine digits ``YYMMDDNNN``."""
    total = sum(_DOUBLED[int(c)] for c in digits[0::2]) + sum(int(c) for c in digits[1::2])
    return (10 - total % 10) % 10


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # digit × 2, digits summed


class PersonnummerFactory:
    """Hands out unique numbers; the gender digit (the ninth digit) is odd for men.

    Unique by construction, without remembering the numbers: the k-th number for one birth
    date, gender and kind takes serial k of a fixed order of the 495 serials (01–99 × five
    gender digits), so memory grows with the dates used, not with the people (a national run
    has millions). When a date's serials run out, a samordningsnummer is handed out instead.
    """

    SERIALS = 99 * 5

    def __init__(self, rng: random.Random, coordination_share: float = 0.03) -> None:
        self._rng = rng
        self._coordination_share = coordination_share
        self._issued: dict[tuple[date, bool, bool], int] = {}
        self._step = rng.choice((7, 13, 17, 19, 23, 29, 31, 37, 41, 43))  # coprime to 495

    def new(self, birth: date, male: bool) -> str:
        coordination = self._rng.random() < self._coordination_share
        key = (birth, male, coordination)
        issued = self._issued.get(key, 0)
        if issued >= self.SERIALS:
            if coordination:
                raise RuntimeError(f"no free personnummer left for {birth}")  # pragma: no cover
            key = (birth, male, True)
            issued = self._issued.get(key, 0)
            if issued >= self.SERIALS:
                raise RuntimeError(f"no free personnummer left for {birth}")  # pragma: no cover
            coordination = True
        self._issued[key] = issued + 1
        index = (birth.toordinal() * 31 + issued * self._step) % self.SERIALS
        pair, gender = divmod(index, 5)
        digit = 2 * gender + 1 if male else 2 * gender
        day = birth.day + (60 if coordination else 0)
        body = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{pair + 1:02d}{digit}"
        return f"{birth.year // 100:02d}{body}{luhn_check_digit(body)}"


def written(number: str, rng: random.Random, dash_share: float = 0.2) -> str:
    """How the case system writes a number in one row: ``YYYYMMDDNNNC`` or ``YYYYMMDD-NNNC``."""
    if rng.random() < dash_share:
        return f"{number[:8]}-{number[8:]}"
    return number
