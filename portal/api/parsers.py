"""The API's parsers: DRF's, plus a walk of the parsed document that refuses a string
(value or key, at any depth) holding a character the database cannot store (NUL, a
lone surrogate), as a 400 naming the field ("hours.mon.0.0"). Other control characters
reach the serializers, whose free-text fields strip them (portal.api.fields); form
bodies are also checked, for every control character, by `portal.input_guard`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError

from portal.validators import unstorable_character

MAX_DEPTH = 32  # far deeper than any document of the API


def _message(char: str) -> str:
    return _("Contains a character that cannot be stored (U+%(code)04X).") % {"code": ord(char)}


def _walk(value, path: str, depth: int = 0) -> tuple[str, str] | None:
    """(dotted path, bad character) of the first refused string in `value`, or None."""
    if depth > MAX_DEPTH:
        raise ParseError(_("The document is nested too deeply."))
    if isinstance(value, str):
        char = unstorable_character(value)
        return (path or "non_field_errors", char) if char else None
    if isinstance(value, dict):
        for key, inner in value.items():
            key = str(key)
            char = unstorable_character(key)
            if char:  # a refused key: name the object that holds it
                return path or "non_field_errors", char
            found = _walk(inner, f"{path}.{key}" if path else key, depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found = _walk(inner, f"{path}.{index}" if path else str(index), depth + 1)
            if found:
                return found
    return None


def _walk_form(data) -> tuple[str, str] | None:
    for key, values in data.lists():
        char = unstorable_character(key)
        if char:
            return "non_field_errors", char
        for value in values:
            text = value if isinstance(value, str) else getattr(value, "name", "") or ""  # an upload: its name
            char = unstorable_character(text)
            if char:
                return key, char
    return None


def _refuse(found: tuple[str, str] | None) -> None:
    if found:
        name, char = found
        raise serializers.ValidationError({name: [_message(char)]})


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:  # "[[[[…" thousands deep
            raise ParseError(_("The document is nested too deeply.")) from exc
        _refuse(_walk(data, ""))
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _refuse(_walk_form(data))
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _refuse(_walk_form(result.data) or _walk_form(result.files))
        return result

