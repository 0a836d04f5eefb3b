"""Where the time of the monthly run goes: cProfile over billing batches of RUN_BATCH
contracts in-process (as `billing_run_contracts_task` bills them, without the broker or
the PDFs) on the monthly-run benchmark's database (bench/billing_run_bench.py seeds it).

    CELERY_BROKER_URL=redis://… .venv/bin/python bench/profile_billing_run.py [-n 2] [--sort tottime]
Each run first forgets the month (bench reset), so every batch bills from scratch.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=2, help="batches profiled")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    args = parser.parse_args()
    import billing_run_bench as bench

    url = bench.configure_environment()
    if url is None:
        raise SystemExit("needs CELERY_BROKER_URL (the bench's settings)")
    bench.ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    import billing.documents
    from billing.selectors import contracts_active_in_month
    from billing.services import RUN_BATCH
    from billing.tasks import billing_run_contracts_task
    from portal.models import Tenant

    billing.documents.enqueue_on_commit = lambda *a, **k: None  # no PDF, as in the bench's worker
    call_command("migrate", verbosity=0)
    year, month = bench.billed_month(date.today())
    bench.seed(year, month)
    tenant = Tenant.objects.get(slug=bench.TENANT_SLUG)
    bench.reset_month(tenant, year, month)
    ids = list(contracts_active_in_month(tenant=tenant, year=year, month=month).values_list("pk", flat=True))
    batches = [ids[i * RUN_BATCH:(i + 1) * RUN_BATCH] for i in range(args.n + 1)]
    billing_run_contracts_task(tenant.pk, batches[0], year, month)  # warm-up (imports, caches)
    profile = cProfile.Profile()
    queries = 0
    begin = time.perf_counter()
    for batch in batches[1:]:
        with CaptureQueriesContext(connection) as captured:
            profile.enable()
            billing_run_contracts_task(tenant.pk, batch, year, month)
            profile.disable()
        queries += len(captured.captured_queries)
    elapsed = time.perf_counter() - begin
    reset_queries()
    contracts = sum(len(b) for b in batches[1:])
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.limit)
    print(out.getvalue())
    print(f"{contracts} contracts in {elapsed:.2f} s under the profiler: {elapsed / contracts * 1000:.1f} ms "
          f"and {queries / contracts:.1f} queries per contract")
    bench.reset_month(tenant, year, month)
    return 0


if __name__ == "__main__":
    sys.exit(main())
