"""Personas (STYLE.md §9): tenant A with alice (tenant admin), amy (account manager),
bob (technician), clara (client admin of client A1), cody (client user of A1) and
dora (client admin of A2); tenant B with carol (tenant admin) and ben (client user of B1)."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from portal.celery import app as celery_app
from tests.factories import OrganizationFactory, TenantFactory, member


def pytest_configure(config):
    # Tasks run in-process unless a test starts a real worker (tests marked `worker`).
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions on messages are written in English; the French catalog is checked apart."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Hashing is deliberately slow in production; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tenant_a(db):
    return TenantFactory(name="Tenant A", slug="tenant-a")


@pytest.fixture
def tenant_b(db):
    return TenantFactory(name="Tenant B", slug="tenant-b")


@pytest.fixture
def org_a1(tenant_a):
    return OrganizationFactory(tenant=tenant_a, legal_name="Client A1 SAS")


@pytest.fixture
def org_a2(tenant_a):
    return OrganizationFactory(tenant=tenant_a, legal_name="Client A2 SAS")


@pytest.fixture
def org_b1(tenant_b):
    return OrganizationFactory(tenant=tenant_b, legal_name="Client B1 SAS")


@pytest.fixture
def alice(tenant_a):
    return member(tenant_a, "tenant_admin", email="alice@a.test")


@pytest.fixture
def amy(tenant_a):
    return member(tenant_a, "account_manager", email="amy@a.test")


@pytest.fixture
def bob(tenant_a):
    return member(tenant_a, "technician", email="bob@a.test")


@pytest.fixture
def clara(tenant_a, org_a1):
    return member(tenant_a, "client_admin", organization=org_a1, email="clara@a1.test")


@pytest.fixture
def cody(tenant_a, org_a1):
    return member(tenant_a, "client_user", organization=org_a1, email="cody@a1.test")


@pytest.fixture
def dora(tenant_a, org_a2):
    return member(tenant_a, "client_admin", organization=org_a2, email="dora@a2.test")


@pytest.fixture
def carol(tenant_b):
    return member(tenant_b, "tenant_admin", email="carol@b.test")


@pytest.fixture
def ben(tenant_b, org_b1):
    return member(tenant_b, "client_user", organization=org_b1, email="ben@b1.test")


@pytest.fixture
def api():
    """An API client; `api.as_(user)` logs in as that user (session)."""

    class Client(APIClient):
        def as_(self, user):
            self.force_authenticate(user=None)
            self.logout()
            self.force_login(user)
            return self

    return Client()


@pytest.fixture
def web(client):
    """The Django test client; `web.as_(user)` logs in as that user."""

    def as_(user):
        client.logout()
        client.force_login(user)
        return client

    client.as_ = as_
    return client
