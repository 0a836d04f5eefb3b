"""Contract-building helpers for the contract tests. Complex state goes through the
services (STYLE.md §9): a draft is created, scoped and given clauses by the same
functions the API and the portal call, then sent and activated by the lifecycle
services. Every date is explicit; none of these helpers reads the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from contracts.models import Contract, Organization
from contracts.services import contracts as services
from portal.models import Membership, Role
from tests.factories import OrganizationFactory, member

START = date(2026, 1, 1)
SENT_AT = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
ACTIVATED_AT = datetime(2025, 12, 15, 9, 0, tzinfo=UTC)

ITEMS = [
    {"category": "hardware", "name": "Dell PowerEdge R650", "identifier": "SRV-PAR-01", "site": "Paris",
     "criticality": "critical", "quantity": 1},
    {"category": "software", "name": "Microsoft 365 tenant", "identifier": "", "site": "", "criticality": "high",
     "quantity": 25},
]
EXCLUSIONS = ["Supply of new equipment", "Damage caused by misuse"]
MAINTENANCE_TYPES = [
    {"maintenance_type": "preventive", "included": True, "details": "Monthly patching and backup checks"},
    {"maintenance_type": "corrective", "included": True, "details": "Remote repair within the SLA"},
    {"maintenance_type": "evolutive", "included": False, "details": "Upgrades on quote"},
]
CLAUSES = [
    {"kind": "confidentiality", "title": "Confidentiality", "body": "Each party keeps the other's data secret."},
    {"kind": "disputes", "title": "Dispute resolution",
     "body": "Amicable mediation first; failing that, the Commercial Court of Paris has jurisdiction."},
]
STANDARD_TARGETS = [
    {"priority": "P1", "response_minutes": 60, "resolution_minutes": 480},
    {"priority": "P2", "response_minutes": 120, "resolution_minutes": 840},
    {"priority": "P3", "response_minutes": 240, "resolution_minutes": 1680},
    {"priority": "P4", "response_minutes": 480, "resolution_minutes": 2100},
]
BUSINESS_HOURS = {d: [["09:00", "12:00"], ["14:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def tenant_admin(tenant):
    """An administrator of `tenant` (the one already there, else a new one): SLA
    configuration is theirs alone."""
    membership = Membership.objects.filter(tenant=tenant, role=Role.TENANT_ADMIN).select_related("user").first()
    return membership.user if membership else member(tenant, Role.TENANT_ADMIN)


def provider_org(tenant) -> Organization:
    """The tenant's provider entity (created on first use), with its legal representative."""
    existing = Organization.objects.filter(tenant=tenant, kind="provider").order_by("pk").first()
    if existing is not None:
        return existing
    return OrganizationFactory(
        tenant=tenant, kind="provider", legal_name=f"{tenant.name} Services SAS", legal_form="SAS",
        legal_rep_name="Claire Moreau", legal_rep_title="Présidente",
    )


def sla_policy(tenant, *, code: str = "standard", targets=STANDARD_TARGETS, always_open: bool = False):
    """A business-hours calendar and an SLA policy using it, made by the SLA services."""
    from sla import services as sla_services

    admin = tenant_admin(tenant)
    calendar = sla_services.calendar_create(
        tenant=tenant, actor=admin, code=f"{code}-hours", name=f"{code} hours", timezone_name="Europe/Paris",
        always_open=always_open, hours={} if always_open else BUSINESS_HOURS,
        effective_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    return sla_services.policy_create(
        tenant=tenant, actor=admin, code=code, name=code.title(), calendar=calendar, warning_percent=80,
        availability_target=Decimal("99.500"), targets=list(targets),
    )


def contract_fields(**overrides) -> dict:
    fields = {
        "title": "Maintenance of the IT park",
        "object": "Preventive and corrective maintenance of the servers and workstations, monthly visits.",
        "start_date": START, "initial_months": 12, "renewal": "tacit", "notice_months": 3,
        "monthly_fee": Decimal("450.00"), "payment_terms_days": 30, "remote_intervention": True,
        "on_site_intervention": True,
    }
    fields.update(overrides)
    return fields


def draft(*, actor, client: Organization, policy=None, provider: Organization | None = None,
          today: date = START, scope: bool = True, clauses: bool = True, **overrides) -> Contract:
    """A draft; complete (scope, maintenance types, clauses, SLA policy) unless told otherwise."""
    tenant = client.tenant
    if policy is not None:
        overrides.setdefault("sla_policy", policy)
    contract = services.contract_create(
        tenant=tenant, actor=actor, client=client, provider=provider or provider_org(tenant), today=today,
        **contract_fields(**overrides),
    )
    if scope:
        services.contract_set_scope(contract=contract, actor=actor, items=ITEMS, exclusions=EXCLUSIONS,
                                    maintenance_types=MAINTENANCE_TYPES)
    if clauses:
        services.contract_set_clauses(contract=contract, actor=actor, clauses=CLAUSES)
    contract.refresh_from_db()
    return contract


def sent(*, actor, client: Organization, policy, now: datetime = SENT_AT, **overrides) -> Contract:
    contract = draft(actor=actor, client=client, policy=policy, **overrides)
    return services.contract_send(contract=contract, actor=actor, now=now)


def active(*, actor, client: Organization, policy, signed_on: date | None = None, now: datetime = ACTIVATED_AT,
           **overrides) -> Contract:
    contract = sent(actor=actor, client=client, policy=policy, **overrides)
    return services.contract_activate(contract=contract, actor=actor, signed_on=signed_on or contract.start_date,
                                      client_signatory="Paul Martin", now=now)
