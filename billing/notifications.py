"""Billing e-mails, written to the outbox (portal/outbox.py) in the transaction that
records the event, and rendered in each recipient's language by the outbox worker
(three templates each, `emails/<name>_subject.txt`, `_body.txt`, `_body.html`)."""

from __future__ import annotations

from datetime import timedelta

from billing.models import HourBankAlert, Invoice
from contracts.models import Contact, ContactRole
from portal.links import site_url
from portal.models import Membership, OutboxMessage, Role, User
from portal.outbox import Email, email_renderer, outbox_email, user_language


def _client_admins(tenant_id: int, organization_id: int) -> list[User]:
    return [m.user for m in Membership.objects.filter(
        tenant_id=tenant_id, role=Role.CLIENT_ADMIN, organization_id=organization_id, user__is_active=True,
    ).select_related("user") if m.user.email]


# A user reads their own language (or the portal's); a bare address (a contact) the
# contract's.


def _people(users) -> list[User]:
    return [u for u in users if u is not None and u.is_active and u.email]


def hour_bank_alert_notify(*, alert: HourBankAlert) -> int:
    """80 % / 100 % of the hour bank consumed: the client's administrators and the
    account manager are told once (the alert row is unique; the outbox key too)."""
    contract = alert.contract
    people = _people([*_client_admins(alert.tenant_id, contract.client_id), contract.account_manager])
    return outbox_email(tenant_id=alert.tenant_id, kind="billing.hour_bank_threshold", recipients=people,
                        context={"alert_id": alert.pk}, dedup_key=f"hour_bank_alert:{alert.pk}")


@email_renderer("billing.hour_bank_threshold")
def _hour_bank_threshold(row: OutboxMessage) -> Email | None:
    alert = (HourBankAlert.objects.select_related("contract__client")
             .filter(tenant_id=row.tenant_id, pk=row.context.get("alert_id")).first())
    if alert is None:
        return None
    contract = alert.contract
    return Email("hour_bank_threshold", {
        "contract": contract, "alert": alert, "user": row.user,
        "url": site_url("hour-bank-detail", contract.reference)},
        user_language(row.user, contract.language if row.user is None else None))


def invoice_overdue_notify(*, invoice: Invoice, suspend_after_days: int) -> int:
    """The unpaid-invoice warning: the client's administrators and billing contacts, and
    the account manager, are told the invoice is overdue and when the contract will be
    suspended. Once per invoice (outbox key)."""
    billing_contacts = list(Contact.objects.filter(tenant_id=invoice.tenant_id, organization_id=invoice.client_id,
                                                   role=ContactRole.BILLING).exclude(email="")
                            .values_list("email", flat=True))
    people = [*_people([*_client_admins(invoice.tenant_id, invoice.client_id), invoice.contract.account_manager]),
              *billing_contacts]
    return outbox_email(tenant_id=invoice.tenant_id, kind="billing.invoice_overdue", recipients=people,
                        context={"invoice_id": invoice.pk, "suspend_after_days": suspend_after_days},
                        dedup_key=f"invoice_overdue:{invoice.pk}")


@email_renderer("billing.invoice_overdue")
def _invoice_overdue(row: OutboxMessage) -> Email | None:
    invoice = (Invoice.objects.select_related("contract__account_manager", "client", "tenant")
               .filter(tenant_id=row.tenant_id, pk=row.context.get("invoice_id")).first())
    if invoice is None:
        return None
    return Email("invoice_overdue", {
        "invoice": invoice, "contract": invoice.contract, "user": row.user,
        "suspend_on": invoice.due_date + timedelta(days=int(row.context.get("suspend_after_days", 30))),
        "url": site_url("invoice-detail", invoice.number)},
        user_language(row.user, invoice.contract.language if row.user is None else None))
