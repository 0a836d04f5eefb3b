"""Billing tasks: thin, idempotent wrappers around `billing.services` (STYLE.md §5).
Their schedules are in `portal/celery.py`."""

from __future__ import annotations

import logging
from datetime import datetime, time

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def billing_run_contract_task(tenant_id: int, contract_id: int, year: int, month: int) -> int | None:
    """One contract's month: its draft invoice (issued too if the tenant says so).
    Running it twice, or on two workers at once, leaves one invoice (unique key)."""
    from billing.services import billing_run_contract
    from contracts.models import Contract

    contract = Contract.objects.filter(tenant_id=tenant_id, pk=contract_id).select_related("tenant").first()
    if contract is None:
        return None  # deleted meanwhile
    return billing_run_contract(contract=contract, year=year, month=month).pk


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def billing_run_contracts_task(tenant_id: int, contract_ids: list[int], year: int, month: int) -> int:
    """A batch of contracts of a month's run (`billing_run_dispatch` queues the month in
    batches of RUN_BATCH): billed together in one transaction (`billing_run_batch`), a
    constant number of queries for the batch. A retry, a redelivery after a killed worker
    or a second run leaves one invoice per contract. A contract that fails (a plan the
    pricing refuses) is logged and left to the daily catch-up; the others are billed.
    Returns how many contracts have their invoice."""
    from billing.selectors import billing_settings_get
    from billing.services import billing_run_batch
    from portal.models import Tenant

    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None or not contract_ids:
        return 0
    result = billing_run_batch(tenant=tenant, contract_ids=contract_ids, year=year, month=month,
                               billing_settings=billing_settings_get(tenant=tenant))
    for contract_id, exc in result.errors.items():
        logger.error("billing contract %s for %s-%02d failed: %s", contract_id, year, month, exc)
    return len(result.invoices)


def due_monthly_runs(now: datetime) -> list[tuple[object, int, int]]:
    """(tenant, year, month) of the tenants whose month to bill has come: it is past
    02:00 on the 1st in their billing time zone, so the month before is over there.
    Checked every hour; each (tenant, month) is claimed once by `billing_run_dispatch`,
    so a late or repeated check starts nothing twice, and a missed hour catches up."""
    from billing.selectors import billing_settings_get, previous_month, tenant_zone
    from portal.models import Tenant

    due = []
    for tenant in Tenant.objects.filter(is_active=True):
        zone = tenant_zone(tenant, billing_settings=billing_settings_get(tenant=tenant))
        local = timezone.localtime(now, zone)
        start = datetime.combine(local.date().replace(day=1), time(2, 0), tzinfo=zone)
        if local >= start:
            year, month = previous_month(local.year, local.month)
            due.append((tenant, year, month))
    return due


@shared_task
def billing_monthly_task(now: str | None = None) -> int:
    """Every hour: start the monthly run of the tenants whose 1st, 02:00 has come."""
    from billing.models import BillingRun
    from billing.services import billing_run_dispatch

    moment = datetime.fromisoformat(now) if now else timezone.now()
    started = 0
    for tenant, year, month in due_monthly_runs(moment):
        if BillingRun.objects.filter(tenant=tenant, year=year, month=month, trigger="schedule").exists():
            continue  # the usual case, spared a transaction
        if billing_run_dispatch(tenant=tenant, year=year, month=month, trigger="schedule") is not None:
            started += 1
    return started


@shared_task
def billing_daily_task() -> None:
    """Every day: per tenant, last month's run finished for any contract it missed, the
    unpaid-invoice follow-up, the documents whose render failed for good requested
    again, and the hour-bank ledger (expiries of blocks whose last day is over,
    consumption, alerts)."""
    from portal.models import Tenant

    for tenant_id in Tenant.objects.filter(is_active=True).values_list("pk", flat=True):
        billing_daily_tenant_task.delay(tenant_id)


@shared_task
def billing_daily_tenant_task(tenant_id: int) -> None:
    from billing.services import billing_catch_up, hour_bank_sync, invoices_daily
    from contracts.models import Contract
    from portal.models import Tenant

    tenant = Tenant.objects.filter(pk=tenant_id, is_active=True).first()
    if tenant is None:
        return
    billing_catch_up(tenant=tenant)
    invoices_daily(tenant=tenant)
    from billing.documents import documents_retry_failed

    documents_retry_failed(tenant=tenant)
    for contract in Contract.objects.filter(tenant=tenant, hour_bank_blocks__isnull=False).distinct():
        try:
            hour_bank_sync(contract=contract)
        except Exception:  # one contract's bad data must not stop the others
            logger.exception("hour-bank sync failed for contract %s", contract.pk)


@shared_task
def hour_bank_sync_recent_task(minutes: int = 60) -> int:
    """Every quarter of an hour: the ledger of hour-bank contracts with work logged in
    the last hour, so balances and alerts follow the work within minutes."""
    from billing.services import hour_bank_sync
    from contracts.models import Contract

    since = timezone.now() - timezone.timedelta(minutes=minutes)
    contracts = (Contract.objects.filter(billing_model="hour_bank", tickets__interventions__created_at__gte=since)
                 .select_related("tenant").distinct())
    count = 0
    for contract in contracts:
        try:
            hour_bank_sync(contract=contract)
        except Exception:
            logger.exception("hour-bank sync failed for contract %s", contract.pk)
            continue
        count += 1
    return count


# ------------------------------------------------------------------ documents
# A render that fails is recorded on its row (status "failed" and the reason) by the
# service, then retried here with back-off: 1, 2, 4, 8 minutes. Past that, the daily
# task requests it again (billing.documents.documents_retry_failed).

DOCUMENT_RETRIES = 4


def _retry_failed(task, failed: bool) -> None:
    if failed:
        raise task.retry(countdown=60 * 2 ** task.request.retries, max_retries=DOCUMENT_RETRIES)


@shared_task(bind=True, acks_late=True)
def invoice_pdf_task(self, tenant_id: int, invoice_id: int) -> None:
    """Render an issued invoice's Factur-X PDF (queued when it is issued, or on demand)."""
    from billing.documents import invoice_pdf_render
    from billing.models import PdfStatus

    invoice = invoice_pdf_render(tenant_id=tenant_id, invoice_id=invoice_id)
    _retry_failed(self, invoice is not None and invoice.pdf_status == PdfStatus.FAILED)


@shared_task(bind=True, acks_late=True)
def credit_note_pdf_task(self, tenant_id: int, note_id: int) -> None:
    """Render a credit note's Factur-X PDF (queued when it is created, or on demand)."""
    from billing.documents import credit_note_pdf_render
    from billing.models import PdfStatus

    note = credit_note_pdf_render(tenant_id=tenant_id, note_id=note_id)
    _retry_failed(self, note is not None and note.pdf_status == PdfStatus.FAILED)


@shared_task(bind=True, acks_late=True)
def monthly_report_task(self, tenant_id: int, report_id: int) -> None:
    """Render a contract's monthly report (queued by the monthly run, or on demand)."""
    from billing.documents import monthly_report_render
    from billing.models import PdfStatus

    report = monthly_report_render(tenant_id=tenant_id, report_id=report_id)
    _retry_failed(self, report is not None and report.status == PdfStatus.FAILED)
