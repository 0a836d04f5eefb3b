"""The audit page's changes in words: a field by its verbose name, a choice by its label,
in the viewer's language (never `status: draft → sent`)."""

from __future__ import annotations

from django.utils import translation

from portal.audit_display import change_lines


def test_it_names_a_changed_field_and_its_choices_as_the_model_does():
    with translation.override("en"):
        lines = change_lines("contract.send", {"status": ["draft", "sent"]}, "contract")

    assert lines == [("Status", "Draft → Sent (awaiting signature)")]


def test_it_names_them_in_french_for_a_french_viewer():
    with translation.override("fr"):
        [(field, text)] = change_lines("contract.activate", {"signed_on": "2026-03-01"}, "contract")

    assert field == "Date de signature" and text == "2026-03-01"


def test_it_puts_a_key_that_is_no_field_in_words():
    assert change_lines("contract.scope", {"maintenance_types": ["corrective"]}, "contract")[0][0] \
        == "Maintenance types"
