"""Demo data: two provider tenants, each with its own legal entity, client
organisations with valid French legal identities, contacts, and one user per role.

Idempotent: every object is found by a natural key before it is created, so running
`manage.py seed_demo` twice changes nothing. Later features add their own `seed_*`
step here, so the demo always shows every feature with realistic data.
"""

from __future__ import annotations

import unicodedata

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


def seed_all() -> None:
    seed_parties()
