"""Who may do what (portal/permissions.py): the policy table, role by role, and its
object rules. The expectations are written out here, not derived from the table, so a
change of the policy shows up in this file's diff."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from portal.models import Membership
from portal.permissions import POLICY, UnknownAction, can, policy_table, require, roles_allowed

ADMIN, MANAGER, TECH, CLIENT_ADMIN, CLIENT_USER = (
    "tenant_admin", "account_manager", "technician", "client_admin", "client_user")
ROLES = (ADMIN, MANAGER, TECH, CLIENT_ADMIN, CLIENT_USER)
ADMINS = {ADMIN}
EDITORS = {ADMIN, MANAGER}
PROVIDERS = {ADMIN, MANAGER, TECH}
EVERYONE = set(ROLES)

# Who may do what: the documentation of the policy.
EXPECTED: dict[str, set[str]] = {
    "organization.create": EDITORS,
    "organization.update": EDITORS,
    "contact.create": EDITORS,
    "contact.update": EDITORS,
    "contact.delete": EDITORS,
    "contract.create": EDITORS,
    "contract.update": EDITORS,
    "contract.set_scope": EDITORS,
    "contract.set_clauses": EDITORS,
    "contract.clause_update": EDITORS,
    "contract.send": EDITORS,
    "contract.activate": EDITORS,
    "contract.suspend": EDITORS,
    "contract.resume": EDITORS,
    "contract.terminate": EDITORS,
    "contract.renew": EDITORS,
    "contract.amend": EDITORS,
    "contract.render_pdf": EDITORS,
    "contract.download_pdf": EVERYONE,  # clients: their organisation's, never a draft
    "contract.list_renewals": PROVIDERS,
    "clause_template.list": PROVIDERS,
    "clause_template.save": EDITORS,
    "plan.create": EDITORS,
    "sla.read": PROVIDERS,
    "calendar.create": ADMINS,
    "calendar.update": ADMINS,
    "calendar.import_holidays": ADMINS,
    "sla_policy.create": ADMINS,
    "sla_policy.update": ADMINS,
    "priority_matrix.set": ADMINS,
    "ticket.create": EVERYONE,
    "ticket.reply": EVERYONE,  # clients: their organisation's tickets
    "ticket.note": PROVIDERS,
    "ticket.change_status": EVERYONE,  # clients: accept or reject a resolution of theirs
    "ticket.take": PROVIDERS,
    "ticket.set_priority": PROVIDERS,
    "ticket.assign": PROVIDERS,
    "intervention.log": PROVIDERS,
    "attachment.add": EVERYONE,  # clients: their organisation's tickets
    "audit.read": ADMINS,
    "membership.list": ADMINS,
    "tenant_settings.edit": ADMINS,
    "token.create": EVERYONE,
    "token.revoke": EVERYONE,  # one's own tokens
}

TENANT, OTHER_TENANT, ORG, OTHER_ORG = 1, 2, 10, 20


def member(role: str, *, tenant_id: int = TENANT, organization_id: int | None = ORG, user_id: int = 100) -> Membership:
    """An unsaved membership: the policy reads only the role, tenant and organisation."""
    client = role in (CLIENT_ADMIN, CLIENT_USER)
    return Membership(role=role, tenant_id=tenant_id, organization_id=organization_id if client else None,
                      user_id=user_id)


def ticket(*, status: str = "in_progress", organization_id: int = ORG, tenant_id: int = TENANT):
    return SimpleNamespace(tenant_id=tenant_id, organization_id=organization_id, status=status)


def contract(*, status: str = "active", client_id: int = ORG, tenant_id: int = TENANT):
    return SimpleNamespace(tenant_id=tenant_id, client_id=client_id, status=status)


# --------------------------------------------------------------------------- the table


def test_it_documents_every_action_of_the_policy():
    assert sorted(POLICY) == sorted(EXPECTED)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_it_allows_each_action_to_the_roles_of_the_table_only(action, role):
    assert can(member(role), action) is (role in EXPECTED[action])


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_it_lists_the_roles_allowed_for_each_action(action):
    assert set(roles_allowed(action)) == EXPECTED[action]


def test_it_prints_the_table_with_the_roles_in_order():
    rows = dict((action, roles) for action, roles, _rule in policy_table())
    assert rows["contract.send"] == [ADMIN, MANAGER]


def test_it_raises_on_an_unknown_action_instead_of_refusing():
    with pytest.raises(UnknownAction):
        can(member(ADMIN), "contract.sned")


def test_it_refuses_a_user_without_membership():
    with pytest.raises(PermissionDenied):
        require(None, "token.create")


def test_it_returns_the_membership_it_checked():
    membership = member(MANAGER)
    assert require(membership, "contract.send", contract()) is membership


# --------------------------------------------------------------------------- tenants


def test_it_refuses_an_object_of_another_tenant():
    with pytest.raises(PermissionDenied):
        require(member(ADMIN), "contract.send", contract(tenant_id=OTHER_TENANT))


def test_it_refuses_acting_in_another_tenant():
    with pytest.raises(PermissionDenied):
        require(member(ADMIN), "organization.create", tenant=SimpleNamespace(pk=OTHER_TENANT))


# --------------------------------------------------------------------------- object rules


@pytest.mark.parametrize("role", [CLIENT_ADMIN, CLIENT_USER])
def test_it_lets_a_client_download_its_organizations_sent_contract(role):
    assert can(member(role), "contract.download_pdf", contract(status="sent")) is True


@pytest.mark.parametrize("role", [CLIENT_ADMIN, CLIENT_USER])
def test_it_hides_a_draft_contract_pdf_from_a_client(role):
    with pytest.raises(Http404):
        require(member(role), "contract.download_pdf", contract(status="draft"))


def test_it_hides_another_organizations_contract_pdf_from_a_client():
    with pytest.raises(Http404):
        require(member(CLIENT_ADMIN), "contract.download_pdf", contract(client_id=OTHER_ORG))


def test_it_lets_provider_staff_download_any_contract_pdf_of_the_tenant():
    assert can(member(TECH), "contract.download_pdf", contract(status="draft", client_id=OTHER_ORG)) is True


@pytest.mark.parametrize("action", ["ticket.reply", "attachment.add"])
def test_it_refuses_a_client_another_organizations_ticket(action):
    with pytest.raises(PermissionDenied):
        require(member(CLIENT_ADMIN), action, ticket(organization_id=OTHER_ORG))


@pytest.mark.parametrize("action", ["ticket.reply", "attachment.add"])
def test_it_lets_a_client_act_on_its_organizations_ticket(action):
    assert can(member(CLIENT_USER), action, ticket()) is True


@pytest.mark.parametrize(("status", "to", "allowed"), [
    ("resolved", "closed", True),
    ("resolved", "in_progress", True),
    ("in_progress", "resolved", False),
    ("new", "in_progress", False),
    ("waiting_on_client", "in_progress", False),
    ("closed", "in_progress", False),
])
def test_it_lets_a_client_only_accept_or_reject_a_resolution(status, to, allowed):
    assert can(member(CLIENT_USER), "ticket.change_status", ticket(status=status), to=to) is allowed


def test_it_refuses_a_client_the_status_of_another_organizations_ticket():
    assert can(member(CLIENT_ADMIN), "ticket.change_status", ticket(status="resolved", organization_id=OTHER_ORG),
               to="closed") is False


def test_it_tells_a_page_whether_a_client_has_a_resolution_to_answer():
    assert (can(member(CLIENT_USER), "ticket.change_status", ticket(status="resolved")),
            can(member(CLIENT_USER), "ticket.change_status", ticket(status="in_progress"))) == (True, False)


def test_it_lets_provider_staff_make_any_status_change():
    assert can(member(TECH), "ticket.change_status", ticket(status="new"), to="resolved") is True


def test_it_hides_another_users_token():
    token = SimpleNamespace(tenant_id=TENANT, user_id=999)
    with pytest.raises(Http404):
        require(member(ADMIN, user_id=100), "token.revoke", token)


def test_it_lets_a_user_revoke_its_own_token():
    assert can(member(CLIENT_USER, user_id=100), "token.revoke", SimpleNamespace(tenant_id=TENANT, user_id=100))
