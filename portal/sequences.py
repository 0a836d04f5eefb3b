"""Per-tenant, gap-free reference numbers."""

from __future__ import annotations

from django.db import transaction

from portal.models import TenantSequence


def sequence_next(*, tenant, key: str) -> int:
    """Next value of the tenant's counter `key`, under a row lock.

    Must run inside the caller's transaction: the lock is held until it commits, and a
    rollback gives the number back, so numbers have no gaps even under concurrency.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside a transaction")
    TenantSequence.objects.get_or_create(tenant=tenant, key=key)
    seq = TenantSequence.objects.select_for_update().get(tenant=tenant, key=key)
    seq.last_value += 1
    seq.save(update_fields=["last_value"])
    return seq.last_value
