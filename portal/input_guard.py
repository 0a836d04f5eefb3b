"""Refuse, in one place and before any view, request input that the database cannot
store or that no person types: NUL and the other C0 control characters (tab, line feed
and carriage return excepted), in the path, the query string (names and values) and
form-encoded fields (names, values and uploaded file names). psycopg refuses NUL in a
string, so without this each filter of each list would answer 500.

The API answers in its one error shape, naming the parameter; pages get a plain 400
page saying which field. JSON bodies are checked by the API's parsers
(`portal.api.parsers`), which name the field inside the document."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from portal.api.errors import error_body
from portal.validators import control_character

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _first_bad(data: QueryDict) -> tuple[str, str] | None:
    """(field name, bad character) of the first field whose name or value is refused."""
    for key, values in data.lists():
        for text in (key, *(v if isinstance(v, str) else getattr(v, "name", "") or "" for v in values)):
            char = control_character(text)
            if char is not None:
                return key, char
    return None


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            problem = self.problem(request)
        except MultiPartParserError:
            return self.refuse(request, None, _("The form could not be read."))
        if problem is not None:
            return self.refuse(request, *problem)
        return self.get_response(request)

    def problem(self, request) -> tuple[str | None, str] | None:
        char = control_character(request.path)
        if char is not None:
            return None, _("The address contains a control character (U+%(code)04X), which is not accepted.") % {
                "code": ord(char)}
        found = _first_bad(request.GET)
        if found is None and request.content_type in FORM_TYPES:
            if request.method == "POST":
                found = _first_bad(request.POST) or _first_bad(request.FILES)
            elif request.content_type == FORM_TYPES[0] and request.method in ("PUT", "PATCH", "DELETE"):
                # Django parses form bodies of POST only; the API also takes them on PUT/PATCH.
                found = _first_bad(QueryDict(request.body, encoding=request.encoding))
        if found is None:
            return None
        name, char = found
        return name, _("“%(field)s” contains a control character (U+%(code)04X), which is not accepted.") % {
            "field": name, "code": ord(char)}

    @staticmethod
    def refuse(request, field: str | None, message: str):
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(400, "invalid", message, {field: [message]} if field else None), status=400)
        return HttpResponseBadRequest(render_to_string("400.html", {"message": message, "portal_name": settings.PORTAL_NAME}))
