"""The ticket page's long lists, printed in Python: the conversation with its files, the
interventions, the history and the SLA timeline (templates/tickets/ticket_detail.html
places them).

In the template, each row cost a dozen node renders, a `{% url %}` per file, filters
(date, filesizeformat, duration, yesno, default) and a translation lookup per row; at 30
replies, 10 interventions and their history that was most of the page's rendering. Here
every word is translated once per page, every link comes from one reverse() per page,
and each value is escaped exactly as the template's autoescape does (a value already
marked safe is printed as is, anything else goes through `html.escape`), so the markup
is the template's own (tests/tickets/test_detail_rows.py compares them).
"""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat, yesno
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from portal.formatting import duration
from tickets.display import autoescape, stamp
from tickets.models import InterventionMode, MessageKind

_e = autoescape  # `{{ value }}` of a value (None prints "None", as there)


def _attachment_link(ticket) -> tuple[str, str]:
    """The head and tail of the ticket's attachment links around the attachment's id."""
    marker = 987654321987
    head, tail = reverse("ticket-attachment", args=[ticket.reference, marker]).split(str(marker))
    return head, tail


def conversation(ticket, viewer) -> tuple[list, dict, list]:
    """The conversation as `viewer` may read it, for `thread`: the messages, their files by
    message id, and the files of no message — every file of the ticket in one query."""
    from tickets import selectors

    files = list(selectors.ticket_attachments(ticket=ticket, viewer=viewer))
    messages = list(selectors.ticket_messages(ticket=ticket, viewer=viewer, with_attachments=False))
    by_message: dict = {}
    for f in files:
        by_message.setdefault(f.message_id, []).append(f)
    loose = by_message.pop(None, [])
    return messages, by_message, loose


def thread(ticket, messages, files_by_message: dict, loose_files) -> SafeString:
    """The conversation: each message with its files, then the files of no message."""
    head, tail = _attachment_link(ticket) if files_by_message or loose_files else ("", "")
    file_word = _e(_("file"))

    def files_html(files) -> str:
        return "".join(
            f'<div><span class="badge">{file_word}</span> <a href="{head}{a.pk}{tail}">{_e(a.filename)}</a> '
            f'<span class="muted">({_e(filesizeformat(a.size))})</span></div>' for a in files)

    out = []
    if messages:
        by_email = f" ({_e(_('by e-mail'))})"
        internal = f' · <strong>{_e(_("internal note"))}</strong>'
        kinds = {value: _e(label) for value, label in MessageKind.choices}
        requester_id = ticket.requester_id
        for m in messages:
            if m.internal:
                css = "internal"
            elif m.author_contact_id or m.author_id == requester_id:
                css = "client"
            else:
                css = "provider"
            if m.author_contact_id and not m.author_id:
                who = _e(m.author_contact) + by_email
            else:
                author = m.author
                who = _e((author.display_name if author is not None else "") or "—")
            if m.internal:
                badge = internal
            elif m.kind != MessageKind.REPLY:
                badge = f' · <span class="badge kind-{_e(m.kind)}">{kinds.get(m.kind, _e(m.kind))}</span>'
            else:
                badge = ""
            out.append(f'\n    <div class="msg {css}">\n      <div class="meta">{who} · {_e(stamp(m.created_at))}{badge}'
                       f'</div>\n      <div class="body">{_e(m.body)}</div>\n      '
                       f'{files_html(by_message) if (by_message := files_by_message.get(m.pk)) else ""}\n    </div>\n  ')
    else:
        out.append(f'<p class="muted">{_e(_("No message yet."))}</p>')
    for a in loose_files:
        uploader = a.uploaded_by
        who = _e((uploader.display_name if uploader is not None else "") or "—")
        out.append(f'<div class="msg"><div class="meta">{who} · {_e(stamp(a.created_at))}</div>'
                   f'<span class="badge">{file_word}</span> <a href="{head}{a.pk}{tail}">{_e(a.filename)}</a> '
                   f'<span class="muted">({_e(filesizeformat(a.size))})</span></div>')
    return SafeString("".join(out))


def interventions(rows, *, billable_column: bool) -> SafeString:
    """The interventions table's rows (the billable column for provider staff only)."""
    modes = {value: _e(label) for value, label in InterventionMode.choices}
    yes, no = _e(yesno(True)), _e(yesno(False))  # the filter's words, translated once
    out = []
    for i in rows:
        technician = i.technician
        billable = f"<td>{yes if i.billable else no}</td>" if billable_column else ""
        out.append(f'<tr><td>{i.date:%d/%m/%Y}</td><td>{_e(technician.display_name)}</td>'
                   f'<td>{_e(duration(i.minutes or 0))}</td><td>{modes.get(i.mode, _e(i.mode))}</td>'
                   f'<td>{_e(i.description)}</td>{billable}</tr>')
    return SafeString("".join(out))


def history(rows: list[dict]) -> SafeString:
    """The history table's rows (tickets.display.history_rows)."""
    out = []
    for e in rows:
        change = f' <span class="muted">{_e(e["change"])}</span>' if e["change"] else ""
        out.append(f'<tr><td>{_e(e["when"])}</td><td>{_e(e["who"])}</td><td>{_e(e["what"])}{change}</td>'
                   f'<td>{_e(e["why"])}</td></tr>')
    return SafeString("".join(out))


def timeline(segments: list[dict]) -> SafeString:
    """The SLA panel's timeline rows (start, end, kind, cumulative business time)."""
    return SafeString("".join(
        f'<tr><td>{_e(s["start"])}</td><td>{_e(s["end"])}</td><td>{_e(s["kind"])}</td><td>{_e(s["cumulative"])}</td></tr>'
        for s in segments))

