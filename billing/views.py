"""Portal pages for billing: invoices (list with totals, page with its actions and
documents), the monthly run with its progress, the tenant's billing settings, and hour
banks (balance, blocks, movements; buying and adjusting). Every change goes through a
service of `billing.services`, which asks the policy; clients read their own, issued
invoices and hour banks only (the selectors scope them)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing import documents, forms, selectors, services
from billing.models import InvoiceStatus, PaymentMethod
from contracts.panels import Panel
from contracts.selectors import contracts as contract_selectors
from contracts.selectors import parties as party_selectors
from portal.api.pagination import CappedPaginator
from portal.decorators import tenant_required
from portal.downloads import content_response, file_response
from portal.exceptions import ApplicationError
from portal.forms_util import message_errors
from portal.pages import form_page
from portal.permissions import can, require

# ============================================================================ invoices


def _filters(form) -> selectors.InvoiceFilters:
    filters = selectors.InvoiceFilters()
    if not form.is_valid():
        return filters
    data = form.cleaned_data
    filters.status = data["status"] or None
    client = form.clients.get(data["client"])
    filters.client = client.pk if client is not None else None
    if data["month"]:
        filters.year, filters.month = forms.parse_month(data["month"])
    filters.overdue = True if data["overdue"] else None
    return filters


@tenant_required(action="billing.read")
def invoice_list(request):
    tenant, viewer = request.tenant, request.membership
    clients = (party_selectors.organization_list(tenant=tenant, viewer=viewer, kind="client")
               if viewer.is_provider else [])
    form = forms.InvoiceFilterForm(request.GET, clients=list(clients))
    filters = _filters(form)
    page = CappedPaginator(selectors.invoice_list(tenant=tenant, viewer=viewer, filters=filters), 50).get_page(
        request.GET.get("page"))
    # The totals leave the status filter out: each card is the count of one status.
    others = selectors.InvoiceFilters(**{**filters.__dict__, "status": None})
    totals = selectors.invoice_totals(tenant=tenant, viewer=viewer, filters=others)
    if viewer.is_client:
        totals.pop(InvoiceStatus.DRAFT)
    context = {
        "form": form, "page": page, "filters": filters,
        "totals": [(status, label, totals[status]) for status, label in InvoiceStatus.choices if status in totals],
        "hour_banks": selectors.hour_bank_contracts(tenant=tenant, viewer=viewer) if viewer.is_client else [],
    }
    if request.headers.get("HX-Request"):
        return render(request, "billing/snippets/invoice_results.html", context)
    return render(request, "billing/invoice_list.html", context)


def _invoice(request, invoice_ref: str):
    return selectors.invoice_get_by_reference(tenant=request.tenant, viewer=request.membership,
                                              reference=invoice_ref)


@tenant_required(action="billing.read")
def invoice_detail(request, invoice_ref: str):
    invoice = _invoice(request, invoice_ref)
    today = selectors.local_today(request.tenant)
    report = _report(request, invoice)
    context = {
        "invoice": invoice,
        "lines": list(invoice.lines.all()),
        "payments": list(invoice.payments.all()),
        "credit_notes": list(invoice.credit_notes.all()),
        "payment_form": forms.PaymentForm(initial={"date": today, "amount": invoice.balance_due,
                                                   "method": PaymentMethod.TRANSFER}),
        "credit_form": forms.CreditNoteForm(),
        "report_ready": bool(report and report.file_path),
    }
    return render(request, "billing/invoice_detail.html", context)


def _issue(request, invoice):
    invoice = services.invoice_issue(invoice=invoice, actor=request.user)
    messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
    return invoice, None


def _payment(request, invoice):
    form = forms.PaymentForm(request.POST)
    if form.is_valid():
        services.payment_record(invoice=invoice, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Payment recorded."))
    return invoice, form


def _credit(request, invoice):
    form = forms.CreditNoteForm(request.POST)
    if form.is_valid():
        note = services.credit_note_create(invoice=invoice, actor=request.user, reason=form.cleaned_data["reason"],
                                           amount=form.cleaned_data["amount"])
        messages.success(request, _("Credit note %(number)s created.") % {"number": note.number})
    return invoice, form


def _form_messages(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _invoice_action(handler, action: str):
    """A POST-only action of the invoice page: look the invoice up (404 outside the
    viewer's scope), ask the policy (403 before the form is read), call the service,
    report refusals as messages, back to the invoice."""

    @require_POST
    @tenant_required()
    def view(request, invoice_ref: str):
        invoice = _invoice(request, invoice_ref)
        require(request.membership, action, invoice)
        try:
            invoice, form = handler(request, invoice)
        except ValidationError as exc:
            message_errors(request, exc)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            if form is not None:
                _form_messages(request, form)
        return redirect("invoice-detail", invoice_ref=invoice.reference)

    view.__name__ = f"invoice{handler.__name__}"
    return view


invoice_issue = _invoice_action(_issue, "invoice.issue")
invoice_payment = _invoice_action(_payment, "payment.record")
invoice_credit = _invoice_action(_credit, "credit_note.create")


def _report(request, invoice):
    return selectors.monthly_report_get(tenant=request.tenant, viewer=request.user,
                                        contract_reference=invoice.contract.reference,
                                        year=invoice.year, month=invoice.month)


@tenant_required(action="billing.read")
def invoice_download(request, invoice_ref: str, kind: str):
    """The Factur-X PDF, or the XML it carries, through the policy (404 until rendered)."""
    invoice = _invoice(request, invoice_ref)
    if kind == "xml":
        filename, xml = documents.invoice_xml_download(invoice=invoice, actor=request.user)
        return content_response(xml, filename=filename, content_type="application/xml")
    if kind != "pdf":
        raise Http404
    download = documents.invoice_pdf_download(invoice=invoice, actor=request.user)
    return file_response(download.path, filename=download.filename, content_type=download.content_type)


@tenant_required(action="billing.read")
def invoice_report(request, invoice_ref: str):
    """The monthly report of the invoice's contract and month (404 until rendered)."""
    invoice = _invoice(request, invoice_ref)
    report = _report(request, invoice)
    if report is None:
        raise Http404
    download = documents.monthly_report_download(report=report, actor=request.user)
    return file_response(download.path, filename=download.filename, content_type=download.content_type)


# ============================================================================ monthly run


def _runs_context(request) -> dict:
    runs = selectors.billing_run_list(tenant=request.tenant)
    return {"runs": runs, "runs_pending": any(not r.finished for r in runs)}


@tenant_required(action="billing.run")
def billing_run(request):
    today = selectors.local_today(request.tenant)
    form = forms.BillingRunForm(request.POST or None, today=today)

    def start(data):
        year, month = data["month"]
        return services.billing_run_dispatch(tenant=request.tenant, year=year, month=month, actor=request.user,
                                             today=today)

    return form_page(
        request, form, template="billing/billing_run.html", action="billing.run", context=_runs_context(request),
        save=start, success_url="billing-run",
        success=lambda run: _("Billing of %(month)s started for %(n)s contracts.")
        % {"month": f"{run.year}-{run.month:02d}", "n": run.contracts},
    )


@tenant_required(action="billing.run")
def billing_run_progress(request):
    """The runs table alone, polled by htmx while a run is under way."""
    return render(request, "billing/snippets/runs.html", _runs_context(request))


@tenant_required(action="billing.settings")
def billing_settings(request):
    current = selectors.billing_settings_get(tenant=request.tenant)
    form = forms.BillingSettingsForm(request.POST or None, initial={
        "time_zone": current.time_zone, "unpaid_suspend_days": current.unpaid_suspend_days,
        "auto_issue": current.auto_issue, "late_interest_rate": current.late_interest_rate,
        "recovery_indemnity": current.recovery_indemnity, "iban": current.iban, "bic": current.bic})
    return form_page(
        request, form, template="billing/billing_settings.html", action="billing.settings",
        save=lambda data: services.billing_settings_update(tenant=request.tenant, actor=request.user, **data),
        success=_("Billing settings saved."), success_url="billing-settings",
    )


# ============================================================================ hour banks


@tenant_required(action="billing.read")
def hour_bank_list(request):
    contracts = selectors.hour_bank_contracts(tenant=request.tenant, viewer=request.membership)
    return render(request, "billing/hour_bank_list.html", {"contracts": contracts})


def _hour_bank_contract(request, contract_ref: str):
    contract = contract_selectors.contract_get(tenant=request.tenant, viewer=request.membership,
                                               reference=contract_ref)
    if contract.billing_model != "hour_bank" or not selectors.can_read_contract(
            tenant=request.tenant, viewer=request.membership, contract=contract):
        raise Http404
    return contract


@tenant_required(action="billing.read")
def hour_bank_detail(request, contract_ref: str):
    tenant, viewer = request.tenant, request.membership
    contract = _hour_bank_contract(request, contract_ref)
    if can(viewer, "hour_bank.sync", contract):
        services.hour_bank_sync(contract=contract, actor=request.user)  # the balance as of the work logged
    blocks = list(selectors.hour_bank_blocks(tenant=tenant, viewer=viewer, contract=contract))
    today = selectors.local_today(tenant)
    context = {
        "contract": contract, "blocks": blocks,
        "balance": selectors.hour_bank_balance(tenant=tenant, viewer=viewer, contract=contract),
        "movements": selectors.hour_bank_movements(tenant=tenant, viewer=viewer, contract=contract)
        .order_by("-day", "-id"),
        "buy_form": forms.HourBankBuyForm(initial={"bought_on": today}),
        "adjust_form": forms.HourBankAdjustForm(blocks=blocks),
    }
    return render(request, "billing/hour_bank_detail.html", context)


def _hour_bank_action(action: str, form_class, call, success: str):
    @require_POST
    @tenant_required()
    def view(request, contract_ref: str):
        contract = _hour_bank_contract(request, contract_ref)
        require(request.membership, action, tenant=request.tenant)
        extra = {"blocks": list(selectors.hour_bank_blocks(tenant=request.tenant, viewer=request.membership,
                                                           contract=contract))} if action == "hour_bank.adjust" else {}
        form = form_class(request.POST, **extra)
        if form.is_valid():
            try:
                call(request, contract, form.cleaned_data)
            except ValidationError as exc:
                message_errors(request, exc)
            else:
                messages.success(request, success)
        else:
            _form_messages(request, form)
        return redirect("hour-bank-detail", contract_ref=contract.reference)

    return view


hour_bank_buy = _hour_bank_action(
    "hour_bank.buy", forms.HourBankBuyForm,
    lambda request, contract, data: services.hour_bank_block_buy(contract=contract, actor=request.user, **data),
    gettext_lazy("Hour-bank block recorded."))
hour_bank_adjust = _hour_bank_action(
    "hour_bank.adjust", forms.HourBankAdjustForm,
    lambda request, contract, data: services.hour_bank_adjust(block=data["block"], actor=request.user,
                                                              minutes=data["minutes"], reason=data["reason"]),
    gettext_lazy("Hour bank adjusted."))


# ============================================================================ extension points


def contract_billing_panel(request, contract) -> Panel | None:
    """The contract page's billing panel (contracts.panels, registered in
    BillingConfig.ready): the plan, the hour-bank balance, the latest invoices (a client's
    issued ones only)."""
    tenant, viewer = request.tenant, request.membership
    if not can(viewer, "billing.read"):
        return None
    balance = (selectors.hour_bank_balance(tenant=tenant, viewer=viewer, contract=contract)
               if contract.billing_model == "hour_bank" else None)
    return Panel("billing/snippets/contract_billing.html", {
        "maintenance_types": list(contract.maintenance_types.all()), "hour_bank_balance": balance,
        "latest_invoices": selectors.latest_invoices(tenant=tenant, viewer=viewer, contract=contract)})


def hour_bank_work_note(request, ticket) -> Panel | None:
    """Above the ticket page's work-log form (tickets.panels): what is left of the
    contract's hour bank, the ledger brought up to date first so that the figure counts
    the work already logged. Hour-bank contracts only."""
    contract = ticket.contract
    if contract.billing_model != "hour_bank" or not can(request.membership, "billing.read"):
        return None
    if can(request.membership, "hour_bank.sync", contract):
        services.hour_bank_sync(contract=contract, actor=request.user)
    balance = selectors.hour_bank_balance(tenant=request.tenant, viewer=request.membership, contract=contract)
    return Panel("billing/snippets/hour_bank_note.html", {"hour_bank_balance": balance})


# ============================================================================ report charts on screens
# The monthly report's pygal charts (billing.charts) for the last month over, on the
# contract page (a panel) and the client dashboard (a card). The strict CSP forbids the
# inline styles pygal writes into its SVG, so pages show them as <img> served by
# `contract_chart` (an image runs no script), each with a text alternative.

CHARTS = ("compliance", "by_type", "by_mode")
CHART_CACHE_SECONDS = 15 * 60


def _chart_month(tenant) -> tuple[int, int]:
    today = selectors.local_today(tenant)
    return selectors.previous_month(today.year, today.month)


def report_charts_bundle(*, tenant, viewer, contract) -> dict | None:
    """The last month's charts of `contract` and the figures behind them (the text
    alternative), in the active language, or None when the viewer may not read the
    contract's reports or the contract has not started. Cached a quarter of an hour."""
    from django.core.cache import cache
    from django.utils import translation

    from billing.reporting import monthly_report_data

    if contract.activated_at is None or not can(viewer, "report.download", contract):
        return None
    year, month = _chart_month(tenant)
    key = f"billing-charts:{tenant.pk}:{contract.pk}:{year}-{month:02d}:{translation.get_language()}"
    bundle = cache.get(key)
    if bundle is None:
        data = monthly_report_data(contract=contract, year=year, month=month)
        by_type = [(documents.type_label(t), data.opened_by_type.get(t, 0), data.resolved_by_type.get(t, 0))
                   for t in documents.report_types(data)]
        bundle = {
            "svgs": documents.report_charts(data), "year": year, "month": month,
            "history": [(f"{m.month:02d}/{m.year}", m.response_percent, m.resolution_percent) for m in data.history],
            "by_type": by_type,
            "by_mode": [(documents.mode_label(mode), minutes) for mode, minutes in data.minutes_by_mode().items()],
        }
        cache.set(key, bundle, CHART_CACHE_SECONDS)
    return bundle


@tenant_required(action="billing.read")
def contract_chart(request, contract_ref: str, chart: str):
    """One chart as an SVG image (404 for a chart, contract or viewer it does not fit)."""
    from django.http import HttpResponse

    if chart not in CHARTS:
        raise Http404
    contract = contract_selectors.contract_get(tenant=request.tenant, viewer=request.membership,
                                               reference=contract_ref)
    bundle = report_charts_bundle(tenant=request.tenant, viewer=request.membership, contract=contract)
    if bundle is None:
        raise Http404
    response = HttpResponse(bundle["svgs"][chart], content_type="image/svg+xml; charset=utf-8")
    # The image's own policy: nothing loads or runs, only the styles pygal writes in it.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=900"
    return response


def contract_report_panel(request, contract) -> Panel | None:
    """The contract page's report charts (contracts.panels): the last month's SLA
    compliance over 12 months, tickets by type and time by mode, with their figures."""
    bundle = report_charts_bundle(tenant=request.tenant, viewer=request.membership, contract=contract)
    if bundle is None:
        return None
    return Panel("billing/snippets/contract_charts.html", {"contract": contract, "charts": bundle})
