"""The reversibility export: one client organisation's data as a ZIP, opened and checked.

The archive is built once for the module (real contract, invoice and credit-note PDFs,
a real attachment), in a transaction rolled back afterwards; each test reads one thing
out of it. The behaviours around it (who may ask, download, expiry, API) have their own
small worlds."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from integrations.exports import KEEP_FOR, export_build, export_request, exports_purge
from integrations.models import DataExport, ExportStatus
from portal.models import AuditEvent
from tests.factories import OrganizationFactory, TenantFactory, member
from tests.tickets import factories as tf

pytestmark = pytest.mark.django_db


def _upload(name: str, text: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text, content_type="text/plain")


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=str(media)), django_db_blocker.unblock(), transaction.atomic():
        from billing import documents as billing_documents
        from billing import services as billing_services
        from contracts.documents import document_render, document_request
        from tests.billing import factories as bf
        from tickets import services as ticket_services

        tenant = TenantFactory(name="Export tenant", slug="export-tenant")
        org = OrganizationFactory(tenant=tenant, legal_name="Leaving Client SAS")
        other = OrganizationFactory(tenant=tenant, legal_name="Staying Client SAS")
        amy = member(tenant, "account_manager", email="amy@export.test")
        bob = member(tenant, "technician", email="bob@export.test")
        clara = member(tenant, "client_admin", organization=org, email="clara@leaving.test")
        dora = member(tenant, "client_admin", organization=other, email="dora@staying.test")
        policy = tf.sla_policy(tenant)
        contract = tf.active_contract(actor=amy, client=org, policy=policy)
        document_render(document_id=document_request(contract=contract, kind="contract", version=1).pk,
                        tenant_id=tenant.pk)
        ticket = tf.open_ticket(actor=clara, contract=contract, title="Leaving printer down")
        ticket_services.ticket_reply(ticket=ticket, actor=clara, body="Here is the error log.",
                                     attachment=_upload("error-log.txt", b"E-42 paper jam"))
        ticket_services.ticket_reply(ticket=ticket, actor=bob, body="Zq internal note on the client", internal=True,
                                     attachment=_upload("internal-only.txt", b"provider notes"))
        ticket_services.ticket_reply(ticket=ticket, actor=bob, body="We replaced the fuser.")
        ticket_services.intervention_log(ticket=ticket, actor=bob, date=date(2026, 5, 4), minutes=45, mode="remote",
                                         description="Fuser replaced")
        tf.open_ticket(actor=dora, contract=tf.active_contract(actor=amy, client=other, policy=policy),
                       title="Staying client ticket")
        invoice = bf.issued(contract, 2026, 3, actor=amy)
        billing_documents.invoice_pdf_render(tenant_id=tenant.pk, invoice_id=invoice.pk)
        note = billing_services.credit_note_create(invoice=invoice, actor=amy, reason="Goodwill",
                                                   amount=Decimal("10.00"), today=bf.TODAY)
        billing_documents.credit_note_pdf_render(tenant_id=tenant.pk, note_id=note.pk)
        bank = bf.contract(actor=amy, client=org, policy=policy, billing_model="hour_bank", monthly_fee=Decimal("0"))
        billing_services.hour_bank_block_buy(contract=bank, actor=amy, minutes=600, price=Decimal("800.00"),
                                             bought_on=date(2026, 1, 5))
        export = export_request(organization=org, actor=clara)
        export = export_build(tenant_id=tenant.pk, export_id=export.pk)
        data = (Path(media) / export.file_path).read_bytes()
        zf = zipfile.ZipFile(io.BytesIO(data))
        yield SimpleNamespace(export=export, zip=zf, names=set(zf.namelist()), contract=contract, ticket=ticket,
                              invoice=invoice, note=note, org=org, data=data)
        transaction.set_rollback(True)


def _json(built, name):
    return json.loads(built.zip.read(name))


def test_the_export_is_ready_with_its_size_and_hash(built):
    assert (built.export.status, built.export.progress) == (ExportStatus.READY, 100)
    assert built.export.sha256 == hashlib.sha256(built.data).hexdigest()


def test_it_is_kept_7_days(built):
    assert built.export.expires_at - built.export.ready_at == KEEP_FOR


def test_the_readme_describes_every_list_it_holds(built):
    readme = built.zip.read("README.md").decode()
    lists = {name.rsplit(".", 1)[0] for name in built.names if "/" not in name and name.endswith((".json", ".csv"))}
    assert [name for name in sorted(lists) if name not in readme] == []


def test_each_list_comes_as_json_and_csv(built):
    stems = {name.rsplit(".", 1)[0] for name in built.names if "/" not in name and name.endswith(".csv")}
    assert {"contacts", "contracts", "covered_items", "contract_versions", "amendments", "tickets", "messages",
            "attachments", "interventions", "invoices", "payments", "credit_notes", "reports",
            "hour_bank_ledger"} <= stems
    assert all(f"{stem}.json" in built.names for stem in stems)


def test_it_holds_the_contract_pdf(built):
    pdf = built.zip.read(f"contracts/{built.contract.reference}-contract-v1.pdf")
    assert pdf.startswith(b"%PDF")


def test_it_holds_the_invoice_pdf_and_its_factur_x_xml(built):
    number = built.invoice.number
    assert built.zip.read(f"invoices/{number}.pdf").startswith(b"%PDF")
    assert number.encode() in built.zip.read(f"invoices/{number}.xml")


def test_it_holds_the_credit_note_pdf(built):
    assert built.zip.read(f"credit_notes/{built.note.number}.pdf").startswith(b"%PDF")


def test_it_holds_the_public_conversation(built):
    bodies = [m["body"] for m in _json(built, "messages.json")]
    assert bodies == ["Here is the error log.", "We replaced the fuser."]


def test_it_never_holds_an_internal_note_nor_its_file(built):
    everything = b"".join(built.zip.read(name) for name in built.names)
    assert b"Zq internal note" not in everything and b"internal-only" not in everything


def test_it_holds_the_public_attachments_themselves(built):
    [row] = _json(built, "attachments.json")
    assert built.zip.read(row["file"]) == b"E-42 paper jam"


def test_it_holds_the_interventions_items_versions_and_ledger(built):
    assert [i["minutes"] for i in _json(built, "interventions.json")] == [45]
    assert _json(built, "covered_items.json")
    assert [v["number"] for v in _json(built, "contract_versions.json") if v["contract"] == built.contract.reference] \
        == [1]
    assert [m["minutes"] for m in _json(built, "hour_bank_ledger.json")] == [600]


def test_it_holds_nothing_of_another_organisation(built):
    titles = [t["title"] for t in _json(built, "tickets.json")]
    assert titles == ["Leaving printer down"]


def test_the_manifest_gives_each_file_its_hash(built):
    manifest = _json(built, "manifest.json")
    wrong = [f["file"] for f in manifest["files"] if hashlib.sha256(built.zip.read(f["file"])).hexdigest() != f["sha256"]]
    assert (wrong, manifest["missing"]) == ([], [])


def test_the_invoice_csv_keeps_amounts_exact(built):
    import csv

    rows = list(csv.DictReader(io.StringIO(built.zip.read("invoices.csv").decode())))
    assert [r["gross"] for r in rows] == [str(built.invoice.gross)]


# ---------------------------------------------------------------------- around the archive


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_a_client_admin_exports_their_own_organisation(web, clara, org_a1, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = web.as_(clara).post(f"/organizations/{org_a1.reference}/exports/")
    export = DataExport.objects.get(organization=org_a1)
    assert response.status_code == 302
    assert export.status == ExportStatus.READY


def test_a_client_user_may_not_export(web, cody, org_a1):
    assert web.as_(cody).post(f"/organizations/{org_a1.reference}/exports/").status_code == 403


def test_another_organisation_s_admin_cannot_see_an_export(web, dora, clara, org_a1, media):
    export = export_request(organization=org_a1, actor=clara)
    assert web.as_(dora).get(f"/exports/{export.pk}/").status_code == 404


def test_the_request_is_audited(clara, org_a1):
    export_request(organization=org_a1, actor=clara)
    assert AuditEvent.objects.filter(action="export.create", object_ref=org_a1.reference).count() == 1


def test_the_download_is_audited_and_streams_the_zip(web, amy, org_a1, media):
    export = export_build(tenant_id=org_a1.tenant_id, export_id=export_request(organization=org_a1, actor=amy).pk)
    response = web.as_(amy).get(f"/exports/{export.pk}/download/")
    assert response["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("README.md")
    assert AuditEvent.objects.filter(action="export.download", object_ref=org_a1.reference).count() == 1


def test_the_progress_panel_polls_while_it_is_built(web, amy, org_a1):
    export = export_request(organization=org_a1, actor=amy)
    body = web.as_(amy).get(f"/exports/{export.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in body and "<html" not in body


def test_an_export_is_deleted_after_7_days(amy, org_a1, media):
    export = export_build(tenant_id=org_a1.tenant_id, export_id=export_request(organization=org_a1, actor=amy).pk)
    path = media / export.file_path
    assert exports_purge(now=export.expires_at + timedelta(seconds=1)) >= 1
    export.refresh_from_db()
    assert (export.status, path.exists()) == (ExportStatus.EXPIRED, False)


def test_an_expired_export_is_not_downloadable(web, amy, org_a1, media):
    export = export_build(tenant_id=org_a1.tenant_id, export_id=export_request(organization=org_a1, actor=amy).pk)
    exports_purge(now=timezone.now() + KEEP_FOR + timedelta(seconds=1))
    assert web.as_(amy).get(f"/exports/{export.pk}/download/").status_code == 404


def test_the_api_starts_an_export_and_reports_its_progress(api, amy, org_a1, media):
    response = api.as_(amy).post(f"/api/v1/organizations/{org_a1.reference}/exports/")
    assert (response.status_code, response.json()["status"]) == (202, "queued")
    export_build(tenant_id=org_a1.tenant_id, export_id=response.json()["id"])
    body = api.get(f"/api/v1/exports/{response.json()['id']}/").json()
    assert body["download_url"] == f"/api/v1/exports/{body['id']}/download/"
