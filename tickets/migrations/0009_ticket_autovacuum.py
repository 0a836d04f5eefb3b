"""Autovacuum thresholds of the tickets table (PostgreSQL only).

The SLA scan rewrites the SLA columns of the tickets it evaluates, every minute, and the
queue's counts and the dashboards' figures are index-only scans: they stay cheap only
while the visibility map of the open tickets' pages is set and the dead index entries
are cleared, which is what VACUUM does. PostgreSQL's default waits for 20 % of the
table to be dead (2,000,000 rows at 10 M tickets) — hours of counts visiting every row
version. Here: after 1 % (plus 1,000 rows) of updates or inserts, analyze after 2 %.
Effective wherever autovacuum is on (PostgreSQL's default)."""

from django.db import migrations

OPTIONS = ("autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000, "
           "autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02")
RESET = ("autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_vacuum_insert_scale_factor, "
         "autovacuum_analyze_scale_factor")


def apply(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE tickets_ticket SET ({OPTIONS})")


def revert(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE tickets_ticket RESET ({RESET})")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_queue_assignee_index")]

    operations = [migrations.RunPython(apply, revert, elidable=False)]
