"""portal.prepared: a SELECT compiled once per process gives the same statement and the
same objects as the queryset it was built from."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from contracts.models import Contract, ContractMaintenanceType
from portal.models import Membership
from portal.prepared import PreparedSelect
from tests.tickets import factories as tf


@pytest.fixture
def contract(amy, org_a1, tenant_a):
    return tf.active_contract(actor=amy, client=org_a1, policy=tf.sla_policy(tenant_a))


def _contracts(v):
    covered = ContractMaintenanceType.objects.filter(contract=OuterRef("pk"), maintenance_type=v["kind"])
    return (Contract.objects.select_related("client", "sla_policy__calendar").annotate(_covers=Exists(covered))
            .filter(tenant_id=v["tenant_id"], reference=v["reference"]))


PREPARED = PreparedSelect(_contracts, tenant_id=int, reference=str, kind=str)


def _sql(call) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return [q["sql"] for q in ctx.captured_queries], result


@pytest.mark.parametrize("kind", ["corrective", "preventive"])
def test_it_gives_the_querysets_statement_and_objects(contract, tenant_a, kind):
    values = {"tenant_id": tenant_a.pk, "reference": contract.reference, "kind": kind}

    sql_orm, expected = _sql(lambda: list(_contracts(values)))
    sql_prepared, found = _sql(lambda: PREPARED.fetch(**values))

    assert sql_prepared == sql_orm
    assert len(found) == len(expected) == 1
    got, want = found[0], expected[0]
    assert got.__dict__.keys() == want.__dict__.keys()
    assert {k: v for k, v in got.__dict__.items() if k != "_state"} == {
        k: v for k, v in want.__dict__.items() if k != "_state"}
    assert got._state.db == want._state.db and got._state.adding is want._state.adding is False
    assert got._covers is want._covers
    with CaptureQueriesContext(connection) as ctx:  # the related objects came with it
        assert got.client == want.client and got.client.__dict__.keys() == want.client.__dict__.keys()
        assert got.sla_policy.calendar == want.sla_policy.calendar
    assert ctx.captured_queries == []


def test_it_finds_nothing_for_values_matching_nothing(contract, tenant_a, tenant_b):
    assert PREPARED.fetch(tenant_id=tenant_b.pk, reference=contract.reference, kind="corrective") == []


def test_it_gives_deferred_objects_for_only(bob, tenant_a):
    prepared = PreparedSelect(lambda v: Membership.objects.filter(tenant_id__in=[v["tenant_id"]]).only("pk", "role"),
                              tenant_id=int)

    found = prepared.fetch(tenant_id=tenant_a.pk)

    assert [(m.pk, m.role) for m in found] == [(m.pk, m.role) for m in Membership.objects.filter(tenant=tenant_a)]
    assert found[0].get_deferred_fields() >= {"user_id", "organization_id"}


def test_it_refuses_a_value_the_orm_transforms(db):
    prepared = PreparedSelect(lambda v: Contract.objects.filter(reference__icontains=v["reference"]), reference=str)

    with pytest.raises(ValueError, match="reference"):
        prepared.fetch(reference="CTR")


def test_it_wants_every_value(db):
    with pytest.raises(TypeError):
        PREPARED.fetch(tenant_id=1, reference="CTR-1")
