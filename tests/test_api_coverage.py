"""Coverage of the API: everything a user can do in the portal can be done through
/api/v1/. Every action of the policy table (portal/permissions.py POLICY, the list of
what the portal lets anyone do) is mapped here to the API operations that perform it,
by operationId of the OpenAPI schema. A new action without an endpoint fails
`test_every_portal_action_has_an_endpoint`; the few still without one are listed in
NOT_YET with the reason, so the gap is written down rather than forgotten."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from portal.permissions import POLICY

ENDPOINTS: dict[str, list[str]] = {
    "organization.create": ["organizations_create"],
    "organization.update": ["organizations_update", "organizations_partial_update"],
    "contact.create": ["organizations_contacts_create"],
    "contact.update": ["organizations_contacts_update", "organizations_contacts_partial_update"],
    "contact.delete": ["organizations_contacts_destroy"],
    "contract.create": ["contracts_create"],
    "contract.update": ["contracts_partial_update"],
    "contract.set_scope": ["contracts_scope_update"],
    "contract.set_clauses": ["contracts_clauses_update"],
    "contract.clause_update": ["contracts_clauses_update"],
    "contract.send": ["contracts_send_create"],
    "contract.activate": ["contracts_activate_create"],
    "contract.suspend": ["contracts_suspend_create"],
    "contract.resume": ["contracts_resume_create"],
    "contract.terminate": ["contracts_terminate_create"],
    "contract.renew": ["contracts_renew_create"],
    "contract.amend": ["contracts_amend_create"],
    "contract.render_pdf": ["contracts_documents_render_create"],
    "contract.download_pdf": ["contracts_documents_download_retrieve"],
    "clause_template.list": ["clause_templates_list"],
    "plan.create": ["contracts_preventive_plans_create"],
    "sla.read": ["sla_calendars_list", "sla_policies_list", "sla_priority_matrix_retrieve",
                 "sla_policies_simulate_retrieve"],
    "calendar.create": ["sla_calendars_create"],
    "calendar.update": ["sla_calendars_update", "sla_calendars_partial_update"],
    "calendar.import_holidays": ["sla_calendars_import_holidays_create"],
    "sla_policy.create": ["sla_policies_create"],
    "sla_policy.update": ["sla_policies_update", "sla_policies_partial_update"],
    "priority_matrix.set": ["sla_priority_matrix_update"],
    "ticket.create": ["tickets_create"],
    "ticket.reply": ["tickets_messages_create"],
    "ticket.note": ["tickets_messages_create"],
    "ticket.change_status": ["tickets_status_create"],
    "ticket.take": ["tickets_take_create"],
    "ticket.set_priority": ["tickets_priority_create"],
    "ticket.assign": ["tickets_assign_create"],
    "intervention.log": ["tickets_interventions_create"],
    "attachment.add": ["tickets_attachments_create"],
    "audit.read": ["audit_events_list"],
    "membership.list": ["members_list"],
    "login_lockout.list": ["login_lockouts_list"],
    "login_lockout.reset": ["login_lockouts_create"],
    "tenant_settings.edit": ["settings_retrieve", "settings_partial_update"],
    "billing.read": ["invoices_list", "invoices_retrieve", "contracts_hour_bank_retrieve"],
    "billing.run": ["billing_runs_create", "billing_runs_list"],
    "invoice.issue": ["invoices_issue_create"],
    "payment.record": ["invoices_payments_create"],
    "credit_note.create": ["invoices_credit_notes_create"],
    "hour_bank.buy": ["contracts_hour_bank_blocks_create"],
    "hour_bank.adjust": ["contracts_hour_bank_adjustments_create"],
    "invoice.download": ["invoices_pdf_retrieve", "invoices_xml_retrieve"],
    "token.create": ["tokens_create", "service_accounts_tokens_create"],
    "token.revoke": ["tokens_destroy"],
    "service_account.manage": ["service_accounts_create", "service_accounts_destroy",
                               "service_accounts_tokens_create", "service_accounts_tokens_destroy"],
}

# Portal actions that have no endpoint yet, and why. Shrink this list; never grow it
# without a reason a reviewer accepts.
ENDPOINTS.update({
    "billing.settings": ["billing_settings_retrieve", "billing_settings_partial_update"],
    "report.generate": ["reports_regenerate_create"],
    "report.download": ["reports_pdf_retrieve"],
    "canned_reply.list": ["canned_replies_list", "canned_replies_retrieve"],
    "canned_reply.manage": ["canned_replies_create", "canned_replies_destroy"],
    "export.create": ["organizations_exports_create"],
    "export.download": ["exports_download_retrieve"],
    "invitation.resend": ["invitations_resend_create"],
    "invitation.revoke": ["invitations_destroy"],
    "member.change_role": ["members_partial_update"],
    "member.deactivate": ["members_deactivate_create"],
    "member.invite": ["invitations_create", "organizations_invitations_create"],
    "member.list": ["members_list", "members_retrieve"],
    "member.reactivate": ["members_reactivate_create"],
    "personal_data.erase": ["personal_data_erase_create"],
    "personal_data.export": ["personal_data_export_create"],
    "ticket.rate": ["tickets_rating_create"],
    "mailbox.edit": ["mailbox_retrieve", "mailbox_update"],
    "mail_quarantine.review": ["mail_quarantine_list", "mail_quarantine_retrieve", "mail_quarantine_release_create",
                               "mail_quarantine_discard_create"],
    "webhook.create": ["webhooks_create"],
    "webhook.delete": ["webhooks_destroy"],
    "webhook.list": ["webhooks_list", "webhooks_retrieve", "webhooks_deliveries_list"],
    "webhook.test": ["webhooks_test_create"],
    "webhook.update": ["webhooks_partial_update", "webhooks_secret_create"],
    "ticket.work": ["tickets_work_create"],
    "dashboard.contracts": ["dashboard_contracts_retrieve"],
    "dashboard.service": ["dashboard_service_retrieve"],
    "invoice.render_pdf": ["invoices_pdf_render_create"],
    "member.reset_two_factor": ["members_reset_two_factor_create"],
    "support_desk.edit": ["support_desk_retrieve", "support_desk_partial_update"],
    "hour_bank.sync": ["contracts_hour_bank_sync_create"],
    "contract.list_renewals": ["contracts_renewals_list"],
    "clause_template.save": ["clause_templates_create", "clause_templates_partial_update"],
})

NOT_YET: dict[str, str] = {
}


@pytest.fixture(scope="module")
def operation_ids() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {op["operationId"] for item in schema["paths"].values() for op in item.values() if "operationId" in op}


def test_every_portal_action_has_an_endpoint():
    missing = sorted(set(POLICY) - set(ENDPOINTS) - set(NOT_YET))
    assert missing == [], f"add an API endpoint for these actions (and map it in ENDPOINTS): {missing}"


def test_it_maps_no_action_the_policy_does_not_have():
    assert sorted((set(ENDPOINTS) | set(NOT_YET)) - set(POLICY)) == []


def test_an_action_with_an_endpoint_is_not_also_listed_as_missing():
    assert sorted(set(ENDPOINTS) & set(NOT_YET)) == []


@pytest.mark.parametrize("action", sorted(ENDPOINTS))
def test_each_mapped_operation_exists_in_the_schema(action, operation_ids):
    assert sorted(set(ENDPOINTS[action]) - operation_ids) == []
