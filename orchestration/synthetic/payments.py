"""One household's payments in one bidragsmånad.

The hot path of the generator: draws use ``rng.random()`` only (``randint`` costs ten times as
much) and days come from the month's precomputed workdays (``MonthFrame``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

from .households import Case, Household
from .months import MonthFrame

Random = Callable[[], float]

# (purpose, cumulative weight in %): HYRESSKULD 9, TANDVARD 35, TILLFALLIGT_BOENDE 15, OVRIGT 41.
# Rent arrears: seed 001, Hägersten-Älvsjö 2023, 932 000 kr to 53 households (≈ 17 600 kr each).
LO_PURPOSES: tuple[tuple[str, float], ...] = (
    ("HYRESSKULD", 0.09),
    ("TANDVARD", 0.44),
    ("TILLFALLIGT_BOENDE", 0.59),
    ("OVRIGT", 1.00),
)
LO_RANGE_KR: dict[str, tuple[int, int]] = {
    "HYRESSKULD": (6_000, 29_000),
    "TANDVARD": (800, 12_000),
    "TILLFALLIGT_BOENDE": (2_000, 12_000),
    "OVRIGT": (300, 6_500),
}


class Payment(NamedTuple):
    day: date
    amount: int  # öre; negative = correction
    typ: str  # FS or LO
    case: Case
    lo_andamal: str = ""
    lag: int = 0  # months after the bidragsmånad's first delivery that the row is booked


def between(rand: Random, low: int, high: int) -> int:
    """A whole number in ``[low, high]``."""
    return low + int(rand() * (high - low + 1))


def main_day(rand: Random, frame: MonthFrame) -> date:
    """The main försörjningsstöd payment: late in the month before, or early in the month."""
    return frame.main_days[int(rand() * 14)]


def fs_amount(rand: Random, household: Household) -> int:
    low, width = (0.4, 0.6) if household.spell_month == 0 else (0.92, 0.16)
    return round(household.fs_base * (low + width * rand()) / 100) * 100


def _lo_purpose(rand: Random) -> str:
    draw = rand()
    for purpose, cumulative in LO_PURPOSES:
        if draw < cumulative:
            return purpose
    return "OVRIGT"  # pragma: no cover


def normal(rand: Random, household: Household, frame: MonthFrame, homeless: bool) -> list[Payment]:
    """Main FS payment, sometimes a supplement, an LO payment or a negative correction."""
    case = household.case
    total = fs_amount(rand, household)
    payments: list[Payment] = []
    if rand() < 0.12:
        supplement = round(total * (0.05 + 0.2 * rand()) / 100) * 100
        payments.append(Payment(frame.on_or_before[between(rand, 8, 25)], supplement, "FS", case))
        total -= supplement
    payments.append(Payment(main_day(rand, frame), total, "FS", case))
    if rand() < (0.25 if homeless else 0.06):
        purpose = "TILLFALLIGT_BOENDE" if homeless and rand() < 0.7 else _lo_purpose(rand)
        low, high = LO_RANGE_KR[purpose]
        amount = between(rand, low * 100, high * 100)
        if purpose != "TANDVARD":
            amount = amount // 100 * 100
        written_purpose = "" if rand() < 0.03 else purpose  # lo_andamal is optional
        day = frame.on_or_before[between(rand, 3, 27)]
        payments.append(Payment(day, amount, "LO", case, written_purpose))
    if rand() < 0.02:
        correction = -min(total // 2, between(rand, 200, 2_500) * 100)
        payments.append(Payment(frame.on_or_before[between(rand, 10, 28)], correction, "FS", case))
    if len(payments) > 1:
        payments.sort(key=_day)
    return payments


def _day(payment: Payment) -> date:
    return payment.day


def net_zero(rand: Random, household: Household, frame: MonthFrame) -> list[Payment]:
    """A payment and its equal reversal: the household is no bidragshushåll this month."""
    day = main_day(rand, frame)
    amount = fs_amount(rand, household)
    reversal_day = day + timedelta(days=between(rand, 2, 12))
    case = household.case
    return [Payment(day, amount, "FS", case), Payment(reversal_day, -amount, "FS", case)]


def split(rand: Random, household: Household, frame: MonthFrame, new_case: Case) -> list[Payment]:
    """A move: the old district pays first, the new one the rest (never an equal split)."""
    total = fs_amount(rand, household)
    share = 0.25 + 0.2 * rand() if rand() < 0.5 else 0.55 + 0.2 * rand()
    old_part = round(total * share / 100) * 100
    return [
        Payment(main_day(rand, frame), old_part, "FS", household.case),
        Payment(frame.on_or_before[between(rand, 14, 26)], total - old_part, "FS", new_case),
    ]


def late(
    rand: Random,
    household: Household,
    paid: list[Payment],
    following: MonthFrame,
    lag: int,
    correction: bool = False,
) -> Payment:
    """A row booked in a later month for this bidragsmånad: a correction or a supplement.

    Dated from the 6th of the month ``lag`` months on, so after that month's extraction date
    (the 5th) it is in the re-delivery, not in the first delivery. ``correction`` forces a
    negative correction.
    """
    case = household.case
    day = following.on_or_after[between(rand, 6, 26)]
    fs_total = sum(p.amount for p in paid if p.typ == "FS")
    if (
        correction or rand() < 0.6
    ) and fs_total > 400_00:  # overpaid: take back part, the month stays positive
        amount = -min(fs_total // 2, between(rand, 200, 3_000) * 100)
        return Payment(day, amount, "FS", case, "", lag)
    if rand() < 0.5:
        return Payment(day, between(rand, 300, 4_000) * 100, "FS", case, "", lag)
    amount = between(rand, 800, 12_000) * 100
    return Payment(day, amount, "LO", case, "" if rand() < 0.03 else "OVRIGT", lag)


def retroactive(paid: list[Payment], following: MonthFrame, rand: Random) -> list[Payment]:
    """The whole month decided late: every row is paid in the next month (first re-delivery)."""
    day = following.on_or_after[between(rand, 6, 20)]
    return [p._replace(day=day, lag=1) for p in paid]


def reversal(rand: Random, paid: list[Payment], following: MonthFrame) -> Payment:
    """Paid in error: one row two months later takes the whole month back (net 0 kr)."""
    day = following.on_or_after[between(rand, 6, 26)]
    total = sum(p.amount for p in paid)
    return Payment(day, -total, "FS", paid[0].case, "", 2)
