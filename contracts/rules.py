"""What a contract takes: the rule "may this contract take this request", kept next to
the contract and asked by the apps above it (tickets when a ticket is opened, the
preventive plans when a plan is added), which never test a contract's state themselves.

Nothing here writes; a refusal is a `ValidationError` with a message for the client.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from contracts.models import Contract, ContractStatus
from sla.models import MaintenanceType


def contract_covers(contract: Contract, maintenance_type: str) -> bool:
    """Whether the contract's scope lists `maintenance_type` (included in the price or
    on quote). Read with the contract when its reader knew the type asked
    (`contracts.selectors.contracts.contract_for_ticket` sets `covered_types`)."""
    known = getattr(contract, "covered_types", None)
    if known is not None and maintenance_type in known:
        return known[maintenance_type]
    return contract.maintenance_types.filter(tenant_id=contract.tenant_id, maintenance_type=maintenance_type).exists()


def contract_accepts_request(contract: Contract, *, maintenance_type: str,
                             allow_curative_when_suspended: bool = False) -> None:
    """Refuse a request the contract does not take, with a message for the client: an
    active contract takes the types it covers; a suspended one (unpaid invoices, for
    example) only curative emergencies, and only when the provider accepts them
    (`Tenant.allow_curative_when_suspended`); any other status takes nothing."""
    if contract.status == ContractStatus.SUSPENDED:
        if not (allow_curative_when_suspended and maintenance_type == MaintenanceType.CURATIVE):
            reason = contract.suspension_reason or _("see your account manager")
            raise ValidationError({"contract": [_(
                "This contract is suspended (%(reason)s): new requests are not accepted. "
                "Please contact your account manager.") % {"reason": reason}]})
    elif contract.status != ContractStatus.ACTIVE:
        raise ValidationError({"contract": [_("This contract is not active.")]})
    if not contract_covers(contract, maintenance_type):
        raise ValidationError({"maintenance_type": [_(
            "The contract does not cover %(type)s maintenance.") % {"type": maintenance_type}]})
