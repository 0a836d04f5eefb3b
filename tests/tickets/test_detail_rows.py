"""The ticket page's long lists, printed in Python (tickets.detail_rows), give the markup
the template loops gave: the loops are kept here as they were in
templates/tickets/ticket_detail.html and rendered side by side with the functions, on a
ticket with every kind of row (internal note, a contact's e-mail, a question, files on a
message and on the ticket, a reassignment, a reason), with values to escape everywhere,
in English and in French."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.template import engines
from django.utils import translation

from portal.permissions import SYSTEM
from portal.selectors import users_who_may
from tests.factories import ContactFactory
from tests.tickets import factories as tf
from tests.tickets.api_helpers import PDF, upload
from tests.tickets.factories import MON, TUE, WED, at
from tickets import detail_rows, display, selectors
from tickets import services as ts
from tickets.attachments import attachment_add

pytestmark = pytest.mark.django_db

NASTY = 'Hello <script>alert("x")</script> & co\'s "quote"\nsecond line'

THREAD = """{% load i18n %}{% for m in messages_list %}
    <div class="msg {% if m.internal %}internal{% elif m.author_contact_id or m.author_id == ticket.requester_id %}client{% else %}provider{% endif %}">
      <div class="meta">{% if m.author_contact_id and not m.author_id %}{{ m.author_contact }} ({% translate "by e-mail" %}){% else %}{{ m.author.display_name|default:"—" }}{% endif %} · {{ m.when }}{% if m.internal %} · <strong>{% translate "internal note" %}</strong>{% elif m.kind != "reply" %} · <span class="badge kind-{{ m.kind }}">{{ m.get_kind_display }}</span>{% endif %}</div>
      <div class="body">{{ m.body }}</div>
      {% for a in m.files %}<div><span class="badge">{% translate "file" %}</span> <a href="{% url 'ticket-attachment' ticket.reference a.pk %}">{{ a.filename }}</a> <span class="muted">({{ a.size|filesizeformat }})</span></div>{% endfor %}
    </div>
  {% empty %}<p class="muted">{% translate "No message yet." %}</p>{% endfor %}
  {% for a in attachments %}<div class="msg"><div class="meta">{{ a.uploaded_by.display_name|default:"—" }} · {{ a.created_at|date:"d/m/Y H:i" }}</div><span class="badge">{% translate "file" %}</span> <a href="{% url 'ticket-attachment' ticket.reference a.pk %}">{{ a.filename }}</a> <span class="muted">({{ a.size|filesizeformat }})</span></div>{% endfor %}"""  # noqa: E501
INTERVENTIONS = """{% load human %}{% for i in interventions %}<tr><td>{{ i.date|date:"d/m/Y" }}</td><td>{{ i.technician.display_name }}</td><td>{{ i.minutes|duration }}</td><td>{{ i.get_mode_display }}</td><td>{{ i.description }}</td>{% if is_provider %}<td>{{ i.billable|yesno }}</td>{% endif %}</tr>{% endfor %}"""  # noqa: E501
HISTORY = """{% for e in history %}<tr><td>{{ e.when }}</td><td>{{ e.who }}</td><td>{{ e.what }}{% if e.change %} <span class="muted">{{ e.change }}</span>{% endif %}</td><td>{{ e.why }}</td></tr>{% endfor %}"""  # noqa: E501
TIMELINE = """{% for seg in explain %}<tr><td>{{ seg.start }}</td><td>{{ seg.end }}</td><td>{{ seg.kind }}</td><td>{{ seg.cumulative }}</td></tr>{% endfor %}"""  # noqa: E501


def template(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def same(a: str, b: str) -> bool:
    """Equal but for the whitespace between tags."""
    def squeeze(s: str) -> str:
        return re.sub(r">\s+<", "><", s.strip())
    return squeeze(a) == squeeze(b)


@pytest.fixture
def rich(bob, cody, tom, contract, org_a1, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = tf.open_ticket(actor=cody, contract=contract, now=at(MON, 10))
    ts.ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 30))
    ts.ticket_reply(ticket=ticket, actor=bob, body=NASTY, now=at(MON, 11))
    ts.ticket_reply(ticket=ticket, actor=bob, body="A note <b>&</b>", internal=True, now=at(MON, 11, 5))
    with_file = ts.ticket_reply(ticket=ticket, actor=cody, body="With a file", now=at(MON, 11, 10))
    attachment_add(ticket=ticket, actor=cody, upload=upload('re<p>ort & "x".pdf', PDF), message=with_file)
    with time_machine.travel(at(MON, 11, 20), tick=False):
        attachment_add(ticket=ticket, actor=bob, upload=upload("loose.pdf", PDF + b"0" * 5000))
    paul = ContactFactory(organization=org_a1, first_name="Paul <b>", last_name="Martin & Co", email="p@a1.test")
    ts.ticket_reply(ticket=ticket, actor=SYSTEM, body="By mail", contact=paul, now=at(MON, 14))
    ts.ticket_set_priority(ticket=ticket, actor=bob, priority="P1", reason="Because <b>&</b>", now=at(MON, 15))
    ts.ticket_assign(ticket=ticket, actor=bob, assignee=tom, now=at(TUE, 9))
    ts.intervention_log(ticket=ticket, actor=bob, date=at(MON, 10).date(), minutes=95, mode="on_site",
                        description="Fixed <stuff> & things")
    ts.intervention_log(ticket=ticket, actor=bob, date=at(TUE, 10).date(), minutes=30, mode="remote",
                        description="More", billable=False)
    ts.ticket_work(ticket=ticket, actor=tom, body="Question?", next_status="waiting_on_client", now=at(TUE, 10))
    return selectors.ticket_get(tenant=ticket.tenant, viewer=bob.membership, reference=ticket.reference)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_rows_are_the_templates_own(rich, bob, cody, language):
    with translation.override(language):
        for viewer in (bob.membership, cody.membership):
            messages, by_message, loose = detail_rows.conversation(rich, viewer)
            for m in messages:
                m.files, m.when = by_message.get(m.pk, []), display.stamp(m.created_at)
            printed = detail_rows.thread(rich, messages, by_message, loose)
            assert same(printed, template(THREAD, ticket=rich, messages_list=messages, attachments=loose))
            for provider in (True, False):
                interventions = list(selectors.ticket_interventions(ticket=rich))
                assert same(detail_rows.interventions(interventions, billable_column=provider),
                            template(INTERVENTIONS, interventions=interventions, is_provider=provider))
        history = display.history_rows(selectors.ticket_history(ticket=rich))
        assert same(detail_rows.history(history), template(HISTORY, history=history))
        segments = [{"start": "04/05 10:00", "end": "04/05 12:00", "kind": "running", "cumulative": "2 h <&>"}]
        assert same(detail_rows.timeline(segments), template(TIMELINE, explain=segments))
    assert "&lt;script&gt;" in printed and "<script>" not in printed and "Martin &amp; Co" in printed


def test_an_empty_conversation_says_so(ticket):
    assert same(detail_rows.thread(ticket, [], {}, []),
                template(THREAD, ticket=ticket, messages_list=[], attachments=[]))


@time_machine.travel(at(WED, 11), tick=False)
def test_the_page_escapes_what_people_wrote(web, rich, bob):
    html = web.as_(bob).get(f"/tickets/{rich.reference}/").content.decode()

    assert '<div class="body">Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co&#x27;s' in html
    assert "re&lt;p&gt;ort &amp; &quot;x&quot;.pdf</a>" in html
    assert "Paul &lt;b&gt; Martin &amp; Co (by e-mail)" in html
    assert "<td>Fixed &lt;stuff&gt; &amp; things</td>" in html
    assert "<td>Because &lt;b&gt;&amp;&lt;/b&gt;</td>" in html
    assert "<script>alert" not in html


def test_the_history_names_the_team_without_reading_them_again(rich, bob, django_assert_num_queries):
    history = list(selectors.ticket_history(ticket=rich))
    team = list(users_who_may(tenant=rich.tenant, action="ticket.take"))
    with django_assert_num_queries(0):
        with_team = display.history_rows(history, people=team)

    assert with_team == display.history_rows(history)
