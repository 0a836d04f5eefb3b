"""Portal pages for tickets: the technicians' queue, the client's list, the request form,
the ticket page (SLA sentences, conversation) and its actions. Refused actions come
back as messages on the ticket page, never as server errors. Tickets are opened through
the services on Monday 2026-05-04; the actions posted through the pages run at the
real clock, later than every instant of the history."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.tickets import factories as tf
from tests.tickets.api_helpers import PAGES, PDF, body, page, resolved_ticket, upload
from tests.tickets.factories import MON, TUE, at
from tickets.attachments import attachment_add
from tickets.models import Attachment, Intervention, Ticket, TicketEvent, TicketMessage
from tickets.services import ticket_change_status, ticket_reply, ticket_take

pytestmark = pytest.mark.django_db

NEW = f"{PAGES}new/"
BULK = f"{PAGES}assign/"


def text(response) -> str:
    return response.content.decode()


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def request_form(contract, **overrides) -> dict:
    data = {"contract": contract.pk, "maintenance_type": "corrective", "title": "Scanner jammed",
            "description": "The scanner on the 2nd floor eats every sheet.", "impact": "low", "urgency": "medium"}
    data.update(overrides)
    return data


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# ----------------------------------------------------------------------- lists


def test_it_shows_the_queue_with_badges_naming_their_metric(web, bob, ticket):
    response = web.as_(bob).get(PAGES)

    assert response.status_code == 200
    assert response.templates[0].name == "tickets/queue.html"
    # Opened on 2026-05-04, read at the real clock: the response target is long past.
    assert "Response · overdue since" in text(response)


def test_it_offers_take_buttons_on_unassigned_tickets(web, bob, cody, contract, ticket):
    taken = tf.open_ticket(actor=cody, contract=contract)
    ticket_take(ticket=taken, actor=bob, now=at(MON, 11))

    html = text(web.as_(bob).get(PAGES))

    assert f'formaction="{page(ticket, "take/")}"' in html
    assert f'formaction="{page(taken, "take/")}"' not in html


def test_it_lists_only_open_tickets_in_the_queue(web, bob, cody, contract, ticket):
    closed = resolved_ticket(client=cody, provider=bob, contract=contract)
    ticket_change_status(ticket=closed, actor=cody, status="closed", now=at(MON, 16))

    rows = [r["reference"] for r in web.as_(bob).get(PAGES).context["rows"]]

    assert rows == [ticket.reference]


def test_it_answers_a_filter_with_the_queue_table_only(web, bob, cody, contract, ticket):
    emergency = tf.open_ticket(actor=cody, contract=contract, maintenance_type="curative")

    response = web.as_(bob).get(PAGES, {"maintenance_type": "curative"}, headers={"HX-Request": "true"})

    assert response.templates[0].name == "tickets/snippets/queue_table.html"
    assert [r["reference"] for r in response.context["rows"]] == [emergency.reference]


def test_it_escapes_a_title_in_the_queue(web, bob, cody, contract):
    tf.open_ticket(actor=cody, contract=contract, title="<script>alert(1)</script> & co")

    html = web.as_(bob).get(PAGES).content.decode()

    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_it_links_each_queue_row_to_its_ticket_and_offers_to_take_it(web, bob, cody, contract):
    ticket = tf.open_ticket(actor=cody, contract=contract)

    html = web.as_(bob).get(PAGES).content.decode()

    assert f'href="/tickets/{ticket.reference}/"' in html
    assert f'formaction="/tickets/{ticket.reference}/take/"' in html


def test_it_shows_a_client_their_organisations_tickets(web, clara, dora, ticket, contract_a2):
    other = tf.open_ticket(actor=dora, contract=contract_a2)

    response = web.as_(clara).get(PAGES)

    assert response.templates[0].name == "tickets/client_list.html"
    assert ticket.reference in text(response)
    assert other.reference not in text(response)


# ---------------------------------------------------------------- request form


def test_it_does_not_ask_for_the_only_active_contract(web, cody, contract):
    response = web.as_(cody).get(NEW)

    assert 'name="contract"' not in text(response)


def test_it_opens_a_ticket_with_an_attachment(web, cody, contract, media):
    response = web.as_(cody).post(NEW, {**request_form(contract), "attachment": upload("photo.pdf", PDF)})

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page(ticket)
    assert (ticket.requester, ticket.priority, ticket.source) == (cody, "P4", "portal")
    attachment = Attachment.objects.get(ticket=ticket)
    assert (media / attachment.storage_key).read_bytes() == PDF


def test_it_shows_the_error_of_a_request_without_description(web, cody, contract):
    response = web.as_(cody).post(NEW, request_form(contract, description=""))

    assert response.status_code == 200
    assert response.context["form"].errors["description"] == ["This field is required."]
    assert "This field is required." in text(response)
    assert not Ticket.objects.exists()


def test_it_saves_no_ticket_when_the_attachment_is_refused(web, cody, contract, media):
    response = web.as_(cody).post(NEW, {**request_form(contract), "attachment": upload("tool.exe", b"MZ\x90\x00")})

    assert response.status_code == 200
    assert "Files of this type are not accepted" in text(response)
    assert not Ticket.objects.exists()


def test_it_shows_the_suspension_on_the_request_form(web, amy, cody, contract):
    from contracts.services import contracts as contract_services

    contract_services.contract_suspend(contract=contract, actor=amy, reason="Unpaid invoices", now=at(MON, 9))

    response = web.as_(cody).post(NEW, request_form(contract))

    assert response.status_code == 200
    assert "This contract is suspended (Unpaid invoices)" in text(response)
    assert not Ticket.objects.exists()


# ----------------------------------------------------------------- ticket page


def test_it_tells_a_client_when_the_response_is_due(web, cody, ticket):
    html = text(web.as_(cody).get(page(ticket)))

    assert "response due by Mon 04/05 16:00" in html
    assert "resolution due by Wed 06/05 12:00" in html


def test_it_tells_a_client_the_ticket_was_resolved_within_target(web, bob, cody, contract):
    ticket = resolved_ticket(client=cody, provider=bob, contract=contract)

    html = text(web.as_(cody).get(page(ticket)))

    assert "resolved within target" in html
    assert "taken in charge within target" in html


def test_it_tells_a_client_the_response_was_late(web, bob, cody, ticket):
    ticket_take(ticket=ticket, actor=bob, now=at(TUE, 10))

    html = text(web.as_(cody).get(page(ticket)))

    assert "taken in charge late, on Tue 05/05 10:00" in html


def test_it_hides_internal_notes_from_clients(web, bob, cody, ticket):
    ticket_reply(ticket=ticket, actor=bob, body="The client's switch is end of life.", internal=True,
                 now=at(MON, 11))
    ticket_reply(ticket=ticket, actor=bob, body="We are on it.", now=at(MON, 11, 5))

    html = text(web.as_(cody).get(page(ticket)))

    assert "We are on it." in html
    assert "end of life" not in html


def test_it_shows_internal_notes_to_staff(web, bob, ticket):
    ticket_reply(ticket=ticket, actor=bob, body="The client's switch is end of life.", internal=True,
                 now=at(MON, 11))

    html = text(web.as_(bob).get(page(ticket)))

    assert "The client&#x27;s switch is end of life." in html
    assert "internal note" in html


def test_it_hides_a_ticket_from_another_organisation(web, dora, ticket):
    assert web.as_(dora).get(page(ticket)).status_code == 404


def test_it_hides_other_tenants_tickets(web, carol, ticket):
    assert web.as_(carol).get(page(ticket)).status_code == 404


def test_it_hides_a_colleagues_ticket_from_a_client_user(web, clara, cody, contract):
    by_clara = tf.open_ticket(actor=clara, contract=contract)

    assert web.as_(cody).get(page(by_clara)).status_code == 404


# --------------------------------------------------------------------- actions


def test_it_takes_a_ticket(web, bob, ticket):
    response = web.as_(bob).post(page(ticket, "take/"), follow=True)

    assert flashed(response) == ["You have taken this ticket."]
    assert (fresh(ticket).assignee, fresh(ticket).status) == (bob, "in_progress")


def test_it_says_when_someone_else_has_taken_the_ticket(web, bob, tom, ticket):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 11))

    response = web.as_(tom).post(page(ticket, "take/"), follow=True)

    assert response.status_code == 200
    assert flashed(response) == [f"{bob} has already taken this ticket."]
    assert fresh(ticket).assignee == bob


def test_it_refuses_take_to_a_client(web, cody, ticket):
    assert web.as_(cody).post(page(ticket, "take/")).status_code == 403


def test_it_sends_a_client_reply(web, cody, ticket):
    response = web.as_(cody).post(page(ticket, "reply/"), {"body": "It blinks orange.", "idempotency_key": "k1"},
                                  follow=True)

    assert flashed(response) == ["Reply sent."]
    message = TicketMessage.objects.get()
    assert (message.author, message.body, message.internal) == (cody, "It blinks orange.", False)


def test_it_stores_a_double_submitted_reply_once(web, cody, ticket):
    client = web.as_(cody)

    for _ in range(2):
        client.post(page(ticket, "reply/"), {"body": "It blinks orange.", "idempotency_key": "k1"})

    assert TicketMessage.objects.count() == 1


def test_it_adds_an_internal_note(web, bob, ticket):
    response = web.as_(bob).post(page(ticket, "reply/"), {"body": "Check the toner.", "internal": "on"},
                                 follow=True)

    assert flashed(response) == ["Note added."]
    assert TicketMessage.objects.get().internal is True


def test_it_never_makes_a_client_reply_internal(web, cody, ticket):
    web.as_(cody).post(page(ticket, "reply/"), {"body": "Psst", "internal": "on"})

    assert TicketMessage.objects.get().internal is False


def test_it_attaches_a_file_to_a_reply(web, cody, ticket, media):
    web.as_(cody).post(page(ticket, "reply/"), {"body": "The error page.", "attachment": upload("error.pdf", PDF)})

    attachment = Attachment.objects.get()
    assert attachment.message == TicketMessage.objects.get()


def test_it_keeps_a_clients_reply_and_file_apart_from_a_note_with_the_same_key(web, bob, cody, ticket, media):
    web.as_(bob).post(page(ticket, "reply/"), {"body": "secret", "internal": "on", "idempotency_key": "k1"})

    response = web.as_(cody).post(page(ticket, "reply/"), {"body": "any news?", "idempotency_key": "k1",
                                                           "attachment": upload("error.pdf", PDF)}, follow=True)

    assert flashed(response) == ["Reply sent."]
    reply = TicketMessage.objects.get(author=cody)
    assert (reply.body, reply.internal) == ("any news?", False)
    assert list(Attachment.objects.values_list("message__author", flat=True)) == [cody.pk]


def test_it_says_a_changed_replay_was_not_sent(web, cody, ticket):
    client = web.as_(cody)
    client.post(page(ticket, "reply/"), {"body": "It blinks orange.", "idempotency_key": "k1"})

    response = client.post(page(ticket, "reply/"), {"body": "Now it is red.", "idempotency_key": "k1"}, follow=True)

    assert flashed(response)[-1] == ("This form was already sent with another message; that one was kept. "
                                     "Reload the page to send a new message.")
    assert list(TicketMessage.objects.values_list("body", flat=True)) == ["It blinks orange."]


def test_it_attaches_a_double_submitted_file_once(web, cody, ticket, media):
    client = web.as_(cody)

    for _ in range(2):
        client.post(page(ticket, "reply/"), {"body": "The error page.", "idempotency_key": "k1",
                                             "attachment": upload("error.pdf", PDF)})

    assert (TicketMessage.objects.count(), Attachment.objects.count()) == (1, 1)


def test_it_refuses_a_replay_with_another_file(web, cody, ticket, media):
    client = web.as_(cody)
    client.post(page(ticket, "reply/"), {"body": "The error page.", "idempotency_key": "k1",
                                         "attachment": upload("error.pdf", PDF)})

    client.post(page(ticket, "reply/"), {"body": "The error page.", "idempotency_key": "k1",
                                         "attachment": upload("other.pdf", PDF + b"more")})

    assert list(Attachment.objects.values_list("filename", flat=True)) == ["error.pdf"]


def test_it_says_an_empty_reply_is_not_sent(web, cody, ticket):
    response = web.as_(cody).post(page(ticket, "reply/"), {"body": ""}, follow=True)

    assert flashed(response) == ["This field is required."]
    assert not TicketMessage.objects.exists()


def test_it_says_a_closed_ticket_takes_no_reply(web, bob, cody, contract):
    ticket = resolved_ticket(client=cody, provider=bob, contract=contract)
    ticket_change_status(ticket=ticket, actor=cody, status="closed", now=at(MON, 16))

    response = web.as_(cody).post(page(ticket, "reply/"), {"body": "Thanks!"}, follow=True)

    assert response.status_code == 200
    assert flashed(response) == ["This ticket is closed."]
    assert not TicketMessage.objects.exists()


def test_it_waits_for_the_client(web, bob, ticket):
    response = web.as_(bob).post(page(ticket, "wait/"), {"reason": "Which printer?"}, follow=True)

    assert flashed(response) == ["Waiting for the client's answer."]
    assert fresh(ticket).status == "waiting_on_client"
    assert TicketEvent.objects.filter(ticket=ticket, kind="status").get().reason == "Which printer?"


def test_it_resumes_a_ticket(web, bob, ticket):
    ticket_change_status(ticket=ticket, actor=bob, status="waiting_on_client", now=at(MON, 11))

    response = web.as_(bob).post(page(ticket, "resume/"), follow=True)

    assert flashed(response) == ["Back in progress."]
    assert fresh(ticket).status == "in_progress"


def test_it_resolves_a_ticket(web, bob, ticket):
    response = web.as_(bob).post(page(ticket, "resolve/"), {"reason": "Replaced the cable."}, follow=True)

    assert flashed(response) == ["Ticket resolved."]
    assert fresh(ticket).status == "resolved"


def test_it_says_a_transition_is_forbidden(web, bob, cody, contract):
    ticket = resolved_ticket(client=cody, provider=bob, contract=contract)

    response = web.as_(bob).post(page(ticket, "wait/"), follow=True)

    assert response.status_code == 200
    assert flashed(response) == ["A ticket cannot go from “Resolved” to “Waiting on client”."]
    assert fresh(ticket).status == "resolved"


def test_it_refuses_a_client_resolving_a_ticket(web, cody, ticket):
    assert web.as_(cody).post(page(ticket, "resolve/")).status_code == 403
    assert fresh(ticket).status == "new"


def test_it_lets_a_client_accept_the_resolution(web, bob, cody, contract):
    ticket = resolved_ticket(client=cody, provider=bob, contract=contract)

    response = web.as_(cody).post(page(ticket, "accept/"), follow=True)

    assert flashed(response) == ["Resolution accepted. Thank you!"]
    assert fresh(ticket).status == "closed"


def test_it_offers_the_client_to_accept_a_resolution(web, bob, cody, contract):
    ticket = resolved_ticket(client=cody, provider=bob, contract=contract)

    html = text(web.as_(cody).get(page(ticket)))

    assert page(ticket, "accept/") in html
    assert page(ticket, "reject/") in html


def test_it_lets_a_client_reject_the_resolution_with_a_reason(web, bob, cody, contract):
    ticket = resolved_ticket(client=cody, provider=bob, contract=contract)

    response = web.as_(cody).post(page(ticket, "reject/"), {"reason": "Still offline."}, follow=True)

    assert flashed(response) == ["The ticket is back in progress."]
    assert fresh(ticket).status == "in_progress"
    assert TicketEvent.objects.filter(ticket=ticket, kind="status").last().reason == "Still offline."


def test_it_asks_a_client_why_they_reject_the_resolution(web, bob, cody, contract):
    ticket = resolved_ticket(client=cody, provider=bob, contract=contract)

    response = web.as_(cody).post(page(ticket, "reject/"), {"reason": ""}, follow=True)

    assert flashed(response) == ["Say what is still wrong, so the technician can act on it."]
    assert fresh(ticket).status == "resolved"


def test_it_says_a_client_cannot_reject_an_open_ticket(web, cody, ticket):
    response = web.as_(cody).post(page(ticket, "reject/"), {"reason": "Still offline."})

    assert response.status_code == 403
    assert fresh(ticket).status == "new"


def test_it_changes_the_priority_with_a_reason(web, bob, ticket):
    response = web.as_(bob).post(page(ticket, "priority/"), {"priority": "P1", "reason": "Whole floor"},
                                 follow=True)

    assert flashed(response) == ["Priority changed; the deadlines are recomputed."]
    assert (fresh(ticket).priority, fresh(ticket).priority_reason) == ("P1", "Whole floor")


def test_it_asks_for_the_reason_of_a_priority_change(web, bob, ticket):
    response = web.as_(bob).post(page(ticket, "priority/"), {"priority": "P1", "reason": ""}, follow=True)

    assert flashed(response) == ["This field is required."]
    assert fresh(ticket).priority == "P3"


def test_it_refuses_a_priority_change_to_a_client(web, clara, ticket):
    response = web.as_(clara).post(page(ticket, "priority/"), {"priority": "P1", "reason": "Urgent"})

    assert response.status_code == 403
    assert fresh(ticket).priority == "P3"


def test_it_assigns_a_ticket(web, bob, tom, ticket):
    response = web.as_(bob).post(page(ticket, "assign/"), {"assignee": tom.pk}, follow=True)

    assert flashed(response) == ["Assignee saved."]
    assert fresh(ticket).assignee == tom


def test_it_says_an_assignee_must_be_in_the_team(web, bob, cody, ticket):
    response = web.as_(bob).post(page(ticket, "assign/"), {"assignee": cody.pk}, follow=True)

    assert response.status_code == 200
    assert len(flashed(response)) == 1 and "Select a valid choice" in flashed(response)[0]
    assert fresh(ticket).assignee is None


def test_it_logs_an_intervention(web, bob, ticket):
    response = web.as_(bob).post(page(ticket, "intervention/"), {
        "date": timezone.localdate().isoformat(), "minutes": 30, "mode": "on_site", "billable": "on",
        "description": "Replaced the fuser."}, follow=True)

    assert flashed(response) == ["Intervention logged."]
    intervention = Intervention.objects.get()
    assert (intervention.ticket, intervention.technician, intervention.minutes) == (ticket, bob, 30)


def test_it_says_an_intervention_needs_a_duration(web, bob, ticket):
    response = web.as_(bob).post(page(ticket, "intervention/"), {
        "date": timezone.localdate().isoformat(), "minutes": 0, "mode": "remote", "description": "Nothing."},
        follow=True)

    assert response.status_code == 200
    assert len(flashed(response)) == 1
    assert not Intervention.objects.exists()


def test_it_refuses_an_intervention_logged_by_a_client(web, clara, ticket):
    response = web.as_(clara).post(page(ticket, "intervention/"), {
        "date": timezone.localdate().isoformat(), "minutes": 30, "mode": "remote", "description": "Did it."})

    assert response.status_code == 403
    assert not Intervention.objects.exists()


# ------------------------------------------------------------------ bulk assign


def test_it_assigns_several_tickets_at_once(web, bob, tom, cody, contract, ticket):
    other = tf.open_ticket(actor=cody, contract=contract, now=at(MON, 11))

    response = web.as_(bob).post(BULK, {"tickets": [ticket.reference, other.reference], "assignee": tom.pk},
                                 follow=True)

    assert flashed(response) == ["2 ticket(s) assigned."]
    assert {fresh(ticket).assignee, fresh(other).assignee} == {tom}


def test_it_refuses_bulk_assignment_outside_the_team(web, bob, cody, ticket):
    response = web.as_(bob).post(BULK, {"tickets": [ticket.reference], "assignee": cody.pk}, follow=True)

    assert flashed(response) == ["Assign the ticket to a member of your team."]
    assert fresh(ticket).assignee is None


def test_it_refuses_bulk_assignment_to_a_client(web, clara, bob, ticket):
    assert web.as_(clara).post(BULK, {"tickets": [ticket.reference], "assignee": bob.pk}).status_code == 403


# ----------------------------------------------------------------- attachments


def test_it_downloads_an_attachment(web, cody, ticket, media):
    attachment = attachment_add(ticket=ticket, actor=cody, upload=upload("report.pdf", PDF))

    response = web.as_(cody).get(page(ticket, f"attachments/{attachment.pk}/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert body(response) == PDF


def test_it_hides_an_attachment_from_another_organisation(web, cody, dora, ticket, media):
    attachment = attachment_add(ticket=ticket, actor=cody, upload=upload("report.pdf", PDF))

    assert web.as_(dora).get(page(ticket, f"attachments/{attachment.pk}/")).status_code == 404


# ----------------------------------------------------- validation a user would expect (issue 8, defect 8)


def test_it_keeps_the_typed_reply_when_its_attachment_is_refused(web, cody, ticket, media):
    response = web.as_(cody).post(page(ticket, "reply/"), {
        "body": "Here is what the screen says.", "idempotency_key": "k1", "attachment": upload("tool.exe", b"MZ")},
        follow=True)

    assert any("Files of this type are not accepted" in m for m in flashed(response))
    assert response.context["reply_form"]["body"].value() == "Here is what the screen says."
    assert "Here is what the screen says.</textarea>" in text(response)
    assert not TicketMessage.objects.exists()
    assert not Attachment.objects.exists()


def test_it_shows_a_description_of_more_than_20000_characters_on_its_field(web, cody, contract):
    response = web.as_(cody).post(NEW, request_form(contract, description="x" * 20_001))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["description"]
    assert not Ticket.objects.exists()
