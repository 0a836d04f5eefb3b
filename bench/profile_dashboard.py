"""The technician dashboard's queries (time, SQL, and EXPLAIN ANALYZE with --explain) and
its HTML (--html FILE, for a before/after comparison), on the bench database."""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import tickets_bench as tb  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", default="/dashboard/")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--html", default=None)
    parser.add_argument("--width", type=int, default=300)
    parser.add_argument("-n", type=int, default=0, help="time n requests (after 20 warm-up ones)")
    args = parser.parse_args()
    tb.configure_environment()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.models import User

    client = Client()
    client.force_login(User.objects.get(email=f"tech@{tb.FOCUS_SLUG}.example"))
    client.get(args.path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(args.path)
    assert response.status_code == 200, response.status_code
    print(f"{len(ctx.captured_queries)} queries")
    for q in ctx.captured_queries:
        print(f"  {q['time']}s  {q['sql'][:args.width]}")
        if args.explain and q["sql"].lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                print("    " + "\n    ".join(r[0] for r in cur.fetchall()))
    if args.html:
        html = response.content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', html)
        html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
        Path(args.html).write_text(html)
    if args.n:
        for _ in range(20):
            client.get(args.path)
        samples = []
        for _ in range(args.n):
            begin = time.perf_counter()
            client.get(args.path)
            samples.append((time.perf_counter() - begin) * 1000)
        samples.sort()
        print(f"{args.n} requests: median {statistics.median(samples):.1f} ms, "
              f"p95 {samples[int(len(samples) * 0.95) - 1]:.1f} ms")


if __name__ == "__main__":
    main()
