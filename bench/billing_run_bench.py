"""Benchmark of the monthly run on PostgreSQL: 10,000 active contracts with their
tickets, interventions, breaches and hour banks, billed by ONE real Celery worker
(solo pool) that this script starts, without PDFs (the monthly reports are requested,
their rendering is not queued). Goal: under 60 s from the dispatch to the last invoice.

Called by bench/billing_bench.py (``make bench``), or alone:
    .venv/bin/python bench/billing_run_bench.py
Needs the local PostgreSQL and a Redis broker (CELERY_BROKER_URL; skipped without one).
Database: BENCH_BILLING_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/portal_bench_billing,
created if missing, migrated, and seeded once (a later run reuses it):
- one tenant, one client, its account manager, technician and client user, an SLA policy;
- four template contracts built through the services, one per billing model
  (flat_fee, per_ticket, hour_bank with a 20-hour block, hybrid with 10 included hours),
  each with two tickets opened in the month billed (one resolved in it), three
  interventions (one on a type billed on quote, one not billable) and a breach;
- 2,499 copies of each made by SQL (INSERT … SELECT … generate_series over every table a
  contract's month reads: the contract, its versions, maintenance types and covered
  items, tickets, their events, interventions and SLA events, hour-bank blocks and their
  purchases), ids and references made unique, so that seeding takes seconds.
The month billed is the one before today. Each run first deletes that month's invoices,
reports, runs and derived ledger rows, so it always bills 10,000 contracts from scratch.
Measured: `billing_run_dispatch` (tasks of RUN_BATCH contracts, each batch billed in one
transaction with a constant number of queries, `billing.services.billing_run_batch`, as
the scheduler queues them) until the last invoice is in the database
(polled every 0.2 s); the figures go to var/bench/billing.json with the machine's
`uptime` at the end. A run that has not finished after BENCH_RUN_DEADLINE_S (default
900 s) is stopped and reported with the rate reached and the total it projects.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from unittest import mock
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_billing"
TENANT_SLUG = "bench-billing"
MODELS = ("flat_fee", "per_ticket", "hour_bank", "hybrid")
COPIES = 2_500  # per model, the template included
CONTRACTS = COPIES * len(MODELS)
GOAL_S = 60.0
QUEUE = "bench-billing"
# Waiting for the run stops after this long (BENCH_RUN_DEADLINE_S): on a crowded machine
# the figure is then the rate reached, and the time 10,000 contracts would take at it.
DEADLINE_S = float(os.environ.get("BENCH_RUN_DEADLINE_S", "900"))


def step(message: str) -> float:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)
    return time.perf_counter()


def configure_environment() -> str | None:
    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker:
        return None
    url = os.environ.get("BENCH_BILLING_DATABASE_URL") or DEFAULT_DATABASE_URL
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["PORTAL_ENV"] = "development"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ["DEBUG"] = "false"  # no query log
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")  # as in production: the worker keeps its connection
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return url


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    conn = psycopg2.connect(dbname="postgres", host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                            user=unquote(parts.username or "postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def billed_month(today: date) -> tuple[int, int]:
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


# --------------------------------------------------------------------------- seeding


def _templates(year: int, month: int):
    """The tenant and its four template contracts, through the services."""
    from django.db import transaction

    from billing.services import hour_bank_block_buy
    from portal.models import Tenant
    from tests import factories as f
    from tests.billing import factories as bf
    from tests.tickets import factories as tf

    first = date(year, month, 1)
    start = (first - timedelta(days=180)).replace(day=1)
    with transaction.atomic(), mock.patch("contracts.documents.enqueue_on_commit", lambda *a, **k: None):
        tenant = f.TenantFactory(name="Bench billing", slug=TENANT_SLUG)
        client = f.OrganizationFactory(tenant=tenant, legal_name="Client Bench SAS")
        manager = f.member(tenant, "account_manager", email="am@bench-billing.test")
        tech = f.member(tenant, "technician", email="tech@bench-billing.test")
        user = f.member(tenant, "client_user", organization=client, email="user@bench-billing.test")
        policy = tf.sla_policy(tenant)
        plans = {"flat_fee": {}, "per_ticket": {}, "hour_bank": {},
                 "hybrid": {"included_minutes": 600, "rollover_cap_minutes": 300}}
        contracts = []
        for model in MODELS:
            contract = bf.contract(actor=manager, client=client, policy=policy, billing_model=model,
                                   start_date=start, initial_months=36, **plans[model])
            if model == "hour_bank":
                hour_bank_block_buy(contract=contract, actor=manager, minutes=1200, price="1500.00",
                                    bought_on=start)
            one = bf.ticket(actor=user, contract=contract, day=first + timedelta(days=1))
            two = bf.ticket(actor=user, contract=contract, day=first + timedelta(days=3),
                            maintenance_type="evolutive")
            bf.work(ticket=one, actor=tech, day=first + timedelta(days=2), minutes=50)
            bf.work(ticket=one, actor=tech, day=first + timedelta(days=4), minutes=20, billable=False)
            bf.work(ticket=two, actor=tech, day=first + timedelta(days=5), minutes=95)
            bf.resolve(ticket=one, actor=tech, at=datetime(year, month, 6, 10, 0, tzinfo=UTC))
            if not one.sla_events.filter(kind="breach").exists():  # resolved late, it may have one already
                bf.breach(ticket=one, at=datetime(year, month, 3, 10, 0, tzinfo=UTC))
            contracts.append(contract)
    return Tenant.objects.get(slug=TENANT_SLUG), contracts


def seed(year: int, month: int) -> None:
    from django.db import connection

    from contracts.models import Contract
    from portal.models import Tenant
    from tests.billing.cloning import clone_contracts

    if Tenant.objects.filter(slug=TENANT_SLUG).exists():
        return
    begin = step("seeding: four template contracts through the services")
    tenant, contracts = _templates(year, month)
    step(f"seeding: {COPIES - 1:,} SQL copies of each")
    clone_contracts([c.pk for c in contracts], COPIES)
    print(f"  {Contract.objects.filter(tenant=tenant, status='active').count():,} active contracts")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"  seeded in {time.perf_counter() - begin:.1f} s")


def reset_month(tenant, year: int, month: int) -> None:
    """Forget an earlier run of the month: its drafts, reports, runs, derived ledger rows
    (its audit events stay: the log is append-only)."""
    from django.db import connection, transaction

    from billing.plans import month_bounds

    first, last = month_bounds(year, month)
    with transaction.atomic(), connection.cursor() as cur:
        t = tenant.pk
        cur.execute("DELETE FROM billing_invoicedwork WHERE tenant_id = %s", [t])
        cur.execute("DELETE FROM billing_invoiceline WHERE tenant_id = %s", [t])
        cur.execute("DELETE FROM billing_invoice WHERE tenant_id = %s AND status = 'draft'", [t])
        cur.execute("DELETE FROM billing_monthlyreport WHERE tenant_id = %s", [t])
        cur.execute("DELETE FROM billing_billingrun WHERE tenant_id = %s", [t])
        cur.execute("DELETE FROM billing_hourbankmovement WHERE tenant_id = %s AND kind IN ('consumption', 'expiry') "
                    "AND day BETWEEN %s AND %s", [t, first, last])
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE billing_invoice")


# --------------------------------------------------------------------------- the run


def start_worker() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "bench" / "billing_worker.py"), QUEUE], cwd=ROOT,
                            env=os.environ.copy())


def wait_for(condition, *, deadline_s: float, interval: float = 0.2) -> bool:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(interval)
    return False


def run_bench() -> dict | None:
    url = configure_environment()
    if url is None:
        print("monthly run: skipped (needs CELERY_BROKER_URL, a Redis broker)")
        return None
    ensure_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    assert not settings.CELERY_TASK_ALWAYS_EAGER
    from billing import tasks
    from billing.models import Invoice
    from billing.services import billing_run_dispatch
    from portal.celery import app
    from portal.models import Tenant

    step("migrating the bench database")
    call_command("migrate", verbosity=0)
    year, month = billed_month(date.today())
    seed(year, month)
    tenant = Tenant.objects.get(slug=TENANT_SLUG)
    reset_month(tenant, year, month)
    # The run's tasks go to a queue of their own, consumed by the worker started here.
    app.conf.task_routes = {tasks.billing_run_contracts_task.name: {"queue": QUEUE}}
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)
    worker = start_worker()
    try:
        from celery.app.control import Control

        ready = wait_for(lambda: bool(Control(app).ping(timeout=0.5)), deadline_s=60, interval=0.5)
        if not ready:
            raise SystemExit("the worker did not start")
        begin = step(f"monthly run {year}-{month:02d}: {CONTRACTS:,} contracts, one worker")
        run = billing_run_dispatch(tenant=tenant, year=year, month=month, trigger="manual")
        dispatched = time.perf_counter() - begin
        count = lambda: Invoice.objects.filter(tenant=tenant, year=year, month=month).count()  # noqa: E731
        done = wait_for(lambda: count() >= run.contracts, deadline_s=DEADLINE_S)
        total = time.perf_counter() - begin
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    invoices = count()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    from billing.services import RUN_BATCH

    row = {"name": f"monthly run, {run.contracts:,} contracts, 1 Celery worker (solo), tasks of {RUN_BATCH} contracts, "
                   "PostgreSQL, no PDF",
           "unit": "s", "contracts": run.contracts, "invoices": invoices, "total_s": round(total, 2),
           "dispatch_s": round(dispatched, 2), "per_contract_ms": round(total / max(1, invoices) * 1000, 2),
           "finished": bool(done), "projected_total_s": round(total / max(1, invoices) * run.contracts, 1),
           "goal": GOAL_S, "met": bool(done and total < GOAL_S), "uptime": uptime,
           "load_average": round(os.getloadavg()[0], 2)}
    if not done:
        print(f"  stopped after {DEADLINE_S:.0f} s: at that rate the run takes {row['projected_total_s']:.0f} s")
    print(f"  {invoices:,} invoices in {total:.1f} s (dispatch {dispatched:.1f} s, "
          f"{row['per_contract_ms']:.2f} ms per contract); goal {GOAL_S:.0f} s: {'met' if row['met'] else 'NOT met'}")
    print(f"  uptime: {uptime}")
    return row


if __name__ == "__main__":
    import json

    result = run_bench()
    if result is not None:
        out = ROOT / "var" / "bench" / "billing.json"
        rows = json.loads(out.read_text()) if out.exists() else []
        rows = [r for r in rows if not r["name"].startswith("monthly run")] + [result]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        print(f"written {out.relative_to(ROOT)}")
