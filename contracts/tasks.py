from __future__ import annotations

from celery import shared_task

from contracts import documents


@shared_task(acks_late=True, max_retries=0)
def contract_document_render_task(tenant_id: int, document_id: int) -> None:
    """Render a contract or amendment PDF. Failures are recorded on the document."""
    documents.document_render(document_id=document_id, tenant_id=tenant_id)


@shared_task
def contracts_daily_task(today: str | None = None) -> None:
    """Every day: one task per active tenant (tacit renewals, reminders, expiries)."""
    from django.utils import timezone

    from portal.models import Tenant

    day = today or timezone.localdate().isoformat()
    for tenant_id in Tenant.objects.filter(is_active=True).values_list("pk", flat=True):
        contracts_daily_tenant_task.delay(tenant_id, day)


@shared_task
def contracts_daily_tenant_task(tenant_id: int, today: str) -> None:
    from datetime import date

    from contracts.services import renewals
    from portal.models import Tenant

    tenant = Tenant.objects.filter(pk=tenant_id, is_active=True).first()
    if tenant is not None:
        renewals.contracts_daily(tenant=tenant, today=date.fromisoformat(today))


@shared_task
def contract_reminder_send_task(tenant_id: int, reminder_id: int) -> None:
    """Kept for the tasks queued by the previous release (remove in a later release): a
    reminder's e-mails go through the outbox now."""
    from contracts.models import ContractReminder
    from contracts.notifications import reminder_notify

    reminder = ContractReminder.objects.filter(tenant_id=tenant_id, pk=reminder_id).select_related(
        "contract__account_manager").first()
    if reminder is not None:
        reminder_notify(reminder=reminder)
