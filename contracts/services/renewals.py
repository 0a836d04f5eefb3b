"""The daily contract run: tacit renewals, reminders before notice deadlines and
contract ends, and the end of contracts past their last day.

Idempotent by construction: terms are unique per (contract, index), reminders per
(contract, kind, due date, days before), and state changes are conditional updates,
so running the day twice (or two workers at once) changes nothing more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction

from contracts.events import contract_event_payload
from contracts.models import Contract, ContractReminder, ContractStatus, ContractTerm
from contracts.notifications import reminder_notify
from portal.audit import audit_log
from portal.events import emit

logger = logging.getLogger(__name__)

__all__ = ["DailyReport", "contracts_daily"]


@dataclass
class DailyReport:
    renewed: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    reminders: list[str] = field(default_factory=list)


def _roll_terms(contract: Contract, today: date, report: DailyReport) -> None:
    """Record every tacit renewal up to the term in force today."""
    terms = contract.terms()
    if terms is None or not terms.renews_tacitly or contract.notice_given_on is not None:
        return
    index = terms.term_index_on(today)
    if index is None:
        return
    existing = set(contract.term_history.values_list("index", flat=True))
    for k in range(2, index + 1):
        if k in existing:
            continue
        term = terms.term(k)
        try:
            with transaction.atomic():
                ContractTerm.objects.create(tenant_id=contract.tenant_id, contract=contract, index=k,
                                            first_day=term.first_day, last_day=term.last_day, kind="tacit",
                                            monthly_fee=contract.monthly_fee)
        except IntegrityError:
            continue  # recorded by a concurrent run
        audit_log(tenant=contract.tenant, actor=None, action="contract.renew_tacit", obj=contract,
                  organization=contract.client,
                  changes={"term": k, "first_day": term.first_day, "last_day": term.last_day})
        report.renewed.append(f"{contract.reference}#{k}")


def _end(contract: Contract, today: date, report: DailyReport) -> None:
    if contract.end_date is None or contract.end_date >= today:
        return
    new_status = ContractStatus.TERMINATED if contract.notice_given_on else ContractStatus.EXPIRED
    updated = Contract.objects.filter(
        pk=contract.pk, status__in=[ContractStatus.ACTIVE, ContractStatus.SUSPENDED]
    ).update(status=new_status)
    if updated:
        audit_log(tenant=contract.tenant, actor=None, action=f"contract.{new_status}", obj=contract,
                  organization=contract.client, changes={"status": [contract.status, new_status],
                                                        "end_date": contract.end_date})
        report.ended.append(contract.reference)


def _due_reminders(contract: Contract, today: date, days: list[int]) -> list[tuple[str, date, int]]:
    out = []
    terms = contract.terms()
    if terms is not None and contract.notice_given_on is None and contract.end_date is None:
        deadline = terms.next_notice_deadline(today)
        if deadline is not None:
            for d in days:
                if deadline - timedelta(days=d) <= today <= deadline:
                    out.append(("notice", deadline, d))
                    break  # the closest reminder window only
    if contract.end_date is not None and today <= contract.end_date:
        for d in days:
            if contract.end_date - timedelta(days=d) <= today:
                out.append(("expiry", contract.end_date, d))
                break
    return out


def _remind(contract: Contract, today: date, report: DailyReport) -> None:
    days = sorted(contract.tenant.reminder_days)  # smallest window first: the most urgent reminder wins
    for kind, due, d in _due_reminders(contract, today, days):
        try:
            with transaction.atomic():
                reminder = ContractReminder.objects.create(tenant_id=contract.tenant_id, contract=contract,
                                                           kind=kind, due_date=due, days_before=d)
                reminder_notify(reminder=reminder)  # its e-mails, committed with it
                emit(tenant_id=contract.tenant_id, event_type="contract.renewal_due",
                     payload=contract_event_payload(contract, reminder=kind, due_date=due.isoformat(),
                                                    days_before=d))
        except IntegrityError:
            continue  # already sent
        report.reminders.append(f"{contract.reference}:{kind}:{due}:-{d}")


def contracts_daily(*, tenant, today: date) -> DailyReport:
    """Run the day for one tenant. Safe to run twice."""
    report = DailyReport()
    contracts = (
        Contract.objects.filter(tenant=tenant, status__in=[ContractStatus.ACTIVE, ContractStatus.SUSPENDED])
        .select_related("tenant", "client")
        .order_by("pk")
    )
    for contract in contracts:
        with transaction.atomic():
            _roll_terms(contract, today, report)
            _remind(contract, today, report)
            _end(contract, today, report)
    return report
