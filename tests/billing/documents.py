"""Shared builders of the billing document tests: a provider and a client with full
legal identities, a month of work on a contract (tickets, interventions, breaches), and
readers of the produced PDFs (pdftotext, the embedded Factur-X XML)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from lxml import etree

from tests.billing import factories as bf
from tests.contracts import factories as cf
from tests.factories import OrganizationFactory, TenantFactory, member

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "billing"
PDFTOTEXT = shutil.which("pdftotext") or ("/usr/bin/pdftotext" if Path("/usr/bin/pdftotext").exists() else None)
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
ISSUED_ON = date(2026, 4, 2)
CREDITS = {"P3": {"response": "2.5", "resolution": "5"}, "P2": {"resolution": "10"}}


def pdf_text(path: Path) -> str:
    """The PDF's text with every run of whitespace made one space."""
    out = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True).stdout
    return " ".join(out.decode().split())


def keep(path: Path, name: str) -> None:
    """A copy for people to look at (test-artifacts/ is ignored by git)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, ARTIFACTS / name)


def xpath(xml: bytes, path: str) -> list[str]:
    tree = etree.fromstring(xml)
    return [node.text if hasattr(node, "text") else str(node) for node in tree.xpath(path, namespaces=NS)]


def world(slug: str):
    """A tenant with its provider entity, a client, an account manager, a technician."""
    tenant = TenantFactory(name=f"Docs {slug}", slug=f"docs-{slug}")
    manager = member(tenant, "account_manager", email=f"manager@{slug}.test")
    tech = member(tenant, "technician", email=f"tech@{slug}.test")
    provider = OrganizationFactory(
        tenant=tenant, kind="provider", legal_name="Acme IT Services SAS", legal_form="SAS",
        address_line1="12 rue de la Paix", postal_code="75002", city="Paris", email="facturation@acme.example",
        phone="01 23 45 67 89", legal_rep_name="Claire Moreau", legal_rep_title="Présidente")
    client = OrganizationFactory(
        tenant=tenant, legal_name="Boulangerie Martin SARL", legal_form="SARL", address_line1="4 place Bellecour",
        postal_code="69002", city="Lyon", legal_rep_name="Paul Martin", legal_rep_title="Gérant")
    from tests.tickets import factories as tf

    policy = tf.sla_policy(tenant)
    assert cf.provider_org(tenant) == provider
    return tenant, manager, tech, provider, client, policy


def busy_march(*, contract, manager, tech) -> None:
    """March 2026 of a contract: three tickets, five interventions (one on quote, one on
    site), two resolution breaches (P3) and a response breach."""
    printer = bf.ticket(actor=manager, contract=contract, day=date(2026, 3, 3), title="Imprimante hors ligne")
    server = bf.ticket(actor=manager, contract=contract, day=date(2026, 3, 10), title="Serveur de fichiers lent",
                       impact="high", urgency="medium")
    upgrade = bf.ticket(actor=manager, contract=contract, day=date(2026, 3, 16), maintenance_type="evolutive",
                        title="Migration Microsoft 365")
    bf.work(ticket=printer, actor=tech, day=date(2026, 3, 4), minutes=200)
    bf.work(ticket=server, actor=tech, day=date(2026, 3, 11), minutes=250)
    from tickets.services import intervention_log

    intervention_log(ticket=server, actor=tech, date=date(2026, 3, 12), minutes=220, mode="on_site",
                     description="Disk replaced", billable=True)
    bf.work(ticket=upgrade, actor=tech, day=date(2026, 3, 17), minutes=95)
    bf.work(ticket=printer, actor=tech, day=date(2026, 3, 5), minutes=20, billable=False)
    bf.breach(ticket=printer, at=datetime(2026, 3, 5, 16, 0, tzinfo=UTC))
    bf.breach(ticket=server, at=datetime(2026, 3, 12, 9, 30, tzinfo=UTC))
    bf.breach(ticket=printer, metric="response", at=datetime(2026, 3, 3, 14, 0, tzinfo=UTC))
    bf.resolve(ticket=printer, actor=tech, at=datetime(2026, 3, 6, 11, 0, tzinfo=UTC))


def hybrid_contract(*, manager, client, policy, language: str = "fr", **overrides):
    plan = {"monthly_fee": Decimal("900.00"), "hourly_rate": Decimal("85.00"), "included_minutes": 480,
            "service_credits": CREDITS, "penalty_cap_percent": Decimal("10"), "language": language,
            "payment_terms_days": 30, "title": "Infogérance du parc informatique"}
    plan.update(overrides)
    return bf.contract(actor=manager, client=client, policy=policy, billing_model="hybrid", **plan)
