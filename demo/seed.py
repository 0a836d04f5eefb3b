"""Demo data: two provider tenants, each with its own legal entity, client
organisations with valid French legal identities, contacts, and one user per role.

Idempotent: every object is found by a natural key before it is created, so running
`manage.py seed_demo` twice changes nothing. Later features add their own `seed_*`
step here, so the demo always shows every feature with realistic data.
"""

from __future__ import annotations

import unicodedata
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from contracts import services as party_services
from contracts.models import Contact, Organization
from portal.models import Membership, Role, Tenant, User
from tickets.desk import support_desk_update
from tickets.models import SupportDesk

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 — demo accounts only, printed in the README

TENANTS = [
    {
        "slug": "acme",
        "name": "Acme IT Services",
        "domain": "acme.example",
        "provider": dict(
            legal_name="Acme IT Services SAS", trade_name="Acme IT", legal_form="SAS", siret="84123456000016",
            vat_number="FR81841234560", address_line1="12 rue de la Paix", postal_code="75002", city="Paris",
            legal_rep_name="Claire Moreau", legal_rep_title="Présidente", email="contact@acme.example",
            phone="+33 1 42 00 00 01",
        ),
        "staff": [("admin", "Claire Moreau", Role.TENANT_ADMIN), ("manager", "Julien Petit", Role.ACCOUNT_MANAGER),
                  ("tech", "Sofia Lambert", Role.TECHNICIAN)],
        "clients": [
            {
                "key": "martin",
                "org": dict(
                    legal_name="Boulangerie Martin SARL", trade_name="Boulangerie Martin", legal_form="SARL",
                    siret="79234567000014", vat_number="FR30792345670", address_line1="4 place Bellecour",
                    postal_code="69002", city="Lyon", legal_rep_name="Paul Martin", legal_rep_title="Gérant",
                    email="contact@martin.example", phone="+33 4 78 00 00 02",
                ),
                "people": [("Paul", "Martin", "referent", "Gérant"), ("Nadia", "Benali", "billing", "Comptable")],
            },
            {
                "key": "durand",
                "org": dict(
                    legal_name="Cabinet Durand Avocats SELARL", trade_name="Cabinet Durand", legal_form="SELARL",
                    siret="81345678700015", vat_number="FR44813456787", address_line1="27 cours de l'Intendance",
                    postal_code="33000", city="Bordeaux", legal_rep_name="Hélène Durand",
                    legal_rep_title="Associée gérante", email="accueil@durand.example", phone="+33 5 56 00 00 03",
                ),
                "people": [("Hélène", "Durand", "referent", "Associée gérante"), ("Marc", "Roux", "technical", "Office manager")],
            },
        ],
    },
    {
        "slug": "globex",
        "name": "Globex Maintenance",
        "domain": "globex.example",
        "provider": dict(
            legal_name="Globex Maintenance SAS", trade_name="Globex", legal_form="SAS", siret="88456789200010",
            vat_number="FR95884567892", address_line1="3 quai de la Fosse", postal_code="44000", city="Nantes",
            legal_rep_name="Antoine Girard", legal_rep_title="Directeur général", email="contact@globex.example",
            phone="+33 2 40 00 00 04",
        ),
        "staff": [("admin", "Antoine Girard", Role.TENANT_ADMIN), ("manager", "Léa Fontaine", Role.ACCOUNT_MANAGER),
                  ("tech", "Hugo Mercier", Role.TECHNICIAN)],
        "clients": [
            {
                "key": "pharmacie",
                "org": dict(
                    legal_name="Pharmacie du Centre SELAS", trade_name="Pharmacie du Centre", legal_form="SELAS",
                    siret="90567812400017", vat_number="FR73905678124", address_line1="8 rue Crébillon",
                    postal_code="44000", city="Nantes", legal_rep_name="Isabelle Caron",
                    legal_rep_title="Pharmacienne titulaire", email="officine@pharmacie.example",
                    phone="+33 2 40 00 00 05",
                ),
                "people": [("Isabelle", "Caron", "referent", "Pharmacienne titulaire")],
            },
            {
                "key": "leroy",
                "org": dict(
                    legal_name="Transports Leroy SA", trade_name="Transports Leroy", legal_form="SA",
                    siret="83678923000015", vat_number="FR39836789230", address_line1="ZI de la Lande, 15 rue des Forges",
                    postal_code="35000", city="Rennes", legal_rep_name="Thomas Leroy", legal_rep_title="Président du directoire",
                    email="direction@leroy.example", phone="+33 2 99 00 00 06",
                ),
                "people": [("Thomas", "Leroy", "referent", "Président"), ("Emma", "Garnier", "technical", "Responsable informatique")],
            },
        ],
    },
]


def demo_logins() -> list[tuple[str, str, str]]:
    """(e-mail, role, tenant) of every demo account, in README order."""
    rows = []
    for t in TENANTS:
        for local, _name, role in t["staff"]:
            rows.append((f"{local}@{t['domain']}", role, t["name"]))
        for client in t["clients"]:
            rows.append((f"referent@{client['key']}.{t['domain']}", Role.CLIENT_ADMIN, t["name"]))
            rows.append((f"user@{client['key']}.{t['domain']}", Role.CLIENT_USER, t["name"]))
    return rows


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


_password_hashes: dict[str, str] = {}


def _demo_password_hash() -> str:
    """The demo password hashed once per process and hasher: hashing is deliberately
    slow (about a second each on a loaded machine), and every demo account has the
    same, published password anyway."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password

    hasher = settings.PASSWORD_HASHERS[0]
    if hasher not in _password_hashes:
        _password_hashes[hasher] = make_password(DEMO_PASSWORD)
    return _password_hashes[hasher]


def _user(email: str, full_name: str, *, tenant: Tenant, role: str, organization=None, language: str = "fr") -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name, language=language)
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, defaults={"tenant": tenant, "role": role, "organization": organization})
    return user


def _organization(tenant: Tenant, actor: User | None, kind: str, data: dict) -> Organization:
    org = Organization.objects.filter(tenant=tenant, siret=data["siret"]).first()
    if org is None:
        if actor is None:  # the provider entity is created before any user can act
            org = Organization(tenant=tenant, kind=kind, **data)
            org.full_clean(exclude=["reference"])
            from portal.sequences import sequence_next

            org.reference = f"ORG-{sequence_next(tenant=tenant, key='organization'):04d}"
            org.save()
        else:
            org = party_services.organization_create(tenant=tenant, actor=actor, kind=kind, **data)
    return org


@transaction.atomic
def seed_parties() -> dict[str, Tenant]:
    tenants = {}
    for spec in TENANTS:
        tenant, _ = Tenant.objects.get_or_create(slug=spec["slug"], defaults={"name": spec["name"]})
        tenants[spec["slug"]] = tenant
        _organization(tenant, None, "provider", spec["provider"])
        staff = {}
        for local, name, role in spec["staff"]:
            staff[role] = _user(f"{local}@{spec['domain']}", name, tenant=tenant, role=role)
        manager = staff[Role.ACCOUNT_MANAGER]
        if not SupportDesk.objects.filter(tenant=tenant).exists():  # what clients see on their home page
            support_desk_update(tenant=tenant, actor=staff[Role.TENANT_ADMIN], phone=spec["provider"]["phone"],
                                email=f"support@{spec['domain']}")
        for client in spec["clients"]:
            org = _organization(tenant, manager, "client", client["org"])
            for first, last, contact_role, title in client["people"]:
                if not Contact.objects.filter(tenant=tenant, organization=org, first_name=first, last_name=last).exists():
                    party_services.contact_create(
                        organization=org, actor=manager, role=contact_role, first_name=first, last_name=last,
                        job_title=title, email=_ascii(f"{first}.{last}@{client['key']}.example").lower(),
                        phone="",
                    )
            people = client["people"]
            _user(f"referent@{client['key']}.{spec['domain']}", f"{people[0][0]} {people[0][1]}", tenant=tenant,
                  role=Role.CLIENT_ADMIN, organization=org)
            _user(f"user@{client['key']}.{spec['domain']}", f"Staff {org.trade_name}", tenant=tenant,
                  role=Role.CLIENT_USER, organization=org)
    return tenants


FR_BUSINESS_HOURS = {d: [["09:00", "12:00"], ["14:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}

# Realistic targets (business minutes of each policy's calendar). A business day of
# the French calendar is 7 h (420 min): 5 business days = 2,100 minutes.
STANDARD_TARGETS = [
    {"priority": "P1", "response_minutes": 60, "resolution_minutes": 480},
    {"priority": "P2", "response_minutes": 120, "resolution_minutes": 840},
    {"priority": "P3", "response_minutes": 240, "resolution_minutes": 1680},
    {"priority": "P4", "response_minutes": 480, "resolution_minutes": 2100},
    # Evolutive work is planned: a longer resolution window at low priority.
    {"priority": "P4", "maintenance_type": "evolutive", "response_minutes": 480, "resolution_minutes": 4200},
    # Preventive visits are created ahead of their day (the plans' lead time): their
    # window covers the lead time and the visit (30 business days).
    {"priority": "P4", "maintenance_type": "preventive", "response_minutes": 2100, "resolution_minutes": 12600},
]
CRITICAL_TARGETS = [
    {"priority": "P1", "response_minutes": 60, "resolution_minutes": 240},
    {"priority": "P2", "response_minutes": 120, "resolution_minutes": 480},
    {"priority": "P3", "response_minutes": 240, "resolution_minutes": 1440},
    {"priority": "P4", "response_minutes": 480, "resolution_minutes": 2880},
    {"priority": "P4", "maintenance_type": "preventive", "response_minutes": 2100, "resolution_minutes": 12600},
]


@transaction.atomic
def seed_sla(tenants: dict[str, Tenant]) -> None:
    from sla import services as sla_services
    from sla.models import BusinessCalendar, SlaPolicy

    for tenant in tenants.values():
        admin = Membership.objects.filter(tenant=tenant, role=Role.TENANT_ADMIN).select_related("user").first().user
        sla_services.priority_matrix_ensure_default(tenant=tenant)
        business = BusinessCalendar.objects.filter(tenant=tenant, code="fr-business-hours").first()
        if business is None:
            business = sla_services.calendar_create(
                tenant=tenant, actor=admin, code="fr-business-hours", name="Heures ouvrées (France)",
                description="Lundi–vendredi 9 h–12 h et 14 h–18 h, jours fériés français.",
                timezone_name="Europe/Paris", hours=FR_BUSINESS_HOURS,
                holidays=sla_services.public_holidays(country="FR", years=range(2025, 2029)),
                effective_from=datetime(2025, 1, 1, tzinfo=UTC),
            )
        always = BusinessCalendar.objects.filter(tenant=tenant, code="24x7").first()
        if always is None:
            always = sla_services.calendar_create(
                tenant=tenant, actor=admin, code="24x7", name="24/7", description="Toutes les heures de tous les jours.",
                timezone_name="Europe/Paris", always_open=True, effective_from=datetime(2025, 1, 1, tzinfo=UTC),
            )
        if not SlaPolicy.objects.filter(tenant=tenant, code="standard").exists():
            sla_services.policy_create(
                tenant=tenant, actor=admin, code="standard", name="Standard", calendar=business, warning_percent=80,
                availability_target=Decimal("99.500"), targets=STANDARD_TARGETS,
                description="Heures ouvrées, réponse sous 1 h pour un incident critique.",
            )
        if not SlaPolicy.objects.filter(tenant=tenant, code="critical-24-7").exists():
            sla_services.policy_create(
                tenant=tenant, actor=admin, code="critical-24-7", name="Critical 24/7", calendar=always,
                warning_percent=75, availability_target=Decimal("99.900"), targets=CRITICAL_TARGETS,
                description="Astreinte 24/7 : réponse sous 1 h et résolution sous 4 h pour un incident critique.",
            )


DEMO_ITEMS = [
    {"category": "hardware", "name": "Serveur Dell PowerEdge T150", "identifier": "SRV-01 / 7XK2LM3", "site": "Siège",
     "criticality": "critical"},
    {"category": "hardware", "name": "Postes de travail Windows 11", "quantity": 12, "site": "Siège"},
    {"category": "network", "name": "Pare-feu Fortinet FortiGate 40F", "identifier": "FW-01", "criticality": "high"},
    {"category": "software", "name": "Microsoft 365 Business Standard", "quantity": 12},
    {"category": "security", "name": "Sauvegarde externalisée Veeam", "identifier": "BKP-01", "criticality": "high"},
]
DEMO_EXCLUSIONS = [
    "Fourniture de matériel neuf et de licences",
    "Refonte complète de l'infrastructure",
    "Dommages résultant d'une mauvaise utilisation ou d'un sinistre",
    "Logiciels installés sans l'accord du Prestataire",
]
DEMO_TYPES = [
    {"maintenance_type": "preventive", "details": "Visite mensuelle, mises à jour de sécurité hebdomadaires"},
    {"maintenance_type": "corrective", "details": "Diagnostic et réparation, à distance ou sur site"},
    {"maintenance_type": "curative", "details": "Intervention d'urgence en cas d'arrêt bloquant"},
    {"maintenance_type": "evolutive", "included": False, "details": "Évolutions sur devis"},
]


TICKET_PRICES = {"preventive": Decimal("90.00"), "corrective": Decimal("120.00"), "curative": Decimal("180.00"),
                 "evolutive": Decimal("150.00")}
SERVICE_CREDITS = {"P1": {"response": "5", "resolution": "10"}, "P2": {"response": "3", "resolution": "5"},
                   "P3": {"resolution": "2"}}


def seed_contracts(tenants: dict[str, Tenant], *, today: date | None = None) -> None:
    """Contracts in every state: draft, sent, active (tacit with a notice deadline close
    to today; indefinite; amended; an hour bank; per ticket), terminated, expired — each
    with its PDF (queued: see `documents_pending`). The suspended one is suspended by the
    billing history, for an unpaid invoice. Every billing model is on an active contract."""
    from contracts.models import ClauseTemplate, Contract
    from contracts.services import contracts as cs
    from contracts.terms import add_months
    from sla.models import SlaPolicy

    today = today or date.today()  # noqa: DTZ011 — demo data is laid out around the day it is seeded
    for tenant in tenants.values():
        cs.clause_library_seed(tenant=tenant)
        manager = Membership.objects.filter(tenant=tenant, role=Role.ACCOUNT_MANAGER).select_related("user").first().user
        provider = Organization.objects.filter(tenant=tenant, kind="provider").order_by("pk").first()
        clients = list(Organization.objects.filter(tenant=tenant, kind="client").order_by("pk"))
        standard = SlaPolicy.objects.get(tenant=tenant, code="standard")
        critical = SlaPolicy.objects.get(tenant=tenant, code="critical-24-7")
        clause_ids = list(ClauseTemplate.objects.filter(tenant=tenant, language="fr").values_list("pk", flat=True))
        # Notice deadline of the first term 20 days from today: start + 12 - 3 months = today + 20 days.
        close_start = add_months(today + timedelta(days=20), -9)
        specs = [
            ("Infogérance du parc informatique", clients[0], "active", dict(
                sla_policy=standard, start_date=close_start, initial_months=12, renewal="tacit", notice_months=3,
                billing_model="hybrid", monthly_fee=Decimal("690.00"), included_hours=Decimal("6"),
                hourly_rate=Decimal("85.00"), rollover_cap_minutes=180, service_credits=SERVICE_CREDITS,
                penalty_cap_percent=Decimal("15"), price_revision="Révision annuelle selon l'indice Syntec.")),
            ("Support et supervision 24/7", clients[1], "active", dict(
                sla_policy=critical, start_date=add_months(today, -7).replace(day=1), initial_months=None,
                notice_months=2, billing_model="flat_fee", monthly_fee=Decimal("1450.00"), on_site_intervention=True,
                service_credits=SERVICE_CREDITS, penalty_cap_percent=Decimal("20"))),
            ("Maintenance du serveur et des sauvegardes", clients[0], "amended", dict(
                sla_policy=standard, start_date=add_months(today, -14).replace(day=1), initial_months=36,
                renewal_months=12, renewal="tacit", notice_months=3, billing_model="flat_fee",
                monthly_fee=Decimal("320.00"))),
            # Active: the billing history suspends "Maintenance du serveur…" for an unpaid invoice.
            ("Banque d'heures d'assistance", clients[1], "active", dict(
                sla_policy=standard, start_date=add_months(today, -6).replace(day=1), initial_months=12,
                renewal="tacit", billing_model="hour_bank", hourly_rate=Decimal("80.00"))),
            ("Assistance à la demande", clients[0], "active", dict(
                sla_policy=standard, start_date=add_months(today, -6).replace(day=1), initial_months=12,
                renewal="tacit", notice_months=1, billing_model="per_ticket", hourly_rate=Decimal("90.00"))),
            ("Maintenance du site web", clients[0], "sent", dict(
                sla_policy=standard, start_date=add_months(today, 1).replace(day=1), initial_months=12,
                renewal="express", notice_months=1, billing_model="flat_fee", monthly_fee=Decimal("150.00"))),
            ("Audit et mise en conformité RGPD", clients[1], "draft", dict(
                sla_policy=standard, start_date=add_months(today, 2).replace(day=1), initial_months=6, renewal="none",
                billing_model="per_ticket", hourly_rate=Decimal("95.00"))),
            ("Ancien contrat de téléphonie", clients[0], "terminated", dict(
                sla_policy=standard, start_date=add_months(today, -30).replace(day=1), initial_months=12,
                renewal="tacit", notice_months=3, billing_model="flat_fee", monthly_fee=Decimal("90.00"))),
            ("Migration vers Microsoft 365", clients[1], "expired", dict(
                sla_policy=standard, start_date=add_months(today, -9).replace(day=1), initial_months=6, renewal="none",
                billing_model="flat_fee", monthly_fee=Decimal("400.00"))),
        ]
        for title, client, target, values in specs:
            if Contract.objects.filter(tenant=tenant, client=client, title=title).exists():
                continue
            contract = cs.contract_create(
                tenant=tenant, actor=manager, client=client, provider=provider, title=title,
                object=(f"{title} de {client.legal_name} : maintenance préventive mensuelle (mises à jour, "
                        "contrôle des sauvegardes, vérification du matériel), maintenance corrective et curative "
                        "sur incident, assistance aux utilisateurs par téléphone et prise en main à distance."),
                **values,
            )
            types = DEMO_TYPES
            if values["billing_model"] == "per_ticket":  # each included type needs its price (B7)
                types = [{**m, "ticket_price": TICKET_PRICES[m["maintenance_type"]]} for m in DEMO_TYPES]
            cs.contract_set_scope(contract=contract, actor=manager, items=DEMO_ITEMS, exclusions=DEMO_EXCLUSIONS,
                                  maintenance_types=types)
            cs.contract_set_clauses(contract=contract, actor=manager, template_ids=clause_ids)
            if target == "draft":
                continue
            cs.contract_send(contract=contract, actor=manager)
            if target == "sent":
                continue
            contract = cs.contract_activate(contract=contract, actor=manager, signed_on=contract.start_date,
                                            client_signatory=client.legal_rep_name)
            if target == "amended":
                cs.contract_amend(
                    contract=contract, actor=manager, signed_on=add_months(contract.start_date, 12),
                    effective_date=add_months(contract.start_date, 12),
                    summary="Passage à la politique 24/7 et révision de la redevance mensuelle.",
                    changes={"sla_policy": critical, "monthly_fee": Decimal("380.00")},
                )
            elif target == "terminated":
                cs.contract_terminate(contract=contract, actor=manager, notice_given_on=add_months(today, -14),
                                      given_by="client", reason="notice", today=today)
        from contracts.services.renewals import contracts_daily

        contracts_daily(tenant=tenant, today=today)  # rolls tacit terms, ends what has ended


# ============================================================================ history

TICKETS_PER_TENANT = 320  # planned per demo tenant, preventive visits come on top
# The client organisations whose people write in English (the others write in French).
ENGLISH_CLIENTS = {"leroy"}
# Share of each contract in a tenant's tickets, by title.
TICKET_WEIGHTS = {
    "Infogérance du parc informatique": 5, "Support et supervision 24/7": 5,
    "Maintenance du serveur et des sauvegardes": 2, "Banque d'heures d'assistance": 3,
    "Assistance à la demande": 3,
}
SUSPENDED_FOR_UNPAID = "Maintenance du serveur et des sauvegardes"


def _staff(tenant: Tenant, role: str) -> User:
    return Membership.objects.filter(tenant=tenant, role=role).select_related("user").first().user


def _people(spec: dict, tenant: Tenant):
    from demo.history import People

    clients = {}
    for client in spec["clients"]:
        for who in ("referent", "user"):
            clients[(client["key"], who)] = User.objects.get(email=f"{who}@{client['key']}.{spec['domain']}")
    return People(admin=_staff(tenant, Role.TENANT_ADMIN), manager=_staff(tenant, Role.ACCOUNT_MANAGER),
                  tech=_staff(tenant, Role.TECHNICIAN), clients=clients)


def _ticket_contracts(spec: dict, tenant: Tenant, today: date) -> dict:
    """reference → (ContractInfo, Contract) of the contracts tickets are opened on."""
    from contracts.models import Contract
    from demo.history import ContractInfo

    keys = {c["org"]["siret"]: c["key"] for c in spec["clients"]}
    out = {}
    for contract in (Contract.objects.filter(tenant=tenant, status="active", title__in=TICKET_WEIGHTS)
                     .select_related("client").order_by("reference")):
        key = keys[contract.client.siret]
        # No ticket on the contract about to be suspended once its unpaid invoice is a month late.
        until = today.replace(day=1) - timedelta(days=3) if contract.title == SUSPENDED_FOR_UNPAID else today
        info = ContractInfo(reference=contract.reference, client_key=key,
                            language="en" if key in ENGLISH_CLIENTS else "fr", start=contract.start_date,
                            until=until, weight=TICKET_WEIGHTS[contract.title])
        out[contract.reference] = (info, contract)
    return out


def _preventive_plans(tenant: Tenant, contracts: dict, start: date) -> None:
    from tickets.plans import plan_create

    for _info, contract in contracts.values():
        if contract.preventive_plans.exists() or not contract.maintenance_types.filter(
                maintenance_type="preventive").exists():
            continue
        plan_create(contract=contract, actor=contract.account_manager, title="Visite préventive mensuelle",
                    rrule="FREQ=MONTHLY;BYDAY=1MO", start_date=max(start, contract.start_date), lead_days=21,
                    description="Mises à jour, contrôle des sauvegardes et de l'espace disque, "
                                "vérification du matériel.", covered_items=list(contract.items.all()[:1]))


def _hour_bank_blocks(tenant: Tenant, contracts: dict, people, clock, today: date) -> None:
    """Two blocks on each hour-bank contract: one at its start, one bought when the
    first ran low; the ledger's consumption comes from the interventions."""
    from billing.services import hour_bank_block_buy
    from contracts.terms import add_months

    for _info, contract in contracts.values():
        if contract.billing_model != "hour_bank" or contract.hour_bank_blocks.exists():
            continue
        for months, minutes, price in ((0, 20 * 60, "1500.00"), (3, 15 * 60, "1125.00")):
            bought = add_months(contract.start_date, months)
            if bought > today:
                continue
            clock.at(datetime.combine(bought, datetime.min.time(), UTC) + timedelta(hours=9))
            hour_bank_block_buy(contract=contract, actor=people.manager, minutes=minutes, price=Decimal(price),
                                bought_on=bought, expires_on=add_months(bought, 12) - timedelta(days=1))


def seed_history(tenants: dict[str, Tenant], *, now: datetime, count: int = TICKETS_PER_TENANT) -> None:
    """Six months of tickets per demo tenant, through the ticket services with the clock
    at each moment (`demo.history`), then the month's SLA scan and auto-closing."""
    from demo.history import MONTHS, Clock, plan_tickets, run_tickets
    from tickets.models import Ticket
    from tickets.services import tickets_autoclose
    from tickets.sla import sla_scan

    start = (now - timedelta(days=MONTHS * 31)).date()
    today = now.date()
    clock = Clock()
    with clock.running(now - timedelta(days=MONTHS * 31)):
        for spec in TENANTS:
            tenant = tenants[spec["slug"]]
            if Ticket.objects.filter(tenant=tenant).exists():
                continue
            people = _people(spec, tenant)
            contracts = _ticket_contracts(spec, tenant, today)
            _preventive_plans(tenant, contracts, start)
            _hour_bank_blocks(tenant, contracts, people, clock, today)
            plans = plan_tickets(seed=f"demo-tickets:{spec['slug']}", contracts=[i for i, _c in contracts.values()],
                                 now=now, count=count)
            mondays = [start + timedelta(days=d) for d in range((today - start).days + 1)
                       if (start + timedelta(days=d)).weekday() == 0]
            run_tickets(tenant=tenant, plans=plans, contracts=contracts, people=people, now=now, clock=clock,
                        preventive_runs=mondays, preventive_seed=f"demo-preventive:{spec['slug']}")
            clock.at(now)
            tickets_autoclose(tenant=tenant, now=now)
        clock.at(now)
        sla_scan(now=now)


def seed_billing(tenants: dict[str, Tenant], *, now: datetime) -> None:
    """Six monthly runs per demo tenant with their invoices issued, paid (some in part,
    one in two instalments), credit notes, one invoice unpaid and its contract suspended
    by the daily follow-up; the monthly reports are queued by the runs."""
    from billing.models import Invoice
    from contracts.models import Contract
    from demo.history import BillingScript, Clock, month_list, run_billing

    months = month_list(now.date())
    clock = Clock()
    with clock.running(now - timedelta(days=200)):
        for spec in TENANTS:
            tenant = tenants[spec["slug"]]
            if Invoice.objects.filter(tenant=tenant).exists():
                continue
            refs = {c.title: c.reference for c in Contract.objects.filter(tenant=tenant)}
            script = BillingScript(
                unpaid=(refs[SUSPENDED_FOR_UNPAID], *months[-3]),
                partial=(refs["Support et supervision 24/7"], *months[-1]),
                instalments=(refs["Infogérance du parc informatique"], *months[-4]),
                gesture=(refs["Support et supervision 24/7"], *months[-5]),
                cancelled=(refs["Migration vers Microsoft 365"], *months[-5]),
            )
            run_billing(tenant=tenant, now=now, people=_people(spec, tenant), clock=clock, script=script,
                        seed=f"demo-billing:{spec['slug']}")


RATING_COMMENTS = {
    "fr": {"good": ["Rapide et efficace, merci !", "Problème réglé dès le premier appel.", "Très clair, merci pour le suivi.",
                    ""],
           "bad": ["Trop long à résoudre, l'équipe était bloquée.", "Il a fallu relancer plusieurs fois."]},
    "en": {"good": ["Quick and effective, thank you!", "Fixed on the first call.", "Clear follow-up, thanks.", ""],
           "bad": ["Took too long; the team was stuck.", "We had to chase it several times."]},
}


def seed_ratings(tenants: dict[str, Tenant], *, now: datetime) -> None:
    """Satisfaction ratings of the demo's closed tickets, through the ratings service,
    each a few hours after the ticket was closed (the clock moved there): about two
    in three closed tickets rated, mostly good, worse when the SLA was breached.
    Idempotent: a ticket rated already is left as it is."""
    import random

    from demo.history import Clock
    from tickets.models import Ticket
    from tickets.services import ticket_rate

    clock = Clock()
    for slug, tenant in sorted(tenants.items()):
        rng = random.Random(f"demo-ratings:{slug}")
        closed = list(Ticket.objects.filter(tenant=tenant, status="closed", closed_at__isnull=False)
                      .select_related("requester__membership", "organization").order_by("pk"))
        rated = set(Ticket.objects.filter(tenant=tenant, rating__isnull=False).values_list("pk", flat=True))
        for ticket in closed:
            draw, late, pick = rng.random(), rng.uniform(1, 20), rng.random()
            requester = ticket.requester
            membership = getattr(requester, "membership", None) if requester is not None else None
            at = ticket.closed_at + timedelta(hours=late)
            if ticket.pk in rated or draw > 0.66 or membership is None or not membership.is_client or at > now:
                continue
            score = "bad" if pick < (0.45 if ticket.sla_breached else 0.08) else "good"
            comments = RATING_COMMENTS["fr" if (requester.language or "fr") == "fr" else "en"][score]
            with clock.running(at):
                ticket_rate(ticket=ticket, actor=requester, score=score, comment=comments[int(pick * 1000) % len(comments)],
                            now=at)


# ============================================================================ documents


def documents_pending() -> dict[str, list[int]]:
    """The PDFs the seed left queued: contract documents, invoices, credit notes,
    monthly reports (ids, newest first within each kind)."""
    from billing.models import CreditNote, Invoice, MonthlyReport, PdfStatus
    from contracts.models import ContractDocument, DocumentStatus

    # "rendering" too: a render cut short (the server stopped) is taken up again.
    queued = [PdfStatus.QUEUED, PdfStatus.RENDERING, PdfStatus.FAILED]
    return {
        "contract": list(ContractDocument.objects.filter(status__in=[DocumentStatus.QUEUED, DocumentStatus.RENDERING,
                                                                     DocumentStatus.FAILED])
                         .order_by("-pk").values_list("pk", flat=True)),
        "invoice": list(Invoice.objects.filter(pdf_status__in=queued).exclude(status="draft")
                        .order_by("-pk").values_list("pk", flat=True)),
        "credit_note": list(CreditNote.objects.filter(pdf_status__in=queued).order_by("-pk")
                            .values_list("pk", flat=True)),
        "report": list(MonthlyReport.objects.filter(status__in=queued).order_by("-year", "-month", "-pk")
                       .values_list("pk", flat=True)),
    }


def documents_render(progress=None) -> int:
    """Render every pending PDF here, now (the background job of `make run`)."""
    from billing import documents as bd
    from billing.models import CreditNote, Invoice, MonthlyReport
    from contracts import documents as cd
    from contracts.models import ContractDocument

    done = 0
    for kind, ids in documents_pending().items():
        for pk in ids:
            if kind == "contract":
                row = ContractDocument.objects.get(pk=pk)
                cd.document_render(document_id=pk, tenant_id=row.tenant_id)
            elif kind == "invoice":
                bd.invoice_pdf_render(tenant_id=Invoice.objects.get(pk=pk).tenant_id, invoice_id=pk)
            elif kind == "credit_note":
                bd.credit_note_pdf_render(tenant_id=CreditNote.objects.get(pk=pk).tenant_id, note_id=pk)
            else:
                bd.monthly_report_render(tenant_id=MonthlyReport.objects.get(pk=pk).tenant_id, report_id=pk)
            done += 1
            if progress is not None:
                progress(done, kind)
    return done


def documents_queue() -> int:
    """With a broker: hand every pending PDF to the workers."""
    from billing import tasks as bt
    from billing.models import CreditNote, Invoice, MonthlyReport
    from contracts.models import ContractDocument
    from contracts.tasks import contract_document_render_task

    count = 0
    for kind, ids in documents_pending().items():
        model, task = {"contract": (ContractDocument, contract_document_render_task),
                       "invoice": (Invoice, bt.invoice_pdf_task), "credit_note": (CreditNote, bt.credit_note_pdf_task),
                       "report": (MonthlyReport, bt.monthly_report_task)}[kind]
        for pk, tenant_id in model.objects.filter(pk__in=ids).values_list("pk", "tenant_id"):
            try:
                task.apply_async(args=(tenant_id, pk), retry=False)
            except Exception:  # noqa: BLE001 — the daily retry of stale documents catches up
                return count
            count += 1
    return count


# ============================================================================ all of it


def seed_all(*, now: datetime | None = None, base: bool = True, history: bool = True,
             tickets_per_tenant: int = TICKETS_PER_TENANT) -> None:
    """Everything, idempotently: `base` (tenants, people, SLA, contracts: seconds) and
    `history` (six months of tickets and billing: the long part). `now` (aware) is the
    moment the demo is laid out around (default: the real now). No task is queued while
    seeding: the e-mails it writes are marked cancelled (they describe the past) and the
    PDFs stay queued for `documents_render` / `documents_queue`."""
    from django.utils import timezone

    from demo.history import Clock
    from portal.celery import tasks_held
    from portal.models import OutboxMessage, OutboxState

    fixed = now is not None
    now = now or timezone.now()
    last_outbox = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    clock = Clock()
    with tasks_held():
        with clock.running(now) if fixed else nullcontext():  # a given `now`: the base is laid then too
            tenants = seed_parties()
            if base:
                seed_sla(tenants)
                seed_contracts(tenants, today=now.date())
        if history:
            seed_history(tenants, now=now, count=tickets_per_tenant)
            seed_billing(tenants, now=now)
            seed_ratings(tenants, now=now)
    OutboxMessage.objects.filter(pk__gt=last_outbox, state=OutboxState.PENDING).update(
        state=OutboxState.CANCELLED, last_error="Demo data: written by the seed, not sent.")


def history_missing() -> bool:
    """Whether a demo tenant still lacks its history (tickets or invoices)."""
    from billing.models import Invoice
    from tickets.models import Ticket

    for spec in TENANTS:
        tenant = Tenant.objects.filter(slug=spec["slug"]).first()
        if tenant is None or not Ticket.objects.filter(tenant=tenant).exists() \
                or not Invoice.objects.filter(tenant=tenant).exists():
            return True
    return False


def summary() -> list[tuple[str, dict[str, int]]]:
    """(tenant name, counts) for the demo tenants: what `make run` prints."""
    from django.db.models import Count

    from billing.models import CreditNote, Invoice, MonthlyReport
    from contracts.models import Contract
    from tickets.models import Intervention, SlaEvent, Ticket

    out = []
    for spec in TENANTS:
        tenant = Tenant.objects.filter(slug=spec["slug"]).first()
        if tenant is None:
            continue
        states = dict(Ticket.objects.filter(tenant=tenant).values_list("status").annotate(n=Count("pk")))
        out.append((spec["name"], {
            "contracts": Contract.objects.filter(tenant=tenant).count(),
            "tickets": sum(states.values()),
            "open": sum(states.get(s, 0) for s in ("new", "in_progress", "waiting_on_client")),
            "breaches": SlaEvent.objects.filter(tenant=tenant, kind="breach").count(),
            "interventions": Intervention.objects.filter(tenant=tenant).count(),
            "invoices": Invoice.objects.filter(tenant=tenant).exclude(status="draft").count(),
            "credit_notes": CreditNote.objects.filter(tenant=tenant).count(),
            "reports": MonthlyReport.objects.filter(tenant=tenant).count(),
        }))
    return out
