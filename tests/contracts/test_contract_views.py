"""Portal pages for contracts: list, drafting form, detail with its actions, renewals,
and the client's read-only view. Pages that read today's date run at a frozen instant
(STYLE.md §9: freeze time only at the boundary)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError

from contracts import documents
from contracts.models import ClauseTemplate, Contract, ContractDocument
from contracts.services import contracts as services
from tests.contracts import factories as cf

pytestmark = pytest.mark.django_db

LIST = "/contracts/"
NEW = "/contracts/new/"
RENEWALS = "/contracts/renewals/"
# 2026-09-01 in Paris: a contract started 2026-01-01 (12 months, tacit, 3 months'
# notice) is in term 1 and its notice deadline, 2026-10-01, is 30 days away.
SEPT_1 = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


def page(contract, suffix: str = "") -> str:
    return f"/contracts/{contract.reference}/{suffix}"


def text(response) -> str:
    return response.content.decode()


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def today():
    with time_machine.travel(SEPT_1, tick=False):
        yield date(2026, 9, 1)


# =========================================================================== list


def listed(response) -> set[str]:
    return {c.reference for c in response.context["page"]}


def test_it_lists_the_tenants_contracts(web, bob, draft, active, carol, org_b1, tenant_b):
    cf.draft(actor=carol, client=org_b1, policy=cf.sla_policy(tenant_b))
    assert listed(web.as_(bob).get(LIST)) == {draft.reference, active.reference}


def test_it_filters_the_list_by_status(web, amy, draft, active):
    assert listed(web.as_(amy).get(LIST, {"status": "active"})) == {active.reference}


def test_it_ignores_an_unknown_status(web, amy, draft, active):
    assert listed(web.as_(amy).get(LIST, {"status": "lost"})) == {draft.reference, active.reference}


def test_it_filters_the_list_by_client(web, amy, org_a2, policy, draft):
    other = cf.draft(actor=amy, client=org_a2, policy=policy)
    assert listed(web.as_(amy).get(LIST, {"client": org_a2.reference})) == {other.reference}


def test_it_searches_the_list(web, amy, org_a1, policy, draft):
    other = cf.draft(actor=amy, client=org_a1, policy=policy, title="Firewall support")
    assert listed(web.as_(amy).get(LIST, {"q": "firewall"})) == {other.reference}


def test_it_renders_only_the_table_for_a_live_filter(web, amy, draft):
    response = web.as_(amy).get(LIST, {"q": draft.reference}, headers={"HX-Request": "true"})
    assert "<html" not in text(response)
    assert draft.reference in text(response)


def test_it_lists_only_the_clients_sent_contracts_to_a_client(web, amy, cody, org_a2, policy, draft, active):
    cf.active(actor=amy, client=org_a2, policy=policy)
    assert listed(web.as_(cody).get(LIST)) == {active.reference}


# Session, user, membership, page count, the client filter's organisations, page rows.
@pytest.mark.parametrize("n_contracts", [1, 5])
def test_it_renders_the_list_in_a_fixed_number_of_queries(web, amy, org_a1, policy, django_assert_num_queries,
                                                           n_contracts):
    for _ in range(n_contracts):
        cf.draft(actor=amy, client=org_a1, policy=policy, scope=False, clauses=False)
    client = web.as_(amy)
    with django_assert_num_queries(6):
        response = client.get(LIST)
    assert len(listed(response)) == n_contracts


# =========================================================================== drafting form


def form_data(org, policy, templates=(), **overrides) -> dict:
    data = {
        "client": org.pk, "title": "Maintenance of the Lyon site", "object": "Monthly preventive visits.",
        "language": "en", "sla_policy": policy.pk, "remote_intervention": "on", "start_date": "2026-01-01",
        "initial_months": "12", "renewal": "tacit", "renewal_months": "", "notice_months": "3", "notice_days": "0",
        "billing_model": "flat_fee", "monthly_fee": "450.00", "included_minutes": "0", "hourly_rate": "0",
        "vat_rate": "20", "payment_terms_days": "30", "currency": "EUR", "price_revision": "",
        "exclusions": "Supply of new equipment\nDamage caused by misuse\n",
        "clause_templates": [str(t.pk) for t in templates],
        "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "200",
        "items-0-category": "hardware", "items-0-name": "File server", "items-0-identifier": "SRV-LYS-01",
        "items-0-site": "Lyon", "items-0-criticality": "high", "items-0-quantity": "1",
        "items-1-category": "", "items-1-name": "", "items-1-identifier": "", "items-1-site": "",
        "items-1-criticality": "medium", "items-1-quantity": "1",
        "types-TOTAL_FORMS": "4", "types-INITIAL_FORMS": "4", "types-MIN_NUM_FORMS": "0", "types-MAX_NUM_FORMS": "4",
    }
    for i, (mtype, selected) in enumerate([("preventive", True), ("corrective", True), ("curative", False),
                                           ("evolutive", False)]):
        data[f"types-{i}-maintenance_type"] = mtype
        data[f"types-{i}-included"] = "on"
        data[f"types-{i}-details"] = "Monthly" if mtype == "preventive" else ""
        if selected:
            data[f"types-{i}-selected"] = "on"
    data.update(overrides)
    return data


@pytest.fixture
def library(tenant_a):
    services.clause_library_seed(tenant=tenant_a)
    return list(ClauseTemplate.objects.filter(tenant=tenant_a, language="en", kind__in=["gdpr", "disputes"]))


def test_it_shows_the_drafting_form(web, amy, org_a1, policy, library):
    response = web.as_(amy).get(NEW)
    assert response.status_code == 200
    assert org_a1.legal_name in text(response)


def test_it_creates_a_draft_from_the_form(web, amy, org_a1, provider, policy, library):
    response = web.as_(amy).post(NEW, form_data(org_a1, policy, library))
    contract = Contract.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page(contract)
    assert (contract.status, contract.client, contract.provider, contract.sla_policy) == (
        "draft", org_a1, provider, policy)


def test_it_saves_the_covered_items_from_the_form(web, amy, org_a1, provider, policy, library):
    web.as_(amy).post(NEW, form_data(org_a1, policy, library))
    contract = Contract.objects.get()
    assert [(i.category, i.name, i.site) for i in contract.items.all()] == [("hardware", "File server", "Lyon")]


def test_it_saves_the_maintenance_types_and_exclusions_from_the_form(web, amy, org_a1, provider, policy, library):
    web.as_(amy).post(NEW, form_data(org_a1, policy, library))
    contract = Contract.objects.get()
    assert sorted(contract.maintenance_types.values_list("maintenance_type", flat=True)) == ["corrective",
                                                                                            "preventive"]
    assert list(contract.exclusions.values_list("text", flat=True)) == ["Supply of new equipment",
                                                                       "Damage caused by misuse"]


def test_it_copies_the_chosen_clauses_from_the_library(web, amy, org_a1, provider, policy, library):
    web.as_(amy).post(NEW, form_data(org_a1, policy, library))
    contract = Contract.objects.get()
    assert sorted(contract.clauses.values_list("title", flat=True)) == sorted(t.title for t in library)


def test_it_shows_the_missing_client_and_saves_nothing(web, amy, org_a1, provider, policy, library):
    response = web.as_(amy).post(NEW, form_data(org_a1, policy, library, client=""))
    assert response.status_code == 200
    assert "client" in response.context["form"].errors
    assert not Contract.objects.exists()


def test_it_shows_a_service_refusal_on_the_field_and_saves_nothing(web, amy, org_a1, provider, policy, library):
    # The clauses are saved last: a refusal there must undo the draft and its scope too.
    refusal = ValidationError({"clause_templates": ["Unknown clause template: [404]."]})
    with mock.patch.object(services, "contract_set_clauses", side_effect=refusal):
        response = web.as_(amy).post(NEW, form_data(org_a1, policy, library))
    assert response.context["form"].errors["clause_templates"] == ["Unknown clause template: [404]."]
    assert not Contract.objects.exists()


def test_it_names_an_item_without_a_category_and_saves_nothing(web, amy, org_a1, provider, policy, library):
    response = web.as_(amy).post(NEW, form_data(org_a1, policy, library, **{"items-0-category": ""}))
    assert response.context["items"].errors[0] == {"category": ["Choose a category."]}
    assert not Contract.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_it_shows_a_start_date_outside_1990_2100_on_its_field_and_saves_nothing(web, amy, org_a1, provider, policy,
                                                                                  library, day):
    response = web.as_(amy).post(NEW, form_data(org_a1, policy, library, start_date=day))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["start_date"]
    assert not Contract.objects.exists()


def test_it_shows_a_currency_that_is_not_iso_4217_on_its_field(web, amy, org_a1, provider, policy, library):
    response = web.as_(amy).post(NEW, form_data(org_a1, policy, library, currency="ZZZ"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["currency"]
    assert not Contract.objects.exists()


def test_it_refuses_the_drafting_form_to_a_technician(web, bob):
    assert web.as_(bob).get(NEW).status_code == 403


def test_it_refuses_the_drafting_form_to_a_client(web, clara):
    assert web.as_(clara).get(NEW).status_code == 403


def test_it_edits_a_draft(web, amy, org_a1, provider, policy, library, draft):
    response = web.as_(amy).post(page(draft, "edit/"), form_data(org_a1, policy, library, title="Renamed"))
    draft.refresh_from_db()
    assert (response.status_code, draft.title, draft.items.count()) == (302, "Renamed", 1)


def test_it_sends_a_sent_contracts_editor_back_to_the_detail(web, amy, sent):
    response = web.as_(amy).get(page(sent, "edit/"), follow=True)
    assert flashed(response) == ["Only a draft can be edited; a sent contract changes by amendment."]


# =========================================================================== detail


def test_it_shows_the_current_term(web, amy, active, today):
    response = web.as_(amy).get(page(active))
    info = response.context["info"]
    assert (info["term_index"], info["current_term"]) == (1, (date(2026, 1, 1), date(2026, 12, 31)))
    assert "01/01/2026 – 31/12/2026" in text(response)


def test_it_shows_the_next_notice_deadline_and_the_days_left(web, amy, active, today):
    response = web.as_(amy).get(page(active))
    assert (response.context["info"]["next_notice_deadline"], response.context["info"]["days_to_notice"]) == (
        date(2026, 10, 1), 30)
    assert "01/10/2026" in text(response)
    assert "30 days left" in text(response)


def test_it_lists_what_a_draft_still_misses(web, amy, org_a1):
    contract = cf.draft(actor=amy, client=org_a1, scope=False)
    response = web.as_(amy).get(page(contract))
    assert response.context["missing"] == [
        "the scope (at least one covered item)", "at least one maintenance type", "an SLA policy"]


def test_it_shows_the_action_buttons_to_an_editor(web, amy, draft):
    assert 'id="send-contract"' in text(web.as_(amy).get(page(draft)))


def test_it_hides_the_action_buttons_from_a_technician(web, bob, active):
    response = web.as_(bob).get(page(active))
    assert page(active, "suspend/") not in text(response)


def test_it_hides_other_tenants_contracts(web, carol, active):
    assert web.as_(carol).get(page(active)).status_code == 404


# =========================================================================== actions


def test_it_sends_a_draft_from_its_page(web, amy, draft):
    response = web.as_(amy).post(page(draft, "send/"), follow=True)
    draft.refresh_from_db()
    assert draft.status == "sent"
    assert flashed(response) == ["Contract sent for signature; its PDF is being rendered."]


def test_it_shows_why_an_incomplete_draft_cannot_be_sent(web, amy, org_a1):
    contract = cf.draft(actor=amy, client=org_a1, scope=False, start_date=None)
    response = web.as_(amy).post(page(contract, "send/"), follow=True)
    contract.refresh_from_db()
    assert contract.status == "draft"
    assert flashed(response) == [
        "Cannot send the contract: missing the scope (at least one covered item), at least one maintenance type, "
        "an SLA policy, the start date."]


def test_it_activates_a_sent_contract_from_its_page(web, amy, sent):
    web.as_(amy).post(page(sent, "activate/"), {"signed_on": "2025-12-20", "client_signatory": "Paul Martin"})
    sent.refresh_from_db()
    assert (sent.status, sent.signed_on) == ("active", date(2025, 12, 20))


def test_it_shows_a_missing_signature_date_as_a_message(web, amy, sent):
    response = web.as_(amy).post(page(sent, "activate/"), {"signed_on": ""}, follow=True)
    assert flashed(response) == ["Signature date: This field is required."]


def test_it_shows_an_activation_refused_in_draft_as_a_message(web, amy, draft):
    response = web.as_(amy).post(page(draft, "activate/"), {"signed_on": "2025-12-20"}, follow=True)
    assert flashed(response) == ["Cannot activate a contract that is draft."]


def test_it_suspends_and_resumes_from_the_page(web, amy, active):
    client = web.as_(amy)
    client.post(page(active, "suspend/"), {"reason": "Unpaid invoices", "confirm": "yes"})
    active.refresh_from_db()
    suspended = active.status
    client.post(page(active, "resume/"))
    active.refresh_from_db()
    assert (suspended, active.status) == ("suspended", "active")


def test_it_shows_a_missing_suspension_reason_as_a_message(web, amy, active):
    response = web.as_(amy).post(page(active, "suspend/"), {"reason": ""}, follow=True)
    assert flashed(response) == ["Reason: This field is required."]


def test_it_records_a_termination_from_the_page(web, amy, active, today):
    response = web.as_(amy).post(
        page(active, "terminate/"), {"notice_given_on": "2026-09-01", "given_by": "client", "reason": "notice",
                                    "confirm": "yes"},
        follow=True)
    active.refresh_from_db()
    assert (active.status, active.end_date) == ("active", date(2026, 12, 31))
    assert flashed(response) == ["Termination recorded: last covered day 31/12/2026."]


def test_it_shows_a_second_termination_refused_as_a_message(web, amy, active, today):
    data = {"notice_given_on": "2026-09-01", "given_by": "client", "reason": "notice", "confirm": "yes"}
    client = web.as_(amy)
    client.post(page(active, "terminate/"), data, follow=True)
    response = client.post(page(active, "terminate/"), data, follow=True)
    assert flashed(response) == ["A termination is already recorded (notice given on 2026-09-01)."]


def test_it_shows_a_notice_before_the_start_as_a_message(web, amy, active):
    response = web.as_(amy).post(
        page(active, "terminate/"), {"notice_given_on": "2025-06-01", "given_by": "client", "reason": "notice"},
        follow=True)
    assert flashed(response) == ["The notice date is before the start of the contract."]


def test_it_renews_from_the_page(web, amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="express")
    response = web.as_(amy).post(page(contract, "renew/"), {"months": "", "monthly_fee": "480.00", "confirm": "yes"}, follow=True)
    assert flashed(response) == ["Renewed until 31/12/2027."]


def test_it_amends_from_the_page(web, amy, active):
    response = web.as_(amy).post(page(active, "amend/"), {
        "signed_on": "2026-06-15", "effective_date": "2026-07-01", "summary": "New fee", "monthly_fee": "520.00",
        "confirm": "yes",
    }, follow=True)
    active.refresh_from_db()
    assert (active.version, str(active.monthly_fee)) == (2, "520.00")
    assert flashed(response) == ["Amendment 1 recorded."]


# =========================================================================== destructive actions


def test_the_lifecycle_actions_sit_behind_a_menu(web, amy, active):
    body = text(web.as_(amy).get(page(active)))
    menu = body[body.index('<details class="actions-menu'):]
    assert page(active, "terminate/") in menu and page(active, "suspend/") in menu


def test_the_termination_form_is_not_prefilled(web, amy, active):
    form = web.as_(amy).get(page(active)).context["terminate_form"]
    assert (form["notice_given_on"].value(), form["given_by"].value(), form["reason"].value()) == (None, None, None)


def test_the_amendment_form_is_not_prefilled(web, amy, active):
    form = web.as_(amy).get(page(active)).context["amend_form"]
    assert (form["signed_on"].value(), form["effective_date"].value()) == (None, None)


TERMINATION = {"notice_given_on": "2026-09-01", "given_by": "client", "reason": "notice"}


def test_a_termination_first_shows_the_last_day_covered(web, amy, active, today):
    response = web.as_(amy).post(page(active, "terminate/"), TERMINATION)
    assert "Last day covered: 31/12/2026." in text(response) and "Confirm termination?" in text(response)


def test_a_termination_is_not_recorded_before_it_is_confirmed(web, amy, active, today):
    web.as_(amy).post(page(active, "terminate/"), TERMINATION)
    active.refresh_from_db()
    assert active.notice_given_on is None


def test_the_confirmation_carries_the_typed_values(web, amy, active, today):
    body = text(web.as_(amy).post(page(active, "terminate/"), TERMINATION))
    assert '<input type="hidden" name="notice_given_on" value="2026-09-01">' in body
    assert '<button class="btn danger" type="submit" name="confirm" value="yes">' in body


def test_a_refused_termination_is_reported_before_any_confirmation(web, amy, active):
    response = web.as_(amy).post(page(active, "terminate/"), {**TERMINATION, "notice_given_on": "2025-06-01"},
                                 follow=True)
    assert flashed(response) == ["The notice date is before the start of the contract."]


def test_a_contract_under_notice_shows_when_it_ends(web, amy, active, today):
    client = web.as_(amy)
    client.post(page(active, "terminate/"), {**TERMINATION, "confirm": "yes"})
    assert "Terminated — ends 31/12/2026" in text(client.get(page(active)))


def test_a_contract_without_notice_shows_no_end_chip(web, amy, active):
    assert 'id="ending-chip"' not in text(web.as_(amy).get(page(active)))


def test_a_suspension_first_says_what_it_does(web, amy, active):
    response = web.as_(amy).post(page(active, "suspend/"), {"reason": "Unpaid invoices"})
    active.refresh_from_db()
    assert "new requests on this contract are refused" in text(response) and active.status == "active"


def test_a_renewal_first_shows_the_new_term(web, amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="express")
    response = web.as_(amy).post(page(contract, "renew/"), {"months": "", "monthly_fee": "480.00"})
    assert "New term from 01/01/2027 to 31/12/2027, at €480.00 excl. VAT per month." in text(response)


def test_an_amendment_first_shows_each_change_before_and_after(web, amy, active):
    response = web.as_(amy).post(page(active, "amend/"), {
        "signed_on": "2026-06-15", "effective_date": "2026-07-01", "summary": "New fee", "monthly_fee": "520.00"})
    active.refresh_from_db()
    assert response.context["changes"] == [("monthly fee (excl. VAT)", "€450.00", "€520.00")] and active.version == 1


def test_it_refuses_a_page_action_to_a_technician(web, bob, active):
    response = web.as_(bob).post(page(active, "suspend/"), {"reason": "Unpaid invoices"})
    active.refresh_from_db()
    assert (response.status_code, active.status) == (403, "active")


def test_it_refuses_a_get_on_an_action(web, amy, draft):
    assert web.as_(amy).get(page(draft, "send/")).status_code == 405


def test_it_hides_other_tenants_contracts_from_actions(web, carol, active):
    assert web.as_(carol).post(page(active, "suspend/"), {"reason": "x"}).status_code == 404


# =========================================================================== renewals page


def test_it_lists_a_contract_whose_notice_deadline_is_near(web, amy, active, today):
    rows = web.as_(amy).get(RENEWALS).context["rows"]
    assert [(c.reference, info["next_notice_deadline"], info["days_to_notice"]) for c, info in rows] == [
        (active.reference, date(2026, 10, 1), 30)]


def test_it_leaves_out_a_contract_whose_notice_deadline_is_far(web, amy, org_a1, policy, today):
    cf.active(actor=amy, client=org_a1, policy=policy, start_date=date(2026, 6, 1))  # deadline 2027-03-01
    assert web.as_(amy).get(RENEWALS).context["rows"] == []


def test_it_lists_a_contract_ending_soon(web, amy, org_a1, policy, today):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, start_date=date(2025, 11, 1), renewal="none")
    rows = web.as_(amy).get(RENEWALS).context["rows"]
    assert [(c.reference, info["ends_on"]) for c, info in rows] == [(contract.reference, date(2026, 10, 31))]


def test_it_leaves_out_a_contract_under_notice(web, amy, active, today):
    services.contract_terminate(contract=active, actor=amy, notice_given_on=date(2026, 3, 1), given_by="client",
                                reason="notice", today=date(2026, 3, 1))
    assert [c.reference for c, _ in web.as_(amy).get(RENEWALS).context["rows"]] == []


def test_it_refuses_the_renewals_page_to_a_client(web, clara):
    assert web.as_(clara).get(RENEWALS).status_code == 403


# =========================================================================== client's view


def test_it_shows_the_client_its_contract(web, clara, active):
    response = web.as_(clara).get(page(active))
    assert response.status_code == 200
    assert active.title in text(response)


def test_it_shows_the_client_no_action(web, clara, active):
    response = web.as_(clara).get(page(active))
    assert (page(active, "suspend/") in text(response), page(active, "render/") in text(response)) == (False, False)


def test_it_hides_a_draft_from_the_client(web, clara, draft):
    assert web.as_(clara).get(page(draft)).status_code == 404


def test_it_hides_another_organizations_contract(web, dora, active):
    assert web.as_(dora).get(page(active)).status_code == 404


@pytest.mark.parametrize(("name", "body"), [("suspend/", {"reason": "No"}), ("terminate/", {
    "notice_given_on": "2026-03-01", "given_by": "client", "reason": "notice"}), ("render/", {})])
def test_it_refuses_actions_to_the_client(web, clara, active, name, body):
    response = web.as_(clara).post(page(active, name), body)
    active.refresh_from_db()
    assert (response.status_code, active.status, active.notice_given_on) == (403, "active", None)


def test_it_refuses_the_edit_page_to_the_client(web, clara, active):
    assert web.as_(clara).get(page(active, "edit/")).status_code == 403


# =========================================================================== documents


@pytest.fixture
def rendered(active, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = ContractDocument.objects.get(contract=active, kind="contract", version=1)
    with mock.patch("contracts.documents.render_pdf", return_value=(b"%PDF-1.7 stand-in", 1)):
        documents.document_render(document_id=document.pk, tenant_id=active.tenant_id)
    return active


def test_it_links_a_ready_pdf(web, clara, rendered):
    assert page(rendered, "documents/contract/1/") in text(web.as_(clara).get(page(rendered)))


def test_it_downloads_the_pdf_for_the_client(web, clara, rendered):
    response = web.as_(clara).get(page(rendered, "documents/contract/1/"))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")


def test_it_hides_the_pdf_from_another_organization(web, dora, rendered):
    assert web.as_(dora).get(page(rendered, "documents/contract/1/")).status_code == 404


def test_it_polls_the_documents_panel_while_rendering(web, amy, sent):
    response = web.as_(amy).get(page(sent, "documents/"))
    assert response.context["pending_documents"] is True


def test_it_queues_a_new_render_from_the_page(web, amy, rendered):
    response = web.as_(amy).post(page(rendered, "render/"), follow=True)
    assert ContractDocument.objects.get(contract=rendered).status == "queued"
    assert flashed(response) == ["The PDF is being rendered again."]


def test_it_refuses_to_render_a_draft_from_the_page(web, amy, draft):
    response = web.as_(amy).post(page(draft, "render/"), follow=True)
    assert flashed(response) == ["A draft has no document yet: send it first."]
