"""Demo data: two provider tenants, each with its own legal entity, client
organisations with valid French legal identities, contacts, and one user per role.

Idempotent: every object is found by a natural key before it is created, so running
`manage.py seed_demo` twice changes nothing. Later features add their own `seed_*`
step here, so the demo always shows every feature with realistic data.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from contracts import services as party_services
from contracts.models import Contact, Organization
from portal.models import Membership, Role, Tenant, User

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


def _user(email: str, full_name: str, *, tenant: Tenant, role: str, organization=None, language: str = "fr") -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name, language=language)
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
]
CRITICAL_TARGETS = [
    {"priority": "P1", "response_minutes": 60, "resolution_minutes": 240},
    {"priority": "P2", "response_minutes": 120, "resolution_minutes": 480},
    {"priority": "P3", "response_minutes": 240, "resolution_minutes": 1440},
    {"priority": "P4", "response_minutes": 480, "resolution_minutes": 2880},
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


def seed_contracts(tenants: dict[str, Tenant], *, today: date | None = None) -> None:
    """Contracts in every state: draft, sent, active (tacit with a notice deadline close
    to today; indefinite; amended), suspended, terminated, expired — each with its PDF."""
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
                hourly_rate=Decimal("85.00"), price_revision="Révision annuelle selon l'indice Syntec.")),
            ("Support et supervision 24/7", clients[1], "active", dict(
                sla_policy=critical, start_date=add_months(today, -7).replace(day=1), initial_months=None,
                notice_months=2, billing_model="flat_fee", monthly_fee=Decimal("1450.00"), on_site_intervention=True)),
            ("Maintenance du serveur et des sauvegardes", clients[0], "amended", dict(
                sla_policy=standard, start_date=add_months(today, -14).replace(day=1), initial_months=36,
                renewal_months=12, renewal="tacit", notice_months=3, billing_model="flat_fee",
                monthly_fee=Decimal("320.00"))),
            ("Banque d'heures d'assistance", clients[1], "suspended", dict(
                sla_policy=standard, start_date=add_months(today, -4).replace(day=1), initial_months=12,
                renewal="tacit", billing_model="hour_bank", hourly_rate=Decimal("80.00"))),
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
                types = [{**m, "ticket_price": Decimal("120.00")} for m in DEMO_TYPES]
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
            elif target == "suspended":
                cs.contract_suspend(contract=contract, actor=manager, reason="Factures impayées (relance du 5 du mois)")
            elif target == "terminated":
                cs.contract_terminate(contract=contract, actor=manager, notice_given_on=add_months(today, -14),
                                      given_by="client", reason="notice", today=today)
        from contracts.services.renewals import contracts_daily

        contracts_daily(tenant=tenant, today=today)  # rolls tacit terms, ends what has ended


DEMO_TICKETS = [
    # (title, client user key, type, impact, urgency, hours ago, what happens next)
    ("Le serveur de fichiers ne répond plus", "referent", "curative", "high", "high", 30, "breached"),
    ("Imprimante du secrétariat hors ligne", "user", "corrective", "low", "medium", 3, "new"),
    ("Messagerie lente depuis ce matin", "user", "corrective", "medium", "medium", 5, "taken"),
    ("Ajouter un poste pour la nouvelle recrue", "referent", "evolutive", "low", "low", 26, "waiting"),
    ("VPN impossible depuis le domicile", "user", "corrective", "medium", "high", 50, "resolved"),
    ("Sauvegarde en échec la nuit dernière", "referent", "corrective", "high", "medium", 120, "closed"),
]


def seed_tickets(tenants: dict[str, Tenant], *, now: datetime | None = None) -> None:
    """Tickets in every state on the active contracts, with replies, notes and
    interventions; then one SLA scan so warnings and breaches are recorded."""
    from django.utils import timezone

    from contracts.models import Contract
    from tickets import services as ts
    from tickets.models import Ticket
    from tickets.sla import sla_scan

    now = now or timezone.now()
    for spec in TENANTS:
        tenant = tenants[spec["slug"]]
        if Ticket.objects.filter(tenant=tenant).exists():
            continue
        tech = User.objects.get(email=f"tech@{spec['domain']}")
        for client in spec["clients"]:
            org = Organization.objects.get(tenant=tenant, siret=client["org"]["siret"])
            contract = Contract.objects.filter(tenant=tenant, client=org, status="active").order_by("pk").first()
            if contract is None:
                continue
            for title, who, mtype, impact, urgency, hours, fate in DEMO_TICKETS:
                requester = User.objects.get(email=f"{who}@{client['key']}.{spec['domain']}")
                opened = now - timedelta(hours=hours)
                ticket = ts.ticket_create(tenant=tenant, actor=requester, contract=contract, title=title,
                                          description=f"{title}. Merci de votre aide.", maintenance_type=mtype,
                                          impact=impact, urgency=urgency, now=opened)
                if fate in ("taken", "waiting", "resolved", "closed"):
                    ts.ticket_take(ticket=ticket, actor=tech, now=opened + timedelta(minutes=20))
                    ts.ticket_reply(ticket=ticket, actor=tech, now=opened + timedelta(minutes=25),
                                    body="Bonjour, je prends en charge votre demande et reviens vers vous rapidement.")
                    ts.ticket_reply(ticket=ticket, actor=tech, internal=True, now=opened + timedelta(minutes=30),
                                    body="Vérifier les journaux du serveur avant d'appeler le client.")
                if fate == "waiting":
                    ts.ticket_change_status(ticket=ticket, actor=tech, status="waiting_on_client",
                                            reason="Quel poste et quels logiciels faut-il préparer ?",
                                            now=opened + timedelta(hours=1))
                if fate in ("resolved", "closed"):
                    ts.intervention_log(ticket=ticket, actor=tech, date=(opened + timedelta(hours=2)).date(),
                                        minutes=45, mode="remote", description="Diagnostic et correction à distance.")
                    ts.ticket_change_status(ticket=ticket, actor=tech, status="resolved",
                                            reason="Configuration corrigée.", now=opened + timedelta(hours=2))
                if fate == "closed":
                    ts.ticket_change_status(ticket=ticket, actor=requester, status="closed",
                                            now=opened + timedelta(hours=5))
        for contract in Contract.objects.filter(tenant=tenant, status="active"):
            if not contract.preventive_plans.exists() and contract.maintenance_types.filter(
                    maintenance_type="preventive").exists():
                from tickets.plans import plan_create

                manager = contract.account_manager or tech
                plan_create(contract=contract, actor=manager, title="Visite préventive mensuelle",
                            rrule="FREQ=MONTHLY;BYDAY=1MO", start_date=contract.start_date, lead_days=21,
                            description="Mises à jour, contrôle des sauvegardes et de l'espace disque, "
                                        "vérification du matériel.", covered_items=list(contract.items.all()[:1]))
        from tickets.plans import plans_run

        plans_run(tenant=tenant, today=now.date())
    sla_scan(now=now)


def seed_all() -> None:
    tenants = seed_parties()
    seed_sla(tenants)
    seed_contracts(tenants)
    seed_tickets(tenants)
