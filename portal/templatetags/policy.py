"""Pages ask the policy (`portal.permissions`) before showing a button, never a copy of it.

    {% load policy %}
    {% if membership|can:"organization.create" %}…{% endif %}
    {% can "contract.render_pdf" contract as may_render %}{% if may_render %}…{% endif %}
"""

from __future__ import annotations

from django import template

from portal import permissions

register = template.Library()


@register.filter(name="can")
def can_filter(membership, action: str) -> bool:
    """Whether `membership` may do `action` (no object)."""
    return permissions.can(membership, action)


@register.simple_tag(takes_context=True, name="can")
def can_tag(context, action: str, obj=None, **details) -> bool:
    """Whether the page's member may do `action` on `obj` (`{% can "x.y" obj as flag %}`)."""
    membership = context.get("membership")
    if membership is None and context.get("request") is not None:
        membership = getattr(context["request"], "membership", None)
    return permissions.can(membership, action, obj, **details)
