"""Billing e-mails (three templates each, `emails/<name>_subject.txt`, `_body.txt`,
`_body.html`), in each recipient's language. Sent by tasks after commit; each one is
claimed first so that a retry never sends twice."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from billing.models import HourBankAlert, Invoice
from contracts.models import Contact, ContactRole
from portal.models import Membership, Role
from portal.notifications import send_templated_email


def _client_admins(tenant_id: int, organization_id: int) -> list:
    return [m.user for m in Membership.objects.filter(
        tenant_id=tenant_id, role=Role.CLIENT_ADMIN, organization_id=organization_id, user__is_active=True,
    ).select_related("user") if m.user.email]


def _send(users, name: str, context: dict, extra_addresses: list[str] = ()) -> int:
    sent, seen = 0, set()
    for user in users:
        if user is None or not user.is_active or not user.email or user.email in seen:
            continue
        seen.add(user.email)
        sent += send_templated_email(name=name, to=[user.email], context={**context, "user": user},
                                     language=user.language or settings.LANGUAGE_CODE)
    for address in extra_addresses:
        if address and address not in seen:
            seen.add(address)
            sent += send_templated_email(name=name, to=[address], context={**context, "user": None})
    return sent


def hour_bank_alert_send(*, tenant_id: int, alert_id: int) -> int:
    """80 % / 100 % of the hour bank consumed: the client's administrators and the
    account manager are told once (the alert row is unique; sending is claimed)."""
    claimed = HourBankAlert.objects.filter(tenant_id=tenant_id, pk=alert_id, sent_at__isnull=True)
    if not claimed.update(sent_at=timezone.now()):
        return 0
    alert = HourBankAlert.objects.select_related("contract__client", "contract__account_manager").get(pk=alert_id)
    contract = alert.contract
    people = [*_client_admins(tenant_id, contract.client_id), contract.account_manager]
    return _send(people, "hour_bank_threshold", {
        "contract": contract, "alert": alert,
        "url": f"{settings.PORTAL_BASE_URL}/contracts/{contract.reference}/"})


def invoice_overdue_warning_send(*, tenant_id: int, invoice_id: int) -> int:
    """The unpaid-invoice warning: the client's administrators and billing contacts, and
    the account manager, are told the invoice is overdue and when the contract will be
    suspended."""
    from billing.selectors import billing_settings_get

    claimed = Invoice.objects.filter(tenant_id=tenant_id, pk=invoice_id, warned_at__isnull=True)
    if not claimed.update(warned_at=timezone.now()):
        return 0
    invoice = Invoice.objects.select_related("contract__account_manager", "client", "tenant").get(pk=invoice_id)
    days = billing_settings_get(tenant=invoice.tenant).unpaid_suspend_days
    billing_contacts = list(Contact.objects.filter(tenant_id=tenant_id, organization_id=invoice.client_id,
                                                   role=ContactRole.BILLING).exclude(email="")
                            .values_list("email", flat=True))
    people = [*_client_admins(tenant_id, invoice.client_id), invoice.contract.account_manager]
    return _send(people, "invoice_overdue", {
        "invoice": invoice, "contract": invoice.contract,
        "suspend_on": invoice.due_date + timezone.timedelta(days=days),
        "url": f"{settings.PORTAL_BASE_URL}/billing/invoices/{invoice.number}/"}, billing_contacts)
