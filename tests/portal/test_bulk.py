"""portal.bulk: rows inserted from plain values (one INSERT of array literals on
PostgreSQL) come back exactly as given, defaults filled in, conflicts skipped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.bulk import ids_in, insert_values
from portal.models import OutboxChannel, OutboxMessage, OutboxState, User

pytestmark = pytest.mark.django_db

AWKWARD = ['a "quoted" word', "back\\slash", "NULL", "", " spaced ", "{braces,comma}", "l'apostrophe", "é ü ß"]


def test_it_inserts_awkward_text_and_json_as_given(alice):
    rows = [(alice.membership.tenant_id, "email", text, f"r{i}@x.test", alice.pk if i % 2 else None,
             {"text": text, "n": i, "list": [None, True]}, f"k:{i}")
            for i, text in enumerate(AWKWARD)]

    insert_values(OutboxMessage, ("tenant_id", "channel", "kind", "recipient", "user_id", "context", "dedup_key"),
                  rows)

    stored = list(OutboxMessage.objects.order_by("dedup_key").values_list(
        "kind", "recipient", "user_id", "context", "dedup_key", "state", "attempts", "claimed_by"))
    assert stored == sorted([(text, f"r{i}@x.test", alice.pk if i % 2 else None,
                              {"text": text, "n": i, "list": [None, True]}, f"k:{i}", OutboxState.PENDING, 0, "")
                             for i, text in enumerate(AWKWARD)], key=lambda row: row[4])


def test_it_skips_conflicting_rows_and_returns_the_inserted_ones(alice):
    tenant_id = alice.membership.tenant_id
    columns = ("tenant_id", "channel", "kind", "recipient", "context", "dedup_key")
    insert_values(OutboxMessage, columns, [(tenant_id, OutboxChannel.EMAIL.value, "k", "a@x.test", {}, "once")])

    inserted = insert_values(OutboxMessage, columns, [
        (tenant_id, OutboxChannel.EMAIL.value, "k", "a@x.test", {}, "once"),
        (tenant_id, OutboxChannel.EMAIL.value, "k", "b@x.test", {}, "twice"),
    ], ignore_conflicts=True, returning=("recipient", "dedup_key"))

    assert inserted == [("b@x.test", "twice")]
    assert OutboxMessage.objects.count() == 2


def test_it_writes_datetimes_and_nulls(alice):
    moment = datetime(2026, 5, 4, 10, 0, 1, 250, tzinfo=UTC)
    insert_values(OutboxMessage, ("tenant_id", "kind", "recipient", "context", "sent_at", "next_attempt_at"),
                  [(alice.membership.tenant_id, "k", "a@x.test", {}, None, moment)])

    row = OutboxMessage.objects.get()
    assert (row.sent_at, row.next_attempt_at) == (None, moment)


def test_ids_in_selects_among_many_ids(alice):
    assert list(User.objects.filter(**ids_in("pk", [alice.pk, 10**12])).values_list("pk", flat=True)) == [alice.pk]


@pytest.mark.parametrize("values", [
    ['a","b', "c"], ['x"', "y"], ["back\\", "slash"], ["plain", "words", ""], [1, 2, 3], [True, None, False],
    [datetime(2026, 5, 4, 10, tzinfo=UTC), None], [datetime(2026, 5, 4, 10, tzinfo=UTC)] * 2, [], ["only"],
])
def test_pg_array_round_trips(values):
    from django.db import connection

    from portal.bulk import pg_array

    kind = {str: "text", int: "bigint", bool: "boolean", datetime: "timestamptz"}[
        type(next((v for v in values if v is not None), ""))]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{kind}[]", [pg_array(values)])
        assert cursor.fetchone()[0] == values
