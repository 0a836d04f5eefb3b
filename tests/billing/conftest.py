"""Shared helpers for the pure billing tests: the worked examples and a way to compare
statements exactly.  No database, no Django.

Decimals are compared by their text (``Decimal("1.0000") == Decimal("1")`` is true, but
the invoice writes "1.0000"), so ``as_data`` turns a statement into plain strings.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from billing.pricing import Block, Breach, Intervention, Plan, Statement, price_month

DATA = Path(__file__).parent / "data" / "billing_examples.json"


def load_examples() -> list[dict[str, Any]]:
    return json.loads(DATA.read_text(encoding="utf-8"))["cases"]


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def plan_from_json(data: dict[str, Any]) -> Plan:
    return Plan(
        model=data["model"],
        monthly_fee=Decimal(data["monthly_fee"]),
        hourly_rate=Decimal(data["hourly_rate"]),
        included_minutes=data["included_minutes"],
        rollover_cap_minutes=data["rollover_cap_minutes"],
        increment_minutes=data["increment_minutes"],
        ticket_prices={kind: Decimal(price) for kind, price in data["ticket_prices"].items()},
        penalty_percent={(p, m): Decimal(pct) for p, m, pct in data["penalty_percent"]},
        penalty_cap_percent=Decimal(data["penalty_cap_percent"]),
        vat_rate=Decimal(data["vat_rate"]),
    )


def arguments_from_json(case: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of price_month for one example."""
    return {
        "year": case["year"],
        "month": case["month"],
        "active": (_day(case["active"][0]), _day(case["active"][1])),
        "interventions": [
            Intervention(
                ref=i["ref"],
                day=_day(i["day"]),
                minutes=i["minutes"],
                maintenance_type=i["maintenance_type"],
                included=i["included"],
                billable=i["billable"],
            )
            for i in case["interventions"]
        ],
        "resolved_tickets": [(ref, kind) for ref, kind in case["resolved_tickets"]],
        "breaches": [
            Breach(ticket=b["ticket"], priority=b["priority"], metric=b["metric"]) for b in case["breaches"]
        ],
        "carried_minutes": case["carried_minutes"],
        "blocks": [
            Block(ref=b["ref"], minutes=b["minutes"], expires=_day(b["expires"]), bought=_day(b["bought"]))
            for b in case["blocks"]
        ],
    }


def price_example(case: dict[str, Any]) -> Statement:
    return price_month(plan_from_json(case["plan"]), **arguments_from_json(case))


def as_data(st: Statement, *, labels: bool = True, blocks_in_full: bool = True) -> dict[str, Any]:
    """A statement as plain data, Decimals as their exact text."""
    lines = []
    for line in st.lines:
        row = {
            "kind": line.kind,
            "quantity": str(line.quantity),
            "unit": line.unit,
            "unit_price": str(line.unit_price),
            "amount": str(line.amount),
        }
        if labels:
            row["label"] = line.label
        lines.append(row)
    blocks = []
    for block in st.blocks_after:
        row = {"ref": block.ref, "minutes": block.minutes}
        if blocks_in_full:
            row["expires"] = block.expires and block.expires.isoformat()
            row["bought"] = block.bought.isoformat()
        blocks.append(row)
    return {
        "lines": lines,
        "net": str(st.net),
        "vat": str(st.vat),
        "gross": str(st.gross),
        "carry_minutes": st.carry_minutes,
        "used_minutes": st.used_minutes,
        "expired_minutes": st.expired_minutes,
        "blocks_after": blocks,
    }


# --------------------------------------------------------------------------- data layer
# Fixtures of the billing data-layer tests (tests/billing/test_plans.py, test_services…):
# tenant A's SLA policy and contracts of client A1 (account manager amy). Imported
# lazily, so the pure pricing tests above still run without Django.

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_clock_cache(request):
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        yield
        return
    from tickets import sla

    sla._clock_cache.clear()
    yield
    sla._clock_cache.clear()


@pytest.fixture
def policy(tenant_a):
    from tests.tickets import factories as tf

    return tf.sla_policy(tenant_a)


@pytest.fixture
def make_contract(amy, org_a1, policy):
    """`make_contract(billing_model, **plan)`: an active contract of client A1."""
    from tests.billing import factories as bf

    def make(billing_model="flat_fee", *, client=None, **plan):
        return bf.contract(actor=amy, client=client or org_a1, policy=policy, billing_model=billing_model, **plan)

    return make


# Shared by the page and API tests (tests/billing/test_views.py, test_api.py): client
# A1's flat-fee contract, its February draft and its March invoice issued on ISSUE_DAY.
ISSUE_DAY = date(2026, 4, 2)


@pytest.fixture
def contract(make_contract):
    return make_contract("flat_fee")


@pytest.fixture
def draft(contract):
    """February 2026, a draft (450.00 + VAT = 540.00)."""
    from tests.billing import factories as bf

    return bf.run(contract, 2026, 2)


@pytest.fixture
def issued(contract, amy):
    """March 2026, issued on 2 April: INV-2026-000001, due 2 May."""
    from tests.billing import factories as bf

    return bf.issued(contract, 2026, 3, actor=amy, today=ISSUE_DAY)


@pytest.fixture
def bank(make_contract, amy):
    """Client A1's hour-bank contract with a block of 600 minutes bought on 5 January."""
    from decimal import Decimal

    from billing.services import hour_bank_block_buy

    contract = make_contract("hour_bank", hourly_rate=Decimal("90.00"), monthly_fee=Decimal("0"))
    hour_bank_block_buy(contract=contract, actor=amy, minutes=600, price=Decimal("800.00"),
                        bought_on=date(2026, 1, 5))
    return contract
