"""examples/monitoring_alert.py, run as a user would run it, against a live server: it
opens a ticket with the alert id as Idempotency-Key, reads its SLA, and a second run
with the same alert id finds the same ticket instead of opening another."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from portal import services
from tests.tickets import factories as tf
from tickets.models import Ticket

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "monitoring_alert.py"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def monitoring(alice, amy, tenant_a, org_a1):
    contract = tf.active_contract(actor=amy, client=org_a1, policy=tf.sla_policy(tenant_a))
    account = services.service_account_create(actor=alice, tenant=tenant_a, name="Zabbix")
    _, raw = services.service_account_token_create(actor=alice, account=account, name="alerts",
                                                   scopes=["tickets:write"])
    return contract, raw


def run(live_server, contract, token, *extra):
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--url", live_server.url, "--token", token, "--contract", contract.reference,
         "--alert-id", "zabbix-48213", "--title", "Disk full on srv-db-01", "--description", "/var at 98 %",
         "--polls", "2", "--interval", "0", *extra],
        capture_output=True, text=True, timeout=120, check=False)


def test_it_opens_a_ticket_and_reports_its_sla(live_server, monitoring):
    contract, token = monitoring
    result = run(live_server, contract, token)
    assert result.returncode == 0, result.stderr
    ticket = Ticket.objects.get()
    lines = result.stdout.splitlines()
    assert lines[0] == f"opened: {ticket.reference}"
    assert [line.split(" ")[0] for line in lines[1:]] == [ticket.reference, ticket.reference]
    assert "resolution: " in lines[1] and "deadline" in lines[1]


def test_running_it_again_for_the_same_alert_opens_nothing_new(live_server, monitoring):
    contract, token = monitoring
    run(live_server, contract, token)
    again = run(live_server, contract, token)
    ticket = Ticket.objects.get()
    assert again.stdout.splitlines()[0] == f"already opened: {ticket.reference}"


def test_it_says_why_the_portal_refused(live_server, monitoring):
    contract, token = monitoring
    result = run(live_server, contract, token, "--impact", "high", "--title", "")
    assert result.returncode != 0
    assert "refused (400 invalid)" in result.stderr and "title" in result.stderr
    assert not Ticket.objects.exists()
