"""Audit actions read in words, with people's names: "Marie Durand issued invoice
INV-2026-000004", not "invoice.issue" by an e-mail address, on the audit page and in the
tenant admin dashboard's recent activity. Every action code the code base writes has its
sentence (portal.audit_display.ACTION_LABELS), in English and French."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.html import escape

from portal.audit import audit_log
from portal.audit_display import ACTION_LABELS, sentence

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "sla", "contracts", "tickets", "billing", "home", "demo", "integrations")
# The functions that write an audit event, and where their action argument sits.
WRITERS = {"audit_log": None, "_audit": 1}  # None: keyword `action` only; n: also the n-th positional
# Actions computed at run time: (file, expression) -> every value it takes; a wrapper
# passing its own parameter on (its callers are read instead) maps to an empty set.
COMPUTED = {
    ("contracts/services/renewals.py", "f'contract.{new_status}'"): {"contract.expired", "contract.terminated"},
    ("portal/two_factor.py", "action"): set(),
}


def _values(expr: ast.expr, where: str) -> set[str]:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return _values(expr.body, where) | _values(expr.orelse, where)
    key = (where, ast.unparse(expr))
    assert key in COMPUTED, f"an audit action computed at run time: list its values in COMPUTED: {key}"
    return COMPUTED[key]


def actions_in_code() -> set[str]:
    found: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            where = str(path.relative_to(ROOT))
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name not in WRITERS:
                    continue
                exprs = [k.value for k in node.keywords if k.arg == "action"]
                if WRITERS[name] is not None and len(node.args) > WRITERS[name]:
                    exprs.append(node.args[WRITERS[name]])
                for expr in exprs:
                    found |= _values(expr, where)
    return found


def test_the_search_finds_the_audit_actions():
    assert {"invoice.issue", "ticket.reply", "user.two_factor_enable", "contract.expired"} <= actions_in_code()


def test_every_audit_action_written_in_the_code_has_a_sentence():
    assert sorted(actions_in_code() - set(ACTION_LABELS)) == []


@pytest.mark.parametrize("action", sorted(ACTION_LABELS))
def test_every_sentence_is_translated_into_french(action):
    with translation.override("fr"):
        french = str(ACTION_LABELS[action])
    assert french != str(ACTION_LABELS[action])


@pytest.fixture
def marie(alice):
    alice.full_name = "Marie Durand"
    alice.save(update_fields=["full_name"])
    return alice


def test_the_audit_page_says_who_did_what_in_words(web, marie, tenant_a):
    audit_log(tenant=tenant_a, actor=marie, action="invoice.issue", object_type="invoice",
              object_ref="INV-2026-000004")
    body = web.as_(marie).get("/audit/").content.decode()
    assert "Marie Durand issued invoice INV-2026-000004" in body
    assert "invoice.issue" not in body.split("<tbody>")[1]


def test_the_dashboard_recent_activity_says_who_did_what_in_words(web, marie, tenant_a):
    audit_log(tenant=tenant_a, actor=marie, action="invoice.issue", object_type="invoice",
              object_ref="INV-2026-000004")
    body = web.as_(marie).get("/dashboard/").content.decode()
    assert "Marie Durand issued invoice INV-2026-000004" in body


def test_a_person_named_by_their_address_is_shown_by_name(marie, bob, tenant_a):
    bob.full_name = "Bruno Petit"
    bob.save(update_fields=["full_name"])
    event = audit_log(tenant=tenant_a, actor=marie, action="member.deactivate", object_type="user",
                      object_ref=bob.email)
    from portal.audit_display import sentences

    assert sentences([event])[0][1] == "Marie Durand deactivated the account of Bruno Petit"


def test_an_automatic_action_is_the_portals(tenant_a):
    event = audit_log(tenant=tenant_a, actor=None, action="invoice.overdue", object_type="invoice",
                      object_ref="INV-2026-000004")
    assert sentence(event) == "The portal: invoice INV-2026-000004 is overdue"


def test_the_sentence_reads_in_french(marie, tenant_a):
    event = audit_log(tenant=tenant_a, actor=marie, action="invoice.issue", object_type="invoice",
                      object_ref="INV-2026-000004")
    with translation.override("fr"):
        assert sentence(event) == "Marie Durand a émis la facture INV-2026-000004"


def test_the_page_escapes_what_a_person_typed(web, marie, tenant_a):
    audit_log(tenant=tenant_a, actor=marie, action="contact.create", object_type="contact", object_ref="<b>x</b>")
    assert escape("<b>x</b>") in web.as_(marie).get("/audit/").content.decode()
