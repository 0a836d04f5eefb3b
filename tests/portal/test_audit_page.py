"""The /audit/ page renders every kind of event the services write, with readable changes.

EVENTS holds, for each action the code writes, a `changes` payload of the shape its
service writes (copied from the `audit_log(...)` calls) and the text the page must show
for it. `test_it_knows_every_audit_action_the_code_writes` reads the source, so a new
action that is not listed here fails the suite.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils.html import escape

from portal.audit import audit_log
from portal.audit_display import sentence

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "contracts", "sla", "tickets", "billing", "integrations")

# action -> (changes as its service writes them, texts the page shows)
EVENTS: dict[str, tuple[dict, list[str]]] = {
    "billing.settings": ({"unpaid_suspend_days": [30, 45]}, ["30 → 45"]),
    "hour_bank.buy": ({"contract": "CTR-2026-0001", "minutes": 600, "price": "750.00", "bought_on": "2026-03-01",
                       "expires_on": "2026-12-31"}, ["CTR-2026-0001", "600", "750.00"]),
    "hour_bank.adjust": ({"minutes": -30, "reason": "Goodwill", "day": "2026-03-05"}, ["-30", "Goodwill"]),
    "invoice.draft": ({"net": "900.00", "vat": "180.00", "gross": "1080.00", "period": "2026-03"},
                      ["900.00", "1080.00"]),
    "invoice.issue": ({"number": "INV-2026-000001", "issue_date": "2026-04-01", "due_date": "2026-05-01"},
                      ["INV-2026-000001", "2026-05-01"]),
    "invoice.payment": ({"amount": "500.00", "date": "2026-04-10", "method": "transfer", "reference": "VIR-1"},
                        ["500.00", "VIR-1"]),
    "invoice.credit": ({"credit_note": "CN-2026-000001", "net": "-100.00", "vat": "-20.00", "gross": "-120.00",
                        "reason": "Late intervention"}, ["CN-2026-000001", "Late intervention"]),
    "invoice.overdue": ({"status": ["issued", "overdue"], "due_date": "2026-05-01"}, ["issued → overdue"]),
    "invoice.suspend_contract": ({"contract": "CTR-2026-0001", "days_past_due": 31}, ["CTR-2026-0001", "31"]),
    "invoice.resume_contract": ({"contract": "CTR-2026-0001"}, ["CTR-2026-0001"]),
    "api_token.create": ({"name": "Monitoring", "expires_at": None, "scopes": ["tickets:read", "tickets:write"]},
                         ["Monitoring", "tickets:read, tickets:write"]),
    "service_account.create": ({"name": "Zabbix", "role": "technician", "organization": None},
                               ["Zabbix", "technician"]),
    "service_account.disable": ({}, []),
    "api_token.revoke": ({}, []),
    "webhook.create": ({"name": "Monitoring", "url": "https://hooks.example.com/portal",
                        "event_types": ["ticket.created", "sla.breach"]},
                       ["Monitoring", "https://hooks.example.com/portal", "ticket.created, sla.breach"]),
    "webhook.update": ({"name": ["Monitoring", "Alerting"], "is_active": [False, True]},
                       ["Monitoring → Alerting", "no → yes"]),
    "webhook.delete": ({"name": "Monitoring", "url": "https://hooks.example.com/portal"}, ["Monitoring"]),
    "webhook.roll_secret": ({}, []),
    "export.create": ({"export": 12}, ["12"]),
    "personal_data.export": ({"contacts": 2, "account": True}, ["2", "yes"]),
    "personal_data.erase": ({"contacts": 1, "account": False}, ["1", "no"]),
    "export.download": ({"export": 12, "sha256": "9f2c" + "0" * 60}, ["9f2c"]),
    "webhook.test": ({"event": "0b5c3f1e-8a44-4f5e-9d1e-3f7c2a1b9e10"}, ["0b5c3f1e-8a44-4f5e-9d1e-3f7c2a1b9e10"]),
    "webhook.disable": ({"failing_since": "2026-03-01T10:00:00+00:00", "reason": "Every delivery failed for 3 days."},
                        ["Every delivery failed for 3 days."]),
    "calendar.create": (
        {"name": "Office hours", "timezone": "Europe/Paris", "always_open": False,
         "hours": {"mon": [["09:00", "18:00"]]}, "holidays": ["2026-12-25"]},
        ["Office hours", "mon: 09:00–18:00", "2026-12-25", "no"]),
    "calendar.update": ({"name": ["Office hours", "Business hours"]}, ["Office hours → Business hours"]),
    "clause_template.create": ({"title": [None, "GDPR"], "kind": [None, "gdpr"]}, ["— → GDPR"]),
    "clause_template.update": ({"title": ["GDPR", "Data protection"]}, ["GDPR → Data protection"]),
    "contact.create": ({"role": "technical", "first_name": "Ana", "last_name": "Lopez", "email": "ana@x.test"},
                       ["Lopez", "ana@x.test"]),
    "contact.delete": ({"role": "technical", "first_name": "Ana", "last_name": "Lopez"}, ["Lopez"]),
    "contact.update": ({"phone": ["", "+33 1 23 45 67 89"]}, ["— → +33 1 23 45 67 89"]),
    "contract.activate": ({"status": ["sent", "active"], "signed_on": "2026-03-01"},
                          ["sent → active", "2026-03-01"]),
    "contract.amend": ({"amendment": 2, "monthly_fee": ["100.00", "120.00"]}, ["100.00 → 120.00"]),
    "contract.clause_update": ({"clause": 12, "title": ["Old title", "New title"]}, ["Old title → New title"]),
    "contract.clauses": ({"clauses": ["Confidentiality", "GDPR"]}, ["Confidentiality, GDPR"]),
    "contract.create": ({"title": "Printers", "client": 3, "monthly_fee": "100.00", "remote_intervention": True},
                        ["Printers", "100.00", "yes"]),
    "contract.expired": ({"status": ["active", "expired"], "end_date": "2026-12-31"}, ["active → expired"]),
    "contract.renew": ({"term": [1, 2], "last_day": "2027-12-31", "monthly_fee": ["100.00", "105.00"]},
                       ["1 → 2", "100.00 → 105.00"]),
    "contract.renew_tacit": ({"term": 2, "first_day": "2027-01-01", "last_day": "2027-12-31"}, ["2027-01-01"]),
    "contract.resume": ({"status": ["suspended", "active"]}, ["suspended → active"]),
    # The event that made the page answer 500: its key "items" is also a dict method's name.
    "contract.scope": ({"items": ["Server: SRV-01", "Workstation: PC-02"], "exclusions": ["Printers"],
                        "maintenance_types": ["corrective", "evolutive (quote)"]},
                       ["Server: SRV-01, Workstation: PC-02", "Printers", "corrective, evolutive (quote)"]),
    "contract.send": ({"status": ["draft", "sent"]}, ["draft → sent"]),
    "contract.suspend": ({"status": ["active", "suspended"], "reason": "Unpaid invoices"},
                         ["active → suspended", "Unpaid invoices"]),
    "contract.terminate": ({"notice_given_on": "2026-06-01", "given_by": "client", "reason": "cost",
                            "end_date": "2026-12-31"}, ["2026-06-01", "client"]),
    "contract.terminated": ({"status": ["active", "terminated"], "end_date": "2026-12-31"},
                            ["active → terminated"]),
    "contract.update": ({"title": ["Printers", "Printers and PCs"]}, ["Printers → Printers and PCs"]),
    "intervention.create": ({"date": "2026-03-02", "minutes": 45, "mode": "remote", "billable": True},
                            ["45", "remote", "yes"]),
    "organization.create": ({"kind": "client", "legal_name": "Martin SARL", "notes": ""}, ["Martin SARL"]),
    "organization.update": ({"legal_name": ["Martin SARL", "Martin SAS"]}, ["Martin SARL → Martin SAS"]),
    "preventive_plan.create": ({"plan": "Monthly check", "rrule": "FREQ=MONTHLY", "start_date": "2026-04-01"},
                               ["Monthly check", "FREQ=MONTHLY"]),
    "priority_matrix.update": ({"high×high": ["P2", "P1"]}, ["P2 → P1"]),
    "sla_policy.create": (
        {"code": "std", "name": "Standard", "is_active": True,
         "targets": [{"priority": "P1", "response_minutes": 60, "resolution_minutes": 240}]},
        ["Standard", "priority: P1, response_minutes: 60, resolution_minutes: 240"]),
    "sla_policy.update": ({"warning_percent": [80, 75]}, ["80 → 75"]),
    "tenant.settings": ({"contract_reminder_days": [[30, 7], [60, 30, 7]]}, ["30, 7 → 60, 30, 7"]),
    "ticket.assign": ({"assignee": [None, "bob@a.test"]}, ["— → bob@a.test"]),
    "ticket.create": ({"title": "Printer down", "priority": "P2", "contract": "CTR-2026-0001"},
                      ["Printer down", "CTR-2026-0001"]),
    "ticket.note": ({}, []),
    "ticket.priority": ({"priority": ["P3", "P1"], "reason": "Whole office down"}, ["P3 → P1", "Whole office down"]),
    "ticket.reply": ({}, []),
    "ticket.status": ({"status": ["in_progress", "resolved"], "reason": "Toner replaced"},
                      ["in_progress → resolved", "Toner replaced"]),
    "ticket.take": ({}, []),
    "ticket.rate": ({"score": "good"}, ["good"]),
    "canned_reply.create": ({"title": "Restart first", "language": "fr"}, ["Restart first"]),
    "canned_reply.update": ({"title": ["Restart first", "Restart"]}, ["Restart first → Restart"]),
    "canned_reply.delete": ({"title": "Restart"}, ["Restart"]),
    "mailbox.update": ({"host": ["", "imap.a.test"], "port": [993, 143], "password": [None, "changed"]},
                       ["imap.a.test", "143"]),
    "mail_quarantine.release": ({"sender": "paul@gmail.test", "as": "paul@a1.test", "ticket": "TCK-000042",
                                 "outcome": "ticket"}, ["paul@gmail.test", "TCK-000042"]),
    "mail_quarantine.discard": ({"sender": "noreply@spam.test", "subject": "Win", "reason": "unknown_sender"},
                                ["noreply@spam.test"]),
    "support_desk.update": ({"phone": ["", "+33 1 23 45 67 89"]}, ["— → +33 1 23 45 67 89"]),
    "user.unlock": ({"attempts_cleared": 2}, ["2"]),
    "invitation.create": ({"email": "new@a1.test", "role": "client_user"}, ["new@a1.test", "client_user"]),
    "invitation.resend": ({}, []),
    "invitation.revoke": ({}, []),
    "invitation.accept": ({"role": "technician"}, ["technician"]),
    "member.role": ({"role": ["technician", "account_manager"]}, ["technician → account_manager"]),
    "member.deactivate": ({}, []),
    "member.reactivate": ({}, []),
    "member.two_factor_reset": ({}, []),
    "user.two_factor_enable": ({}, []),
    "user.two_factor_disable": ({}, []),
    "user.recovery_codes": ({}, []),
    "user.password": ({"how": "reset"}, ["reset"]),
    "user.preferences": ({"language": ["fr", "en"], "notification_optouts": [[], ["reply"]]},
                         ["fr → en", "— → reply"]),
}

# Actions built at run time (f-strings), with every value they take.
COMPUTED_ACTIONS = {"contract.{new_status}": {"contract.expired", "contract.terminated"}}

_ACTION = re.compile(r"\baction=(?P<expr>.+?)(?:,\s*(?:obj|object_type|organization|changes)=|\)\s*$)")
_LITERAL = re.compile(r"(?P<f>f?)\"(?P<value>[^\"]+)\"")


def _actions_in_code() -> set[str]:
    found: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "audit.py":
                continue
            source = path.read_text()
            if "audit_log(" not in source:
                continue
            # Calls only: the audit page's own view is also named audit_log.
            for call in re.split(r"(?<!def )\baudit_log\(", source)[1:]:
                match = _ACTION.search(call.replace("\n", " "))
                if not match:
                    continue
                for literal in _LITERAL.finditer(match.group("expr")):
                    value = literal.group("value")
                    found |= COMPUTED_ACTIONS[value] if literal.group("f") else {value}
    return found


def test_it_knows_every_audit_action_the_code_writes():
    written = _actions_in_code()
    assert len(written) > 30, "the search for audit_log(...) calls found too few: it is broken"
    assert written <= set(EVENTS), f"add these actions to EVENTS: {sorted(written - set(EVENTS))}"


@pytest.mark.parametrize("action", sorted(EVENTS))
def test_it_renders_every_kind_of_audit_event_with_its_changes(web, alice, tenant_a, action):
    changes, texts = EVENTS[action]
    event = audit_log(tenant=tenant_a, actor=alice, action=action, object_type="thing", object_ref="REF-0001",
                      changes=changes)
    response = web.as_(alice).get("/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert escape(sentence(event)) in body
    for text in texts:
        assert text in body, f"{action}: {text!r} is not on the page"


def test_it_shows_a_two_item_list_as_a_list_not_as_a_change(web, alice, tenant_a):
    audit_log(tenant=tenant_a, actor=alice, action="contract.clauses", object_type="contract", object_ref="C-1",
              changes={"clauses": ["Confidentiality", "GDPR"]})
    body = web.as_(alice).get("/audit/").content.decode()
    assert "Confidentiality → GDPR" not in body
