"""The technician dashboard against its floor, interleaved in one process: the no-op
page, the queue's first page query (raw psycopg), an empty page extending base.html
(what the layout costs) and /dashboard/, N rounds of each in turn; medians and p95."""

from __future__ import annotations

import os
import statistics
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import tickets_bench as tb  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    tb.configure_environment()
    import django

    django.setup()
    import floor_urls
    import floors
    from django.template import engines
    from django.test import Client, override_settings
    from django.urls import path

    from portal.decorators import tenant_required
    from portal.models import User

    layout = engines["django"].from_string('{% extends "base.html" %}')

    @tenant_required()
    def base_page(request):
        from django.http import HttpResponse

        return HttpResponse(layout.render({}, request))

    urls = types.ModuleType("compare_urls")
    urls.urlpatterns = [path("bench/base/", base_page), *floor_urls.urlpatterns]
    sys.modules["compare_urls"] = urls
    tech = User.objects.select_related("membership__tenant").get(email=f"tech@{tb.FOCUS_SLUG}.example")
    client = Client()
    client.force_login(tech)
    raw = floors.raw_connection(os.environ["DATABASE_URL"])
    sql, params = floors.queue_page_sql(tenant=tech.membership.tenant, viewer=tech.membership)
    with override_settings(ROOT_URLCONF="compare_urls"):
        calls = {
            "page floor": lambda: client.get("/bench/floor/"),
            "queue data floor": lambda: floors.fetch_all(raw, sql, params),
            "base layout page": lambda: client.get("/bench/base/"),
            "dashboard": lambda: client.get("/dashboard/"),
        }
        samples: dict[str, list[float]] = {k: [] for k in calls}
        for i in range(n + 20):
            for name, call in calls.items():
                begin = time.perf_counter()
                call()
                if i >= 20:
                    samples[name].append((time.perf_counter() - begin) * 1000)
    p95 = {}
    for name, values in samples.items():
        values.sort()
        p95[name] = values[int(len(values) * 0.95) - 1]
        print(f"{name:18} median {statistics.median(values):6.1f} ms  p95 {p95[name]:6.1f} ms")
    floor = p95["page floor"] + p95["queue data floor"]
    print(f"dashboard ratio (p95 / (page floor p95 + queue data p95)): {p95['dashboard'] / floor:.2f}; "
          f"base layout beyond the floor page: {p95['base layout page'] - p95['page floor']:.1f} ms p95, "
          f"{statistics.median(samples['base layout page']) - statistics.median(samples['page floor']):.1f} ms median")


if __name__ == "__main__":
    main()
