"""Tickets by e-mail (integrations.mail_intake), against a real IMAP server: a private
Dovecot started for the session (tests/integrations/imap_server.py). Messages are
delivered to the test mailbox by IMAP APPEND and read by the poller, as in production."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from integrations import mail_intake
from integrations.models import InboundMessage, InboundState, QuarantineReason
from portal.models import AuditEvent
from portal.outbox import outbox_deliver
from portal.sealed import seal, unseal
from tests.factories import ContactFactory
from tests.integrations import imap_server as imap
from tests.tickets import factories as tf
from tickets.models import Attachment, TicketSource, TicketStatus

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="session")
def imap_server():
    if not imap.available():
        pytest.skip("Dovecot is not installed (Debian package dovecot-imapd, installed by .ci/run): "
                    "the mail-intake tests need a real IMAP server")
    server = imap.ImapServer().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(imap_server, tenant_a, alice):
    user, password = imap_server.new_account()
    return mail_intake.mailbox_update(
        tenant=tenant_a, actor=alice, host=imap_server.host, port=imap_server.port, security="none", username=user,
        password=password, folder="INBOX", address="support@a.test", enabled=True)


@pytest.fixture
def policy(tenant_a):
    return tf.sla_policy(tenant_a)


@pytest.fixture
def contract(alice, org_a1, policy):
    return tf.active_contract(actor=alice, client=org_a1, policy=policy)


@pytest.fixture
def paul(org_a1):
    """A contact of client A1 without an account."""
    return ContactFactory(organization=org_a1, first_name="Paul", last_name="Martin", email="Paul.Martin@A1.test")


def message(*, sender="paul.martin@a1.test", subject="The printer is down", body="It prints nothing since 9:00.",
            message_id=None, headers=None, attachments=()) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, "support@a.test", subject
    m["Message-ID"] = message_id or make_msgid(domain="client.test")
    for name, value in (headers or {}).items():
        m[name] = value
    m.set_content(body)
    for filename, data, maintype, subtype in attachments:
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return m.as_bytes()


def deliver(imap_server, mailbox, *raws: bytes) -> None:
    with imap_server.connect(mailbox.username, unseal(mailbox.password)) as box:
        for raw in raws:
            box.append(raw, "INBOX")


def poll(mailbox):
    return mail_intake.mailbox_poll(mailbox_id=mailbox.pk)


def only(state=None):
    rows = list(InboundMessage.objects.all() if state is None else InboundMessage.objects.filter(state=state))
    assert len(rows) == 1, rows
    return rows[0]


def sent_to(address):
    return [m for m in mail.outbox if address in m.to]


# ---------------------------------------------------------------------- new tickets


def test_it_opens_a_ticket_from_a_known_contact_with_its_attachment(imap_server, mailbox, contract, paul):
    deliver(imap_server, mailbox, message(attachments=[("report.pdf", PDF, "application", "pdf")]))

    assert poll(mailbox)["ticket"] == 1
    ticket = only(InboundState.TICKET).ticket
    assert (ticket.contract, ticket.source, ticket.title) == (contract, TicketSource.EMAIL, "The printer is down")
    assert ticket.response_deadline is not None  # through the service: the SLA is computed
    assert [a.filename for a in Attachment.objects.filter(ticket=ticket)] == ["report.pdf"]


def test_it_flags_the_processed_message_seen_on_the_server(imap_server, mailbox, contract, paul):
    deliver(imap_server, mailbox, message())

    poll(mailbox)

    with imap_server.connect(mailbox.username, unseal(mailbox.password)) as box:
        assert [("\\Seen" in m.flags) for m in box.fetch(mark_seen=False, headers_only=True)] == [True]


def test_a_client_user_opens_the_ticket_as_themselves(imap_server, mailbox, contract, cody):
    deliver(imap_server, mailbox, message(sender="CODY@a1.test"))

    poll(mailbox)

    assert only(InboundState.TICKET).ticket.requester == cody


def test_the_contract_tag_chooses_the_contract(imap_server, mailbox, contract, paul, alice, org_a1, policy):
    second = tf.active_contract(actor=alice, client=org_a1, policy=policy, title="Second site")
    deliver(imap_server, mailbox, message(subject=f"[{second.reference}] Badge reader broken"))

    poll(mailbox)

    ticket = only(InboundState.TICKET).ticket
    assert (ticket.contract, ticket.title) == (second, "Badge reader broken")


def test_an_attachment_the_upload_checks_refuse_holds_the_message(imap_server, mailbox, contract, paul):
    deliver(imap_server, mailbox, message(attachments=[("run.exe", b"MZ\x90\x00", "application", "octet-stream")]))

    poll(mailbox)

    held = only(InboundState.QUARANTINED)
    assert held.reason == QuarantineReason.REFUSED and "run.exe" in held.detail


# ---------------------------------------------------------------------- replies


@pytest.fixture
def ticket(contract, cody):
    return tf.open_ticket(actor=cody, contract=contract, now=timezone.now())


def test_a_subject_reference_adds_a_reply_from_the_contact(imap_server, mailbox, ticket, paul):
    deliver(imap_server, mailbox, message(subject=f"Re: {ticket.reference} printer", body="Still down.\n\n> quoted"))

    poll(mailbox)

    reply = ticket.messages.get()
    assert (reply.author_contact, reply.body, reply.internal) == (paul, "Still down.", False)
    assert only().state == InboundState.REPLY


def test_a_references_header_threads_the_reply(imap_server, mailbox, ticket, cody, bob,
                                               django_capture_on_commit_callbacks):
    from tickets.services import ticket_reply

    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, actor=bob, body="Can you restart it?")
    outbox_deliver(now=timezone.now() + timedelta(seconds=1))
    sent = sent_to("cody@a1.test")[-1]
    deliver(imap_server, mailbox, message(sender="cody@a1.test", subject="Re: your printer", body="Done, thanks.",
                                          headers={"In-Reply-To": sent.extra_headers["Message-ID"],
                                                   "References": sent.extra_headers["Message-ID"]}))

    poll(mailbox)

    assert ticket.messages.order_by("pk").last().body == "Done, thanks."


def test_a_reply_resumes_a_ticket_waiting_on_the_client(imap_server, mailbox, ticket, paul, bob):
    from tickets.services import ticket_work

    ticket_work(ticket=ticket, actor=bob, body="Which floor?", next_status="waiting_on_client")
    deliver(imap_server, mailbox, message(subject=f"RE: [{ticket.reference}] question", body="Second floor."))

    poll(mailbox)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


# ---------------------------------------------------------------------- quarantine


def test_an_unknown_sender_is_quarantined(imap_server, mailbox, contract):
    deliver(imap_server, mailbox, message(sender="stranger@elsewhere.test"))

    poll(mailbox)

    held = only()
    assert (held.state, held.reason, held.sender) == (InboundState.QUARANTINED, QuarantineReason.UNKNOWN_SENDER,
                                                      "stranger@elsewhere.test")
    assert b"It prints nothing" in bytes(held.raw)


@pytest.mark.parametrize("headers", [{"Auto-Submitted": "auto-replied"}, {"X-Autoreply": "yes"},
                                     {"Precedence": "bulk"}])
def test_an_automatic_reply_is_quarantined(imap_server, mailbox, contract, paul, headers):
    deliver(imap_server, mailbox, message(subject="Out of office", headers=headers))

    poll(mailbox)

    assert only().reason == QuarantineReason.AUTO_REPLY


def test_a_bounce_is_quarantined(imap_server, mailbox, contract, paul):
    deliver(imap_server, mailbox, message(sender="MAILER-DAEMON@mx.a1.test", subject="Undelivered Mail"))

    poll(mailbox)

    assert only().reason == QuarantineReason.BOUNCE


def test_the_portals_own_email_coming_back_is_a_loop(imap_server, mailbox, contract, paul):
    deliver(imap_server, mailbox, message(headers={"X-Portal-Loop": "1"}))

    poll(mailbox)

    assert only().reason == QuarantineReason.LOOP


def test_a_references_header_naming_another_tenants_email_is_quarantined(
        imap_server, mailbox, ticket, paul, ben, carol, tenant_b, org_b1, django_capture_on_commit_callbacks):
    b_contract = tf.active_contract(actor=carol, client=org_b1, policy=tf.sla_policy(tenant_b, code="b"))
    with django_capture_on_commit_callbacks(execute=True):
        tf.open_ticket(actor=ben, contract=b_contract, now=timezone.now())
    outbox_deliver(now=timezone.now() + timedelta(seconds=1))
    b_message_id = sent_to("ben@b1.test")[-1].extra_headers["Message-ID"]
    deliver(imap_server, mailbox, message(subject="Re: printer", headers={"References": b_message_id}))

    poll(mailbox)

    held = only()
    assert (held.state, held.reason) == (InboundState.QUARANTINED, QuarantineReason.FORGED_REFERENCE)
    assert "another tenant" in held.detail


def test_a_subject_naming_another_organisations_ticket_is_quarantined(imap_server, mailbox, ticket, org_a2, alice,
                                                                      policy):
    ContactFactory(organization=org_a2, email="eve@a2.test")
    tf.active_contract(actor=alice, client=org_a2, policy=policy)
    deliver(imap_server, mailbox, message(sender="eve@a2.test", subject=f"Re: {ticket.reference}"))

    poll(mailbox)

    assert only().reason == QuarantineReason.FORGED_REFERENCE
    assert not ticket.messages.exists()


def test_an_oversized_message_is_quarantined_with_its_headers_only(imap_server, mailbox, contract, paul, settings):
    settings.MAIL_MAX_BYTES = 4000
    deliver(imap_server, mailbox, message(attachments=[("big.pdf", PDF + b"0" * 6000, "application", "pdf")]))

    poll(mailbox)

    held = only()
    assert held.reason == QuarantineReason.TOO_LARGE and held.raw_size > 4000
    assert b"Subject: The printer is down" in bytes(held.raw) and len(bytes(held.raw)) < 4000


# ---------------------------------------------------------------------- once only


def test_the_same_message_read_twice_makes_one_ticket(imap_server, mailbox, contract, paul):
    raw = message()
    deliver(imap_server, mailbox, raw, raw)  # the server holds it twice (a client's retry)

    report = poll(mailbox)
    deliver(imap_server, mailbox, raw)
    poll(mailbox)

    assert (report["ticket"], report["duplicate"]) == (1, 1)
    assert only().ticket.contract == contract


def test_a_mailbox_being_read_is_not_read_again_meanwhile(imap_server, mailbox, contract, paul):
    from django.core.cache import cache

    cache.add(f"mail-intake:lock:{mailbox.pk}", "another worker", timeout=60)
    deliver(imap_server, mailbox, message())

    assert poll(mailbox) == {"locked": 1}
    assert not InboundMessage.objects.exists()


def test_a_login_failure_is_recorded_on_the_mailbox(imap_server, mailbox):
    type(mailbox).objects.filter(pk=mailbox.pk).update(password=seal("wrong"))

    assert poll(mailbox)["error"] == 1
    mailbox.refresh_from_db()
    assert mailbox.last_error


# ---------------------------------------------------------------------- staff review


@pytest.fixture
def held(imap_server, mailbox, contract):
    deliver(imap_server, mailbox, message(sender="paul.private@gmail.test"))
    poll(mailbox)
    return only()


def test_staff_release_a_held_message_as_a_contact(web, bob, held, paul):
    response = web.as_(bob).post(reverse("mail-quarantine-detail", args=[held.pk]), {"sender": "paul.martin@a1.test"})

    held.refresh_from_db()
    assert response.status_code == 302 and held.state == InboundState.RELEASED
    assert held.ticket.description == "It prints nothing since 9:00."
    assert AuditEvent.objects.filter(action="mail_quarantine.release", object_ref=str(held.pk)).exists()


def test_staff_discard_a_held_message(web, bob, held):
    web.as_(bob).post(reverse("mail-quarantine-discard", args=[held.pk]))

    held.refresh_from_db()
    assert (held.state, bytes(held.raw)) == (InboundState.DISCARDED, b"")
    assert AuditEvent.objects.filter(action="mail_quarantine.discard").exists()


def test_the_quarantine_lists_held_messages_for_staff(web, bob, held):
    response = web.as_(bob).get(reverse("mail-quarantine"))

    assert response.status_code == 200 and "paul.private@gmail.test" in response.content.decode()


def test_another_tenants_held_message_answers_404(web, carol, held):
    assert web.as_(carol).get(reverse("mail-quarantine-detail", args=[held.pk])).status_code == 404


def test_a_client_gets_404_for_a_held_message(web, cody, held):
    assert web.as_(cody).get(reverse("mail-quarantine-detail", args=[held.pk])).status_code == 404


# ---------------------------------------------------------------------- outgoing e-mail


def test_outgoing_ticket_emails_carry_a_message_id_and_the_thread_root(ticket, bob,
                                                                       django_capture_on_commit_callbacks):
    from tickets.services import ticket_reply

    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, actor=bob, body="On it.")
        ticket_reply(ticket=ticket, actor=bob, body="Fixed?")
    outbox_deliver(now=timezone.now() + timedelta(seconds=1))

    first, second = (m.extra_headers for m in sent_to("cody@a1.test")[-2:])
    assert first["Message-ID"] != second["Message-ID"]
    assert first["References"] == second["References"] == first["In-Reply-To"]
    assert f".t{ticket.tenant_id}." in first["References"]


# ---------------------------------------------------------------------- settings page


def test_the_settings_page_names_a_bad_port(web, alice, db):
    response = web.as_(alice).post(reverse("mailbox-settings"), {
        "host": "imap.a.test", "port": "70000", "security": "ssl", "username": "support", "password": "x",
        "folder": "INBOX"})

    assert response.status_code == 200 and "port" in response.context["form"].errors


def test_the_settings_page_never_shows_the_password(web, alice, mailbox):
    page = web.as_(alice).get(reverse("mailbox-settings")).content.decode()

    assert unseal(mailbox.password) not in page and mailbox.username in page


def test_a_blank_password_keeps_the_saved_one(alice, mailbox, tenant_a):
    saved = mail_intake.mailbox_update(tenant=tenant_a, actor=alice, host=mailbox.host, port=mailbox.port,
                                       security="none", username=mailbox.username, password="", enabled=False)

    assert saved.password == mailbox.password
    assert AuditEvent.objects.filter(action="mailbox.update").count() == 2


def test_a_technician_may_not_change_the_mailbox(web, bob, db):
    assert web.as_(bob).get(reverse("mailbox-settings")).status_code == 403


# ---------------------------------------------------------------------- API


def test_the_api_never_returns_the_password(api, alice, mailbox):
    body = api.as_(alice).get("/api/v1/mailbox/").json()

    assert body["has_password"] is True and "password" not in body and body["username"] == mailbox.username


def test_the_api_names_a_bad_port(api, alice, db):
    response = api.as_(alice).put("/api/v1/mailbox/", {"host": "imap.a.test", "port": 0, "security": "ssl",
                                                       "username": "support", "password": "x"}, format="json")

    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["port"]


def test_the_api_releases_a_held_message(api, bob, held, paul):
    response = api.as_(bob).post(f"/api/v1/mail-quarantine/{held.pk}/release/", {"sender": "paul.martin@a1.test"},
                                 format="json")

    assert response.status_code == 200 and response.json()["state"] == "released"


def test_a_contact_gets_the_receipt_and_their_answer_to_it_threads(imap_server, mailbox, contract, paul,
                                                                    django_capture_on_commit_callbacks):
    deliver(imap_server, mailbox, message())
    with django_capture_on_commit_callbacks(execute=True):
        poll(mailbox)
    outbox_deliver(now=timezone.now() + timedelta(seconds=1))
    receipt = sent_to("Paul.Martin@A1.test")[-1]
    deliver(imap_server, mailbox, message(subject="Re: your request", body="Also the scanner.",
                                          headers={"In-Reply-To": receipt.extra_headers["Message-ID"]}))

    poll(mailbox)

    ticket = InboundMessage.objects.get(state=InboundState.TICKET).ticket
    assert ticket.messages.get().body == "Also the scanner."


def test_the_beat_task_reads_every_enabled_mailbox(imap_server, mailbox, contract, paul):
    from integrations.tasks import mail_intake_task

    deliver(imap_server, mailbox, message())

    assert mail_intake_task() == 1  # Celery runs eagerly in tests: the mailbox's poll ran
    assert only().state == InboundState.TICKET


def test_a_disabled_mailbox_is_not_read(imap_server, mailbox, contract, paul):
    type(mailbox).objects.filter(pk=mailbox.pk).update(enabled=False)
    deliver(imap_server, mailbox, message())

    assert poll(mailbox) == {}
    assert not InboundMessage.objects.exists()


def test_the_password_is_stored_sealed_not_as_typed(imap_server, tenant_a, alice):
    user, password = imap_server.new_account()
    saved = mail_intake.mailbox_update(tenant=tenant_a, actor=alice, host=imap_server.host, port=imap_server.port,
                                       security="none", username=user, password=password, enabled=False)

    stored = type(saved).objects.values_list("password", flat=True).get(pk=saved.pk)
    assert password not in stored and unseal(stored) == password


def test_a_password_sealed_with_a_key_no_longer_configured_asks_for_it_again(imap_server, mailbox, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    assert poll(mailbox)["error"] == 1
    mailbox.refresh_from_db()
    assert "enter it again" in mailbox.last_error


def test_a_new_key_put_first_still_opens_what_the_old_one_sealed(settings):
    old = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    token = seal("imap-secret")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]

    assert unseal(token) == "imap-secret"
