"""/api/v1/dashboard/…: the role dashboards' figures as JSON, read by the same functions
as the page (home.dashboards), with the charts' data as numbers; who may read which,
and a token's scope areas."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from portal import services
from tests.contracts import factories as cf
from tests.tickets import factories as tf
from tickets.models import SlaEvent
from tickets.services import intervention_log, ticket_take

pytestmark = pytest.mark.django_db

NOW = tf.at(20, 10)  # Wednesday 2026-05-20, Paris
API = "/api/v1/dashboard/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tickets(cody, bob, contract):
    taken = ticket_take(ticket=tf.open_ticket(actor=cody, contract=contract, title="Taken by bob"), actor=bob,
                        now=tf.at(tf.MON, 10, 30))
    waiting = tf.open_ticket(actor=cody, contract=contract, title="Nobody on it")
    SlaEvent.objects.create(tenant=contract.tenant, ticket=waiting, metric="response", kind="breach",
                            target_version=1, at=tf.at(tf.MON, 14, 30))
    return taken, waiting


@pytest.fixture
def pipeline(amy, org_a1, org_a2, tenant_a):
    policy = cf.sla_policy(tenant_a)
    return {
        "draft": cf.draft(actor=amy, client=org_a1, policy=policy),
        "active": cf.active(actor=amy, client=org_a1, policy=policy, monthly_fee=Decimal("1450.00")),
        "ending": cf.active(actor=amy, client=org_a2, policy=policy, renewal="none", initial_months=7,
                            monthly_fee=Decimal("158.00")),
    }


def test_it_gives_a_technician_the_next_ticket_to_take(api, bob, tickets):
    assert api.as_(bob).get(API).json()["work"]["next_ticket"]["reference"] == tickets[1].reference


def test_it_gives_a_technician_its_own_tickets(api, bob, tickets):
    assert [t["reference"] for t in api.as_(bob).get(API).json()["work"]["mine"]] == [tickets[0].reference]


def test_it_gives_a_technician_the_minutes_logged_today(api, bob, tickets):
    intervention_log(ticket=tickets[0], actor=bob, date=date(2026, 5, 20), minutes=45, mode="remote",
                     description="Restarted the spooler")
    assert api.as_(bob).get(API).json()["work"]["today_minutes"] == 45


def test_it_counts_the_tickets_a_client_sees_without_the_staff_section(api, cody, tickets):
    body = api.as_(cody).get(API).json()
    assert (body["tickets"], "work" in body) == ({"open": 2, "waiting": 0}, False)


def test_it_counts_nothing_of_another_tenant(api, carol, tickets):
    assert api.as_(carol).get(API).json()["tickets"]["open"] == 0


def test_it_gives_the_account_manager_the_contracts_by_status(api, amy, pipeline):
    statuses = {row["status"]: row["count"] for row in api.as_(amy).get(API + "contracts/").json()["statuses"]}
    assert (statuses["draft"], statuses["active"]) == (1, 2)


def test_it_gives_the_account_manager_the_ends_within_90_days(api, amy, pipeline):
    rows = api.as_(amy).get(API + "contracts/").json()["horizon"]
    assert [(r["contract"]["reference"], r["kind"], r["day"]) for r in rows] == [
        (pipeline["ending"].reference, "end", "2026-07-31")]


def test_it_gives_the_account_manager_the_recurring_revenue(api, amy, pipeline):
    assert api.as_(amy).get(API + "contracts/").json()["revenue"] == [
        {"currency": "EUR", "amount": "1608.00", "contracts": 2}]


def test_it_refuses_the_contract_pipeline_to_a_technician(api, bob, pipeline):
    assert api.as_(bob).get(API + "contracts/").status_code == 403


def test_it_gives_the_tenant_admin_the_compliance_of_the_month(api, alice, tickets):
    may = api.as_(alice).get(API + "service/").json()["months"][-1]
    assert (may["month"], may["response_met"], may["response_total"], may["response_percent"]) == (5, 1, 2, 50.0)


def test_it_gives_the_tenant_admin_twelve_months_of_backlog(api, alice, tickets):
    months = api.as_(alice).get(API + "service/").json()["months"]
    assert [m["backlog"] for m in months] == [0] * 11 + [2]


def test_it_gives_the_tenant_admin_the_breaches_by_client(api, alice, org_a1, tickets):
    rows = api.as_(alice).get(API + "service/").json()["breaches_by_client"]
    assert [(r["reference"], r["response"], r["resolution"]) for r in rows] == [(org_a1.reference, 1, 0)]


def test_it_refuses_the_service_figures_to_an_account_manager(api, amy, tickets):
    assert api.as_(amy).get(API + "service/").status_code == 403


def test_it_refuses_the_pipeline_to_a_token_without_the_contracts_scope(api, amy, pipeline):
    secret = services.api_token_create(user=amy, name="Integration", scopes=["tickets:read"])[1]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api.get(API + "contracts/")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "missing_scope")
