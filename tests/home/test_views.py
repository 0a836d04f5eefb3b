"""The home page and the dashboards: one per role, each showing only what the viewer
may see."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from demo import seed
from portal.audit import audit_log
from tests.factories import ContactFactory, UserFactory


def text(response) -> str:
    return response.content.decode()


def test_it_sends_anonymous_visitors_from_home_to_login(web, db):
    assert web.get("/")["Location"] == "/login/"


def test_it_sends_logged_in_users_from_home_to_the_dashboard(web, bob):
    assert web.as_(bob).get("/")["Location"] == "/dashboard/"


@pytest.mark.parametrize(
    ("persona", "present", "absent"),
    [
        ("alice", ["Recent activity", "Users", "Latest clients", "Audit log"], ["Your ticket queue"]),
        ("amy", ["New client", "Latest clients"], ["Recent activity", "Audit log"]),
        ("bob", ["Open the queue", "Assigned to me"], ["New client", "Latest clients"]),
        # A client's home: a new request, their requests, the provider's support; not
        # their own legal identity and contacts (the organisation page has them).
        ("clara", ["Client A1 SAS", "New request", "Support"], ["Client organisations", "Your contacts"]),
        ("cody", ["Client A1 SAS", "New request", "My organisation"], ["Client organisations", "Audit log",
                                                                        "Your contacts"]),
    ],
)
def test_it_renders_the_dashboard_of_each_role(web, request, org_a2, persona, present, absent):
    response = web.as_(request.getfixturevalue(persona)).get("/dashboard/")
    assert response.status_code == 200
    page = text(response)
    assert all(word in page for word in present), [w for w in present if w not in page]
    assert not any(word in page for word in absent), [w for w in absent if w in page]


def test_it_links_the_navigation_to_the_portal_pages_not_the_api(web, bob, cody, org_a1):
    assert 'href="/organizations/"' in text(web.as_(bob).get("/dashboard/"))
    assert f'href="/organizations/{org_a1.reference}/"' in text(web.as_(cody).get("/dashboard/"))


def test_it_counts_the_tenants_clients_on_the_provider_dashboard(web, bob, org_a1, org_a2, org_b1):
    assert web.as_(bob).get("/dashboard/").context["client_count"] == 2


def test_it_shows_the_tenant_admin_only_its_tenants_activity(web, alice, carol, tenant_a, tenant_b):
    audit_log(tenant=tenant_a, actor=alice, action="organization.create", object_type="organization", object_ref="ORG-0101")
    audit_log(tenant=tenant_b, actor=carol, action="organization.create", object_type="organization", object_ref="ORG-0202")
    page = text(web.as_(alice).get("/dashboard/"))
    assert "ORG-0101" in page and "ORG-0202" not in page


def test_it_shows_a_client_no_contacts_of_any_organisation_on_its_home(web, cody, org_a1, org_a2):
    ContactFactory(organization=org_a1, last_name="Zqowncontact")
    ContactFactory(organization=org_a2, last_name="Zqothercontact")
    page = text(web.as_(cody).get("/dashboard/"))
    assert "Zqowncontact" not in page and "Zqothercontact" not in page


def test_it_refuses_the_dashboard_to_a_user_without_membership(web, db):
    assert web.as_(UserFactory()).get("/dashboard/").status_code == 403


def test_it_redirects_anonymous_users_from_the_dashboard_to_login(web, db):
    response = web.get("/dashboard/")
    assert response["Location"] == "/login/?next=/dashboard/"


def test_it_logs_a_demo_user_in_to_its_dashboard(web, db):
    call_command("seed_demo", "--no-history", stdout=StringIO())
    response = web.post("/login/", {"username": "admin@acme.example", "password": seed.DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain == [("/dashboard/", 302)]
    assert "Acme IT Services" in text(response) and "Recent activity" in text(response)


def test_it_names_the_hours_of_each_calendar_by_its_contracts_on_a_client_home(web, amy, clara, org_a1, tenant_a):
    from tests.tickets import factories as tf

    first = tf.active_contract(actor=amy, client=org_a1, policy=tf.sla_policy(tenant_a, code="office"))
    second = tf.active_contract(actor=amy, client=org_a1, policy=tf.sla_policy(tenant_a, code="night"))
    page = text(web.as_(clara).get("/dashboard/"))
    assert f"Hours · {first.reference}</strong>" in page and f"Hours · {second.reference}</strong>" in page


def test_it_gives_one_calendar_its_hours_without_naming_contracts_on_a_client_home(web, amy, clara, org_a1,
                                                                                  contract):
    page = text(web.as_(clara).get("/dashboard/"))
    assert "<strong>Hours</strong>" in page and "Hours · " not in page
