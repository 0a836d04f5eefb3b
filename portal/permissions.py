"""Who may do what: THE policy table, the only place that decides.

Every service states its rule once, by asking this table before it writes
(`require(actor, "contract.send", contract)`); views and API views call the service and
let its refusal through (403, or 404 for what the actor may not even see). Pages ask
the same table to hide what a user may not use (`can(...)`, the `{% can %}` tag and the
`|can` filter of `portal.templatetags.policy`), and role-restricted reads name an action
too (`@tenant_required(action="audit.read")`, `PolicyPermission("audit.read")`), so no
view compares roles. `tests/portal/test_permissions.py` walks this table and every
service: the table is the documentation (`policy_table()` lists it as rows).

An action is `<entity>.<verb>`. Its rule is the set of roles allowed and, optionally, an
object rule: a small predicate on the object acted on (and on named details of the
action, such as the status a ticket moves to). The actor must also belong to the
object's tenant. An object rule that fails answers 403, or 404 when the rule is marked
`hide` (the object is outside what the actor may see at all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from portal.models import CLIENT_ROLES, PROVIDER_ROLES, Membership, Role
from portal.tenancy import membership_for

__all__ = ["POLICY", "PolicyRule", "UnknownAction", "can", "policy_table", "require", "roles_allowed"]

ADMINS = frozenset({Role.TENANT_ADMIN})
EDITORS = frozenset({Role.TENANT_ADMIN, Role.ACCOUNT_MANAGER})  # parties and contracts
PROVIDERS = PROVIDER_ROLES
EVERYONE = PROVIDER_ROLES | CLIENT_ROLES
# The reversibility export: who manages the client relationship, and the client's administrator.
EXPORTERS = frozenset({Role.TENANT_ADMIN, Role.ACCOUNT_MANAGER, Role.CLIENT_ADMIN})

# The only status changes a client may make: accept a resolution (the ticket is closed)
# or reject it (back in progress, with what is still wrong).
CLIENT_STATUS_CHANGES = frozenset({("resolved", "closed"), ("resolved", "in_progress")})


class UnknownAction(LookupError):
    """An action missing from the table: a programming error, never a refusal."""


ObjectRule = Callable[..., bool]


@dataclass(frozen=True)
class PolicyRule:
    roles: frozenset[str]
    check: ObjectRule | None = None
    check_doc: str = ""
    hide: bool = False  # a failed object rule answers 404 instead of 403


# ---------------------------------------------------------------------- object rules


def _own_organization(attribute: str, doc: str, *, hide: bool = False) -> dict[str, Any]:
    """Provider staff act on any object of their tenant; a client only on its own
    organisation's (`attribute` names the object's organisation id)."""

    def check(membership: Membership, obj, **_details) -> bool:
        return membership.is_provider or getattr(obj, attribute) == membership.organization_id

    return {"check": check, "check_doc": doc, "hide": hide}


def _contract_pdf(membership: Membership, contract, **_details) -> bool:
    if membership.is_provider:
        return True
    return contract.client_id == membership.organization_id and contract.status != "draft"


def _status_change(membership: Membership, ticket, to: str | None = None, **_details) -> bool:
    """Clients: their organisation's tickets, and only to accept or reject a resolution.
    Without `to`, whether the client has any such change to make now (for pages)."""
    if membership.is_provider:
        return True
    if ticket.organization_id != membership.organization_id:
        return False
    if to is None:
        return any(frm == ticket.status for frm, _to in CLIENT_STATUS_CHANGES)
    return (ticket.status, to) in CLIENT_STATUS_CHANGES


def _invoice_document(membership: Membership, invoice, **_details) -> bool:
    """An invoice's documents (PDF, XML, credit notes): never a draft's; clients only
    their organisation's."""
    if invoice.status == "draft":
        return False
    return membership.is_provider or invoice.client_id == membership.organization_id


def _own_token(membership: Membership, token, **_details) -> bool:
    return token.user_id == membership.user_id


def _invite(membership: Membership, invitation, **_details) -> bool:
    """Client administrators invite only into their own organisation, with a client role."""
    if membership.is_provider:
        return True
    return invitation.role in CLIENT_ROLES and invitation.organization_id == membership.organization_id


def _colleague(membership: Membership, member, **_details) -> bool:
    """Client administrators manage only the people (and invitations) of their own
    organisation (404 for anyone else)."""
    if membership.is_provider:
        return True
    return member.role in CLIENT_ROLES and member.organization_id == membership.organization_id


PEOPLE_MANAGERS = ADMINS | {Role.CLIENT_ADMIN}
COLLEAGUES = {"check": _colleague, "hide": True,
              "check_doc": "client administrators: only the people of their organisation (404 otherwise)"}

CLIENT_TICKETS = _own_organization("organization_id", "clients: only their organisation's tickets")

# ---------------------------------------------------------------------- the table

POLICY: dict[str, PolicyRule] = {
    # Parties
    "organization.create": PolicyRule(EDITORS),
    "organization.update": PolicyRule(EDITORS),
    "contact.create": PolicyRule(EDITORS),
    "contact.update": PolicyRule(EDITORS),
    "contact.delete": PolicyRule(EDITORS),
    # Contracts: drafting, lifecycle, documents, clause library, preventive plans
    "contract.create": PolicyRule(EDITORS),
    "contract.update": PolicyRule(EDITORS),
    "contract.set_scope": PolicyRule(EDITORS),
    "contract.set_clauses": PolicyRule(EDITORS),
    "contract.clause_update": PolicyRule(EDITORS),
    "contract.send": PolicyRule(EDITORS),
    "contract.activate": PolicyRule(EDITORS),
    "contract.suspend": PolicyRule(EDITORS),
    "contract.resume": PolicyRule(EDITORS),
    "contract.terminate": PolicyRule(EDITORS),
    "contract.renew": PolicyRule(EDITORS),
    "contract.amend": PolicyRule(EDITORS),
    "contract.render_pdf": PolicyRule(EDITORS),
    "contract.download_pdf": PolicyRule(
        EVERYONE, check=_contract_pdf, hide=True,
        check_doc="clients: only their organisation's contracts, never a draft (404 otherwise)"),
    "contract.list_renewals": PolicyRule(PROVIDERS),
    "clause_template.list": PolicyRule(PROVIDERS),
    "clause_template.save": PolicyRule(EDITORS),
    "plan.create": PolicyRule(EDITORS),
    # Service levels: provider staff read, tenant administrators change
    "sla.read": PolicyRule(PROVIDERS),
    "calendar.create": PolicyRule(ADMINS),
    "calendar.update": PolicyRule(ADMINS),
    "calendar.import_holidays": PolicyRule(ADMINS),
    "sla_policy.create": PolicyRule(ADMINS),
    "sla_policy.update": PolicyRule(ADMINS),
    "priority_matrix.set": PolicyRule(ADMINS),
    # Tickets
    "ticket.create": PolicyRule(EVERYONE),
    "ticket.reply": PolicyRule(EVERYONE, **CLIENT_TICKETS),
    "ticket.note": PolicyRule(PROVIDERS),
    "ticket.change_status": PolicyRule(
        EVERYONE, check=_status_change,
        check_doc="clients: only their organisation's tickets, to accept (resolved → closed) "
                  "or reject (resolved → in progress) a resolution"),
    "ticket.take": PolicyRule(PROVIDERS),
    "ticket.set_priority": PolicyRule(PROVIDERS),
    "ticket.assign": PolicyRule(PROVIDERS),
    "intervention.log": PolicyRule(PROVIDERS),
    # The ticket page's composer: reply or note, next status, time spent, in one submit.
    "ticket.work": PolicyRule(PROVIDERS),
    # Satisfaction: the client of a closed ticket; a tenant administrator may record a
    # rating given by phone.
    "ticket.rate": PolicyRule(
        CLIENT_ROLES | ADMINS, **_own_organization("organization_id", "clients: only their organisation's tickets "
                                                                     "(404 otherwise)", hide=True)),
    "canned_reply.list": PolicyRule(PROVIDERS),
    "canned_reply.manage": PolicyRule(ADMINS),
    "support_desk.edit": PolicyRule(ADMINS),
    "attachment.add": PolicyRule(EVERYONE, **CLIENT_TICKETS),
    # The tenant
    "audit.read": PolicyRule(ADMINS),
    # The dashboards' tenant-wide figures (home.dashboards): the contract pipeline and
    # recurring revenue; the service's SLA compliance, backlog and breaches by client.
    "dashboard.contracts": PolicyRule(EDITORS),
    "dashboard.service": PolicyRule(ADMINS),
    "membership.list": PolicyRule(ADMINS),
    # People: tenant administrators manage everyone of the tenant, client administrators
    # the people of their own organisation (client roles only).
    "member.list": PolicyRule(PEOPLE_MANAGERS),
    "member.invite": PolicyRule(
        PEOPLE_MANAGERS, check=_invite,
        check_doc="client administrators: only into their organisation, with a client role"),
    "member.change_role": PolicyRule(PEOPLE_MANAGERS, **COLLEAGUES),
    "member.deactivate": PolicyRule(PEOPLE_MANAGERS, **COLLEAGUES),
    "member.reactivate": PolicyRule(PEOPLE_MANAGERS, **COLLEAGUES),
    "member.reset_two_factor": PolicyRule(ADMINS),
    "invitation.resend": PolicyRule(PEOPLE_MANAGERS, **COLLEAGUES),
    "invitation.revoke": PolicyRule(PEOPLE_MANAGERS, **COLLEAGUES),
    "login_lockout.list": PolicyRule(ADMINS),
    "login_lockout.reset": PolicyRule(ADMINS),
    "tenant_settings.edit": PolicyRule(ADMINS),
    # Billing (reading is scoped by the selectors: clients see their organisation's only)
    "billing.read": PolicyRule(EVERYONE),
    "billing.settings": PolicyRule(ADMINS),
    "billing.run": PolicyRule(ADMINS),
    "invoice.issue": PolicyRule(EDITORS),
    "payment.record": PolicyRule(EDITORS),
    "credit_note.create": PolicyRule(EDITORS),
    "hour_bank.buy": PolicyRule(EDITORS),
    "hour_bank.adjust": PolicyRule(ADMINS),
    # Technicians refresh the balance before logging work (the ticket page).
    "hour_bank.sync": PolicyRule(PROVIDERS),
    # Billing documents: Factur-X invoices and credit notes, monthly reports
    "invoice.render_pdf": PolicyRule(EDITORS),
    "invoice.download": PolicyRule(
        EVERYONE, check=_invoice_document, hide=True,
        check_doc="never a draft; clients: only their organisation's invoices and credit notes (404 otherwise)"),
    "report.generate": PolicyRule(EDITORS),
    "report.download": PolicyRule(
        EVERYONE, **_own_organization("client_id", "clients: only their organisation's contracts' reports "
                                                   "(404 otherwise)", hide=True)),
    # Integrations: webhook subscriptions and their delivery log
    "webhook.list": PolicyRule(ADMINS),
    "webhook.create": PolicyRule(ADMINS),
    "webhook.update": PolicyRule(ADMINS),
    "webhook.delete": PolicyRule(ADMINS),
    "webhook.test": PolicyRule(ADMINS),
    # Tickets by e-mail: the support mailbox's settings, and the quarantine of the
    # messages that became no ticket (provider staff release or discard them)
    "mailbox.edit": PolicyRule(ADMINS),
    "mail_quarantine.review": PolicyRule(PROVIDERS),
    # The reversibility export of a client organisation (a ZIP of all its data)
    "export.create": PolicyRule(EXPORTERS, **_own_organization(
        "id", "client administrators: only their own organisation (404 otherwise)", hide=True)),
    "export.download": PolicyRule(EXPORTERS, **_own_organization(
        "organization_id", "client administrators: only their own organisation's exports (404 otherwise)",
        hide=True)),
    # Personal data (GDPR): export what is held about a person, erase (anonymise) them
    "personal_data.export": PolicyRule(ADMINS),
    "personal_data.erase": PolicyRule(ADMINS),
    "token.create": PolicyRule(EVERYONE),
    "token.revoke": PolicyRule(EVERYONE, check=_own_token, hide=True,
                               check_doc="only one's own tokens (404 otherwise)"),
    # Service accounts (integrations of the tenant) and their tokens
    "service_account.manage": PolicyRule(ADMINS),
}


# ---------------------------------------------------------------------- asking


def _rule(action: str) -> PolicyRule:
    try:
        return POLICY[action]
    except KeyError:
        raise UnknownAction(f"no policy for {action!r}: add it to portal.permissions.POLICY") from None


def _membership(actor) -> Membership | None:
    if actor is None or isinstance(actor, Membership):
        return actor
    return membership_for(actor)


class _System:
    """The actor of scheduled jobs and commands (e.g. billing suspending a contract for an
    unpaid invoice): logged as "system". Never a request's user, so no view can pass it."""

    pk = None
    email = "system"

    def __str__(self) -> str:
        return "system"


SYSTEM = _System()


def require(actor, action: str, obj=None, *, tenant=None, **details) -> Membership | None:
    """The actor's membership if the policy lets it do `action` (on `obj`, in `tenant`).

    `actor` is a user or a membership. The actor must belong to `tenant`, or to `obj`'s
    tenant. With `obj`, the action's object rule applies too, given `details` (e.g.
    `to="closed"` for a ticket's status). Raises PermissionDenied, or Http404 when the
    object is outside what the actor may see.
    """
    rule = _rule(action)
    if actor is SYSTEM:  # scheduled jobs act for the tenant itself
        return None
    membership = _membership(actor)
    if membership is None or membership.role not in rule.roles:
        raise PermissionDenied(_("Your role does not allow this action."))
    tenant_id = tenant.pk if tenant is not None else getattr(obj, "tenant_id", None)
    if tenant_id is not None and membership.tenant_id != tenant_id:
        raise PermissionDenied(_("Your role does not allow this action."))
    if obj is not None and rule.check is not None and not rule.check(membership, obj, **details):
        if rule.hide:
            raise Http404(_("Not found."))
        raise PermissionDenied(_("Your role does not allow this action."))
    return membership


def can(actor, action: str, obj=None, **details) -> bool:
    """Whether `require` would let the actor do `action`: for pages that hide what a
    user may not use. An unknown action raises, it is not a quiet no."""
    try:
        require(actor, action, obj, **details)
    except (PermissionDenied, Http404):
        return False
    return True


def roles_allowed(action: str) -> frozenset[str]:
    """The roles the table allows for `action` (e.g. who a ticket can be assigned to:
    those who may take it)."""
    return _rule(action).roles


def policy_table() -> list[tuple[str, list[str], str]]:
    """The table as rows (action, roles in the order of `Role`, object rule), for
    documentation."""
    return [
        (action, [r for r in Role.values if r in rule.roles], rule.check_doc)
        for action, rule in POLICY.items()
    ]

