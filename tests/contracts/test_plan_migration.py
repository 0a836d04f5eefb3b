"""contracts 0004: included hours become included minutes, on contracts and in the
snapshots of their versions (so billing reads every version the same way)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("contracts", "0003_contract_amendment_contractclause_contractdocument_and_more")]
AFTER = [("contracts", "0004_billing_plan")]


@pytest.mark.django_db(transaction=True)
def test_it_turns_included_hours_into_minutes_on_contracts_and_versions():
    from portal.models import Tenant

    # The tenant is made with today's model, before going back: the later portal
    # migrations that depend on contracts (invitations, service accounts…) are unapplied
    # with contracts 0004, and the models of that moment do not know all of its columns.
    tenant = Tenant.objects.create(name="T", slug="t")
    executor = MigrationExecutor(connection)
    try:  # whatever happens, the database is migrated forward again for the other tests
        executor.migrate(BEFORE)
        apps = executor.loader.project_state(BEFORE).apps
        Organization = apps.get_model("contracts", "Organization")
        Contract = apps.get_model("contracts", "Contract")
        ContractVersion = apps.get_model("contracts", "ContractVersion")
        org = Organization.objects.create(tenant_id=tenant.pk, reference="ORG-0001", kind="client", legal_name="C",
                                          address_line1="1 rue", postal_code="75001", city="Paris")
        contract = Contract.objects.create(tenant_id=tenant.pk, reference="CTR-2026-0001", client=org, provider=org,
                                           title="T", object="O", included_hours=Decimal("7.50"), billing_model="hybrid")
        ContractVersion.objects.create(tenant_id=tenant.pk, contract=contract, number=1, effective_from="2026-01-01",
                                       snapshot={"included_hours": "7.50", "maintenance_types": [
                                           {"maintenance_type": "corrective", "included": True, "details": ""}]})
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        contract = apps.get_model("contracts", "Contract").objects.get(pk=contract.pk)
        snapshot = apps.get_model("contracts", "ContractVersion").objects.get(contract_id=contract.pk).snapshot
        assert contract.included_minutes == 450
        assert snapshot == {"included_minutes": 450, "rollover_cap_minutes": None, "increment_minutes": 15,
                            "service_credits": {}, "penalty_cap_percent": "0.00", "maintenance_types": [
                                {"maintenance_type": "corrective", "included": True, "details": "",
                                 "ticket_price": None}]}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
