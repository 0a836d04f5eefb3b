"""Pages of login security for tenant administrators: the locked logins of their
tenant's members, and unlocking one."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import login_lockout
from portal.decorators import tenant_required


@tenant_required(action="login_lockout.list")
def lockout_list(request):
    locked = login_lockout.locked_login_list(tenant=request.tenant)
    return render(request, "portal/lockouts.html", {
        "locked": locked, "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)})


@require_POST
@tenant_required(action="login_lockout.reset")
def lockout_unlock(request):
    user = login_lockout.login_lockout_reset(tenant=request.tenant, actor=request.user,
                                             email=request.POST.get("email", ""))
    messages.success(request, _("%(email)s can log in again.") % {"email": user.email})
    return redirect("lockout-list")
