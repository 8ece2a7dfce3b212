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
        self._issued: dict[tuple[date, bool, bool], list] = {}
        self._step = rng.choice((7, 13, 17, 19, 23, 29, 31, 37, 41, 43))  # coprime to 495

    def new(self, birth: date, male: bool) -> str:
        coordination = self._rng.random() < self._coordination_share
        state = self._state(birth, male, coordination)
        if state[0] >= self.SERIALS and not coordination:  # the date's serials are used up
            state = self._state(birth, male, True)
        if state[0] >= self.SERIALS:
            raise RuntimeError(f"no free personnummer left for {birth}")  # pragma: no cover
        issued, prefix, date_sum = state
        state[0] = issued + 1
        index = (birth.toordinal() * 31 + issued * self._step) % self.SERIALS
        pair, gender = divmod(index, 5)
        pair += 1
        digit = 2 * gender + 1 if male else 2 * gender
        total = date_sum + _DOUBLED[pair // 10] + pair % 10 + _DOUBLED[digit]
        return f"{prefix}{pair:02d}{digit}{(10 - total % 10) % 10}"

    def _state(self, birth: date, male: bool, coordination: bool) -> list:
        key = (birth, male, coordination)
        state = self._issued.get(key)
        if state is None:
            state = self._issued[key] = self._start(birth, coordination)
        return state

    @staticmethod
    def _start(birth: date, coordination: bool) -> list:
        """[numbers issued, ``YYYYMMDD`` (day + 60 for samordningsnummer), Luhn sum of YYMMDD]."""
        day = birth.day + (60 if coordination else 0)
        stem = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}"
        date_sum = sum(_DOUBLED[int(c)] for c in stem[0::2]) + sum(int(c) for c in stem[1::2])
        return [0, f"{birth.year // 100:02d}{stem}", date_sum]


def written(number: str, rng: random.Random, dash_share: float = 0.2) -> str:
    """How the case system writes a number in one row: ``YYYYMMDDNNNC`` or ``YYYYMMDD-NNNC``."""
    if rng.random() < dash_share:
        return f"{number[:8]}-{number[8:]}"
    return number
