"""portal.settings in production mode: refuse to start on unsafe configuration, and
pass Django's deployment checks when configured properly. Each case imports the
settings in a fresh interpreter, since they are read once at start-up."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = secrets.token_urlsafe(64)
LOAD_SETTINGS = (
    "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; django.setup(); "
    "from django.conf import settings; print(settings.SECRET_KEY == os.environ.get('EXPECTED_KEY'), settings.DEBUG)"
)


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SECRET_KEY", "DJANGO_", "DEBUG", "PORTAL_ENV"))}
    base.pop("ALLOWED_HOSTS", None)
    base.pop("DATABASE_URL", None)  # the settings are the subject here, not the database
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120,
    )


def load(**env: str) -> subprocess.CompletedProcess:
    return run(["-c", LOAD_SETTINGS], **env)


def production(**env: str) -> dict[str, str]:
    return {"PORTAL_ENV": "production", "ALLOWED_HOSTS": "portal.example", **env}


def assert_refused(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    for word in words:
        assert word in result.stderr


def test_it_starts_in_production_with_a_strong_secret_key():
    result = load(**production(SECRET_KEY=STRONG_KEY, EXPECTED_KEY=STRONG_KEY))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]  # the key is used; DEBUG is off


def test_it_refuses_to_start_in_production_without_a_secret_key():
    assert_refused(load(**production()), "SECRET_KEY")


@pytest.mark.parametrize(
    "key",
    ["short-key", "django-insecure-" + "x" * 60, "django-insecure-local-development-key-do-not-use-in-production"],
    ids=["too-short", "django-insecure-prefix", "the-development-key"],
)
def test_it_refuses_to_start_in_production_with_a_weak_secret_key(key):
    assert_refused(load(**production(SECRET_KEY=key)), "SECRET_KEY", "weak")


def test_it_reads_the_secret_key_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(STRONG_KEY + "\n")
    result = load(**production(SECRET_KEY_FILE=str(key_file), EXPECTED_KEY=STRONG_KEY))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"


def test_it_refuses_to_start_with_an_unreadable_secret_key_file(tmp_path):
    assert_refused(load(**production(SECRET_KEY_FILE=str(tmp_path / "missing"))), "SECRET_KEY_FILE")


def test_it_refuses_to_start_in_production_without_allowed_hosts():
    result = load(PORTAL_ENV="production", SECRET_KEY=STRONG_KEY)
    assert_refused(result, "ALLOWED_HOSTS")


def test_it_refuses_an_unknown_portal_env():
    assert_refused(load(PORTAL_ENV="staging"), "PORTAL_ENV")


def test_it_refuses_a_malformed_debug_flag():
    assert_refused(load(DEBUG="perhaps"), "DEBUG")


def test_it_refuses_an_outbox_handed_to_eager_celery_tasks():
    # The e-mails would be rendered and sent by the request that wrote them.
    result = load(PORTAL_ENV="development", CELERY_BROKER_URL="redis://127.0.0.1:6379/15",
                  CELERY_TASK_ALWAYS_EAGER="true", OUTBOX_DELIVERY="celery")
    assert_refused(result, "OUTBOX_DELIVERY", "CELERY_TASK_ALWAYS_EAGER")


@pytest.mark.parametrize("env", [
    {"CELERY_BROKER_URL": ""},  # embedded: eager tasks, the outbox by a thread
    {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/15"},  # a worker
    {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/15", "CELERY_TASK_ALWAYS_EAGER": "true"},
])
def test_it_never_leaves_the_outbox_to_the_request(env):
    script = ("import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; django.setup(); "
              "from django.conf import settings; print(settings.OUTBOX_DELIVERY, settings.CELERY_TASK_ALWAYS_EAGER)")
    result = run(["-c", script], PORTAL_ENV="development", **env)
    assert result.returncode == 0, result.stderr
    delivery, eager = result.stdout.split()
    assert delivery == "thread" if eager == "True" else delivery == "celery"


def test_it_starts_in_development_without_any_secret():
    result = load(PORTAL_ENV="development")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]  # the built-in development key; DEBUG on


def test_it_passes_the_deployment_checks_in_production():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production(SECRET_KEY=STRONG_KEY)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_links_e_mails_to_the_first_allowed_host_in_production_by_default():
    result = run(["-c", LOAD_SETTINGS.replace("print(settings.SECRET_KEY == os.environ.get('EXPECTED_KEY'), settings.DEBUG)",
                                              "print(settings.SITE_URL)")],
                 **production(SECRET_KEY=STRONG_KEY, SITE_URL="", PORTAL_BASE_URL=""))
    assert result.stdout.strip() == "https://portal.example"


def test_it_refuses_to_start_with_a_site_url_that_is_not_an_address():
    assert_refused(load(**production(SECRET_KEY=STRONG_KEY, SITE_URL="portal.example")), "SITE_URL")


PRODUCTION_SPEED = (
    "import os, json, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; django.setup(); "
    "from django.conf import settings; from django.template import engines; "
    "loaders = [type(l).__module__ + '.' + type(l).__name__ for l in engines['django'].engine.template_loaders]; "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'loaders': loaders, 'conn_max_age': db['CONN_MAX_AGE'], "
    "'health_checks': db.get('CONN_HEALTH_CHECKS', False)}))"
)


def test_it_caches_compiled_templates_in_production():
    import json

    result = run(["-c", PRODUCTION_SPEED], **production(SECRET_KEY=STRONG_KEY))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["loaders"] == ["django.template.loaders.cached.Loader"]


def test_it_keeps_database_connections_open_in_production():
    import json

    result = run(["-c", PRODUCTION_SPEED], **production(SECRET_KEY=STRONG_KEY))
    assert result.returncode == 0, result.stderr
    speed = json.loads(result.stdout)
    assert speed["conn_max_age"] >= 60
    assert speed["health_checks"] is True


GUNICORN_CONF = (
    "import runpy, json; c = runpy.run_path('gunicorn.conf.py'); "
    "print(json.dumps({k: c[k] for k in ('workers', 'threads', 'worker_class', 'timeout', 'max_requests')}))"
)


def test_it_runs_two_sync_gunicorn_workers_per_core():
    import json
    import multiprocessing

    result = run(["-c", GUNICORN_CONF])
    assert result.returncode == 0, result.stderr
    conf = json.loads(result.stdout)
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (2 * multiprocessing.cpu_count(), 1, "sync")


def test_it_takes_the_gunicorn_worker_count_from_the_environment():
    import json

    result = run(["-c", GUNICORN_CONF], GUNICORN_WORKERS="5", GUNICORN_THREADS="4")
    assert result.returncode == 0, result.stderr
    conf = json.loads(result.stdout)
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (5, 4, "gthread")
