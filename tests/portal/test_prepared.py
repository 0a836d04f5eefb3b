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


# ---------------------------------------------------------------------- insert_new


def _event(ticket, actor, **values):
    from tickets.models import TicketEvent

    return TicketEvent(tenant_id=ticket.tenant_id, ticket=ticket, kind="created", actor=actor, at=ticket.created_at,
                       to_value="P3", response_minutes=240, resolution_minutes=960, **values)


def _columns(obj) -> dict:
    return {k: v for k, v in type(obj).objects.filter(pk=obj.pk).values().get().items()
            if k not in ("id", "created_at", "updated_at")}


def test_it_inserts_the_row_save_inserts(amy, cody, org_a1, tenant_a):
    from portal.prepared import insert_new

    ticket = tf.open_ticket(actor=cody, contract=tf.active_contract(actor=amy, client=org_a1,
                                                                    policy=tf.sla_policy(tenant_a)))
    saved, inserted = _event(ticket, cody), _event(ticket, cody)

    sql_save, _ = _sql(saved.save)
    sql_insert, _ = _sql(lambda: insert_new(inserted))

    assert [s.split(" VALUES ")[0] for s in sql_insert] == [s.split(" VALUES ")[0] for s in sql_save]
    assert inserted.pk is not None and inserted.pk != saved.pk
    assert inserted._state.adding is False and inserted._state.db == "default"
    assert _columns(inserted) == _columns(saved)
    assert inserted.created_at is not None and inserted.updated_at is not None


def test_it_leaves_a_model_with_save_listeners_to_save(amy, cody, org_a1, tenant_a):
    from django.db.models.signals import post_save

    from portal.prepared import insert_new
    from tickets.models import TicketEvent

    ticket = tf.open_ticket(actor=cody, contract=tf.active_contract(actor=amy, client=org_a1,
                                                                    policy=tf.sla_policy(tenant_a)))
    heard = []

    def listener(sender, instance, created, **kwargs):
        heard.append((instance.pk, created))

    post_save.connect(listener, sender=TicketEvent)
    try:
        event = _event(ticket, cody)
        insert_new(event)
    finally:
        post_save.disconnect(listener, sender=TicketEvent)

    assert heard == [(event.pk, True)]


def test_it_leaves_a_model_with_a_save_of_its_own_to_save(amy, monkeypatch):
    from portal.models import TenantSequence
    from portal.prepared import insert_new

    calls = []
    original = TenantSequence.save

    def own_save(self, *args, **kwargs):  # a model's save() may do more than its INSERT
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TenantSequence, "save", own_save)
    row = TenantSequence(tenant=amy.membership.tenant, key="prepared-test")
    insert_new(row)

    assert calls == [row] and row.pk is not None
