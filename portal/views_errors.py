"""404 and 500 pages: JSON in the API's error shape under /api/, HTML elsewhere.

The 500 page is rendered without the request's context processors (no database, no
session): whatever broke the request must not break its error page too."""

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string

from portal.api.errors import json_404, json_500


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return json_404(request, exception)
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return json_500(request)
    return HttpResponseServerError(render_to_string("500.html", {"portal_name": settings.PORTAL_NAME}))
