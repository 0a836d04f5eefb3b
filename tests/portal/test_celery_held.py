"""`portal.celery.tasks_held`: what would be queued is collected instead (the demo seed),
and the embedded mode (no broker) starts without kombu's broker warning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.db import transaction

from portal.celery import enqueue_on_commit, tasks_held
from portal.tasks import outbox_deliver_task


def test_a_held_task_is_recorded_instead_of_queued(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, tasks_held() as held, transaction.atomic():
        enqueue_on_commit(outbox_deliver_task, [1, 2])
    assert held == [(outbox_deliver_task.name, ([1, 2],), {})]
    assert callbacks == []


def test_tasks_are_queued_again_once_the_block_ends(db, django_capture_on_commit_callbacks):
    with tasks_held():
        pass
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        enqueue_on_commit(outbox_deliver_task, [])
    assert len(callbacks) == 1


def test_an_eager_task_without_a_broker_logs_no_broker_warning(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "DATABASE_URL", "REDIS_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    env["MEDIA_ROOT"] = str(tmp_path)
    code = ("import django; django.setup(); from portal.tasks import outbox_deliver_task; "
            "from celery import current_app; print(current_app.conf.task_always_eager); "
            "outbox_deliver_task.app.producer_or_acquire(None).__enter__()")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "True" in done.stdout
    assert "No hostname was supplied" not in done.stderr
