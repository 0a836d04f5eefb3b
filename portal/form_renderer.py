"""The form renderer: Django's, with its few plain widget templates written in Python.

Django renders every widget through the template engine (input.html includes attrs.html,
each a template render with its context stack): on the ticket page, ~23 widget renders
were a sixth of the request. The templates below produce exactly the markup of Django's
own (same attributes in the same order, same escaping; tests/portal/test_form_renderer.py
compares them); any other template, or a value the template would have localised, goes
to the template engine as before.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape


class _Fallback(Exception):
    pass


def _text(value) -> str:
    """`{{ value }}` of a label: a string (lazy or not) escaped; anything the template would
    localise goes back to the template."""
    if isinstance(value, str | Promise):
        return str(conditional_escape(value))
    raise _Fallback


def _attrs(attrs: dict) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            if callable(value):
                raise _Fallback
            out.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return (f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
            f'{shown}{_attrs(widget["attrs"])}>')


def _input_option(widget: dict) -> str:
    if widget.get("wrap_label"):
        raise _Fallback
    return _input(widget)


def _textarea(widget: dict) -> str:
    value = widget["value"]
    if value and not isinstance(value, str):
        raise _Fallback
    shown = conditional_escape(value) if value else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{shown}</textarea>'


def _option(widget: dict) -> str:
    return (f'<option value="{conditional_escape(widget["value"])}"{_attrs(widget["attrs"])}>'
            f'{_text(widget["label"])}</option>\n')


def _select(widget: dict) -> str:
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                raise _Fallback
            out.append("\n  " + _option(option))
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


_WIDGETS = {
    **{f"django/forms/widgets/{kind}.html": _input for kind in (
        "input", "text", "number", "email", "url", "password", "hidden", "date", "time", "datetime",
        "checkbox", "file", "search", "tel", "color")},
    "django/forms/widgets/radio_option.html": _input_option,
    "django/forms/widgets/checkbox_option.html": _input_option,
    "django/forms/widgets/input_option.html": _input_option,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}


# An empty error list prints nothing (each template is `{% if errors %}…{% endif %}`); a
# form's `{{ field.errors }}` asks for it once per field, a template render each time.
_ERRORS = {"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html",
           "django/forms/errors/dict/default.html", "django/forms/errors/dict/ul.html"}


class PortalFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in _ERRORS and not context.get("errors"):
            return ""
        fast = _WIDGETS.get(template_name)
        if fast is not None and set(context) == {"widget"}:
            try:
                return fast(context["widget"]).strip()
            except _Fallback:
                pass
        return super().render(template_name, context, request=request)
