"""`manage.py billing_run --month 2026-11 [--tenant slug]`: the monthly run for a past
month, here and now, with a progress bar. Safe to repeat: a contract-month that already
has its invoice keeps it."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from billing.selectors import local_today, month_has_ended
from billing.services import billing_run_month
from portal.models import Tenant

BAR_WIDTH = 30


class Command(BaseCommand):
    help = ("Bill a past month: one draft invoice per contract active in it (issued at once when the "
            "tenant's billing settings say so). Contract-months already invoiced are left as they are.")

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="The month to bill, as YYYY-MM (e.g. 2026-11).")
        parser.add_argument("--tenant", help="Only this tenant (its slug); default: every active tenant.")

    def handle(self, *args, **options):
        match = re.fullmatch(r"(\d{4})-(\d{2})", options["month"] or "")
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise CommandError("--month: give a month as YYYY-MM, e.g. 2026-11.")
        year, month = int(match.group(1)), int(match.group(2))
        tenants = Tenant.objects.filter(is_active=True).order_by("slug")
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"--tenant: no active tenant {options['tenant']!r}.")
        tenants = list(tenants)
        # Refused before anything is written, for every tenant (each in its own zone).
        for tenant in tenants:
            if not month_has_ended(year, month, local_today(tenant)):
                raise CommandError(f"--month: {year}-{month:02d} is not over yet for {tenant.slug}; "
                                   "only a past month can be billed.")
        total = 0
        for tenant in tenants:
            self.stdout.write(f"{tenant.slug}: {year}-{month:02d}")
            try:
                invoices = billing_run_month(tenant=tenant, year=year, month=month, progress=self._bar)
            except ValidationError as exc:
                raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
            if not invoices:
                self.stdout.write("  no contract active in the month")
            total += len(invoices)
        self.stdout.write(self.style.SUCCESS(f"{total} invoice(s) for {year}-{month:02d}."))

    def _bar(self, done: int, total: int, contract) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        ending = "\n" if done == total else ""
        self.stdout.write(f"\r  [{bar}] {done}/{total} {contract.reference:<16}", ending=ending)
        self.stdout.flush()
