"""Every page of the portal, for each role, found by walking the URL resolver: the
walkers of tests/e2e/test_every_page.py (axe-core, overflow at 390 px, screenshots).

A route is a page for a role when a GET of it, with the references of a world of one
tenant (tests/world.py, plus an account manager and a client administrator), answers
200 with HTML. A new URL parameter name must be added to `VALUES` (the test
`test_it_knows_every_page_parameter` says so)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import member
from tests.world import World

# Framework, API and download routes: not pages.
IGNORED_PREFIXES = ("admin/", "i18n/", "api/", "static/", "media/", "favicon.ico")
IGNORED = ("logout/",)
ROLES = ("tenant_admin", "account_manager", "technician", "client_admin", "client_user")

_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")

# URL parameter name -> its value in the world.
VALUES: dict[str, Callable[[World], str]] = {
    "org_ref": lambda w: w.org.reference,
    "contact_id": lambda w: str(w.contact.pk),
    "token_prefix": lambda w: w.token(w.alice).prefix,
    "calendar_code": lambda w: w.policy.calendar.code,
    "policy_code": lambda w: w.policy.code,
    "contract_ref": lambda w: w.active.reference,
    "kind": lambda w: "contract",
    "version": lambda w: "1",
    "clause_id": lambda w: str(w.draft.clauses.first().pk if w.draft.clauses.exists() else 0),
    "clause_template_id": lambda w: str(w.clause_template.pk),
    "ticket_ref": lambda w: w.ticket.reference,
    "attachment_id": lambda w: "1",
    "invoice_ref": lambda w: w.invoice.number,
    "run_id": lambda w: str(w.run.pk),
    "subscription_id": lambda w: w.path_value("subscription_id", "", None),
    "member_id": lambda w: w.path_value("member_id", "", None),
    "invitation_id": lambda w: w.path_value("invitation_id", "", None),
    "export_id": lambda w: w.path_value("export_id", "", None),
    "canned_reply_id": lambda w: w.path_value("canned_reply_id", "", None),
    "account_id": lambda w: w.path_value("account_id", "", None),
    "inbound_id": lambda w: w.path_value("inbound_id", "", None),
    "chart": lambda w: "compliance",
    "score": lambda w: "good",
    # Links whose token is the credential (a rating, an invitation, a password reset):
    # a token that does not work answers 404, so these pages are not walked here (their
    # own browser tests open them with real links).
    "rating_token": lambda w: "not-a-valid-link",
    "invite_token": lambda w: "not-a-valid-link",
    "uidb64": lambda w: "x",
    "token": lambda w: "not-a-valid-token",
}


class PageWorld(World):
    """tests/world.py's tenant with every role: tenant admin (alice), account manager
    (amy), technician (bob), client admin (clara), client user (cody)."""

    def __init__(self):
        super().__init__()
        self.amy = member(self.tenant, "account_manager", email="amy@hostile.test")
        self.clara = member(self.tenant, "client_admin", organization=self.org, email="clara@hostile.test")
        self.by_role = {"tenant_admin": self.alice, "account_manager": self.amy, "technician": self.bob,
                        "client_admin": self.clara, "client_user": self.cody}


def _walk(patterns, prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def routes() -> list[str]:
    """The portal's page routes (Django path syntax), without the framework's and the API's."""
    found = []
    for route in _walk(get_resolver().url_patterns):
        route = route.lstrip("^")
        if route.startswith(IGNORED_PREFIXES) or route.endswith(IGNORED) or "(?P<" in route:
            continue
        found.append(route)
    return sorted(set(found))


def unknown_parameters() -> set[str]:
    return {m.group("name") for route in routes() for m in _PARAM.finditer(route)} - set(VALUES)


def pages_for(world: PageWorld, user) -> list[str]:
    """The paths that answer `user` 200 with a whole HTML page."""
    client = Client()
    if user is not None:
        client.force_login(user)
    values = {name: fn(world) for name, fn in VALUES.items()}
    paths = []
    for route in routes():
        path = "/" + _PARAM.sub(lambda m: values[m.group("name")], route)
        response = client.get(path)
        # Whole pages only: htmx fragments (a table refreshed in place) have no <html>.
        if (response.status_code == 200 and response["Content-Type"].startswith("text/html")
                and b"<html" in response.content[:500]):
            paths.append(path)
    return paths


def session_cookies(user, base_url: str) -> list[dict]:
    """Cookies that log a browser in as `user` (the test client's session)."""
    client = Client()
    client.force_login(user)
    return [{"name": name, "value": morsel.value, "url": base_url} for name, morsel in client.cookies.items()]
