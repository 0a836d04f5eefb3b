"""The monthly run survives a worker killed in the middle of it: a real Celery worker
(a subprocess, solo pool) bills contracts from the real Redis broker; it is SIGKILLed
while it works, a new worker is started, the month is run again, and every contract has
exactly one invoice for the month, with its lines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from billing import tasks
from billing.models import Invoice, InvoiceLine
from billing.selectors import contracts_active_in_month
from billing.services import billing_run_dispatch
from portal.celery import app
from tests.billing import factories as bf
from tests.billing.cloning import clone_contracts

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL (a real Redis)"),
]

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = 300
TODAY = bf.TODAY


def _wait(condition, *, deadline_s: float) -> bool:
    """Poll the database until `condition()` holds, or the deadline passes."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)  # a polling interval, not a wait for something to have happened
    return False


def _route(routes) -> None:
    app.conf.task_routes = routes
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


@pytest.fixture
def queue():
    """A queue of this test's own for the run's tasks, purged before and after."""
    name = f"test-billing-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    _route({tasks.billing_run_contracts_task.name: {"queue": name}})
    try:
        yield name
    finally:
        _route(None)
        app.conf.task_always_eager = True
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(name)


@pytest.fixture
def workers(queue):
    started: list[subprocess.Popen] = []
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_TASK_ALWAYS_EAGER": "false",
           "DATABASE_CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING"}

    def start() -> subprocess.Popen:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--concurrency=1",
             "--loglevel=WARNING", "-Q", queue, "--without-gossip", "--without-mingle",
             "--hostname", f"{queue}-{len(started)}@%h"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def many_contracts(transactional_db, make_contract, amy, cody, bob):
    if connection.vendor != "postgresql":
        pytest.skip("the contracts are copied by PostgreSQL SQL")
    contract = make_contract("flat_fee")
    ticket = bf.ticket(actor=cody, contract=contract, day=date(2026, 3, 2), maintenance_type="evolutive")
    bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=50)
    clone_contracts([contract.pk], CONTRACTS)
    return contract.tenant


def test_a_month_killed_mid_run_and_run_again_has_one_invoice_per_contract(many_contracts, workers):
    tenant = many_contracts
    invoices = Invoice.objects.filter(tenant=tenant, year=2026, month=3)
    billing_run_dispatch(tenant=tenant, year=2026, month=3, today=TODAY)
    first = workers()
    assert _wait(lambda: invoices.count() >= 10, deadline_s=120), "the worker billed nothing"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert invoices.count() < CONTRACTS  # killed in the middle of the run

    workers()
    billing_run_dispatch(tenant=tenant, year=2026, month=3, today=TODAY)
    assert _wait(lambda: invoices.count() == CONTRACTS, deadline_s=300), "the run did not finish"

    active = set(contracts_active_in_month(tenant=tenant, year=2026, month=3).values_list("pk", flat=True))
    per_contract = dict(invoices.values("contract").annotate(n=Count("id")).values_list("contract", "n"))
    assert (len(active), set(per_contract), set(per_contract.values())) == (CONTRACTS, active, {1})
    lines = dict(InvoiceLine.objects.filter(invoice__in=invoices).values("invoice")
                 .annotate(n=Count("id")).values_list("invoice", "n"))
    assert set(lines.values()) == {2}  # every invoice whole: the fee and the work on quote
