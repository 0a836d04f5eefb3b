"""The conversation carries the workflow: the staff composer (reply or note, next
status, time spent: one submit, one transaction), the question and the resolution note
the client reads (page and e-mail), satisfaction ratings (page, signed e-mail link, the
selector for dashboards and reports), canned replies, the history in words and the SLA
badges in business time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone, translation

from portal.exceptions import ApplicationError
from portal.models import OutboxMessage
from portal.outbox import outbox_deliver
from tests.tickets.api_helpers import page
from tests.tickets.factories import MON, at
from tickets import desk, display, selectors
from tickets.models import Intervention, MessageKind, TicketMessage, TicketRating
from tickets.services import (
    rating_token,
    ticket_change_status,
    ticket_rate,
    ticket_rate_by_link,
    ticket_take,
    ticket_work,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def taken(ticket, bob):
    taken = ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    OutboxMessage.objects.all().delete()
    return taken


def kinds() -> list[str]:
    return sorted(OutboxMessage.objects.values_list("kind", flat=True))


def closed(ticket, *, bob, cody):
    ticket_work(ticket=ticket, actor=bob, body="Toner replaced.", next_status="resolved", now=at(MON, 11))
    return ticket_change_status(ticket=ticket, actor=cody, status="closed", now=at(MON, 12))


# ---------------------------------------------------------------------- the composer


def test_it_asks_the_client_a_question_and_waits_in_one_submit(taken, bob):
    ticket = ticket_work(ticket=taken, actor=bob, body="Which error code is shown?",
                         next_status="waiting_on_client", now=at(MON, 10, 30))

    message = TicketMessage.objects.get()
    assert (ticket.status, message.kind, message.internal) == ("waiting_on_client", MessageKind.QUESTION, False)


def test_it_sends_the_question_in_one_status_email(taken, bob):
    ticket_work(ticket=taken, actor=bob, body="Which error code is shown?", next_status="waiting_on_client",
                now=at(MON, 10, 30))

    assert kinds() == ["ticket.status"]
    assert OutboxMessage.objects.get().context["message_id"] == TicketMessage.objects.get().pk


def test_it_resolves_and_logs_the_time_in_one_submit(taken, bob):
    ticket = ticket_work(ticket=taken, actor=bob, body="Toner replaced, test page printed.", next_status="resolved",
                         minutes=45, mode="on_site", now=at(MON, 11))

    intervention = Intervention.objects.get()
    assert (ticket.status, TicketMessage.objects.get().kind) == ("resolved", MessageKind.RESOLUTION)
    assert (intervention.minutes, intervention.mode, intervention.description) == (
        45, "on_site", "Toner replaced, test page printed.")


def test_it_refuses_to_wait_on_the_client_without_a_question(taken, bob):
    with pytest.raises(ValidationError) as exc:
        ticket_work(ticket=taken, actor=bob, body="", next_status="waiting_on_client", now=at(MON, 10, 30))

    assert "body" in exc.value.message_dict
    assert taken.__class__.objects.get(pk=taken.pk).status == "in_progress"


def test_it_refuses_a_resolution_note_the_client_cannot_read(taken, bob):
    with pytest.raises(ValidationError) as exc:
        ticket_work(ticket=taken, actor=bob, body="Fixed.", internal=True, next_status="resolved", now=at(MON, 11))

    assert "internal" in exc.value.message_dict


def test_it_saves_nothing_when_the_time_spent_is_wrong(taken, bob):
    with pytest.raises(ValidationError) as exc:
        ticket_work(ticket=taken, actor=bob, body="Fixed.", next_status="resolved", minutes=0, mode="remote",
                    now=at(MON, 11))

    assert "minutes" in exc.value.message_dict
    assert (TicketMessage.objects.count(), taken.__class__.objects.get(pk=taken.pk).status) == (0, "in_progress")


def test_it_does_nothing_more_on_a_replayed_submit(taken, bob):
    ticket_work(ticket=taken, actor=bob, body="Fixed.", next_status="resolved", minutes=30, mode="remote",
                idempotency_key="k1", now=at(MON, 11))
    ticket_work(ticket=taken, actor=bob, body="Fixed.", next_status="resolved", minutes=30, mode="remote",
                idempotency_key="k1", now=at(MON, 11, 1))

    assert (TicketMessage.objects.count(), Intervention.objects.count()) == (1, 1)


def test_it_keeps_an_internal_note_from_the_client(taken, bob):
    ticket_work(ticket=taken, actor=bob, body="Spooler again.", internal=True, now=at(MON, 10, 30))

    assert (TicketMessage.objects.get().internal, kinds()) == (True, [])


def test_it_refuses_the_composer_to_a_client(taken, cody):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        ticket_work(ticket=taken, actor=cody, body="Hello", now=at(MON, 10, 30))


def test_it_works_a_ticket_from_the_page_in_one_post(web, bob, taken):
    response = web.as_(bob).post(page(taken, "work/"), {
        "body": "Toner replaced.", "next_status": "resolved", "minutes": "45", "mode": "remote",
        "billable": "on"}, follow=True)

    assert response.status_code == 200
    assert taken.__class__.objects.get(pk=taken.pk).status == "resolved"
    assert Intervention.objects.get().minutes == 45


def test_it_keeps_the_typed_text_and_asks_for_the_file_again_after_a_refusal(web, bob, taken):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = web.as_(bob).post(page(taken, "work/"), {
        "body": "", "next_status": "waiting_on_client", "minutes": "45", "mode": "remote",
        "attachment": SimpleUploadedFile("log.txt", b"E-42", content_type="text/plain")}, follow=True)

    shown = response.content.decode()
    assert "attach the file again" in shown
    assert 'value="45"' in shown


# ---------------------------------------------------------------------- the client reads it


def test_it_puts_what_was_done_in_the_resolution_email(taken, bob, cody):
    ticket_work(ticket=taken, actor=bob, body="Toner replaced, test page printed.", next_status="resolved",
                now=at(MON, 11))
    mail.outbox.clear()
    outbox_deliver(now=timezone.now() + timedelta(seconds=1))

    [email] = mail.outbox
    assert "Toner replaced, test page printed." in email.body and "Is it solved?" in email.body


def test_it_shows_the_client_the_resolution_with_the_choice(web, bob, cody, taken):
    ticket_work(ticket=taken, actor=bob, body="Toner replaced.", next_status="resolved", now=at(MON, 11))

    shown = web.as_(cody).get(page(taken)).content.decode()
    assert "Is it solved?" in shown and "Toner replaced." in shown and 'id="reopen-ticket"' in shown


def test_it_puts_the_clients_reopening_reason_in_the_conversation(taken, bob, cody):
    ticket_work(ticket=taken, actor=bob, body="Toner replaced.", next_status="resolved", now=at(MON, 11))
    ticket_change_status(ticket=taken, actor=cody, status="in_progress", reason="Still streaks on the page.",
                         now=at(MON, 12))

    assert TicketMessage.objects.filter(author=cody, body="Still streaks on the page.").exists()


# ---------------------------------------------------------------------- satisfaction


def test_it_records_the_clients_rating_of_a_closed_ticket(taken, bob, cody):
    ticket = closed(taken, bob=bob, cody=cody)
    ticket_rate(ticket=ticket, actor=cody, score="good", comment="Quick and clear.", now=at(MON, 13))

    rating = TicketRating.objects.get()
    assert (rating.score, rating.comment, rating.rated_by) == ("good", "Quick and clear.", cody)


def test_it_replaces_a_rating_given_again(taken, bob, cody):
    ticket = closed(taken, bob=bob, cody=cody)
    ticket_rate(ticket=ticket, actor=cody, score="good", now=at(MON, 13))
    ticket_rate(ticket=ticket, actor=cody, score="bad", comment="It broke again.", now=at(MON, 14))

    assert list(TicketRating.objects.values_list("score", "comment")) == [("bad", "It broke again.")]


def test_it_refuses_a_rating_before_the_ticket_is_closed(taken, cody):
    with pytest.raises(ApplicationError):
        ticket_rate(ticket=taken, actor=cody, score="good")


def test_it_hides_another_organisations_ticket_from_a_rating(taken, bob, cody, dora):
    ticket = closed(taken, bob=bob, cody=cody)
    with pytest.raises(Http404):
        ticket_rate(ticket=ticket, actor=dora, score="bad")


def test_it_sends_the_rating_links_when_the_ticket_closes(taken, bob, clara, cody):
    ticket_work(ticket=taken, actor=bob, body="Toner replaced.", next_status="resolved", now=at(MON, 11))
    OutboxMessage.objects.all().delete()
    ticket_change_status(ticket=taken, actor=bob, status="closed", now=at(MON, 12))
    mail.outbox.clear()
    outbox_deliver(now=timezone.now() + timedelta(seconds=1))

    [email] = mail.outbox
    assert "/rate/" in email.body and "/good/" in email.body and "/bad/" in email.body


def test_it_records_a_rating_from_the_email_link(web, taken, bob, cody):
    ticket = closed(taken, bob=bob, cody=cody)
    web.logout()

    response = web.get(f"/rate/{rating_token(ticket, cody)}/bad/")

    assert response.status_code == 200 and 'id="send-comment"' in response.content.decode()
    assert TicketRating.objects.get().score == "bad"


def test_it_adds_the_comment_sent_from_the_link_page(web, taken, bob, cody):
    ticket = closed(taken, bob=bob, cody=cody)
    web.logout()
    token = rating_token(ticket, cody)
    web.get(f"/rate/{token}/bad/")

    web.post(f"/rate/{token}/bad/", {"comment": "Too slow."})

    assert list(TicketRating.objects.values_list("score", "comment", "source")) == [("bad", "Too slow.", "email")]


def test_it_refuses_a_forged_rating_link(web, taken, bob, cody):
    closed(taken, bob=bob, cody=cody)
    web.logout()

    assert web.get("/rate/forged-token/good/").status_code == 404


def test_it_refuses_a_rating_link_opened_in_someone_elses_session(web, taken, bob, cody, clara):
    ticket = closed(taken, bob=bob, cody=cody)

    assert web.as_(clara).get(f"/rate/{rating_token(ticket, cody)}/good/").status_code == 404


def test_it_refuses_a_link_to_rate_without_a_score_then_comment(taken, bob, cody):
    ticket = closed(taken, bob=bob, cody=cody)
    with pytest.raises(ValidationError):
        ticket_rate_by_link(token=rating_token(ticket, cody), comment="No score yet.")


def test_it_shows_the_rating_on_the_ticket_page(web, taken, bob, cody):
    ticket = closed(taken, bob=bob, cody=cody)
    ticket_rate(ticket=ticket, actor=cody, score="good", comment="Quick and clear.", now=at(MON, 13))

    shown = web.as_(bob).get(page(ticket)).content.decode()
    assert "rating-good" in shown and "Quick and clear." in shown


def test_it_sums_up_satisfaction_over_a_period(taken, bob, cody, tenant_a):
    ticket = closed(taken, bob=bob, cody=cody)
    ticket_rate(ticket=ticket, actor=cody, score="good", now=at(MON, 13))

    assert selectors.satisfaction_summary(tenant_a, at(MON, 0), at(MON + 1, 0)) == {
        "good": 1, "bad": 0, "total": 1, "percent_good": 100}


def test_it_leaves_out_ratings_outside_the_period_or_organisation(taken, bob, cody, tenant_a, org_a2):
    ticket = closed(taken, bob=bob, cody=cody)
    ticket_rate(ticket=ticket, actor=cody, score="good", now=at(MON, 13))

    assert (selectors.satisfaction_summary(tenant_a, at(MON + 1, 0), None)["total"],
            selectors.satisfaction_summary(tenant_a, organization=org_a2)["total"]) == (0, 0)


# ---------------------------------------------------------------------- canned replies


def test_it_refuses_two_canned_replies_with_one_title_in_one_language(tenant_a, alice):
    desk.canned_reply_create(tenant=tenant_a, actor=alice, title="Restart", language="en", body="Restart it.")
    with pytest.raises(ValidationError) as exc:
        desk.canned_reply_create(tenant=tenant_a, actor=alice, title="Restart", language="en", body="Again.")

    assert "title" in exc.value.message_dict


def test_it_offers_the_canned_replies_in_the_composer(web, tenant_a, alice, bob, taken):
    desk.canned_reply_create(tenant=tenant_a, actor=alice, title="Send logs", language="en",
                             body="Please send the logs.")

    shown = web.as_(bob).get(page(taken)).content.decode()
    assert 'data-body="Please send the logs."' in shown


def test_it_adds_a_canned_reply_from_the_management_page(web, alice):
    web.as_(alice).post("/tickets/canned-replies/", {"title": "Logs", "language": "fr", "body": "Envoyez les logs."})

    from tickets.models import CannedReply

    assert list(CannedReply.objects.values_list("title", "language")) == [("Logs", "fr")]


# ---------------------------------------------------------------------- words, not codes


def test_it_tells_the_history_with_labels_and_names(taken, bob):
    rows = display.history_rows(selectors.ticket_history(ticket=taken))

    changes = " ".join(r["change"] for r in rows)
    assert "New → In progress" in changes and bob.display_name in changes and "@" not in changes


def test_it_says_who_the_clock_waits_for(taken, bob):
    ticket = ticket_work(ticket=taken, actor=bob, body="Which code?", next_status="waiting_on_client",
                         now=at(MON, 10, 30))

    assert (display.badge(ticket)["label"], display.badge(ticket, for_client=True)["label"]) == (
        "Waiting for the client's answer", "Waiting for your answer")


def test_it_names_the_metric_and_counts_business_time(taken):
    now = at(MON, 11)  # response met at 10:05; resolution: 960 business minutes from 10:00

    assert display.badge(taken, now=now)["label"] == "Resolution · 15\u00a0h business"


def test_it_localises_the_units_of_a_duration():
    with translation.override("fr"):
        assert display.duration(1500) == "1\u00a0j 1\u00a0h"
    assert display.duration(119) == "1\u00a0h\u00a059"


def test_it_counts_a_fresh_breach_in_business_time(ticket):
    now = at(MON, 17)  # response due at 16:00 (240 business minutes from 10:00, lunch 12:00–14:00)

    assert display.badge(ticket, now=now)["label"] == "Response · overdue by 1\u00a0h business"


# ---------------------------------------------------------------------- the API


def test_it_rates_a_closed_ticket_through_the_api(api, taken, bob, cody):
    ticket = closed(taken, bob=bob, cody=cody)

    response = api.as_(cody).post(f"/api/v1/tickets/{ticket.reference}/rating/", {"score": "bad", "comment": "Slow."},
                                  format="json")

    assert response.status_code == 200
    assert (response.json()["rating_score"], response.json()["rating_comment"]) == ("bad", "Slow.")


def test_it_tells_the_kind_of_each_message_through_the_api(api, taken, bob):
    ticket_work(ticket=taken, actor=bob, body="Which code?", next_status="waiting_on_client", now=at(MON, 10, 30))

    response = api.as_(bob).get(f"/api/v1/tickets/{taken.reference}/messages/")

    assert [m["kind"] for m in response.json()] == ["question"]


def test_it_lists_canned_replies_to_staff_only(api, tenant_a, alice, bob, cody):
    desk.canned_reply_create(tenant=tenant_a, actor=alice, title="Logs", language="en", body="Send the logs.")

    assert ([r["title"] for r in api.as_(bob).get("/api/v1/canned-replies/").json()["results"]],
            api.as_(cody).get("/api/v1/canned-replies/").json()["results"]) == (["Logs"], [])


def test_it_lets_only_tenant_administrators_add_canned_replies_through_the_api(api, alice, bob):
    refused = api.as_(bob).post("/api/v1/canned-replies/", {"title": "X", "language": "en", "body": "Y"},
                                format="json")
    added = api.as_(alice).post("/api/v1/canned-replies/", {"title": "X", "language": "en", "body": "Y"},
                                format="json")

    assert (refused.status_code, added.status_code) == (403, 201)
