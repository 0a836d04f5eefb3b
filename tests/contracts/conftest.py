"""Contracts shared by the contract test modules, built through the services.
Factories are imported inside the fixtures, so that the pure tests (test_terms.py)
still run without Django."""

from __future__ import annotations

import pytest


def _cf():
    from tests.contracts import factories

    return factories


@pytest.fixture
def policy(tenant_a):
    return _cf().sla_policy(tenant_a)


@pytest.fixture
def provider(tenant_a):
    return _cf().provider_org(tenant_a)


@pytest.fixture
def draft(amy, org_a1, policy):
    return _cf().draft(actor=amy, client=org_a1, policy=policy)


@pytest.fixture
def sent(amy, org_a1, policy):
    return _cf().sent(actor=amy, client=org_a1, policy=policy)


@pytest.fixture
def active(amy, org_a1, policy):
    return _cf().active(actor=amy, client=org_a1, policy=policy)
