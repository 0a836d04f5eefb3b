"""`manage.py seed_demo`: demo tenants, organisations and one user per role; idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import override_settings

from contracts import validators
from contracts.models import Contact, Organization
from demo import seed
from portal.models import (
    CLIENT_ROLES,
    PROVIDER_ROLES,
    AuditEvent,
    Membership,
    Role,
    Tenant,
    TenantSequence,
    User,
)

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """Seeded once for the module (each seed takes seconds); the tests only read, or
    seed again, which changes nothing."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        call_command("seed_demo", "--no-history", stdout=StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def seeded(_seeded_once, db):
    return None


def counts() -> dict[str, int]:
    models = (Tenant, Organization, Contact, User, Membership, AuditEvent, TenantSequence)
    return {m.__name__: m.objects.count() for m in models} | {
        "sequence_values": sum(TenantSequence.objects.values_list("last_value", flat=True))
    }


def test_it_creates_at_least_two_tenants(seeded):
    assert Tenant.objects.count() >= 2


def test_it_creates_at_least_two_client_organizations_per_tenant(seeded):
    for tenant in Tenant.objects.all():
        assert Organization.objects.filter(tenant=tenant, kind="client").count() >= 2, tenant


def test_it_gives_each_tenant_its_own_provider_entity(seeded):
    for tenant in Tenant.objects.all():
        assert Organization.objects.filter(tenant=tenant, kind="provider").count() == 1, tenant


def test_it_gives_every_organization_a_valid_legal_identity(seeded):
    for org in Organization.objects.all():
        org.full_clean()  # SIRET (Luhn), VAT number and its match with the SIREN
        validators.validate_siret(org.siret)


def test_it_creates_one_user_per_provider_role_per_tenant(seeded):
    for tenant in Tenant.objects.all():
        roles = list(Membership.objects.filter(tenant=tenant, role__in=PROVIDER_ROLES).values_list("role", flat=True))
        assert sorted(roles) == sorted(PROVIDER_ROLES), tenant


def test_it_creates_one_user_per_client_role_per_client_organization(seeded):
    for org in Organization.objects.filter(kind="client"):
        roles = list(Membership.objects.filter(organization=org).values_list("role", flat=True))
        assert sorted(roles) == sorted(CLIENT_ROLES), org
        assert set(Membership.objects.filter(organization=org).values_list("tenant_id", flat=True)) == {org.tenant_id}


def test_it_gives_every_client_organization_contacts(seeded):
    for org in Organization.objects.filter(kind="client"):
        assert org.contacts.exists(), org


def test_it_lets_every_demo_account_log_in_with_the_demo_password(seeded):
    for email, role, _tenant in seed.demo_logins():
        user = authenticate(username=email, password=seed.DEMO_PASSWORD)
        assert user is not None, email
        assert user.membership.role == role


def test_it_lists_every_demo_account_it_creates(seeded):
    assert {email for email, _, _ in seed.demo_logins()} == set(User.objects.values_list("email", flat=True))


def test_it_creates_client_organizations_through_the_audited_service(seeded):
    for org in Organization.objects.filter(kind="client"):
        assert AuditEvent.objects.filter(
            tenant=org.tenant, action="organization.create", object_ref=org.reference
        ).exists(), org


def test_it_changes_nothing_when_run_twice(seeded):
    before = counts()
    call_command("seed_demo", "--no-history", stdout=StringIO())
    assert counts() == before


def test_it_prints_the_demo_logins(db):
    out = StringIO()
    call_command("seed_demo", "--no-history", stdout=out)
    assert seed.DEMO_PASSWORD in out.getvalue()
    assert all(email in out.getvalue() for email, _, _ in seed.demo_logins())


def test_it_keeps_roles_consistent_with_the_organization_link(seeded):
    assert not Membership.objects.filter(role__in=CLIENT_ROLES, organization__isnull=True).exists()
    assert not Membership.objects.filter(role=Role.TENANT_ADMIN, organization__isnull=False).exists()


def test_it_prints_a_short_summary_with_the_url(db):
    out = StringIO()
    call_command("seed_demo", "--no-history", "--url", "http://127.0.0.1:8000/", stdout=out)
    lines = out.getvalue().splitlines()
    assert "Open http://127.0.0.1:8000/" in lines
    assert any(line.startswith("  Acme IT Services: 9 contracts") for line in lines)
    assert len(lines) < 30


def test_it_leaves_the_contract_pdfs_queued_instead_of_rendering_them(seeded):
    from contracts.models import ContractDocument

    assert set(ContractDocument.objects.values_list("status", flat=True)) == {"queued"}
    assert len(seed.documents_pending()["contract"]) == ContractDocument.objects.count()


def test_in_the_background_it_seeds_the_base_and_hands_the_history_to_a_child_process(db, monkeypatch):
    from demo.management.commands import seed_demo

    started = []
    monkeypatch.setattr(seed_demo.subprocess, "Popen", lambda command, **kw: started.append(command))
    call_command("seed_demo", "--background", stdout=StringIO())
    assert Organization.objects.filter(kind="client").count() == 4
    assert started and started[0][-1] == "--history-only"
