from django.core.management.base import BaseCommand

from portal.models import Tenant
from portal.outbox import outbox_failed_list, outbox_retry


class Command(BaseCommand):
    help = ("List the notifications the outbox gave up on (failed after every attempt), newest first; "
            "--retry puts them back in the queue with a fresh count of attempts.")

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="only this tenant (its slug)")
        parser.add_argument("--retry", action="store_true", help="queue the listed rows again")

    def handle(self, *args, tenant=None, retry=False, **options):
        scope = Tenant.objects.get(slug=tenant) if tenant else None
        rows = outbox_failed_list(tenant=scope)
        for row in rows[:200]:
            self.stdout.write(f"{row.pk:>8}  {row.created_at:%Y-%m-%d %H:%M}  {row.tenant.slug:20} {row.kind:22} "
                              f"{row.recipient:30} {row.attempts:>2}×  {row.last_error[:120]}")
        if retry:
            count = outbox_retry(rows=rows)
            self.stdout.write(self.style.SUCCESS(f"{count} notification(s) queued again."))
        elif not rows.exists():
            self.stdout.write("No failed notifications.")
