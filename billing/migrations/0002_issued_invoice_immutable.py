"""On PostgreSQL, refuse at the database level any change to an issued invoice other
than its bookkeeping fields, and any change to its lines, its credit notes (except
their PDF fields) and its payments, as the audit log does (portal 0002): not even a bug
or a raw query can rewrite an invoice sent to a client. TRUNCATE (test teardown) is not
a row operation and stays possible.

The mutable fields are named once here and in `billing.models.INVOICE_MUTABLE_FIELDS`;
every other column, including any added later, is frozen once the invoice is issued
(the row is compared as JSON without them)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION billing_invoice_immutable() RETURNS trigger AS $$
DECLARE
  mutable text[] := ARRAY['status', 'amount_paid', 'amount_credited', 'paid_at', 'cancelled_at', 'overdue_at',
                          'warned_at', 'suspended_contract_at', 'pdf_path', 'pdf_sha256', 'pdf_status',
                          'pdf_error', 'updated_at'];
BEGIN
  IF OLD.status = 'draft' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'invoice %: an issued invoice cannot be deleted', OLD.number;
  END IF;
  IF NEW.status = 'draft' THEN
    RAISE EXCEPTION 'invoice %: an issued invoice cannot become a draft again', OLD.number;
  END IF;
  IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable) THEN
    RAISE EXCEPTION 'invoice %: an issued invoice cannot be changed', OLD.number;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoice_immutable BEFORE UPDATE OR DELETE ON billing_invoice
  FOR EACH ROW EXECUTE FUNCTION billing_invoice_immutable();

CREATE OR REPLACE FUNCTION billing_invoiceline_immutable() RETURNS trigger AS $$
DECLARE
  parent_status text;
BEGIN
  SELECT status INTO parent_status FROM billing_invoice
   WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END);
  IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
    RAISE EXCEPTION 'the lines of an issued invoice cannot be changed';
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.invoice_id <> NEW.invoice_id THEN
    SELECT status INTO parent_status FROM billing_invoice WHERE id = OLD.invoice_id;
    IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
      RAISE EXCEPTION 'the lines of an issued invoice cannot be changed';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoiceline_immutable BEFORE INSERT OR UPDATE OR DELETE ON billing_invoiceline
  FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_immutable();

CREATE OR REPLACE FUNCTION billing_append_only() RETURNS trigger AS $$
DECLARE
  mutable text[] := ARRAY['pdf_path', 'pdf_sha256', 'pdf_status', 'pdf_error', 'updated_at'];
BEGIN
  IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - mutable) IS NOT DISTINCT FROM (to_jsonb(OLD) - mutable) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_creditnote_append_only BEFORE UPDATE OR DELETE ON billing_creditnote
  FOR EACH ROW EXECUTE FUNCTION billing_append_only();
CREATE TRIGGER billing_payment_append_only BEFORE UPDATE OR DELETE ON billing_payment
  FOR EACH ROW EXECUTE FUNCTION billing_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS billing_payment_append_only ON billing_payment;
DROP TRIGGER IF EXISTS billing_creditnote_append_only ON billing_creditnote;
DROP FUNCTION IF EXISTS billing_append_only();
DROP TRIGGER IF EXISTS billing_invoiceline_immutable ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_invoiceline_immutable();
DROP TRIGGER IF EXISTS billing_invoice_immutable ON billing_invoice;
DROP FUNCTION IF EXISTS billing_invoice_immutable();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, None)  # no params: the SQL has its own % signs


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
