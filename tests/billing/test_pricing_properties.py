"""billing.pricing against a deliberately naive second implementation, over random plans,
months, interventions, tickets, breaches and hour-bank blocks (BILLING.md B1–B11).

The naive version shares no code with billing.pricing: it walks the month day by day
to count days, rounds up by adding increments, spends allowances and blocks one minute
at a time (choosing the block for each minute afresh), and does its decimal arithmetic
in a wide local context with quantize.  Slow and obvious; both must give the same
statement to the character.  No database.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, localcontext

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.pricing import Block, Breach, Intervention, Line, Plan, Statement, price_month
from tests.billing.conftest import as_data

MODELS = ["flat_fee", "per_ticket", "hour_bank", "hybrid"]
TYPES = ["adaptive", "corrective", "curative", "evolutive", "preventive"]
PRIORITIES = ["P1", "P2", "P3", "P4"]
METRICS = ["response", "resolution"]
WIDE = Context(prec=120, rounding=ROUND_HALF_UP)


# =========================================================================== the naive version


def naive_price(
    plan: Plan, *, year, month, active, interventions, resolved_tickets, breaches, carried_minutes, blocks
):
    with localcontext(WIDE):
        return _naive(
            plan, year, month, active, interventions, resolved_tickets, breaches, carried_minutes, blocks
        )


def _half_up(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _naive(plan, year, month, active, interventions, resolved_tickets, breaches, carried_minutes, blocks):
    month_days = []
    d = date(year, month, 1)
    while d.month == month:
        month_days.append(d)
        d += timedelta(days=1)
    first, last = month_days[0], month_days[-1]
    start, end = active
    active_days = len([d for d in month_days if start <= d <= end])

    def rounded(minutes: int) -> int:
        total = 0
        while total < minutes:
            total += plan.increment_minutes
        return total

    def hours(minutes: int) -> Decimal:
        return _half_up(Decimal(minutes) / Decimal(60), "0.01")

    def line(kind, label, quantity, unit, unit_price) -> Line:
        return Line(kind, label, quantity, unit, unit_price, _half_up(quantity * unit_price, "0.01"))

    billable = [iv for iv in interventions if iv.billable]
    covered = [iv for iv in billable if iv.included]
    quoted = [iv for iv in billable if not iv.included]

    fee_lines, ticket_lines, overage_lines, quote_lines, credit_lines = [], [], [], [], []
    overage = used = carry = expired = 0
    after: list[Block] = []

    if plan.model in ("flat_fee", "hybrid"):
        quantity = _half_up(Decimal(active_days) / Decimal(len(month_days)), "0.0001")
        fee_lines.append(line("fee", "", quantity, "month", plan.monthly_fee))
    if plan.model == "hybrid":
        included = int(
            (Decimal(plan.included_minutes) * active_days / len(month_days)).to_integral_value(
                rounding=ROUND_FLOOR
            )
        )
        carried_left, included_left = carried_minutes, included
        for iv in covered:
            for _ in range(rounded(iv.minutes)):
                if carried_left > 0:
                    carried_left -= 1
                    used += 1
                elif included_left > 0:
                    included_left -= 1
                    used += 1
                else:
                    overage += 1
        if plan.rollover_cap_minutes is not None and end == last:
            carry = min(included_left, plan.rollover_cap_minutes)
    if plan.model == "per_ticket":
        for kind in sorted({k for _, k in resolved_tickets}):
            count = len([ref for ref, k in resolved_tickets if k == kind])
            ticket_lines.append(line("tickets", kind, Decimal(count), "ticket", plan.ticket_prices[kind]))
    if plan.model == "hour_bank":
        left = {b.ref: b.minutes for b in blocks}
        for iv in sorted(covered, key=lambda iv: (iv.day, iv.ref)):
            for _ in range(rounded(iv.minutes)):
                valid = [
                    b
                    for b in blocks
                    if left[b.ref] > 0 and b.bought <= iv.day and (b.expires is None or iv.day <= b.expires)
                ]
                if not valid:
                    overage += 1
                    continue
                no_expiry = [b for b in valid if b.expires is None]
                expiring = [b for b in valid if b.expires is not None]
                pool = expiring if expiring else no_expiry
                if expiring:
                    soonest = min(b.expires for b in pool)
                    pool = [b for b in pool if b.expires == soonest]
                earliest = min(b.bought for b in pool)
                pool = [b for b in pool if b.bought == earliest]
                chosen = min(pool, key=lambda b: b.ref)
                left[chosen.ref] -= 1
                used += 1
        for b in blocks:
            if b.expires is not None and b.expires < first:
                continue
            if b.expires is not None and b.expires <= last:
                expired += left[b.ref]
            elif left[b.ref] > 0:
                after.append(replace(b, minutes=left[b.ref]))
    if overage:
        overage_lines.append(line("overage", "", hours(overage), "hour", plan.hourly_rate))
    for kind in sorted({iv.maintenance_type for iv in quoted}):
        minutes = sum(rounded(iv.minutes) for iv in quoted if iv.maintenance_type == kind)
        quote_lines.append(line("on_quote", kind, hours(minutes), "hour", plan.hourly_rate))

    ticket_lines = [li for li in ticket_lines if li.amount != 0]
    overage_lines = [li for li in overage_lines if li.amount != 0]
    quote_lines = [li for li in quote_lines if li.amount != 0]
    base = sum((li.amount for li in fee_lines + ticket_lines + overage_lines), Decimal("0.00"))
    percent = Decimal(0)
    tickets = set()
    for breach in breaches:
        pct = plan.penalty_percent.get((breach.priority, breach.metric), Decimal(0))
        percent += pct
        if pct > 0:
            tickets.add(breach.ticket)
    percent = min(percent, plan.penalty_cap_percent)
    credit = _half_up(base * percent / Decimal(100), "0.01")
    if credit != 0:
        credit_lines.append(Line("credit", ", ".join(sorted(tickets)), Decimal(1), "unit", -credit, -credit))

    lines = fee_lines + ticket_lines + overage_lines + quote_lines + credit_lines
    net = sum((li.amount for li in lines), Decimal("0.00"))
    vat = _half_up(net * plan.vat_rate / Decimal(100), "0.01")
    return Statement(lines, net, vat, net + vat, carry, after, expired, used)


# =========================================================================== random months


def _month_end(year: int, month: int) -> date:
    return date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)


money = st.one_of(
    st.integers(0, 300_000).map(lambda cents: Decimal(cents).scaleb(-2)),  # 0.00 … 3000.00
    st.integers(0, 2000).map(Decimal),  # written without decimals: "80"
    st.integers(0, 99_999).map(lambda mills: Decimal(mills).scaleb(-3)),  # 0.000 … 99.999
)
percent = st.integers(0, 1000).map(lambda tenths: Decimal(tenths).scaleb(-1))  # 0.0 … 100.0


@st.composite
def months(draw, models=(*MODELS, "hour_bank", "hybrid"), at_least=0):
    """A plan and price_month's arguments; ``at_least`` interventions and blocks."""
    model = draw(st.sampled_from(models))  # by default the models with state twice as often
    year = draw(st.sampled_from([2000, 2024, 2026, 2027, 2028, 2100]))
    month = draw(st.integers(1, 12))
    first, last = date(year, month, 1), _month_end(year, month)
    in_month = st.integers(0, last.day - 1).map(lambda n: first + timedelta(days=n))
    # A few shared days, so that work falls on the day a block is bought or expires, on
    # the month's last day, etc. (the edges of B9) far more often than by chance.
    pool = sorted({first, last, *draw(st.lists(in_month, min_size=1, max_size=4))})
    some_day = st.sampled_from(pool) | in_month
    if draw(st.booleans()):
        active = (first, last)
    else:
        active = tuple(sorted((draw(in_month), draw(in_month))))
    priced = sorted(draw(st.sets(st.sampled_from(TYPES), min_size=1)))
    plan = Plan(
        model=model,
        monthly_fee=draw(money),
        hourly_rate=draw(money),
        included_minutes=draw(st.integers(0, 1500)),
        rollover_cap_minutes=draw(st.none() | st.integers(0, 900)),
        increment_minutes=draw(st.sampled_from([1, 5, 6, 7, 10, 15, 15, 15, 30, 45, 60])),
        ticket_prices={kind: draw(money) for kind in priced},
        penalty_percent=draw(
            st.dictionaries(
                st.tuples(st.sampled_from(PRIORITIES), st.sampled_from(METRICS)), percent, max_size=6
            )
        ),
        penalty_cap_percent=draw(percent),
        vat_rate=draw(st.sampled_from([Decimal(v) for v in ("0", "2.1", "5.5", "8.5", "10", "20")])),
    )
    interventions = [
        Intervention(
            ref=f"INT-{n}",
            day=draw(some_day),
            minutes=draw(st.integers(0, 400)),
            maintenance_type=draw(st.sampled_from(TYPES)),
            included=draw(st.booleans() | st.just(True)),
            billable=draw(st.booleans() | st.just(True)),
        )
        for n in draw(st.lists(st.integers(0, 120), unique=True, min_size=at_least, max_size=8))
    ]
    ticket_types = st.sampled_from(priced) if model == "per_ticket" else st.sampled_from(TYPES)
    resolved = [
        (f"TCK-{n}", draw(ticket_types)) for n in draw(st.lists(st.integers(0, 50), unique=True, max_size=8))
    ]
    breaches = draw(
        st.lists(
            st.builds(
                Breach,
                ticket=st.integers(0, 6).map(lambda n: f"TCK-{n}"),
                priority=st.sampled_from(PRIORITIES),
                metric=st.sampled_from(METRICS),
            ),
            max_size=8,
        )
    )
    blocks = []
    for n in draw(st.lists(st.integers(0, 30), unique=True, min_size=at_least, max_size=5)):
        bought = draw(some_day | st.integers(-150, last.day + 10).map(lambda n: first + timedelta(days=n)))
        edges = [d for d in (first - timedelta(days=1), *pool, last + timedelta(days=1)) if d >= bought]
        later = st.integers(0, 200).map(lambda days, bought=bought: bought + timedelta(days=days))
        expires = draw(st.none() | (st.sampled_from(edges) if edges else later) | later)
        blocks.append(Block(ref=f"HB-{n}", minutes=draw(st.integers(0, 300)), expires=expires, bought=bought))
    return plan, {
        "year": year,
        "month": month,
        "active": active,
        "interventions": interventions,
        "resolved_tickets": resolved,
        "breaches": breaches,
        "carried_minutes": draw(st.integers(0, 900)),
        "blocks": blocks,
    }


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(months())
def test_it_agrees_with_the_naive_implementation(case):
    plan, arguments = case
    assert as_data(price_month(plan, **arguments)) == as_data(naive_price(plan, **arguments))


@PROPERTY
@given(months(models=("hour_bank",), at_least=2))
def test_it_agrees_with_the_naive_implementation_on_busy_hour_banks(case):
    # B9 has the most edges (bought on the day, expiring on the day or on the month's last
    # day, the order of blocks and of work): a run of its own, never without blocks.
    plan, arguments = case
    assert as_data(price_month(plan, **arguments)) == as_data(naive_price(plan, **arguments))


@PROPERTY
@given(months())
def test_it_never_makes_a_negative_statement(case):
    plan, arguments = case
    st_ = price_month(plan, **arguments)
    assert st_.net >= 0 and st_.vat >= 0 and st_.gross == st_.net + st_.vat


@PROPERTY
@given(months())
def test_it_makes_every_line_quantity_times_unit_price(case):
    plan, arguments = case
    for line in price_month(plan, **arguments).lines:
        assert line.amount == (line.quantity * line.unit_price).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )


@PROPERTY
@given(months())
def test_it_accounts_for_every_bank_minute(case):
    # What the month could see of the bank is used, expired, or left; nothing else.
    plan, arguments = case
    plan = replace(plan, model="hour_bank")
    first = date(arguments["year"], arguments["month"], 1)
    seen = sum(b.minutes for b in arguments["blocks"] if b.expires is None or b.expires >= first)
    st_ = price_month(plan, **arguments)
    assert seen == st_.used_minutes + st_.expired_minutes + sum(b.minutes for b in st_.blocks_after)
