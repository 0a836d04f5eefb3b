"""Profile the SLA scan's first pass over the bench's 2,000 due tickets (their SlaEvent
rows deleted first, as the bench does), rolled back afterwards so that the shared bench
database keeps its rows. Usage: DATABASE_URL=... python bench/profile_scan.py [--sort tottime] [-n 1] [--no-profile]"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tickets_bench as tb  # noqa: E402


class _Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("-n", type=int, default=2, help="first passes to time (the last one profiled)")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--floor", action="store_true", help="time the floor after each pass (interleaved)")
    parser.add_argument("--fresh-outbox", action="store_true", help="delete the SLA e-mails of the outbox first")
    parser.add_argument("--later", action="store_true", help="a later pass: the events recorded already")
    args = parser.parse_args()
    tb.configure_environment()
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from portal.celery import tasks_held
    from portal.models import Tenant
    from tickets.models import SlaEvent, Ticket
    from tickets.sla import sla_scan

    focus = Tenant.objects.get(slug=tb.FOCUS_SLUG)
    ids = list(Ticket.objects.filter(tenant=focus, reference__in=tb.due_references()).values_list("pk", flat=True))
    assert len(ids) == tb.DUE_TICKETS, len(ids)
    times: list[float] = []
    floors_s: list[float] = []
    floor = None
    if args.floor:
        import os

        import floors

        floor = floors.scan_floor(floors.raw_connection(os.environ["DATABASE_URL"]), ids)
    for i in range(args.n):
        try:
            with transaction.atomic(), tasks_held():
                from portal.models import OutboxMessage
                if not args.later:
                    SlaEvent.objects.filter(ticket_id__in=ids).delete()
                    if args.fresh_outbox:  # else their e-mails are in the outbox already, as in the bench
                        OutboxMessage.objects.filter(dedup_key__startswith="sla:").delete()
                now = timezone.now()
                tb.reset_due(ids, now)
                profile = cProfile.Profile() if (i == args.n - 1 and not args.no_profile) else None
                with CaptureQueriesContext(connection) as ctx:
                    begin = time.perf_counter()
                    if profile:
                        profile.enable()
                    count = sla_scan(now=now)
                    with connection.cursor() as cursor:  # the deferred foreign key checks of the commit
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    if profile:
                        profile.disable()
                    times.append(time.perf_counter() - begin)
                recorded = SlaEvent.objects.filter(ticket_id__in=ids).count()
                outbox = OutboxMessage.objects.filter(dedup_key__startswith="sla:").count()
                print(f"pass {i}: {count} tickets, {recorded} events, {outbox} outbox rows, "
                      f"{len(ctx.captured_queries)} queries, {times[-1]:.3f} s")
                if i == args.n - 1:
                    for q in ctx.captured_queries:
                        print(f"  {q['time']}s  {q['sql'][:160]}")
                    stats = pstats.Stats(profile)
                    print(f"function calls: {stats.total_calls}")
                    stats.sort_stats(args.sort).print_stats(args.limit)
                    stats.sort_stats("cumulative").print_stats(r"wt-scan/(tickets|portal|sla|integrations)/", 40)
                raise _Rollback
        except _Rollback:
            pass
        if floor is not None:
            begin = time.perf_counter()
            floor()
            floors_s.append(time.perf_counter() - begin)
    print("first-pass times:", " ".join(f"{t:.3f}" for t in times),
          f"median {sorted(times)[len(times) // 2]:.3f}")
    if floors_s:
        print("floor times:", " ".join(f"{t:.3f}" for t in floors_s), f"median {sorted(floors_s)[len(floors_s) // 2]:.3f}",
              f"ratio of medians {sorted(times)[len(times) // 2] / sorted(floors_s)[len(floors_s) // 2]:.2f}")


if __name__ == "__main__":
    main()
