"""Who may do what (portal/permissions.py): the policy table, role by role, and its
object rules. The expectations are written out here, not derived from the table, so a
change of the policy shows up in this file's diff."""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from portal.models import Membership
from portal.permissions import POLICY, UnknownAction, can, policy_table, require, roles_allowed
from tests.contracts import factories as cf
from tests.factories import ContactFactory, make_siret

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
    "ticket.work": PROVIDERS,
    "ticket.rate": {CLIENT_ADMIN, CLIENT_USER, ADMIN},  # clients: their organisation's closed tickets
    "canned_reply.list": PROVIDERS,
    "canned_reply.manage": ADMINS,
    "support_desk.edit": ADMINS,
    "attachment.add": EVERYONE,  # clients: their organisation's tickets
    "audit.read": ADMINS,
    "dashboard.contracts": EDITORS,
    "dashboard.service": ADMINS,
    "membership.list": ADMINS,
    "member.list": {ADMIN, CLIENT_ADMIN},  # client administrators: their organisation's people
    "member.invite": {ADMIN, CLIENT_ADMIN},  # client administrators: client roles into their organisation
    "member.change_role": {ADMIN, CLIENT_ADMIN},
    "member.deactivate": {ADMIN, CLIENT_ADMIN},
    "member.reactivate": {ADMIN, CLIENT_ADMIN},
    "member.reset_two_factor": ADMINS,
    "invitation.resend": {ADMIN, CLIENT_ADMIN},
    "invitation.revoke": {ADMIN, CLIENT_ADMIN},
    "login_lockout.list": ADMINS,
    "login_lockout.reset": ADMINS,
    "tenant_settings.edit": ADMINS,
    "billing.read": EVERYONE,  # selectors scope clients to their organisation
    "billing.settings": ADMINS,
    "billing.run": ADMINS,
    "invoice.issue": EDITORS,
    "payment.record": EDITORS,
    "credit_note.create": EDITORS,
    "hour_bank.buy": EDITORS,
    "hour_bank.adjust": ADMINS,
    "hour_bank.sync": PROVIDERS,
    "invoice.render_pdf": EDITORS,
    "invoice.download": EVERYONE,  # never a draft; clients: their organisation's
    "report.generate": EDITORS,
    "report.download": EVERYONE,  # clients: their organisation's contracts
    "webhook.list": ADMINS,
    "webhook.create": ADMINS,
    "webhook.update": ADMINS,
    "webhook.delete": ADMINS,
    "webhook.test": ADMINS,
    "mailbox.edit": ADMINS,
    "mail_quarantine.review": PROVIDERS,
    "export.create": {ADMIN, MANAGER, CLIENT_ADMIN},  # client administrators: their own organisation
    "export.download": {ADMIN, MANAGER, CLIENT_ADMIN},
    "personal_data.export": ADMINS,
    "personal_data.erase": ADMINS,
    "token.create": EVERYONE,
    "token.revoke": EVERYONE,  # one's own tokens
    "service_account.manage": ADMINS,
}

TENANT, OTHER_TENANT, ORG, OTHER_ORG = 1, 2, 10, 20
BILLING_TODAY = date(2026, 7, 15)  # after every month the billing cases bill


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


# =========================================================================== every service
#
# Each service that takes an `actor` names its action and refuses, before anything is
# written, every role the table above denies, another organisation's client where the
# action has an object rule, and another tenant's administrator; the same call by an
# allowed role then goes through (so the refusal came from the policy, not from bad
# arguments). A new service without a case here fails the first test.

SERVICE_MODULES = (
    "contracts.services.contracts", "contracts.services.parties", "contracts.services.renewals", "sla.services",
    "tickets.services", "tickets.attachments", "tickets.plans", "tickets.desk", "portal.services", "portal.login_lockout",
    "portal.people", "billing.services", "integrations.services", "integrations.exports", "integrations.personal_data",
    "integrations.mail_intake",
)
# A public address given as such (no name to resolve): a receiver the SSRF check accepts.
PUBLIC_HOOK = "https://93.184.215.14/hooks/portal"


def services_taking_an_actor() -> dict[str, object]:
    found = {}
    for module_name in SERVICE_MODULES:
        module = importlib.import_module(module_name)
        for name, function in vars(module).items():
            if (inspect.isfunction(function) and function.__module__ == module_name and not name.startswith("_")
                    and "actor" in inspect.signature(function).parameters):
                found[f"{module_name}.{name}"] = function
    return found


class World:
    """The objects the services act on, in tenant A, built on first use through the services."""

    def __init__(self, request):
        self.request = request
        self.tenant = request.getfixturevalue("tenant_a")
        self.org = request.getfixturevalue("org_a1")
        self.people = {name: request.getfixturevalue(name)
                       for name in ("alice", "amy", "bob", "clara", "cody", "dora", "carol")}
        self.people["admin_b"] = self.people.pop("carol")

    def by_role(self, role: str):
        return self.people[{ADMIN: "alice", MANAGER: "amy", TECH: "bob", CLIENT_ADMIN: "clara",
                            CLIENT_USER: "cody"}[role]]

    @cached_property
    def policy(self):
        return cf.sla_policy(self.tenant)

    @cached_property
    def calendar(self):
        return self.policy.calendar

    @cached_property
    def provider(self):
        return cf.provider_org(self.tenant)

    def _contract(self, state: str, **overrides):
        build = {"draft": cf.draft, "sent": cf.sent, "active": cf.active}[state]
        return build(actor=self.people["amy"], client=self.org, policy=self.policy, **overrides)

    @cached_property
    def draft(self):
        return self._contract("draft")

    @cached_property
    def sent(self):
        return self._contract("sent")

    @cached_property
    def active(self):
        return self._contract("active")

    @cached_property
    def express(self):
        return self._contract("active", renewal="express")

    @cached_property
    def suspended(self):
        from contracts.services import contract_suspend

        return contract_suspend(contract=self._contract("active"), actor=self.people["amy"], reason="Unpaid")

    @cached_property
    def contact(self):
        return ContactFactory(organization=self.org)

    @cached_property
    def ticket(self):
        from tickets.services import ticket_create

        return ticket_create(tenant=self.tenant, actor=self.people["cody"], contract=self.active, title="Printer",
                             description="Offline.", maintenance_type="corrective")

    @cached_property
    def resolved_ticket(self):
        from tickets.services import ticket_change_status

        return ticket_change_status(ticket=self.ticket, actor=self.people["bob"], status="resolved")

    @cached_property
    def closed_ticket(self):
        from tickets.services import ticket_change_status

        return ticket_change_status(ticket=self.resolved_ticket, actor=self.people["cody"], status="closed")

    @cached_property
    def canned(self):
        from tickets.desk import canned_reply_create

        return canned_reply_create(tenant=self.tenant, actor=self.people["alice"], title="Restart", language="fr",
                                   body="Redémarrez le poste.")

    # Billing: a past month (the run refuses a month not over), an hour-bank contract with
    # one block, a draft and an issued invoice of the active contract.
    @cached_property
    def bank(self):
        from billing.services import hour_bank_block_buy
        from tests.billing import factories as bf

        contract = bf.contract(actor=self.people["amy"], client=self.org, policy=self.policy,
                               billing_model="hour_bank", monthly_fee=Decimal("0"))
        hour_bank_block_buy(contract=contract, actor=self.people["amy"], minutes=600, price=Decimal("800.00"),
                            bought_on=date(2026, 1, 5))
        return contract

    @cached_property
    def block(self):
        return self.bank.hour_bank_blocks.get()

    @cached_property
    def draft_invoice(self):
        from tests.billing import factories as bf

        return bf.run(self.active, 2026, 2)

    @cached_property
    def issued_invoice(self):
        from tests.billing import factories as bf

        return bf.issued(self.active, 2026, 3, actor=self.people["amy"])

    @cached_property
    def invitation(self):
        from portal.people import invitation_create

        return invitation_create(tenant=self.tenant, actor=self.people["alice"], email="new@a1.test",
                                 role="client_user", organization=self.org)

    @cached_property
    def cody_member(self):
        return self.people["cody"].membership

    @cached_property
    def token(self):
        from portal.services import api_token_create

        return api_token_create(user=self.people["alice"], name="Monitoring")[0]

    @cached_property
    def export(self):
        from integrations.models import DataExport

        return DataExport.objects.create(tenant=self.tenant, organization=self.org, status="ready",
                                         file_path="exports/ready.zip")

    @cached_property
    def webhook(self):
        from integrations.services import webhook_create

        return webhook_create(tenant=self.tenant, actor=self.people["alice"], name="Monitoring", url=PUBLIC_HOOK,
                              event_types=["ticket.created"])[0]

    @cached_property
    def mailbox(self):
        from integrations.mail_intake import mailbox_update

        return mailbox_update(tenant=self.tenant, actor=self.people["alice"], host="imap.a.test", port=993,
                              security="ssl", username="support", password="secret")

    def held_mail(self):
        """A new message of cody's held in quarantine (each release or discard uses one)."""
        from integrations.models import InboundMessage

        self.active  # noqa: B018 (the organisation's contract, which a released message opens a ticket on)
        return InboundMessage.objects.create(
            tenant=self.tenant, mailbox=self.mailbox, message_key=f"<held{InboundMessage.objects.count()}@a.test>",
            state="quarantined", reason="auto_reply", sender=self.people["cody"].email, subject="Printer",
            raw=f"From: {self.people['cody'].email}\r\nSubject: Printer\r\n\r\nIt is down.\r\n".encode())

    @cached_property
    def service_account(self):
        from portal.services import service_account_create

        return service_account_create(actor=self.people["alice"], tenant=self.tenant, name="Monitoring")


@dataclass
class Case:
    action: str
    kwargs: Callable[[World], dict]
    # Who passes the role check but not the action's object rule: (persona, kwargs).
    intruders: tuple[tuple[str, Callable[[World], dict]], ...] = ()


def _upload(_w=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("notes.txt", b"The printer says E-42.", content_type="text/plain")


CASES: dict[str, list[Case]] = {
    "contracts.services.parties.organization_create": [Case("organization.create", lambda w: {
        "tenant": w.tenant, "kind": "client", "legal_name": "Nouveau Client SAS", "siret": make_siret(4242),
        "address_line1": "2 rue de la Paix", "postal_code": "75002", "city": "Paris", "country": "FR"})],
    "contracts.services.parties.organization_update": [Case("organization.update", lambda w: {
        "organization": w.org, "city": "Lyon"})],
    "contracts.services.parties.contact_create": [Case("contact.create", lambda w: {
        "organization": w.org, "role": "technical", "first_name": "Paul", "last_name": "Martin",
        "email": "paul@a1.test"})],
    "contracts.services.parties.contact_update": [Case("contact.update", lambda w: {
        "contact": w.contact, "job_title": "CTO"})],
    "contracts.services.parties.contact_delete": [Case("contact.delete", lambda w: {"contact": w.contact})],
    "contracts.services.contracts.contract_create": [Case("contract.create", lambda w: {
        "tenant": w.tenant, "client": w.org, "provider": w.provider, **cf.contract_fields()})],
    "contracts.services.contracts.contract_update": [Case("contract.update", lambda w: {
        "contract": w.draft, "title": "Changed"})],
    "contracts.services.contracts.contract_set_scope": [Case("contract.set_scope", lambda w: {
        "contract": w.draft, "exclusions": ["Consumables"]})],
    "contracts.services.contracts.contract_set_clauses": [Case("contract.set_clauses", lambda w: {
        "contract": w.draft, "clauses": cf.CLAUSES})],
    "contracts.services.contracts.contract_clause_update": [Case("contract.clause_update", lambda w: {
        "contract": w.draft, "clause_id": w.draft.clauses.first().pk, "title": "Secrecy", "body": "Kept."})],
    "contracts.services.contracts.contract_send": [Case("contract.send", lambda w: {"contract": w.draft})],
    "contracts.services.contracts.contract_activate": [Case("contract.activate", lambda w: {
        "contract": w.sent, "signed_on": cf.START})],
    "contracts.services.contracts.contract_suspend": [Case("contract.suspend", lambda w: {
        "contract": w.active, "reason": "Unpaid invoices"})],
    "contracts.services.contracts.contract_resume": [Case("contract.resume", lambda w: {"contract": w.suspended})],
    "contracts.services.contracts.contract_terminate": [Case("contract.terminate", lambda w: {
        "contract": w.active, "notice_given_on": date(2026, 3, 1), "given_by": "client", "reason": "notice"})],
    "contracts.services.contracts.contract_renew": [Case("contract.renew", lambda w: {"contract": w.express})],
    "contracts.services.contracts.contract_amend": [Case("contract.amend", lambda w: {
        "contract": w.active, "signed_on": cf.START, "effective_date": cf.START, "summary": "New title",
        "changes": {"title": "New title"}})],
    "contracts.services.contracts.contract_render_pdf": [Case("contract.render_pdf", lambda w: {
        "contract": w.active})],
    "contracts.services.contracts.clause_template_save": [Case("clause_template.save", lambda w: {
        "tenant": w.tenant, "kind": "confidentiality", "language": "fr", "title": "Confidentialité",
        "body": "Chaque partie garde le secret."})],
    "sla.services.calendar_create": [Case("calendar.create", lambda w: {
        "tenant": w.tenant, "code": "always", "name": "Always", "timezone_name": "Europe/Paris",
        "always_open": True})],
    "sla.services.calendar_update": [Case("calendar.update", lambda w: {"calendar": w.calendar, "name": "Office"})],
    "sla.services.calendar_import_holidays": [Case("calendar.import_holidays", lambda w: {
        "calendar": w.calendar, "country": "FR", "first_year": 2026, "last_year": 2026})],
    "sla.services.policy_create": [Case("sla_policy.create", lambda w: {
        "tenant": w.tenant, "code": "gold", "name": "Gold", "calendar": w.calendar,
        "targets": [{"priority": "P1", "response_minutes": 30, "resolution_minutes": 120}]})],
    "sla.services.policy_update": [Case("sla_policy.update", lambda w: {"policy": w.policy, "name": "Silver"})],
    "sla.services.priority_matrix_set": [Case("priority_matrix.set", lambda w: {
        "tenant": w.tenant, "cells": {("low", "low"): "P3"}})],
    "tickets.services.ticket_create": [Case("ticket.create", lambda w: {
        "tenant": w.tenant, "contract": w.active, "title": "Scanner", "description": "Jammed.",
        "maintenance_type": "corrective"})],
    "tickets.services.ticket_take": [Case("ticket.take", lambda w: {"ticket": w.ticket})],
    "tickets.services.ticket_reply": [
        Case("ticket.reply", lambda w: {"ticket": w.ticket, "body": "Any news?"},
             intruders=(("dora", lambda w: {"ticket": w.ticket, "body": "Any news?"}),)),
        Case("ticket.note", lambda w: {"ticket": w.ticket, "body": "Spooler again.", "internal": True}),
    ],
    "tickets.services.ticket_change_status": [Case(
        "ticket.change_status", lambda w: {"ticket": w.ticket, "status": "in_progress"},
        intruders=(("dora", lambda w: {"ticket": w.resolved_ticket, "status": "closed"}),
                   ("cody", lambda w: {"ticket": w.ticket, "status": "resolved"})))],
    "tickets.services.ticket_set_priority": [Case("ticket.set_priority", lambda w: {
        "ticket": w.ticket, "priority": "P1", "reason": "The whole office is down."})],
    "tickets.services.ticket_assign": [Case("ticket.assign", lambda w: {
        "ticket": w.ticket, "assignee": w.people["bob"]})],
    "tickets.services.tickets_assign_bulk": [Case("ticket.assign", lambda w: {
        "tenant": w.tenant, "tickets": [w.ticket], "assignee": w.people["bob"]})],
    "tickets.services.intervention_log": [Case("intervention.log", lambda w: {
        "ticket": w.ticket, "date": date(2026, 5, 4), "minutes": 30, "mode": "remote",
        "description": "Restarted the spooler."})],
    "tickets.services.ticket_work": [Case("ticket.work", lambda w: {
        "ticket": w.ticket, "body": "Toner replaced.", "next_status": "resolved", "minutes": 45, "mode": "remote"})],
    "tickets.services.ticket_rate": [Case(
        "ticket.rate", lambda w: {"ticket": w.closed_ticket, "score": "good"},
        intruders=(("dora", lambda w: {"ticket": w.closed_ticket, "score": "bad"}),))],
    "tickets.desk.canned_reply_create": [Case("canned_reply.manage", lambda w: {
        "tenant": w.tenant, "title": "Logs", "language": "en", "body": "Please send the logs."})],
    "tickets.desk.canned_reply_update": [Case("canned_reply.manage", lambda w: {
        "reply": w.canned, "title": "Restart first", "language": "fr", "body": "Redémarrez."})],
    "tickets.desk.canned_reply_delete": [Case("canned_reply.manage", lambda w: {"reply": w.canned})],
    "tickets.desk.support_desk_update": [Case("support_desk.edit", lambda w: {
        "tenant": w.tenant, "phone": "+33 1 23 45 67 89", "hours_note": "Emergencies: same number."})],
    "tickets.attachments.attachment_add": [Case(
        "attachment.add", lambda w: {"ticket": w.ticket, "upload": _upload()},
        intruders=(("dora", lambda w: {"ticket": w.ticket, "upload": _upload()}),))],
    "tickets.plans.plan_create": [Case("plan.create", lambda w: {
        "contract": w.active, "title": "Monthly patching", "rrule": "FREQ=MONTHLY;BYDAY=1MO",
        "start_date": date(2026, 2, 1)})],
    "portal.services.api_token_revoke": [Case(
        "token.revoke", lambda w: {"token": w.token}, intruders=(("amy", lambda w: {"token": w.token}),))],
    "portal.services.service_account_create": [Case("service_account.manage", lambda w: {
        "tenant": w.tenant, "name": "Zabbix"})],
    "portal.services.service_account_token_create": [Case("service_account.manage", lambda w: {
        "account": w.service_account, "name": "Zabbix", "scopes": ["tickets:write"]})],
    "portal.services.service_account_disable": [Case("service_account.manage", lambda w: {
        "account": w.service_account})],
    "portal.login_lockout.login_lockout_reset": [Case("login_lockout.reset", lambda w: {
        "tenant": w.tenant, "email": w.people["bob"].email})],
    "billing.services.billing_settings_update": [Case("billing.settings", lambda w: {
        "tenant": w.tenant, "auto_issue": True, "unpaid_suspend_days": 45})],
    "billing.services.hour_bank_block_buy": [Case("hour_bank.buy", lambda w: {
        "contract": w.bank, "minutes": 300, "price": Decimal("400.00"), "bought_on": date(2026, 2, 1)})],
    "billing.services.hour_bank_adjust": [Case("hour_bank.adjust", lambda w: {
        "block": w.block, "minutes": -30, "reason": "Duplicate log", "day": date(2026, 2, 2)})],
    "billing.services.hour_bank_sync": [Case("hour_bank.sync", lambda w: {
        "contract": w.bank, "today": BILLING_TODAY})],
    "billing.services.billing_run_contract": [Case("billing.run", lambda w: {
        "contract": w.active, "year": 2026, "month": 4, "today": BILLING_TODAY})],
    "billing.services.billing_run_batch": [Case("billing.run", lambda w: {
        "tenant": w.tenant, "contract_ids": [w.active.pk], "year": 2026, "month": 4, "today": BILLING_TODAY})],
    "billing.services.billing_run_month": [Case("billing.run", lambda w: {
        "tenant": w.tenant, "year": 2026, "month": 4, "today": BILLING_TODAY})],
    "billing.services.billing_run_dispatch": [Case("billing.run", lambda w: {
        "tenant": w.tenant, "year": 2026, "month": 4, "today": BILLING_TODAY})],
    "billing.services.invoice_issue": [Case("invoice.issue", lambda w: {
        "invoice": w.draft_invoice, "today": BILLING_TODAY})],
    "billing.services.payment_record": [Case("payment.record", lambda w: {
        "invoice": w.issued_invoice, "date": BILLING_TODAY, "amount": Decimal("100.00"), "method": "transfer"})],
    "billing.services.credit_note_create": [Case("credit_note.create", lambda w: {
        "invoice": w.issued_invoice, "reason": "Goodwill", "amount": Decimal("10.00"), "today": BILLING_TODAY})],
    "portal.people.invitation_create": [Case(
        "member.invite", lambda w: {"tenant": w.tenant, "email": "newcomer@a1.test", "role": "client_user",
                                    "organization": w.org},
        intruders=(("dora", lambda w: {"tenant": w.tenant, "email": "newcomer@a1.test", "role": "client_user",
                                       "organization": w.org}),))],
    "portal.people.invitation_resend": [Case(
        "invitation.resend", lambda w: {"invitation": w.invitation},
        intruders=(("dora", lambda w: {"invitation": w.invitation}),))],
    "portal.people.invitation_revoke": [Case(
        "invitation.revoke", lambda w: {"invitation": w.invitation},
        intruders=(("dora", lambda w: {"invitation": w.invitation}),))],
    "portal.people.member_change_role": [Case(
        "member.change_role", lambda w: {"member": w.cody_member, "role": "client_admin"},
        intruders=(("dora", lambda w: {"member": w.cody_member, "role": "client_admin"}),))],
    "portal.people.member_deactivate": [Case(
        "member.deactivate", lambda w: {"member": w.cody_member},
        intruders=(("dora", lambda w: {"member": w.cody_member}),))],
    "portal.people.member_reactivate": [Case(
        "member.reactivate", lambda w: {"member": w.cody_member},
        intruders=(("dora", lambda w: {"member": w.cody_member}),))],
    "portal.people.member_reset_two_factor": [Case("member.reset_two_factor", lambda w: {"member": w.cody_member})],
    "portal.services.tenant_settings_update": [Case("tenant_settings.edit", lambda w: {
        "tenant": w.tenant, "contract_reminder_days": [60, 30]})],
    "integrations.services.webhook_create": [Case("webhook.create", lambda w: {
        "tenant": w.tenant, "name": "Alerts", "url": PUBLIC_HOOK, "event_types": ["sla.breach"]})],
    "integrations.services.webhook_update": [Case("webhook.update", lambda w: {
        "subscription": w.webhook, "name": "Renamed", "is_active": False})],
    "integrations.services.webhook_roll_secret": [Case("webhook.update", lambda w: {"subscription": w.webhook})],
    "integrations.services.webhook_delete": [Case("webhook.delete", lambda w: {"subscription": w.webhook})],
    "integrations.services.webhook_send_test": [Case("webhook.test", lambda w: {"subscription": w.webhook})],
    "integrations.personal_data.personal_data_export": [Case("personal_data.export", lambda w: {
        "tenant": w.tenant, "email": w.people["cody"].email})],
    "integrations.personal_data.personal_data_erase": [Case("personal_data.erase", lambda w: {
        "tenant": w.tenant, "email": w.people["cody"].email})],
    "integrations.mail_intake.mailbox_update": [Case("mailbox.edit", lambda w: {
        "tenant": w.tenant, "host": "imap.a.test", "port": 993, "security": "ssl", "username": "support",
        "password": "secret"})],
    "integrations.mail_intake.inbound_release": [Case("mail_quarantine.review", lambda w: {
        "inbound": w.held_mail(), "sender_email": w.people["cody"].email})],
    "integrations.mail_intake.inbound_discard": [Case("mail_quarantine.review", lambda w: {
        "inbound": w.held_mail()})],
    "integrations.exports.export_request": [Case(
        "export.create", lambda w: {"organization": w.org}, intruders=(("dora", lambda w: {"organization": w.org}),))],
    "integrations.exports.export_download": [Case(
        "export.download", lambda w: {"export": w.export}, intruders=(("dora", lambda w: {"export": w.export}),))],
}

SERVICES = services_taking_an_actor()


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def refused(function, actor, kwargs) -> list[str]:
    """Call the service as `actor`: it must refuse; returns the writes it made meanwhile."""
    with CaptureQueriesContext(connection) as queries:
        with pytest.raises((PermissionDenied, Http404)):
            function(actor=actor, **kwargs)
    return writes(queries.captured_queries)


def test_it_has_a_case_for_every_service_that_takes_an_actor():
    assert sorted(SERVICES) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_names_its_action_in_the_service(name):
    source = inspect.getsource(SERVICES[name])
    assert all(f'"{case.action}"' in source for case in CASES[name]), name


@pytest.fixture
def world(request, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return World(request)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "index"), [(name, i) for name in sorted(CASES) for i in range(len(CASES[name]))])
def test_it_refuses_each_role_the_table_denies_before_writing(world, name, index):
    function, case = SERVICES[name], CASES[name][index]
    denied = [role for role in ROLES if role not in EXPECTED[case.action]]
    kwargs = case.kwargs(world)  # built first: building writes
    made = {role: refused(function, world.by_role(role), case.kwargs(world)) for role in denied}
    assert made == {role: [] for role in denied}
    assert refused(function, world.people["admin_b"], kwargs) == []  # another tenant's administrator
    for persona, intruder_kwargs in case.intruders:
        arguments = intruder_kwargs(world)
        assert refused(function, world.people[persona], arguments) == [], persona
    function(actor=world.people["alice"], **case.kwargs(world))  # allowed: the arguments were valid


# =========================================================================== interfaces
#
# Views and API views never decide who may act: they call the service, or ask the policy
# (require / can / tenant_required(action=...) / PolicyPermission(...)). A simple scan
# keeps it so.

ROOT = Path(__file__).resolve().parents[2]
INTERFACE_GLOBS = ("*/views.py", "*/views/*.py", "*/api/*.py", "*/api/*/*.py", "portal/decorators.py",
                   "portal/context_processors.py")
ROLE_CHECKS = {
    "a role constant": re.compile(r"\bRole\."),
    "a role comparison": re.compile(r"\.role\s*(==|!=|\bin\b|\bnot\s+in\b)|\brole__in\b"),
    "a role set": re.compile(r"\b(PROVIDER_ROLES|CLIENT_ROLES|PARTY_EDITORS|TENANT_ADMINS|ALL_ROLES)\b"),
    "a role helper": re.compile(r"\b(has_role|require_role)\b"),
}


def interface_modules() -> list[Path]:
    return sorted({path for pattern in INTERFACE_GLOBS for path in ROOT.glob(pattern) if ".venv" not in path.parts})


def test_it_scans_the_views_and_api_views():
    names = {str(path.relative_to(ROOT)) for path in interface_modules()}
    assert {"contracts/views/contracts.py", "contracts/api/views/contracts.py", "tickets/views.py",
            "portal/api/permissions.py", "sla/api/views.py"} <= names


@pytest.mark.parametrize("path", interface_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_it_keeps_role_checks_out_of_views_and_api_views(path):
    found = [f"{number}: {what}: {line.strip()}"
             for number, line in enumerate(path.read_text().splitlines(), start=1)
             for what, pattern in ROLE_CHECKS.items() if pattern.search(line)]
    assert found == []
