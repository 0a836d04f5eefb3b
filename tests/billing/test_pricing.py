"""billing.pricing: the worked examples, then a hand-written table for every rule (B1–B12)
and for each decision of ours where BILLING.md is silent.  Pure tests: no database.

Runs without Django too:  pytest -p no:django tests/billing/test_pricing*.py
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, localcontext

import pytest

from billing.pricing import (
    Block,
    Breach,
    Intervention,
    Plan,
    Statement,
    price_month,
    round_half_up,
)
from tests.billing.conftest import as_data, load_examples, price_example

EXAMPLES = load_examples()

D = Decimal
TYPES_PRICED = {"corrective": D("120.00"), "curative": D("180.00")}
PENALTIES = {
    ("P1", "resolution"): D("5"),
    ("P1", "response"): D("2"),
    ("P2", "resolution"): D("2.5"),
}


def plan(model: str = "flat_fee", **overrides) -> Plan:
    values = {
        "model": model,
        "monthly_fee": D("450.00"),
        "hourly_rate": D("80.00"),
        "included_minutes": 600,
        "rollover_cap_minutes": 300,
        "increment_minutes": 15,
        "ticket_prices": TYPES_PRICED,
        "penalty_percent": PENALTIES,
        "penalty_cap_percent": D("10"),
        "vat_rate": D("20"),
    }
    values.update(overrides)
    return Plan(**values)


def day(text: str) -> date:
    """'03-05' is 2026-03-05; a full ISO date is taken as it is."""
    return date.fromisoformat(text if len(text) == 10 else f"2026-{text}")


def work(ref: str, when: str, minutes: int, kind: str = "corrective", *, included=True, billable=True):
    return Intervention(ref, day(when), minutes, kind, included=included, billable=billable)


def quote(ref: str, when: str, minutes: int, kind: str = "evolutive") -> Intervention:
    return work(ref, when, minutes, kind, included=False)


def block(ref: str, minutes: int, expires: str | None, bought: str = "2026-01-05") -> Block:
    return Block(ref, minutes, None if expires is None else day(expires), day(bought))


def price(
    p: Plan, *, year: int = 2026, month: int = 3, active: tuple[str, str] | None = None, **kwargs
) -> Statement:
    if active is None:
        first = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        span = (first, date.fromordinal(following.toordinal() - 1))
    else:
        span = (day(active[0]), day(active[1]))
    return price_month(p, year=year, month=month, active=span, **kwargs)


def kinds(st: Statement) -> list[str]:
    return [line.kind for line in st.lines]


def line_of(st: Statement, kind: str):
    found = [line for line in st.lines if line.kind == kind]
    assert len(found) == 1, f"expected one {kind} line, got {st.lines}"
    return found[0]


def names(field: str):
    """pytest.raises(match=…) for a message that names ``field``."""
    return re.escape(field)


# =========================================================================== examples


@pytest.mark.parametrize("case", EXAMPLES, ids=[c["id"] for c in EXAMPLES])
def test_it_matches_the_worked_example(case):
    got = as_data(price_example(case), labels=False, blocks_in_full=False)
    assert got == case["expected"], case["why"]


@pytest.mark.parametrize("case", EXAMPLES, ids=[c["id"] for c in EXAMPLES])
def test_it_makes_every_example_line_quantity_times_unit_price(case):
    for line in price_example(case).lines:
        assert line.amount == round_half_up(line.quantity * line.unit_price)


# =========================================================================== B1 money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("0.0049", "0.00"),
        ("174.195", "174.20"),
        ("2.675", "2.68"),  # a float would make this 2.67
        ("14.985", "14.99"),
        ("-0.005", "-0.01"),  # half away from zero
        ("1", "1.00"),
        ("1234567890123456789012345.675", "1234567890123456789012345.68"),
    ],
)
def test_it_rounds_half_up_to_the_cent(value, expected):
    assert str(round_half_up(D(value))) == expected


def test_it_rounds_half_up_to_a_given_exponent():
    assert str(round_half_up(D("0.38705"), D("0.0001"))) == "0.3871"


def test_it_does_not_depend_on_the_callers_decimal_context():
    case = next(c for c in EXAMPLES if c["id"] == "P13-vat-on-net")
    with localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = "ROUND_DOWN"
        got = as_data(price_example(case), labels=False, blocks_in_full=False)
    assert got == case["expected"]


def test_it_takes_an_int_amount_as_exact():
    assert plan(monthly_fee=450).monthly_fee == D("450")


def test_it_takes_a_negative_zero_amount_as_zero():
    st = price(plan(monthly_fee=D("-0.00"), vat_rate=D("-0")))
    assert [str(li.amount) for li in st.lines] + [str(st.gross)] == ["0.00", "0.00"]


def test_it_keeps_the_unit_price_as_the_plan_gives_it():
    st = price(plan(hourly_rate=D("80")), interventions=[quote("I", "03-02", 60)])
    assert str(line_of(st, "on_quote").unit_price) == "80"


def test_it_makes_the_totals_sums_of_rounded_lines():
    # 0.0333 × 450 = 14.985 -> 14.99 and 7 min = 0.12 h × 100.01 = 12.0012 -> 12.00
    st = price(plan(hourly_rate=D("100.01"), increment_minutes=1), month=4, active=("04-30", "04-30"),
               interventions=[quote("I", "04-02", 7)])  # fmt: skip
    assert [str(line.amount) for line in st.lines] == ["14.99", "12.00"]
    assert str(st.net) == "26.99"


# =========================================================================== B2 time rounding


@pytest.mark.parametrize(
    ("increment", "minutes", "rounded"),
    [
        (15, 1, 15),
        (15, 15, 15),
        (15, 16, 30),
        (15, 0, 0),
        (15, 250, 255),
        (1, 1, 1),
        (1, 59, 59),
        (6, 1, 6),
        (6, 6, 6),
        (6, 7, 12),
        (7, 8, 14),
        (30, 29, 30),
        (30, 31, 60),
        (60, 1, 60),
        (60, 60, 60),
        (60, 61, 120),
    ],
)
def test_it_rounds_each_intervention_up_to_the_increment(increment, minutes, rounded):
    p = plan("hour_bank", increment_minutes=increment)
    st = price(p, interventions=[work("I", "03-02", minutes)], blocks=[block("HB", 10_000, None)])
    assert st.used_minutes == rounded


def test_it_rounds_per_intervention_not_on_the_monthly_sum():
    four = [work(f"I{n}", "03-10", 16) for n in range(4)]  # 4 × 30, not 64 -> 75
    st = price(plan("hour_bank"), interventions=four, blocks=[block("HB", 10_000, None)])
    assert st.used_minutes == 120


@pytest.mark.parametrize("model", ["flat_fee", "per_ticket", "hour_bank", "hybrid"])
def test_it_counts_non_billable_work_for_nothing(model):
    idle = [
        work("I1", "03-02", 900, billable=False),
        work("I2", "03-03", 90, "evolutive", included=False, billable=False),
    ]
    st = price(plan(model, included_minutes=0), interventions=idle, blocks=[block("HB", 60, None)])
    assert (kinds(st), st.used_minutes) == (["fee"] if model in ("flat_fee", "hybrid") else [], 0)


# =========================================================================== B3 hours


@pytest.mark.parametrize(
    ("increment", "minutes", "hours"),
    [
        (15, 61, "1.25"),
        (15, 60, "1.00"),
        (15, 15, "0.25"),
        (1, 1, "0.02"),  # 0.0166…
        (1, 3, "0.05"),
        (1, 5, "0.08"),  # 0.0833…
        (1, 7, "0.12"),  # 0.1166…
        (1, 40, "0.67"),  # 0.6666…
        (1, 50, "0.83"),  # 0.8333…
        (7, 1, "0.12"),  # 7 min
        (9, 10, "0.30"),  # 18 min
        (6, 1, "0.10"),
        (45, 1, "0.75"),
        (90, 91, "3.00"),
    ],
)
def test_it_turns_minutes_into_hours_half_up_to_two_decimals(increment, minutes, hours):
    # minutes × 100 / 60 has a fraction of 0, ⅓ or ⅔: a whole number of minutes is never
    # exactly half a cent of an hour, so only the "up" side of half-up shows here.
    st = price(plan(increment_minutes=increment), interventions=[quote("I", "03-02", minutes)])
    assert str(line_of(st, "on_quote").quantity) == hours


def test_it_prices_the_rounded_hours_not_the_exact_minutes():
    # 7 min = 0.12 h (rounded) × 100 = 12.00, not 7/60 × 100 = 11.67
    st = price(plan(increment_minutes=7, hourly_rate=D("100")), interventions=[quote("I", "03-02", 7)])
    assert str(line_of(st, "on_quote").amount) == "12.00"


def test_it_rounds_hours_once_per_line_on_the_summed_minutes():
    # 3 × 7 min = 21 min = 0.35 h (not 3 × 0.12 = 0.36)
    three = [quote(f"I{n}", "03-02", 7) for n in range(3)]
    st = price(plan(increment_minutes=7), interventions=three)
    assert str(line_of(st, "on_quote").quantity) == "0.35"


# =========================================================================== B4 proration


@pytest.mark.parametrize(
    ("year", "month", "last_day", "quantity"),
    [
        (2026, 1, 31, "0.0323"),
        (2026, 2, 28, "0.0357"),
        (2024, 2, 29, "0.0345"),
        (2028, 2, 29, "0.0345"),
        (2100, 2, 28, "0.0357"),  # divisible by 100, not by 400: not a leap year
        (2000, 2, 29, "0.0345"),  # divisible by 400: a leap year
        (2026, 4, 30, "0.0333"),
        (2026, 6, 30, "0.0333"),
        (2026, 12, 31, "0.0323"),
    ],
)
def test_it_prorates_one_day_over_the_days_of_the_month(year, month, last_day, quantity):
    when = date(year, month, last_day).isoformat()
    st = price(plan(), year=year, month=month, active=(when, when))
    assert str(line_of(st, "fee").quantity) == quantity


@pytest.mark.parametrize(("year", "month"), [(2026, 2), (2100, 2), (2026, 4), (2026, 11)])
def test_it_refuses_a_day_past_the_end_of_a_short_month(year, month):
    following = date(year + (month == 12), month % 12 + 1, 1)
    with pytest.raises(ValueError, match=names("active")):
        price(
            plan(), year=year, month=month, active=(date(year, month, 1).isoformat(), following.isoformat())
        )


@pytest.mark.parametrize(
    ("year", "month", "active", "quantity", "amount"),
    [
        (2026, 3, ("03-01", "03-31"), "1.0000", "450.00"),
        (2026, 3, ("03-20", "03-31"), "0.3871", "174.20"),  # 12/31
        (2026, 3, ("03-01", "03-15"), "0.4839", "217.76"),  # 15/31 = 0.48387
        (2026, 3, ("03-10", "03-20"), "0.3548", "159.66"),  # start and end inside: 11/31
        (2026, 2, ("2026-02-15", "2026-02-28"), "0.5000", "225.00"),  # 14/28
        (2024, 2, ("2024-02-15", "2024-02-29"), "0.5172", "232.74"),  # 15/29 = 0.51724
        (2028, 2, ("2028-02-01", "2028-02-10"), "0.3448", "155.16"),  # 10/29
        (2028, 2, ("2028-02-29", "2028-02-29"), "0.0345", "15.53"),  # 15.525 -> half-up
        (2100, 2, ("2100-02-01", "2100-02-14"), "0.5000", "225.00"),  # 14/28
        (2026, 4, ("04-30", "04-30"), "0.0333", "14.99"),  # 14.985 -> half-up
        (2026, 4, ("04-01", "04-29"), "0.9667", "435.02"),  # 29/30 = 0.96666…; 435.015
    ],
)
def test_it_prorates_the_fee_half_up_to_four_decimals(year, month, active, quantity, amount):
    fee = line_of(price(plan(), year=year, month=month, active=active), "fee")
    assert (fee.unit, str(fee.quantity), str(fee.unit_price), str(fee.amount)) == (
        "month",
        quantity,
        "450.00",
        amount,
    )


@pytest.mark.parametrize(
    ("year", "month", "start", "included", "expected"),
    [
        (2026, 3, "03-01", 600, 600),
        (2026, 3, "03-17", 600, 290),  # 600 × 15/31 = 290.3
        (2026, 3, "03-31", 600, 19),  # 600/31 = 19.35
        (2026, 4, "04-21", 1000, 333),  # 1000 × 10/30 = 333.3
        (2026, 2, "2026-02-28", 600, 21),  # 600/28 = 21.4
        (2028, 2, "2028-02-29", 600, 20),  # 600/29 = 20.7: floor, not rounding
        (2026, 3, "03-02", 31, 30),  # 31 × 30/31 = 30 exactly
    ],
)
def test_it_prorates_the_included_minutes_down(year, month, start, included, expected):
    # A contract starting inside the month carries its unused (prorated) minutes: the cap
    # is out of the way, so the carry shows the prorated allowance.
    last = date(year + (month == 12), month % 12 + 1, 1).toordinal() - 1
    p = plan("hybrid", included_minutes=included, rollover_cap_minutes=100_000)
    st = price(p, year=year, month=month, active=(start, date.fromordinal(last).isoformat()))
    assert st.carry_minutes == expected


def test_it_bills_work_on_quote_done_before_the_start():
    st = price(plan(), active=("03-20", "03-31"), interventions=[quote("I", "03-05", 60)])
    assert str(line_of(st, "on_quote").amount) == "80.00"


def test_it_takes_included_work_done_after_the_end_from_the_allowance():
    # Ends 03-15: 290 included minutes; 300 min done on 03-25 -> 10 min of overage.
    st = price(plan("hybrid"), active=("03-01", "03-15"), interventions=[work("I", "03-25", 300)])
    assert (st.used_minutes, str(line_of(st, "overage").quantity)) == (290, "0.17")


# =========================================================================== B5 work on quote


@pytest.mark.parametrize("model", ["flat_fee", "per_ticket", "hour_bank", "hybrid"])
def test_it_bills_work_on_quote_at_the_hourly_rate_under_every_model(model):
    st = price(plan(model), interventions=[quote("I", "03-02", 61)], blocks=[block("HB", 600, None)])
    q = line_of(st, "on_quote")
    assert (q.label, str(q.quantity), q.unit, str(q.unit_price), str(q.amount)) == (
        "evolutive", "1.25", "hour", "80.00", "100.00",
    )  # fmt: skip


def test_it_writes_one_on_quote_line_per_maintenance_type_in_type_order():
    st = price(
        plan(),
        interventions=[quote("I1", "03-02", 16, "evolutive"), quote("I2", "03-03", 45, "adaptive"),
                       quote("I3", "03-04", 16, "evolutive")],
    )  # fmt: skip
    assert [(line.label, str(line.quantity)) for line in st.lines if line.kind == "on_quote"] == [
        ("adaptive", "0.75"),
        ("evolutive", "1.00"),  # 2 × 30 min: rounded per intervention, then summed
    ]


def test_it_never_takes_work_on_quote_from_the_included_minutes():
    st = price(
        plan("hybrid", rollover_cap_minutes=1000),
        interventions=[quote("I", "03-02", 120)],
        carried_minutes=60,
    )
    assert (st.used_minutes, st.carry_minutes, kinds(st)) == (0, 600, ["fee", "on_quote"])


def test_it_never_takes_work_on_quote_from_the_bank():
    st = price(plan("hour_bank"), interventions=[quote("I", "03-02", 120)], blocks=[block("HB", 600, None)])
    assert (st.used_minutes, [(b.ref, b.minutes) for b in st.blocks_after]) == (0, [("HB", 600)])


@pytest.mark.parametrize(
    ("rate", "minutes"),
    [(D("0"), 60), (D("80.00"), 0)],
    ids=["zero rate", "zero minutes"],
)
def test_it_leaves_out_an_on_quote_line_of_zero(rate, minutes):
    st = price(plan(hourly_rate=rate), interventions=[quote("I", "03-02", minutes)])
    assert kinds(st) == ["fee"]


# =========================================================================== B6 fee


@pytest.mark.parametrize(
    ("model", "expected"),
    [("flat_fee", ["fee"]), ("hybrid", ["fee"]), ("per_ticket", []), ("hour_bank", [])],
)
def test_it_writes_a_fee_line_only_for_flat_and_hybrid_plans(model, expected):
    assert kinds(price(plan(model, monthly_fee=D("500.00")))) == expected


@pytest.mark.parametrize("model", ["flat_fee", "hybrid"])
def test_it_keeps_a_fee_line_of_zero(model):
    fee = line_of(price(plan(model, monthly_fee=D("0"))), "fee")
    assert (str(fee.quantity), str(fee.amount)) == ("1.0000", "0.00")


def test_it_charges_nothing_more_for_included_work_under_a_flat_fee():
    st = price(plan(), interventions=[work("I1", "03-02", 6000), work("I2", "03-03", 17, "curative")])
    assert (kinds(st), str(st.net), st.used_minutes) == (["fee"], "450.00", 0)


# =========================================================================== B7 per_ticket


def test_it_bills_tickets_per_maintenance_type_in_type_order():
    tickets = [("TCK-3", "curative"), ("TCK-1", "corrective"), ("TCK-2", "curative")]
    st = price(plan("per_ticket"), resolved_tickets=tickets)
    assert [(li.label, str(li.quantity), li.unit, str(li.unit_price), str(li.amount)) for li in st.lines] == [
        ("corrective", "1", "ticket", "120.00", "120.00"),
        ("curative", "2", "ticket", "180.00", "360.00"),
    ]


def test_it_refuses_a_ticket_of_a_type_without_a_price():
    with pytest.raises(ValueError, match=names("ticket_prices['preventive']")):
        price(plan("per_ticket"), resolved_tickets=[("TCK-1", "corrective"), ("TCK-2", "preventive")])


def test_it_needs_a_price_only_for_the_types_billed_this_month():
    # Decision: this module does not know the contract's covered types, so it can only
    # refuse a ticket it cannot price; the plan form checks the covered types.
    st = price(
        plan("per_ticket", ticket_prices={"corrective": D("120.00")}), resolved_tickets=[("T", "corrective")]
    )
    assert str(st.net) == "120.00"


def test_it_leaves_out_a_ticket_type_priced_at_zero():
    p = plan("per_ticket", ticket_prices={"corrective": D("120.00"), "curative": D("0")})
    assert kinds(price(p, resolved_tickets=[("TCK-1", "curative")])) == []


def test_it_charges_nothing_more_for_included_work_under_per_ticket():
    st = price(
        plan("per_ticket"), resolved_tickets=[("T", "corrective")], interventions=[work("I", "03-02", 600)]
    )
    assert (kinds(st), st.used_minutes) == (["tickets"], 0)


@pytest.mark.parametrize("model", ["flat_fee", "hour_bank", "hybrid"])
def test_it_ignores_resolved_tickets_under_other_models(model):
    # Decision: tickets are passed for every model by a generic caller; only per_ticket bills them.
    st = price(plan(model), resolved_tickets=[("TCK-1", "corrective"), ("TCK-2", "unpriced")])
    assert "tickets" not in kinds(st)


# =========================================================================== B8 hybrid


@pytest.mark.parametrize(
    ("carried", "included", "minutes", "used", "overage", "carry"),
    [
        (0, 600, [60], 60, None, 300),
        (100, 600, [290], 300, None, 300),  # P07: carried first, 200 of 600 included used
        (100, 600, [50], 60, None, 300),  # all from carried; 600 unused, capped
        (100, 600, [795], 700, "1.58", 0),  # 95 min over = 1.5833 h
        (0, 600, [300, 300], 600, None, 0),  # exactly the allowance
        (0, 600, [300, 301], 600, "0.25", 0),  # 301 -> 315: 15 min over
        (0, 0, [60], 0, "1.00", 0),  # no allowance at all
        (500, 100, [450], 450, None, 100),  # carried covers it; the month's 100 all unused
    ],
)
def test_it_consumes_carried_then_included_then_overage(carried, included, minutes, used, overage, carry):
    p = plan("hybrid", included_minutes=included)
    st = price(
        p, interventions=[work(f"I{n}", "03-02", m) for n, m in enumerate(minutes)], carried_minutes=carried
    )
    got_overage = [str(li.quantity) for li in st.lines if li.kind == "overage"]
    assert (st.used_minutes, got_overage, st.carry_minutes) == (used, [overage] if overage else [], carry)


@pytest.mark.parametrize(
    ("cap", "carry"),
    [(None, 0), (0, 0), (100, 100), (540, 540), (541, 540), (10_000, 540)],
    ids=["None: no rollover", "zero", "below", "equal", "just above", "far above"],
)
def test_it_carries_unused_included_minutes_up_to_the_cap(cap, carry):
    st = price(plan("hybrid", rollover_cap_minutes=cap), interventions=[work("I", "03-02", 60)])
    assert st.carry_minutes == carry


def test_it_lets_carried_minutes_expire_after_one_month():
    # 200 carried in, none used: only this month's unused 600 can go on, never the 200.
    st = price(plan("hybrid", rollover_cap_minutes=10_000), carried_minutes=200)
    assert st.carry_minutes == 600


@pytest.mark.parametrize("end", ["03-01", "03-15", "03-30"])
def test_it_carries_nothing_when_the_contract_ends_inside_the_month(end):
    st = price(plan("hybrid", rollover_cap_minutes=10_000), active=("03-01", end))
    assert st.carry_minutes == 0


@pytest.mark.parametrize(("cap", "carry"), [(300, 300), (500, 309)])
def test_it_does_not_prorate_the_cap(cap, carry):
    # Starts 03-16: 16 of 31 days, 309 included minutes; the cap stays whole.
    st = price(plan("hybrid", rollover_cap_minutes=cap), active=("03-16", "03-31"))
    assert st.carry_minutes == carry


def test_it_bills_hybrid_overage_as_one_line_across_maintenance_types():
    mixed = [work("I1", "03-02", 400, "corrective"), work("I2", "03-03", 400, "curative")]
    st = price(plan("hybrid"), interventions=mixed)
    over = line_of(st, "overage")
    assert (over.label, str(over.quantity), str(over.amount)) == ("", "3.50", "280.00")  # 210 min


@pytest.mark.parametrize("model", ["flat_fee", "per_ticket", "hour_bank"])
def test_it_carries_minutes_only_under_hybrid(model):
    st = price(plan(model), carried_minutes=200, interventions=[work("I", "03-02", 60)])
    assert st.carry_minutes == 0


# =========================================================================== B9 hour_bank


def bank(interventions, blocks, **kwargs) -> Statement:
    return price(plan("hour_bank", **kwargs), interventions=interventions, blocks=blocks)


def left(st: Statement) -> list[tuple[str, int]]:
    return [(b.ref, b.minutes) for b in st.blocks_after]


@pytest.mark.parametrize(
    ("when", "used"),
    [("03-14", 60), ("03-15", 60), ("03-16", 0)],
    ids=["the day before", "on its expiry day", "the day after"],
)
def test_it_uses_a_block_up_to_its_expiry_day_inclusive(when, used):
    st = bank([work("I", when, 60)], [block("HB", 120, "03-15")])
    assert st.used_minutes == used


@pytest.mark.parametrize(
    ("when", "used"),
    [("03-11", 0), ("03-12", 60), ("03-13", 60)],
    ids=["the day before purchase", "the day of purchase", "the day after"],
)
def test_it_uses_a_block_from_its_purchase_day(when, used):
    st = bank([work("I", when, 60)], [block("HB", 120, None, bought="03-12")])
    assert st.used_minutes == used


@pytest.mark.parametrize(
    ("blocks", "after"),
    [
        # the one expiring first first
        ([block("HB-2", 600, "12-31"), block("HB-1", 120, "04-30")], [("HB-2", 600), ("HB-1", 60)]),
        # no expiry last, even when bought later than one that expires
        ([block("HB-1", 120, None, "2025-01-01"), block("HB-2", 120, "12-31", "03-01")], [("HB-1", 120), ("HB-2", 60)]),
        # same expiry: the earliest bought first
        ([block("HB-1", 120, "06-30", "02-01"), block("HB-2", 120, "06-30", "01-01")], [("HB-1", 120), ("HB-2", 60)]),
        # same expiry and purchase: by reference, in string order ("HB-10" < "HB-9")
        ([block("HB-9", 120, "06-30"), block("HB-10", 120, "06-30")], [("HB-9", 120), ("HB-10", 60)]),
        # two without expiry: the earliest bought, then the reference
        ([block("HB-b", 120, None, "02-01"), block("HB-a", 120, None, "02-01"), block("HB-c", 120, None, "01-01")],
         [("HB-b", 120), ("HB-a", 120), ("HB-c", 60)]),
    ],
    ids=["expiring first", "no expiry last", "earliest bought", "reference", "no expiry ties"],
)  # fmt: skip
def test_it_takes_the_blocks_in_expiry_order(blocks, after):
    assert left(bank([work("I", "03-05", 60)], blocks)) == after


def test_it_takes_the_interventions_in_date_order():
    # Given late first: if taken in that order, the 03-20 work would empty HB-1 (it
    # expires first) and the 03-10 work, before HB-2 was bought, would all be overage.
    st = bank(
        [work("INT-1", "03-20", 60), work("INT-2", "03-10", 90)],
        [block("HB-1", 60, "03-31", "03-01"), block("HB-2", 60, None, "03-15")],
    )
    assert (st.used_minutes, str(line_of(st, "overage").quantity), left(st)) == (120, "0.50", [])


def test_it_takes_same_day_interventions_in_reference_order():
    # Same day, same valid blocks: the order cannot change the statement; pinned anyway,
    # with references that sort differently as strings and as numbers.
    given = [work("INT-9", "03-05", 90), work("INT-10", "03-05", 45)]
    st = bank(given, [block("HB-1", 100, None)])
    assert (st.used_minutes, str(line_of(st, "overage").quantity)) == (100, "0.58")


def test_it_spreads_an_intervention_over_several_blocks():
    st = bank([work("I", "03-05", 150)], [block("HB-1", 60, "04-30"), block("HB-2", 60, "05-31")])
    assert (st.used_minutes, left(st), str(line_of(st, "overage").quantity)) == (120, [], "0.50")


def test_it_bills_what_no_block_covers_as_one_overage_line():
    st = bank(
        [
            work("I1", "03-05", 100, "corrective"),
            work("I2", "03-06", 50, "curative"),
            work("I3", "03-07", 30),
        ],
        [block("HB-1", 90, None)],
    )  # 105 + 60 + 30 = 195 needed, 90 covered: 105 min over = 1.75 h
    over = line_of(st, "overage")
    assert (kinds(st), str(over.quantity), str(over.unit_price), str(over.amount)) == (
        ["overage"], "1.75", "80.00", "140.00",
    )  # fmt: skip


def test_it_bills_all_work_as_overage_without_blocks():
    st = bank([work("I", "03-05", 60)], [])
    assert (st.used_minutes, str(line_of(st, "overage").amount)) == (0, "80.00")


def test_it_does_not_put_the_bank_on_the_statement():
    st = bank([work("I", "03-05", 60)], [block("HB", 600, None)])
    assert (st.lines, str(st.gross)) == ([], "0.00")


@pytest.mark.parametrize(
    ("expires", "expired", "after"),
    [
        ("03-15", 60, []),
        ("03-31", 60, []),  # valid on the month's last day, expired at its end
        ("04-01", 0, [("HB", 60)]),
        (None, 0, [("HB", 60)]),
    ],
)
def test_it_reports_minutes_left_on_a_block_expiring_in_the_month(expires, expired, after):
    st = bank([work("I", "03-05", 60)], [block("HB", 120, expires)])
    assert (st.expired_minutes, left(st)) == (expired, after)


def test_it_ignores_a_block_that_expired_before_the_month():
    st = bank([work("I", "03-01", 60)], [block("OLD", 120, "02-28")])
    assert (st.used_minutes, st.expired_minutes, left(st)) == (0, 0, [])


def test_it_keeps_the_callers_order_in_blocks_after():
    st = bank([], [block("HB-3", 30, None), block("HB-1", 10, "12-31"), block("HB-2", 20, "06-30")])
    assert left(st) == [("HB-3", 30), ("HB-1", 10), ("HB-2", 20)]


def test_it_returns_the_blocks_after_whole():
    st = bank([work("I", "03-05", 60)], [block("HB", 120, "06-30", "02-10")])
    assert st.blocks_after == [Block("HB", 60, date(2026, 6, 30), date(2026, 2, 10))]


def test_it_leaves_empty_blocks_out_of_blocks_after():
    st = bank([work("I", "03-05", 120)], [block("HB-1", 120, None), block("HB-0", 0, None)])
    assert left(st) == []


def test_it_keeps_a_block_bought_after_the_month_untouched():
    # Decision: a re-run for a past month may be given a block bought since; it cannot be
    # used this month and is returned as it is.
    st = bank([work("I", "03-31", 60)], [block("HB", 120, None, "04-02")])
    assert (st.used_minutes, left(st)) == (0, [("HB", 120)])


@pytest.mark.parametrize("model", ["flat_fee", "per_ticket", "hybrid"])
def test_it_uses_blocks_only_under_hour_bank(model):
    st = price(plan(model), interventions=[work("I", "03-02", 60)], blocks=[block("HB", 120, "03-15")])
    assert (st.blocks_after, st.expired_minutes) == ([], 0)


# =========================================================================== B10 credits


def credited(breaches: list[tuple[str, str, str]], *, model: str = "flat_fee", **kwargs) -> Statement:
    return price(plan(model, **kwargs), breaches=[Breach(*b) for b in breaches])


@pytest.mark.parametrize(
    ("breaches", "credit"),
    [
        ([("T1", "P1", "resolution")], "-22.50"),  # 5 % of 450
        ([("T1", "P1", "resolution"), ("T1", "P1", "response")], "-31.50"),  # 7 %
        ([("T1", "P1", "resolution"), ("T2", "P2", "resolution")], "-33.75"),  # 7.5 %
        ([("T1", "P2", "resolution")], "-11.25"),  # 2.5 %
        ([("T1", "P3", "resolution"), ("T1", "P1", "resolution")], "-22.50"),  # P3: 0 %
    ],
)
def test_it_sums_the_percentages_of_the_breaches(breaches, credit):
    assert str(line_of(credited(breaches), "credit").amount) == credit


@pytest.mark.parametrize(
    ("cap", "credit"),
    [("0", None), ("5", "-22.50"), ("9.5", "-42.75"), ("12", "-54.00"), ("100", "-54.00")],
)
def test_it_caps_the_summed_percentage(cap, credit):
    three = [("T1", "P1", "resolution"), ("T2", "P1", "resolution"), ("T3", "P1", "response")]  # 12 %
    st = credited(three, penalty_cap_percent=D(cap))
    assert [str(li.amount) for li in st.lines if li.kind == "credit"] == ([credit] if credit else [])


def test_it_writes_the_credit_as_one_negative_unit():
    c = line_of(credited([("T1", "P1", "resolution")]), "credit")
    assert (str(c.quantity), c.unit, str(c.unit_price), str(c.amount)) == ("1", "unit", "-22.50", "-22.50")


def test_it_counts_a_breach_passed_twice_twice():
    # Decision: one entry per recorded breach (B10); a ticket that breaches its resolution
    # again after a reopening is two entries.
    st = credited([("T1", "P1", "resolution"), ("T1", "P1", "resolution")])
    assert str(line_of(st, "credit").amount) == "-45.00"


def test_it_labels_the_credit_with_the_tickets_that_earned_it():
    st = credited([("TCK-2", "P1", "resolution"), ("TCK-1", "P2", "resolution"), ("TCK-2", "P1", "response"),
                   ("TCK-3", "P4", "response")])  # fmt: skip
    assert line_of(st, "credit").label == "TCK-1, TCK-2"


@pytest.mark.parametrize(
    ("model", "base"),
    [
        ("flat_fee", "450.00"),  # the fee, not the 80.00 on quote
        ("hybrid", "530.00"),  # fee 450 + overage 80 (60 min over the 600)
        ("per_ticket", "120.00"),  # the ticket
        ("hour_bank", "80.00"),  # the overage
    ],
)
def test_it_credits_the_fee_tickets_and_overage_never_work_on_quote(model, base):
    st = price(
        plan(model, penalty_cap_percent=D("100")),
        interventions=[work("I1", "03-02", 660), quote("I2", "03-03", 60)],
        resolved_tickets=[("TCK-1", "corrective")],
        blocks=[block("HB", 600, None)],
        breaches=[Breach("TCK-1", "P1", "resolution")] * 20,  # 100 %
    )
    assert str(line_of(st, "credit").amount) == f"-{base}"


@pytest.mark.parametrize(
    ("model", "fee", "breaches"),
    [
        ("flat_fee", "450.00", []),
        ("hour_bank", "0", [("T1", "P1", "resolution")]),  # no base: nothing to credit
        ("flat_fee", "0.09", [("T1", "P1", "response")]),  # 2 % of 0.09 = 0.0018 -> 0.00
    ],
    ids=["no breach", "no base", "rounds to zero"],
)
def test_it_leaves_out_a_zero_credit(model, fee, breaches):
    assert "credit" not in kinds(credited(breaches, model=model, monthly_fee=D(fee)))


def test_it_rounds_the_credit_half_up():
    # 2.5 % of 174.20 (prorated 12/31) = 4.355 -> 4.36
    st = price(plan(), active=("03-20", "03-31"), breaches=[Breach("T", "P2", "resolution")])
    assert str(line_of(st, "credit").amount) == "-4.36"


def test_it_never_makes_a_statement_negative():
    st = credited([("T1", "P1", "resolution")] * 30, penalty_cap_percent=D("100"), monthly_fee=D("333.33"))
    assert (str(st.net), str(st.vat), str(st.gross)) == ("0.00", "0.00", "0.00")


# =========================================================================== B11 VAT


def test_it_takes_vat_on_the_net_not_per_line():
    # Two lines of 0.05 at 10 %: 0.005 each would round to 0.01 + 0.01; on the net 0.10 -> 0.01.
    p = plan("per_ticket", ticket_prices={"a": D("0.05"), "b": D("0.05")}, vat_rate=D("10"))
    st = price(p, resolved_tickets=[("T1", "a"), ("T2", "b")])
    assert (str(st.net), str(st.vat), str(st.gross)) == ("0.10", "0.01", "0.11")


def test_it_takes_vat_after_the_credit():
    st = credited([("T1", "P1", "resolution")])  # 450 - 22.50
    assert (str(st.net), str(st.vat), str(st.gross)) == ("427.50", "85.50", "513.00")


@pytest.mark.parametrize(
    ("fee", "rate", "vat"),
    [
        ("122.23", "20", "24.45"),  # 24.446
        ("100.05", "5.5", "5.50"),  # 5.50275
        ("100.10", "5.5", "5.51"),  # 5.5055
        ("0.10", "5", "0.01"),  # 0.005: half-up
        ("0.09", "5", "0.00"),  # 0.0045
        ("450.00", "0", "0.00"),
        ("450.00", "8.5", "38.25"),
    ],
)
def test_it_rounds_the_vat_half_up(fee, rate, vat):
    st = price(plan(monthly_fee=D(fee), vat_rate=D(rate)))
    assert (str(st.vat), st.gross) == (vat, D(fee) + D(vat))


# =========================================================================== line order


def test_it_orders_the_lines_fee_overage_on_quote_credit():
    st = price(
        plan("hybrid", included_minutes=60),
        interventions=[quote("I1", "03-02", 60, "evolutive"), work("I2", "03-03", 120), quote("I3", "03-04", 30, "adaptive")],
        breaches=[Breach("T", "P1", "resolution")],
    )  # fmt: skip
    assert [(li.kind, li.label) for li in st.lines] == [
        ("fee", ""), ("overage", ""), ("on_quote", "adaptive"), ("on_quote", "evolutive"), ("credit", "T"),
    ]  # fmt: skip


def test_it_orders_the_lines_tickets_on_quote_credit():
    st = price(
        plan("per_ticket"),
        interventions=[quote("I1", "03-02", 60)],
        resolved_tickets=[("T2", "curative"), ("T1", "corrective")],
        breaches=[Breach("T1", "P1", "resolution")],
    )
    assert kinds(st) == ["tickets", "tickets", "on_quote", "credit"]


def test_it_returns_plain_lists():
    st = price(plan("hour_bank"), blocks=[block("HB", 60, None)])
    assert (type(st.lines), type(st.blocks_after)) == (list, list)


# =========================================================================== B12 bad input


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("model", {"model": "subscription"}),
        ("model", {"model": "FLAT_FEE"}),
        ("monthly_fee", {"monthly_fee": D("-0.01")}),
        ("monthly_fee", {"monthly_fee": 450.0}),  # a float, B1
        ("monthly_fee", {"monthly_fee": "450.00"}),
        ("hourly_rate", {"hourly_rate": D("-80")}),
        ("hourly_rate", {"hourly_rate": D("NaN")}),
        ("hourly_rate", {"hourly_rate": D("Infinity")}),
        ("vat_rate", {"vat_rate": D("-20")}),
        ("ticket_prices['curative']", {"ticket_prices": {"corrective": D("1"), "curative": D("-1")}}),
        ("penalty_percent[('P1', 'response')]", {"penalty_percent": {("P1", "response"): D("-2")}}),
        ("penalty_cap_percent", {"penalty_cap_percent": D("-1")}),
        ("penalty_cap_percent", {"penalty_cap_percent": D("100.01")}),
        ("included_minutes", {"included_minutes": -1}),
        ("included_minutes", {"included_minutes": 60.0}),
        ("rollover_cap_minutes", {"rollover_cap_minutes": -1}),
        ("increment_minutes", {"increment_minutes": 0}),
        ("increment_minutes", {"increment_minutes": -15}),
        ("increment_minutes", {"increment_minutes": 7.5}),
    ],
)
def test_it_refuses_a_bad_plan_naming_the_field(field, overrides):
    with pytest.raises(ValueError, match=names(field)):
        plan(**overrides)


@pytest.mark.parametrize("cap", ["0", "100"])
def test_it_accepts_a_credit_cap_at_either_end(cap):
    assert plan(penalty_cap_percent=D(cap)).penalty_cap_percent == D(cap)


def test_it_freezes_the_plans_tables():
    p = plan("per_ticket")
    with pytest.raises(TypeError):
        p.ticket_prices["corrective"] = D("-1")  # type: ignore[index]


@pytest.mark.parametrize(
    ("field", "make"),
    [
        ("interventions[I].minutes", lambda: work("I", "03-02", -1)),
        ("interventions[I].minutes", lambda: work("I", "03-02", 1.5)),
        ("interventions[I].day", lambda: Intervention("I", datetime(2026, 3, 2, 10), 60, "corrective")),
        ("blocks[HB].minutes", lambda: block("HB", -60, None)),
        ("blocks[HB].expires", lambda: block("HB", 60, "03-01", bought="03-02")),
        ("blocks[HB].bought", lambda: Block("HB", 60, None, "2026-03-01")),
    ],
)
def test_it_refuses_a_bad_intervention_or_block_naming_the_field(field, make):
    with pytest.raises(ValueError, match=names(field)):
        make()


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("active", {"active": ("02-28", "03-31")}),  # starts before the month
        ("active", {"active": ("03-01", "04-01")}),  # ends after it
        ("active", {"active": ("03-20", "03-10")}),  # reversed
        ("interventions[I].day", {"interventions": [work("I", "02-28", 60)]}),
        ("interventions[I].day", {"interventions": [work("I", "04-01", 60)]}),
        ("interventions", {"interventions": [work("I", "03-02", 60), quote("I", "03-03", 60)]}),
        ("resolved_tickets", {"resolved_tickets": [("TCK-1", "corrective"), ("TCK-1", "curative")]}),
        ("blocks", {"blocks": [block("HB", 60, None), block("HB", 30, None)]}),
        ("carried_minutes", {"carried_minutes": -1}),
        ("month", {"month": 13}),
        ("month", {"month": 0}),
        ("year", {"year": "2026"}),
    ],
)
def test_it_refuses_bad_month_facts_naming_the_field(field, kwargs):
    p = plan("per_ticket")
    arguments = {"year": 2026, "month": 3, "active": ("03-01", "03-31")} | kwargs
    arguments["active"] = tuple(day(d) for d in arguments["active"])
    with pytest.raises(ValueError, match=names(field)):
        price_month(p, **arguments)


@pytest.mark.parametrize("model", ["flat_fee", "per_ticket", "hour_bank", "hybrid"])
def test_it_refuses_bad_facts_under_every_model(model):
    # Validated whatever the model, even where the fact is then ignored.
    with pytest.raises(ValueError, match=names("carried_minutes")):
        price(plan(model), carried_minutes=-5)
