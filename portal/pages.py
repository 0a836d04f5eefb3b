"""The form page, written once.

GET shows the form; POST validates it (and its formsets), calls the service, shows a
refusal on the form (a `ValidationError` under the fields it names, an
`ApplicationError` above them), and on success redirects with a message. A
`PermissionDenied` or `Http404` from the service is let through (403, 404).

With `action`, the page first asks the policy (`portal.permissions`), on the object
the view looked up (so what the viewer cannot see is already a 404, and only what it
can see answers 403). Pages that also show something to those who may not act (a
calendar with its holiday import, the priority matrix) pass `readers_see_page=True`:
then only a POST is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from portal.exceptions import ApplicationError
from portal.forms_util import apply_errors
from portal.permissions import require


def form_page(
    request,
    form,
    *,
    template: str,
    save: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str],
    success_url: str | Callable[[Any], str] | None = None,
    respond: Callable[[Any], HttpResponse] | None = None,
    context: dict[str, Any] | None = None,
    formsets: Sequence = (),
    form_name: str = "form",
    action: str | None = None,
    obj=None,
    readers_see_page: bool = False,
) -> HttpResponse:
    """Render or process `form`.

    `save(cleaned_data)` calls the service and returns what it made; `success` is the
    message (or makes it from that result); `success_url` is where to go next (a URL,
    a URL name, or made from the result), unless `respond(result)` answers instead.
    `context` is added to `{form_name: form}` when the page is rendered.
    """
    if action is not None and (request.method == "POST" or not readers_see_page):
        require(request.membership, action, obj, tenant=request.tenant)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in formsets):
        try:
            result = save(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, success(result) if callable(success) else success)
            if respond is not None:
                return respond(result)
            return redirect(success_url(result) if callable(success_url) else success_url)
    return render(request, template, {form_name: form, **(context or {})})
