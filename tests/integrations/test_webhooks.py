"""Webhooks against a real receiver on 127.0.0.1 (tests/integrations/receiver.py), which
checks every signature. Loopback receivers are allowed here by the setting
`WEBHOOKS_ALLOW_PRIVATE_NETWORKS` (on in development only), turned on per test."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from integrations import services
from integrations.models import DeliveryState, WebhookDelivery, WebhookEvent, WebhookSubscription
from integrations.webhooks import backoff, sign, verify_signature, webhook_deliver
from portal.models import OutboxMessage
from tests.integrations.receiver import Receiver
from tests.tickets import factories as tf

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOKS_TIMEOUT = 2.0
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def contract(tenant_a, org_a1, amy):
    return tf.active_contract(actor=amy, client=org_a1, policy=tf.sla_policy(tenant_a))


def subscribe(alice, receiver, events=("ticket.created",)):
    subscription, secret = services.webhook_create(tenant=alice.membership.tenant, actor=alice, name="Monitoring",
                                                   url=receiver.url, event_types=list(events))
    receiver.secret = secret
    return subscription


def open_ticket(cody, contract, capture):
    with capture(execute=True):
        return tf.open_ticket(actor=cody, contract=contract)


# ---------------------------------------------------------------------- delivery


def test_a_new_ticket_reaches_the_receiver_signed(alice, cody, contract, receiver,
                                                  django_capture_on_commit_callbacks):
    subscribe(alice, receiver)
    ticket = open_ticket(cody, contract, django_capture_on_commit_callbacks)
    [call] = receiver.calls
    assert call.signature_ok
    assert call.json["type"] == "ticket.created"
    assert call.json["data"]["ticket"]["reference"] == ticket.reference


def test_the_event_id_header_is_the_event_id_of_the_body(alice, cody, contract, receiver,
                                                         django_capture_on_commit_callbacks):
    subscribe(alice, receiver)
    open_ticket(cody, contract, django_capture_on_commit_callbacks)
    [call] = receiver.calls
    event = WebhookEvent.objects.get()
    assert call.headers["X-Portal-Event-Id"] == call.json["id"] == str(event.uid)


def test_the_delivery_log_keeps_the_status_code_and_the_duration(alice, cody, contract, receiver,
                                                                 django_capture_on_commit_callbacks):
    subscribe(alice, receiver)
    open_ticket(cody, contract, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    [attempt] = delivery.attempt_log.all()
    assert (delivery.state, delivery.last_status_code, attempt.status_code) == (DeliveryState.DELIVERED, 200, 200)
    assert attempt.duration_ms < 2000


def test_an_event_nobody_subscribed_to_is_not_recorded(alice, cody, contract, receiver,
                                                       django_capture_on_commit_callbacks):
    subscribe(alice, receiver, events=("sla.breach",))
    open_ticket(cody, contract, django_capture_on_commit_callbacks)
    assert (WebhookEvent.objects.count(), receiver.calls) == (0, [])


def test_a_change_rolled_back_records_no_event(alice, cody, contract, receiver):
    subscribe(alice, receiver)
    with pytest.raises(RuntimeError), transaction.atomic():
        tf.open_ticket(actor=cody, contract=contract)
        raise RuntimeError("the request fails after the ticket")
    assert WebhookEvent.objects.count() == 0


def test_the_request_never_calls_the_receiver(alice, cody, contract, receiver):
    """Delivery waits for the commit and a worker: a hung receiver cannot slow a request."""
    receiver.hang()
    subscribe(alice, receiver)
    tf.open_ticket(actor=cody, contract=contract)  # no commit callbacks run: the request ends here
    assert receiver.calls == []
    assert WebhookDelivery.objects.get().state == DeliveryState.PENDING


def test_a_receiver_that_does_not_answer_times_out_and_is_retried(alice, cody, contract, receiver, settings):
    settings.WEBHOOKS_TIMEOUT = 0.3
    receiver.hang()
    subscribe(alice, receiver)
    tf.open_ticket(actor=cody, contract=contract)
    started = time.monotonic()
    assert webhook_deliver() == {"retry": 1}
    assert time.monotonic() - started < 2
    assert "timed out" in WebhookDelivery.objects.get().last_error


def test_a_failed_call_is_retried_after_a_back_off(alice, cody, contract, receiver):
    receiver.statuses = [500]
    subscribe(alice, receiver)
    tf.open_ticket(actor=cody, contract=contract)
    now = timezone.now()
    assert webhook_deliver(now=now) == {"retry": 1}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (DeliveryState.PENDING, 1, 500)
    assert now + timedelta(seconds=15) <= delivery.next_attempt_at <= now + timedelta(seconds=30)


def test_a_retry_is_not_sent_before_its_time(alice, cody, contract, receiver):
    receiver.statuses = [500]
    subscribe(alice, receiver)
    tf.open_ticket(actor=cody, contract=contract)
    now = timezone.now()
    webhook_deliver(now=now)
    assert webhook_deliver(now=now + timedelta(seconds=10)) == {}


def test_a_retry_carries_the_same_event_id(alice, cody, contract, receiver):
    receiver.statuses = [503]
    subscribe(alice, receiver)
    tf.open_ticket(actor=cody, contract=contract)
    now = timezone.now()
    webhook_deliver(now=now)
    assert webhook_deliver(now=now + timedelta(minutes=1)) == {"delivered": 1}
    first, second = receiver.calls
    assert first.json["id"] == second.json["id"]


def test_the_back_off_doubles_up_to_an_hour_with_jitter():
    import random

    rng = random.Random(4)
    waits = [backoff(n, rng=rng) for n in (1, 2, 3, 12)]
    assert timedelta(seconds=15) <= waits[0] <= timedelta(seconds=30)
    assert timedelta(seconds=30) <= waits[1] <= timedelta(seconds=60)
    assert timedelta(seconds=60) <= waits[2] <= timedelta(seconds=120)
    assert timedelta(minutes=30) <= waits[3] <= timedelta(hours=1)


def test_a_delivery_is_given_up_after_24_hours(alice, cody, contract, receiver):
    receiver.statuses = [500]
    subscribe(alice, receiver)
    tf.open_ticket(actor=cody, contract=contract)
    event = WebhookEvent.objects.get()
    later = event.created_at + timedelta(hours=24, seconds=1)
    WebhookDelivery.objects.update(next_attempt_at=later)
    assert webhook_deliver(now=later) == {"failed": 1}
    assert WebhookDelivery.objects.get().state == DeliveryState.FAILED


def test_a_subscription_failing_for_3_days_is_disabled(alice, cody, contract, receiver):
    receiver.statuses = [500]
    subscription = subscribe(alice, receiver)
    tf.open_ticket(actor=cody, contract=contract)
    now = timezone.now()
    WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=now - timedelta(days=3))
    webhook_deliver(now=now)
    subscription.refresh_from_db()
    assert (subscription.is_active, subscription.disabled_at) == (False, now)


def test_the_tenant_admins_are_told_when_a_subscription_is_disabled(alice, cody, contract, receiver):
    receiver.statuses = [500]
    subscription = subscribe(alice, receiver)
    tf.open_ticket(actor=cody, contract=contract)
    now = timezone.now()
    WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=now - timedelta(days=3))
    webhook_deliver(now=now)
    mail = OutboxMessage.objects.get(kind="integrations.webhook_disabled")
    assert mail.recipient == alice.email


def test_a_success_ends_the_failure_streak(alice, cody, contract, receiver):
    subscription = subscribe(alice, receiver)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=timezone.now() - timedelta(days=1))
    tf.open_ticket(actor=cody, contract=contract)
    webhook_deliver()
    subscription.refresh_from_db()
    assert subscription.failing_since is None


def test_a_disabled_subscription_gets_nothing_more(alice, cody, contract, receiver):
    subscription = subscribe(alice, receiver)
    tf.open_ticket(actor=cody, contract=contract)
    services.webhook_update(subscription=subscription, actor=alice, is_active=False)
    assert (webhook_deliver(), receiver.calls) == ({}, [])


def test_a_test_event_reaches_the_receiver(alice, receiver, django_capture_on_commit_callbacks):
    subscription = subscribe(alice, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_send_test(subscription=subscription, actor=alice)
    [call] = receiver.calls
    assert (call.signature_ok, call.json["type"]) == (True, "webhook.test")


def test_a_new_secret_signs_the_next_deliveries(alice, receiver, django_capture_on_commit_callbacks):
    subscription = subscribe(alice, receiver)
    _subscription, receiver.secret = services.webhook_roll_secret(subscription=subscription, actor=alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_send_test(subscription=subscription, actor=alice)
    assert receiver.calls[0].signature_ok


# ---------------------------------------------------------------------- the signature


def test_a_signature_is_refused_for_another_body():
    header = sign("whsec_k", b'{"a":1}', int(time.time()))
    assert not verify_signature("whsec_k", header, b'{"a":2}')


def test_a_signature_is_refused_for_another_secret():
    header = sign("whsec_k", b"{}", int(time.time()))
    assert not verify_signature("whsec_other", header, b"{}")


def test_an_old_signature_is_refused():
    header = sign("whsec_k", b"{}", int(time.time()) - 3600)
    assert not verify_signature("whsec_k", header, b"{}")


def test_a_malformed_signature_header_is_refused():
    assert not verify_signature("whsec_k", "t=abc,v1=", b"{}")


# ---------------------------------------------------------------------- SSRF


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/hook", "http://localhost/hook", "http://10.1.2.3/hook", "http://192.168.1.10/hook",
    "http://172.16.0.5/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook", "http://100.64.0.1/hook", "http://[fd00::1]/hook",
])
def test_a_receiver_on_a_private_address_is_refused(alice, url):
    with pytest.raises(ValidationError) as refused:
        services.webhook_create(tenant=alice.membership.tenant, actor=alice, name="x", url=url,
                                event_types=["ticket.created"])
    assert "url" in refused.value.message_dict


@pytest.mark.parametrize("url", ["ftp://93.184.215.14/x", "https://user:pw@93.184.215.14/x", "not a url",
                                 "https://no-such-host.invalid/x", "http://[::1/x"])
def test_a_receiver_url_that_cannot_be_called_is_refused(alice, url):
    with pytest.raises(ValidationError) as refused:
        services.webhook_create(tenant=alice.membership.tenant, actor=alice, name="x", url=url,
                                event_types=["ticket.created"])
    assert "url" in refused.value.message_dict


def test_a_public_receiver_is_accepted(alice):
    subscription, _secret = services.webhook_create(tenant=alice.membership.tenant, actor=alice, name="x",
                                                    url="https://93.184.215.14/hook", event_types=["sla.breach"])
    assert subscription.url == "https://93.184.215.14/hook"


def test_the_address_is_checked_again_at_delivery(alice, cody, contract, receiver, settings):
    """A name that resolved to a public address when saved may point inside later (DNS
    rebinding): the delivery checks the address it calls."""
    subscribe(alice, receiver)
    tf.open_ticket(actor=cody, contract=contract)
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    assert webhook_deliver() == {"retry": 1}
    assert receiver.calls == []
    assert "private" in WebhookDelivery.objects.get().last_error


def test_an_unknown_event_type_is_refused(alice):
    with pytest.raises(ValidationError) as refused:
        services.webhook_create(tenant=alice.membership.tenant, actor=alice, name="x",
                                url="https://93.184.215.14/hook", event_types=["ticket.exploded"])
    assert "event_types" in refused.value.message_dict


# ---------------------------------------------------------------------- events of the other apps


def test_resolving_a_ticket_announces_it(alice, bob, cody, contract, receiver):
    subscribe(alice, receiver, events=("ticket.resolved",))
    from tickets.services import ticket_change_status

    ticket = tf.open_ticket(actor=cody, contract=contract)
    ticket_change_status(ticket=ticket, actor=bob, status="resolved", now=tf.at(tf.MON, 11))
    assert WebhookEvent.objects.get().payload["ticket"]["status"] == "resolved"


def test_activating_a_contract_announces_it(alice, amy, tenant_a, org_a1, receiver):
    subscribe(alice, receiver, events=("contract.activated",))
    contract = tf.active_contract(actor=amy, client=org_a1, policy=tf.sla_policy(tenant_a))
    assert WebhookEvent.objects.get().payload["contract"]["reference"] == contract.reference


def test_issuing_an_invoice_announces_it(alice, amy, contract, receiver):
    from tests.billing import factories as bf

    subscribe(alice, receiver, events=("invoice.issued",))
    invoice = bf.issued(contract, 2026, 3, actor=amy)
    payload = WebhookEvent.objects.get().payload["invoice"]
    assert (payload["number"], payload["gross"]) == (invoice.number, str(invoice.gross))


def test_a_breach_recorded_by_the_scan_announces_it(alice, cody, contract, receiver):
    from tickets.sla import sla_scan

    subscribe(alice, receiver, events=("sla.breach",))
    ticket = tf.open_ticket(actor=cody, contract=contract)
    sla_scan(now=tf.at(tf.NEXT_MON + 7, 10))
    kinds = sorted(e.payload["metric"] for e in WebhookEvent.objects.filter(event_type="sla.breach"))
    assert kinds == ["resolution", "response"]
    assert WebhookEvent.objects.first().payload["ticket"]["reference"] == ticket.reference


# ---------------------------------------------------------------------- pages and API


def test_the_secret_is_shown_once_on_the_page_that_creates_it(web, alice, settings):
    response = web.as_(alice).post("/integrations/webhooks/", {
        "name": "Monitoring", "url": "https://93.184.215.14/hook", "event_types": ["ticket.created"]})
    secret = WebhookSubscription.objects.get().secret
    assert secret in response.content.decode()
    assert secret not in web.get("/integrations/webhooks/").content.decode()


def test_the_page_names_a_private_receiver_url(web, alice):
    response = web.as_(alice).post("/integrations/webhooks/", {
        "name": "Monitoring", "url": "http://10.0.0.8/hook", "event_types": ["ticket.created"]})
    assert response.status_code == 200
    assert "private" in response.content.decode()
    assert WebhookSubscription.objects.count() == 0


def test_the_detail_page_shows_the_delivery_log(web, alice, cody, contract, receiver):
    subscription = subscribe(alice, receiver)
    tf.open_ticket(actor=cody, contract=contract)
    webhook_deliver()
    body = web.as_(alice).get(f"/integrations/webhooks/{subscription.pk}/").content.decode()
    assert "HTTP 200" in body and str(WebhookEvent.objects.get().uid) in body


def test_the_test_button_queues_a_test_event(web, alice, receiver):
    subscription = subscribe(alice, receiver)
    response = web.as_(alice).post(f"/integrations/webhooks/{subscription.pk}/test/")
    assert response.status_code == 302
    assert WebhookDelivery.objects.get().event.event_type == "webhook.test"


def test_a_client_cannot_see_a_subscription(web, clara, alice, receiver):
    subscription = subscribe(alice, receiver)
    assert web.as_(clara).get(f"/integrations/webhooks/{subscription.pk}/").status_code == 404


def test_a_technician_may_not_manage_webhooks(web, bob):
    assert web.as_(bob).get("/integrations/webhooks/").status_code == 403


def test_the_api_creates_a_subscription_and_shows_its_secret_once(api, alice):
    response = api.as_(alice).post("/api/v1/webhooks/", {
        "name": "Monitoring", "url": "https://93.184.215.14/hook", "event_types": ["ticket.created"]}, format="json")
    assert response.status_code == 201
    assert response.json()["secret"] == WebhookSubscription.objects.get().secret
    assert "secret" not in api.get(f"/api/v1/webhooks/{response.json()['id']}/").json()


def test_the_api_refuses_a_private_receiver_naming_the_field(api, alice):
    response = api.as_(alice).post("/api/v1/webhooks/", {
        "name": "Monitoring", "url": "http://169.254.169.254/", "event_types": ["ticket.created"]}, format="json")
    assert response.status_code == 400
    assert "url" in response.json()["error"]["fields"]


def test_the_api_lists_the_deliveries_with_their_attempts(api, alice, cody, contract, receiver):
    subscription = subscribe(alice, receiver)
    tf.open_ticket(actor=cody, contract=contract)
    webhook_deliver()
    body = api.as_(alice).get(f"/api/v1/webhooks/{subscription.pk}/deliveries/").json()
    [row] = body["results"]
    assert (row["state"], row["attempt_log"][0]["status_code"]) == ("delivered", 200)


def test_the_api_turns_a_subscription_off(api, alice, receiver):
    subscription = subscribe(alice, receiver)
    response = api.as_(alice).patch(f"/api/v1/webhooks/{subscription.pk}/", json.dumps({"is_active": False}),
                                    content_type="application/json")
    assert (response.status_code, response.json()["is_active"]) == (200, False)


def test_a_client_user_cannot_list_webhooks_in_the_api(api, cody):
    assert api.as_(cody).get("/api/v1/webhooks/").status_code == 403
