"""The dashboards of the provider roles (home.dashboards): what each shows, in human
words, with charts drawn server-side (SVG images, no script) and their figures as a
table; each read in a pinned number of queries."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from tests.contracts import factories as cf
from tests.tickets import factories as tf
from tickets.models import SlaEvent, TicketRating
from tickets.services import intervention_log, ticket_take

pytestmark = pytest.mark.django_db

NOW = tf.at(20, 10)  # Wednesday 2026-05-20, Paris


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def page(web, persona):
    return web.as_(persona).get("/dashboard/")


def text(response) -> str:
    return response.content.decode()


def svg_of(src: str) -> str:
    return base64.b64decode(src.removeprefix("data:image/svg+xml;base64,")).decode()


@pytest.fixture
def tickets(cody, bob, contract):
    taken = ticket_take(ticket=tf.open_ticket(actor=cody, contract=contract, title="Taken by bob"), actor=bob,
                        now=tf.at(tf.MON, 10, 30))
    waiting = tf.open_ticket(actor=cody, contract=contract, title="Nobody on it")
    SlaEvent.objects.create(tenant=contract.tenant, ticket=waiting, metric="response", kind="breach",
                            target_version=1, at=tf.at(tf.MON, 14, 30))
    return taken, waiting


# =========================================================================== technician


def test_the_technician_sees_the_next_ticket_to_take(web, bob, tickets):
    assert page(web, bob).context["work"]["next_ticket"] == tickets[1]


def test_the_technician_sees_its_own_tickets_only(web, bob, tickets):
    assert [t for t, _badge in page(web, bob).context["work"]["mine"]] == [tickets[0]]


def test_the_technician_sees_its_interventions_of_today(web, bob, tickets):
    intervention_log(ticket=tickets[0], actor=bob, date=date(2026, 5, 20), minutes=45, mode="remote",
                     description="Restarted the spooler")
    intervention_log(ticket=tickets[0], actor=bob, date=date(2026, 5, 19), minutes=30, mode="remote",
                     description="Yesterday")
    response = page(web, bob)
    assert [i.minutes for i in response.context["work"]["today_interventions"]] == [45]
    assert "45 min" not in text(response) and "0 h 45" in text(response)


def test_the_technician_does_not_get_the_contract_pipeline(web, bob, tickets):
    assert "pipeline" not in page(web, bob).context


def test_the_technician_dashboard_reads_in_a_fixed_number_of_queries(web, bob, tickets, django_assert_num_queries):
    client = web.as_(bob)
    client.get("/dashboard/")
    with django_assert_num_queries(TECHNICIAN_QUERIES):
        client.get("/dashboard/")


# =========================================================================== account manager


@pytest.fixture
def pipeline(amy, org_a1, org_a2, tenant_a):
    policy = cf.sla_policy(tenant_a)
    return {
        "draft": cf.draft(actor=amy, client=org_a1, policy=policy),
        "sent": cf.sent(actor=amy, client=org_a2, policy=policy),
        # Tacit, 12 months from 2026-01-01, 3 months' notice: deadline 2026-09-30 (beyond 90 days).
        "active": cf.active(actor=amy, client=org_a1, policy=policy, monthly_fee=Decimal("1450.00")),
        # Ends 2026-07-31 without renewal: within 90 days.
        "ending": cf.active(actor=amy, client=org_a2, policy=policy, renewal="none", initial_months=7,
                            monthly_fee=Decimal("158.00")),
    }


def test_the_account_manager_sees_the_drafts_to_send(web, amy, pipeline):
    assert page(web, amy).context["pipeline"]["drafts"] == [pipeline["draft"]]


def test_the_account_manager_sees_the_contracts_awaiting_signature(web, amy, pipeline):
    assert page(web, amy).context["pipeline"]["awaiting_signature"] == [pipeline["sent"]]


def test_the_account_manager_sees_the_ends_within_90_days(web, amy, pipeline):
    rows = page(web, amy).context["pipeline"]["horizon"]
    assert [(r["contract"], r["kind"], r["day"]) for r in rows] == [(pipeline["ending"], "end", date(2026, 7, 31))]


def test_the_account_manager_sees_the_recurring_revenue_in_words(web, amy, pipeline):
    assert "€1,608.00" in text(page(web, amy))


def test_the_account_manager_sees_the_contracts_by_status_as_a_chart_with_its_figures(web, amy, pipeline):
    response = page(web, amy)
    statuses = {value: n for value, _label, n in response.context["pipeline"]["statuses"]}
    chart = response.context["pipeline"]["status_chart"]
    assert (statuses["draft"], statuses["sent"], statuses["active"]) == (1, 1, 2)
    assert f'alt="{chart.alt}"' in text(response) and "<script" not in svg_of(chart.src)


def test_the_account_manager_dashboard_reads_in_a_fixed_number_of_queries(web, amy, pipeline,
                                                                           django_assert_num_queries):
    client = web.as_(amy)
    client.get("/dashboard/")
    with django_assert_num_queries(ACCOUNT_MANAGER_QUERIES):
        client.get("/dashboard/")


def test_the_account_manager_dashboard_reads_as_many_queries_with_more_contracts(web, amy, org_a1, tenant_a,
                                                                                 pipeline, django_assert_num_queries):
    policy = cf.sla_policy(tenant_a, code="more")
    for _n in range(3):
        cf.active(actor=amy, client=org_a1, policy=policy, renewal="none", initial_months=6)
    client = web.as_(amy)
    client.get("/dashboard/")
    with django_assert_num_queries(ACCOUNT_MANAGER_QUERIES):
        client.get("/dashboard/")


# =========================================================================== tenant admin


def test_the_tenant_admin_sees_the_compliance_of_the_month(web, alice, tickets):
    may = page(web, alice).context["service"]["figures"].months[-1]
    # Taken in charge in time (bob), and the response breach of the other: 1 of 2.
    assert (may.label, may.response_met, may.response_total, may.response_percent) == ("May 2026", 1, 2, 50.0)


def test_the_tenant_admin_sees_no_figure_for_a_month_without_tickets(web, alice, tickets):
    april = page(web, alice).context["service"]["figures"].months[-2]
    assert (april.response_percent, april.resolution_percent) == (None, None)


def test_the_tenant_admin_sees_twelve_months(web, alice, tickets):
    months = page(web, alice).context["service"]["figures"].months
    assert (len(months), months[0].label) == (12, "Jun 2025")


def test_the_tenant_admin_sees_the_backlog_at_each_months_end(web, alice, tickets):
    months = page(web, alice).context["service"]["figures"].months
    assert (months[-2].backlog, months[-1].backlog) == (0, 2)


def test_the_tenant_admin_sees_the_breaches_by_client(web, alice, org_a1, tickets):
    rows = page(web, alice).context["service"]["figures"].breaches_by_client
    assert [(r.name, r.response, r.resolution) for r in rows] == [(org_a1.legal_name, 1, 0)]


def test_the_tenant_admin_charts_are_images_with_a_text_alternative(web, alice, tickets):
    response = page(web, alice)
    for name in ("compliance_chart", "backlog_chart"):
        chart = response.context["service"][name]
        assert f'src="{chart.src}" alt="{chart.alt}"' in text(response)


def test_the_satisfaction_slot_shows_nothing_without_ratings(web, alice, tickets):
    response = page(web, alice)
    assert response.context["service"]["satisfaction"] is None and 'id="satisfaction"' not in text(response)


def rate(ticket, score: str, comment: str = "") -> None:
    """A closed ticket's rating, as the ratings service stores it."""
    ticket.status, ticket.closed_at = "closed", NOW
    ticket.save(update_fields=["status", "closed_at"])
    TicketRating.objects.create(tenant=ticket.tenant, ticket=ticket, organization=ticket.organization, score=score,
                                comment=comment, rated_at=NOW)


def test_the_tenant_admin_dashboard_shows_the_share_of_good_ratings_and_their_comments(web, alice, tickets):
    rate(tickets[0], "good", "Zq fixed at once")
    rate(tickets[1], "bad")

    response = page(web, alice)
    assert response.context["service"]["satisfaction"]["percent"] == 50
    assert "Zq fixed at once" in text(response)


def test_the_tenant_admin_dashboard_reads_in_a_fixed_number_of_queries(web, alice, tickets,
                                                                        django_assert_num_queries):
    client = web.as_(alice)
    client.get("/dashboard/")
    with django_assert_num_queries(TENANT_ADMIN_QUERIES):
        client.get("/dashboard/")


def test_the_tenant_admin_dashboard_reads_as_many_queries_with_more_tickets(web, alice, cody, contract, tickets,
                                                                             django_assert_num_queries):
    for n in range(5):
        tf.open_ticket(actor=cody, contract=contract, title=f"More {n}")
    client = web.as_(alice)
    client.get("/dashboard/")
    with django_assert_num_queries(TENANT_ADMIN_QUERIES):
        client.get("/dashboard/")


TECHNICIAN_QUERIES = 8  # the badges' clocks from sla.config_cache (policy_clock), no query
ACCOUNT_MANAGER_QUERIES = 13
TENANT_ADMIN_QUERIES = 14  # + the ratings summary (the badges' clocks: sla.config_cache, no query)
