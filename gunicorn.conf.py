"""gunicorn's settings for the portal (read by `gunicorn -c gunicorn.conf.py`; the image,
docker-compose.yml and the benchmark use it).

Chosen for the 2-core host the portal is sized for: every request is short and mostly
CPU (Django, templates, serializers) with brief database waits, so synchronous workers
at two per core keep both cores busy while one worker waits on PostgreSQL or Redis,
without the GIL contention threads would add. Each worker keeps its own persistent
database connection (DATABASE_CONN_MAX_AGE, 60 s in production), so 4 workers hold at
most 4 connections. Raise GUNICORN_WORKERS on a bigger host (2 × cores), or set
GUNICORN_THREADS > 1 for a gthread worker when requests wait on slow I/O.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))  # a PDF is rendered by Celery, never in a request
graceful_timeout = 20
keepalive = 5  # behind a reverse proxy that reuses connections
max_requests = 2000  # recycle workers now and then (bounded memory), with jitter so they do not all restart at once
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def post_worker_init(worker):
    """Once the worker has loaded Django (settings, URLs, models, the policy), move those
    long-lived objects out of the garbage collector's sight (gc.freeze): a full collection
    walks every tracked object, ~100–175 ms with the portal loaded, measured in the
    tickets benchmark; the request's own garbage is still collected as usual."""
    import gc

    gc.collect()
    gc.freeze()
