"""Token scopes (read / write per area, enforced by the API's permission layer) and
service accounts (integrations of a tenant, optionally restricted to one client
organisation)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import URLPattern, URLResolver, get_resolver

from portal import services
from portal.api.permissions import view_area
from portal.models import API_AREAS, AuditEvent, OutboxMessage, ServiceAccount

ME = "/api/v1/me/"
TICKETS = "/api/v1/tickets/"
INVOICES = "/api/v1/invoices/"
ORGS = "/api/v1/organizations/"
ACCOUNTS = "/api/v1/service-accounts/"


def bearer(api, raw: str):
    api.logout()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def token(user, *scopes):
    return services.api_token_create(user=user, name="Integration", scopes=list(scopes))[1]


# --------------------------------------------------------------------------- scopes


def test_it_lets_a_read_scope_read_its_area(api, alice):
    assert bearer(api, token(alice, "tickets:read")).get(TICKETS).status_code == 200


def test_it_refuses_another_area_naming_the_missing_scope(api, alice):
    response = bearer(api, token(alice, "tickets:read")).get(INVOICES)
    assert response.status_code == 403
    error = response.json()["error"]
    assert (error["code"], "billing:read" in error["message"]) == ("missing_scope", True)


def test_it_refuses_a_write_with_a_read_scope(api, alice, org_a1):
    response = bearer(api, token(alice, "contracts:read")).patch(
        f"{ORGS}{org_a1.reference}/", {"city": "Lyon"}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "missing_scope")
    org_a1.refresh_from_db()
    assert org_a1.city != "Lyon"


def test_it_lets_a_write_scope_read_too(api, alice):
    assert bearer(api, token(alice, "billing:write")).get(INVOICES).status_code == 200


def test_it_lets_any_token_say_who_it_is(api, alice):
    assert bearer(api, token(alice, "tickets:read")).get(ME).status_code == 200


def test_it_leaves_sessions_to_their_role(api, alice):
    assert api.as_(alice).get(INVOICES).status_code == 200


def test_it_gives_every_scope_when_none_is_asked(alice):
    created, _ = services.api_token_create(user=alice, name="All")
    assert len(created.scopes) == 2 * len(API_AREAS)


def test_it_refuses_an_unknown_scope(api, alice):
    response = api.as_(alice).post("/api/v1/tokens/", {"name": "X", "scopes": ["tickets:delete"]}, format="json")
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["scopes.0"])


def test_it_refuses_an_empty_set_of_scopes(alice):
    with pytest.raises(ValidationError) as excinfo:
        services.api_token_create(user=alice, name="None", scopes=[])
    assert list(excinfo.value.message_dict) == ["scopes"]


def test_it_never_lets_a_token_mint_a_stronger_one(api, alice):
    response = bearer(api, token(alice, "admin:write")).post(
        "/api/v1/tokens/", {"name": "More", "scopes": ["billing:write"]}, format="json")
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["scopes"])


def test_it_records_the_address_a_token_was_last_used_from(api, alice):
    created, raw = services.api_token_create(user=alice, name="Monitoring")
    bearer(api, raw).get(ME, REMOTE_ADDR="198.51.100.7")
    created.refresh_from_db()
    assert (created.last_used_ip, created.last_used_at is not None) == ("198.51.100.7", True)


def _api_views():
    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns)
            elif isinstance(entry, URLPattern):
                cls = getattr(entry.callback, "cls", None)
                if cls is not None:
                    yield cls

    return {cls for cls in walk(get_resolver().url_patterns) if cls.__module__.split(".")[1:2] == ["api"]}


def test_every_api_view_declares_its_area():
    views = _api_views()
    assert len(views) > 10
    undeclared = sorted(cls.__name__ for cls in views if "api_area" not in vars(cls) and not any(
        "api_area" in vars(base) for base in cls.__mro__[1:] if base.__module__.split(".")[0] != "rest_framework"))
    assert undeclared == []
    assert {view_area(cls) for cls in views} - {None} == set(API_AREAS)


# --------------------------------------------------------------------------- service accounts


@pytest.fixture
def monitoring(alice, tenant_a):
    return services.service_account_create(actor=alice, tenant=tenant_a, name="Monitoring")


@pytest.fixture
def erp(alice, tenant_a, org_a1):
    return services.service_account_create(actor=alice, tenant=tenant_a, name="Client ERP", organization=org_a1)


def sa_token(alice, account, *scopes):
    return services.service_account_token_create(actor=alice, account=account, name="t", scopes=list(scopes))[1]


def test_it_creates_a_service_account_with_a_provider_role(api, alice):
    response = api.as_(alice).post(ACCOUNTS, {"name": "Zabbix", "role": "technician"}, format="json")
    assert response.status_code == 201
    assert (response.json()["role"], response.json()["organization"]) == ("technician", None)


def test_it_restricts_a_service_account_to_an_organisation_as_its_client_admin(api, alice, org_a1):
    response = api.as_(alice).post(ACCOUNTS, {"name": "ERP", "organization": org_a1.reference}, format="json")
    assert (response.json()["role"], response.json()["organization"]) == ("client_admin", org_a1.reference)


def test_it_refuses_an_organisation_of_another_tenant(api, alice, org_b1):
    response = api.as_(alice).post(ACCOUNTS, {"name": "ERP", "organization": org_b1.reference}, format="json")
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["organization"])
    assert not ServiceAccount.objects.exists()


def test_it_lets_only_tenant_admins_manage_service_accounts(api, amy):
    assert api.as_(amy).post(ACCOUNTS, {"name": "Zabbix"}, format="json").status_code == 403


def test_a_restricted_account_sees_only_its_organisation(api, alice, amy, cody, dora, erp, org_a1, org_a2):
    from tests.tickets import factories as tf

    policy = tf.sla_policy(org_a1.tenant)
    mine = tf.open_ticket(actor=cody, contract=tf.active_contract(actor=amy, client=org_a1, policy=policy))
    tf.open_ticket(actor=dora, contract=tf.active_contract(actor=amy, client=org_a2, policy=policy))
    body = bearer(api, sa_token(alice, erp, "tickets:read")).get(TICKETS).json()
    assert [row["reference"] for row in body["results"]] == [mine.reference]


def test_a_service_account_token_acts_within_its_scopes(api, alice, monitoring):
    client = bearer(api, sa_token(alice, monitoring, "tickets:write"))
    assert (client.get(TICKETS).status_code, client.get(INVOICES).status_code) == (200, 403)


def test_it_lists_a_service_accounts_tokens_for_the_admin(api, alice, monitoring):
    sa_token(alice, monitoring, "tickets:read")
    rows = api.as_(alice).get(f"{ACCOUNTS}{monitoring.pk}/tokens/").json()
    assert [row["scopes"] for row in rows] == [["tickets:read"]]


def test_it_creates_a_service_account_token_through_the_api(api, alice, monitoring):
    response = api.as_(alice).post(f"{ACCOUNTS}{monitoring.pk}/tokens/",
                                   {"name": "Zabbix", "scopes": ["tickets:write"]}, format="json")
    assert response.status_code == 201
    assert bearer(api, response.json()["token"]).get(TICKETS).status_code == 200


def test_it_revokes_a_service_account_token(api, alice, monitoring):
    raw = sa_token(alice, monitoring, "tickets:read")
    prefix = raw.split("_")[1]
    assert api.as_(alice).delete(f"{ACCOUNTS}{monitoring.pk}/tokens/{prefix}/").status_code == 204
    assert bearer(api, raw).get(TICKETS).status_code == 401


def test_disabling_a_service_account_revokes_its_tokens(api, alice, monitoring):
    raw = sa_token(alice, monitoring, "tickets:read")
    assert api.as_(alice).delete(f"{ACCOUNTS}{monitoring.pk}/").status_code == 204
    assert bearer(api, raw).get(TICKETS).status_code == 401
    assert AuditEvent.objects.filter(action="service_account.disable").count() == 1


def test_it_tells_the_admin_not_the_service_account_of_a_new_token(alice, monitoring):
    sa_token(alice, monitoring, "tickets:read")
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == [alice.email]


def test_a_service_account_cannot_make_its_own_tokens(alice, monitoring):
    with pytest.raises(PermissionDenied):
        services.api_token_create(user=monitoring.user, name="Self")


def test_a_service_account_cannot_log_in(web, monitoring):
    assert not monitoring.user.has_usable_password()


def test_it_hides_another_tenants_service_account(api, carol, monitoring):
    assert api.as_(carol).get(f"{ACCOUNTS}{monitoring.pk}/").status_code == 404


# --------------------------------------------------------------------------- pages


def test_the_tokens_page_creates_a_token_with_the_scopes_ticked(web, alice):
    response = web.as_(alice).post("/account/tokens/", {"name": "Monitoring", "scopes": ["tickets:write"]})
    assert response.status_code == 200
    assert alice.api_tokens.get().scopes == ["tickets:write"]


def test_the_service_accounts_page_creates_an_account_restricted_to_an_organisation(web, alice, org_a1):
    response = web.as_(alice).post("/settings/service-accounts/", {
        "name": "ERP", "role": "technician", "organization": org_a1.reference})
    account = ServiceAccount.objects.get()
    assert response.status_code == 302
    assert (account.user.membership.role, account.user.membership.organization) == ("client_admin", org_a1)


def test_the_service_account_page_shows_a_new_tokens_secret_once(web, alice, monitoring):
    response = web.as_(alice).post(f"/settings/service-accounts/{monitoring.pk}/",
                                   {"name": "Zabbix", "scopes": ["tickets:read", "tickets:write"]})
    secret = response.context["secret"]
    assert secret.startswith("mpt_") and secret in response.content.decode()
    assert secret not in web.get(f"/settings/service-accounts/{monitoring.pk}/").content.decode()


def test_the_service_account_page_revokes_a_token(web, alice, monitoring):
    raw = sa_token(alice, monitoring, "tickets:read")
    web.as_(alice).post(f"/settings/service-accounts/{monitoring.pk}/tokens/{raw.split('_')[1]}/revoke/")
    assert monitoring.user.api_tokens.get().revoked_at is not None


def test_the_service_account_page_disables_the_account(web, alice, monitoring):
    web.as_(alice).post(f"/settings/service-accounts/{monitoring.pk}/disable/")
    monitoring.refresh_from_db()
    assert monitoring.disabled_at is not None


@pytest.mark.parametrize("persona", ["amy", "bob", "clara"])
def test_the_service_accounts_page_is_for_tenant_admins(web, request, persona):
    assert web.as_(request.getfixturevalue(persona)).get("/settings/service-accounts/").status_code == 403
