"""/api/v1/contracts/: list, retrieve, drafting (create, PATCH, scope, clauses), the
lifecycle actions, versions, documents and the PDF download."""

from __future__ import annotations

import re
from datetime import date
from unittest import mock

import pytest

from contracts import documents
from contracts.models import Contract, ContractDocument
from contracts.services import contracts as services
from tests.contracts import factories as cf

pytestmark = pytest.mark.django_db

URL = "/api/v1/contracts/"
FAKE_PDF = b"%PDF-1.7\n% a stand-in for WeasyPrint's output\n%%EOF\n"


def detail(contract) -> str:
    return f"{URL}{contract.reference}/"


def action(contract, name: str) -> str:
    return f"{URL}{contract.reference}/{name}/"


def refs(response) -> set[str]:
    return {row["reference"] for row in response.json()["results"]}


def error(response) -> dict:
    return response.json()["error"]


@pytest.fixture
def rendered(active, settings, tmp_path):
    """The active contract with its version-1 PDF rendered (a stand-in for WeasyPrint)."""
    settings.MEDIA_ROOT = tmp_path
    document = ContractDocument.objects.get(contract=active, kind="contract", version=1)
    with mock.patch("contracts.documents.render_pdf", return_value=(FAKE_PDF, 1)):
        documents.document_render(document_id=document.pk, tenant_id=active.tenant_id)
    return active


def payload(org, **overrides) -> dict:
    data = {
        "client": org.reference, "title": "Maintenance of the IT park", "object": "Monthly preventive visits.",
        "sla_policy": "standard", "start_date": "2026-01-01", "initial_months": 12, "renewal": "tacit",
        "notice_months": 3, "monthly_fee": "450.00",
    }
    data.update(overrides)
    return data


# =========================================================================== list and retrieve


def test_it_lists_every_contract_to_the_provider(api, bob, draft, active):
    assert refs(api.as_(bob).get(URL)) == {draft.reference, active.reference}


def test_it_lists_only_the_clients_sent_contracts_to_a_client(api, amy, cody, org_a2, policy, draft, active):
    cf.active(actor=amy, client=org_a2, policy=policy)
    assert refs(api.as_(cody).get(URL)) == {active.reference}


def test_it_hides_other_tenants_contracts_in_the_list(api, carol, active):
    assert refs(api.as_(carol).get(URL)) == set()


def test_it_filters_the_list_by_status(api, amy, draft, active):
    assert refs(api.as_(amy).get(URL, {"status": "draft"})) == {draft.reference}


def test_it_filters_the_list_by_client(api, amy, org_a2, policy, active):
    other = cf.draft(actor=amy, client=org_a2, policy=policy)
    assert refs(api.as_(amy).get(URL, {"client": org_a2.reference})) == {other.reference}


# Session, user, membership, page count, page rows (client, SLA policy, account
# manager joined): five queries however many contracts.
@pytest.mark.parametrize("n_contracts", [1, 6])
def test_it_lists_contracts_in_a_fixed_number_of_queries(api, amy, org_a1, policy, django_assert_num_queries,
                                                         n_contracts):
    for _ in range(n_contracts):
        cf.draft(actor=amy, client=org_a1, policy=policy, scope=False, clauses=False)
    client = api.as_(amy)
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert response.json()["count"] == n_contracts


def test_it_shows_a_contract_with_its_scope_and_terms(api, amy, active):
    body = api.as_(amy).get(detail(active)).json()
    assert (body["status"], body["sla_policy"], len(body["items"]), body["terms"][0]["first_day"]) == (
        "active", "standard", 2, "2026-01-01")


def test_it_shows_a_contract_to_its_client(api, clara, active):
    assert api.as_(clara).get(detail(active)).status_code == 200


def test_it_hides_a_draft_from_the_client(api, clara, draft):
    assert api.as_(clara).get(detail(draft)).status_code == 404


def test_it_hides_another_organizations_contract(api, dora, active):
    assert api.as_(dora).get(detail(active)).status_code == 404


def test_it_hides_other_tenants_contracts(api, carol, active):
    assert api.as_(carol).get(detail(active)).status_code == 404


# =========================================================================== create


@pytest.mark.parametrize("currency", ["ZZZ", "XXX", "EURO", "E"])
def test_it_refuses_a_currency_that_is_not_iso_4217_naming_the_field(api, amy, org_a1, provider, policy, currency):
    response = api.as_(amy).post(URL, payload(org_a1, currency=currency), format="json")
    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["currency"]
    assert not Contract.objects.exists()


def test_it_accepts_an_iso_4217_currency_in_lower_case(api, amy, org_a1, provider, policy):
    response = api.as_(amy).post(URL, payload(org_a1, currency="chf"), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["currency"] == "CHF"


def test_it_creates_a_draft(api, amy, org_a1, provider, policy):
    response = api.as_(amy).post(URL, payload(org_a1), format="json")
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"CTR-\d{4}-0001", body["reference"])
    assert Contract.objects.get(reference=body["reference"]).sla_policy == policy


def test_it_returns_the_parties_by_reference(api, amy, org_a1, provider, policy):
    body = api.as_(amy).post(URL, payload(org_a1), format="json").json()
    assert (body["client"], body["provider"], body["status"]) == (org_a1.reference, provider.reference, "draft")


def test_it_names_the_client_when_its_reference_is_unknown(api, amy, org_a1, provider, policy):
    response = api.as_(amy).post(URL, payload(org_a1, client="ORG-0404"), format="json")
    assert (response.status_code, list(error(response)["fields"])) == (400, ["client"])


def test_it_names_the_client_when_it_belongs_to_another_tenant(api, amy, org_a1, org_b1, provider, policy):
    response = api.as_(amy).post(URL, payload(org_a1, client=org_b1.reference), format="json")
    assert (response.status_code, list(error(response)["fields"])) == (400, ["client"])


def test_it_names_the_client_when_it_is_not_a_client(api, amy, org_a1, provider, policy):
    response = api.as_(amy).post(URL, payload(org_a1, client=provider.reference), format="json")
    assert (response.status_code, list(error(response)["fields"])) == (400, ["client"])


def test_it_names_the_sla_policy_when_its_code_is_unknown(api, amy, org_a1, provider, policy):
    response = api.as_(amy).post(URL, payload(org_a1, sla_policy="platinum"), format="json")
    assert (response.status_code, list(error(response)["fields"])) == (400, ["sla_policy"])


def test_it_names_a_bad_renewal_value(api, amy, org_a1, provider, policy):
    response = api.as_(amy).post(URL, payload(org_a1, renewal="sometimes"), format="json")
    assert (response.status_code, list(error(response)["fields"])) == (400, ["renewal"])


def test_it_refuses_creation_by_a_technician(api, bob, org_a1, provider, policy):
    response = api.as_(bob).post(URL, payload(org_a1), format="json")
    assert response.status_code == 403
    assert not Contract.objects.exists()


def test_it_refuses_creation_by_a_client(api, clara, org_a1, provider, policy):
    response = api.as_(clara).post(URL, payload(org_a1), format="json")
    assert response.status_code == 403
    assert not Contract.objects.exists()


# =========================================================================== update, scope, clauses


def test_it_patches_a_draft(api, amy, draft):
    response = api.as_(amy).patch(detail(draft), {"monthly_fee": "520.00"}, format="json")
    assert (response.status_code, response.json()["monthly_fee"]) == (200, "520.00")


def test_it_refuses_to_patch_a_sent_contract(api, amy, sent):
    response = api.as_(amy).patch(detail(sent), {"monthly_fee": "1.00"}, format="json")
    assert (response.status_code, error(response)["code"]) == (400, "invalid_state")
    sent.refresh_from_db()
    assert str(sent.monthly_fee) == "450.00"


def test_it_refuses_a_patch_by_a_technician(api, bob, draft):
    assert api.as_(bob).patch(detail(draft), {"title": "Changed"}, format="json").status_code == 403


def test_it_refuses_a_patch_by_the_client_whatever_the_body(api, clara, sent):
    # The client cannot see the SLA policies: it must still get 403, not "no such policy".
    response = api.as_(clara).patch(detail(sent), {"sla_policy": "standard"}, format="json")
    assert response.status_code == 403


def test_it_replaces_the_scope(api, amy, draft):
    body = {"items": [{"category": "network", "name": "Core switch", "quantity": 2}], "exclusions": ["Cabling"],
            "maintenance_types": [{"maintenance_type": "curative"}]}
    response = api.as_(amy).put(action(draft, "scope"), body, format="json")
    data = response.json()
    assert (response.status_code, [i["name"] for i in data["items"]], data["exclusions"],
            [m["maintenance_type"] for m in data["maintenance_types"]]) == (
        200, ["Core switch"], ["Cabling"], ["curative"])


def test_it_refuses_to_replace_the_scope_once_sent(api, amy, sent):
    response = api.as_(amy).put(action(sent, "scope"), {"items": []}, format="json")
    assert (response.status_code, error(response)["code"]) == (400, "invalid_state")


def test_it_replaces_the_clauses(api, amy, draft):
    body = {"clauses": [{"kind": "gdpr", "title": "Personal data", "body": "The provider is a sub-processor."}]}
    response = api.as_(amy).put(action(draft, "clauses"), body, format="json")
    assert [c["title"] for c in response.json()["clauses"]] == ["Personal data"]


def test_it_adds_clauses_from_the_library(api, amy, tenant_a, draft):
    services.clause_library_seed(tenant=tenant_a)
    templates = api.as_(amy).get("/api/v1/clause-templates/", {"language": "en"}).json()["results"]
    disputes = next(t for t in templates if t["kind"] == "disputes")
    response = api.as_(amy).put(action(draft, "clauses"), {"template_ids": [disputes["id"]]}, format="json")
    assert [c["title"] for c in response.json()["clauses"]] == [disputes["title"]]


def test_it_refuses_to_replace_the_clauses_once_sent(api, amy, sent):
    response = api.as_(amy).put(action(sent, "clauses"), {"clauses": []}, format="json")
    assert (response.status_code, error(response)["code"]) == (400, "invalid_state")


# =========================================================================== lifecycle actions


def test_it_sends_a_draft(api, amy, draft):
    response = api.as_(amy).post(action(draft, "send"))
    assert (response.status_code, response.json()["status"]) == (200, "sent")


def test_it_lists_what_is_missing_when_sending_an_incomplete_draft(api, amy, org_a1):
    contract = cf.draft(actor=amy, client=org_a1, scope=False)
    response = api.as_(amy).post(action(contract, "send"))
    assert (response.status_code, error(response)["code"]) == (400, "incomplete")
    assert error(response)["fields"]["missing"] == [
        "the scope (at least one covered item)", "at least one maintenance type", "an SLA policy"]


def test_it_activates_a_sent_contract(api, amy, sent):
    response = api.as_(amy).post(action(sent, "activate"), {"signed_on": "2025-12-20"}, format="json")
    body = response.json()
    assert (response.status_code, body["status"], body["signed_on"], body["terms"][0]["last_day"]) == (
        200, "active", "2025-12-20", "2026-12-31")


def test_it_needs_the_signature_date_to_activate(api, amy, sent):
    response = api.as_(amy).post(action(sent, "activate"), {}, format="json")
    assert (response.status_code, list(error(response)["fields"])) == (400, ["signed_on"])


def test_it_suspends_an_active_contract(api, amy, active):
    response = api.as_(amy).post(action(active, "suspend"), {"reason": "Unpaid invoices"}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "suspended")


def test_it_resumes_a_suspended_contract(api, amy, active):
    services.contract_suspend(contract=active, actor=amy, reason="Unpaid invoices")
    response = api.as_(amy).post(action(active, "resume"))
    assert (response.status_code, response.json()["status"]) == (200, "active")


def test_it_records_a_termination(api, amy, active):
    body = {"notice_given_on": "2026-03-01", "given_by": "client", "reason": "notice"}
    response = api.as_(amy).post(action(active, "terminate"), body, format="json")
    assert (response.status_code, response.json()["end_date"]) == (200, "2026-12-31")


def test_it_refuses_a_second_termination(api, amy, active):
    body = {"notice_given_on": "2026-03-01", "given_by": "client", "reason": "notice"}
    api.as_(amy).post(action(active, "terminate"), body, format="json")
    response = api.as_(amy).post(action(active, "terminate"), body, format="json")
    assert (response.status_code, error(response)["code"]) == (400, "already_terminated")


def test_it_names_a_notice_date_before_the_start(api, amy, active):
    body = {"notice_given_on": "2025-06-01", "given_by": "client", "reason": "notice"}
    response = api.as_(amy).post(action(active, "terminate"), body, format="json")
    assert (response.status_code, list(error(response)["fields"])) == (400, ["notice_given_on"])


def test_it_renews_a_contract(api, amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="express")
    response = api.as_(amy).post(action(contract, "renew"), {"monthly_fee": "480.00"}, format="json")
    assert (response.status_code, response.json()) == (201, {
        "index": 2, "first_day": "2027-01-01", "last_day": "2027-12-31", "kind": "express", "monthly_fee": "480.00"})


def test_it_refuses_to_renew_an_indefinite_contract(api, amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, initial_months=None, notice_months=1)
    response = api.as_(amy).post(action(contract, "renew"), {}, format="json")
    assert (response.status_code, error(response)["code"]) == (400, "indefinite")


def test_it_amends_a_contract(api, amy, tenant_a, active):
    cf.sla_policy(tenant_a, code="critical-24-7", always_open=True)
    body = {"signed_on": "2026-06-15", "effective_date": "2026-07-01", "summary": "24/7 cover",
            "changes": {"monthly_fee": "620.00", "sla_policy": "critical-24-7"}}
    response = api.as_(amy).post(action(active, "amend"), body, format="json")
    data = response.json()
    assert (response.status_code, data["version"], data["monthly_fee"], data["sla_policy"]) == (
        200, 2, "620.00", "critical-24-7")


def test_it_names_an_unknown_policy_in_an_amendment(api, amy, active):
    body = {"signed_on": "2026-06-15", "effective_date": "2026-07-01", "summary": "24/7 cover",
            "changes": {"sla_policy": "platinum"}}
    response = api.as_(amy).post(action(active, "amend"), body, format="json")
    assert (response.status_code, list(error(response)["fields"])) == (400, ["sla_policy"])


def test_it_refuses_an_amendment_of_an_unknown_field(api, amy, active):
    body = {"signed_on": "2026-06-15", "effective_date": "2026-07-01", "summary": "Swap", "changes": {"client": "X"}}
    response = api.as_(amy).post(action(active, "amend"), body, format="json")
    assert (response.status_code, list(error(response)["fields"])) == (400, ["changes"])


ACTIONS = [
    ("suspend", {"reason": "Unpaid invoices"}),
    ("resume", {}),
    ("terminate", {"notice_given_on": "2026-03-01", "given_by": "client", "reason": "notice"}),
    ("renew", {}),
    ("amend", {"signed_on": "2026-06-15", "effective_date": "2026-07-01", "summary": "Fee",
               "changes": {"monthly_fee": "1.00"}}),
]


@pytest.mark.parametrize(("name", "body"), ACTIONS)
@pytest.mark.parametrize("persona", ["bob", "clara", "cody"])
def test_it_refuses_lifecycle_actions_to_technicians_and_clients(request, api, active, persona, name, body):
    response = api.as_(request.getfixturevalue(persona)).post(action(active, name), body, format="json")
    assert response.status_code == 403
    active.refresh_from_db()
    assert (active.status, active.version, active.notice_given_on, active.term_history.count()) == (
        "active", 1, None, 1)


def test_it_refuses_an_amendment_by_the_client_whatever_the_body(api, clara, active):
    body = {"signed_on": "2026-06-15", "effective_date": "2026-07-01", "summary": "Cheaper cover",
            "changes": {"sla_policy": "standard"}}
    assert api.as_(clara).post(action(active, "amend"), body, format="json").status_code == 403


@pytest.mark.parametrize("persona", ["bob", "clara"])
def test_it_refuses_to_activate_to_technicians_and_clients(request, api, sent, persona):
    response = api.as_(request.getfixturevalue(persona)).post(action(sent, "activate"), {"signed_on": "2025-12-20"},
                                                              format="json")
    assert response.status_code == 403


def test_it_refuses_to_send_to_a_technician(api, bob, draft):
    assert api.as_(bob).post(action(draft, "send")).status_code == 403


def test_it_hides_other_tenants_contracts_from_actions(api, carol, active):
    response = api.as_(carol).post(action(active, "suspend"), {"reason": "x"}, format="json")
    assert response.status_code == 404


# =========================================================================== versions and documents


def test_it_lists_the_versions(api, amy, active):
    services.contract_amend(contract=active, actor=amy, signed_on=date(2026, 6, 15), effective_date=date(2026, 7, 1),
                            summary="New fee", changes={"monthly_fee": "520.00"})
    rows = api.as_(amy).get(action(active, "versions")).json()
    assert [(v["number"], v["effective_from"], v["amendment"], v["snapshot"]["monthly_fee"]) for v in rows] == [
        (1, "2026-01-01", None, "450.00"), (2, "2026-07-01", 1, "520.00")]


def test_it_shows_the_versions_to_the_client(api, clara, active):
    assert len(api.as_(clara).get(action(active, "versions")).json()) == 1


def test_it_lists_the_documents(api, amy, rendered):
    rows = api.as_(amy).get(action(rendered, "documents")).json()
    assert [(d["kind"], d["version"], d["status"], d["download_url"]) for d in rows] == [
        ("contract", 1, "ready", f"{URL}{rendered.reference}/documents/contract/1/download/")]


def test_it_lists_a_queued_document_without_a_download_link(api, amy, sent):
    rows = api.as_(amy).get(action(sent, "documents")).json()
    assert [(d["status"], d["download_url"]) for d in rows] == [("queued", None)]


def download(rendered) -> str:
    return f"{URL}{rendered.reference}/documents/contract/1/download/"


@pytest.mark.parametrize("persona", ["amy", "bob", "clara"])
def test_it_downloads_the_pdf_for_provider_staff_and_the_client(request, api, rendered, persona):
    response = api.as_(request.getfixturevalue(persona)).get(download(rendered))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert b"".join(response.streaming_content) == FAKE_PDF


@pytest.mark.parametrize("persona", ["dora", "carol"])
def test_it_hides_the_pdf_from_other_organizations_and_tenants(request, api, rendered, persona):
    assert api.as_(request.getfixturevalue(persona)).get(download(rendered)).status_code == 404


def test_it_answers_404_for_a_pdf_not_yet_rendered(api, amy, sent):
    assert api.as_(amy).get(download(sent)).status_code == 404


def test_it_answers_404_for_an_unknown_version(api, amy, rendered):
    assert api.as_(amy).get(f"{URL}{rendered.reference}/documents/contract/9/download/").status_code == 404


def test_it_queues_a_new_render(api, amy, rendered):
    response = api.as_(amy).post(f"{URL}{rendered.reference}/documents/render/")
    assert (response.status_code, response.json()["status"]) == (202, "queued")


def test_it_refuses_to_render_a_draft(api, amy, draft):
    response = api.as_(amy).post(f"{URL}{draft.reference}/documents/render/")
    assert (response.status_code, list(error(response)["fields"])) == (400, ["status"])


def test_it_refuses_a_render_to_a_technician(api, bob, rendered):
    assert api.as_(bob).post(f"{URL}{rendered.reference}/documents/render/").status_code == 403
