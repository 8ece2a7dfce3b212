"""Synthetic Swedish personnummer and samordningsnummer (12 digits, Luhn on the last ten)."""

from __future__ import annotations

import random
from datetime import date


def luhn_check_digit(digits: str) -> int:
    """Check digit for the nine digits ``YYMMDDNNN``."""
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


class PersonnummerFactory:
    """Hands out unique numbers; the gender digit (the ninth digit) is odd for men."""

    def __init__(self, rng: random.Random, coordination_share: float = 0.03) -> None:
        self._rng = rng
        self._coordination_share = coordination_share
        self._used: set[str] = set()

    def new(self, birth: date, male: bool) -> str:
        coordination = self._rng.random() < self._coordination_share
        day = birth.day + (60 if coordination else 0)
        stem = f"{birth.year:04d}{birth.month:02d}{day:02d}"
        parities = (1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8)
        for _ in range(1000):
            serial = f"{self._rng.randint(1, 99):02d}{self._rng.choice(parities)}"
            body = stem[2:] + serial
            number = f"{stem}{serial}{luhn_check_digit(body)}"
            if number not in self._used:
                self._used.add(number)
                return number
        raise RuntimeError(f"no free personnummer left for {birth}")  # pragma: no cover


def written(number: str, rng: random.Random, dash_share: float = 0.2) -> str:
    """How the case system writes a number in one row: ``YYYYMMDDNNNC`` or ``YYYYMMDD-NNNC``."""
    if rng.random() < dash_share:
        return f"{number[:8]}-{number[8:]}"
    return number
