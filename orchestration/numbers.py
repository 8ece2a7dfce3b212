"""Swedish number format for what the command line prints: `1 234 567`, `3,2 s`."""

from __future__ import annotations


def thousands(value: int) -> str:
    """An integer with a space between thousands: 1234567 → `1 234 567`."""
    return f"{value:,}".replace(",", " ")


def decimal(value: float, digits: int = 1) -> str:
    """A decimal number with a comma: 3.25 → `3,2` (digits after the comma)."""
    return thousands_decimal(f"{value:,.{digits}f}")


def thousands_decimal(formatted: str) -> str:
    return formatted.replace(",", " ").replace(".", ",")


def seconds(value: float) -> str:
    """A duration: `0,4 s`, `12,3 s`, `4 min 05 s`."""
    if value < 100:
        return f"{decimal(value)} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest:02d} s"
