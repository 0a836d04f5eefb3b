"""`/healthz` for load balancers and docker-compose health checks.

Answered by a middleware placed first, before host validation and the HTTPS
redirect, so that a probe on 127.0.0.1 over plain HTTP gets a real answer."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)


def health_status() -> tuple[bool, dict[str, str]]:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not healthy"
        logger.warning("health: database: %s", exc)
        checks["database"] = "error"
    try:
        cache.set("healthz", "1", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "error"
    except Exception as exc:
        logger.warning("health: cache: %s", exc)
        checks["cache"] = "error"
    return all(v == "ok" for v in checks.values()), checks


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            ok, checks = health_status()
            return JsonResponse({"status": "ok" if ok else "error", **checks}, status=200 if ok else 503)
        return self.get_response(request)
