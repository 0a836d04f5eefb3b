"""Benchmark of the contract PDF: WeasyPrint rendering of a 10-page contract.

Run from the repository root:  .venv/bin/python bench/contracts_bench.py
Builds the contract in memory (no database), renders templates/pdf/contract.html with
the real clause library, 40 covered items and the targets table, then measures the
HTML-to-PDF step over several runs. Writes var/bench/contracts.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.template.loader import render_to_string  # noqa: E402
from django.utils import translation  # noqa: E402

from contracts.clause_library import DEFAULT_CLAUSES, ORDER  # noqa: E402
from contracts.documents import render_pdf  # noqa: E402
from contracts.models import (  # noqa: E402
    Contract,
    ContractClause,
    ContractDocument,
    ContractMaintenanceType,
    CoveredItem,
    Exclusion,
    Organization,
)
from sla.forms import WEEKDAY_LABELS  # noqa: E402
from sla.models import SlaPolicy, SlaTarget  # noqa: E402

GOAL_S = 2.0
RUNS = 7


def build_context() -> dict:
    provider = Organization(kind="provider", legal_name="Acme IT Services SAS", legal_form="SAS",
                            siret="84123456000016", vat_number="FR81841234560", address_line1="12 rue de la Paix",
                            postal_code="75002", city="Paris", legal_rep_name="Claire Moreau",
                            legal_rep_title="Présidente")
    client = Organization(kind="client", legal_name="Boulangerie Martin SARL", legal_form="SARL",
                          siret="79234567000014", vat_number="FR30792345670", address_line1="4 place Bellecour",
                          postal_code="69002", city="Lyon", legal_rep_name="Paul Martin", legal_rep_title="Gérant")
    contract = Contract(reference="CTR-2026-0001", title="Infogérance du parc informatique", client=client,
                        provider=provider, object="Maintenance préventive et corrective du parc. " * 12,
                        start_date=date(2026, 1, 1), initial_months=36, renewal_months=12, renewal="tacit",
                        notice_months=3, monthly_fee=Decimal("690.00"), included_hours=Decimal("6"),
                        hourly_rate=Decimal("85.00"), price_revision="Révision annuelle selon l'indice Syntec.",
                        remote_intervention=True, on_site_intervention=True, billing_model="hybrid", language="fr")
    policy = SlaPolicy(code="standard", name="Standard", warning_percent=80, availability_target=Decimal("99.5"))
    targets = [SlaTarget(priority=p, response_minutes=r, resolution_minutes=s)
               for p, r, s in (("P1", 60, 480), ("P2", 120, 840), ("P3", 240, 1680), ("P4", 480, 2100))]
    hours = {d: [["09:00", "12:00"], ["14:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}

    class Calendar:
        always_open = False
        timezone = "Europe/Paris"
        holidays = [{"date": "2026-12-25"}] * 11

    items = [CoveredItem(category=c, name=f"Équipement {i}", identifier=f"ID-{i:03d}", site="Siège",
                         criticality="medium", quantity=1)
             for i, c in enumerate(["hardware", "software", "network", "security"] * 10)]
    return {
        "contract": contract, "document": ContractDocument(kind="contract", version=1),
        "provider": provider, "client": client, "items": items,
        "exclusions": [Exclusion(text=f"Exclusion {i}") for i in range(6)],
        "maintenance_types": [ContractMaintenanceType(maintenance_type=t) for t in
                              ("preventive", "corrective", "curative", "evolutive")],
        "clauses": [ContractClause(kind=k, title=DEFAULT_CLAUSES[k]["fr"][0], body=DEFAULT_CLAUSES[k]["fr"][1])
                    for k in ORDER],
        "policy": policy, "targets": targets, "calendar": Calendar(),
        "calendar_days": [(WEEKDAY_LABELS[d], hours.get(d, [])) for d in WEEKDAY_LABELS],
        "terms": contract.terms(), "first_term": contract.terms().term(1), "amendment": None,
        "amendment_changes": [], "amendments": [],
    }


def main() -> int:
    with translation.override("fr"):
        html = render_to_string("pdf/contract.html", build_context())
    render_pdf(html)  # warm-up: fonts and CSS parsing are cached by the process
    times, pages = [], 0
    for _ in range(RUNS):
        started = time.perf_counter()
        _pdf, pages = render_pdf(html)
        times.append(time.perf_counter() - started)
    times.sort()
    median = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    result = [{"name": f"contract PDF ({pages} pages) HTML to PDF", "unit": "s", "median": round(median, 3),
               "p95": round(p95, 3), "goal": GOAL_S, "met": p95 <= GOAL_S}]
    print(f"{'benchmark':45} {'median':>8} {'p95':>8} {'goal':>6}  met")
    for r in result:
        print(f"{r['name']:45} {r['median']:>7}s {r['p95']:>7}s {r['goal']:>5}s  {'yes' if r['met'] else 'NO'}")
    out = ROOT / "var" / "bench" / "contracts.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
