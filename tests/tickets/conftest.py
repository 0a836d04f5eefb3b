"""Fixtures of the ticket tests: tenant A's SLA policy, an active contract of client A1
(account manager amy) and one of client A2, and a ticket opened by cody on Monday
2026-05-04 at 10:00 (Paris)."""

from __future__ import annotations

import pytest

from tests.factories import member
from tests.tickets import factories as tf


@pytest.fixture(autouse=True)
def _fresh_clock_cache():
    """`tickets.sla` caches clocks by (calendar id, version ids): on SQLite a rolled-back
    test gives its ids back, so a later test could find another calendar's clock."""
    from tickets import sla

    sla._clock_cache.clear()
    yield
    sla._clock_cache.clear()


@pytest.fixture
def policy(tenant_a):
    return tf.sla_policy(tenant_a)


@pytest.fixture
def contract(amy, org_a1, policy):
    return tf.active_contract(actor=amy, client=org_a1, policy=policy)


@pytest.fixture
def contract_a2(amy, org_a2, policy):
    return tf.active_contract(actor=amy, client=org_a2, policy=policy)


@pytest.fixture
def tom(tenant_a):
    """A second technician of tenant A."""
    return member(tenant_a, "technician", email="tom@a.test")


@pytest.fixture
def ticket(cody, bob, contract):
    """Corrective, P3 (240 / 960 business minutes), opened by cody at Monday 10:00.
    bob is requested so that technicians exist before the ticket."""
    return tf.open_ticket(actor=cody, contract=contract)


@pytest.fixture
def contract_a2_same_org(amy, org_a1, policy):
    """A second active contract of client A1."""
    return tf.active_contract(actor=amy, client=org_a1, policy=policy)
