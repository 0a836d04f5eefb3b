"""A world of one tenant for the tests that walk every operation of the API (the
hostile-input test, the schema's truth): a tenant administrator, a technician, a
client user of a client organisation with a contact, an SLA policy, contracts in each
state, an open ticket, a clause template; the object each path parameter names, and
a valid value for the fields the schema alone cannot fill."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from drf_spectacular.generators import SchemaGenerator

from contracts.services import contracts as contract_services
from portal import services as portal_services
from tests.contracts import factories as cf
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    TenantFactory,
    make_siret,
    member,
    vat_for_siret,
)
from tests.tickets import factories as tf


def _now():
    return timezone.now()


def shared_world(django_db_setup, django_db_blocker):
    """A module fixture (`world = pytest.fixture(scope="module")(shared_world)`): the
    world is made once, in a transaction rolled back after the module; each test's own
    transaction nests inside it, like Django's TestCase.setUpTestData."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield World()
        transaction.set_rollback(True)


class World:
    """Objects of one tenant, made once for the module (see the `world` fixture): a
    tenant administrator, a technician, a client user of a client organisation with a
    contact, an SLA policy, contracts in each state, an open ticket, a clause template."""

    def __init__(self):
        self.tenant = TenantFactory(name="Hostile tenant", slug="hostile-tenant")
        self.org = OrganizationFactory(tenant=self.tenant, legal_name="Hostile client SAS")
        self.alice = member(self.tenant, "tenant_admin", email="alice@hostile.test")
        self.bob = member(self.tenant, "technician", email="bob@hostile.test")
        self.cody = member(self.tenant, "client_user", organization=self.org, email="cody@hostile.test")
        self.provider = cf.provider_org(self.tenant)
        self.policy = tf.sla_policy(self.tenant)
        # Express renewal: `renew` then goes past its first checks.
        self.active = tf.active_contract(actor=self.alice, client=self.org, policy=self.policy, renewal="express")
        self.draft = cf.draft(actor=self.alice, client=self.org, policy=self.policy)
        self.sent = cf.sent(actor=self.alice, client=self.org, policy=self.policy)
        self.suspended = contract_services.contract_suspend(
            contract=tf.active_contract(actor=self.alice, client=self.org, policy=self.policy), actor=self.alice,
            reason="Unpaid")
        self.terminated = contract_services.contract_terminate(
            contract=tf.active_contract(actor=self.alice, client=self.org, policy=self.policy), actor=self.alice,
            notice_given_on=cf.START, given_by="client", reason="mutual_agreement", effective_date=cf.START)
        self.ticket = tf.open_ticket(actor=self.cody, contract=self.active, now=_now())
        self.contact = ContactFactory(organization=self.org)
        self.clause_template = contract_services.clause_template_save(
            tenant=self.tenant, actor=self.alice, kind="gdpr", language="fr", title="GDPR", body="Text.")
        # Billing: an hour-bank contract with a block, an issued invoice, a run.
        from billing import services as billing_services
        from billing.models import BillingRun

        self.bank = tf.active_contract(actor=self.alice, client=self.org, policy=self.policy,
                                       billing_model="hour_bank", hourly_rate=Decimal("90.00"))
        self.block = billing_services.hour_bank_block_buy(contract=self.bank, actor=self.alice, minutes=600,
                                                          price=Decimal("800.00"), bought_on=cf.START)
        self.invoice = billing_services.invoice_issue(
            invoice=billing_services.billing_run_contract(contract=self.active, year=2026, month=2,
                                                          today=date(2026, 3, 2)),
            actor=self.alice, today=date(2026, 3, 2))
        self.run = BillingRun.objects.create(tenant=self.tenant, year=2026, month=2, trigger="manual", contracts=1)
        from integrations.models import WebhookSubscription

        self.webhook = WebhookSubscription.objects.create(
            tenant=self.tenant, name="Hostile hook", url="https://93.184.215.14/hook", secret="whsec_x",
            event_types=["ticket.created"])
        # People: an open invitation of the client organisation.
        from portal.people import invitation_create

        self.invitation = invitation_create(tenant=self.tenant, actor=self.alice, email="invitee@hostile.test",
                                            role="client_user", organization=self.org)
        self.service_account = portal_services.service_account_create(actor=self.alice, tenant=self.tenant,
                                                                      name="Monitoring")

    def token(self, user):
        token, _secret = portal_services.api_token_create(user=user, name="hostile")
        return token

    # -- path parameters: the object each operation acts on --------------------------

    def contract_for(self, path: str):
        if "/hour-bank/" in path:
            return self.bank
        if path.endswith(("/scope/", "/clauses/", "/send/")) or path == "/api/v1/contracts/{contract_ref}/":
            return self.draft
        if path.endswith("/activate/"):
            return self.sent
        if path.endswith("/resume/"):
            return self.suspended
        return self.active

    def path_value(self, name: str, path: str, user) -> str:
        if name == "contract_ref":
            return self.contract_for(path).reference
        if name == "org_ref":
            return self.org.reference
        if name == "contact_id":
            return str(self.contact.pk)
        if name == "ticket_ref":
            return self.ticket.reference
        if name == "calendar_code":
            return self.policy.calendar.code
        if name == "policy_code":
            return self.policy.code
        if name == "token_prefix":
            return self.token(user).prefix
        if name == "kind":
            return "contract"
        if name == "invoice_ref":
            return self.invoice.number
        if name == "run_id":
            return str(self.run.pk)
        if name == "export_id":
            from integrations.models import DataExport

            return str(DataExport.objects.create(tenant=self.tenant, organization=self.org, status="ready",
                                                 file_path="exports/hostile.zip").pk)
        if name == "subscription_id":
            return str(self.webhook.pk)
        if name == "member_id":
            return str(self.cody.membership.pk)
        if name == "invitation_id":
            return str(self.invitation.pk)
        if name == "report_month":  # the month of the invoice: the run requested its report
            return f"{self.invoice.year}-{self.invoice.month:02d}"
        if name == "credit_note_ref":
            return "CN-2026-000001"
        if name in ("version", "attachment_id"):
            return "1"
        if name == "canned_reply_id":
            from tickets.models import CannedReply

            reply = CannedReply.objects.filter(tenant=self.tenant).first() or CannedReply.objects.create(
                tenant=self.tenant, title="Restart first", language="en", body="Please restart the computer.")
            return str(reply.pk)
        if name == "account_id":
            return str(self.service_account.pk)
        if name == "inbound_id":  # a message held in the quarantine of the tenant's support mailbox
            from integrations.models import InboundMessage, SupportMailbox

            mailbox, _new = SupportMailbox.objects.get_or_create(
                tenant=self.tenant, defaults={"host": "imap.hostile.test", "username": "support", "password": "x"})
            held = InboundMessage.objects.filter(tenant=self.tenant, state="quarantined").first()
            if held is None:
                held = InboundMessage.objects.create(
                    tenant=self.tenant, mailbox=mailbox, message_key="<held@hostile.test>", state="quarantined",
                    sender="stranger@hostile.test", subject="Held", reason="unknown_sender",
                    raw=b"From: stranger@hostile.test\r\nSubject: Held\r\n\r\nHello\r\n")
            return str(held.pk)
        if name == "clause_template_id":
            from contracts.models import ClauseTemplate

            template = ClauseTemplate.objects.filter(tenant=self.tenant).first() or ClauseTemplate.objects.create(
                tenant=self.tenant, kind="gdpr", language="en", title="Personal data", body="A sub-processor.")
            return str(template.pk)
        raise AssertionError(f"no value for the path parameter {name}: add it to World.path_value")

    # -- valid values by field name, where the schema alone cannot give one ----------

    def known(self, name: str):
        today = timezone.localdate()
        siret = make_siret(4242)
        values = {
            "client": lambda: self.org.reference,
            "provider": lambda: self.provider.reference,
            "sla_policy": lambda: self.policy.code,
            "calendar": lambda: self.policy.calendar.code,
            "contract": lambda: self.active.reference,
            "assignee": lambda: self.bob.email,
            "covered_item": lambda: self.active.items.first().pk,
            "template_ids": lambda: [self.clause_template.pk],
            "code": lambda: "hostile-code",
            "timezone": lambda: "Europe/Paris",
            "hours": lambda: {"mon": [["09:00", "12:00"]]},
            "country": lambda: "FR",
            "siret": lambda: siret,
            "vat_number": lambda: vat_for_siret(siret),
            "currency": lambda: "EUR",
            "first_year": lambda: 2026,
            "last_year": lambda: 2026,
            "start_date": lambda: "2026-01-01",
            "signed_on": lambda: "2026-01-01",
            "notice_given_on": lambda: "2026-02-01",
            "effective_date": lambda: "2026-03-01",
            "date": lambda: today.isoformat(),
            "rrule": lambda: "FREQ=MONTHLY;BYDAY=1MO",
            "status": lambda: "waiting_on_client",
            "priority": lambda: "P2",
            "maintenance_type": lambda: "corrective",
            "targets": lambda: [{"priority": "P1", "response_minutes": 60, "resolution_minutes": 240}],
            "changes": lambda: {"monthly_fee": "500.00"},
            "minutes": lambda: 30,
            "expires_at": lambda: (_now() + timedelta(days=30)).isoformat(),
            "start": lambda: datetime(2026, 5, 4, 10, tzinfo=UTC).isoformat(),
            "block": lambda: self.block.reference,
            "bought_on": lambda: "2026-02-01",
            "url": lambda: "https://93.184.215.14/hook",
            "event_types": lambda: ["ticket.created"],
        }
        return values[name]() if name in values else None


class Schema:
    """The OpenAPI document and what the test needs from it: resolved schemas, valid
    example values, the operations."""

    def __init__(self):
        with translation.override("en"):  # the descriptions the tests read, whatever LANGUAGE_CODE says
            self.doc = SchemaGenerator().get_schema(request=None, public=True)

    def resolve(self, node: dict) -> dict:
        while "$ref" in node:
            node = self.doc["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        if "allOf" in node and len(node["allOf"]) == 1:
            return {**self.resolve(node["allOf"][0]), **{k: v for k, v in node.items() if k != "allOf"}}
        if "oneOf" in node:
            for option in node["oneOf"]:
                resolved = self.resolve(option)
                if resolved.get("enum") not in ([""], [None]):
                    return {**resolved, **{k: v for k, v in node.items() if k != "oneOf"}}
        return node

    def example(self, node: dict, name: str, world: World):
        known = world.known(name)
        if known is not None:
            return known
        node = self.resolve(node)
        if "enum" in node:
            return next(v for v in node["enum"] if v not in ("", None))
        kind, fmt = node.get("type"), node.get("format")
        if kind == "object" or "properties" in node:
            return {key: self.example(sub, key, world) for key, sub in node.get("properties", {}).items()}
        if kind == "array":
            return [self.example(node.get("items", {}), name, world)]
        if kind == "integer":
            return max(node.get("minimum", 1), 1)
        if kind == "number":
            return 1
        if kind == "boolean":
            return True
        if fmt == "date":
            return "2026-01-01"
        if fmt == "date-time":
            return "2026-05-04T10:00:00+02:00"
        if fmt == "email":
            return "someone@example.test"
        if fmt == "decimal":
            return "1.00"
        if fmt == "binary":
            return "file"
        return "text"

    def operations(self, methods) -> list[tuple[str, str]]:
        return sorted((path, method) for path, item in self.doc["paths"].items() for method in item
                      if method in methods)

    def operation(self, path: str, method: str) -> dict:
        return self.doc["paths"][path][method]

    def body_schema(self, op: dict) -> dict | None:
        content = op.get("requestBody", {}).get("content", {})
        for media in ("application/json", "multipart/form-data"):
            if media in content:
                return content[media]["schema"]
        return None


def fill_path(path: str, world: World, user) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: world.path_value(m.group(1), path, user), path)
