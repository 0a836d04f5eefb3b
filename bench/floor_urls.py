"""The portal's URLs plus two no-op views: the framework floor of the benchmarks.

`/bench/floor/` is a page behind the portal's middleware (session, tenant resolution)
and its `tenant_required` decorator; `/api/v1/bench/floor/` is an API view with the
API's default authentication (token and session), permission (tenant member, tenant
attached) and throttling. Neither reads anything else: what they cost is what every
page or endpoint costs before it does its own work."""

from django.http import HttpResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.decorators import tenant_required
from portal.urls import urlpatterns as portal_urlpatterns


@tenant_required()
def floor_page(request):
    return HttpResponse(b"<!doctype html><title>floor</title>ok", content_type="text/html; charset=utf-8")


class FloorApi(APIView):
    def get(self, request):
        return Response({"tenant": request.tenant.slug})


urlpatterns = [
    path("bench/floor/", floor_page),
    path("api/v1/bench/floor/", FloorApi.as_view()),
    *portal_urlpatterns,
]
