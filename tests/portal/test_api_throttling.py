"""API throttling: per token for token calls, per user for sessions, per client address
for anonymous ones and failed tokens; 429 in the one error shape, with Retry-After."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from portal import services

ME = "/api/v1/me/"
SCHEMA = "/api/schema/"


@pytest.fixture(autouse=True)
def low_rates(settings):
    settings.API_THROTTLE_RATES = {"user": "3/minute", "anon": "2/minute"}


def bearer(api, raw: str):
    api.logout()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def test_it_answers_429_once_a_user_exceeds_the_rate(api, alice):
    client = api.as_(alice)
    assert [client.get(ME).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_it_says_when_to_retry(api, alice):
    client = api.as_(alice)
    for _ in range(3):
        client.get(ME)
    response = client.get(ME)
    assert 0 < int(response["Retry-After"]) <= 60


def test_it_answers_429_in_the_one_error_shape(api, alice):
    client = api.as_(alice)
    for _ in range(3):
        client.get(ME)
    error = client.get(ME).json()["error"]
    assert (error["status"], error["code"]) == (429, "throttled")
    assert error["message"]


def test_it_throttles_token_calls_per_user(api, alice):
    _, raw = services.api_token_create(user=alice, name="Monitoring")
    client = bearer(api, raw)
    assert [client.get(ME).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_it_counts_each_token_apart(api, alice):
    _, first = services.api_token_create(user=alice, name="Monitoring")
    _, second = services.api_token_create(user=alice, name="Accounting")
    for _ in range(4):
        bearer(api, first).get(ME)
    assert bearer(api, second).get(ME).status_code == 200


def test_it_counts_a_token_apart_from_its_users_session(api, alice):
    _, raw = services.api_token_create(user=alice, name="Monitoring")
    for _ in range(4):
        bearer(api, raw).get(ME)
    api.credentials()
    assert api.as_(alice).get(ME).status_code == 200


def test_it_counts_each_user_apart(api, alice, amy):
    for _ in range(4):
        api.as_(alice).get(ME)
    assert api.as_(amy).get(ME).status_code == 200


def test_it_lets_the_user_call_again_after_the_window(api, alice):
    client = api.as_(alice)
    for _ in range(4):
        client.get(ME)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assert client.get(ME).status_code == 200


def test_it_throttles_anonymous_callers_per_address(api, db):
    statuses = [api.get(SCHEMA, REMOTE_ADDR="203.0.113.7").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert api.get(SCHEMA, REMOTE_ADDR="198.51.100.20").status_code == 200


def test_it_ignores_a_forwarded_for_header_chosen_by_the_caller(api, db):
    statuses = [api.get(SCHEMA, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
                for i in range(3)]
    assert statuses[-1] == 429


def test_it_throttles_failed_tokens_per_address(api, db):
    client = bearer(api, "mpt_000000000000_not-a-real-secret")
    statuses = [client.get(ME, REMOTE_ADDR="203.0.113.7").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_it_can_be_turned_off(api, alice, settings):
    settings.API_THROTTLE_RATES = {"user": None, "anon": None}
    client = api.as_(alice)
    assert {client.get(ME).status_code for _ in range(5)} == {200}
