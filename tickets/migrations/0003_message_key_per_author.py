"""Idempotency keys of ticket messages are scoped to their author.

Existing rows need no change: they were unique per (tenant, ticket, key), so they are
unique per (tenant, ticket, author, key) as well. The new constraint is added before the
old one is dropped, so the table is never without one."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0004_tenant_ticket_settings'),
        ('tickets', '0002_preventive_plans'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='ticketmessage',
            constraint=models.UniqueConstraint(condition=models.Q(('idempotency_key', ''), _negated=True), fields=('tenant', 'ticket', 'author', 'idempotency_key'), name='ticketmessage_author_key_once'),
        ),
        migrations.RemoveConstraint(
            model_name='ticketmessage',
            name='ticketmessage_once',
        ),
    ]
