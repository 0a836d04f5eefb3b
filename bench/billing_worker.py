"""The Celery worker of bench/billing_run_bench.py: one solo worker consuming the
bench's queue, with the monthly reports' PDF rendering left unqueued (the run is
measured without PDFs; the report rows are still written, as in production).

    .venv/bin/python bench/billing_worker.py QUEUE
The environment (database, broker) is the bench's."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(queue: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    import billing.documents

    billing.documents.enqueue_on_commit = lambda *args, **kwargs: None  # no PDF in this bench
    from portal.celery import app

    app.worker_main(["worker", "--pool=solo", "--concurrency=1", "--loglevel=WARNING", "-Q", queue,
                     "--without-gossip", "--without-mingle", "--hostname", f"{queue}@%h"])


if __name__ == "__main__":
    main(sys.argv[1])
