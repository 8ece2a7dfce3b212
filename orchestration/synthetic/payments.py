"""One household's payments in one bidragsmånad."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from .draws import pick
from .households import Case, Household
from .months import Month, workday_on_or_after, workday_on_or_before

LO_PURPOSES: tuple[tuple[str, float], ...] = (
    ("HYRESSKULD", 20.0),
    ("TANDVARD", 35.0),
    ("TILLFALLIGT_BOENDE", 15.0),
    ("OVRIGT", 30.0),
)
LO_RANGE_KR: dict[str, tuple[int, int]] = {
    "HYRESSKULD": (3_000, 25_000),
    "TANDVARD": (800, 12_000),
    "TILLFALLIGT_BOENDE": (2_000, 12_000),
    "OVRIGT": (300, 5_000),
}


@dataclass(frozen=True)
class Payment:
    day: date
    amount: int  # öre; negative = correction
    typ: str  # FS or LO
    case: Case
    lo_andamal: str = ""


def _day_in_month(rng: random.Random, month: Month, low: int, high: int) -> date:
    return workday_on_or_before(month.first + timedelta(days=rng.randint(low, high) - 1))


def main_day(rng: random.Random, month: Month) -> date:
    """The main försörjningsstöd payment: late in the month before, or early in the month."""
    return workday_on_or_after(month.first + timedelta(days=rng.randint(-10, 3)))


def fs_amount(rng: random.Random, household: Household) -> int:
    factor = rng.uniform(0.4, 1.0) if household.spell_month == 0 else rng.uniform(0.92, 1.08)
    return round(household.fs_base * factor / 100) * 100


def normal(rng: random.Random, household: Household, month: Month, homeless: bool) -> list[Payment]:
    """Main FS payment, sometimes a supplement, an LO payment or a negative correction."""
    case = household.case
    total = fs_amount(rng, household)
    payments: list[Payment] = []
    if rng.random() < 0.12:
        supplement = round(total * rng.uniform(0.05, 0.25) / 100) * 100
        payments.append(Payment(_day_in_month(rng, month, 8, 25), supplement, "FS", case))
        total -= supplement
    payments.append(Payment(main_day(rng, month), total, "FS", case))
    if rng.random() < (0.25 if homeless else 0.06):
        purpose = (
            "TILLFALLIGT_BOENDE" if homeless and rng.random() < 0.7 else pick(rng, LO_PURPOSES)
        )
        low, high = LO_RANGE_KR[purpose]
        amount = rng.randint(low * 100, high * 100)
        if purpose != "TANDVARD":
            amount = amount // 100 * 100
        written_purpose = "" if rng.random() < 0.03 else purpose  # lo_andamal is optional
        payments.append(
            Payment(_day_in_month(rng, month, 3, 27), amount, "LO", case, written_purpose)
        )
    if rng.random() < 0.02:
        correction = -min(total // 2, rng.randint(200, 2_500) * 100)
        payments.append(Payment(_day_in_month(rng, month, 10, 28), correction, "FS", case))
    return sorted(payments, key=lambda p: p.day)


def net_zero(rng: random.Random, household: Household, month: Month) -> list[Payment]:
    """A payment and its equal reversal: the household is no bidragshushåll this month."""
    paid = Payment(main_day(rng, month), fs_amount(rng, household), "FS", household.case)
    reversal = Payment(paid.day + timedelta(days=rng.randint(2, 12)), -paid.amount, "FS", paid.case)
    return [paid, reversal]


def split(rng: random.Random, household: Household, month: Month, new_case: Case) -> list[Payment]:
    """A move: the old district pays first, the new one the rest (never an equal split)."""
    total = fs_amount(rng, household)
    share = rng.choice((rng.uniform(0.25, 0.45), rng.uniform(0.55, 0.75)))
    old_part = round(total * share / 100) * 100
    return [
        Payment(main_day(rng, month), old_part, "FS", household.case),
        Payment(_day_in_month(rng, month, 14, 26), total - old_part, "FS", new_case),
    ]
