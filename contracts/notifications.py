"""Contract e-mails: the reminders before a notice deadline or a contract's end, written
to the outbox (portal/outbox.py) by the daily run in the transaction that records the
reminder, and rendered by the outbox worker."""

from __future__ import annotations

from contracts.models import Contact, Contract, ContractReminder
from portal.links import site_url
from portal.models import OutboxMessage, User
from portal.outbox import Email, email_renderer, outbox_email, user_language


def reminder_recipients(contract: Contract) -> list[User | str]:
    """The account manager and the client's referent contacts (addresses: contacts have
    no account)."""
    people: list[User | str] = []
    if contract.account_manager_id and contract.account_manager.email:
        people.append(contract.account_manager)
    people += list(
        Contact.objects.filter(tenant_id=contract.tenant_id, organization_id=contract.client_id, role="referent")
        .exclude(email="").order_by("pk").values_list("email", flat=True)
    )
    return people


def reminder_notify(*, reminder: ContractReminder) -> int:
    """Write a reminder's e-mails to the outbox (in the caller's transaction), once per
    reminder and recipient."""
    return outbox_email(tenant_id=reminder.tenant_id, kind="contract.reminder",
                        recipients=reminder_recipients(reminder.contract), context={"reminder_id": reminder.pk},
                        dedup_key=f"contract_reminder:{reminder.pk}")


@email_renderer("contract.reminder")
def _reminder(row: OutboxMessage) -> Email | None:
    reminder = (ContractReminder.objects.select_related("contract__client", "contract__tenant")
                .filter(tenant_id=row.tenant_id, pk=row.context.get("reminder_id")).first())
    if reminder is None:
        return None
    contract = reminder.contract
    # A user's own language; a contact's is the contract's.
    return Email(f"contract_reminder_{reminder.kind}", {"contract": contract, "reminder": reminder,
                                                        "tenant": contract.tenant,
                                                        "url": site_url("contract-detail", contract.reference)},
                 user_language(row.user, contract.language))
