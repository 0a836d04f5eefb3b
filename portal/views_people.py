"""The People page: the members of the tenant (a client administrator: of their
organisation) with their role, status and last login; inviting, re-sending and revoking
invitations; changing a role, deactivating and reactivating; resetting someone's
two-factor authentication. Every decision is the services' (portal/people.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import people, selectors
from portal.decorators import tenant_required
from portal.exceptions import ApplicationError
from portal.forms import InvitationForm, RoleForm
from portal.pages import form_page
from portal.two_factor import users_with_two_factor


def _invitation_form(request, data=None):
    roles = people.role_choices(people.assignable_roles(request.membership))
    return InvitationForm(data, roles=roles, initial={"language": request.LANGUAGE_CODE})


@tenant_required(action="member.list")
def people_list(request):
    members = list(selectors.member_list(tenant=request.tenant, viewer=request.membership))
    enrolled = users_with_two_factor(m.user_id for m in members)
    rows = [{"member": m, "roles": people.role_choices(people.member_roles(m)),
             "two_factor": m.user_id in enrolled} for m in members]
    invitations = selectors.invitation_list(tenant=request.tenant, viewer=request.membership)
    return render(request, "portal/people.html", {"rows": rows, "invitations": invitations})


@tenant_required(action="member.invite")
def people_invite(request):
    return form_page(
        request, _invitation_form(request, request.POST or None), template="portal/people_invite.html",
        save=lambda data: people.invitation_create(tenant=request.tenant, actor=request.user, **data),
        success=lambda inv: _("Invitation sent to %(email)s.") % {"email": inv.email},
        success_url="people-list",
    )


def _act(request, action, success: str):
    """Run a member or invitation action, with its refusal as a message."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/organizations/")
                    else "people-list")


def _member(request, member_id: int):
    return selectors.member_get(tenant=request.tenant, viewer=request.membership, member_id=member_id)


@require_POST
@tenant_required(action="member.list")
def member_role(request, member_id: int):
    member = _member(request, member_id)
    form = RoleForm(request.POST, roles=people.role_choices(people.member_roles(member)))
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles offered."))
        return redirect("people-list")
    return _act(request, lambda: people.member_change_role(member=member, actor=request.user,
                                                           role=form.cleaned_data["role"]),
                _("%(name)s is now %(role)s.") % {"name": member.user.display_name,
                                                  "role": dict(form.fields["role"].choices)[form.cleaned_data["role"]]})


@require_POST
@tenant_required(action="member.list")
def member_deactivate(request, member_id: int):
    member = _member(request, member_id)
    return _act(request, lambda: people.member_deactivate(member=member, actor=request.user),
                _("%(name)s can no longer log in.") % {"name": member.user.display_name})


@require_POST
@tenant_required(action="member.list")
def member_reactivate(request, member_id: int):
    member = _member(request, member_id)
    return _act(request, lambda: people.member_reactivate(member=member, actor=request.user),
                _("%(name)s can log in again.") % {"name": member.user.display_name})


@require_POST
@tenant_required(action="member.list")
def member_two_factor_reset(request, member_id: int):
    member = _member(request, member_id)
    return _act(request, lambda: people.member_reset_two_factor(member=member, actor=request.user),
                _("Two-factor authentication of %(name)s was reset.") % {"name": member.user.display_name})


def _invitation(request, invitation_id: int):
    return selectors.invitation_get(tenant=request.tenant, viewer=request.membership, invitation_id=invitation_id)


@require_POST
@tenant_required(action="member.list")
def invitation_resend(request, invitation_id: int):
    invitation = _invitation(request, invitation_id)
    return _act(request, lambda: people.invitation_resend(invitation=invitation, actor=request.user),
                _("Invitation sent again to %(email)s.") % {"email": invitation.email})


@require_POST
@tenant_required(action="member.list")
def invitation_revoke(request, invitation_id: int):
    invitation = _invitation(request, invitation_id)
    return _act(request, lambda: people.invitation_revoke(invitation=invitation, actor=request.user),
                _("Invitation of %(email)s revoked.") % {"email": invitation.email})
