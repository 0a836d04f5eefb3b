"""E-mail: each message is three templates, `emails/<name>_subject.txt`,
`_body.txt` and `_body.html`, rendered in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_email(*, name: str, to: list[str], context: dict, language: str | None = None) -> int:
    if not to:
        return 0
    with translation.override(language or settings.LANGUAGE_CODE):
        ctx = {"portal_name": settings.PORTAL_NAME, **context}
        subject = " ".join(render_to_string(f"emails/{name}_subject.txt", ctx).split())
        text = render_to_string(f"emails/{name}_body.txt", ctx)
        html = render_to_string(f"emails/{name}_body.html", ctx)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    return message.send()
