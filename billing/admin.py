"""Django admin (platform operators): billing rows, read-only. Tenant users work in the
portal, where every change goes through the services and the audit log; an issued
invoice is immutable anyway (model and database trigger)."""

from django.contrib import admin

from billing.models import (
    BillingRun,
    BillingSettings,
    CreditNote,
    HourBankBlock,
    HourBankMovement,
    Invoice,
    InvoiceLine,
    MonthlyReport,
    Payment,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = ["position", "kind", "label", "quantity", "unit", "unit_price", "amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "tenant", "contract", "year", "month", "status", "gross", "amount_paid", "due_date"]
    list_filter = ["tenant", "status", "year"]
    search_fields = ["number", "contract__reference"]
    inlines = [InvoiceLineInline]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ["number", "tenant", "invoice", "issue_date", "gross"]
    list_filter = ["tenant"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "tenant", "date", "amount", "method", "reference"]
    list_filter = ["tenant", "method"]


@admin.register(HourBankBlock)
class HourBankBlockAdmin(ReadOnlyAdmin):
    list_display = ["reference", "tenant", "contract", "minutes", "price", "bought_on", "expires_on"]
    list_filter = ["tenant"]


@admin.register(HourBankMovement)
class HourBankMovementAdmin(ReadOnlyAdmin):
    list_display = ["day", "tenant", "contract", "block", "kind", "minutes", "ticket", "reason"]
    list_filter = ["tenant", "kind"]


@admin.register(BillingSettings)
class BillingSettingsAdmin(ReadOnlyAdmin):
    list_display = ["tenant", "time_zone", "unpaid_suspend_days", "auto_issue"]


@admin.register(BillingRun)
class BillingRunAdmin(ReadOnlyAdmin):
    list_display = ["tenant", "year", "month", "trigger", "contracts", "started_at"]
    list_filter = ["tenant", "trigger"]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    """Failed renders are visible here with their reason (the daily task retries them)."""

    list_display = ["contract", "tenant", "year", "month", "status", "attempts", "rendered_at", "render_ms"]
    list_filter = ["tenant", "status", "year"]
    search_fields = ["contract__reference"]
