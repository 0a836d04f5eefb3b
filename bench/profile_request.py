"""Where the time of one request goes: cProfile over N in-process requests on the
tickets benchmark's database (run bench/tickets_bench.py once first).

    .venv/bin/python bench/profile_request.py /dashboard/ [--as tech|client] [-n 50] [--post JSON]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--as", dest="who", default="tech")
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--post", default=None, help="JSON body: POST instead of GET")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    args = parser.parse_args()
    import tickets_bench

    tickets_bench.configure_environment()
    import django

    django.setup()
    from django.test import Client

    from portal.models import User

    client = Client()
    client.force_login(User.objects.get(email=f"{args.who}@{tickets_bench.FOCUS_SLUG}.example"))

    def call():
        if args.post:
            r = client.post(args.path, data=args.post, content_type="application/json")
        else:
            r = client.get(args.path)
        if r.status_code >= 400:
            raise SystemExit(f"HTTP {r.status_code}: {r.content[:300]!r}")

    for _ in range(5):
        call()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        call()
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.limit)
    print(out.getvalue())
    if args.post:
        tickets_bench.delete_bench_tickets()
    return 0


if __name__ == "__main__":
    sys.exit(main())
