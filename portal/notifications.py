"""E-mail: each message is three templates, `emails/<name>_subject.txt`,
`_body.txt` and `_body.html`, rendered in the recipient's language. Services never send
e-mail themselves: they write it to the outbox (portal/outbox.py), whose worker renders
and sends it. This module holds the sending helper and the foundation's own e-mails."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from portal.links import site_url
from portal.models import ApiToken, OutboxMessage
from portal.outbox import Email, email_renderer, outbox_email, user_language


def send_templated_email(*, name: str, to: list[str], context: dict, language: str | None = None,
                         headers: dict[str, str] | None = None) -> int:
    if not to:
        return 0
    with translation.override(language or settings.LANGUAGE_CODE):
        ctx = {"portal_name": settings.PORTAL_NAME, **context}
        subject = " ".join(render_to_string(f"emails/{name}_subject.txt", ctx).split())
        text = render_to_string(f"emails/{name}_body.txt", ctx)
        html = render_to_string(f"emails/{name}_body.html", ctx)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, headers=headers or None)
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
    return Email("api_token_created", {"token": token, "user": row.user or token.user, "tenant": token.tenant,
                                             "url": site_url("api-tokens")},
                 user_language(row.user))


# ---------------------------------------------------------------------- people and passwords


@email_renderer("invitation")
def _invitation(row: OutboxMessage) -> Email | None:
    """The invitation's link, made now from the row's id and version: an invitation
    re-sent or revoked since has nothing to send any more."""
    from django.urls import reverse

    from portal.models import Invitation
    from portal.people import invitation_token

    invitation = Invitation.objects.filter(
        tenant_id=row.tenant_id, pk=row.context.get("invitation_id"), version=row.context.get("version"),
        accepted_at__isnull=True, revoked_at__isnull=True).select_related("tenant", "organization",
                                                                         "invited_by").first()
    if invitation is None:
        return None
    url = settings.PORTAL_BASE_URL + reverse("invitation-accept", args=[invitation_token(invitation)])
    return Email("invitation", {"invitation": invitation, "tenant": invitation.tenant, "url": url,
                                "inviter": invitation.invited_by, "role": invitation.get_role_display()},
                 invitation.language or None)


@email_renderer("password.reset")
def _password_reset(row: OutboxMessage) -> Email | None:
    """Django's reset link (uid and token), made when the e-mail is sent."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = row.user
    if user is None or not user.is_active:
        return None
    url = settings.PORTAL_BASE_URL + reverse("password-reset-confirm", args=[
        urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)])
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    return Email("password_reset", {"user": user, "url": url, "hours": hours}, user_language(user))
