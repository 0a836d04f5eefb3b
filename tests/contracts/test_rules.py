"""contracts.rules: may this contract take this request? An active contract takes the
maintenance types it covers (included or on quote); a suspended one only curative
emergencies, and only where the provider accepts them; any other status nothing.
tickets asks it when a ticket is opened (tests/tickets/test_services.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from contracts.rules import contract_accepts_request, contract_covers
from contracts.services import contracts as services
from tests.contracts import factories as cf

pytestmark = pytest.mark.django_db

SUSPENDED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WITH_CURATIVE = [
    {"maintenance_type": "corrective", "included": True, "details": "Remote repair"},
    {"maintenance_type": "curative", "included": True, "details": "Emergencies"},
    {"maintenance_type": "evolutive", "included": False, "details": "Upgrades on quote"},
]  # preventive is not covered


@pytest.fixture
def contract(amy, org_a1, policy):
    """Active, covering corrective, curative, and evolutive on quote."""
    draft = cf.draft(actor=amy, client=org_a1, policy=policy, scope=False)
    services.contract_set_scope(contract=draft, actor=amy, items=cf.ITEMS, exclusions=[],
                                maintenance_types=WITH_CURATIVE)
    sent = services.contract_send(contract=draft, actor=amy, now=cf.SENT_AT)
    return services.contract_activate(contract=sent, actor=amy, signed_on=sent.start_date,
                                      client_signatory="Paul Martin", now=cf.ACTIVATED_AT)


@pytest.fixture
def suspended(contract, amy):
    return services.contract_suspend(contract=contract, actor=amy, reason="Unpaid invoice INV-2026-000042",
                                     now=SUSPENDED_AT)


def refusal(contract, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        contract_accepts_request(contract, **kwargs)
    return excinfo.value.message_dict


def test_it_accepts_a_covered_type_on_an_active_contract(contract):
    assert contract_accepts_request(contract, maintenance_type="corrective") is None


def test_it_accepts_a_type_covered_on_quote(contract):
    assert contract_accepts_request(contract, maintenance_type="evolutive") is None


def test_it_refuses_a_type_the_contract_does_not_cover(contract):
    assert refusal(contract, maintenance_type="preventive") == {
        "maintenance_type": ["The contract does not cover preventive maintenance."]}


def test_it_refuses_a_contract_that_is_not_active(amy, org_a1, policy):
    draft = cf.draft(actor=amy, client=org_a1, policy=policy)
    assert refusal(draft, maintenance_type="corrective") == {"contract": ["This contract is not active."]}


def test_it_refuses_a_suspended_contract_naming_the_suspension(suspended):
    [message] = refusal(suspended, maintenance_type="curative")["contract"]
    assert message.startswith("This contract is suspended (Unpaid invoice INV-2026-000042)")


def test_it_accepts_curative_on_a_suspended_contract_when_the_provider_allows_it(suspended):
    assert contract_accepts_request(suspended, maintenance_type="curative", allow_curative_when_suspended=True) is None


def test_it_still_refuses_corrective_on_a_suspended_contract_when_curative_is_allowed(suspended):
    assert set(refusal(suspended, maintenance_type="corrective", allow_curative_when_suspended=True)) == {"contract"}


def test_it_refuses_curative_on_a_suspended_contract_that_does_not_cover_it(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy)  # preventive, corrective, evolutive
    suspended = services.contract_suspend(contract=contract, actor=amy, reason="Unpaid", now=SUSPENDED_AT)
    assert set(refusal(suspended, maintenance_type="curative", allow_curative_when_suspended=True)) == {
        "maintenance_type"}


@pytest.mark.parametrize(("maintenance_type", "covered"),
                         [("corrective", True), ("curative", True), ("evolutive", True), ("preventive", False)])
def test_it_tells_which_types_the_contract_covers(contract, maintenance_type, covered):
    assert contract_covers(contract, maintenance_type) is covered
