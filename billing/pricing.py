"""Invoice arithmetic for one contract-month (BILLING.md B1–B12). Pure Python.

No Django import, no settings, no clock, no I/O: the monthly run gathers a month's facts
(the plan in force, interventions, first-resolved tickets, recorded breaches, carried
minutes, hour-bank blocks), calls :func:`price_month` and stores what it returns.

Public face::

    plan = Plan(model="hybrid", monthly_fee=Decimal("900.00"), hourly_rate=Decimal("80.00"),
                included_minutes=600, rollover_cap_minutes=300, increment_minutes=15,
                ticket_prices={...}, penalty_percent={("P1", "resolution"): Decimal("5")},
                penalty_cap_percent=Decimal("20"), vat_rate=Decimal("20"))
    st = price_month(plan, year=2026, month=3, active=(date(2026, 3, 1), date(2026, 3, 31)),
                     interventions=[Intervention(...)], resolved_tickets=[("TCK-1", "corrective")],
                     breaches=[Breach(...)], carried_minutes=0, blocks=[Block(...)])
    st.lines                       # [Line]: fee, tickets, overage, on_quote, credit (B6–B10)
    st.net, st.vat, st.gross       # Decimal (B1, B11)
    st.carry_minutes               # hybrid (B8)
    st.blocks_after, st.expired_minutes   # hour_bank (B9)
    st.used_minutes                # from the allowance (B8) or the bank (B9)
    round_half_up(value, exponent=CENT)   # B1

Where the rules are silent, our decisions (each pinned by a test in
tests/billing/test_pricing.py):

* ``Line.label`` is a key, not prose (this module does not know the invoice's language):
  the maintenance type on ``tickets`` and ``on_quote`` lines, the breached tickets that
  earned a credit on the ``credit`` line (sorted, unique, ", "-joined), "" otherwise.
* ``blocks_after`` keeps the caller's order of the blocks.
* Inputs that belong to another model are ignored (resolved tickets unless per_ticket,
  carried minutes unless hybrid, blocks unless hour_bank), but still validated (B12).
* A block bought after the month is untouched and returned in ``blocks_after``.
* A block that expires before it is bought, or a block reference given twice, is bad
  input (``ValueError``), like the cases B12 lists.
* The same (ticket, priority, metric) passed twice counts twice: B10 says one entry per
  recorded breach, so de-duplicating is the caller's business.
* Amounts and percentages may be ``Decimal`` or ``int``; anything else (``float`` above
  all, B1) is refused with a ``ValueError`` naming the field.

Performance: the plan and each intervention, block and breach validate themselves once,
when built; :func:`price_month` checks only what depends on the month.  All decimal
arithmetic goes through one module-level context (high precision, half-up), so results
never depend on the caller's thread context and no context is created per call; hours
and proration quotients are computed in integers and scaled, which is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from types import MappingProxyType

MODELS = ("flat_fee", "per_ticket", "hour_bank", "hybrid")
KINDS = ("fee", "tickets", "overage", "on_quote", "credit")
UNITS = ("month", "ticket", "hour", "unit")

CENT = Decimal("0.01")
# 60 significant digits: a product or sum of amounts is exact long before that, so the
# only rounding is the explicit half-up quantize of B1 (the default context would round
# silently at 28 digits, and the caller's context could be anything).
_CTX = Context(prec=60, rounding=ROUND_HALF_UP)
_ZERO = Decimal("0.00")
_ONE = Decimal("1")
_WHOLE_MONTH = Decimal("1.0000")  # B4: quantity 1 for a whole month, at 4 decimals


def round_half_up(value: Decimal, exponent: Decimal = CENT) -> Decimal:
    """B1: ``value`` rounded half away from zero to ``exponent`` (a cent by default)."""
    return _CTX.quantize(value, exponent)


# --------------------------------------------------------------------------- inputs


def _amount(name: str, value: object) -> Decimal:
    """A non-negative, finite Decimal (an int is taken as exact); else ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise ValueError(f"{name}: expected a Decimal, got {value!r}")
    if isinstance(value, int):
        value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name}: must be a finite number, got {value}")
    if value < 0:
        raise ValueError(f"{name}: must not be negative, got {value}")
    return value


def _minutes(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}: expected a whole number of minutes, got {value!r}")
    if value < 0:
        raise ValueError(f"{name}: must not be negative, got {value}")
    return value


def _day(name: str, value: object) -> date:
    # A datetime is a date subclass, but comparing one with a date raises TypeError later.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"{name}: expected a date, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Plan:
    """The billing plan in force for the month. Validated once, when built (B12)."""

    model: str  # flat_fee | per_ticket | hour_bank | hybrid
    monthly_fee: Decimal = _ZERO  # flat_fee, hybrid
    hourly_rate: Decimal = _ZERO  # overage and work on quote
    included_minutes: int = 0  # hybrid, per month
    rollover_cap_minutes: int | None = None  # hybrid; None = nothing carried
    increment_minutes: int = 15
    ticket_prices: Mapping[str, Decimal] = field(default_factory=dict)  # per_ticket
    penalty_percent: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)  # B10
    penalty_cap_percent: Decimal = Decimal("0")
    vat_rate: Decimal = Decimal("0")

    def __post_init__(self) -> None:
        put = object.__setattr__  # frozen: normalise in place, once
        if self.model not in MODELS:
            raise ValueError(f"model: unknown billing model {self.model!r} (expected one of {', '.join(MODELS)})")
        put(self, "monthly_fee", _amount("monthly_fee", self.monthly_fee))
        put(self, "hourly_rate", _amount("hourly_rate", self.hourly_rate))
        put(self, "vat_rate", _amount("vat_rate", self.vat_rate))
        _minutes("included_minutes", self.included_minutes)
        if self.rollover_cap_minutes is not None:
            _minutes("rollover_cap_minutes", self.rollover_cap_minutes)
        increment = self.increment_minutes
        if isinstance(increment, bool) or not isinstance(increment, int) or increment < 1:
            raise ValueError(f"increment_minutes: must be a whole number of minutes ≥ 1, got {increment!r}")
        cap = _amount("penalty_cap_percent", self.penalty_cap_percent)
        if cap > 100:
            raise ValueError(f"penalty_cap_percent: must be between 0 and 100, got {cap}")
        put(self, "penalty_cap_percent", cap)
        # Copied and frozen, so that nobody changes a price after it was checked.
        prices = {kind: _amount(f"ticket_prices[{kind!r}]", price) for kind, price in self.ticket_prices.items()}
        put(self, "ticket_prices", MappingProxyType(prices))
        percents = {
            key: _amount(f"penalty_percent[{key!r}]", pct) for key, pct in self.penalty_percent.items()
        }
        put(self, "penalty_percent", MappingProxyType(percents))


@dataclass(frozen=True, slots=True)
class Intervention:
    """Logged work. ``included``: its maintenance type is in the contract's price (B5)."""

    ref: str
    day: date
    minutes: int
    maintenance_type: str
    included: bool = True
    billable: bool = True

    def __post_init__(self) -> None:
        _minutes(f"interventions[{self.ref}].minutes", self.minutes)
        _day(f"interventions[{self.ref}].day", self.day)


@dataclass(frozen=True, slots=True)
class Block:
    """Prepaid hour-bank minutes, valid from ``bought`` to ``expires`` inclusive (None: no expiry)."""

    ref: str
    minutes: int
    expires: date | None
    bought: date

    def __post_init__(self) -> None:
        _minutes(f"blocks[{self.ref}].minutes", self.minutes)
        _day(f"blocks[{self.ref}].bought", self.bought)
        if self.expires is not None:
            _day(f"blocks[{self.ref}].expires", self.expires)
            if self.expires < self.bought:
                raise ValueError(f"blocks[{self.ref}].expires: {self.expires} is before bought {self.bought}")


@dataclass(frozen=True, slots=True)
class Breach:
    """One recorded SLA breach of the month (by ``breached_at``), B10."""

    ticket: str
    priority: str
    metric: str


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class Line:
    kind: str  # fee | tickets | overage | on_quote | credit
    label: str  # a key: the maintenance type, the credited tickets, or "" (see the module docstring)
    quantity: Decimal
    unit: str  # month | ticket | hour | unit
    unit_price: Decimal
    amount: Decimal  # == round_half_up(quantity × unit_price), B1


@dataclass(frozen=True, slots=True)
class Statement:
    lines: list[Line]
    net: Decimal
    vat: Decimal
    gross: Decimal
    carry_minutes: int = 0
    blocks_after: list[Block] = field(default_factory=list)
    expired_minutes: int = 0
    used_minutes: int = 0


# --------------------------------------------------------------------------- helpers

_MONTHS: dict[tuple[int, int], tuple[date, date]] = {}


def _month_bounds(year: object, month: object) -> tuple[date, date]:
    try:
        return _MONTHS[(year, month)]  # type: ignore[index]
    except (KeyError, TypeError):
        pass
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise ValueError(f"year: expected a year between 1 and 9999, got {year!r}")
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ValueError(f"month: expected a month between 1 and 12, got {month!r}")
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last = date.fromordinal(following.toordinal() - 1)  # Feb 29 in leap years, by the calendar
    _MONTHS[(year, month)] = (first, last)
    return first, last


def _hours(minutes: int) -> Decimal:
    """B3: minutes / 60, half-up to 2 decimals, in integers: floor(minutes·100/60 + ½)."""
    return Decimal((minutes * 200 + 60) // 120).scaleb(-2, _CTX)


def _line(kind: str, label: str, quantity: Decimal, unit: str, unit_price: Decimal) -> Line:
    return Line(kind, label, quantity, unit, unit_price, _CTX.quantize(_CTX.multiply(quantity, unit_price), CENT))


def _block_order(block: Block) -> tuple:
    # B9: the one expiring first first, no expiry last; ties: earliest bought, then reference.
    return (block.expires is None, block.expires or date.max, block.bought, block.ref)


# --------------------------------------------------------------------------- price_month


def price_month(
    plan: Plan,
    *,
    year: int,
    month: int,
    active: tuple[date, date],
    interventions: Iterable[Intervention] = (),
    resolved_tickets: Iterable[tuple[str, str]] = (),
    breaches: Iterable[Breach] = (),
    carried_minutes: int = 0,
    blocks: Iterable[Block] = (),
) -> Statement:
    """Price one calendar month of one contract (BILLING.md B1–B12).

    ``active`` is the contract's first and last active day in the month (inclusive).
    ``resolved_tickets`` are ``(reference, maintenance_type)`` pairs of the tickets first
    resolved this month (B7).  Raises ``ValueError`` naming the field on bad input (B12).
    """
    first, last = _month_bounds(year, month)
    try:
        start, end = active
    except (TypeError, ValueError):
        raise ValueError(f"active: expected a (first day, last day) pair, got {active!r}") from None
    _day("active[0]", start)
    _day("active[1]", end)
    if start > end:
        raise ValueError(f"active: the range {start} – {end} is reversed")
    if start < first or end > last:
        raise ValueError(f"active: {start} – {end} is not inside {year}-{month:02d}")
    carried = _minutes("carried_minutes", carried_minutes)
    interventions = interventions if isinstance(interventions, (list, tuple)) else list(interventions)
    refs = set()
    for iv in interventions:
        if not first <= iv.day <= last:
            raise ValueError(f"interventions[{iv.ref}].day: {iv.day} is not inside {year}-{month:02d}")
        refs.add(iv.ref)
    if len(refs) != len(interventions):
        raise ValueError(f"interventions: a reference is given twice ({_duplicate(iv.ref for iv in interventions)})")
    resolved_tickets = resolved_tickets if isinstance(resolved_tickets, (list, tuple)) else list(resolved_tickets)
    if len({ref for ref, _ in resolved_tickets}) != len(resolved_tickets):
        raise ValueError(f"resolved_tickets: a ticket is given twice ({_duplicate(r for r, _ in resolved_tickets)})")
    blocks = blocks if isinstance(blocks, (list, tuple)) else list(blocks)
    if len({b.ref for b in blocks}) != len(blocks):
        raise ValueError(f"blocks: a reference is given twice ({_duplicate(b.ref for b in blocks)})")

    model = plan.model
    increment = plan.increment_minutes
    rate = plan.hourly_rate
    # B2 per intervention, then B5: on-quote minutes per maintenance type; included work
    # is what the model covers (fee, tickets, allowance or bank).
    on_quote: dict[str, int] = {}
    covered: list[tuple[date, str, int]] = []
    for iv in interventions:
        if not iv.billable or not iv.minutes:
            continue
        rounded = -(-iv.minutes // increment) * increment
        if iv.included:
            covered.append((iv.day, iv.ref, rounded))
        else:
            on_quote[iv.maintenance_type] = on_quote.get(iv.maintenance_type, 0) + rounded

    lines: list[Line] = []
    overage = carry_out = used = expired = 0
    blocks_after: list[Block] = []

    if model == "flat_fee" or model == "hybrid":
        days = last.day
        active_days = end.toordinal() - start.toordinal() + 1
        if active_days == days:
            quantity = _WHOLE_MONTH
            included = plan.included_minutes
        else:
            # B4: half-up to 4 decimals, floor((2·10000·a + d) / 2d), exact in integers.
            quantity = Decimal((active_days * 20000 + days) // (2 * days)).scaleb(-4, _CTX)
            included = plan.included_minutes * active_days // days
        # B6/B8: the fee line stays even when it is zero.
        lines.append(_line("fee", "", quantity, "month", plan.monthly_fee))
        if model == "hybrid":
            # B8: carried minutes first (they expire tonight anyway), then this month's.
            total = sum([minutes for _, _, minutes in covered])
            from_carry = min(total, carried)
            from_included = min(total - from_carry, included)
            overage = total - from_carry - from_included
            used = from_carry + from_included
            cap = plan.rollover_cap_minutes
            # Nothing is carried out of a month in which the contract stops (B8), and the
            # cap is a ceiling, not prorated.
            if cap is not None and end == last:
                carry_out = min(included - from_included, cap)

    elif model == "per_ticket":
        counts: dict[str, int] = {}
        for _ref, kind in resolved_tickets:
            counts[kind] = counts.get(kind, 0) + 1
        prices = plan.ticket_prices
        for kind in sorted(counts):
            price = prices.get(kind)
            if price is None:
                raise ValueError(f"ticket_prices[{kind!r}]: no price for the maintenance type {kind!r}")
            line = _line("tickets", kind, Decimal(counts[kind]), "ticket", price)
            if line.amount:
                lines.append(line)

    else:  # hour_bank
        # Blocks that expired before the month are ignored (B9: the caller should not
        # pass them); each remaining one is [remaining, bought, expires or None, index].
        usable = sorted(
            (b for b in blocks if b.minutes and (b.expires is None or b.expires >= first)), key=_block_order
        )
        left = {b.ref: b.minutes for b in usable}
        if covered and usable:
            covered.sort()  # B9: by date, then by reference (string order)
            for day, _ref, need in covered:
                for b in usable:
                    if b.bought > day or (b.expires is not None and b.expires < day):
                        continue  # valid on day d when bought ≤ d ≤ expires
                    have = left[b.ref]
                    if have:
                        take = need if need < have else have
                        left[b.ref] = have - take
                        used += take
                        need -= take
                        if not need:
                            break
                overage += need
        else:
            overage = sum([minutes for _, _, minutes in covered])
        for b in blocks:
            if b.expires is not None and b.expires < first:
                continue  # expired before the month: ignored
            remaining = left.get(b.ref, 0)
            if b.expires is not None and b.expires <= last:
                expired += remaining  # valid on its last day, gone at the month's end
            elif remaining:
                blocks_after.append(b if remaining == b.minutes else replace(b, minutes=remaining))

    if overage:
        line = _line("overage", "", _hours(overage), "hour", rate)
        if line.amount:
            lines.append(line)
    for kind in sorted(on_quote):
        line = _line("on_quote", kind, _hours(on_quote[kind]), "hour", rate)
        if line.amount:
            lines.append(line)

    net = _ZERO
    base = _ZERO
    for line in lines:
        net = _CTX.add(net, line.amount)
        if line.kind != "on_quote":  # B10: work on quote was priced apart, never credited
            base = _CTX.add(base, line.amount)

    breaches = breaches if isinstance(breaches, (list, tuple)) else list(breaches)
    if breaches and base:
        table = plan.penalty_percent
        percent = Decimal(0)
        credited: set[str] = set()
        for breach in breaches:
            pct = table.get((breach.priority, breach.metric))
            if pct:
                percent = _CTX.add(percent, pct)
                credited.add(breach.ticket)
        if percent > plan.penalty_cap_percent:
            percent = plan.penalty_cap_percent
        # base × percent / 100 exactly (scaleb), then one rounding. percent ≤ 100 and the
        # base is in cents, so the credit never exceeds the base: net ≥ 0.
        credit = _CTX.quantize(_CTX.multiply(base, percent).scaleb(-2, _CTX), CENT)
        if credit:
            credit = -credit
            lines.append(Line("credit", ", ".join(sorted(credited)), _ONE, "unit", credit, credit))
            net = _CTX.add(net, credit)

    # B11: one rate, on the net total (not per line), as EN 16931 computes it.
    vat = _CTX.quantize(_CTX.multiply(net, plan.vat_rate).scaleb(-2, _CTX), CENT)
    return Statement(
        lines=lines,
        net=net,
        vat=vat,
        gross=_CTX.add(net, vat),
        carry_minutes=carry_out,
        blocks_after=blocks_after,
        expired_minutes=expired,
        used_minutes=used,
    )


def _duplicate(refs: Iterable[str]) -> str:
    seen: set[str] = set()
    for ref in refs:
        if ref in seen:
            return repr(ref)
        seen.add(ref)
    return "?"
