"""Personas (STYLE.md §9): tenant A with alice (tenant admin), amy (account manager),
bob (technician), clara (client admin of client A1), cody (client user of A1) and
dora (client admin of A2); tenant B with carol (tenant admin) and ben (client user of B1)."""

from __future__ import annotations

import pytest
from django.utils import translation

from portal.celery import app as celery_app


def _factories():
    """Imported lazily, so that the pure tests (sla/clock, sla/state, contracts/terms)
    can run without Django: `pytest -p no:django tests/sla/test_clock.py`."""
    from tests import factories

    return factories


def pytest_configure(config):
    # Tasks run in-process unless a test starts a real worker (tests marked `worker`).
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


def _django(request) -> bool:
    return request.config.pluginmanager.hasplugin("django")


@pytest.fixture(autouse=True)
def _english(request):
    """Assertions on messages are written in English; the French catalog is checked apart."""
    if not _django(request):
        yield
        return
    request.getfixturevalue("settings").LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _test_settings(request):
    if not _django(request):
        return
    settings = request.getfixturevalue("settings")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The outbox is handed to Celery, which runs eagerly in tests (on commit): the tests
    # of notifications read mail.outbox right after the request. The thread deliverer of
    # the embedded mode has tests of its own (tests/portal/test_outbox.py).
    settings.OUTBOX_DELIVERY = "celery"
    # Hashing is deliberately slow in production; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """The API throttles count calls in the cache (Redis when REDIS_URL is set): each test
    starts from an empty one, so that no test inherits another's calls."""
    if not _django(request):
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def tenant_a(db):
    return _factories().TenantFactory(name="Tenant A", slug="tenant-a")


@pytest.fixture
def tenant_b(db):
    return _factories().TenantFactory(name="Tenant B", slug="tenant-b")


@pytest.fixture
def org_a1(tenant_a):
    return _factories().OrganizationFactory(tenant=tenant_a, legal_name="Client A1 SAS")


@pytest.fixture
def org_a2(tenant_a):
    return _factories().OrganizationFactory(tenant=tenant_a, legal_name="Client A2 SAS")


@pytest.fixture
def org_b1(tenant_b):
    return _factories().OrganizationFactory(tenant=tenant_b, legal_name="Client B1 SAS")


@pytest.fixture
def alice(tenant_a):
    return _factories().member(tenant_a, "tenant_admin", email="alice@a.test")


@pytest.fixture
def amy(tenant_a):
    return _factories().member(tenant_a, "account_manager", email="amy@a.test")


@pytest.fixture
def bob(tenant_a):
    return _factories().member(tenant_a, "technician", email="bob@a.test")


@pytest.fixture
def clara(tenant_a, org_a1):
    return _factories().member(tenant_a, "client_admin", organization=org_a1, email="clara@a1.test")


@pytest.fixture
def cody(tenant_a, org_a1):
    return _factories().member(tenant_a, "client_user", organization=org_a1, email="cody@a1.test")


@pytest.fixture
def dora(tenant_a, org_a2):
    return _factories().member(tenant_a, "client_admin", organization=org_a2, email="dora@a2.test")


@pytest.fixture
def carol(tenant_b):
    return _factories().member(tenant_b, "tenant_admin", email="carol@b.test")


@pytest.fixture
def ben(tenant_b, org_b1):
    return _factories().member(tenant_b, "client_user", organization=org_b1, email="ben@b1.test")


@pytest.fixture
def api():
    """An API client; `api.as_(user)` logs in as that user (session)."""
    from rest_framework.test import APIClient  # imported here: pure tests run without Django settings

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


@pytest.fixture
def fake_smtp(settings):
    """A local SMTP server (tests/fake_smtp.py) that Django's SMTP backend sends to;
    `fake_smtp.refuse(n)` makes it refuse the next n messages."""
    from tests.fake_smtp import FakeSmtp

    server = FakeSmtp().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()
