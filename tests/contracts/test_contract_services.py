"""contracts.services.contracts: drafting and the lifecycle draft → sent → active ⇄
suspended → terminated, with renewals and amendments. Dates are passed in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.models import (
    Amendment,
    ClauseTemplate,
    Contract,
    ContractClause,
    ContractDocument,
    ContractTerm,
    ContractVersion,
    CoveredItem,
)
from contracts.services import contracts as services
from contracts.terms import ContractTerms
from portal.exceptions import ApplicationError
from portal.models import AuditEvent
from tests.contracts import factories as cf

pytestmark = pytest.mark.django_db


def create(actor, client, provider, **overrides):
    return services.contract_create(tenant=client.tenant, actor=actor, client=client, provider=provider,
                                    **cf.contract_fields(**overrides))


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def actions(contract) -> list[str]:
    return list(
        AuditEvent.objects.filter(tenant=contract.tenant, object_ref=contract.reference)
        .order_by("pk").values_list("action", flat=True)
    )


def long_tacit(amy, org_a1, policy):
    """Start 2026-01-01, 36 months then 12-month tacit renewals, 3 months' notice."""
    return cf.active(actor=amy, client=org_a1, policy=policy, initial_months=36, renewal_months=12)


def terminate(contract, actor, notice_given_on, *, reason="notice", today=None, **kwargs):
    return services.contract_terminate(contract=contract, actor=actor, notice_given_on=notice_given_on,
                                       given_by="client", reason=reason, today=today or notice_given_on, **kwargs)


# =========================================================================== create


def test_it_numbers_the_first_contract_of_the_year(amy, org_a1, provider):
    contract = create(amy, org_a1, provider, today=date(2026, 3, 4))
    assert contract.reference == "CTR-2026-0001"


def test_it_numbers_the_next_contract_of_the_year(amy, org_a1, provider):
    create(amy, org_a1, provider, today=date(2026, 3, 4))
    assert create(amy, org_a1, provider, today=date(2026, 11, 30)).reference == "CTR-2026-0002"


def test_it_restarts_the_numbering_each_year(amy, org_a1, provider):
    create(amy, org_a1, provider, today=date(2026, 12, 31))
    assert create(amy, org_a1, provider, today=date(2027, 1, 1)).reference == "CTR-2027-0001"


def test_it_numbers_contracts_per_tenant(amy, carol, org_a1, org_b1, provider):
    create(amy, org_a1, provider, today=date(2026, 3, 4))
    contract = create(carol, org_b1, cf.provider_org(org_b1.tenant), today=date(2026, 3, 4))
    assert contract.reference == "CTR-2026-0001"


def test_it_creates_a_draft_managed_by_its_creator(amy, org_a1, provider):
    contract = create(amy, org_a1, provider, today=date(2026, 3, 4))
    assert (contract.status, contract.account_manager) == ("draft", amy)


def test_it_lets_a_tenant_admin_create_a_contract(alice, org_a1, provider):
    contract = create(alice, org_a1, provider, today=date(2026, 3, 4))
    assert Contract.objects.filter(pk=contract.pk).exists()


@pytest.mark.parametrize("persona", ["bob", "clara"])
def test_it_refuses_creation_by_a_technician_or_a_client(request, persona, org_a1, provider):
    with pytest.raises(PermissionDenied):
        create(request.getfixturevalue(persona), org_a1, provider, today=date(2026, 3, 4))
    assert not Contract.objects.exists()


def test_it_refuses_a_provider_entity_as_the_client(amy, provider):
    with pytest.raises(ValidationError) as excinfo:
        create(amy, provider, provider, today=date(2026, 3, 4))
    assert error_fields(excinfo) == {"client"}


def test_it_refuses_a_client_company_as_the_provider(amy, org_a1, org_a2):
    with pytest.raises(ValidationError) as excinfo:
        create(amy, org_a1, org_a2, today=date(2026, 3, 4))
    assert error_fields(excinfo) == {"provider"}


def test_it_trips_on_another_tenants_client(amy, org_b1, provider):
    # Interfaces look organisations up inside the tenant; reaching the service with a
    # foreign one is a programming error, caught by the tripwire.
    with pytest.raises(AssertionError, match="several tenants"):
        services.contract_create(tenant=provider.tenant, actor=amy, client=org_b1, provider=provider,
                                 today=date(2026, 3, 4), **cf.contract_fields())
    assert not Contract.objects.exists()


def test_it_trips_on_another_tenants_sla_policy(amy, org_a1, provider, tenant_b):
    foreign = cf.sla_policy(tenant_b, code="foreign")
    with pytest.raises(AssertionError):
        create(amy, org_a1, provider, sla_policy=foreign, today=date(2026, 3, 4))


def test_it_refuses_an_unknown_field(amy, org_a1, provider):
    with pytest.raises(ValidationError) as excinfo:
        create(amy, org_a1, provider, colour="blue", today=date(2026, 3, 4))
    assert error_fields(excinfo) == {"colour"}


def test_it_names_the_field_of_impossible_terms(amy, org_a1, provider):
    with pytest.raises(ValidationError) as excinfo:
        create(amy, org_a1, provider, initial_months=0, today=date(2026, 3, 4))
    assert error_fields(excinfo) == {"initial_months"}


# =========================================================================== update


def test_it_updates_a_draft(amy, draft):
    services.contract_update(contract=draft, actor=amy, monthly_fee=Decimal("500.00"))
    draft.refresh_from_db()
    assert draft.monthly_fee == Decimal("500.00")


def test_it_refuses_to_edit_a_sent_contract(amy, sent):
    with pytest.raises(ApplicationError) as excinfo:
        services.contract_update(contract=sent, actor=amy, monthly_fee=Decimal("1.00"))
    assert excinfo.value.code == "invalid_state"


def test_it_leaves_a_sent_contract_unchanged_when_an_edit_is_refused(amy, sent):
    with pytest.raises(ApplicationError):
        services.contract_update(contract=sent, actor=amy, title="Changed")
    sent.refresh_from_db()
    assert sent.title == "Maintenance of the IT park"


def test_it_refuses_an_update_by_a_technician(bob, draft):
    with pytest.raises(PermissionDenied):
        services.contract_update(contract=draft, actor=bob, title="Changed")
    draft.refresh_from_db()
    assert draft.title == "Maintenance of the IT park"


def test_it_audits_an_update_with_the_changed_fields(amy, draft):
    services.contract_update(contract=draft, actor=amy, title="Servers only")
    event = AuditEvent.objects.get(action="contract.update")
    assert event.changes == {"title": ["Maintenance of the IT park", "Servers only"]}


# =========================================================================== scope and clauses


def test_it_replaces_the_scope_of_a_draft(amy, draft):
    services.contract_set_scope(contract=draft, actor=amy, items=[{"category": "network", "name": "Core switch"}])
    assert list(draft.items.values_list("name", flat=True)) == ["Core switch"]


def test_it_names_the_bad_covered_item(amy, draft):
    with pytest.raises(ValidationError) as excinfo:
        services.contract_set_scope(contract=draft, actor=amy, items=[{"category": "boat", "name": "Yacht"}])
    assert excinfo.value.message_dict["items"][0].startswith("Item 1:")


def test_it_refuses_a_maintenance_type_listed_twice(amy, draft):
    twice = [{"maintenance_type": "curative"}, {"maintenance_type": "curative"}]
    with pytest.raises(ValidationError) as excinfo:
        services.contract_set_scope(contract=draft, actor=amy, maintenance_types=twice)
    assert error_fields(excinfo) == {"maintenance_types"}


def test_it_refuses_to_change_the_scope_once_sent(amy, sent):
    with pytest.raises(ApplicationError) as excinfo:
        services.contract_set_scope(contract=sent, actor=amy, items=[])
    assert excinfo.value.code == "invalid_state"
    assert CoveredItem.objects.filter(contract=sent).count() == 2


def test_it_freezes_the_clauses_once_sent(amy, sent):
    with pytest.raises(ApplicationError) as excinfo:
        services.contract_set_clauses(contract=sent, actor=amy, clauses=[])
    assert excinfo.value.code == "invalid_state"
    assert ContractClause.objects.filter(contract=sent).count() == 2


def test_it_copies_clauses_from_the_library(amy, tenant_a, draft):
    services.clause_library_seed(tenant=tenant_a)
    template = ClauseTemplate.objects.get(tenant=tenant_a, kind="reversibility", language="en")
    services.contract_set_clauses(contract=draft, actor=amy, template_ids=[template.pk])
    assert [(c.kind, c.title, c.position) for c in draft.clauses.all()] == [("reversibility", template.title, 1)]


def test_it_refuses_a_clause_template_of_another_tenant(amy, tenant_b, draft):
    services.clause_library_seed(tenant=tenant_b)
    foreign = ClauseTemplate.objects.filter(tenant=tenant_b).first()
    with pytest.raises(ValidationError) as excinfo:
        services.contract_set_clauses(contract=draft, actor=amy, template_ids=[foreign.pk])
    assert error_fields(excinfo) == {"template_ids"}


def test_it_seeds_the_clause_library_once(tenant_a):
    first = services.clause_library_seed(tenant=tenant_a)
    assert (first > 0, services.clause_library_seed(tenant=tenant_a)) == (True, 0)


# =========================================================================== send


def test_it_refuses_to_send_an_incomplete_draft(amy, org_a1):
    contract = cf.draft(actor=amy, client=org_a1, scope=False, start_date=None)
    with pytest.raises(ApplicationError) as excinfo:
        services.contract_send(contract=contract, actor=amy)
    assert excinfo.value.code == "incomplete"


def test_it_names_what_is_missing_before_sending(amy, org_a1):
    contract = cf.draft(actor=amy, client=org_a1, scope=False, start_date=None)
    with pytest.raises(ApplicationError) as excinfo:
        services.contract_send(contract=contract, actor=amy)
    assert excinfo.value.extra["fields"]["missing"] == [
        "the scope (at least one covered item)", "at least one maintenance type", "an SLA policy", "the start date",
    ]


def test_it_keeps_an_incomplete_draft_in_draft(amy, org_a1):
    contract = cf.draft(actor=amy, client=org_a1, scope=False)
    with pytest.raises(ApplicationError):
        services.contract_send(contract=contract, actor=amy)
    contract.refresh_from_db()
    assert (contract.status, contract.sent_at) == ("draft", None)


def test_it_needs_an_intervention_mode(amy, org_a1, policy):
    contract = cf.draft(actor=amy, client=org_a1, policy=policy, remote_intervention=False,
                        on_site_intervention=False)
    assert services.contract_missing(contract) == ["an intervention mode"]


def test_it_sends_a_complete_draft(amy, draft):
    contract = services.contract_send(contract=draft, actor=amy, now=cf.SENT_AT)
    contract.refresh_from_db()
    assert (contract.status, contract.sent_at) == ("sent", cf.SENT_AT)


def test_it_queues_the_contract_pdf_when_sent(amy, draft):
    services.contract_send(contract=draft, actor=amy, now=cf.SENT_AT)
    document = ContractDocument.objects.get(contract=draft)
    assert (document.kind, document.version, document.status) == ("contract", 1, "queued")


def test_it_renders_the_queued_pdf_after_commit(amy, draft, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with mock.patch("contracts.documents.render_pdf", return_value=(b"%PDF-1.7 fake", 2)):
        with django_capture_on_commit_callbacks(execute=True):
            services.contract_send(contract=draft, actor=amy, now=cf.SENT_AT)
    document = ContractDocument.objects.get(contract=draft)
    assert (document.status, document.pages) == ("ready", 2)


@pytest.mark.parametrize("persona", ["bob", "clara"])
def test_it_refuses_a_send_by_a_technician_or_a_client(request, persona, draft):
    with pytest.raises(PermissionDenied):
        services.contract_send(contract=draft, actor=request.getfixturevalue(persona))
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_it_refuses_to_send_twice(amy, sent):
    with pytest.raises(ApplicationError) as excinfo:
        services.contract_send(contract=sent, actor=amy)
    assert excinfo.value.code == "invalid_state"


def test_it_lets_a_tenant_admin_send(alice, draft):
    assert services.contract_send(contract=draft, actor=alice, now=cf.SENT_AT).status == "sent"


def test_it_refuses_a_send_by_another_tenants_admin(carol, draft):
    with pytest.raises(PermissionDenied):
        services.contract_send(contract=draft, actor=carol)


# =========================================================================== activate


def test_it_refuses_to_activate_a_draft(amy, draft):
    with pytest.raises(ApplicationError) as excinfo:
        services.contract_activate(contract=draft, actor=amy, signed_on=date(2025, 12, 20))
    assert excinfo.value.code == "invalid_state"
    assert not ContractTerm.objects.exists()


def test_it_activates_a_sent_contract(amy, sent):
    contract = services.contract_activate(contract=sent, actor=amy, signed_on=date(2025, 12, 20),
                                          client_signatory="Paul Martin", now=cf.ACTIVATED_AT)
    contract.refresh_from_db()
    assert (contract.status, contract.signed_on, contract.client_signatory, contract.activated_at) == (
        "active", date(2025, 12, 20), "Paul Martin", cf.ACTIVATED_AT)


def test_it_records_the_initial_term_from_the_contract_terms(active):
    expected = ContractTerms(start=date(2026, 1, 1), initial_months=12, renewal="tacit", notice_months=3).term(1)
    term = active.term_history.get()
    assert (term.index, term.kind, term.first_day, term.last_day, term.monthly_fee) == (
        1, "initial", expected.first_day, expected.last_day, Decimal("450.00"))


def test_it_records_version_one_as_a_snapshot(active):
    version = active.versions.get()
    assert (version.number, version.effective_from, version.amendment) == (1, date(2026, 1, 1), None)


def test_it_snapshots_the_scope_clauses_and_sla_policy(active):
    snapshot = active.versions.get().snapshot
    assert (
        [i["name"] for i in snapshot["items"]], [c["title"] for c in snapshot["clauses"]],
        [m["maintenance_type"] for m in snapshot["maintenance_types"]], snapshot["sla_policy_code"],
    ) == (
        ["Dell PowerEdge R650", "Microsoft 365 tenant"], ["Confidentiality", "Dispute resolution"],
        ["preventive", "corrective", "evolutive"], "standard",
    )


def test_it_leaves_a_tacit_contract_open_ended(active):
    assert active.end_date is None


def test_it_ends_a_non_renewing_contract_with_its_initial_term(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="none")
    assert contract.end_date == date(2026, 12, 31)


def test_it_records_an_open_ended_first_term_for_an_indefinite_contract(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, initial_months=None, notice_months=1)
    term = contract.term_history.get()
    assert (term.first_day, term.last_day, contract.end_date) == (date(2026, 1, 1), None, None)


def test_it_refuses_an_activation_by_a_technician(bob, sent):
    with pytest.raises(PermissionDenied):
        services.contract_activate(contract=sent, actor=bob, signed_on=date(2025, 12, 20))
    sent.refresh_from_db()
    assert sent.status == "sent"


# =========================================================================== suspend / resume


def test_it_suspends_an_active_contract(amy, active):
    contract = services.contract_suspend(contract=active, actor=amy, reason="Unpaid invoices", now=cf.ACTIVATED_AT)
    contract.refresh_from_db()
    assert (contract.status, contract.suspension_reason, contract.suspended_at) == (
        "suspended", "Unpaid invoices", cf.ACTIVATED_AT)


def test_it_needs_a_reason_to_suspend(amy, active):
    with pytest.raises(ValidationError) as excinfo:
        services.contract_suspend(contract=active, actor=amy, reason="  ")
    assert error_fields(excinfo) == {"reason"}
    active.refresh_from_db()
    assert active.status == "active"


def test_it_refuses_to_suspend_a_draft(amy, draft):
    with pytest.raises(ApplicationError) as excinfo:
        services.contract_suspend(contract=draft, actor=amy, reason="Unpaid invoices")
    assert excinfo.value.code == "invalid_state"


def test_it_resumes_a_suspended_contract(amy, active):
    services.contract_suspend(contract=active, actor=amy, reason="Unpaid invoices")
    contract = services.contract_resume(contract=active, actor=amy)
    contract.refresh_from_db()
    assert (contract.status, contract.suspension_reason, contract.suspended_at) == ("active", "", None)


def test_it_refuses_to_resume_an_active_contract(amy, active):
    with pytest.raises(ApplicationError) as excinfo:
        services.contract_resume(contract=active, actor=amy)
    assert excinfo.value.code == "invalid_state"


def test_it_refuses_a_suspension_by_a_client(clara, active):
    with pytest.raises(PermissionDenied):
        services.contract_suspend(contract=active, actor=clara, reason="No")
    active.refresh_from_db()
    assert active.status == "active"


# =========================================================================== terminate


@pytest.mark.parametrize(
    ("notice_on", "last_day"),
    [
        (date(2028, 9, 30), date(2028, 12, 31)),  # the day before the deadline
        (date(2028, 10, 1), date(2028, 12, 31)),  # on the deadline
        (date(2028, 10, 2), date(2029, 12, 31)),  # the day after: one more term
        (date(2026, 1, 1), date(2028, 12, 31)),  # on the first day
        (date(2029, 10, 2), date(2030, 12, 31)),  # in a renewal term, after its deadline
    ],
)
def test_it_ends_a_terminated_contract_when_the_terms_say(amy, org_a1, policy, notice_on, last_day):
    contract = long_tacit(amy, org_a1, policy)
    terminate(contract, amy, notice_on)
    contract.refresh_from_db()
    assert contract.end_date == last_day == contract.terms().last_day_if_notice(notice_on)


def test_it_keeps_a_terminated_contract_active_until_its_end(amy, org_a1, policy):
    contract = long_tacit(amy, org_a1, policy)
    terminate(contract, amy, date(2028, 10, 1))
    contract.refresh_from_db()
    assert (contract.status, contract.notice_given_on, contract.notice_given_by, contract.termination_reason) == (
        "active", date(2028, 10, 1), "client", "notice")


def test_it_refuses_a_second_termination(amy, active):
    terminate(active, amy, date(2026, 3, 1))
    with pytest.raises(ApplicationError) as excinfo:
        terminate(active, amy, date(2026, 4, 1))
    assert excinfo.value.code == "already_terminated"


def test_it_refuses_a_notice_before_the_start(amy, active):
    with pytest.raises(ValidationError) as excinfo:
        terminate(active, amy, date(2025, 12, 31))
    assert error_fields(excinfo) == {"notice_given_on"}
    active.refresh_from_db()
    assert (active.notice_given_on, active.end_date) == (None, None)


def test_it_names_an_unknown_termination_reason(amy, active):
    with pytest.raises(ValidationError) as excinfo:
        terminate(active, amy, date(2026, 3, 1), reason="boredom")
    assert error_fields(excinfo) == {"reason"}


def test_it_ends_a_contract_for_breach_on_the_effective_date(amy, active):
    terminate(active, amy, date(2026, 6, 1), reason="breach", effective_date=date(2026, 6, 30))
    active.refresh_from_db()
    assert (active.end_date, active.termination_reason, active.status) == (date(2026, 6, 30), "breach", "active")


def test_it_ends_a_breach_on_the_notice_date_without_an_effective_date(amy, active):
    terminate(active, amy, date(2026, 6, 1), reason="breach")
    active.refresh_from_db()
    assert active.end_date == date(2026, 6, 1)


def test_it_terminates_at_once_when_the_end_is_already_past(amy, active):
    terminate(active, amy, date(2026, 6, 1), reason="breach", effective_date=date(2026, 6, 10),
              today=date(2026, 6, 11))
    active.refresh_from_db()
    assert active.status == "terminated"


def test_it_refuses_a_breach_effective_before_the_notice(amy, active):
    with pytest.raises(ValidationError) as excinfo:
        terminate(active, amy, date(2026, 6, 1), reason="breach", effective_date=date(2026, 5, 31))
    assert error_fields(excinfo) == {"effective_date"}


def test_it_keeps_a_non_renewing_contracts_end_on_late_notice(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="none")
    terminate(contract, amy, date(2026, 11, 15))
    contract.refresh_from_db()
    assert contract.end_date == date(2026, 12, 31)


def test_it_names_the_notice_date_given_after_a_non_renewing_contract_ended(amy, org_a1, policy):
    # The daily job has not yet marked it expired: the service must still refuse cleanly.
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="none")
    with pytest.raises(ValidationError) as excinfo:
        terminate(contract, amy, date(2027, 1, 5))
    assert error_fields(excinfo) == {"notice_given_on"}


def test_it_ends_an_expressly_renewed_contract_with_its_renewed_term_on_notice(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="express")
    services.contract_renew(contract=contract, actor=amy)
    terminate(contract, amy, date(2027, 3, 1))
    contract.refresh_from_db()
    assert contract.end_date == date(2027, 12, 31)


def test_it_ends_an_indefinite_contract_after_the_notice_period(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, initial_months=None, notice_months=1)
    terminate(contract, amy, date(2026, 5, 15))
    contract.refresh_from_db()
    assert contract.end_date == date(2026, 6, 14)


def test_it_terminates_a_suspended_contract(amy, active):
    services.contract_suspend(contract=active, actor=amy, reason="Unpaid invoices")
    terminate(active, amy, date(2026, 3, 1))
    active.refresh_from_db()
    assert active.end_date == date(2026, 12, 31)


def test_it_refuses_to_terminate_a_sent_contract(amy, sent):
    with pytest.raises(ApplicationError) as excinfo:
        terminate(sent, amy, date(2026, 3, 1))
    assert excinfo.value.code == "invalid_state"


# =========================================================================== renew


def test_it_renews_an_express_contract_after_its_last_term(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="express")
    term = services.contract_renew(contract=contract, actor=amy)
    assert (term.index, term.kind, term.first_day, term.last_day, term.monthly_fee) == (
        2, "express", date(2027, 1, 1), date(2027, 12, 31), Decimal("450.00"))


def test_it_moves_the_end_of_an_express_contract_to_the_renewed_term(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="express")
    services.contract_renew(contract=contract, actor=amy, months=24)
    contract.refresh_from_db()
    assert contract.end_date == date(2028, 12, 31)


def test_it_renews_with_a_new_fee(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="express")
    term = services.contract_renew(contract=contract, actor=amy, monthly_fee=Decimal("480.00"))
    contract.refresh_from_db()
    assert (term.monthly_fee, contract.monthly_fee) == (Decimal("480.00"), Decimal("480.00"))


def test_it_chains_renewals(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="express")
    services.contract_renew(contract=contract, actor=amy)
    term = services.contract_renew(contract=contract, actor=amy, months=6)
    assert (term.index, term.first_day, term.last_day) == (3, date(2028, 1, 1), date(2028, 6, 30))


def test_it_refuses_to_renew_an_indefinite_contract(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, initial_months=None, notice_months=1)
    with pytest.raises(ApplicationError) as excinfo:
        services.contract_renew(contract=contract, actor=amy)
    assert excinfo.value.code == "indefinite"
    assert contract.term_history.count() == 1


def test_it_refuses_to_renew_after_notice(amy, active):
    terminate(active, amy, date(2026, 3, 1))
    with pytest.raises(ApplicationError) as excinfo:
        services.contract_renew(contract=active, actor=amy)
    assert excinfo.value.code == "already_terminated"


def test_it_refuses_a_negative_renewal_fee(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="express")
    with pytest.raises(ValidationError) as excinfo:
        services.contract_renew(contract=contract, actor=amy, monthly_fee=Decimal("-1"))
    assert error_fields(excinfo) == {"monthly_fee"}
    assert contract.term_history.count() == 1


def test_it_refuses_to_renew_a_tacit_contract_explicitly(amy, active):
    with pytest.raises(ApplicationError) as excinfo:
        services.contract_renew(contract=active, actor=amy)
    assert excinfo.value.code == "tacit"
    assert active.term_history.count() == 1


def test_it_refuses_a_renewal_by_a_technician(bob, active):
    with pytest.raises(PermissionDenied):
        services.contract_renew(contract=active, actor=bob)
    assert active.term_history.count() == 1


# =========================================================================== amend


def amend(contract, actor, *, effective_date=date(2026, 7, 1), changes=None, summary="New fee"):
    return services.contract_amend(contract=contract, actor=actor, signed_on=effective_date,
                                   effective_date=effective_date, summary=summary,
                                   changes={"monthly_fee": Decimal("520.00")} if changes is None else changes)


def test_it_numbers_amendments(amy, active):
    first = amend(active, amy, effective_date=date(2026, 7, 1))
    second = amend(active, amy, effective_date=date(2026, 9, 1), changes={"notice_months": 2})
    assert (first.number, second.number) == (1, 2)


def test_it_increments_the_version_on_amendment(amy, active):
    amend(active, amy)
    active.refresh_from_db()
    assert active.version == 2


def test_it_applies_the_amended_fields(amy, active, tenant_a):
    critical = cf.sla_policy(tenant_a, code="critical")
    amend(active, amy, changes={"monthly_fee": Decimal("520.00"), "sla_policy": critical})
    active.refresh_from_db()
    assert (active.monthly_fee, active.sla_policy) == (Decimal("520.00"), critical)


def test_it_stores_the_changed_fields_old_and_new(amy, active):
    amendment = amend(active, amy, changes={"monthly_fee": Decimal("520.00"), "notice_months": 3})
    assert amendment.changes == {"monthly_fee": ["450.00", "520.00"]}


def test_it_keeps_every_version_with_its_effective_date(amy, active):
    amend(active, amy, effective_date=date(2026, 7, 1))
    amend(active, amy, effective_date=date(2026, 9, 1), changes={"monthly_fee": Decimal("600.00")})
    rows = [(v.number, v.effective_from, v.snapshot["monthly_fee"]) for v in active.versions.order_by("number")]
    assert rows == [(1, date(2026, 1, 1), "450.00"), (2, date(2026, 7, 1), "520.00"), (3, date(2026, 9, 1), "600.00")]


def test_it_links_each_amended_version_to_its_amendment(amy, active):
    amendment = amend(active, amy)
    assert ContractVersion.objects.get(contract=active, number=2).amendment == amendment


def test_it_queues_the_amendment_pdf(amy, active):
    amend(active, amy)
    assert ContractDocument.objects.filter(contract=active, kind="amendment", version=2, status="queued").exists()


def test_it_keeps_the_end_of_an_expressly_renewed_contract_when_amended(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="express")
    services.contract_renew(contract=contract, actor=amy)
    amend(contract, amy, effective_date=date(2026, 7, 1))
    contract.refresh_from_db()
    assert contract.end_date == date(2027, 12, 31)


def test_it_ends_a_contract_amended_to_no_renewal_with_its_term(amy, active):
    amend(active, amy, changes={"renewal": "none"})
    active.refresh_from_db()
    assert active.end_date == date(2026, 12, 31)


def test_it_refuses_an_amendment_of_an_unknown_field(amy, active):
    with pytest.raises(ValidationError) as excinfo:
        amend(active, amy, changes={"client": None})
    assert error_fields(excinfo) == {"changes"}
    assert not Amendment.objects.exists()


def test_it_refuses_an_amendment_effective_before_the_current_version(amy, active):
    amend(active, amy, effective_date=date(2026, 7, 1))
    with pytest.raises(ValidationError) as excinfo:
        amend(active, amy, effective_date=date(2026, 6, 30))
    assert error_fields(excinfo) == {"effective_date"}
    active.refresh_from_db()
    assert (active.version, Amendment.objects.count()) == (2, 1)


def test_it_refuses_an_amendment_effective_before_the_start(amy, active):
    with pytest.raises(ValidationError) as excinfo:
        amend(active, amy, effective_date=date(2025, 12, 31))
    assert error_fields(excinfo) == {"effective_date"}


def test_it_needs_a_summary_for_an_amendment(amy, active):
    with pytest.raises(ValidationError) as excinfo:
        amend(active, amy, summary=" ")
    assert error_fields(excinfo) == {"summary"}


def test_it_refuses_to_amend_a_draft(amy, draft):
    with pytest.raises(ApplicationError) as excinfo:
        amend(draft, amy)
    assert excinfo.value.code == "invalid_state"


def test_it_refuses_an_amendment_by_a_client(clara, active):
    with pytest.raises(PermissionDenied):
        amend(active, clara)
    active.refresh_from_db()
    assert active.version == 1


def test_it_refuses_an_amendment_making_the_terms_impossible(amy, active):
    with pytest.raises(ValidationError):
        amend(active, amy, changes={"renewal": "sometimes"})
    active.refresh_from_db()
    assert (active.version, active.renewal) == (1, "tacit")


# =========================================================================== audit


def test_it_audits_the_whole_lifecycle(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="express")
    services.contract_suspend(contract=contract, actor=amy, reason="Unpaid invoices")
    services.contract_resume(contract=contract, actor=amy)
    services.contract_renew(contract=contract, actor=amy)
    amend(contract, amy)
    terminate(contract, amy, date(2026, 9, 1))
    assert [a for a in actions(contract) if a not in ("contract.scope", "contract.clauses")] == [
        "contract.create", "contract.send", "contract.activate", "contract.suspend", "contract.resume",
        "contract.renew", "contract.amend", "contract.terminate",
    ]


def test_it_audits_who_created_the_contract(amy, draft):
    event = AuditEvent.objects.get(action="contract.create")
    assert (event.actor, event.object_ref, event.organization) == (amy, draft.reference, draft.client)


def test_it_audits_the_termination_dates(amy, org_a1, policy):
    contract = long_tacit(amy, org_a1, policy)
    terminate(contract, amy, date(2028, 10, 2))
    event = AuditEvent.objects.get(action="contract.terminate")
    assert (event.changes["notice_given_on"], event.changes["end_date"]) == ("2028-10-02", "2029-12-31")


def test_it_writes_no_audit_event_for_a_refused_action(bob, draft):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.contract_send(contract=draft, actor=bob)
    assert AuditEvent.objects.count() == before


def test_it_refuses_a_provider_entity_as_the_client_in_an_update(amy, draft, provider):
    with pytest.raises(ValidationError) as excinfo:
        services.contract_update(contract=draft, actor=amy, client=provider)
    assert error_fields(excinfo) == {"client"}


def test_it_trips_on_another_tenants_client_in_an_update(amy, draft, org_b1):
    with pytest.raises(AssertionError):
        services.contract_update(contract=draft, actor=amy, client=org_b1)
    draft.refresh_from_db()
    assert draft.client.tenant_id == draft.tenant_id


# =========================================================================== previews (confirmation pages)


@pytest.mark.parametrize("notice_on", [date(2028, 9, 30), date(2028, 10, 2)])
def test_the_termination_preview_gives_the_day_the_termination_records(amy, org_a1, policy, notice_on):
    contract = long_tacit(amy, org_a1, policy)
    preview = services.contract_terminate_preview(contract=contract, notice_given_on=notice_on, given_by="client",
                                                  reason="notice")
    terminate(contract, amy, notice_on)
    contract.refresh_from_db()
    assert preview == contract.end_date


def test_the_termination_preview_writes_nothing(amy, active):
    services.contract_terminate_preview(contract=active, notice_given_on=date(2026, 3, 1), given_by="client",
                                        reason="notice")
    active.refresh_from_db()
    assert (active.notice_given_on, active.end_date) == (None, None)


def test_the_termination_preview_refuses_what_the_termination_refuses(amy, active):
    with pytest.raises(ValidationError) as excinfo:
        services.contract_terminate_preview(contract=active, notice_given_on=date(2025, 12, 31), given_by="client",
                                            reason="notice")
    assert error_fields(excinfo) == {"notice_given_on"}


def test_the_renewal_preview_gives_the_term_the_renewal_adds(amy, org_a1, policy):
    contract = cf.active(actor=amy, client=org_a1, policy=policy, renewal="express")
    preview = services.contract_renew_preview(contract=contract, monthly_fee=Decimal("480.00"))
    term = services.contract_renew(contract=contract, actor=amy, monthly_fee=Decimal("480.00"))
    assert (preview.first_day, preview.last_day, preview.monthly_fee) == (term.first_day, term.last_day,
                                                                         term.monthly_fee)


def test_the_amendment_preview_writes_nothing(amy, active):
    services.contract_amend_preview(contract=active, effective_date=date(2026, 7, 1),
                                    changes={"monthly_fee": Decimal("520.00")})
    active.refresh_from_db()
    assert (active.version, active.monthly_fee) == (1, Decimal("450.00"))


def test_the_amendment_preview_names_the_next_number(amy, active):
    preview = services.contract_amend_preview(contract=active, effective_date=date(2026, 7, 1),
                                              changes={"notice_months": 2})
    assert (preview.number, preview.changes) == (1, [("notice (months)", "3", "2")])
