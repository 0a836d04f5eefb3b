"""Headers and public surface: a strict Content-Security-Policy and a Permissions-Policy on
every response (pages and API), templates that need no inline script or style, and the
API documentation and schema only for logged-in users unless API_DOCS_PUBLIC."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# E-mails are read by mail clients (inline styles are the norm there) and PDFs by
# WeasyPrint: neither is served to a browser under the policy.
NOT_SERVED = ("emails", "pdf")


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.fixture
def page(web, alice):
    return web.as_(alice).get("/dashboard/")


def test_it_sends_a_content_security_policy_on_pages(client, db):
    directives = policy(client.get("/login/"))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'self'"]


def test_it_allows_no_inline_code_nor_eval_nor_other_origin(page):
    header = page["Content-Security-Policy"]
    for word in ("unsafe-inline", "unsafe-eval", "unsafe-hashes", "http:", "https:", "*"):
        assert word not in header.replace("https://", ""), header


def test_it_sends_the_content_security_policy_on_api_responses(api, alice):
    response = api.as_(alice).get("/api/v1/me/")
    assert policy(response)["default-src"] == ["'self'"]


def test_it_sends_the_content_security_policy_on_error_pages(web, alice):
    response = web.as_(alice).get("/no-such-page/")
    assert response.status_code == 404
    assert "Content-Security-Policy" in response


def test_it_sends_a_permissions_policy(page):
    header = page["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in header


def test_it_sends_the_permissions_policy_on_api_responses(api, alice):
    assert "camera=()" in api.as_(alice).get("/api/v1/me/")["Permissions-Policy"]


def _served_templates() -> list[Path]:
    return [p for p in TEMPLATES.rglob("*.html") if p.relative_to(TEMPLATES).parts[0] not in NOT_SERVED]


@pytest.mark.parametrize("path", _served_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_it_serves_templates_without_inline_script_or_style(path):
    source = path.read_text()
    assert not re.search(r"\sstyle\s*=", source), "inline style attribute: use a class of static/css/portal.css"
    assert "<style" not in source, "<style> element: move it to a stylesheet"
    assert not re.search(r"\son[a-z]+\s*=", source), "inline event handler: use static/js/portal.js"
    for tag in re.findall(r"<script\b[^>]*>", source):
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script: {tag}"


# --------------------------------------------------------------------------- API docs


@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/"])
def test_it_serves_the_api_docs_to_anonymous_users_when_public(client, db, settings, path):
    settings.API_DOCS_PUBLIC = True
    assert client.get(path).status_code == 200


def test_it_sends_anonymous_users_from_the_api_docs_to_login_when_not_public(client, db, settings):
    settings.API_DOCS_PUBLIC = False
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_refuses_the_api_docs_script_to_anonymous_users_when_not_public(client, db, settings):
    settings.API_DOCS_PUBLIC = False
    assert client.get("/api/docs/", {"script": ""}).status_code == 302


def test_it_refuses_the_schema_to_anonymous_users_when_not_public(client, db, settings):
    settings.API_DOCS_PUBLIC = False
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/"])
def test_it_serves_the_api_docs_to_logged_in_users_when_not_public(web, alice, settings, path):
    settings.API_DOCS_PUBLIC = False
    assert web.as_(alice).get(path).status_code == 200


def test_it_serves_swagger_ui_from_the_portal_itself(web, alice):
    body = web.as_(alice).get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert any("swagger-ui-bundle.js" in s for s in sources)
    assert all(s.startswith("/") for s in sources), sources  # no CDN


def test_it_serves_the_swagger_ui_initialiser_as_a_script(web, alice):
    response = web.as_(alice).get("/api/docs/", {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


def _docs_public(**env: str) -> str:
    from tests.portal.test_settings import run

    code = ("import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; django.setup(); "
            "from django.conf import settings; print(settings.API_DOCS_PUBLIC)")
    result = run(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_it_keeps_the_api_docs_private_in_production_by_default():
    from tests.portal.test_settings import STRONG_KEY, production

    assert _docs_public(**production(SECRET_KEY=STRONG_KEY)) == "False"


def test_it_makes_the_api_docs_public_in_development_by_default():
    assert _docs_public(PORTAL_ENV="development") == "True"


def test_it_lets_production_publish_the_api_docs():
    from tests.portal.test_settings import STRONG_KEY, production

    assert _docs_public(**production(SECRET_KEY=STRONG_KEY, API_DOCS_PUBLIC="true")) == "True"
