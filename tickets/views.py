"""Portal pages for tickets: the technicians' queue, the client's list and request
form, the ticket page with its conversation, SLA panel and actions, and the preventive
plans panel of the contract page with its form."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from contracts.models import ContractStatus, CoveredItem
from contracts.panels import Panel
from contracts.selectors.contracts import contract_list
from contracts.selectors.parties import organization_list
from contracts.views.contracts import contract_action
from portal import selectors as portal_selectors
from portal.api.pagination import CappedPaginator
from portal.decorators import tenant_required
from portal.downloads import file_response
from portal.exceptions import ApplicationError, UnprocessableError
from portal.forms_util import message_errors
from portal.pages import form_page
from portal.permissions import can, require
from portal.validators import TEXT_MAX_LENGTH
from sla.models import MaintenanceType, Priority
from tickets import attachments, display, selectors, services
from tickets.forms import (
    AssignForm,
    InterventionForm,
    PlanForm,
    PriorityForm,
    ReplyForm,
    StatusForm,
    TicketForm,
)
from tickets.models import TicketStatus
from tickets.panels import work_notes
from tickets.plans import plan_create, plan_progress


def _team(tenant):
    """Who a ticket can be assigned to: those the policy lets take tickets."""
    return portal_selectors.users_who_may(tenant=tenant, action="ticket.take")


@tenant_required()
def ticket_list(request):
    """Provider staff: the queue of open tickets, most urgent first. Clients: their tickets."""
    p = request.GET
    viewer = request.membership
    filters = {
        "mine": p.get("mine") == "1", "unassigned": p.get("unassigned") == "1", "client_ref": p.get("client", ""),
        "contract_ref": p.get("contract", ""), "priority": p.get("priority", ""),
        "maintenance_type": p.get("maintenance_type", ""), "status": p.get("status", ""),
        "breached": True if p.get("breached") == "1" else None, "at_risk": p.get("at_risk") == "1",
        "search": p.get("q", "").strip(),
    }
    open_only = viewer.is_provider and p.get("all") != "1"
    tickets = selectors.ticket_list(tenant=request.tenant, viewer=viewer, open_only=open_only, **filters)
    page = CappedPaginator(tickets, 50).get_page(p.get("page"))
    rows = [(t, display.badge(t)) for t in page]
    context = {"page": page, "rows": rows, "p": p, "priorities": Priority.choices,
               "types": MaintenanceType.choices, "statuses": TicketStatus.choices}
    if viewer.is_provider:
        context["team"] = _team(request.tenant)
        context["clients"] = organization_list(tenant=request.tenant, viewer=viewer, kind="client")
    template = "tickets/queue.html" if viewer.is_provider else "tickets/client_list.html"
    if request.headers.get("HX-Request"):
        template = "tickets/snippets/queue_table.html" if viewer.is_provider else template
    return render(request, template, context)


@require_POST
@tenant_required(action="ticket.assign")
def ticket_bulk_assign(request):
    refs = request.POST.getlist("tickets")
    assignee_id = request.POST.get("assignee") or None
    assignee = _team(request.tenant).filter(pk=assignee_id).first() if assignee_id else None
    if assignee_id and assignee is None:
        messages.error(request, _("Assign the ticket to a member of your team."))
        return redirect("ticket-list")
    # All or nothing: every reference is resolved (404 if one is not visible) before any change.
    tickets = [selectors.ticket_get(tenant=request.tenant, viewer=request.membership, reference=ref) for ref in refs]
    with transaction.atomic():
        count = services.tickets_assign_bulk(tenant=request.tenant, actor=request.user, tickets=tickets,
                                             assignee=assignee)
    messages.success(request, _("%(n)s ticket(s) assigned.") % {"n": count})
    return redirect("ticket-list")


@tenant_required()
def ticket_create(request):
    viewer = request.membership
    contracts = contract_list(tenant=request.tenant, viewer=viewer).filter(
        status__in=[ContractStatus.ACTIVE, ContractStatus.SUSPENDED])
    items = CoveredItem.objects.filter(tenant=request.tenant, contract__in=contracts).select_related("contract")
    form = TicketForm(request.POST or None, request.FILES or None, contracts=contracts, items=items)

    @transaction.atomic
    def save(data):
        ticket = services.ticket_create(
            tenant=request.tenant, actor=request.user, contract=data["contract"], title=data["title"],
            description=data["description"], maintenance_type=data["maintenance_type"],
            impact=data["impact"], urgency=data["urgency"], covered_item=data["covered_item"],
        )
        if data.get("attachment"):
            attachments.attachment_add(ticket=ticket, actor=request.user, upload=data["attachment"])
        return ticket

    return form_page(
        request, form, template="tickets/ticket_form.html", context={"has_contracts": contracts.exists()}, save=save,
        success=lambda ticket: _("Ticket %(ref)s opened. We will get back to you.") % {"ref": ticket.reference},
        success_url=lambda ticket: reverse("ticket-detail", args=[ticket.reference]),
    )


@tenant_required()
def ticket_detail(request, ticket_ref: str):
    viewer = request.membership
    ticket = selectors.ticket_get(tenant=request.tenant, viewer=viewer, reference=ticket_ref)
    is_provider = viewer.is_provider
    explain = None
    if is_provider and ticket.sla_policy_id and ticket.sla_state:
        explain = _explain(ticket)
    context = {
        "ticket": ticket,
        "badge": display.badge(ticket),
        "sentences": display.sentences(ticket),
        "messages_list": selectors.ticket_messages(ticket=ticket, viewer=viewer),
        "attachments": selectors.ticket_attachments(ticket=ticket, viewer=viewer).filter(message__isnull=True),
        "interventions": selectors.ticket_interventions(ticket=ticket),
        "history": selectors.ticket_history_visible(ticket=ticket, viewer=viewer),
        "reply_form": ReplyForm(initial={"idempotency_key": uuid.uuid4().hex,
                                         **request.session.pop(_draft_key(ticket), {})}),
        "status_form": StatusForm(),
        "priority_form": PriorityForm(initial={"priority": ticket.priority}),
        "assign_form": AssignForm(team=_team(request.tenant), initial={"assignee": ticket.assignee_id})
        if is_provider else None,
        "intervention_form": InterventionForm(initial={"date": timezone.localdate(), "mode": "remote"}),
        "explain": explain,
        # The client's own answer to a resolution (provider staff have the workflow's buttons).
        "can_accept": viewer.is_client and can(viewer, "ticket.change_status", ticket, to=TicketStatus.CLOSED),
        # What the apps above tickets say to whoever logs work (billing's hour bank): tickets.panels.
        "work_notes": work_notes(request, ticket) if can(viewer, "intervention.log", ticket) else [],
    }
    return render(request, "tickets/ticket_detail.html", context)


def _explain(ticket):
    """The resolution metric's timeline (running, outside hours, paused), for the SLA panel."""
    from sla import state as sla_state
    from tickets.sla import _clock, state_events

    try:
        events = state_events(ticket, selectors.ticket_history(ticket=ticket))
        return sla_state.explain(calendar=_clock(ticket.sla_policy), events=events, now=timezone.now(),
                                 metric="resolution", warning_percent=ticket.sla_policy.warning_percent)
    except ValueError:
        return None


def _ticket_action(handler, action: str, **details):
    """A POST action on a ticket: 404 outside the viewer's scope, then the policy for
    `action` (403, before the form is even read), then the service (which asks again,
    and answers a refused change with a message)."""

    @require_POST
    @tenant_required()
    def view(request, ticket_ref: str):
        ticket = selectors.ticket_get(tenant=request.tenant, viewer=request.membership, reference=ticket_ref)
        require(request.membership, action, ticket, **details)
        try:
            handler(request, ticket)
        except ValidationError as exc:
            message_errors(request, exc)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("ticket-detail", ticket_ref=ticket.reference)

    view.__name__ = handler.__name__.lstrip("_")
    return view


def _take(request, ticket):
    services.ticket_take(ticket=ticket, actor=request.user)
    messages.success(request, _("You have taken this ticket."))


def _draft_key(ticket) -> str:
    return f"reply-draft-{ticket.pk}"


def _reply(request, ticket):
    form = ReplyForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        internal = form.cleaned_data["internal"] and can(request.membership, "ticket.note", ticket)
        services.ticket_reply(ticket=ticket, actor=request.user, body=form.cleaned_data["body"], internal=internal,
                              idempotency_key=form.cleaned_data["idempotency_key"],
                              attachment=form.cleaned_data.get("attachment"))
    except UnprocessableError as exc:
        # The form's hidden key was sent before with another content (e.g. edited after "back").
        raise ApplicationError(_("This form was already sent with another message; that one was kept. "
                                 "Reload the page to send a new message."), code=exc.code) from exc
    except ValidationError:
        # Nothing was saved (one transaction); the page the user is sent back to shows
        # what they typed, so a refused attachment does not cost them their message.
        request.session[_draft_key(ticket)] = {"body": request.POST.get("body", "")[:TEXT_MAX_LENGTH],
                                               "internal": bool(request.POST.get("internal"))}
        raise
    messages.success(request, _("Note added.") if internal else _("Reply sent."))


def _status_handler(target: str, done: str):
    def handler(request, ticket):
        form = StatusForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.ticket_change_status(ticket=ticket, actor=request.user, status=target,
                                      reason=form.cleaned_data.get("reason", ""))
        messages.success(request, done)

    handler.__name__ = f"_status_{target}"
    return handler


def _priority(request, ticket):
    form = PriorityForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form.errors)
    services.ticket_set_priority(ticket=ticket, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Priority changed; the deadlines are recomputed."))


def _assign(request, ticket):
    form = AssignForm(request.POST, team=_team(request.tenant))
    if not form.is_valid():
        raise ValidationError(form.errors)
    services.ticket_assign(ticket=ticket, actor=request.user, assignee=form.cleaned_data["assignee"])
    messages.success(request, _("Assignee saved."))


def _intervention(request, ticket):
    form = InterventionForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form.errors)
    services.intervention_log(ticket=ticket, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Intervention logged."))


def _status_action(target: str, done):
    return _ticket_action(_status_handler(target, done), "ticket.change_status", to=target)


ticket_take = _ticket_action(_take, "ticket.take")
ticket_reply = _ticket_action(_reply, "ticket.reply")
ticket_wait = _status_action(TicketStatus.WAITING_ON_CLIENT, gettext_lazy("Waiting for the client's answer."))
ticket_resume = _status_action(TicketStatus.IN_PROGRESS, gettext_lazy("Back in progress."))
ticket_resolve = _status_action(TicketStatus.RESOLVED, gettext_lazy("Ticket resolved."))
ticket_accept = _status_action(TicketStatus.CLOSED, gettext_lazy("Resolution accepted. Thank you!"))
ticket_priority = _ticket_action(_priority, "ticket.set_priority")
ticket_assign = _ticket_action(_assign, "ticket.assign")
ticket_intervention = _ticket_action(_intervention, "intervention.log")


@require_POST
@tenant_required()
def ticket_reject(request, ticket_ref: str):
    """The client rejects the resolution: back in progress, with what is still wrong."""
    ticket = selectors.ticket_get(tenant=request.tenant, viewer=request.membership, reference=ticket_ref)
    try:
        services.ticket_change_status(ticket=ticket, actor=request.user, status=TicketStatus.IN_PROGRESS,
                                      reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        message_errors(request, exc)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The ticket is back in progress."))
    return redirect("ticket-detail", ticket_ref=ticket.reference)


@tenant_required()
def attachment_download(request, ticket_ref: str, attachment_id: int):
    ticket = selectors.ticket_get(tenant=request.tenant, viewer=request.membership, reference=ticket_ref)
    attachment = selectors.attachment_get(ticket=ticket, viewer=request.membership, attachment_id=attachment_id)
    return file_response(attachments.attachment_path(attachment), filename=attachment.filename,
                         content_type=attachment.content_type)


# ---------------------------------------------------------------------- preventive plans (contract page)


def preventive_plans_panel(request, contract) -> Panel | None:
    """The contract page's panel (contracts.panels, registered in TicketsConfig.ready):
    the plans with planned vs done and their next dates, and the form to add one on an
    active contract for those the policy lets; nothing when there is neither."""
    may_plan = contract.status == ContractStatus.ACTIVE and can(request.membership, "plan.create", contract)
    plans = plan_progress(contract)
    if not plans and not may_plan:
        return None
    form = PlanForm(initial={"start_date": timezone.localdate()}) if may_plan else None
    return Panel("tickets/snippets/contract_plans.html", {"plans": plans, "plan_form": form})


def _plan(request, contract):
    form = PlanForm(request.POST)
    if form.is_valid():
        plan_create(contract=contract, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Preventive plan added."))
    return form


contract_plan = contract_action(_plan, "plan.create")


ORGANIZATION_TICKETS_SHOWN = 20


def organization_tickets_panel(request, organization) -> Panel | None:
    """The organisation page's panel (contracts.panels, registered in TicketsConfig.ready):
    its open tickets the viewer may see, most urgent first (a client user: their own)."""
    tickets = selectors.ticket_list(tenant=request.tenant, viewer=request.membership, open_only=True,
                                    client_ref=organization.reference)
    total = tickets.count()
    return Panel("tickets/snippets/organization_tickets.html",
                 {"tickets": list(tickets[:ORGANIZATION_TICKETS_SHOWN]), "total": total})
