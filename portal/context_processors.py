from django.conf import settings

from portal.models import CLIENT_ROLES, PROVIDER_ROLES, Role


def portal(request):
    membership = getattr(request, "membership", None)
    role = membership.role if membership else None
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "membership": membership,
        "current_tenant": getattr(request, "tenant", None),
        "is_provider": role in PROVIDER_ROLES,
        "is_client": role in CLIENT_ROLES,
        "is_tenant_admin": role == Role.TENANT_ADMIN,
        "can_edit_parties": role in (Role.TENANT_ADMIN, Role.ACCOUNT_MANAGER),
    }
