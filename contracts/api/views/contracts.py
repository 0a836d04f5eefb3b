"""Contract endpoints: drafting, scope, clauses, lifecycle actions (each runs the same
service as the portal), versions, terms and PDF documents."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts import documents
from contracts.api.serializers.contracts import (
    ActivateSerializer,
    AmendSerializer,
    ClausesSerializer,
    ClauseTemplateInputSerializer,
    ClauseTemplateSerializer,
    ContractDetailSerializer,
    ContractSerializer,
    ContractWriteSerializer,
    DocumentSerializer,
    RenewalSerializer,
    RenewSerializer,
    ScopeSerializer,
    SuspendSerializer,
    TerminateSerializer,
    TermSerializer,
    VersionSerializer,
)
from contracts.models import ClauseTemplate, Contract, ContractStatus
from contracts.selectors import contracts as selectors
from contracts.selectors import parties as party_selectors
from contracts.services import contracts as services
from portal.api.idempotency import ConditionalMixin
from portal.downloads import file_response
from portal.permissions import require
from sla import selectors as sla_selectors


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("status", str, enum=ContractStatus.values, description="Only contracts in this status"),
    OpenApiParameter("client", str, description="Client organisation reference, e.g. ORG-0002"),
    OpenApiParameter("search", str, description="Part of the reference, the title or the client's name"),
]))
class ContractViewSet(ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Maintenance contracts. Clients see their own contracts once sent, read-only.
    Filters: `status`, `client` (organisation reference), `search`."""
    api_area = "contracts"  # token scope area (portal/api/permissions.py)

    serializer_class = ContractSerializer
    lookup_url_kwarg = "contract_ref"
    queryset = Contract.objects.none()

    def get_queryset(self):
        p = self.request.query_params
        return selectors.contract_list(
            tenant=self.request.tenant, viewer=self.request.membership, status=p.get("status", ""),
            client_ref=p.get("client", ""), search=p.get("search", ""),
        )

    def get_object(self):
        return selectors.contract_get(tenant=self.request.tenant, viewer=self.request.membership,
                                      reference=self.kwargs["contract_ref"])

    def _detail(self, contract, code=status.HTTP_200_OK):
        contract = selectors.contract_get(tenant=self.request.tenant, viewer=self.request.membership,
                                          reference=contract.reference)
        info = selectors.contract_term_info(contract, timezone.localdate())
        return Response(ContractDetailSerializer(contract, context={"term_info": info}).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(responses=RenewalSerializer(many=True), filters=False)
    @action(detail=False, methods=["get"], pagination_class=None)
    def renewals(self, request):
        """The renewals page (provider staff): the active or suspended contracts whose
        notice deadline, or end when they do not renew, falls in the next 90 days,
        nearest first."""
        require(request.membership, "contract.list_renewals", tenant=request.tenant)
        today = timezone.localdate()
        rows = selectors.contracts_with_notice_within(tenant=request.tenant, viewer=request.membership, today=today)
        return Response(RenewalSerializer([
            {"contract": contract, "next_notice_deadline": info.get("next_notice_deadline"),
             "ends_on": info.get("ends_on") or contract.end_date, "days_to_notice": info.get("days_to_notice")}
            for contract, info in rows], many=True).data)

    # -- references in the body name their field when they do not resolve -------------

    def _organization(self, field: str, reference: str):
        try:
            return party_selectors.organization_get(tenant=self.request.tenant, viewer=self.request.membership,
                                              reference=reference)
        except Http404 as exc:
            raise ValidationError({field: [_("No organisation “%(ref)s”.") % {"ref": reference}]}) from exc

    def _policy(self, code):
        if code is None:
            return None
        try:
            return sla_selectors.policy_get(tenant=self.request.tenant, viewer=self.request.membership, code=code)
        except Http404 as exc:
            raise ValidationError({"sla_policy": [_("No SLA policy “%(code)s”.") % {"code": code}]}) from exc

    def _values(self, data: dict) -> dict:
        values = dict(data)
        if "client" in values:
            values["client"] = self._organization("client", values["client"])
        if "provider" in values:
            values["provider"] = self._organization("provider", values["provider"])
        if "sla_policy" in values:
            values["sla_policy"] = self._policy(values["sla_policy"])
        return values

    @extend_schema(request=ContractWriteSerializer, responses={201: ContractDetailSerializer})
    def create(self, request):
        # The policy first (the service asks again): a client or a technician is refused
        # with 403 whatever the body says, not told that a reference does not resolve.
        require(request.membership, "contract.create", tenant=request.tenant)
        data = ContractWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = self._values(data.validated_data)
        if "provider" not in values:
            values["provider"] = party_selectors.provider_organization(tenant=request.tenant)
        contract = services.contract_create(tenant=request.tenant, actor=request.user, **values)
        return self._detail(contract, status.HTTP_201_CREATED)

    @extend_schema(request=ContractWriteSerializer, responses=ContractDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        contract = self.get_object()
        require(request.membership, "contract.update", contract)  # before resolving references (see create)
        data = ContractWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        contract = services.contract_update(contract=contract, actor=request.user, **self._values(data.validated_data))
        return self._detail(contract)

    @extend_schema(request=ScopeSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["put"])
    def scope(self, request, contract_ref=None):
        """Replace the scope of a draft (covered items, exclusions, maintenance types)."""
        contract = self.get_object()
        data = ScopeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.contract_set_scope(contract=contract, actor=request.user, **data.validated_data)
        return self._detail(contract)

    @extend_schema(request=ClausesSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["put"])
    def clauses(self, request, contract_ref=None):
        """Replace the clauses of a draft, from texts and/or the clause library."""
        contract = self.get_object()
        data = ClausesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.contract_set_clauses(contract=contract, actor=request.user, **data.validated_data)
        return self._detail(contract)

    @extend_schema(request=None, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, contract_ref=None):
        """Send a complete draft for signature (renders the PDF)."""
        return self._detail(services.contract_send(contract=self.get_object(), actor=request.user))

    @extend_schema(request=ActivateSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, contract_ref=None):
        """Record the signature: the contract becomes active."""
        contract = self.get_object()
        data = ActivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(services.contract_activate(contract=contract, actor=request.user, **data.validated_data))

    @extend_schema(request=SuspendSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, contract_ref=None):
        contract = self.get_object()
        data = SuspendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(services.contract_suspend(contract=contract, actor=request.user, **data.validated_data))

    @extend_schema(request=None, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, contract_ref=None):
        return self._detail(services.contract_resume(contract=self.get_object(), actor=request.user))

    @extend_schema(request=TerminateSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, contract_ref=None):
        """Record a termination; the last covered day comes from the contract's terms."""
        contract = self.get_object()
        data = TerminateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(services.contract_terminate(contract=contract, actor=request.user, **data.validated_data))

    @extend_schema(request=RenewSerializer, responses=TermSerializer)
    @action(detail=True, methods=["post"])
    def renew(self, request, contract_ref=None):
        """Renew explicitly: a new term, with an optional revised monthly fee."""
        contract = self.get_object()
        data = RenewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        term = services.contract_renew(contract=contract, actor=request.user, **data.validated_data)
        return Response(TermSerializer(term).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AmendSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def amend(self, request, contract_ref=None):
        """Sign an amendment: apply its changes and keep the new version."""
        contract = self.get_object()
        require(request.membership, "contract.amend", contract)  # before resolving references (see create)
        data = AmendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        changes = dict(values.pop("changes"))
        if "sla_policy" in changes:
            changes["sla_policy"] = self._policy(changes["sla_policy"])
        services.contract_amend(contract=contract, actor=request.user, changes=changes, **values)
        return self._detail(contract)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, contract_ref=None):
        """Every signed version, as immutable snapshots with their effective dates."""
        contract = self.get_object()
        versions = contract.versions.filter(tenant=request.tenant).select_related("amendment").order_by("number")
        return Response(VersionSerializer(versions, many=True).data)

    @extend_schema(responses=DocumentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def documents(self, request, contract_ref=None):
        """The PDFs of the contract and its amendments, with their rendering status."""
        contract = self.get_object()
        docs = contract.documents.filter(tenant=request.tenant).select_related("contract").order_by("kind", "version")
        return Response(DocumentSerializer(docs, many=True).data)

    @extend_schema(request=None, responses={202: DocumentSerializer})
    @action(detail=True, methods=["post"], url_path="documents/render")
    def render(self, request, contract_ref=None):
        """(Re-)render the PDF of the current version (account managers and administrators)."""
        doc = services.contract_render_pdf(contract=self.get_object(), actor=request.user)
        doc.refresh_from_db()
        return Response(DocumentSerializer(doc).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<kind>contract|amendment)/(?P<version>[0-9]+)/download")
    def download(self, request, contract_ref=None, kind=None, version=None):
        """The PDF itself, to the provider's staff and to the contract's client only."""
        contract = self.get_object()
        _doc, path = documents.document_download(contract=contract, actor=request.user, kind=kind,
                                                 version=int(version))
        return file_response(path, filename=f"{contract.reference}-{kind}-v{version}.pdf",
                             content_type="application/pdf")


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("language", str, enum=["fr", "en"], description="Only clauses in this language")]))
class ClauseTemplateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The tenant's clause library (provider staff). Filter: `language`. Account managers
    and tenant administrators add clauses and change them; contracts keep their own
    copies, so a change never alters a contract already drafted."""
    api_area = "contracts"  # token scope area (portal/api/permissions.py)

    serializer_class = ClauseTemplateSerializer
    queryset = ClauseTemplate.objects.none()
    lookup_url_kwarg = "clause_template_id"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.clause_template_list(tenant=self.request.tenant, viewer=self.request.membership,
                                              language=self.request.query_params.get("language", ""))

    def get_object(self):
        template = selectors.clause_template_list(
            tenant=self.request.tenant, viewer=self.request.membership, active_only=False,
        ).filter(pk=self.kwargs["clause_template_id"]).first()
        if template is None:
            raise Http404
        return template

    @extend_schema(request=ClauseTemplateInputSerializer, responses={201: ClauseTemplateSerializer})
    def create(self, request):
        """Add a clause to the library."""
        require(request.membership, "clause_template.save", tenant=request.tenant)
        data = ClauseTemplateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.clause_template_save(tenant=request.tenant, actor=request.user, **data.validated_data)
        return Response(ClauseTemplateSerializer(template).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClauseTemplateInputSerializer(partial=True), responses=ClauseTemplateSerializer)
    def partial_update(self, request, clause_template_id=None):
        """Change a clause of the library (the fields given only; audited)."""
        template = self.get_object()
        require(request.membership, "clause_template.save", tenant=request.tenant)
        data = ClauseTemplateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        template = services.clause_template_save(tenant=request.tenant, actor=request.user, template=template,
                                                 **data.validated_data)
        return Response(ClauseTemplateSerializer(template).data)
