"""Random draws: weighted picks, and decks that keep small samples close to their shares."""

from __future__ import annotations

import random
from collections.abc import Sequence


def between(rng: random.Random, low: int, high: int) -> int:
    """A whole number in ``[low, high]`` from one ``random()`` (``randint`` is far slower)."""
    return low + int(rng.random() * (high - low + 1))


def pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    """One key, drawn with probability proportional to its weight."""
    return rng.choices([key for key, _ in weighted], [w for _, w in weighted])[0]


class Deck:
    """Draws without replacement from a shuffled deck holding each key ``weight`` times.

    Every full deck has exactly the intended mix, so a small profile still shows rare codes
    (one AR-team participant in twelve retires) and shares stay near their targets.
    """

    def __init__(self, rng: random.Random, weighted: Sequence[tuple[str, int]]) -> None:
        self._rng = rng
        self._keys = [key for key, weight in weighted for _ in range(weight)]
        self._cards: list[str] = []

    def draw(self) -> str:
        if not self._cards:
            self._cards = self._keys.copy()
            self._rng.shuffle(self._cards)
        return self._cards.pop()
