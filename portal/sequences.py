"""Per-tenant, gap-free reference numbers."""

from __future__ import annotations

from django.db import connection, transaction

from portal.models import TenantSequence

# One statement: creates the counter at 1 or increments it, taking the row's lock (held
# until the caller's transaction ends) and returning the new value. PostgreSQL and
# SQLite (3.35+) both read it.
NEXT_SQL = (
    'INSERT INTO "portal_tenantsequence" ("tenant_id", "key", "last_value") VALUES (%s, %s, 1) '
    'ON CONFLICT ("tenant_id", "key") DO UPDATE SET "last_value" = "portal_tenantsequence"."last_value" + 1 '
    'RETURNING "last_value"'
)
assert TenantSequence._meta.db_table == "portal_tenantsequence"


def sequence_next(*, tenant, key: str) -> int:
    """Next value of the tenant's counter `key`, under a row lock.

    Must run inside the caller's transaction: the lock is held until it commits, and a
    rollback gives the number back, so numbers have no gaps even under concurrency.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute(NEXT_SQL, [tenant.pk, key])
        return int(cursor.fetchone()[0])
