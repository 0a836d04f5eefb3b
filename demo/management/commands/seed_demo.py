"""`manage.py seed_demo`: the demo data, idempotent (a second run changes nothing).

    seed_demo                     everything, here and now
    seed_demo --background        tenants, people, SLA and contracts now (seconds); the six
                                  months of tickets and billing, then the PDFs, in a
                                  low-priority background process (what `make run` does)
    seed_demo --no-history        tenants, people, SLA and contracts only
    seed_demo --render-documents  render the PDFs the seed left queued
"""

import os
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from demo import seed


def _workers() -> bool:
    """Whether Celery workers render the PDFs (a broker, tasks not run eagerly)."""
    from portal.celery import app

    return settings.PORTAL_BROKER_CONFIGURED and not app.conf.task_always_eager


class Command(BaseCommand):
    help = ("Create the demo tenants, organisations, users, contracts and six months of tickets and invoices "
            "(idempotent: a second run changes nothing).")

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="The address the portal is served at, for the summary.")
        parser.add_argument("--background", action="store_true",
                            help="Seed the history and render the PDFs in a background process.")
        parser.add_argument("--no-history", action="store_true", help="Only tenants, people, SLA and contracts.")
        parser.add_argument("--history-only", action="store_true", help="Only the history (the background process).")
        parser.add_argument("--render-documents", action="store_true",
                            help="Render the PDFs the seed left queued (contracts, invoices, credit notes, reports).")

    def handle(self, *args, url="", background=False, no_history=False, history_only=False,
               render_documents=False, **options):
        if render_documents:
            self._render()
            return
        started = time.perf_counter()
        if history_only:
            if not _workers():
                seed.documents_render()  # the contracts' PDFs first: a few, and the first pages shown
            seed.seed_all(base=False)
            self._summary(started, title="Demo history ready")
            self._pdfs(render=True)
            return
        if background and seed.history_missing():
            seed.seed_all(history=False)
            self.stdout.write(self.style.SUCCESS(f"Demo tenants, people and contracts ready "
                                                 f"({time.perf_counter() - started:.1f} s)."))
            self.stdout.write("  Six months of tickets and invoices are being generated in the background "
                              "(a few minutes); a summary follows here when they are.")
            self._spawn("--history-only")
        else:
            seed.seed_all(history=not no_history)
            self._summary(started, title="Demo data ready")
            if background and not _workers() and any(seed.documents_pending().values()):
                self.stdout.write("  PDFs: rendered in the background.")
                self._spawn("--render-documents")
            else:
                self._pdfs(render=False)
        if url:
            self.stdout.write(self.style.SUCCESS(f"Open {url}"))
        self.stdout.write(f"Demo logins (password for all: {seed.DEMO_PASSWORD}):")
        for email, role, tenant in seed.demo_logins():
            self.stdout.write(f"  {email:38} {role:16} {tenant}")

    def _summary(self, started: float, *, title: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"{title} ({time.perf_counter() - started:.1f} s)."))
        for name, counts in seed.summary():
            self.stdout.write(
                f"  {name}: {counts['contracts']} contracts, {counts['tickets']} tickets ({counts['open']} open, "
                f"{counts['breaches']} SLA breaches, {counts['interventions']} interventions), "
                f"{counts['invoices']} invoices, {counts['credit_notes']} credit notes, {counts['reports']} reports")

    def _pdfs(self, *, render: bool) -> None:
        pending = sum(len(ids) for ids in seed.documents_pending().values())
        if not pending:
            return
        if _workers():
            queued = seed.documents_queue()
            self.stdout.write(f"  PDFs: {queued} of {pending} handed to the Celery workers.")
        elif render:
            self._render()
        else:
            self.stdout.write(f"  PDFs: {pending} queued; render them with `manage.py seed_demo --render-documents` "
                              "(`make run` does it in the background). Pages show each one once it is ready.")

    def _render(self) -> None:
        started = time.perf_counter()
        count = seed.documents_render()
        self.stdout.write(f"Demo PDFs: {count} rendered ({time.perf_counter() - started:.0f} s).")

    def _spawn(self, mode: str) -> None:
        """The history in a child process at low priority (the dev server comes first),
        sharing this terminal for its one-paragraph summary."""
        command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "seed_demo", mode]

        def lower_priority() -> None:  # pragma: no cover — runs in the child
            os.nice(10)

        subprocess.Popen(command, cwd=settings.BASE_DIR, stdin=subprocess.DEVNULL,  # noqa: S603 — our own command
                         preexec_fn=lower_priority if hasattr(os, "nice") else None)  # noqa: PLW1509
