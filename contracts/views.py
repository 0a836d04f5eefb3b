"""Browser pages for parties: organisations and their contacts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import selectors, services
from contracts.forms import ContactForm, OrganizationForm
from portal.decorators import tenant_required
from portal.forms_util import apply_errors
from portal.permissions import PARTY_EDITORS, has_role


def _require_editor(request) -> None:
    """Checked after the object lookup, so that what a viewer cannot see answers 404
    whatever its role, and only what it can see answers 403."""
    if not has_role(request.membership, PARTY_EDITORS):
        raise PermissionDenied


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
    org = selectors.organization_get(tenant=request.tenant, viewer=request.membership, reference=org_ref)
    contacts = selectors.contact_list(organization=org)
    return render(request, "contracts/organization_detail.html", {"org": org, "contacts": contacts})


@tenant_required(roles=PARTY_EDITORS)
def organization_create(request):
    form = OrganizationForm(request.POST or None, initial={"kind": "client", "country": "FR"})
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Organisation %(name)s created.") % {"name": org})
            return redirect("organization-detail", org_ref=org.reference)
    return render(request, "contracts/organization_form.html", {"form": form, "org": None})


@tenant_required()
def organization_edit(request, org_ref: str):
    org = selectors.organization_get(tenant=request.tenant, viewer=request.membership, reference=org_ref)
    _require_editor(request)
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(organization=org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Organisation %(name)s saved.") % {"name": org})
            return redirect("organization-detail", org_ref=org.reference)
    return render(request, "contracts/organization_form.html", {"form": form, "org": org})


@tenant_required()
def contact_create(request, org_ref: str):
    org = selectors.organization_get(tenant=request.tenant, viewer=request.membership, reference=org_ref)
    _require_editor(request)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_create(organization=org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Contact added."))
            return redirect("organization-detail", org_ref=org.reference)
    return render(request, "contracts/contact_form.html", {"form": form, "org": org, "contact": None})


@tenant_required()
def contact_edit(request, org_ref: str, contact_id: int):
    org = selectors.organization_get(tenant=request.tenant, viewer=request.membership, reference=org_ref)
    contact = selectors.contact_get(organization=org, contact_id=contact_id)
    _require_editor(request)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(contact=contact, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("organization-detail", org_ref=org.reference)
    return render(request, "contracts/contact_form.html", {"form": form, "org": org, "contact": contact})


@require_POST
@tenant_required()
def contact_delete(request, org_ref: str, contact_id: int):
    org = selectors.organization_get(tenant=request.tenant, viewer=request.membership, reference=org_ref)
    contact = selectors.contact_get(organization=org, contact_id=contact_id)
    _require_editor(request)
    services.contact_delete(contact=contact, actor=request.user)
    messages.success(request, _("Contact deleted."))
    return redirect("organization-detail", org_ref=org.reference)
