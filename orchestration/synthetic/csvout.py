"""Writing contract CSV: ``;``, header row, UTF-8 without BOM, ``\\n``, decimal comma."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol


class RowWriter(Protocol):
    def writerow(self, row: Sequence[str | int], /) -> object: ...


@contextmanager
def csv_writer(path: Path, header: Sequence[str]) -> Iterator[RowWriter]:
    """Open ``path`` for writing one export and yield a csv writer with the header written."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        yield writer


def hundredths(value: int) -> str:
    """Format an integer number of hundredths (öre, centi-hours) with a decimal comma."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 100)
    return f"{sign}{whole},{frac:02d}"
