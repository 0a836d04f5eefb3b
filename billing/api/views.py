"""Billing endpoints: hour banks (balance, blocks, ledger, adjustments), invoices (list
with filters, detail with lines, issue, payments, credit notes) and the monthly run.
Each runs the same service as the portal pages; clients read their own organisation's
issued invoices and hour banks only (the selectors scope them)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import documents, selectors, services
from billing.api.serializers import (
    BillingRunInputSerializer,
    BillingRunSerializer,
    BillingSettingsInputSerializer,
    BillingSettingsSerializer,
    CreditNoteInputSerializer,
    CreditNoteSerializer,
    HourBankAdjustInputSerializer,
    HourBankBlockInputSerializer,
    HourBankBlockSerializer,
    HourBankMovementSerializer,
    HourBankSerializer,
    InvoiceDetailSerializer,
    InvoiceSerializer,
    MonthlyReportSerializer,
    PaymentInputSerializer,
    PaymentSerializer,
)
from billing.models import Invoice, InvoiceStatus
from contracts.selectors import contracts as contract_selectors
from portal.api.idempotency import ConditionalMixin
from portal.api.permissions import PolicyPermission
from portal.downloads import content_response, file_response
from portal.permissions import can, require

# ============================================================================ invoices


class InvoiceFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=InvoiceStatus.choices)
    client = filters.CharFilter(field_name="client__reference", label="Client organisation reference")
    contract = filters.CharFilter(field_name="contract__reference", label="Contract reference")
    month = filters.CharFilter(method="filter_month", label="Month billed, YYYY-MM")
    overdue = filters.BooleanFilter(method="filter_overdue", label="Past due and unpaid")

    class Meta:
        model = Invoice
        fields = ["status", "client", "contract", "year", "month", "overdue"]

    def filter_month(self, queryset, name, value):
        from billing.forms import parse_month

        month = parse_month(value)
        if month is None:
            raise ValidationError({"month": [_("Give a month as YYYY-MM.")]})
        return queryset.filter(year=month[0], month=month[1])

    def filter_overdue(self, queryset, name, value):
        today = selectors.local_today(self.request.tenant)
        return selectors.invoices_past_due(queryset, today=today, past_due=value)


@extend_schema_view(
    list=extend_schema(summary="List invoices (clients: their organisation's, issued ones only)"),
)
class InvoiceViewSet(ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Invoices, newest month first. An invoice is named by its number once issued,
    `draft-<id>` before."""
    api_area = "billing"  # token scope area (portal/api/permissions.py)

    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilter
    lookup_url_kwarg = "invoice_ref"
    lookup_value_regex = "[^/]+"
    queryset = Invoice.objects.none()
    permission_classes = [PolicyPermission("billing.read")]

    def get_queryset(self):
        return selectors.invoice_list(tenant=self.request.tenant, viewer=self.request.membership)

    def get_object(self):
        return selectors.invoice_get_by_reference(tenant=self.request.tenant, viewer=self.request.membership,
                                                  reference=self.kwargs["invoice_ref"])

    def _detail(self, invoice, code=status.HTTP_200_OK):
        invoice = selectors.invoice_get_by_reference(tenant=self.request.tenant, viewer=self.request.membership,
                                                     reference=invoice.reference)
        return Response(InvoiceDetailSerializer(invoice).data, status=code)

    @extend_schema(summary="One invoice with its lines, payments and credit notes",
                   responses=InvoiceDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(summary="Issue a draft: it gets its number, issue and due dates", request=None,
                   responses=InvoiceDetailSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, invoice_ref=None):
        return self._detail(services.invoice_issue(invoice=self.get_object(), actor=request.user))

    @extend_schema(methods=["get"], summary="The invoice's payments", responses=PaymentSerializer(many=True))
    @extend_schema(methods=["post"], summary="Record a payment received (partial payments leave the rest due)",
                   request=PaymentInputSerializer, responses={201: InvoiceDetailSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def payments(self, request, invoice_ref=None):
        invoice = self.get_object()
        if request.method == "GET":
            return Response(PaymentSerializer(invoice.payments.all(), many=True).data)
        require(request.membership, "payment.record", invoice)  # before reading the body
        data = PaymentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.payment_record(invoice=invoice, actor=request.user, **data.validated_data)
        return self._detail(invoice, status.HTTP_201_CREATED)

    @extend_schema(summary="Render the invoice's Factur-X PDF again (queued; `pdf_status` follows it)",
                   request=None, responses={202: InvoiceDetailSerializer})
    @action(detail=True, methods=["post"], url_path="pdf/render")
    def render_pdf(self, request, invoice_ref=None):
        """Queue the invoice's PDF for rendering again (account managers and tenant
        administrators), e.g. after a failed render: `pdf_status` is `queued` until the
        worker has rendered it. A draft has no PDF (400 naming `status`)."""
        invoice = documents.invoice_pdf_request(invoice=self.get_object(), actor=request.user)
        return self._detail(invoice, code=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="The Factur-X PDF of an issued invoice (404 until it is rendered)",
                   responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], url_path="pdf")
    def pdf(self, request, invoice_ref=None):
        download = documents.invoice_pdf_download(invoice=self.get_object(), actor=request.user)
        return file_response(download.path, filename=download.filename, content_type=download.content_type)

    @extend_schema(summary="The EN 16931 (CII) XML that the invoice's Factur-X PDF carries (404 until rendered)",
                   responses={(200, "application/xml"): bytes})
    @action(detail=True, methods=["get"], url_path="xml")
    def xml(self, request, invoice_ref=None):
        filename, xml = documents.invoice_xml_download(invoice=self.get_object(), actor=request.user)
        return content_response(xml, filename=filename, content_type="application/xml")

    @extend_schema(methods=["get"], summary="The invoice's credit notes", responses=CreditNoteSerializer(many=True))
    @extend_schema(methods=["post"], summary="Credit an issued invoice (lines, an amount, or all that remains)",
                   request=CreditNoteInputSerializer, responses={201: CreditNoteSerializer})
    @action(detail=True, methods=["get", "post"], url_path="credit-notes", pagination_class=None,
            filterset_class=None)
    def credit_notes(self, request, invoice_ref=None):
        invoice = self.get_object()
        if request.method == "GET":
            return Response(CreditNoteSerializer(invoice.credit_notes.all(), many=True).data)
        require(request.membership, "credit_note.create", invoice)
        data = CreditNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        note = services.credit_note_create(invoice=invoice, actor=request.user, reason=values["reason"],
                                           amount=values.get("amount"), lines=values.get("lines") or None)
        return Response(CreditNoteSerializer(note).data, status=status.HTTP_201_CREATED)


PDF_RESPONSE = {(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF (404 until rendered).")}
XML_RESPONSE = {(200, "application/xml"): OpenApiResponse(
    OpenApiTypes.BINARY, description="The Factur-X (EN 16931 CII) XML carried by the PDF (404 until rendered).")}


def _pdf(download):
    return file_response(download.path, filename=download.filename, content_type=download.content_type)


class InvoicePdfApi(APIView):
    api_area = "billing"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("billing.read")]

    @extend_schema(summary="The invoice's Factur-X PDF (issued invoices; the same file as the invoice page)",
                   responses=PDF_RESPONSE)
    def get(self, request, invoice_ref: str):
        invoice = selectors.invoice_get_by_reference(tenant=request.tenant, viewer=request.membership,
                                                     reference=invoice_ref)
        return _pdf(documents.invoice_pdf_download(invoice=invoice, actor=request.user))


class InvoiceXmlApi(APIView):
    api_area = "billing"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("billing.read")]

    @extend_schema(summary="The invoice's Factur-X XML, read out of its PDF", responses=XML_RESPONSE)
    def get(self, request, invoice_ref: str):
        invoice = selectors.invoice_get_by_reference(tenant=request.tenant, viewer=request.membership,
                                                     reference=invoice_ref)
        filename, xml = documents.invoice_xml_download(invoice=invoice, actor=request.user)
        return content_response(xml, filename=filename, content_type="application/xml")


def _credit_note(request, invoice_ref: str, credit_note_ref: str):
    invoice = selectors.invoice_get_by_reference(tenant=request.tenant, viewer=request.membership,
                                                 reference=invoice_ref)
    note = selectors.credit_note_get(tenant=request.tenant, viewer=request.membership, number=credit_note_ref)
    if note is None or note.invoice_id != invoice.pk:
        raise Http404
    return note


class CreditNotePdfApi(APIView):
    api_area = "billing"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("billing.read")]

    @extend_schema(summary="A credit note's Factur-X PDF", responses=PDF_RESPONSE)
    def get(self, request, invoice_ref: str, credit_note_ref: str):
        note = _credit_note(request, invoice_ref, credit_note_ref)
        return _pdf(documents.credit_note_pdf_download(note=note, actor=request.user))


class CreditNoteXmlApi(APIView):
    api_area = "billing"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("billing.read")]

    @extend_schema(summary="A credit note's Factur-X XML, read out of its PDF", responses=XML_RESPONSE)
    def get(self, request, invoice_ref: str, credit_note_ref: str):
        note = _credit_note(request, invoice_ref, credit_note_ref)
        filename, xml = documents.credit_note_xml_download(note=note, actor=request.user)
        return content_response(xml, filename=filename, content_type="application/xml")


# ============================================================================ monthly reports


def _report_month(value: str) -> tuple[int, int]:
    from billing.forms import parse_month

    month = parse_month(value)
    if month is None:
        raise Http404
    return month


def _report(request, contract_ref: str, report_month: str):
    year, month = _report_month(report_month)
    report = selectors.monthly_report_get(tenant=request.tenant, viewer=request.membership,
                                          contract_reference=contract_ref, year=year, month=month)
    if report is None:
        raise Http404
    return report


class MonthlyReportListApi(APIView):
    api_area = "billing"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("billing.read")]

    @extend_schema(summary="Monthly reports, newest month first (clients: their organisation's contracts')",
                   parameters=[OpenApiParameter("contract", str, description="Contract reference"),
                               OpenApiParameter("month", str, description="Month reported, YYYY-MM")],
                   responses=MonthlyReportSerializer(many=True))
    def get(self, request):
        reports = selectors.monthly_report_list(tenant=request.tenant, viewer=request.membership)
        if request.query_params.get("contract"):
            reports = reports.filter(contract__reference=request.query_params["contract"][:40])
        if request.query_params.get("month"):
            from billing.forms import parse_month

            month = parse_month(request.query_params["month"])
            if month is None:
                raise ValidationError({"month": [_("Give a month as YYYY-MM.")]})
            reports = reports.filter(year=month[0], month=month[1])
        return Response(MonthlyReportSerializer(reports[:500], many=True).data)


class MonthlyReportApi(APIView):
    api_area = "billing"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("billing.read")]

    @extend_schema(summary="One contract-month's report and its rendering status", responses=MonthlyReportSerializer)
    def get(self, request, contract_ref: str, report_month: str):
        return Response(MonthlyReportSerializer(_report(request, contract_ref, report_month)).data)


class MonthlyReportPdfApi(APIView):
    api_area = "billing"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("billing.read")]

    @extend_schema(summary="The monthly report PDF (404 until rendered)", responses=PDF_RESPONSE)
    def get(self, request, contract_ref: str, report_month: str):
        report = _report(request, contract_ref, report_month)
        return _pdf(documents.monthly_report_download(report=report, actor=request.user))


class MonthlyReportRegenerateApi(APIView):
    api_area = "billing"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("billing.read")]

    @extend_schema(summary="Render a past month's report again (or for the first time); its PDF follows",
                   request=None, responses={202: MonthlyReportSerializer})
    def post(self, request, contract_ref: str, report_month: str):
        year, month = _report_month(report_month)
        contract = contract_selectors.contract_get(tenant=request.tenant, viewer=request.membership,
                                                   reference=contract_ref)
        report = documents.monthly_report_request(contract=contract, year=year, month=month, actor=request.user)
        return Response(MonthlyReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


# ============================================================================ hour banks


def _hour_bank_contract(request, contract_ref: str):
    contract = contract_selectors.contract_get(tenant=request.tenant, viewer=request.membership,
                                               reference=contract_ref)
    if contract.billing_model != "hour_bank" or not selectors.can_read_contract(
            tenant=request.tenant, viewer=request.membership, contract=contract):
        raise Http404
    return contract


def _blocks(request, contract):
    return selectors.hour_bank_blocks(tenant=request.tenant, viewer=request.membership, contract=contract)


class HourBankApi(APIView):
    api_area = "billing"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("billing.read")]

    @extend_schema(summary="The hour bank of a contract: its balance and blocks", responses=HourBankSerializer)
    def get(self, request, contract_ref: str):
        contract = _hour_bank_contract(request, contract_ref)
        balance = selectors.hour_bank_balance(tenant=request.tenant, viewer=request.membership, contract=contract)
        return Response(HourBankSerializer({"contract": contract.reference, "balance_minutes": balance,
                                            "blocks": _blocks(request, contract)}).data)


class HourBankSyncApi(APIView):
    api_area = "billing"  # token scope area (portal/api/permissions.py)

    @extend_schema(summary="Bring the hour bank up to date with the work logged, then read it", request=None,
                   responses=HourBankSerializer)
    def post(self, request, contract_ref: str):
        """What the contract's page does before showing the balance (provider staff): the
        interventions of the previous month (until it is invoiced) and of this one are
        drawn from the bank, and the 80 % / 100 % alerts sent. Idempotent; the balance is
        otherwise synced every 15 minutes."""
        contract = _hour_bank_contract(request, contract_ref)  # 404 first: another's contract is not there
        require(request.membership, "hour_bank.sync", tenant=request.tenant)
        services.hour_bank_sync(contract=contract, actor=request.user)
        balance = selectors.hour_bank_balance(tenant=request.tenant, viewer=request.membership, contract=contract)
        return Response(HourBankSerializer({"contract": contract.reference, "balance_minutes": balance,
                                            "blocks": _blocks(request, contract)}).data)


class HourBankBlockListApi(APIView):
    api_area = "billing"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("billing.read")]

    @extend_schema(summary="The blocks of prepaid minutes of a contract", responses=HourBankBlockSerializer(many=True))
    def get(self, request, contract_ref: str):
        contract = _hour_bank_contract(request, contract_ref)
        return Response(HourBankBlockSerializer(_blocks(request, contract), many=True).data)

    @extend_schema(summary="Record a block bought by the client", request=HourBankBlockInputSerializer,
                   responses={201: HourBankBlockSerializer})
    def post(self, request, contract_ref: str):
        contract = _hour_bank_contract(request, contract_ref)
        require(request.membership, "hour_bank.buy", tenant=request.tenant)
        data = HourBankBlockInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        block = services.hour_bank_block_buy(contract=contract, actor=request.user, **data.validated_data)
        block = _blocks(request, contract).get(pk=block.pk)
        return Response(HourBankBlockSerializer(block).data, status=status.HTTP_201_CREATED)


class HourBankLedgerApi(APIView):
    api_area = "billing"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("billing.read")]

    @extend_schema(summary="The ledger of a contract's hour bank, oldest first (its sum is the balance)",
                   responses=HourBankMovementSerializer(many=True))
    def get(self, request, contract_ref: str):
        contract = _hour_bank_contract(request, contract_ref)
        rows = selectors.hour_bank_movements(tenant=request.tenant, viewer=request.membership, contract=contract)
        return Response(HourBankMovementSerializer(rows, many=True).data)


class HourBankAdjustApi(APIView):
    api_area = "billing"  # token scope area (portal/api/permissions.py)
    # The contract is looked up first: outside the viewer's scope it is a 404, not a 403.
    permission_classes = [PolicyPermission("billing.read")]

    @extend_schema(summary="Adjust a block by hand, with the reason (tenant administrators)",
                   request=HourBankAdjustInputSerializer, responses={201: HourBankMovementSerializer})
    def post(self, request, contract_ref: str):
        contract = _hour_bank_contract(request, contract_ref)
        require(request.membership, "hour_bank.adjust", tenant=request.tenant)
        data = HourBankAdjustInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        block = _blocks(request, contract).filter(reference=values["block"]).first()
        if block is None:
            raise ValidationError({"block": [_("No block “%(ref)s” on this contract.") % {"ref": values["block"]}]})
        movement = services.hour_bank_adjust(block=block, actor=request.user, minutes=values["minutes"],
                                             reason=values["reason"])
        return Response(HourBankMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


# ============================================================================ monthly run


class BillingRunViewSet(viewsets.ViewSet):
    """The monthly run (tenant administrators): start it for a past month, follow it.
    A run is the tenant's own business: to anyone else it does not exist (404)."""
    api_area = "billing"  # token scope area (portal/api/permissions.py)

    lookup_url_kwarg = "run_id"
    lookup_value_regex = r"\d+"

    @extend_schema(summary="The latest runs with their progress", responses=BillingRunSerializer(many=True))
    def list(self, request):
        require(request.membership, "billing.run", tenant=request.tenant)
        return Response(BillingRunSerializer(selectors.billing_run_list(tenant=request.tenant), many=True).data)

    @extend_schema(summary="Start the run of a past month: one draft invoice per contract active in it",
                   request=BillingRunInputSerializer, responses={202: BillingRunSerializer})
    def create(self, request):
        from billing.forms import parse_month

        require(request.membership, "billing.run", tenant=request.tenant)
        data = BillingRunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parsed = parse_month(data.validated_data["month"])
        if parsed is None:  # the pattern lets through "2026-13" or a year before 2000
            raise ValidationError({"month": [_("Give a month as YYYY-MM.")]})
        year, month = parsed
        run = services.billing_run_dispatch(tenant=request.tenant, year=year, month=month, actor=request.user)
        progress = selectors.billing_run_get(tenant=request.tenant, run_id=run.pk)
        return Response(BillingRunSerializer(progress).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="One run and its progress", responses=BillingRunSerializer,
                   parameters=[OpenApiParameter("run_id", int, OpenApiParameter.PATH)])
    def retrieve(self, request, run_id=None):
        if not can(request.membership, "billing.run"):
            raise Http404
        return Response(BillingRunSerializer(selectors.billing_run_get(tenant=request.tenant, run_id=int(run_id))).data)


# ============================================================================ settings


class BillingSettingsApi(APIView):
    """The tenant's billing settings (tenant administrators): the billing calendar,
    the unpaid-invoice delay, automatic issuing, and what invoices print (interest
    rate, recovery indemnity, IBAN and BIC). The same service as the settings page."""
    api_area = "billing"  # token scope area (portal/api/permissions.py)

    permission_classes = [PolicyPermission("billing.settings")]

    @extend_schema(summary="The billing settings", responses=BillingSettingsSerializer)
    def get(self, request):
        return Response(BillingSettingsSerializer(selectors.billing_settings_get(tenant=request.tenant)).data)

    @extend_schema(summary="Change billing settings (omitted ones are kept; audited)",
                   request=BillingSettingsInputSerializer, responses=BillingSettingsSerializer)
    def patch(self, request):
        data = BillingSettingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        current = services.billing_settings_update(tenant=request.tenant, actor=request.user, **data.validated_data)
        return Response(BillingSettingsSerializer(current).data)
