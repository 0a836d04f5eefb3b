"""The hot pages read in a number of queries that does not grow with the data: the
queue with its page size, the ticket page with the length of its conversation and
history (bench/tickets_bench.py measures their time against the floors)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.tickets import factories as tf
from tickets import services as ts

pytestmark = pytest.mark.django_db


def queries(call) -> int:
    call()  # warm: the clock's cache, the session
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def open_tickets(n: int, cody, contract) -> None:
    for _ in range(n):
        tf.open_ticket(actor=cody, contract=contract)


def test_the_queue_reads_the_same_queries_for_five_and_fifty_tickets(web, bob, cody, contract):
    client = web.as_(bob)
    open_tickets(5, cody, contract)
    few = queries(lambda: client.get("/tickets/"))
    open_tickets(45, cody, contract)

    assert queries(lambda: client.get("/tickets/")) == few


def test_the_queue_reads_at_most_its_pinned_queries(web, bob, cody, contract):
    client = web.as_(bob)
    open_tickets(3, cody, contract)

    assert queries(lambda: client.get("/tickets/")) <= 12


def converse(ticket, bob, cody, turns: int) -> None:
    for i in range(turns):
        ts.ticket_reply(ticket=ticket, actor=bob if i % 2 == 0 else cody, body=f"Message {i}")
        if i % 3 == 0:
            ts.intervention_log(ticket=ticket, actor=bob, date=timezone.localdate(), minutes=30, mode="remote",
                                description=f"Work {i}")


def test_the_ticket_page_reads_the_same_queries_for_a_short_and_a_long_conversation(web, bob, cody, contract):
    short, long = tf.open_ticket(actor=cody, contract=contract), tf.open_ticket(actor=cody, contract=contract)
    ts.ticket_take(ticket=short, actor=bob)
    ts.ticket_take(ticket=long, actor=bob)
    converse(short, bob, cody, 2)
    converse(long, bob, cody, 30)
    client = web.as_(bob)

    assert queries(lambda: client.get(f"/tickets/{long.reference}/")) == \
        queries(lambda: client.get(f"/tickets/{short.reference}/"))


def test_the_ticket_page_reads_at_most_twelve_queries(web, bob, cody, contract):
    ticket = tf.open_ticket(actor=cody, contract=contract)
    ts.ticket_take(ticket=ticket, actor=bob)
    converse(ticket, bob, cody, 6)
    client = web.as_(bob)

    assert queries(lambda: client.get(f"/tickets/{ticket.reference}/")) <= 12


def shuffle(ticket, bob, tom, turns: int) -> None:
    """A history `turns` times longer: reassignments (named in words), priority changes
    with their reasons, waiting for the client and back."""
    for i in range(turns):
        ts.ticket_assign(ticket=ticket, actor=bob, assignee=tom if i % 2 == 0 else bob)
        ts.ticket_set_priority(ticket=ticket, actor=bob, priority="P1" if i % 2 == 0 else "P2", reason=f"Turn {i}")
        ts.ticket_change_status(ticket=ticket, actor=bob, status="waiting_on_client", reason=f"Question {i}")
        ts.ticket_change_status(ticket=ticket, actor=bob, status="in_progress")


def test_the_ticket_page_reads_the_same_queries_for_a_short_and_a_long_history(web, bob, tom, cody, contract):
    short, long = tf.open_ticket(actor=cody, contract=contract), tf.open_ticket(actor=cody, contract=contract)
    ts.ticket_take(ticket=short, actor=bob)
    ts.ticket_take(ticket=long, actor=bob)
    shuffle(short, bob, tom, 1)
    shuffle(long, bob, tom, 15)
    for who in (bob, tom):
        client = web.as_(who)

        assert queries(lambda c=client: c.get(f"/tickets/{long.reference}/")) == \
            queries(lambda c=client: c.get(f"/tickets/{short.reference}/")) <= 12
