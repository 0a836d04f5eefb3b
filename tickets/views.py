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
from portal.formatting import duration
from portal.forms_util import message_errors
from portal.pages import form_page
from portal.permissions import can, require
from portal.validators import TEXT_MAX_LENGTH
from sla.models import MaintenanceType, Priority
from tickets import attachments, desk, detail_rows, display, selectors, services
from tickets.forms import (
    AssignForm,
    CannedReplyForm,
    ComposerForm,
    InterventionForm,
    PlanForm,
    PriorityForm,
    RatingCommentForm,
    RatingForm,
    ReplyForm,
    StatusForm,
    SupportDeskForm,
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
        "search": p.get("q", "").strip(), "sort": p.get("sort", "")[:20],
    }
    open_only = viewer.is_provider and p.get("all") != "1"
    tickets = selectors.ticket_list(tenant=request.tenant, viewer=viewer, open_only=open_only, **filters)
    if viewer.is_provider:  # the queue's rows name the client and the assignee only (display.queue_rows)
        tickets = tickets.select_related(None).select_related("organization", "assignee")
    count_order = selectors.ticket_count_order(viewer=viewer, open_only=open_only)
    page = CappedPaginator(tickets, 50, count_order=count_order).get_page(p.get("page"))
    if viewer.is_provider:  # plain rows: no include, method call or reverse() per row
        rows = display.queue_rows(page)
    else:
        rows = display.badges(page, for_client=True)
    context = {"page": page, "rows": rows, "p": p, "priorities": Priority.choices, "columns": _columns(p),
               "types": MaintenanceType.choices, "statuses": TicketStatus.choices}
    if viewer.is_provider:
        context["team"] = _team(request.tenant)
        context["clients"] = organization_list(tenant=request.tenant, viewer=viewer, kind="client")
    template = "tickets/queue.html" if viewer.is_provider else "tickets/client_list.html"
    if request.headers.get("HX-Request"):
        template = "tickets/snippets/queue_table.html" if viewer.is_provider else template
    return render(request, template, context)


def _columns(p) -> list[tuple[str, str, str, str]]:
    """The queue's sortable columns: (key, label, link, arrow). A link keeps the current
    filters and sorts by its column (the other way round when it is already the order)."""
    current = p.get("sort", "")
    labels = {"ticket": _("Ticket"), "client": _("Client"), "priority": _("Priority"), "status": _("Status"),
              "assignee": _("Assignee")}
    out = []
    for key, label in labels.items():
        query = p.copy()
        query.pop("page", None)
        query["sort"] = f"-{key}" if current == key else key
        arrow = "↑" if current == key else "↓" if current == f"-{key}" else ""
        out.append((key, label, query.urlencode(), arrow))
    return out


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
        request, form, template="tickets/ticket_form.html", save=save,
        context={"has_contracts": contracts.exists(), "file_dropped": request.method == "POST" and bool(request.FILES)},
        success=lambda ticket: _("Ticket %(ref)s opened. We will get back to you.") % {"ref": ticket.reference},
        success_url=lambda ticket: reverse("ticket-detail", args=[ticket.reference]),
    )


@tenant_required()
def ticket_detail(request, ticket_ref: str):
    viewer = request.membership
    ticket = selectors.ticket_get(tenant=request.tenant, viewer=viewer, reference=ticket_ref)
    is_provider = viewer.is_provider
    # The badge's clock and the SLA panel's come from the process's SLA configuration
    # (sla.config_cache: a calendar edit gives the tenant a new token), not a read of the
    # calendar's versions on every page.
    history = list(selectors.ticket_history_visible(ticket=ticket, viewer=viewer))  # read once, shown and explained
    explain = None
    if is_provider and ticket.sla_policy_id and ticket.sla_state:
        explain = _explain(ticket, history)
    may_log = can(viewer, "intervention.log", ticket)
    # The team, read once: the assignee's options and the names in the history.
    assign_form = AssignForm(team=_team(request.tenant), initial={"assignee": ticket.assignee_id}) \
        if is_provider else None
    team = list(assign_form.fields["assignee"].queryset) if assign_form is not None and history else ()
    context = {
        "ticket": ticket,
        "badge": display.badge(ticket, for_client=viewer.is_client),
        "sentences": display.sentences(ticket, for_client=viewer.is_client),
        # The long lists, printed by tickets.detail_rows (no template node per row).
        "thread": detail_rows.thread(ticket, *detail_rows.conversation(ticket, viewer)),
        "interventions": detail_rows.interventions(selectors.ticket_interventions(ticket=ticket),
                                                   billable_column=is_provider),
        "history": detail_rows.history(display.history_rows(history, people=team)),
        # What the page offers, asked to the policy once here rather than by {% can %} tags.
        "may_note": can(viewer, "ticket.note", ticket),
        "may_take": can(viewer, "ticket.take", ticket),
        "may_assign": can(viewer, "ticket.assign", ticket),
        "may_prioritise": can(viewer, "ticket.set_priority", ticket),
        "may_log": may_log,
        "may_manage_canned": can(viewer, "canned_reply.manage"),
        "reply_form": ReplyForm(initial={"idempotency_key": uuid.uuid4().hex,
                                         **request.session.pop(_draft_key(ticket), {})}),
        "composer": ComposerForm(initial={"idempotency_key": uuid.uuid4().hex, "next_status": "in_progress",
                                          "mode": "remote", "billable": True,
                                          **request.session.pop(_composer_key(ticket), {})})
        if can(viewer, "ticket.work", ticket) and ticket.status != TicketStatus.CLOSED else None,
        "canned_replies": selectors.canned_reply_list(tenant=request.tenant, viewer=viewer)
        if can(viewer, "canned_reply.list") else [],
        "resolution": _resolution(ticket, viewer),
        # Only a closed ticket is ever rated.
        "rating": selectors.ticket_rating(ticket=ticket) if ticket.status == TicketStatus.CLOSED else None,
        "rating_form": RatingForm() if ticket.status == TicketStatus.CLOSED and viewer.is_client
        and can(viewer, "ticket.rate", ticket) else None,
        "status_form": StatusForm(),
        "priority_form": PriorityForm(initial={"priority": ticket.priority}),
        "assign_form": assign_form,
        "intervention_form": InterventionForm(initial={"date": timezone.localdate(), "mode": "remote"}),
        "explain": detail_rows.timeline(explain) if explain else None,
        # The client's own answer to a resolution (provider staff have the workflow's buttons).
        "can_accept": viewer.is_client and can(viewer, "ticket.change_status", ticket, to=TicketStatus.CLOSED),
        # What the apps above tickets say to whoever logs work (billing's hour bank): tickets.panels.
        "work_notes": work_notes(request, ticket) if may_log else [],
    }
    return render(request, "tickets/ticket_detail.html", context)


def _resolution(ticket, viewer):
    """What was done, put in front of the client who accepts or reopens."""
    if ticket.status != TicketStatus.RESOLVED:
        return None
    from tickets.notifications import resolution_text

    return resolution_text(ticket)


def _explain(ticket, history):
    """The resolution metric's timeline (running, outside hours, paused), for the SLA panel
    (`history`: the ticket's whole history, as provider staff read it)."""
    from sla import state as sla_state
    from tickets.sla import _clock, state_events

    try:
        events = state_events(ticket, history)
        segments = sla_state.explain(calendar=_clock(ticket.sla_policy), events=events, now=timezone.now(),
                                     metric="resolution", warning_percent=ticket.sla_policy.warning_percent)
    except ValueError:
        return None
    # Printed as they are shown (a few dozen rows: no filter call per cell).
    return [{"start": display.stamp(s.start, "%d/%m %H:%M"), "end": display.stamp(s.end, "%d/%m %H:%M"),
             "kind": s.kind, "cumulative": duration(s.cumulative_minutes)} for s in segments]


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


def _composer_key(ticket) -> str:
    return f"composer-draft-{ticket.pk}"


DONE = {
    "in_progress": gettext_lazy("Sent."),
    "waiting_on_client": gettext_lazy("Question sent: the ticket waits for the client's answer (the SLA clock is "
                                      "paused)."),
    "resolved": gettext_lazy("Resolution sent: the client is asked whether it is solved."),
}


def _work(request, ticket):
    """The composer: reply or note, next status, time spent; one submit, one transaction."""
    form = ComposerForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        data = form.cleaned_data
        minutes = data.get("minutes")
        services.ticket_work(
            ticket=ticket, actor=request.user, body=data["body"],
            internal=data["internal"] and can(request.membership, "ticket.note", ticket),
            next_status=data["next_status"], minutes=minutes, mode=(data.get("mode") or "remote") if minutes else "",
            billable=data["billable"], idempotency_key=data["idempotency_key"], attachment=data.get("attachment"))
    except UnprocessableError as exc:
        raise ApplicationError(_("This form was already sent with another message; that one was kept. "
                                 "Reload the page to send a new message."), code=exc.code) from exc
    except ValidationError:
        # Nothing was saved; the page shows again what was typed (a file cannot be kept).
        request.session[_composer_key(ticket)] = {
            "body": request.POST.get("body", "")[:TEXT_MAX_LENGTH], "internal": bool(request.POST.get("internal")),
            "next_status": request.POST.get("next_status", "in_progress")[:20],
            "minutes": request.POST.get("minutes", "")[:5], "mode": request.POST.get("mode", "remote")[:8],
            "billable": bool(request.POST.get("billable"))}
        if request.FILES:
            messages.warning(request, _("Nothing was sent: attach the file again."))
        raise
    done = [str(DONE[data["next_status"]])]
    if minutes:
        done.append(_("%(n)s min logged.") % {"n": minutes})
    messages.success(request, " ".join(done))


def _rate(request, ticket):
    form = RatingForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form.errors)
    services.ticket_rate(ticket=ticket, actor=request.user, score=form.cleaned_data["score"],
                         comment=form.cleaned_data["comment"])
    messages.success(request, _("Thank you for your rating."))


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
ticket_work = _ticket_action(_work, "ticket.work")
ticket_rate = _ticket_action(_rate, "ticket.rate")


def rating_link(request, rating_token: str, score: str):
    """One click in the closing e-mail: the signed link records the rating (no login:
    the link stands for its recipient), then the page asks for a comment. Opened in
    someone else's session, the link is refused like a missing page."""
    from django.http import Http404
    from django.utils import translation

    from portal.outbox import user_language
    from tickets.models import RatingScore

    if score not in RatingScore.values:
        raise Http404(_("Not found."))
    ticket, user = services.rating_link_ticket(rating_token)
    if request.user.is_authenticated and request.user.pk != user.pk:
        raise Http404(_("Not found."))
    with translation.override(user_language(user)):
        form = RatingCommentForm(request.POST or None)
        saved = False
        error = ""
        try:
            if request.method == "POST" and form.is_valid():
                services.ticket_rate_by_link(token=rating_token, score=score, comment=form.cleaned_data["comment"])
                saved = True
            elif request.method != "POST":
                services.ticket_rate_by_link(token=rating_token, score=score)
        except ApplicationError as exc:
            error = exc.message
        return render(request, "tickets/rating_link.html", {
            "ticket": ticket, "score": score, "form": form, "saved": saved, "error": error,
            "score_label": RatingScore(score).label})



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


# ---------------------------------------------------------------------- the support desk's settings


@tenant_required(action="canned_reply.list")
def canned_reply_list(request):
    """The tenant's canned replies; tenant administrators add, change and delete them."""
    may_manage = can(request.membership, "canned_reply.manage")
    form = CannedReplyForm(request.POST or None)
    replies = selectors.canned_reply_list(tenant=request.tenant, viewer=request.membership)
    return form_page(
        request, form, template="tickets/canned_replies.html", action="canned_reply.manage", readers_see_page=True,
        context={"replies": replies, "may_manage": may_manage,
                 "desk": selectors.support_desk(tenant=request.tenant)},
        save=lambda d: desk.canned_reply_create(tenant=request.tenant, actor=request.user, **d),
        success=_("Canned reply added."), success_url="canned-reply-list")


@tenant_required()  # the lookup first: what a client cannot see is a 404
def canned_reply_edit(request, canned_reply_id: int):
    reply = selectors.canned_reply_get(tenant=request.tenant, viewer=request.membership,
                                       canned_reply_id=canned_reply_id)
    form = CannedReplyForm(request.POST or None, initial={"title": reply.title, "language": reply.language,
                                                          "body": reply.body})
    return form_page(
        request, form, template="tickets/canned_reply_form.html", action="canned_reply.manage", obj=reply,
        context={"reply": reply},
        save=lambda d: desk.canned_reply_update(reply=reply, actor=request.user, **d),
        success=_("Canned reply saved."), success_url="canned-reply-list")


@require_POST
@tenant_required()
def canned_reply_delete(request, canned_reply_id: int):
    reply = selectors.canned_reply_get(tenant=request.tenant, viewer=request.membership,
                                       canned_reply_id=canned_reply_id)
    require(request.membership, "canned_reply.manage", reply)
    desk.canned_reply_delete(reply=reply, actor=request.user)
    messages.success(request, _("Canned reply deleted."))
    return redirect("canned-reply-list")


@tenant_required(action="support_desk.edit")
def support_desk_edit(request):
    current = selectors.support_desk(tenant=request.tenant)
    form = SupportDeskForm(request.POST or None, initial={"phone": current.phone, "email": current.email,
                                                          "hours_note": current.hours_note})
    return form_page(
        request, form, template="tickets/support_desk_form.html", action="support_desk.edit",
        save=lambda d: desk.support_desk_update(tenant=request.tenant, actor=request.user, **d),
        success=_("Support contact saved."), success_url="canned-reply-list")


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
