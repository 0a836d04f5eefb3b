"""Per-tenant, gap-free reference numbers (portal.sequences)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from contracts.services import organization_create
from portal.sequences import sequence_next
from tests.factories import make_siret


def next_in_transaction(tenant, key="ticket") -> int:
    with transaction.atomic():
        return sequence_next(tenant=tenant, key=key)


def test_it_counts_from_one_without_gaps(tenant_a):
    assert [next_in_transaction(tenant_a) for _ in range(3)] == [1, 2, 3]


def test_it_keeps_one_counter_per_tenant(tenant_a, tenant_b):
    next_in_transaction(tenant_a)
    next_in_transaction(tenant_a)
    assert next_in_transaction(tenant_b) == 1
    assert next_in_transaction(tenant_a) == 3


def test_it_keeps_one_counter_per_key(tenant_a):
    next_in_transaction(tenant_a, key="ticket")
    assert next_in_transaction(tenant_a, key="invoice-2026") == 1


def test_it_gives_back_the_number_of_a_rolled_back_transaction(tenant_a):
    next_in_transaction(tenant_a)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        sequence_next(tenant=tenant_a, key="ticket")
        1 / 0  # noqa: B018 — the caller's transaction fails after taking a number
    assert next_in_transaction(tenant_a) == 2


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_run_outside_a_transaction(tenant_a):
    with pytest.raises(RuntimeError, match="inside a transaction"):
        sequence_next(tenant=tenant_a, key="ticket")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_it_gives_each_concurrent_caller_its_own_number(tenant_a):
    def take(_):
        try:
            return next_in_transaction(tenant_a)
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(take, range(24)))
    assert sorted(numbers) == list(range(1, 25))


def _create(tenant, actor, n):
    return organization_create(
        tenant=tenant, actor=actor, kind="client", legal_name=f"Client {n}", siret=make_siret(n),
        address_line1="1 rue de la Paix", postal_code="75002", city="Paris",
    )


def test_it_numbers_organizations_in_sequence_per_tenant(alice, carol):
    refs_a = [_create(alice.membership.tenant, alice, n).reference for n in (1, 2)]
    refs_b = [_create(carol.membership.tenant, carol, n).reference for n in (3,)]
    assert (refs_a, refs_b) == (["ORG-0001", "ORG-0002"], ["ORG-0001"])


def test_it_spends_no_number_on_a_refused_organization(alice):
    tenant = alice.membership.tenant
    with pytest.raises(ValidationError):
        organization_create(
            tenant=tenant, actor=alice, kind="client", legal_name="No SIRET", siret="",
            address_line1="1 rue de la Paix", postal_code="75002", city="Paris",
        )
    assert _create(tenant, alice, 1).reference == "ORG-0001"


def test_it_takes_a_number_in_one_statement(tenant_a, django_assert_num_queries):
    next_in_transaction(tenant_a)
    with transaction.atomic(), django_assert_num_queries(1):
        assert sequence_next(tenant=tenant_a, key="ticket") == 2
