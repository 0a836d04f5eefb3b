"""A real Celery worker, consuming from the real Redis broker named by CELERY_BROKER_URL.

The worker runs in a thread of the test process (celery.contrib.testing), with the
test database committed (transactional_db) so that it sees what the request wrote.
"""

from __future__ import annotations

import os
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connections

from portal import services
from portal.celery import app
from portal.models import OutboxMessage
from tests.factories import TenantFactory, member

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL (a real Redis)"),
]


@pytest.fixture
def real_worker(transactional_db):
    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from an earlier run
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def test_it_sends_the_token_notice_from_a_real_worker(real_worker):
    done = threading.Event()

    def on_done(sender=None, **kwargs):
        if sender.name == "portal.tasks.outbox_deliver_task":
            connections.close_all()  # this runs in the worker's thread: leave no session behind
            done.set()

    task_postrun.connect(on_done, weak=False)
    try:
        tenant = TenantFactory()
        user = member(tenant, "technician", email="worker@example.test")
        token, _secret = services.api_token_create(user=user, name="Monitoring")
        assert done.wait(timeout=30), "the worker did not run the task"
    finally:
        task_postrun.disconnect(on_done)
    assert [m.to for m in mail.outbox] == [["worker@example.test"]]
    assert OutboxMessage.objects.get(context__token_id=token.pk).state == "sent"
