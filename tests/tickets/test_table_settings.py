"""The tickets table's storage settings (tickets/migrations/0009_ticket_autovacuum.py)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_tickets_table_is_vacuumed_after_one_percent_of_changes():
    # The queue's counts and the dashboards' figures are index-only scans: they need the
    # SLA scan's updates vacuumed soon, not after PostgreSQL's default 20 % of the table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'tickets_ticket'")
        options = dict(option.split("=", 1) for option in cursor.fetchone()[0] or [])

    assert (options.get("autovacuum_vacuum_scale_factor"), options.get("autovacuum_vacuum_insert_scale_factor")) == (
        "0.01", "0.01")
