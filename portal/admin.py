"""Django admin, for the platform's operators (superusers) only: tenants and accounts.
Tenant users work in the portal, where every change goes through services and the audit log."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from portal.models import AuditEvent, Membership, OutboxMessage, Tenant, User
from portal.outbox import outbox_retry


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "created_at"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "language")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "organization"]
    list_filter = ["tenant", "role"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "tenant", "actor_label", "action", "object_ref"]
    list_filter = ["tenant"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The notifications waiting, sent or given up on; failed ones can be queued again."""

    list_display = ["created_at", "tenant", "kind", "recipient", "state", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state", "channel", "kind", "tenant"]
    search_fields = ["recipient", "kind", "last_error"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry"]

    @admin.action(description="Queue the failed notifications again")
    def retry(self, request, queryset):
        self.message_user(request, f"{outbox_retry(rows=queryset)} notification(s) queued again.")

    def has_add_permission(self, request):
        return False
