"""Helpers for the billing data-layer tests. State is built through the services
(STYLE.md §9): contracts through the contract services (tests/tickets/factories), tickets
and interventions through the ticket services, hour-bank blocks, runs, invoices through
`billing.services`. Every date is explicit; nothing here reads the clock.

Contracts start on 2026-01-01 (tests/contracts/factories.START); the months billed are
in spring 2026, and `TODAY` is a day after all of them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from contracts.services import contracts as contract_services
from tests.tickets import factories as tf

TODAY = date(2026, 7, 15)
MAINTENANCE_TYPES = [
    {"maintenance_type": "preventive", "included": True, "details": "Monthly patching"},
    {"maintenance_type": "corrective", "included": True, "details": "Remote repair"},
    {"maintenance_type": "curative", "included": True, "details": "Emergencies"},
    {"maintenance_type": "evolutive", "included": False, "details": "Upgrades on quote"},
]
PRICED_TYPES = [{**m, "ticket_price": Decimal("120.00")} for m in MAINTENANCE_TYPES]


def contract(*, actor, client, policy, billing_model: str = "flat_fee", maintenance_types=None, **overrides):
    """An active contract of `client` with the given plan (through the services)."""
    if maintenance_types is None:
        maintenance_types = PRICED_TYPES if billing_model == "per_ticket" else MAINTENANCE_TYPES
    plan = {"monthly_fee": Decimal("450.00"), "hourly_rate": Decimal("80.00")}
    plan.update(overrides)
    return tf.active_contract(actor=actor, client=client, policy=policy, maintenance_types=maintenance_types,
                              billing_model=billing_model, **plan)


def ticket(*, actor, contract, day: date, maintenance_type: str = "corrective", **overrides):
    """A ticket opened at 10:00 UTC on `day`."""
    return tf.open_ticket(actor=actor, contract=contract, maintenance_type=maintenance_type,
                          now=datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC), **overrides)


def work(*, ticket, actor, day: date, minutes: int, billable: bool = True):
    from tickets.services import intervention_log

    return intervention_log(ticket=ticket, actor=actor, date=day, minutes=minutes, mode="remote",
                            description="Work done", billable=billable)


def resolve(*, ticket, actor, at: datetime):
    from tickets.services import ticket_change_status

    return ticket_change_status(ticket=ticket, actor=actor, status="resolved", now=at)


def breach(*, ticket, at: datetime, metric: str = "resolution", version: int = 1):
    """A breach as the SLA scan records it."""
    from tickets.models import SlaEvent

    return SlaEvent.objects.create(tenant_id=ticket.tenant_id, ticket=ticket, metric=metric, kind="breach",
                                   target_version=version, at=at)


def amend(*, contract, actor, effective: date, **changes):
    return contract_services.contract_amend(contract=contract, actor=actor, signed_on=effective,
                                            effective_date=effective, summary="Plan change", changes=changes)


def run(contract, year: int, month: int, *, today: date = TODAY, **kwargs):
    from billing.services import billing_run_contract

    return billing_run_contract(contract=contract, year=year, month=month, today=today, **kwargs)


def issued(contract, year: int, month: int, *, actor, today: date = TODAY):
    from billing.services import invoice_issue

    return invoice_issue(invoice=run(contract, year, month, today=today), actor=actor, today=today)
