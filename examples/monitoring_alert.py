"""Open a ticket from a monitoring alert, then follow its SLA.

    pip install httpx==0.28.1
    export PORTAL_URL=http://127.0.0.1:8000 PORTAL_TOKEN=mpt_…   # a token with the scope tickets:write
    python examples/monitoring_alert.py --contract CTR-2026-0001 --alert-id zabbix-48213 \
        --title "Disk full on srv-db-01" --description "/var at 98 %" --impact high --urgency high --polls 3

The alert's own identifier (here `--alert-id`, e.g. the monitoring system's event id)
is sent as the `Idempotency-Key`: if the script, the network or the portal fails after
the ticket was opened, running it again with the same alert id returns the same ticket
(`Idempotent-Replayed: true`) instead of opening a second one.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid

import httpx


def open_ticket(client: httpx.Client, *, alert_id: str, title: str, description: str, impact: str,
                urgency: str, maintenance_type: str = "curative", contract: str | None = None) -> dict:
    payload = {"title": title, "description": description, "impact": impact, "urgency": urgency,
               "maintenance_type": maintenance_type}
    if contract:
        payload["contract"] = contract
    for attempt in range(5):  # retry safely: the Idempotency-Key makes the POST idempotent
        try:
            response = client.post("/api/v1/tickets/", json=payload, headers={"Idempotency-Key": alert_id})
        except httpx.TransportError:
            time.sleep(2 ** attempt)
            continue
        if response.status_code == 429 or response.status_code >= 500:
            time.sleep(float(response.headers.get("Retry-After", 2 ** attempt)))
            continue
        if response.status_code >= 400:
            error = response.json()["error"]
            raise SystemExit(f"refused ({error['status']} {error['code']}): {error['message']} {error.get('fields', '')}")
        ticket = response.json()
        ticket["replayed"] = response.headers.get("Idempotent-Replayed") == "true"
        return ticket
    raise SystemExit("the portal did not answer: try again later with the same --alert-id")


def sla_status(client: httpx.Client, reference: str) -> dict:
    response = client.get(f"/api/v1/tickets/{reference}/")
    response.raise_for_status()
    return response.json()


def describe(ticket: dict) -> str:
    parts = [f"{ticket['reference']} {ticket['status']} {ticket['priority']}"]
    for metric in ("response", "resolution"):
        state = (ticket.get("sla") or {}).get(metric)
        if state:
            parts.append(f"{metric}: {state['state']} (deadline {state['deadline']}, "
                         f"{state['remaining_business_minutes']} business minutes left)")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("PORTAL_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--token", default=os.environ.get("PORTAL_TOKEN"))
    parser.add_argument("--alert-id", default=None, help="the alert's id, used as the Idempotency-Key")
    parser.add_argument("--title", required=True)
    parser.add_argument("--description", required=True)
    parser.add_argument("--impact", default="high", choices=["low", "medium", "high"])
    parser.add_argument("--urgency", default="high", choices=["low", "medium", "high"])
    parser.add_argument("--contract", required=True, help="the contract the alert falls under, e.g. CTR-2026-0001")
    parser.add_argument("--polls", type=int, default=1, help="how many times to read the SLA status")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between two reads")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give --token or set PORTAL_TOKEN")
    alert_id = args.alert_id or str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {args.token}", "Accept": "application/json"}
    with httpx.Client(base_url=args.url, headers=headers, timeout=30.0) as client:
        ticket = open_ticket(client, alert_id=alert_id, title=args.title, description=args.description,
                             impact=args.impact, urgency=args.urgency, contract=args.contract)
        print(("already opened: " if ticket["replayed"] else "opened: ") + ticket["reference"])
        for poll in range(args.polls):
            if poll:
                time.sleep(args.interval)
            print(describe(sla_status(client, ticket["reference"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
