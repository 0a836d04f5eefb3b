"""Which intervention draws on which hour-bank block (BILLING.md B9), pure.

`pricing.price_month` says how many minutes a month takes from the bank and what is
overage; the ledger must also say *which* intervention took *how much* from *which*
block. This module walks the same order as B9 — interventions by date, then reference;
each drawing on the blocks valid on its date, the one expiring first first (no expiry
last; ties: earliest bought, then reference) — and returns every take. A test holds it
to `price_month`: same used, expired and remaining minutes on the same input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class BankBlock:
    ref: str
    minutes: int  # available at the start of the month
    bought: date
    expires: date | None


@dataclass(frozen=True, slots=True)
class BankWork:
    ref: str  # string order breaks ties of the same day (B9)
    day: date
    minutes: int  # already rounded per B2


@dataclass(slots=True)
class Allocation:
    takes: list[tuple[str, str, int]] = field(default_factory=list)  # (work ref, block ref, minutes)
    overage: dict[str, int] = field(default_factory=dict)  # work ref → minutes no block covered
    left: dict[str, int] = field(default_factory=dict)  # block ref → minutes left after the month's work
    expired: dict[str, int] = field(default_factory=dict)  # block ref → minutes lost at its expiry in the month

    @property
    def used(self) -> int:
        return sum(minutes for _, _, minutes in self.takes)


def rounded(minutes: int, increment: int) -> int:
    """B2: rounded up to the increment, per intervention (0 stays 0)."""
    return -(-minutes // increment) * increment


def _order(block: BankBlock) -> tuple:
    return (block.expires is None, block.expires or date.max, block.bought, block.ref)


def allocate(blocks: Iterable[BankBlock], work: Iterable[BankWork], *, first: date, last: date) -> Allocation:
    """Allocate one month's included, billable work (`first`–`last`) to the blocks."""
    usable = sorted((b for b in blocks if b.expires is None or b.expires >= first), key=_order)
    out = Allocation(left={b.ref: max(0, b.minutes) for b in usable})
    for item in sorted(work, key=lambda w: (w.day, w.ref)):
        need = item.minutes
        for block in usable:
            if not need:
                break
            if block.bought > item.day or (block.expires is not None and block.expires < item.day):
                continue
            have = out.left[block.ref]
            if have:
                take = min(need, have)
                out.left[block.ref] = have - take
                out.takes.append((item.ref, block.ref, take))
                need -= take
        if need:
            out.overage[item.ref] = need
    for block in usable:
        if block.expires is not None and block.expires <= last and out.left[block.ref]:
            out.expired[block.ref] = out.left[block.ref]
    return out
