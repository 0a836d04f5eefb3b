"""Portal pages for contracts: list, renewals, drafting form, detail with the lifecycle
actions, and PDF download. Clients see their own contracts read-only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import documents
from contracts.forms import contracts as forms
from contracts.models import ContractStatus, DocumentStatus
from contracts.panels import contract_panels
from contracts.selectors import contracts as selectors
from contracts.selectors import parties as party_selectors
from contracts.services import contracts as services
from portal import formatting
from portal.decorators import tenant_required
from portal.downloads import file_response
from portal.exceptions import ApplicationError
from portal.forms_util import message_errors
from portal.pages import form_page
from portal.permissions import require
from portal.tenancy import get_for_tenant
from sla import selectors as sla_selectors
from sla.models import MaintenanceType


@tenant_required()
def contract_list(request):
    status = request.GET.get("status", "")
    client_ref = request.GET.get("client", "")
    search = request.GET.get("q", "").strip()
    contracts = selectors.contract_list(
        tenant=request.tenant, viewer=request.membership,
        status=status if status in ContractStatus.values else "", client_ref=client_ref, search=search,
    )
    page = Paginator(contracts, 50).get_page(request.GET.get("page"))
    clients = party_selectors.organization_list(tenant=request.tenant, viewer=request.membership, kind="client")
    context = {"page": page, "status": status, "client_ref": client_ref, "q": search,
               "statuses": ContractStatus.choices, "clients": clients}
    if request.headers.get("HX-Request"):
        return render(request, "contracts/snippets/contract_table.html", context)
    return render(request, "contracts/contract_list.html", context)


@tenant_required(action="contract.list_renewals")
def contract_renewals(request):
    """Contracts whose notice deadline (or end) falls in the next 90 days."""
    today = timezone.localdate()
    rows = selectors.contracts_with_notice_within(tenant=request.tenant, viewer=request.membership, today=today)
    return render(request, "contracts/contract_renewals.html", {"rows": rows, "today": today})


def _draft_forms(request, contract=None):
    tenant, viewer = request.tenant, request.membership
    clients = party_selectors.organization_list(tenant=tenant, viewer=viewer, kind="client").filter(is_active=True)
    policies = sla_selectors.policy_list(tenant=tenant, viewer=viewer).filter(is_active=True)
    language = contract.language if contract else "fr"
    templates = selectors.clause_template_list(tenant=tenant, viewer=viewer)
    initial: dict = {"clause_templates": [str(t.pk) for t in templates if t.language == language]}
    items_initial: list[dict] = []
    types_initial = [{"maintenance_type": value, "included": True} for value in MaintenanceType.values]
    if contract is not None:
        initial = {name: getattr(contract, name) for name in services.CONTRACT_FIELDS if name != "account_manager"}
        initial.update(forms.ContractForm.initial_credits(contract.service_credits))
        initial["client"] = contract.client
        initial["exclusions"] = "\n".join(e.text for e in contract.exclusions.all())
        titles = {c.title for c in contract.clauses.all()}
        initial["clause_templates"] = [str(t.pk) for t in templates if t.title in titles and t.language == language]
        items_initial = [{k: getattr(i, k) for k in ("category", "name", "identifier", "site", "criticality", "quantity")}
                         for i in contract.items.all()]
        covered = {m.maintenance_type: m for m in contract.maintenance_types.all()}
        types_initial = [
            {"maintenance_type": value, "selected": value in covered,
             "included": covered[value].included if value in covered else True,
             "details": covered[value].details if value in covered else "",
             "ticket_price": covered[value].ticket_price if value in covered else None}
            for value in MaintenanceType.values
        ]
    data = request.POST or None
    form = forms.ContractForm(data, initial=initial, clients=clients, policies=policies, clause_templates=templates)
    items = forms.ItemFormSet(data, initial=items_initial, prefix="items")
    types = forms.MaintenanceTypeFormSet(data, initial=types_initial, prefix="types")
    return form, items, types, templates


def _save_draft(request, form, items, types, templates, contract=None):
    """Save the draft with its scope and clauses in one transaction: all or nothing."""
    values = form.contract_values()
    item_rows = [
        {k: f.cleaned_data[k] for k in ("category", "name", "identifier", "site", "criticality", "quantity")}
        for f in items if f.cleaned_data.get("name")
    ]
    type_rows = [
        {"maintenance_type": f.cleaned_data["maintenance_type"], "included": f.cleaned_data["included"],
         "details": f.cleaned_data["details"], "ticket_price": f.cleaned_data["ticket_price"]}
        for f in types if f.cleaned_data.get("selected")
    ]
    exclusions = [line for line in form.cleaned_data["exclusions"].splitlines() if line.strip()]
    template_ids = [int(i) for i in form.cleaned_data["clause_templates"]]
    with transaction.atomic():
        if contract is None:
            contract = services.contract_create(
                tenant=request.tenant, actor=request.user, client=form.cleaned_data["client"],
                provider=party_selectors.provider_organization(tenant=request.tenant), **values,
            )
        else:
            contract = services.contract_update(contract=contract, actor=request.user,
                                                client=form.cleaned_data["client"], **values)
        services.contract_set_scope(contract=contract, actor=request.user, items=item_rows, exclusions=exclusions,
                                    maintenance_types=type_rows)
        services.contract_set_clauses(contract=contract, actor=request.user, template_ids=template_ids)
    return contract


def _draft_page(request, contract=None):
    form, items, types, templates = _draft_forms(request, contract)
    type_labels = dict(MaintenanceType.choices)
    type_rows = [(f, type_labels.get(f["maintenance_type"].value(), "")) for f in types]
    return form_page(
        request, form, formsets=[items, types], template="contracts/contract_form.html",
        context={"items": items, "types": types, "type_rows": type_rows, "contract": contract},
        save=lambda _data: _save_draft(request, form, items, types, templates, contract),
        success=lambda saved: _("Draft %(ref)s saved.") % {"ref": saved.reference},
        success_url=lambda saved: reverse("contract-detail", args=[saved.reference]),
    )


@tenant_required(action="contract.create")
def contract_create(request):
    return _draft_page(request)


@tenant_required()
def contract_edit(request, contract_ref: str):
    contract = selectors.contract_get(tenant=request.tenant, viewer=request.membership, reference=contract_ref)
    require(request.membership, "contract.update", contract)
    if contract.status != ContractStatus.DRAFT:
        messages.error(request, _("Only a draft can be edited; a sent contract changes by amendment."))
        return redirect("contract-detail", contract_ref=contract.reference)
    return _draft_page(request, contract)


@tenant_required()
def contract_detail(request, contract_ref: str):
    contract = selectors.contract_get(tenant=request.tenant, viewer=request.membership, reference=contract_ref)
    today = timezone.localdate()
    policies = sla_selectors.policy_list(tenant=request.tenant, viewer=request.membership)
    context = {
        "contract": contract,
        "info": selectors.contract_term_info(contract, today),
        "today": today,
        "items": contract.items.all(),
        "exclusions": contract.exclusions.all(),
        "maintenance_types": contract.maintenance_types.all(),
        "clauses": contract.clauses.all(),
        "terms": contract.term_history.all(),
        "versions": contract.versions.select_related("amendment").order_by("-number"),
        "documents": contract.documents.order_by("-version", "kind"),
        "targets": contract.sla_policy.targets.all() if contract.sla_policy_id else [],
        "missing": services.contract_missing(contract) if contract.status == ContractStatus.DRAFT else [],
        "activate_form": forms.ActivateForm(initial={"signed_on": today}),
        # The destructive actions' forms start empty (none pre-filled); each asks for a
        # confirmation showing its consequence before it acts (_confirm).
        "suspend_form": forms.SuspendForm(),
        "terminate_form": forms.TerminateForm(),
        "renew_form": forms.RenewForm(),
        "amend_form": forms.AmendForm(policies=policies),
        "day_minutes": documents.calendar_day_minutes(contract.sla_policy.calendar) if contract.sla_policy_id else None,
        "pending_documents": any(d.status in (DocumentStatus.QUEUED, DocumentStatus.RENDERING)
                                 for d in contract.documents.all()),
        # What the apps above contracts show about it (preventive plans…): contracts.panels.
        "panels": contract_panels(request, contract),
    }
    return render(request, "contracts/contract_detail.html", context)


@tenant_required()
def contract_documents(request, contract_ref: str):
    """The documents panel alone, polled by htmx while a PDF is rendering."""
    contract = selectors.contract_get(tenant=request.tenant, viewer=request.membership, reference=contract_ref)
    docs = contract.documents.order_by("-version", "kind")
    pending = any(d.status in (DocumentStatus.QUEUED, DocumentStatus.RENDERING) for d in docs)
    return render(request, "contracts/snippets/documents.html", {
        "contract": contract, "documents": docs, "pending_documents": pending})


def _send(request, contract):
    services.contract_send(contract=contract, actor=request.user)
    messages.success(request, _("Contract sent for signature; its PDF is being rendered."))


def _activate(request, contract):
    form = forms.ActivateForm(request.POST)
    if form.is_valid():
        services.contract_activate(contract=contract, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Contract activated."))
    return form


def _confirmed(request) -> bool:
    return request.POST.get("confirm") == "yes"


def _confirm(request, contract, form, *, action: str, title: str, consequence: str, question: str,
             button: str, changes=None):
    """The confirmation page of a destructive action: its consequence, computed by the
    contract services, and the same form again as hidden fields with `confirm=yes`.
    Nothing is written until that second POST."""
    fields = [(name, value) for name in form.fields for value in request.POST.getlist(name)]
    return render(request, "contracts/contract_confirm.html", {
        "contract": contract, "action_url": reverse(f"contract-{action}", args=[contract.reference]),
        "title": title, "consequence": consequence, "question": question, "button": button,
        "fields": fields, "changes": changes or [],
    })


def _suspend(request, contract):
    form = forms.SuspendForm(request.POST)
    if form.is_valid():
        if not _confirmed(request):
            return _confirm(request, contract, form, action="suspend", title=_("Suspend the contract"),
                            consequence=_("From now on, new requests on this contract are refused until it is "
                                          "resumed. Reason given: %(r)s.") % {"r": form.cleaned_data["reason"]},
                            question=_("Confirm the suspension?"), button=_("Suspend the contract"))
        services.contract_suspend(contract=contract, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Contract suspended."))
    return form


def _resume(request, contract):
    services.contract_resume(contract=contract, actor=request.user)
    messages.success(request, _("Contract resumed."))


def _terminate(request, contract):
    form = forms.TerminateForm(request.POST)
    if form.is_valid():
        if not _confirmed(request):
            last_day = services.contract_terminate_preview(contract=contract, **form.cleaned_data)
            return _confirm(request, contract, form, action="terminate", title=_("Terminate the contract"),
                            consequence=_("Last day covered: %(d)s.") % {"d": formatting.short_date(last_day)},
                            question=_("Confirm termination?"), button=_("Confirm termination"))
        contract = services.contract_terminate(contract=contract, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Termination recorded: last covered day %(d)s.")
                         % {"d": formatting.short_date(contract.end_date)})
    return form


def _renew(request, contract):
    form = forms.RenewForm(request.POST)
    if form.is_valid():
        if not _confirmed(request):
            term = services.contract_renew_preview(contract=contract, **form.cleaned_data)
            return _confirm(request, contract, form, action="renew", title=_("Renew the contract"),
                            consequence=_("New term from %(first)s to %(last)s, at %(fee)s excl. VAT per month.") % {
                                "first": formatting.short_date(term.first_day),
                                "last": formatting.short_date(term.last_day),
                                "fee": formatting.money(term.monthly_fee, contract.currency)},
                            question=_("Confirm the renewal?"), button=_("Renew"))
        term = services.contract_renew(contract=contract, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Renewed until %(d)s.") % {"d": formatting.short_date(term.last_day)})
    return form


def _amend(request, contract):
    policies = sla_selectors.policy_list(tenant=request.tenant, viewer=request.membership)
    form = forms.AmendForm(request.POST, policies=policies)
    if form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("signed_on", "effective_date", "summary")}
        if not _confirmed(request):
            preview = services.contract_amend_preview(contract=contract, effective_date=data["effective_date"],
                                                      changes=form.changes())
            return _confirm(request, contract, form, action="amend", title=_("Record an amendment"),
                            consequence=_("Amendment %(n)s takes effect on %(d)s.") % {
                                "n": preview.number, "d": formatting.short_date(preview.effective_date)},
                            question=_("Confirm the amendment?"), button=_("Record the amendment"),
                            changes=preview.changes)
        amendment = services.contract_amend(contract=contract, actor=request.user, changes=form.changes(), **data)
        messages.success(request, _("Amendment %(n)s recorded.") % {"n": amendment.number})
    return form


def _render(request, contract):
    services.contract_render_pdf(contract=contract, actor=request.user)
    messages.success(request, _("The PDF is being rendered again."))


def contract_action(handler, action: str):
    """A POST-only action of the contract page: look the contract up (404 outside the
    viewer's scope), ask the policy for `action` (403, before the form is even read), run
    `handler(request, contract)` (which returns its bound form, or None), report refusals
    and form errors as messages, and go back to the contract page. Apps above contracts
    use it for the actions of their panels (contracts.panels)."""

    @require_POST
    @tenant_required()
    def view(request, contract_ref: str):
        contract = selectors.contract_get(tenant=request.tenant, viewer=request.membership, reference=contract_ref)
        require(request.membership, action, contract)
        try:
            form = handler(request, contract)
            if isinstance(form, HttpResponse):  # a confirmation page: nothing done yet
                return form
        except ValidationError as exc:
            message_errors(request, exc)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            if form is not None and form.errors:
                for field, errors in form.errors.items():
                    label = form.fields[field].label if field in form.fields else ""
                    for e in errors:
                        messages.error(request, f"{label}: {e}" if label else e)
        return redirect("contract-detail", contract_ref=contract.reference)

    view.__name__ = f"contract{handler.__name__}"
    return view


contract_send = contract_action(_send, "contract.send")
contract_activate = contract_action(_activate, "contract.activate")
contract_suspend = contract_action(_suspend, "contract.suspend")
contract_resume = contract_action(_resume, "contract.resume")
contract_terminate = contract_action(_terminate, "contract.terminate")
contract_renew = contract_action(_renew, "contract.renew")
contract_amend = contract_action(_amend, "contract.amend")
contract_render = contract_action(_render, "contract.render_pdf")


@tenant_required()
def contract_download(request, contract_ref: str, kind: str, version: int):
    """The PDF, through the access check: provider staff, and the contract's client."""
    contract = selectors.contract_get(tenant=request.tenant, viewer=request.membership, reference=contract_ref)
    _doc, path = documents.document_download(contract=contract, actor=request.user, kind=kind, version=version)
    return file_response(path, filename=f"{contract.reference}-{kind}-v{version}.pdf", content_type="application/pdf")


@tenant_required()
def contract_clause_edit(request, contract_ref: str, clause_id: int):
    """Edit the contract's own copy of a clause while it is a draft."""
    contract = selectors.contract_get(tenant=request.tenant, viewer=request.membership, reference=contract_ref)
    clause = get_for_tenant(contract.clauses.all(), request.tenant, pk=clause_id)
    return form_page(
        request, forms.ClauseForm(request.POST or None, initial={"title": clause.title, "body": clause.body}),
        action="contract.clause_update", obj=contract,
        template="contracts/clause_form.html", context={"contract": contract, "clause": clause},
        save=lambda data: services.contract_clause_update(contract=contract, actor=request.user, clause_id=clause.pk,
                                                          **data),
        success=_("Clause saved."), success_url=reverse("contract-detail", args=[contract.reference]),
    )


@tenant_required(action="clause_template.list")
def clause_library(request):
    templates = selectors.clause_template_list(tenant=request.tenant, viewer=request.membership, active_only=False)
    return render(request, "contracts/clause_library.html", {"templates": templates})


def _clause_template_page(request, template=None):
    initial = {"language": "fr"} if template is None else {
        k: getattr(template, k) for k in services.CLAUSE_TEMPLATE_FIELDS}
    return form_page(
        request, forms.ClauseTemplateForm(request.POST or None, initial=initial), action="clause_template.save",
        obj=template, template="contracts/clause_form.html", context={"template": template},
        save=lambda data: services.clause_template_save(tenant=request.tenant, actor=request.user, template=template,
                                                        **data),
        success=_("Clause saved in the library."), success_url="clause-library",
    )


@tenant_required()
def clause_template_create(request):
    return _clause_template_page(request)


@tenant_required()
def clause_template_edit(request, clause_template_id: int):
    template = get_for_tenant(
        selectors.clause_template_list(tenant=request.tenant, viewer=request.membership, active_only=False),
        request.tenant, pk=clause_template_id,
    )
    return _clause_template_page(request, template)
