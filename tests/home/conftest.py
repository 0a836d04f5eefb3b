"""The ticket tests' SLA policy and active contract of client A1, for the dashboards'
ticket lists."""

from __future__ import annotations

import pytest

from tests.tickets import factories as tf


@pytest.fixture
def contract(amy, org_a1, tenant_a):
    return tf.active_contract(actor=amy, client=org_a1, policy=tf.sla_policy(tenant_a))
