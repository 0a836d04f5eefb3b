"""Settings of the benchmarks: the portal's own, with the floor routes added to its URLs.

Used by bench/tickets_bench.py in process and for the gunicorn it starts, so that the
framework floor is measured behind exactly the middleware, authentication and tenant
resolution of the pages and endpoints it is compared with."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
