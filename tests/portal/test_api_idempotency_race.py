"""Two POSTs with one Idempotency-Key at the same time, on PostgreSQL through a live
server (two threads, two connections): the first holds the key's row from its claim to
its commit, the second waits on that row, then replays the first answer. Exactly one
ticket is opened.

The race is made certain rather than likely: the first request is held inside the
ticket service until PostgreSQL shows the second one waiting on a lock."""

from __future__ import annotations

import threading

import httpx
import pytest
from django.db import connection

from portal import services
from tests.tickets import factories as tf
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)

ALERT = {"title": "Disk full on srv-db-01", "description": "/var at 98 %", "maintenance_type": "corrective",
         "impact": "high", "urgency": "high"}


@pytest.fixture
def monitoring(alice, amy, tenant_a, org_a1):
    contract = tf.active_contract(actor=amy, client=org_a1, policy=tf.sla_policy(tenant_a))
    account = services.service_account_create(actor=alice, tenant=tenant_a, name="Zabbix")
    _, raw = services.service_account_token_create(actor=alice, account=account, name="alerts",
                                                   scopes=["tickets:write"])
    return contract, raw


def _waiting_on_the_key() -> bool:
    """Whether a request of this database waits on a lock while inserting its key."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the activity as it is now, not as first read
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock' AND query LIKE %s", ['INSERT INTO "portal_idempotencykey"%'])
        return cursor.fetchone()[0] > 0


@pytest.fixture
def held_first(monkeypatch):
    """The first ticket_create waits for `release`; `entered` tells it got there."""
    entered, release = threading.Event(), threading.Event()
    real = ticket_services.ticket_create

    def held(**kwargs):
        if not entered.is_set():
            entered.set()
            assert release.wait(30), "the test never released the first request"
        return real(**kwargs)

    monkeypatch.setattr(ticket_services, "ticket_create", held)
    return entered, release


def test_two_concurrent_posts_with_one_key_open_one_ticket(live_server, monitoring, held_first):
    contract, token = monitoring
    entered, release = held_first
    answers: dict[str, httpx.Response] = {}
    # The token used once already: its last use is then not written again within the
    # minute, so the two requests meet on the key itself, not on the token's row.
    assert httpx.get(f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    def post(name: str) -> None:
        answers[name] = httpx.post(f"{live_server.url}/api/v1/tickets/", json={**ALERT, "contract": contract.reference},
                                   headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "zabbix-1"},
                                   timeout=60)

    first = threading.Thread(target=post, args=("first",))
    first.start()
    assert entered.wait(30)  # the first request holds the key, inside its transaction
    second = threading.Thread(target=post, args=("second",))
    second.start()
    for _attempt in range(600):  # until PostgreSQL shows the second waiting on the key's row
        if _waiting_on_the_key():
            break
        threading.Event().wait(0.05)
    else:
        pytest.fail("the second request never waited on the first one's key")
    release.set()
    first.join(60)
    second.join(60)

    assert Ticket.objects.count() == 1
    assert [answers[n].status_code for n in ("first", "second")] == [201, 201]
    assert answers["second"].headers.get("Idempotent-Replayed") == "true"
    assert answers["second"].json()["reference"] == answers["first"].json()["reference"]
