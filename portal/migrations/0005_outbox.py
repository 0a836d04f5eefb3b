"""The notification outbox (portal.OutboxMessage).

The security notice of an API token was marked on the token (`notified_at`); it goes
through the outbox now. A notice the previous release had not sent yet (its task lost
with the broker) is written to the outbox here, if the token is recent enough for the
notice to still make sense, and the column goes."""

from datetime import timedelta

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

RECENT = timedelta(days=1)


def unsent_notices_to_outbox(apps, schema_editor):
    ApiToken = apps.get_model("portal", "ApiToken")
    OutboxMessage = apps.get_model("portal", "OutboxMessage")
    since = django.utils.timezone.now() - RECENT
    rows = []
    for token in ApiToken.objects.filter(notified_at__isnull=True, created_at__gte=since).select_related("user"):
        if token.user.email:
            rows.append(OutboxMessage(
                tenant_id=token.tenant_id, channel="email", kind="api_token.created", recipient=token.user.email,
                user_id=token.user_id, context={"token_id": token.pk},
                dedup_key=f"api_token:{token.pk}:{token.user.email.lower()}"))
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0004_tenant_ticket_settings'),
    ]

    operations = [
        migrations.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('channel', models.CharField(choices=[('email', 'E-mail'), ('webhook', 'Webhook')], default='email', max_length=16)),
                ('kind', models.CharField(max_length=64)),
                ('recipient', models.CharField(max_length=500)),
                ('context', models.JSONField(blank=True, default=dict)),
                ('dedup_key', models.CharField(blank=True, max_length=300)),
                ('state', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='pending', max_length=16)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('claimed_until', models.DateTimeField(blank=True, null=True)),
                ('claimed_by', models.CharField(blank=True, max_length=100)),
                ('last_error', models.TextField(blank=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='portal.tenant', verbose_name='tenant')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'outgoing notification',
                'verbose_name_plural': 'outgoing notifications',
                'indexes': [models.Index(condition=models.Q(('state', 'pending')), fields=['next_attempt_at'], name='outbox_due'), models.Index(fields=['tenant', 'state', '-created_at'], name='outbox_tenant_state')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('dedup_key', ''), _negated=True), fields=('tenant', 'channel', 'dedup_key'), name='outbox_dedup_once')],
            },
        ),
        migrations.RunPython(unsent_notices_to_outbox, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='apitoken',
            name='notified_at',
        ),
    ]
