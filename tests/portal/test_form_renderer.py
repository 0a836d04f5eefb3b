"""The portal's form renderer writes the plain widgets without the template engine: the markup
must be exactly Django's own (tests/ compare them widget by widget)."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from portal.form_renderer import PortalFormRenderer
from tickets.forms import ComposerForm, InterventionForm, PriorityForm, RatingForm, ReplyForm, StatusForm


class Every(forms.Form):
    text = forms.CharField(label="Nom & <prénom>", help_text="aide", max_length=20)
    number = forms.IntegerField(min_value=0, required=False)
    decimal = forms.DecimalField(required=False)
    email = forms.EmailField(required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, initial='a "quoted" <value>')
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "data-x": mark_safe("<b>")}))
    flag = forms.BooleanField(required=False, initial=True)
    off = forms.BooleanField(required=False)
    pick = forms.ChoiceField(choices=[("", "—"), ("a", "A & B"), ("Groupe", [("c", "C"), ("d", "D")])])
    numbers = forms.TypedChoiceField(choices=[(1, "un"), (2, "deux")], coerce=int, initial=2)
    radio = forms.ChoiceField(widget=forms.RadioSelect, choices=[("x", "X <1>"), ("y", "Y")], initial="y")
    many = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, choices=[("x", "X"), ("y", "Y")],
                                     required=False)
    upload = forms.FileField(required=False)


FORMS = [
    lambda: Every(), lambda: Every(data={"text": "x" * 30, "number": "-1", "body": "<script>", "pick": "zz",
                                         "day": "2026-01-02", "hidden": "h&h", "radio": "x", "many": ["y"]}),
    lambda: Every(initial={"day": datetime.date(2026, 3, 4), "number": 12345, "decimal": "1.5"}),
    lambda: ComposerForm(initial={"next_status": "in_progress", "mode": "remote", "billable": True}),
    lambda: ComposerForm(data={"body": "", "minutes": "abc"}), lambda: ReplyForm(), lambda: ReplyForm(data={}),
    lambda: RatingForm(), lambda: StatusForm(), lambda: PriorityForm(initial={"priority": "high"}),
    lambda: InterventionForm(initial={"date": datetime.date(2026, 5, 6), "mode": "remote"}),
]


def renders(form_factory, renderer):
    form = form_factory()
    form.renderer = renderer
    out = []
    for bound in form:
        out.append(str(bound))
        out.extend(str(sub.tag()) for sub in bound.subwidgets)
    return out


@pytest.mark.parametrize("factory", FORMS)
def test_the_portal_renderer_writes_exactly_djangos_markup(factory):
    assert renders(factory, PortalFormRenderer()) == renders(factory, DjangoTemplates())


@pytest.mark.parametrize("factory", FORMS)
def test_the_portal_renderer_writes_djangos_error_lists(factory):
    def errors(renderer):
        form = factory()
        form.renderer = renderer
        return [str(form.errors), str(form.non_field_errors()), *(str(bound.errors) for bound in form)]

    assert errors(PortalFormRenderer()) == errors(DjangoTemplates())
