from django.core.management.base import BaseCommand

from demo import seed


class Command(BaseCommand):
    help = "Create the demo tenants, organisations and users (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        seed.seed_all()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Password for every demo login: " + seed.DEMO_PASSWORD))
        for email, role, tenant in seed.demo_logins():
            self.stdout.write(f"  {email:38} {role:16} {tenant}")
