"""On PostgreSQL, refuse UPDATE and DELETE of audit events at the database level, so
that not even a bug (or a raw query) can rewrite the log promised to clients.
TRUNCATE (used by test teardown) is not a row operation and stays possible."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION portal_auditevent_append_only() RETURNS trigger AS $$
BEGIN
  -- The one update allowed: a deleted user or organisation sets its link to NULL
  -- (ON DELETE SET NULL); the recorded facts (actor_label, object_ref…) stay.
  IF TG_OP = 'UPDATE'
     AND (NEW.actor_id IS NULL OR NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id)
     AND (NEW.organization_id IS NULL OR NEW.organization_id IS NOT DISTINCT FROM OLD.organization_id)
     AND ROW(NEW.id, NEW.tenant_id, NEW.actor_label, NEW.action, NEW.object_type, NEW.object_ref,
             NEW.changes::text, NEW.ip_address, NEW.created_at)
         IS NOT DISTINCT FROM
         ROW(OLD.id, OLD.tenant_id, OLD.actor_label, OLD.action, OLD.object_type, OLD.object_ref,
             OLD.changes::text, OLD.ip_address, OLD.created_at) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_auditevent_no_update BEFORE UPDATE OR DELETE ON portal_auditevent
  FOR EACH ROW EXECUTE FUNCTION portal_auditevent_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS portal_auditevent_no_update ON portal_auditevent;
DROP FUNCTION IF EXISTS portal_auditevent_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
