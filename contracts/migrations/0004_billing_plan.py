"""The billing plan on the contract: included minutes (instead of hours), rollover cap,
rounding increment, service-credit grid and cap, ticket prices per maintenance type.

Existing contracts get included_minutes = round(included_hours × 60), and the snapshots
of their versions are given the same fields (defaults for the new ones), so that every
version can be priced by billing with the same reader."""

from decimal import ROUND_HALF_UP, Decimal

import django.core.validators
from django.conf import settings
from django.db import migrations, models


NEW_DEFAULTS = {"rollover_cap_minutes": None, "increment_minutes": 15, "service_credits": {},
                "penalty_cap_percent": "0.00"}


def _minutes(hours) -> int:
    return int((Decimal(str(hours or 0)) * 60).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def hours_to_minutes(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    ContractVersion = apps.get_model("contracts", "ContractVersion")
    for contract in Contract.objects.exclude(included_hours=0).only("pk", "included_hours"):
        Contract.objects.filter(pk=contract.pk).update(included_minutes=_minutes(contract.included_hours))
    for version in ContractVersion.objects.all().only("pk", "snapshot"):
        snap = dict(version.snapshot or {})
        if "included_minutes" in snap:
            continue
        snap["included_minutes"] = _minutes(snap.pop("included_hours", 0))
        for key, value in NEW_DEFAULTS.items():
            snap.setdefault(key, value)
        for mt in snap.get("maintenance_types", []):
            mt.setdefault("ticket_price", None)
        ContractVersion.objects.filter(pk=version.pk).update(snapshot=snap)


def minutes_to_hours(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    ContractVersion = apps.get_model("contracts", "ContractVersion")
    for contract in Contract.objects.exclude(included_minutes=0).only("pk", "included_minutes"):
        hours = (Decimal(contract.included_minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        Contract.objects.filter(pk=contract.pk).update(included_hours=hours)
    for version in ContractVersion.objects.all().only("pk", "snapshot"):
        snap = dict(version.snapshot or {})
        if "included_minutes" not in snap:
            continue
        minutes = snap.pop("included_minutes")
        snap["included_hours"] = str((Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        for key in NEW_DEFAULTS:
            snap.pop(key, None)
        for mt in snap.get("maintenance_types", []):
            mt.pop("ticket_price", None)
        ContractVersion.objects.filter(pk=version.pk).update(snapshot=snap)


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0003_contract_amendment_contractclause_contractdocument_and_more'),
        ('portal', '0004_tenant_ticket_settings'),
        ('sla', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='contract',
            name='included_minutes',
            field=models.PositiveIntegerField(default=0, verbose_name='minutes included per month'),
        ),
        migrations.AddField(
            model_name='contract',
            name='increment_minutes',
            field=models.PositiveSmallIntegerField(default=15, help_text='Each intervention is rounded up to a multiple of this.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='rounding increment (minutes)'),
        ),
        migrations.AddField(
            model_name='contract',
            name='penalty_cap_percent',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=5, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='service credits cap (%)'),
        ),
        migrations.AddField(
            model_name='contract',
            name='rollover_cap_minutes',
            field=models.PositiveIntegerField(blank=True, help_text='Empty: unused minutes are not carried over.', null=True, verbose_name='unused minutes carried to the next month (at most)'),
        ),
        migrations.AddField(
            model_name='contract',
            name='service_credits',
            field=models.JSONField(blank=True, default=dict, verbose_name='SLA service credits (% per breach)'),
        ),
        migrations.AddField(
            model_name='contractmaintenancetype',
            name='ticket_price',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='price per ticket (excl. VAT)'),
        ),
        migrations.AlterField(
            model_name='contract',
            name='hourly_rate',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=10, validators=[django.core.validators.MinValueValidator(0)], verbose_name='hourly rate (excl. VAT)'),
        ),
        migrations.AlterField(
            model_name='contract',
            name='monthly_fee',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12, validators=[django.core.validators.MinValueValidator(0)], verbose_name='monthly fee (excl. VAT)'),
        ),
        migrations.AlterField(
            model_name='contract',
            name='vat_rate',
            field=models.DecimalField(decimal_places=2, default=20, max_digits=5, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='VAT rate (%)'),
        ),
        migrations.AddConstraint(
            model_name='contract',
            constraint=models.CheckConstraint(condition=models.Q(('hourly_rate__gte', 0), ('increment_minutes__gte', 1), ('monthly_fee__gte', 0), ('penalty_cap_percent__gte', 0), ('penalty_cap_percent__lte', 100), ('vat_rate__gte', 0)), name='contract_plan_bounds'),
        ),
        migrations.AddConstraint(
            model_name='contractmaintenancetype',
            constraint=models.CheckConstraint(condition=models.Q(('ticket_price__isnull', True), ('ticket_price__gte', 0), _connector='OR'), name='contract_mtype_price_not_negative'),
        ),
        migrations.RunPython(hours_to_minutes, minutes_to_hours),
        migrations.RemoveField(
            model_name='contract',
            name='included_hours',
        ),
    ]
