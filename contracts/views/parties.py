"""Browser pages for parties: organisations and their contacts. Objects are looked up
first, so that what a viewer cannot see answers 404 whatever its role; then the policy
(asked by `form_page`, or by the service) answers 403 for what it may see but not change."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import services
from contracts.forms.parties import ContactForm, OrganizationForm
from contracts.panels import organization_panels
from contracts.selectors import contracts as contract_selectors
from contracts.selectors import parties as selectors
from portal import people
from portal import selectors as portal_selectors
from portal.decorators import tenant_required
from portal.forms import InvitationForm
from portal.pages import form_page
from portal.permissions import can


@tenant_required()
def organization_list(request):
    kind = request.GET.get("kind", "")
    search = request.GET.get("q", "").strip()
    orgs = selectors.organization_list(
        tenant=request.tenant, viewer=request.membership, kind=kind if kind in ("client", "provider") else None,
        search=search,
    )
    page = Paginator(orgs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "kind": kind, "q": search}
    if request.headers.get("HX-Request"):  # live search re-renders only the table
        return render(request, "contracts/snippets/organization_table.html", context)
    return render(request, "contracts/organization_list.html", context)


@tenant_required()
def organization_detail(request, org_ref: str):
    """The organisation with its contracts, people (with their roles; the open
    invitations for those who manage them), contacts, and the panels of the apps above
    (tickets: the open ones)."""
    membership = request.membership
    org = selectors.organization_get(tenant=request.tenant, viewer=membership, reference=org_ref)
    contacts = selectors.contact_list(organization=org)
    contracts = contract_selectors.contract_list(tenant=request.tenant, viewer=membership).filter(client=org)
    people = portal_selectors.organization_people(organization=org)
    invitations = (portal_selectors.invitation_list(tenant=request.tenant, viewer=membership, organization=org)
                   if can(membership, "member.list") else [])
    return render(request, "contracts/organization_detail.html", {
        "org": org, "contacts": contacts, "contracts": contracts, "people": people, "invitations": invitations,
        "panels": organization_panels(request, org)})


@tenant_required(action="member.invite")
def organization_invite(request, org_ref: str):
    """Invite someone of a client organisation (client roles), as a tenant administrator
    or the organisation's own client administrator."""
    org = selectors.organization_get(tenant=request.tenant, viewer=request.membership, reference=org_ref)
    roles = people.role_choices(people.assignable_roles(request.membership, organization=org))
    form = InvitationForm(request.POST or None, roles=roles, initial={"language": request.LANGUAGE_CODE})
    return form_page(
        request, form, template="portal/people_invite.html", context={"org": org},
        save=lambda data: people.invitation_create(tenant=request.tenant, actor=request.user, organization=org,
                                                   **data),
        success=lambda inv: _("Invitation sent to %(email)s.") % {"email": inv.email},
        success_url=reverse("organization-detail", args=[org.reference]),
    )


@tenant_required(action="organization.create")
def organization_create(request):
    return form_page(
        request, OrganizationForm(request.POST or None, initial={"kind": "client", "country": "FR"},
                                  tenant=request.tenant),
        template="contracts/organization_form.html", context={"org": None},
        save=lambda data: services.organization_create(tenant=request.tenant, actor=request.user, **data),
        success=lambda org: _("Organisation %(name)s created.") % {"name": org},
        success_url=lambda org: reverse("organization-detail", args=[org.reference]),
    )


@tenant_required()
def organization_edit(request, org_ref: str):
    org = selectors.organization_get(tenant=request.tenant, viewer=request.membership, reference=org_ref)
    return form_page(
        request, OrganizationForm(request.POST or None, instance=org), action="organization.update", obj=org,
        template="contracts/organization_form.html", context={"org": org},
        save=lambda data: services.organization_update(organization=org, actor=request.user, **data),
        success=lambda saved: _("Organisation %(name)s saved.") % {"name": saved},
        success_url=reverse("organization-detail", args=[org.reference]),
    )


@tenant_required()
def contact_create(request, org_ref: str):
    org = selectors.organization_get(tenant=request.tenant, viewer=request.membership, reference=org_ref)
    return form_page(
        request, ContactForm(request.POST or None), action="contact.create", obj=org,
        template="contracts/contact_form.html", context={"org": org, "contact": None},
        save=lambda data: services.contact_create(organization=org, actor=request.user, **data),
        success=_("Contact added."), success_url=reverse("organization-detail", args=[org.reference]),
    )


@tenant_required()
def contact_edit(request, org_ref: str, contact_id: int):
    org = selectors.organization_get(tenant=request.tenant, viewer=request.membership, reference=org_ref)
    contact = selectors.contact_get(organization=org, contact_id=contact_id)
    return form_page(
        request, ContactForm(request.POST or None, instance=contact), action="contact.update", obj=contact,
        template="contracts/contact_form.html", context={"org": org, "contact": contact},
        save=lambda data: services.contact_update(contact=contact, actor=request.user, **data),
        success=_("Contact saved."), success_url=reverse("organization-detail", args=[org.reference]),
    )


@require_POST
@tenant_required()
def contact_delete(request, org_ref: str, contact_id: int):
    org = selectors.organization_get(tenant=request.tenant, viewer=request.membership, reference=org_ref)
    contact = selectors.contact_get(organization=org, contact_id=contact_id)
    services.contact_delete(contact=contact, actor=request.user)
    messages.success(request, _("Contact deleted."))
    return redirect("organization-detail", org_ref=org.reference)
