"""What the webhooks say about a contract (see portal.events)."""

from __future__ import annotations

from contracts.models import Contract


def contract_event_payload(contract: Contract, **extra) -> dict:
    """What a webhook says about a contract (portal.events)."""
    return {"contract": {
        "reference": contract.reference, "title": contract.title, "status": contract.status,
        "client": contract.client.reference, "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat() if contract.end_date else None, **extra}}
