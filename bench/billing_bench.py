"""Benchmark of the pure invoice arithmetic (billing/pricing.py).

Run from the repository root:  .venv/bin/python bench/billing_bench.py
Prints the figures and writes var/bench/billing.json, a list of
{"name", "unit", "calls", "median", "p95", "p99", "total_s", "goal", "met"}: per-call
figures in µs; ``total_s`` the time of one pass over every contract-month, the median
of several passes; ``goal`` is on that total, in seconds.

What is measured is ``price_month`` alone, as the monthly run will call it: the plans,
interventions, blocks and breaches are built beforehand (the run builds them from rows;
that cost is printed for information).  10,000 contract-months, a quarter per model,
each with its own plan, spread over 2026–2028 (leap February included), one in five
active for part of the month, with interventions (some on quote, some not billable),
first-resolved tickets, breaches, carried minutes and hour-bank blocks (some expiring in
the month, some bought during it).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from billing.pricing import Block, Breach, Intervention, Plan, price_month  # noqa: E402

CONTRACTS = 10_000
GOAL_S = 1.0
PASSES = 5
MODELS = ("flat_fee", "per_ticket", "hour_bank", "hybrid")
TYPES = ("corrective", "curative", "evolutive", "preventive", "adaptive")
PENALTIES = {
    ("P1", "response"): Decimal("2"),
    ("P1", "resolution"): Decimal("5"),
    ("P2", "response"): Decimal("1"),
    ("P2", "resolution"): Decimal("2.5"),
    ("P3", "resolution"): Decimal("1"),
}


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def month_end(year: int, month: int) -> date:
    return date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)


def money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)).scaleb(-2)


def contract_month(rng: random.Random, n: int) -> tuple[Plan, dict]:
    model = MODELS[n % 4]
    year, month = rng.choice((2026, 2027, 2028)), rng.randint(1, 12)
    first, last = date(year, month, 1), month_end(year, month)
    days = last.day
    active = (first, last)
    if rng.random() < 0.2:  # starts or ends inside the month
        a, b = sorted(rng.sample(range(days), 2))
        active = (first + timedelta(days=a), first + timedelta(days=b))
    covered = rng.sample(TYPES, rng.randint(2, 4))
    plan = Plan(
        model=model,
        monthly_fee=money(rng, 200, 3000),
        hourly_rate=money(rng, 60, 150),
        included_minutes=rng.choice((0, 300, 600, 900, 1200)),
        rollover_cap_minutes=rng.choice((None, 0, 120, 300, 600)),
        increment_minutes=rng.choice((15, 15, 15, 1, 5, 10, 30, 60)),
        ticket_prices={kind: money(rng, 50, 400) for kind in covered},
        penalty_percent=PENALTIES,
        penalty_cap_percent=Decimal(rng.choice((0, 5, 10, 15, 20, 100))),
        vat_rate=Decimal(rng.choice(("20", "20", "10", "5.5"))),
    )
    interventions = []
    for i in range(rng.randint(0, 15)):
        on_quote = rng.random() < 0.2
        interventions.append(
            Intervention(
                ref=f"INT-{n:05d}-{i:02d}",
                day=first + timedelta(days=rng.randrange(days)),
                minutes=rng.randint(1, 480),
                maintenance_type="evolutive" if on_quote else rng.choice(covered),
                included=not on_quote,
                billable=rng.random() > 0.1,
            )
        )
    tickets = (
        [(f"TCK-{n:05d}-{t:02d}", rng.choice(covered)) for t in range(rng.randint(0, 20))]
        if model == "per_ticket"
        else []
    )
    breaches = [
        Breach(f"TCK-{n:05d}-{rng.randint(0, 20):02d}", rng.choice(("P1", "P2", "P3", "P4")), rng.choice(("response", "resolution")))
        for _ in range(rng.choice((0, 0, 0, 1, 2, 4)))
    ]  # fmt: skip
    blocks = []
    if model == "hour_bank":
        for b in range(rng.randint(0, 4)):
            bought = first + timedelta(days=rng.randint(-300, days - 1))
            expires = None if rng.random() < 0.3 else max(bought, first) + timedelta(days=rng.randint(0, 200))
            blocks.append(Block(f"HB-{n:05d}-{b}", rng.choice((300, 600, 1200, 3000)), expires, bought))
    return plan, {
        "year": year,
        "month": month,
        "active": active,
        "interventions": interventions,
        "resolved_tickets": tickets,
        "breaches": breaches,
        "carried_minutes": rng.choice((0, 60, 150, 300)) if model == "hybrid" else 0,
        "blocks": blocks,
    }


def main() -> int:
    rng = random.Random(2026)
    begin = time.perf_counter()
    cases = [contract_month(rng, n) for n in range(CONTRACTS)]
    build_s = time.perf_counter() - begin

    for plan, arguments in cases[:200]:  # warm-up: imports, the month cache
        price_month(plan, **arguments)

    # Per call: one sample per contract-month.
    clock = time.perf_counter_ns
    samples = []
    for plan, arguments in cases:
        start = clock()
        price_month(plan, **arguments)
        samples.append((clock() - start) / 1000)

    # In all: whole passes with nothing but the calls in the loop.
    totals = []
    for _ in range(PASSES):
        start = time.perf_counter()
        for plan, arguments in cases:
            price_month(plan, **arguments)
        totals.append(time.perf_counter() - start)
    total = statistics.median(totals)

    row = {
        "name": f"price_month() {CONTRACTS:,} varied contract-months",
        "unit": "µs",
        "calls": len(samples),
        "median": round(statistics.median(samples), 2),
        "p95": round(percentile(samples, 95), 2),
        "p99": round(percentile(samples, 99), 2),
        "total_s": round(total, 4),
        "goal": GOAL_S,
        "met": total < GOAL_S,
    }
    lines = sum(len(price_month(p, **a).lines) for p, a in cases)
    interventions = sum(len(a["interventions"]) for _, a in cases)

    print(f"{'benchmark':46} {'median':>9} {'p95':>9} {'p99':>9} {'total':>8} {'goal':>7}  met")
    print(
        f"{row['name']:46} {row['median']:>8.1f}µ {row['p95']:>8.1f}µ {row['p99']:>8.1f}µ"
        f" {row['total_s']:>7.3f}s {GOAL_S:>6}s  {'yes' if row['met'] else 'NO'}"
    )
    print(
        f"(passes: {', '.join(f'{t:.3f}' for t in totals)} s; {interventions:,} interventions,"
        f" {lines:,} lines; building the inputs took {build_s:.2f} s, not counted;"
        f" load average {os.getloadavg()[0]:.2f})"
    )

    out = ROOT / "var" / "bench" / "billing.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([row], indent=2, ensure_ascii=False) + "\n")
    print(f"written {out.relative_to(ROOT)}")
    return 0 if row["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
