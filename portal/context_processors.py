from django.conf import settings


def portal(request):
    """What every page needs. Who may do what is asked to the policy in the templates
    (`{% load policy %}`); `is_provider` / `is_client` only choose the audience of a page."""
    membership = getattr(request, "membership", None)
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "membership": membership,
        "current_tenant": getattr(request, "tenant", None),
        "is_provider": membership is not None and membership.is_provider,
        "is_client": membership is not None and membership.is_client,
    }
