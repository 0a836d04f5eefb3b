"""Helpers for the ticket tests. State is built through the services (STYLE.md §9):
an SLA policy on a fixed business calendar, an active contract, tickets opened and moved
by `tickets.services`. Every instant is explicit; nothing here reads the clock.

The calendar of every test: Europe/Paris, Monday to Friday 09:00–12:00 and 14:00–18:00,
holidays Friday 2026-05-08 and Thursday 2026-05-14. Tests happen in the week of
Monday 2026-05-04 (Paris is UTC+2 then).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from contracts.services import contracts as contract_services
from sla import clock
from tests.contracts import factories as cf

PARIS = ZoneInfo("Europe/Paris")
HOURS = {d: [["09:00", "12:00"], ["14:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
HOLIDAYS = [date(2026, 5, 8), date(2026, 5, 14)]
# The same calendar as the pure clock, to check hand-computed expectations.
CAL = clock.BusinessCalendar(tz="Europe/Paris", hours=HOURS, holidays=HOLIDAYS)

# Business minutes. P3 is the matrix's medium × medium; curative P3 has a row of its own.
TARGETS = [
    {"priority": "P1", "response_minutes": 60, "resolution_minutes": 240},
    {"priority": "P2", "response_minutes": 120, "resolution_minutes": 480},
    {"priority": "P3", "response_minutes": 240, "resolution_minutes": 960},
    {"priority": "P4", "response_minutes": 480, "resolution_minutes": 1440},
    {"priority": "P3", "maintenance_type": "curative", "response_minutes": 30, "resolution_minutes": 120},
]
MAINTENANCE_TYPES = [
    {"maintenance_type": "preventive", "included": True, "details": "Monthly patching"},
    {"maintenance_type": "corrective", "included": True, "details": "Remote repair within the SLA"},
    {"maintenance_type": "curative", "included": True, "details": "Emergencies"},
]  # evolutive is not covered


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant of May 2026, wall-clock time in Paris."""
    return datetime(2026, 5, day, hour, minute, second, tzinfo=PARIS)


MON = 4  # Monday 2026-05-04
TUE, WED, THU, FRI = 5, 6, 7, 8  # Friday the 8th is a holiday
NEXT_MON = 11
T0 = at(MON, 10)  # when most tickets are opened


def sla_policy(tenant, *, code: str = "tickets"):
    """The business calendar above and a policy with TARGETS, made by the SLA services."""
    from sla import services as sla_services

    admin = cf.tenant_admin(tenant)
    calendar = sla_services.calendar_create(
        tenant=tenant, actor=admin, code=f"{code}-hours", name=f"{code} hours", timezone_name="Europe/Paris",
        hours=HOURS, holidays=[d.isoformat() for d in HOLIDAYS], effective_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    return sla_services.policy_create(
        tenant=tenant, actor=admin, code=code, name=code.title(), calendar=calendar, warning_percent=80,
        availability_target=Decimal("99.500"), targets=TARGETS,
    )


def active_contract(*, actor, client, policy, maintenance_types=MAINTENANCE_TYPES, **overrides):
    """An active contract of `client` (account manager: `actor`) covering `maintenance_types`."""
    contract = cf.draft(actor=actor, client=client, policy=policy, scope=False, **overrides)
    contract_services.contract_set_scope(contract=contract, actor=actor, items=cf.ITEMS, exclusions=cf.EXCLUSIONS,
                                         maintenance_types=maintenance_types)
    contract = contract_services.contract_send(contract=contract, actor=actor, now=cf.SENT_AT)
    return contract_services.contract_activate(contract=contract, actor=actor, signed_on=contract.start_date,
                                               client_signatory="Paul Martin", now=cf.ACTIVATED_AT)


def open_ticket(*, actor, contract, now=T0, **overrides):
    """A corrective ticket (medium × medium: P3) opened through the service."""
    from tickets.services import ticket_create

    fields = {"title": "Printer offline", "description": "The office printer no longer answers.",
              "maintenance_type": "corrective"}
    fields.update(overrides)
    return ticket_create(tenant=contract.tenant, actor=actor, contract=contract, now=now, **fields)
