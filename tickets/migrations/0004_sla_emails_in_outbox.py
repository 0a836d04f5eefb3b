"""SLA warnings and breaches are e-mailed through the outbox (portal.OutboxMessage),
written with the event; `SlaEvent.notified_at` goes.

An event the previous release recorded but had not notified yet (its task lost with the
broker, between two passes of the old catch-up scan) is written to the outbox here, to
the people the current code would pick (the assignee or else the technicians; for a
breach also the contract's account manager), with the same keys, so nothing is sent
twice. Only events of the last week: older ones are no longer news."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

RECENT = timedelta(days=7)


def unnotified_events_to_outbox(apps, schema_editor):
    SlaEvent = apps.get_model("tickets", "SlaEvent")
    Membership = apps.get_model("portal", "Membership")
    OutboxMessage = apps.get_model("portal", "OutboxMessage")
    events = list(SlaEvent.objects.filter(notified_at__isnull=True, created_at__gte=timezone.now() - RECENT)
                  .select_related("ticket__assignee", "ticket__contract__account_manager"))
    teams: dict[int, list] = {}
    rows = []
    for event in events:
        ticket = event.ticket
        if ticket.assignee_id:
            people = [ticket.assignee]
        else:
            if ticket.tenant_id not in teams:
                teams[ticket.tenant_id] = [m.user for m in Membership.objects.filter(
                    tenant_id=ticket.tenant_id, role="technician", user__is_active=True).select_related("user")]
            people = list(teams[ticket.tenant_id])
        if event.kind == "breach" and ticket.contract.account_manager_id:
            people.append(ticket.contract.account_manager)
        key = f"sla:{ticket.pk}:{event.metric}:{event.kind}:{event.target_version}"
        seen = set()
        for user in people:
            if not user.is_active or not user.email or user.email.lower() in seen:
                continue
            seen.add(user.email.lower())
            rows.append(OutboxMessage(
                tenant_id=event.tenant_id, channel="email", kind=f"ticket.{event.kind}", recipient=user.email,
                user_id=user.pk, dedup_key=f"{key}:{user.email.lower()}",
                context={"ticket_id": ticket.pk, "metric": event.metric, "kind": event.kind,
                         "target_version": event.target_version}))
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0005_outbox'),
        ('tickets', '0003_message_key_per_author'),
    ]

    operations = [
        migrations.RunPython(unnotified_events_to_outbox, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='slaevent',
            name='notified_at',
        ),
    ]
