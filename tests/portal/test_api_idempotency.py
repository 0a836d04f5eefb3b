"""Safe retries and concurrency (portal/api/idempotency.py): the Idempotency-Key header
on POST, ETag on detail answers and If-Match on writes, for every endpoint at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from contracts.models import Contact
from portal import services
from portal.api.idempotency import purge_expired
from portal.models import IdempotencyKey

CONTACT = {"role": "technical", "first_name": "Nadia", "last_name": "Benali", "email": "nadia@a1.test"}


def contacts(org) -> str:
    return f"/api/v1/organizations/{org.reference}/contacts/"


def bearer(api, raw: str):
    api.logout()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def post(client, org, key="k-1", payload=None):
    return client.post(contacts(org), payload or CONTACT, format="json", HTTP_IDEMPOTENCY_KEY=key)


# --------------------------------------------------------------------------- Idempotency-Key


def test_it_replays_the_first_response_to_a_retry(api, alice, org_a1):
    client = api.as_(alice)
    first, again = post(client, org_a1), post(client, org_a1)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert Contact.objects.filter(organization=org_a1).count() == 1


def test_it_says_that_the_response_is_a_replay(api, alice, org_a1):
    client = api.as_(alice)
    first, again = post(client, org_a1), post(client, org_a1)
    assert (first.has_header("Idempotent-Replayed"), again["Idempotent-Replayed"]) == (False, "true")


def test_it_refuses_the_same_key_with_another_body(api, alice, org_a1):
    client = api.as_(alice)
    post(client, org_a1)
    response = post(client, org_a1, payload={**CONTACT, "last_name": "Other"})
    assert (response.status_code, response.json()["error"]["code"]) == (422, "idempotency_key_reused")
    assert list(response.json()["error"]["fields"]) == ["Idempotency-Key"]
    assert Contact.objects.filter(organization=org_a1).count() == 1


def test_it_acts_again_for_another_key(api, alice, org_a1):
    client = api.as_(alice)
    post(client, org_a1, key="a")
    post(client, org_a1, key="b", payload={**CONTACT, "email": "other@a1.test"})
    assert Contact.objects.filter(organization=org_a1).count() == 2


def test_it_keeps_keys_per_token(api, alice, org_a1):
    _, first = services.api_token_create(user=alice, name="One")
    _, second = services.api_token_create(user=alice, name="Two")
    post(bearer(api, first), org_a1)
    response = post(bearer(api, second), org_a1, payload={**CONTACT, "email": "other@a1.test"})
    assert (response.status_code, response.has_header("Idempotent-Replayed")) == (201, False)


def test_it_never_replays_another_users_response(api, alice, amy, org_a1):
    post(api.as_(alice), org_a1)
    response = post(api.as_(amy), org_a1, payload={**CONTACT, "email": "amy@a1.test"})
    assert (response.status_code, response.has_header("Idempotent-Replayed")) == (201, False)


def test_it_replays_a_refusal_as_well(api, alice, org_a1):
    client = api.as_(alice)
    first = post(client, org_a1, payload={**CONTACT, "email": "not an address"})
    again = post(client, org_a1, payload={**CONTACT, "email": "not an address"})
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (400, 400, "true")


def test_it_stores_nothing_for_a_caller_the_permission_layer_refuses(api, alice, org_a1):
    _, raw = services.api_token_create(user=alice, name="Read only", scopes=["contracts:read"])
    response = post(bearer(api, raw), org_a1)
    assert response.status_code == 403
    assert not IdempotencyKey.objects.exists()


def test_it_stores_nothing_for_an_unauthenticated_caller(api, org_a1):
    response = post(bearer(api, "mpt_000000000000_forged"), org_a1)
    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_it_forgets_a_key_after_24_hours(api, alice, org_a1):
    client = api.as_(alice)
    post(client, org_a1)
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        response = post(client, org_a1, payload={**CONTACT, "email": "later@a1.test"})
    assert (response.status_code, response.has_header("Idempotent-Replayed")) == (201, False)


def test_the_purge_deletes_only_expired_keys(api, alice, org_a1):
    post(api.as_(alice), org_a1)
    assert purge_expired(now=timezone.now() + timedelta(hours=23)) == 0
    assert purge_expired(now=timezone.now() + timedelta(hours=25)) == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "clé"])
def test_it_names_a_malformed_key(api, alice, org_a1, key):
    response = api.as_(alice).post(contacts(org_a1), CONTACT, format="json", HTTP_IDEMPOTENCY_KEY=key.encode(
        "utf-8").decode("latin-1"))
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["Idempotency-Key"])
    assert not Contact.objects.exists()


def test_it_writes_the_key_in_the_transaction_of_the_write(api, alice, org_a1):
    post(api.as_(alice), org_a1)
    row = IdempotencyKey.objects.get()
    contact = Contact.objects.get()
    assert (row.status_code, row.response["id"]) == (201, contact.pk)


# --------------------------------------------------------------------------- ETag / If-Match


def org_url(org) -> str:
    return f"/api/v1/organizations/{org.reference}/"


def test_it_gives_a_detail_answer_its_etag(api, alice, org_a1):
    response = api.as_(alice).get(org_url(org_a1))
    assert response["ETag"].startswith('"') and len(response["ETag"]) > 10


def test_the_etag_changes_when_the_object_does(api, alice, org_a1):
    client = api.as_(alice)
    before = client.get(org_url(org_a1))["ETag"]
    client.patch(org_url(org_a1), {"city": "Lyon"}, format="json")
    assert client.get(org_url(org_a1))["ETag"] != before


def test_it_writes_when_if_match_is_current(api, alice, org_a1):
    client = api.as_(alice)
    etag = client.get(org_url(org_a1))["ETag"]
    response = client.patch(org_url(org_a1), {"city": "Lyon"}, format="json", HTTP_IF_MATCH=etag)
    assert (response.status_code, response.json()["city"]) == (200, "Lyon")


def test_it_refuses_a_stale_write_with_412(api, alice, amy, org_a1):
    etag = api.as_(alice).get(org_url(org_a1))["ETag"]
    api.as_(amy).patch(org_url(org_a1), {"city": "Marseille"}, format="json")
    response = api.as_(alice).patch(org_url(org_a1), {"city": "Lyon"}, format="json", HTTP_IF_MATCH=etag)
    assert (response.status_code, response.json()["error"]["code"]) == (412, "precondition_failed")
    org_a1.refresh_from_db()
    assert org_a1.city == "Marseille"


def test_it_still_allows_a_write_without_if_match(api, alice, org_a1):
    response = api.as_(alice).patch(org_url(org_a1), {"city": "Lyon"}, format="json")
    assert response.status_code == 200


def test_it_refuses_a_stale_delete(api, alice, org_a1):
    contact = Contact.objects.create(tenant=org_a1.tenant, organization=org_a1, role="technical",
                                     first_name="A", last_name="B")
    url = f"{contacts(org_a1)}{contact.pk}/"
    response = api.as_(alice).delete(url, HTTP_IF_MATCH='"stale"')
    assert response.status_code == 412
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_it_checks_if_match_on_a_sub_resource_write_against_its_object(api, alice, org_a1, amy):
    from tests.contracts import factories as cf

    contract = cf.draft(actor=amy, client=org_a1)
    response = api.as_(alice).put(f"/api/v1/contracts/{contract.reference}/scope/", {}, format="json",
                                  HTTP_IF_MATCH='"stale"')
    assert response.status_code == 412


def test_it_hides_the_object_before_checking_if_match(api, carol, org_a1):
    response = api.as_(carol).patch(org_url(org_a1), {"city": "Lyon"}, format="json", HTTP_IF_MATCH='"x"')
    assert response.status_code == 404
