"""I/O only: what the contract endpoints read and write."""

from __future__ import annotations

from rest_framework import serializers

from contracts.models import (
    DOCUMENT_LANGUAGES,
    PARTY_SIDES,
    TERMINATION_REASONS,
    BillingModel,
    ClauseKind,
    ClauseTemplate,
    Contract,
    ContractDocument,
    ContractTerm,
    ContractVersion,
    Criticality,
    ItemCategory,
    RenewalMode,
)
from portal.api.fields import BlankAsNullChoiceField, DateField, ModelSerializer, PlainTextField
from sla.models import MaintenanceType


class CoveredItemSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ItemCategory.choices)
    name = serializers.CharField(max_length=200)
    identifier = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    site = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    criticality = serializers.ChoiceField(choices=Criticality.choices, required=False, default="medium")
    quantity = serializers.IntegerField(min_value=1, required=False, default=1)


class MaintenanceTypeSerializer(serializers.Serializer):
    maintenance_type = serializers.ChoiceField(choices=MaintenanceType.choices)
    included = serializers.BooleanField(required=False, default=True)
    details = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    ticket_price = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, default=None, min_value=0,
        help_text="Price per resolved ticket (excl. VAT), for per-ticket plans")


def service_credits_field(**kwargs):
    """The SLA service-credit grid: percent of the month's base per breach, by priority and metric."""
    return serializers.DictField(
        child=serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0,
                                                                   max_value=100)),
        help_text='{"P1": {"response": "5.00", "resolution": "10.00"}, …}: priorities P1–P4, metrics '
                  'response and resolution; a missing cell is 0', **kwargs)


class ClauseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ClauseKind.choices)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()


class ScopeSerializer(serializers.Serializer):
    items = CoveredItemSerializer(many=True, required=False)
    exclusions = serializers.ListField(child=serializers.CharField(max_length=300), required=False)
    maintenance_types = MaintenanceTypeSerializer(many=True, required=False)


class ClausesSerializer(serializers.Serializer):
    clauses = ClauseSerializer(many=True, required=False, default=list)
    template_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class TermSerializer(ModelSerializer):
    class Meta:
        model = ContractTerm
        fields = ["index", "first_day", "last_day", "kind", "monthly_fee"]


class VersionSerializer(ModelSerializer):
    amendment = serializers.IntegerField(source="amendment.number", allow_null=True, default=None)

    class Meta:
        model = ContractVersion
        fields = ["number", "effective_from", "amendment", "snapshot", "created_at"]


class DocumentSerializer(ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ContractDocument
        fields = ["kind", "version", "status", "error", "sha256", "size", "pages", "rendered_at", "render_ms",
                  "download_url"]

    def get_download_url(self, doc) -> str | None:
        if doc.status != "ready":
            return None
        return f"/api/v1/contracts/{doc.contract.reference}/documents/{doc.kind}/{doc.version}/download/"


class ContractSerializer(ModelSerializer):
    client = serializers.CharField(source="client.reference")
    provider = serializers.CharField(source="provider.reference")
    sla_policy = serializers.CharField(source="sla_policy.code", allow_null=True, default=None)
    account_manager = serializers.EmailField(source="account_manager.email", allow_null=True, default=None)
    service_credits = service_credits_field(read_only=True)
    # Stored as "" until a termination is recorded: answered null, as the schema says.
    notice_given_by = BlankAsNullChoiceField(choices=PARTY_SIDES, help_text="Null until a termination is recorded.")
    termination_reason = BlankAsNullChoiceField(choices=TERMINATION_REASONS,
                                                help_text="Null until a termination is recorded.")

    class Meta:
        model = Contract
        fields = [
            "reference", "status", "version", "client", "provider", "title", "object", "account_manager",
            "sla_policy", "remote_intervention", "on_site_intervention", "start_date", "initial_months", "renewal",
            "renewal_months", "notice_months", "notice_days", "language", "currency", "billing_model",
            "monthly_fee", "hourly_rate", "included_hours", "included_minutes", "rollover_cap_minutes",
            "increment_minutes", "service_credits", "penalty_cap_percent", "vat_rate", "payment_terms_days",
            "price_revision", "signed_on", "client_signatory", "sent_at", "activated_at", "suspended_at", "suspension_reason",
            "notice_given_on", "notice_given_by", "termination_reason", "end_date", "created_at", "updated_at",
        ]
        read_only_fields = fields


class ContractDetailSerializer(ContractSerializer):
    items = CoveredItemSerializer(many=True, read_only=True)
    exclusions = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)
    maintenance_types = MaintenanceTypeSerializer(many=True, read_only=True)
    clauses = ClauseSerializer(many=True, read_only=True)
    terms = TermSerializer(source="term_history", many=True, read_only=True)
    current_term = serializers.SerializerMethodField()
    next_notice_deadline = serializers.SerializerMethodField()

    class Meta(ContractSerializer.Meta):
        fields = [*ContractSerializer.Meta.fields, "items", "exclusions", "maintenance_types", "clauses", "terms",
                  "current_term", "next_notice_deadline"]
        read_only_fields = fields

    def get_current_term(self, contract) -> dict | None:
        term = self.context["term_info"]["current_term"]
        return {"index": self.context["term_info"]["term_index"], "first_day": term.first_day,
                "last_day": term.last_day} if term else None

    def get_next_notice_deadline(self, contract) -> str | None:
        deadline = self.context["term_info"]["next_notice_deadline"]
        return deadline.isoformat() if deadline else None


class ContractWriteSerializer(serializers.Serializer):
    """Fields of a draft. References name the parties (ORG-…) and the SLA policy (code).
    A draft is sent only once complete: both parties, the object, at least one covered
    item and one maintenance type (PUT …/scope/), an intervention mode, an SLA policy and
    a start date."""

    client = serializers.CharField(help_text="Reference of a client organisation (kind client), e.g. ORG-0002")
    provider = serializers.CharField(required=False, help_text="Reference of one of your provider entities "
                                                               "(default: the tenant's first)")
    title = serializers.CharField(max_length=200)
    object = serializers.CharField()
    sla_policy = serializers.CharField(required=False, allow_null=True, help_text="SLA policy code")
    remote_intervention = serializers.BooleanField(required=False)
    on_site_intervention = serializers.BooleanField(required=False)
    start_date = DateField(required=False, allow_null=True)
    initial_months = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=600,
                                              help_text="Null for an indefinite term")
    renewal = serializers.ChoiceField(choices=RenewalMode.choices, required=False)
    renewal_months = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=600,
                                              help_text="Null: the same as the initial term")
    notice_months = serializers.IntegerField(required=False, min_value=0, max_value=60)
    notice_days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    language = serializers.ChoiceField(choices=DOCUMENT_LANGUAGES, required=False)
    currency = serializers.CharField(required=False, max_length=3, help_text="ISO 4217 code, e.g. EUR (default)")
    billing_model = serializers.ChoiceField(choices=BillingModel.choices, required=False)
    monthly_fee = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, min_value=0)
    hourly_rate = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, min_value=0)
    included_hours = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, min_value=0,
                                              help_text="Alias of included_minutes, in hours")
    included_minutes = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000)
    rollover_cap_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1_000_000,
                                                    help_text="Empty: unused minutes are not carried over")
    increment_minutes = serializers.IntegerField(required=False, min_value=1, max_value=480,
                                                 help_text="Each intervention is rounded up to a multiple of this")
    service_credits = service_credits_field(required=False)
    penalty_cap_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, min_value=0,
                                                   max_value=100)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, min_value=0, max_value=100)
    payment_terms_days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    price_revision = serializers.CharField(required=False, allow_blank=True)

    def validate_service_credits(self, value):
        # The grid is stored as JSON: percentages as decimal strings, never floats.
        return {priority: {metric: str(pct) for metric, pct in row.items()} for priority, row in value.items()}


class ActivateSerializer(serializers.Serializer):
    signed_on = DateField()
    client_signatory = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class SuspendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class TerminateSerializer(serializers.Serializer):
    notice_given_on = DateField(help_text="Not before the start date; with reason notice, not after the end date. "
                                          "Between 1990-01-01 and 2100-12-31.")
    given_by = serializers.ChoiceField(choices=PARTY_SIDES)
    reason = serializers.ChoiceField(choices=TERMINATION_REASONS)
    effective_date = DateField(required=False, allow_null=True, default=None,
                               help_text="For breach, force majeure or mutual agreement: the last covered day, not "
                                         "before the notice (default: the notice date). With notice, the terms decide.")


class RenewSerializer(serializers.Serializer):
    months = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=600, default=None)
    monthly_fee = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True,
                                           min_value=0, default=None)


class AmendSerializer(serializers.Serializer):
    signed_on = DateField()
    effective_date = DateField()
    summary = serializers.CharField()
    changes = serializers.DictField(help_text="Fields to change, e.g. {\"monthly_fee\": \"520.00\", \"sla_policy\": "
                                              "\"critical-24-7\"}. Only title, object, sla_policy, the intervention "
                                              "modes, renewal, renewal_months, notice_months, notice_days, "
                                              "billing_model, monthly_fee, hourly_rate, included_hours, vat_rate, "
                                              "payment_terms_days and price_revision can change by amendment.")


class ClauseTemplateSerializer(ModelSerializer):
    class Meta:
        model = ClauseTemplate
        fields = ["id", "kind", "language", "title", "body"]


class ClauseTemplateInputSerializer(serializers.Serializer):
    """A clause of the library, created or changed (PATCH: the fields given only)."""

    kind = serializers.ChoiceField(choices=ClauseKind.choices)
    language = serializers.ChoiceField(choices=DOCUMENT_LANGUAGES, default="fr")
    title = serializers.CharField(max_length=200)
    body = PlainTextField()
    is_active = serializers.BooleanField(default=True, help_text="An inactive clause is no longer offered for "
                                                                 "new contracts.")


class RenewalSerializer(serializers.Serializer):
    contract = ContractSerializer()
    next_notice_deadline = DateField(read_only=True, allow_null=True,
                                     help_text="The last day to give notice before the contract renews itself.")
    ends_on = DateField(read_only=True, allow_null=True, help_text="The contract's end when it does not renew.")
    days_to_notice = serializers.IntegerField(allow_null=True)
