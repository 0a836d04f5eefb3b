"""E-mail: each message is three templates, `emails/<name>_subject.txt`,
`_body.txt` and `_body.html`, rendered in the recipient's language. Services never send
e-mail themselves: they write it to the outbox (portal/outbox.py), whose worker renders
and sends it. This module holds the sending helper and the foundation's own e-mails."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from portal.models import ApiToken, OutboxMessage
from portal.outbox import Email, email_renderer, outbox_email, user_language


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


# ---------------------------------------------------------------------- API token notice


def api_token_notify(*, token: ApiToken) -> int:
    """Write the security notice of a new API token to its owner (in the caller's transaction)."""
    # A service account's token: the administrator who made it is told instead.
    owner = token.created_by if hasattr(token.user, "service_account") and token.created_by else token.user
    return outbox_email(tenant_id=token.tenant_id, kind="api_token.created", recipients=[owner],
                        context={"token_id": token.pk}, dedup_key=f"api_token:{token.pk}")


@email_renderer("api_token.created")
def _api_token_created(row: OutboxMessage) -> Email | None:
    token = ApiToken.objects.filter(tenant_id=row.tenant_id, pk=row.context.get("token_id")).select_related(
        "user", "tenant").first()
    if token is None:
        return None
    return Email("api_token_created", {"token": token, "user": row.user or token.user, "tenant": token.tenant},
                 user_language(row.user))
