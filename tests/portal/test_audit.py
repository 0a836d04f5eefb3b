"""The audit log: append-only rows, the /api/v1/audit-events/ endpoint, the /audit/ page."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from portal.audit import audit_log, changed, snapshot
from portal.models import AuditEvent
from portal.tenancy import current_ip

URL = "/api/v1/audit-events/"

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


def event(tenant, actor, action="organization.update", ref="ORG-0001", **extra) -> AuditEvent:
    return audit_log(tenant=tenant, actor=actor, action=action, object_type="organization", object_ref=ref, **extra)


# --------------------------------------------------------------------------- writing


def test_it_records_the_actor_by_reference_and_by_label(tenant_a, alice):
    e = event(tenant_a, alice)
    assert (e.actor, e.actor_label) == (alice, "alice@a.test")


def test_it_records_system_actions_without_an_actor(tenant_a):
    e = event(tenant_a, None)
    assert (e.actor, e.actor_label) == (None, "system")


def test_it_records_the_ip_of_the_request_being_served(tenant_a, alice):
    token = current_ip.set("2001:db8::1")
    try:
        e = event(tenant_a, alice)
    finally:
        current_ip.reset(token)
    assert e.ip_address == "2001:db8::1"


def test_it_records_no_ip_outside_a_request(tenant_a, alice):
    assert event(tenant_a, alice).ip_address is None


def test_it_stores_changes_as_json(tenant_a, alice, org_a1):
    from decimal import Decimal

    e = event(tenant_a, alice, changes={"amount": [Decimal("1.50"), Decimal("2.00")], "org": org_a1})
    e.refresh_from_db()
    assert e.changes == {"amount": ["1.50", "2.00"], "org": str(org_a1)}


def test_it_lists_only_the_changed_fields_with_old_and_new_values():
    assert changed({"a": 1, "b": "x"}, {"a": 1, "b": "y"}) == {"b": ["x", "y"]}


def test_it_snapshots_foreign_keys_by_id(org_a1):
    assert snapshot(org_a1, ["tenant", "city"]) == {"tenant": org_a1.tenant_id, "city": "Paris"}


# --------------------------------------------------------------------------- append-only


def test_it_refuses_to_update_an_audit_event_through_the_model(tenant_a, alice):
    e = event(tenant_a, alice)
    e.action = "organization.delete"
    with pytest.raises(RuntimeError, match="append-only"):
        e.save()
    assert AuditEvent.objects.get(pk=e.pk).action == "organization.update"


def test_it_refuses_to_delete_an_audit_event_through_the_model(tenant_a, alice):
    e = event(tenant_a, alice)
    with pytest.raises(RuntimeError, match="append-only"):
        e.delete()
    assert AuditEvent.objects.filter(pk=e.pk).exists()


@postgresql_only
def test_it_refuses_a_raw_update_in_the_database(tenant_a, alice):
    e = event(tenant_a, alice)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE portal_auditevent SET action = 'forged' WHERE id = %s", [e.pk])
    assert AuditEvent.objects.get(pk=e.pk).action == "organization.update"


@postgresql_only
def test_it_refuses_a_queryset_update_in_the_database(tenant_a, alice):
    e = event(tenant_a, alice)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=e.pk).update(ip_address="10.0.0.1")
    assert AuditEvent.objects.get(pk=e.pk).ip_address is None


@postgresql_only
def test_it_refuses_a_raw_delete_in_the_database(tenant_a, alice):
    e = event(tenant_a, alice)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM portal_auditevent WHERE id = %s", [e.pk])
    assert AuditEvent.objects.filter(pk=e.pk).exists()


def test_it_keeps_the_event_and_its_actor_label_when_the_actor_is_deleted(tenant_a, alice):
    e = event(tenant_a, alice)
    alice.delete()
    e.refresh_from_db()
    assert (e.actor, e.actor_label) == (None, "alice@a.test")


# --------------------------------------------------------------------------- the API


def test_it_lists_the_tenants_events_to_the_tenant_admin(api, alice, tenant_a, tenant_b):
    event(tenant_a, alice, ref="ORG-0001")
    event(tenant_b, None, ref="ORG-0002")
    response = api.as_(alice).get(URL)
    assert response.status_code == 200
    assert [row["object_ref"] for row in response.json()["results"]] == ["ORG-0001"]


def test_it_shows_another_tenant_admin_only_its_own_events(api, carol, alice, tenant_a, tenant_b):
    event(tenant_a, alice, ref="ORG-0001")
    event(tenant_b, carol, ref="ORG-0002")
    response = api.as_(carol).get(URL)
    assert [row["object_ref"] for row in response.json()["results"]] == ["ORG-0002"]


def test_it_lists_events_newest_first(api, alice, tenant_a):
    event(tenant_a, alice, ref="ORG-0001")
    event(tenant_a, alice, ref="ORG-0002")
    rows = api.as_(alice).get(URL).json()["results"]
    assert [row["object_ref"] for row in rows] == ["ORG-0002", "ORG-0001"]


def test_it_shows_the_fields_of_an_event(api, alice, tenant_a, org_a1):
    event(tenant_a, alice, ref=org_a1.reference, organization=org_a1, changes={"city": ["Paris", "Lyon"]})
    row = api.as_(alice).get(URL).json()["results"][0]
    assert (row["actor"], row["action"], row["organization"], row["changes"]) == (
        "alice@a.test", "organization.update", org_a1.reference, {"city": ["Paris", "Lyon"]}
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [({"action": "contact."}, ["C-1"]), ({"object_ref": "org-00"}, ["ORG-0001"]), ({"actor": "AMY"}, ["C-1"])],
    ids=["action-prefix", "object-ref", "actor"],
)
def test_it_filters_events(api, alice, amy, tenant_a, params, expected):
    event(tenant_a, alice, action="organization.create", ref="ORG-0001")
    event(tenant_a, amy, action="contact.create", ref="C-1")
    rows = api.as_(alice).get(URL, params).json()["results"]
    assert [row["object_ref"] for row in rows] == expected


@pytest.mark.parametrize("persona", ["amy", "bob", "clara", "cody"])
def test_it_refuses_the_audit_api_to_other_roles(api, request, tenant_a, alice, persona):
    event(tenant_a, alice)
    response = api.as_(request.getfixturevalue(persona)).get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403


def test_it_refuses_the_audit_api_to_anonymous_users(api, db):
    assert api.get(URL).status_code == 401


def test_it_offers_no_write_on_the_audit_api(api, alice, tenant_a):
    e = event(tenant_a, alice)
    client = api.as_(alice)
    assert client.post(URL, {"action": "forged"}, format="json").status_code == 405
    assert client.delete(f"{URL}{e.pk}/").status_code == 404  # no detail route at all
    assert AuditEvent.objects.count() == 1


# Session, user, membership, page count, page rows (organisation joined in).
@pytest.mark.parametrize("n_events", [1, 20])
def test_it_lists_events_in_a_fixed_number_of_queries(
    api, alice, tenant_a, org_a1, django_assert_num_queries, n_events
):
    for _ in range(n_events):
        event(tenant_a, alice, organization=org_a1)
    client = api.as_(alice)
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert response.json()["count"] == n_events


# --------------------------------------------------------------------------- the page


def test_it_renders_the_audit_page_for_the_tenant_admin(web, alice, tenant_a, tenant_b):
    event(tenant_a, alice, ref="ORG-0101")
    event(tenant_b, None, ref="ORG-0202")
    response = web.as_(alice).get("/audit/")
    assert response.status_code == 200
    assert "ORG-0101" in response.content.decode()
    assert "ORG-0202" not in response.content.decode()


def test_it_filters_the_audit_page(web, alice, tenant_a):
    event(tenant_a, alice, action="organization.create", ref="ORG-0101")
    event(tenant_a, alice, action="contact.create", ref="ORG-0101/7")
    response = web.as_(alice).get("/audit/", {"action": "contact."})
    assert [e.object_ref for e in response.context["page"]] == ["ORG-0101/7"]


@pytest.mark.parametrize("persona", ["amy", "bob", "clara"])
def test_it_refuses_the_audit_page_to_other_roles(web, request, persona):
    assert web.as_(request.getfixturevalue(persona)).get("/audit/").status_code == 403


def test_it_sends_anonymous_users_from_the_audit_page_to_login(web, db):
    response = web.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
