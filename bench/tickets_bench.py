"""Benchmark of the tickets part on PostgreSQL with 100 tenants and 1,000,000 tickets.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust auth as `postgres`):

    .venv/bin/python bench/tickets_bench.py

Options: --requests N (samples per HTTP figure, default 250, at least 200),
--scan-passes N (default 5), --no-gunicorn, --explain (print the queue's query plans).

Database: DATABASE_URL if set, else postgres://postgres@127.0.0.1:5432/portal_bench. The
database is created if missing, migrated, and seeded once (about a minute on 2 cores; the
first run takes about 4 minutes in all); a re-run reuses it (about 3 minutes). To start
again from scratch, drop it:

    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE portal_bench'

What it builds (see `seed`): 100 tenants ("bench-focus" and bench-t001 … bench-t099), each
with a provider and a client organisation, a business calendar (Mon–Fri 09:00–12:00 and
14:00–18:00 Europe/Paris, French holidays), a policy with P1–P4 targets, one active
contract (corrective, curative, evolutive), an administrator, a technician and a client
user — all through the services. The tickets are inserted by SQL (INSERT … SELECT
generate_series): 100,000 for the focus tenant (20,000 open), 900,000 for the others. The
focus tenant's tickets each get their `created` history row; 2,000 of its open tickets are
due for the SLA scan; one ticket (built through the services) has 30 public replies and
10 interventions. The SLA cache columns of the SQL rows are plausible values (breached,
warning, paused, due dates over the next days), not a computation: the scan recomputes
the rows it looks at. A small table `bench_tickets_meta` (bench database only) keeps the
seeding instant; on a later run the open tickets' dates are shifted to the present so
that only the 2,000 chosen tickets are ever due.

Environment of the run (and of gunicorn): PORTAL_ENV=development, DEBUG=false (unless
set), no Celery broker (tasks, e-mails included, run eagerly, EMAIL_URL=dummymail://),
REDIS_URL=redis://127.0.0.1:6379/1 unless set (the cache; unused by these pages).
Contract PDFs are not rendered while seeding (their documents stay queued).

Each run starts from a VACUUMed table. Measured as the focus tenant's technician, median
and p95 over --requests requests after a warm-up (time.perf_counter):
  - queue API first page and queue page, in-process (Django test Client, force_login);
  - the same through gunicorn (2 workers, 127.0.0.1, one request at a time, a new HTTP
    connection per request; API token / session cookie), as configured (a new database
    connection per request) and again with DATABASE_CONN_MAX_AGE=60 (unless it is set);
  - the detail page of the ticket with 30 replies; the technician dashboard;
  - SLA scan passes over the 2,000 due tickets (sla_next_check_at reset between passes),
    and the first pass that records their events, with e-mails sent eagerly and with the
    notifications queued (a stand-in for the broker);
  - the queue API, queue page and dashboard again after those passes: their updates have
    cleared the visibility map of the pages of open tickets, as production traffic does;
  - ticket creation through the API as the client user (each creation writes its e-mails
    to the outbox; they are delivered after the timing, as a worker process would, and
    checked; the created tickets are deleted at the end).
Query counts (CaptureQueriesContext) are printed. Prints a table and writes
var/bench/tickets.json, a list of {"name", "unit", "median", "p95", "goal", "met",
"goal_on", "samples"} (+ "queries" where counted). Exits 0 whether goals are met or not;
non-zero on errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
FOCUS_SLUG = "bench-focus"
TENANTS = 100
SCALE_TENANTS = 1_000
SCALE_TICKETS = 10_000_000
GUNICORN_WORKERS = 2  # as documented for a 2-core host (README, Dockerfile)
FOCUS_TICKETS = 100_000
FOCUS_OPEN = 20_000
TOTAL_TICKETS = 1_000_000
OTHER_OPEN_SHARE = 0.12
DUE_TICKETS = 2_000  # focus open tickets whose reference number is a multiple of 10
REPLIES, INTERVENTIONS = 30, 10
DETAIL_TITLE = "Bench: serveur de messagerie instable (30 réponses)"
TARGETS = [  # business minutes
    {"priority": "P1", "response_minutes": 60, "resolution_minutes": 480},
    {"priority": "P2", "response_minutes": 120, "resolution_minutes": 840},
    {"priority": "P3", "response_minutes": 240, "resolution_minutes": 1680},
    {"priority": "P4", "response_minutes": 480, "resolution_minutes": 2100},
]
HOURS = {d: [["09:00", "12:00"], ["14:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
# name: (goal on the ratio p95 / floor p95, absolute goal (second column only), unit)
GOALS = {
    "api_queue": (2.0, 30, "ms"),
    "page_queue": (2.5, 60, "ms"),
    "gunicorn_api_queue": (2.0, 30, "ms"),
    "gunicorn_page_queue": (2.5, 60, "ms"),
    "api_create": (2.0, 40, "ms"),
    "page_detail": (2.5, 30, "ms"),
    "page_dashboard": (3.0, 100, "ms"),
    "sla_scan": (3.0, 1.0, "s"),
}
QUERY_LIMITS = {"page_detail": 12, "api_create": 19}  # "12 or fewer"; "fewer than today's 20"


# --------------------------------------------------------------------------- setup


def configure_environment() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    os.environ["DATABASE_URL"] = url
    # The portal's settings with the two no-op views of the framework floor added.
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor_settings"
    # Hundreds of calls a minute from one user: the API throttle would answer 429.
    os.environ["API_THROTTLE_USER_RATE"] = "none"
    os.environ["API_THROTTLE_ANON_RATE"] = "none"
    os.environ["PORTAL_ENV"] = "development"
    # No broker: every task (e-mails included) runs eagerly in the process (checked
    # after django.setup(), in case a .env file brings one back).
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ.setdefault("DEBUG", "false")  # as in production: no query log, no debug pages
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return url


def ensure_database(url: str) -> None:
    """Create the database named in `url` if it does not exist (via the `postgres` db)."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"DATABASE_URL must point at PostgreSQL, not {parts.scheme!r}")
    name = unquote(parts.path.lstrip("/"))
    conn = psycopg2.connect(dbname="postgres", host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                            user=unquote(parts.username or "postgres"),
                            password=unquote(parts.password) if parts.password else None)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                print(f"creating database {name}")
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def step(message: str) -> float:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)
    return time.perf_counter()


# --------------------------------------------------------------------------- seeding


def make_siret(n: int) -> str:
    """A valid SIRET (Luhn on the SIREN and on the SIRET), as tests/factories.py does."""
    from stdnum import luhn

    base = f"{70000000 + n * 7919 % 29999999:08d}"
    siren = base + luhn.calc_check_digit(base)
    head = siren + "0001"
    return head + luhn.calc_check_digit(head)


def vat_for_siret(siret: str) -> str:
    siren = siret[:9]
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def meta_get(key: str) -> str | None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_tickets_meta (key text PRIMARY KEY, value text NOT NULL)")
        cur.execute("SELECT value FROM bench_tickets_meta WHERE key = %s", [key])
        row = cur.fetchone()
    return row[0] if row else None


def meta_set(key: str, value: str) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("INSERT INTO bench_tickets_meta (key, value) VALUES (%s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [key, value])


def tenant_slugs() -> list[str]:
    return [FOCUS_SLUG] + [f"bench-t{i:03d}" for i in range(1, TENANTS)]


def ticket_counts_per_tenant() -> list[tuple[int, int]]:
    """(total, open) per tenant, in tenant_slugs() order; the others share 900,000."""
    others = TENANTS - 1
    rest = TOTAL_TICKETS - FOCUS_TICKETS
    out = [(FOCUS_TICKETS, FOCUS_OPEN)]
    for i in range(others):
        total = rest // others + (1 if i < rest % others else 0)
        out.append((total, int(total * OTHER_OPEN_SHARE)))
    return out


def seed_tenant(index: int, slug: str, holidays: list[dict]) -> None:
    """One tenant and its few objects, through the services (idempotent per tenant)."""
    from django.db import transaction

    from contracts import services as party_services
    from contracts.models import Contract, Organization
    from contracts.services import contracts as cs
    from portal.models import Membership, Role, Tenant, User
    from portal.sequences import sequence_next
    from sla import services as sla_services

    with transaction.atomic():
        tenant, _ = Tenant.objects.get_or_create(slug=slug, defaults={"name": f"Bench provider {index:03d}"})
        if Contract.objects.filter(tenant=tenant, status="active").exists():
            return

        def user(local: str, full_name: str, role: str, organization=None) -> User:
            email = f"{local}@{slug}.example"
            found = User.objects.filter(email=email).first()
            if found is None:  # no password (hashing 300 of them would cost minutes): force_login only
                found = User.objects.create_user(email=email, password=None, full_name=full_name, language="fr")
            Membership.objects.get_or_create(user=found, defaults={"tenant": tenant, "role": role,
                                                                  "organization": organization})
            return found

        admin = user("admin", f"Admin {index:03d}", Role.TENANT_ADMIN)
        user("tech", f"Technicien {index:03d}", Role.TECHNICIAN)
        provider_siret = make_siret(2 * index + 1)
        provider = Organization.objects.filter(tenant=tenant, kind="provider").first()
        if provider is None:  # the provider entity, as demo/seed.py creates it (no service for it)
            provider = Organization(
                tenant=tenant, kind="provider", legal_name=f"Bench Provider {index:03d} SAS", legal_form="SAS",
                siret=provider_siret, vat_number=vat_for_siret(provider_siret), address_line1="12 rue de la Paix",
                postal_code="75002", city="Paris", legal_rep_name="Claire Moreau", legal_rep_title="Présidente")
            provider.full_clean(exclude=["reference"])
            provider.reference = f"ORG-{sequence_next(tenant=tenant, key='organization'):04d}"
            provider.save()
        client_siret = make_siret(2 * index + 2)
        client = Organization.objects.filter(tenant=tenant, kind="client").first() or \
            party_services.organization_create(
                tenant=tenant, actor=admin, kind="client", legal_name=f"Client {index:03d} SARL",
                trade_name=f"Client {index:03d}", legal_form="SARL", siret=client_siret,
                vat_number=vat_for_siret(client_siret), address_line1="4 place Bellecour", postal_code="69002",
                city="Lyon", legal_rep_name="Paul Martin", legal_rep_title="Gérant", email=f"contact@c{index}.example")
        user("client", f"Utilisateur client {index:03d}", Role.CLIENT_USER, organization=client)

        sla_services.priority_matrix_ensure_default(tenant=tenant)
        calendar = sla_services.calendar_create(
            tenant=tenant, actor=admin, code="fr-business-hours", name="Heures ouvrées (France)",
            timezone_name="Europe/Paris", hours=HOURS, holidays=holidays,
            effective_from=datetime(2024, 1, 1, tzinfo=UTC))
        policy = sla_services.policy_create(
            tenant=tenant, actor=admin, code="standard", name="Standard", calendar=calendar, warning_percent=80,
            availability_target=Decimal("99.500"), targets=TARGETS)
        # Contract PDFs are irrelevant here and cost ~1 s each when rendered eagerly: the
        # document row is created (queued) but its rendering task is not run.
        with mock.patch("contracts.documents.enqueue_on_commit", lambda *a, **k: None):
            contract = cs.contract_create(
                tenant=tenant, actor=admin, client=client, provider=provider, today=date(2024, 1, 1),
                title="Infogérance du parc informatique", sla_policy=policy,
                object="Maintenance corrective, curative et évolutive du parc, assistance aux utilisateurs.",
                start_date=date(2024, 1, 1), initial_months=None, notice_months=3, monthly_fee=Decimal("690.00"),
                remote_intervention=True, on_site_intervention=True)
            cs.contract_set_scope(
                contract=contract, actor=admin,
                items=[{"category": "hardware", "name": "Serveur Dell PowerEdge T150", "identifier": "SRV-01",
                        "site": "Siège", "criticality": "critical", "quantity": 1}],
                exclusions=["Fourniture de matériel neuf"],
                maintenance_types=[{"maintenance_type": t, "included": True, "details": ""}
                                   for t in ("corrective", "curative", "evolutive")])
            contract = cs.contract_send(contract=contract, actor=admin, now=datetime(2023, 12, 15, 9, tzinfo=UTC))
            cs.contract_activate(contract=contract, actor=admin, signed_on=date(2023, 12, 20),
                                 client_signatory="Paul Martin", now=datetime(2023, 12, 20, 9, tzinfo=UTC))


TICKET_SQL = """
WITH base AS (
    SELECT n, n > %(closed)s AS is_open, n - %(closed)s AS k,
           random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
           random() AS r6, random() AS r7, random() AS r8, random() AS r9
    FROM generate_series(1, %(total)s) AS n
), shaped AS (
    SELECT b.*,
           CASE WHEN is_open
                THEN %(anchor)s - make_interval(mins => (20 * 1440 * (1 - (k - 1)::float8 / %(open)s) + 60 + r9 * 30)::int)
                ELSE %(anchor)s - make_interval(mins => ((730 - 710 * (n - 1)::float8 / %(closed)s) * 1440 + r9 * 600)::int)
           END AS created,
           (%(focus)s AND is_open AND k %% 10 = 0) AS due,
           CASE WHEN r3 < 0.2 THEN 'high' WHEN r3 < 0.7 THEN 'medium' ELSE 'low' END AS impact,
           CASE WHEN r4 < 0.2 THEN 'high' WHEN r4 < 0.7 THEN 'medium' ELSE 'low' END AS urgency
    FROM base b
), st AS (
    SELECT s.*,
           CASE WHEN NOT is_open THEN CASE WHEN r1 < 0.12 THEN 'resolved' ELSE 'closed' END
                WHEN due THEN CASE WHEN r1 < 0.5 THEN 'new' ELSE 'in_progress' END
                WHEN r1 < 0.3 THEN 'new' WHEN r1 < 0.8 THEN 'in_progress' ELSE 'waiting_on_client' END AS status,
           CASE impact || '/' || urgency WHEN 'high/high' THEN 'P1' WHEN 'high/medium' THEN 'P2'
                WHEN 'medium/high' THEN 'P2' WHEN 'high/low' THEN 'P3' WHEN 'medium/medium' THEN 'P3'
                WHEN 'low/high' THEN 'P3' ELSE 'P4' END AS priority
    FROM shaped s
), sla AS (
    SELECT t.*,
           CASE priority WHEN 'P1' THEN 60 WHEN 'P2' THEN 120 WHEN 'P3' THEN 240 ELSE 480 END AS resp,
           CASE priority WHEN 'P1' THEN 480 WHEN 'P2' THEN 840 WHEN 'P3' THEN 1680 ELSE 2100 END AS resol,
           (is_open AND NOT due AND status <> 'waiting_on_client') AS running,
           CASE WHEN NOT is_open THEN r7 < 0.08 WHEN due THEN false ELSE r7 < 0.12 END AS breached,
           CASE WHEN is_open AND NOT due AND status <> 'waiting_on_client' THEN r7 >= 0.12 AND r7 < 0.30
                ELSE false END AS warning,
           CASE WHEN NOT is_open THEN created + make_interval(mins => (60 + r8 * 5760)::int) END AS resolved
    FROM st t
)
INSERT INTO tickets_ticket (
    created_at, updated_at, tenant_id, reference, contract_id, organization_id, covered_item_id, title, description,
    maintenance_type, impact, urgency, priority, priority_reason, source, requester_id, assignee_id, status,
    resolved_at, closed_at, sla_policy_id, response_deadline, resolution_deadline, sla_due_at, sla_breached,
    sla_paused, sla_warning, sla_next_check_at, sla_state)
SELECT
    created,
    CASE WHEN is_open THEN least(%(anchor)s, created + interval '2 hours')
         WHEN status = 'closed' THEN resolved + interval '7 days' ELSE resolved END,
    %(tenant)s,
    'TCK-' || lpad(n::text, 6, '0'),
    %(contract)s, %(organization)s, NULL,
    (ARRAY['Imprimante du secrétariat hors ligne', 'Messagerie lente depuis ce matin',
           'VPN impossible depuis le domicile', 'Serveur de fichiers inaccessible', 'Poste qui ne démarre plus',
           'Sauvegarde en échec la nuit dernière', 'Mot de passe expiré sur le portail RH',
           'Préparer un poste pour une nouvelle recrue', 'Wi-Fi instable en salle de réunion',
           'Licence Office à renouveler', 'Écran bleu au démarrage', 'Partage réseau en lecture seule'])[1 + n %% 12]
        || ' (' || n || ')',
    'Bonjour, depuis ce matin le problème empêche une partie de l''équipe de travailler normalement. '
        || 'Nous avons redémarré le poste et vérifié les câbles, sans effet. Merci de nous rappeler au '
        || '04 78 00 00 02 ou de prendre la main à distance. Cordialement.',
    CASE WHEN r2 < 0.55 THEN 'corrective' WHEN r2 < 0.80 THEN 'curative' ELSE 'evolutive' END,
    impact, urgency, priority, '',
    CASE WHEN r5 < 0.6 THEN 'portal' WHEN r5 < 0.85 THEN 'email' ELSE 'api' END,
    %(requester)s,
    CASE WHEN NOT is_open OR status <> 'new' THEN %(tech)s WHEN r6 < 0.8 THEN NULL ELSE %(tech)s END,
    status,
    resolved,
    CASE WHEN status = 'closed' THEN resolved + interval '7 days' END,
    %(policy)s,
    created + make_interval(mins => (resp * 4.8)::int),
    created + make_interval(mins => (resol * 4.8)::int),
    CASE WHEN due THEN %(anchor)s + make_interval(mins => (60 + r8 * 2880)::int)
         WHEN NOT running THEN NULL
         WHEN breached THEN %(anchor)s - make_interval(mins => (5 + r8 * 4320)::int)
         WHEN warning THEN %(anchor)s + make_interval(mins => (120 + r8 * 360)::int)
         ELSE %(anchor)s + make_interval(mins => (480 + r8 * 7200)::int) END,
    breached,
    is_open AND status = 'waiting_on_client',
    warning,
    CASE WHEN due THEN %(anchor)s - make_interval(mins => (1 + r8 * 120)::int)
         WHEN NOT running THEN NULL
         WHEN breached THEN %(anchor)s + make_interval(mins => (120 + r8 * 4320)::int)
         WHEN warning THEN %(anchor)s + make_interval(mins => (120 + r8 * 360)::int)
         ELSE %(anchor)s + make_interval(mins => (480 + r8 * 7200 - r9 * 360)::int) END,  -- >= anchor + 2 h
    '{}'::jsonb
FROM sla
"""

# The `created` row of every focus ticket, with the targets of its priority; the due
# tickets in progress also get their assignment, status change and take-charge rows.
EVENTS_SQL = """
INSERT INTO tickets_ticketevent (created_at, updated_at, tenant_id, ticket_id, kind, at, actor_id, from_value,
                                 to_value, reason, response_minutes, resolution_minutes)
SELECT t.created_at, t.created_at, t.tenant_id, t.id, 'created', t.created_at, t.requester_id, '', t.priority, '',
       CASE t.priority WHEN 'P1' THEN 60 WHEN 'P2' THEN 120 WHEN 'P3' THEN 240 ELSE 480 END,
       CASE t.priority WHEN 'P1' THEN 480 WHEN 'P2' THEN 840 WHEN 'P3' THEN 1680 ELSE 2100 END
FROM tickets_ticket t WHERE t.tenant_id = %(tenant)s AND t.id <= %(max_id)s
UNION ALL
SELECT t.created_at, t.created_at, t.tenant_id, t.id, e.kind, t.created_at + e.after, %(tech)s, e.from_value,
       CASE WHEN e.kind = 'assigned' THEN %(tech_email)s ELSE e.to_value END, '', NULL, NULL
FROM tickets_ticket t
CROSS JOIN (VALUES ('assigned', interval '10 minutes', '', ''),
                   ('status', interval '15 minutes', 'new', 'in_progress'),
                   ('responded', interval '15 minutes', '', '')) AS e(kind, after, from_value, to_value)
WHERE t.tenant_id = %(tenant)s AND t.id <= %(max_id)s AND t.reference = ANY(%(due)s) AND t.status = 'in_progress'
"""


def due_references() -> list[str]:
    first_open = FOCUS_TICKETS - FOCUS_OPEN
    return [f"TCK-{first_open + k:06d}" for k in range(10, FOCUS_OPEN + 1, 10)]


def seed_detail_ticket(focus, anchor: datetime) -> None:
    """The ticket of the detail page: opened, taken, 30 public replies, 10 interventions."""
    from contracts.models import Contract
    from portal.models import User
    from tickets import services as ts
    from tickets.models import Ticket

    if Ticket.objects.filter(tenant=focus, title=DETAIL_TITLE).exists():
        return
    tech = User.objects.get(email=f"tech@{FOCUS_SLUG}.example")
    client_user = User.objects.get(email=f"client@{FOCUS_SLUG}.example")
    contract = Contract.objects.get(tenant=focus, status="active")
    opened = anchor - timedelta(days=12)
    ticket = ts.ticket_create(tenant=focus, actor=client_user, contract=contract, title=DETAIL_TITLE,
                              description="Le serveur de messagerie se bloque plusieurs fois par jour. " * 4,
                              maintenance_type="corrective", impact="high", urgency="medium", now=opened)
    ts.ticket_take(ticket=ticket, actor=tech, now=opened + timedelta(minutes=20))
    for i in range(REPLIES):
        author = tech if i % 2 == 0 else client_user
        ts.ticket_reply(ticket=ticket, actor=author, now=opened + timedelta(minutes=30, hours=8 * i),
                        body=f"Message {i + 1} : " + ("point d'étape sur le diagnostic, journaux joints. " * 5))
    for i in range(INTERVENTIONS):
        ts.intervention_log(ticket=ticket, actor=tech, date=(opened + timedelta(days=i + 1)).date(),
                            minutes=30 + 15 * i, mode="remote" if i % 3 else "on_site",
                            description=f"Intervention {i + 1} : analyse des journaux et correctifs appliqués.")


def seed() -> None:
    from django.db import connection, transaction

    from contracts.models import Contract
    from portal.models import Membership, Role, Tenant, TenantSequence
    from sla import services as sla_services
    from sla.models import SlaPolicy
    from tickets.models import Ticket, TicketEvent

    started = step(f"seeding {TENANTS} tenants through the services")
    holidays = sla_services.public_holidays(country="FR", years=range(2023, 2030))
    for index, slug in enumerate(tenant_slugs()):
        seed_tenant(index, slug, holidays)
    step(f"  tenants ready in {time.perf_counter() - started:.0f} s")

    anchor_text = meta_get("anchor")
    if anchor_text is None:
        anchor_text = datetime.now(UTC).isoformat()
        meta_set("anchor", anchor_text)
    anchor = datetime.fromisoformat(anchor_text)
    tenants = {t.slug: t for t in Tenant.objects.filter(slug__in=tenant_slugs())}
    focus = tenants[FOCUS_SLUG]
    started = step(f"inserting {TOTAL_TICKETS:,} tickets by SQL")
    for index, (slug, (total, open_count)) in enumerate(zip(tenant_slugs(), ticket_counts_per_tenant(), strict=True)):
        tenant = tenants[slug]
        if Ticket.objects.filter(tenant=tenant).exists():
            continue
        contract = Contract.objects.get(tenant=tenant, status="active")
        members = {m.role: m.user_id for m in Membership.objects.filter(tenant=tenant)}
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")
            cur.execute("SELECT setseed(%s)", [index / TENANTS])
            cur.execute(TICKET_SQL, {
                "tenant": tenant.pk, "contract": contract.pk, "organization": contract.client_id,
                "policy": SlaPolicy.objects.get(tenant=tenant, code="standard").pk,
                "tech": members[Role.TECHNICIAN], "requester": members[Role.CLIENT_USER], "anchor": anchor,
                "total": total, "open": open_count, "closed": total - open_count, "focus": slug == FOCUS_SLUG,
            })
            # The next ticket opened through the services follows on.
            TenantSequence.objects.update_or_create(tenant=tenant, key="ticket", defaults={"last_value": total})
        if index % 20 == 19:
            step(f"  {index + 1} tenants, {time.perf_counter() - started:.0f} s")
    step(f"  tickets inserted in {time.perf_counter() - started:.0f} s")

    sql_max_id = int(meta_get("sql_max_id") or Ticket.objects.order_by("-pk").values_list("pk", flat=True)[0])
    meta_set("sql_max_id", str(sql_max_id))
    if not TicketEvent.objects.filter(tenant=focus, ticket_id__lte=sql_max_id).exists():
        started = step("inserting the focus tenant's ticket history by SQL")
        tech = Membership.objects.select_related("user").get(tenant=focus, role=Role.TECHNICIAN).user
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")
            cur.execute(EVENTS_SQL, {"tenant": focus.pk, "max_id": sql_max_id, "tech": tech.pk,
                                     "tech_email": tech.email, "due": due_references()})
        step(f"  history inserted in {time.perf_counter() - started:.0f} s")

    step("the ticket with 30 replies and 10 interventions, through the services")
    seed_detail_ticket(focus, anchor)
    meta_set("seed_last_ticket_id", str(Ticket.objects.order_by("-pk").values_list("pk", flat=True)[0]))
    started = step("VACUUM ANALYZE")
    vacuum_analyze()
    step(f"  done in {time.perf_counter() - started:.0f} s")
    meta_set("seeded", datetime.now(UTC).isoformat())


def vacuum_analyze() -> None:
    """VACUUM the ticket tables (dead rows of the previous run, visibility map) and
    ANALYZE the whole database."""
    from django.db import connection

    with connection.cursor() as cur:  # autocommit: VACUUM cannot run in a transaction
        for table in ("tickets_ticket", "tickets_ticketevent", "tickets_ticketmessage", "tickets_intervention",
                      "tickets_slaevent"):
            cur.execute(f"VACUUM {table}")
        cur.execute("ANALYZE")


def is_seeded() -> bool:
    from portal.models import Tenant
    from tickets.models import Ticket

    if meta_get("seeded") is None or not Tenant.objects.filter(slug=FOCUS_SLUG).exists():
        return False
    return Ticket.objects.filter(pk__lte=int(meta_get("sql_max_id"))).count() >= TOTAL_TICKETS


def refresh_dates() -> None:
    """On a later run, bring the open tickets' dates (and the focus history) to the
    present, so that no ticket but the 2,000 chosen ones is due for the scan."""
    from django.db import connection

    anchor = datetime.fromisoformat(meta_get("anchor"))
    now = datetime.now(UTC)
    if now - anchor < timedelta(minutes=60):  # the nearest next check is anchor + 2 h
        return
    shift = now - anchor
    started = step(f"shifting the open tickets' dates by {shift} (seeded earlier)")
    sql_max_id = int(meta_get("sql_max_id"))
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE tickets_ticketevent e SET at = e.at + %(d)s, created_at = e.created_at + %(d)s, "
            "updated_at = e.updated_at + %(d)s FROM tickets_ticket t WHERE e.ticket_id = t.id AND t.id <= %(max)s "
            "AND t.status IN ('new', 'in_progress', 'waiting_on_client')", {"d": shift, "max": sql_max_id})
        cur.execute(
            "UPDATE tickets_ticket SET created_at = created_at + %(d)s, updated_at = updated_at + %(d)s, "
            "response_deadline = response_deadline + %(d)s, resolution_deadline = resolution_deadline + %(d)s, "
            "sla_due_at = sla_due_at + %(d)s, sla_next_check_at = sla_next_check_at + %(d)s "
            "WHERE id <= %(max)s AND status IN ('new', 'in_progress', 'waiting_on_client')",
            {"d": shift, "max": sql_max_id})
    meta_set("anchor", now.isoformat())
    step(f"  done in {time.perf_counter() - started:.0f} s")


def delete_bench_tickets() -> None:
    """Remove the tickets created by a run (the API creations), with their rows."""
    from tickets.models import Ticket

    last = meta_get("seed_last_ticket_id")
    if last is not None:
        Ticket.objects.filter(pk__gt=int(last)).delete()


# --------------------------------------------------------------------------- measuring


class Results:
    """Floors and figures of one run. Each figure is divided by the sum of the floors it
    stands on (framework + data), measured in the same run: the ratio of the p95s is what
    the goals are about; the absolute goal is a second column only."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.floors: dict[str, dict] = {}

    def floor(self, key: str, name: str, samples: list[float]) -> dict:
        row = {"name": name, "unit": "ms", "median": round(statistics.median(samples), 3),
               "p95": round(percentile(samples, 95), 3), "samples": len(samples), "floor": True}
        self.floors[key] = row
        print(f"  floor · {name}: median {row['median']} ms, p95 {row['p95']} ms", flush=True)
        return row

    def add(self, key: str, name: str, samples: list[float], *, floor: list[str], queries: int | None = None,
            extra: dict | None = None) -> dict:
        ratio_goal, goal, unit = GOALS[key]
        scale = 1000 if unit == "s" else 1  # floors are in ms
        digits = 2 if unit == "ms" else 3
        floor_p95 = sum(self.floors[f]["p95"] for f in floor) / scale
        floor_median = sum(self.floors[f]["median"] for f in floor) / scale
        p95 = percentile(samples, 95)
        row = {"name": name, "key": key, "unit": unit, "median": round(statistics.median(samples), digits),
               "p95": round(p95, digits), "floor_ms": round(floor_p95 * scale, 3),
               "floor_median_ms": round(floor_median * scale, 3), "floor_parts": floor,
               "ratio": round(p95 / floor_p95, 2), "ratio_goal": ratio_goal, "goal": goal, "goal_on": "p95",
               "samples": len(samples)}
        row["met"] = row["ratio"] <= ratio_goal
        row["absolute_met"] = row["p95"] <= goal
        if queries is not None:
            row["queries"] = queries
            if key in QUERY_LIMITS:
                row["queries_limit"] = QUERY_LIMITS[key]
                row["met"] = row["met"] and queries <= QUERY_LIMITS[key]
        row.update(extra or {})
        self.rows.append(row)
        print(f"  {name}: median {row['median']} {unit}, p95 {row['p95']} {unit}, floor {row['floor_ms']} ms, "
              f"ratio {row['ratio']} (goal ≤ {ratio_goal})"
              + (f", {queries} queries" if queries is not None else ""), flush=True)
        return row


def measure(call, count: int, warmup: int) -> list[float]:
    """Milliseconds per call."""
    for _ in range(warmup):
        call()
    samples = []
    clock = time.perf_counter
    for _ in range(count):
        begin = clock()
        call()
        samples.append((clock() - begin) * 1000)
    return samples


def checked(response, status: int = 200):
    if response.status_code != status:
        body = getattr(response, "content", b"")[:500]
        raise RuntimeError(f"{response.request.get('PATH_INFO')}: HTTP {response.status_code}, {body!r}")
    return response


def count_queries(call) -> tuple[int, list[dict]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries), list(ctx.captured_queries)


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cur.fetchall())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn on 127.0.0.1 with this process's environment; always stopped."""

    def __init__(self, workers: int = 2) -> None:
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="tickets-bench-gunicorn-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "portal.wsgi:application", "-c", str(ROOT / "gunicorn.conf.py"),
             "-b", f"127.0.0.1:{self.port}", "-w", str(workers), "--access-logfile", "/dev/null",
             "--error-logfile", "-", "--log-level", "warning"],
            cwd=ROOT, env=dict(os.environ), stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                status, _ = self.get("/healthz", {})
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout} s:\n{self.tail()}")

    def get(self, path: str, headers: dict) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def tail(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def reset_due(ids: list[int], now: datetime) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("UPDATE tickets_ticket SET sla_next_check_at = %s - (id %% 120) * interval '1 minute' "
                    "- interval '1 minute' WHERE id = ANY(%s)", [now, ids])


def queue_plans(client) -> str:
    """EXPLAIN ANALYZE of the queries of one queue API request that read tickets."""
    _, captured = count_queries(lambda: checked(client.get("/api/v1/tickets/", {"open": "1", "page_size": "50"})))
    return "\n".join(f"--- {q['sql'][:150]}...\n{explain(q['sql'])}" for q in captured
                     if "tickets_ticket" in q["sql"])


def run(args) -> list[dict]:
    import floors
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from contracts.models import Contract
    from portal.models import User
    from portal.services import api_token_create, api_token_revoke
    from tickets.models import SlaEvent, Ticket
    from tickets.sla import sla_scan

    results = Results()
    n, warmup = args.requests, 20
    focus_tech = User.objects.select_related("membership__tenant").get(email=f"tech@{FOCUS_SLUG}.example")
    focus = focus_tech.membership.tenant
    client_user = User.objects.get(email=f"client@{FOCUS_SLUG}.example")
    detail = Ticket.objects.get(tenant=focus, title=DETAIL_TITLE)
    tech = Client()
    tech.force_login(focus_tech)
    api_query = {"open": "1", "page_size": "50"}
    raw = floors.raw_connection(os.environ["DATABASE_URL"])
    queue_sql, queue_params = floors.queue_page_sql(tenant=focus, viewer=focus_tech.membership)

    def api_queue():
        checked(tech.get("/api/v1/tickets/", api_query))

    def page_queue():
        checked(tech.get("/tickets/"))

    def page_dashboard():
        checked(tech.get("/dashboard/"))

    def data_queue():
        if floors.fetch_all(raw, queue_sql, queue_params) != 50:
            raise RuntimeError("the queue's data floor did not fetch 50 rows")

    # -- the floors of the in-process figures
    step(f"floors, in-process ({n} samples each)")
    results.floor("page", "no-op page behind the middleware, session, tenant (in-process)",
                  measure(lambda: checked(tech.get("/bench/floor/")), n, warmup))
    results.floor("api", "no-op API view, session auth, tenant (in-process)",
                  measure(lambda: checked(tech.get("/api/v1/bench/floor/")), n, warmup))
    results.floor("data_queue", "data: the queue's first page query, raw psycopg", measure(data_queue, n, warmup))
    results.floor("data_detail", "data: the ticket + 30 replies + 10 interventions + history, one raw statement",
                  measure(floors.detail_floor(raw, tenant_id=focus.pk, reference=detail.reference), n, warmup))

    # -- queue API and queue page, in-process (freshly vacuumed table)
    step(f"queue API first page, in-process ({n} requests)")
    data = tech.get("/api/v1/tickets/", api_query).json()
    # The queue counts at most 1,000 rows (count_exact false beyond): check the page is full.
    if (data["count"] < FOCUS_OPEN and data.get("count_exact", True)) or len(data["results"]) != 50:
        raise RuntimeError(f"unexpected queue: {data.get('count')} open tickets, {len(data['results'])} on the page")
    samples = measure(api_queue, n, warmup)
    api_queries, _ = count_queries(api_queue)  # on a warm request, as the others
    results.add("api_queue", "queue API first page (in-process)", samples, floor=["api", "data_queue"],
                queries=api_queries)
    step(f"queue page /tickets/, in-process ({n} requests)")
    samples = measure(page_queue, n, warmup)
    page_queries, _ = count_queries(page_queue)
    results.add("page_queue", "queue page /tickets/ (in-process)", samples, floor=["page", "data_queue"],
                queries=page_queries)
    if args.explain:
        print(queue_plans(tech))

    # -- the same two through gunicorn, with persistent connections (as in production)
    # and, unless --no-gunicorn-new-connections, as configured for development (a new
    # database connection per request)
    if not args.no_gunicorn:
        token, secret = api_token_create(user=focus_tech, name="tickets bench")
        cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={tech.cookies[settings.SESSION_COOKIE_NAME].value}"}
        bearer = {"Authorization": f"Bearer {secret}", "Accept": "application/json"}
        variants = [(", persistent connections", {"DATABASE_CONN_MAX_AGE": "60"}, "p")]
        if args.gunicorn_new_connections:
            variants.append((", a new database connection per request", {"DATABASE_CONN_MAX_AGE": "0"}, "n"))
        try:
            for suffix, extra_env, tag in variants:
                step(f"starting gunicorn ({GUNICORN_WORKERS} workers) on 127.0.0.1{suffix}")
                saved = dict(os.environ)
                os.environ.update(extra_env)
                try:
                    server = Gunicorn(workers=GUNICORN_WORKERS)
                finally:
                    os.environ.clear()
                    os.environ.update(saved)
                try:
                    server.wait_ready()

                    def http_get(path, headers, server=server):
                        status, body = server.get(path, headers)
                        if status != 200:
                            raise RuntimeError(f"gunicorn {path}: HTTP {status}: {body[:300]!r}")

                    step(f"floors through gunicorn{suffix} ({n} samples each)")
                    results.floor(f"g{tag}_api", f"no-op API view, token auth (gunicorn{suffix})",
                                  measure(lambda: http_get("/api/v1/bench/floor/", bearer), n, warmup))
                    results.floor(f"g{tag}_page", f"no-op page, session (gunicorn{suffix})",
                                  measure(lambda: http_get("/bench/floor/", cookie), n, warmup))
                    step(f"queue API first page, gunicorn{suffix} ({n} requests)")
                    results.add("gunicorn_api_queue", f"queue API first page (gunicorn{suffix})",
                                measure(lambda: http_get("/api/v1/tickets/?open=1&page_size=50", bearer), n, warmup),
                                floor=[f"g{tag}_api", "data_queue"])
                    step(f"queue page /tickets/, gunicorn{suffix} ({n} requests)")
                    results.add("gunicorn_page_queue", f"queue page /tickets/ (gunicorn{suffix})",
                                measure(lambda: http_get("/tickets/", cookie), n, warmup),
                                floor=[f"g{tag}_page", "data_queue"])
                finally:
                    server.stop()
        finally:
            api_token_revoke(token=token, actor=focus_tech)

    # -- detail page
    step(f"ticket detail page ({REPLIES} replies, {INTERVENTIONS} interventions, {n} requests)")
    detail_url = f"/tickets/{detail.reference}/"

    def page_detail():
        checked(tech.get(detail_url))

    samples = measure(page_detail, n, warmup)
    detail_queries, _ = count_queries(page_detail)
    results.add("page_detail", "ticket detail page, 30 replies + 10 interventions", samples,
                floor=["page", "data_detail"], queries=detail_queries)

    # -- dashboard
    step(f"technician dashboard ({n} requests)")
    samples = measure(page_dashboard, n, warmup)
    dashboard_queries, _ = count_queries(page_dashboard)
    results.add("page_dashboard", "technician dashboard /dashboard/", samples, floor=["page", "data_queue"],
                queries=dashboard_queries)

    # -- SLA scan
    ids = list(Ticket.objects.filter(tenant=focus, reference__in=due_references()).values_list("pk", flat=True))
    if len(ids) != DUE_TICKETS:
        raise RuntimeError(f"expected {DUE_TICKETS} due tickets, found {len(ids)}")

    def scan_pass(expected: int | None = DUE_TICKETS) -> float:
        now = timezone.now()
        reset_due(ids, now)
        begin = time.perf_counter()
        count = sla_scan(now=now)
        elapsed = time.perf_counter() - begin
        if expected is not None and count != expected:
            raise RuntimeError(f"a scan pass evaluated {count} tickets, not {expected}")
        return elapsed

    SlaEvent.objects.filter(ticket_id__in=ids).delete()  # the first pass records them (again)
    others = Ticket.objects.filter(sla_next_check_at__lte=timezone.now()).exclude(pk__in=ids).count()
    step(f"SLA scan: first pass over the {DUE_TICKETS} due tickets (+{others} others due), notifications queued")
    first = scan_pass(expected=None)
    recorded = SlaEvent.objects.filter(ticket_id__in=ids).count()
    step(f"SLA scan floor: read and write the {DUE_TICKETS} rows with raw SQL (20 samples)")
    results.floor("data_scan", f"data: read {DUE_TICKETS} due tickets and write their SLA columns, raw SQL",
                  measure(floors.scan_floor(raw, ids), 20, 3))
    step(f"SLA scan: {args.scan_passes} passes over the same tickets (their events are recorded already)")
    passes = [scan_pass() for _ in range(args.scan_passes)]
    results.add("sla_scan", f"SLA scan pass, {DUE_TICKETS} due tickets (events already recorded)", passes,
                floor=["data_scan"])
    results.add("sla_scan", f"SLA scan first pass: {recorded} events recorded", [first], floor=["data_scan"])

    # -- the queue again: the scan's updates have cleared the visibility map of the
    # pages holding open tickets, as continuous updates do in production; the data
    # floor is measured again on the same pages
    step(f"queue API, queue page and dashboard again, after the scan's updates (no VACUUM since, {n} requests)")
    churn = " after the scan's updates"
    results.floor("data_queue_churn", f"data: the queue's first page query{churn}", measure(data_queue, n, warmup))
    results.add("api_queue", f"queue API first page (in-process){churn}", measure(api_queue, n, warmup),
                floor=["api", "data_queue_churn"], queries=api_queries)
    results.add("page_queue", f"queue page /tickets/ (in-process){churn}", measure(page_queue, n, warmup),
                floor=["page", "data_queue_churn"], queries=page_queries)
    results.add("page_dashboard", f"technician dashboard /dashboard/{churn}", measure(page_dashboard, n, warmup),
                floor=["page", "data_queue_churn"], queries=dashboard_queries)
    if args.explain:
        print(queue_plans(tech))

    # -- ticket creation through the API, as the client user
    contract = Contract.objects.get(tenant=focus, status="active")
    client = Client()
    client.force_login(client_user)
    counter = iter(range(10**9))
    levels = ("high", "medium", "low")

    def api_create():
        i = next(counter)
        checked(client.post("/api/v1/tickets/", data=json.dumps({
            "contract": contract.reference, "title": f"Bench : imprimante bloquée {i}",
            "description": "L'imprimante du deuxième étage affiche une erreur de bac depuis ce matin.",
            "maintenance_type": ("corrective", "curative", "evolutive")[i % 3],
            "impact": levels[i % 3], "urgency": levels[(i // 3) % 3]}), content_type="application/json"), 201)

    creation_floor = None
    try:
        step(f"ticket creation floors ({n} samples each)")
        results.floor("api_client", "no-op API view, session auth, tenant (in-process, client user)",
                      measure(lambda: checked(client.get("/api/v1/bench/floor/")), n, warmup))
        # The process's first creation also reads the tenant's SLA configuration (priority
        # matrix, targets: sla.config_cache keeps them per process), two queries more than
        # every later one: counted apart; the figure is a warm request's, as the others.
        first_create_queries, _ = count_queries(api_create)
        create_queries, captured = count_queries(api_create)
        tables = floors.written_tables(captured)
        creation_floor = floors.CreationFloor(raw, ticket=Ticket.objects.filter(tenant=focus).latest("pk"),
                                              tables=tables)
        creation_floor.prepare()
        results.floor("data_create", f"data: the rows one creation writes ({', '.join(tables)}), raw SQL",
                      measure(creation_floor, n, warmup))
        step(f"ticket creation POST /api/v1/tickets/ as the client user ({n} creations)")
        # The e-mails each creation writes to the outbox are delivered after the timing,
        # not by the embedded mode's deliverer thread meanwhile: that thread renders and
        # sends in this very process, taking the interpreter from the requests being
        # timed (~7 ms of the median), where production's worker is another process.
        from portal.celery import tasks_held
        from portal.models import OutboxMessage
        from portal.outbox import outbox_deliver

        first_id = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with tasks_held():
            samples = measure(api_create, n, warmup)
        new_rows = list(OutboxMessage.objects.filter(pk__gt=first_id).values_list("pk", flat=True))
        written = len(new_rows)
        step(f"delivering the {written} e-mails the creations wrote to the outbox")
        delivered = outbox_deliver(ids=new_rows, limit=written)
        if delivered["sent"] < written:
            raise RuntimeError(f"the creations' e-mails: {written} written, {dict(delivered)} delivered")
        results.add("api_create", "ticket creation POST /api/v1/tickets/ (in-process)", samples,
                    floor=["api_client", "data_create"], queries=create_queries,
                    extra={"tables_written": tables, "queries_first_in_process": first_create_queries})
    finally:
        if creation_floor is not None:
            creation_floor.cleanup()
        delete_bench_tickets()
        client.logout()
        tech.logout()
        raw.close()
    connection.close()
    return results.rows, results.floors


def main() -> int:
    global TENANTS, TOTAL_TICKETS, DEFAULT_DATABASE_URL
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=250, help="samples per HTTP figure (at least 200)")
    parser.add_argument("--scan-passes", type=int, default=5)
    parser.add_argument("--no-gunicorn", action="store_true")
    parser.add_argument("--gunicorn-new-connections", action="store_true",
                        help="also measure gunicorn with a new database connection per request")
    parser.add_argument("--scale", action="store_true",
                        help=f"{SCALE_TICKETS:,} tickets in {SCALE_TENANTS:,} tenants (database portal_bench_scale)")
    parser.add_argument("--explain", action="store_true", help="print the queue's query plans")
    args = parser.parse_args()
    if args.requests < 200:
        parser.error("--requests must be at least 200")
    if args.scale:
        TENANTS, TOTAL_TICKETS = SCALE_TENANTS, SCALE_TICKETS
        DEFAULT_DATABASE_URL = DEFAULT_DATABASE_URL + "_scale"

    total = time.perf_counter()
    url = configure_environment()
    ensure_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if settings.PORTAL_BROKER_CONFIGURED or not settings.CELERY_TASK_ALWAYS_EAGER:
        raise SystemExit("a Celery broker is configured (.env?): the benchmark runs tasks eagerly, without one")

    step("migrate")
    call_command("migrate", verbosity=0, interactive=False)
    if is_seeded():
        step("database already seeded: reusing it")
        delete_bench_tickets()  # left by an interrupted run
        refresh_dates()
        step("VACUUM ANALYZE (every run measures the same, clean state first)")
        vacuum_analyze()
    else:
        seed()
    load_before = os.getloadavg()
    rows, floor_rows = run(args)
    load_after = os.getloadavg()

    print()
    print(f"{TOTAL_TICKETS:,} tickets in {TENANTS:,} tenants; load average before {load_before[0]:.2f}, "
          f"after {load_after[0]:.2f} (1 min), {os.cpu_count()} CPUs")
    print(f"{'floor':86} {'median':>9} {'p95':>9}")
    for row in floor_rows.values():
        print(f"{row['name'][:86]:86} {row['median']:>7}ms {row['p95']:>7}ms")
    print()
    print(f"{'benchmark':62} {'median':>9} {'p95':>9} {'floor':>9} {'ratio':>6} {'goal':>6} {'queries':>7}"
          f" {'met':>4}  {'absolute goal':>13}")
    for row in rows:
        unit = row["unit"]
        queries = row.get("queries", "")
        if "queries_limit" in row:
            queries = f"{queries}/≤{row['queries_limit']}"
        print(f"{row['name'][:62]:62} {row['median']:>7}{unit:<2} {row['p95']:>7}{unit:<2} {row['floor_ms']:>7}ms"
              f" {row['ratio']:>6} {'≤' + str(row['ratio_goal']):>6} {queries!s:>7} {'yes' if row['met'] else 'NO':>4}"
              f"  {'p95≤' + str(row['goal']) + unit:>9} {'yes' if row['absolute_met'] else 'no'}")
    name = "tickets_scale.json" if args.scale else "tickets.json"
    out = ROOT / "var" / "bench" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "tickets": TOTAL_TICKETS, "tenants": TENANTS, "cpus": os.cpu_count(),
        "load_average_before": load_before, "load_average_after": load_after,
        "floors": floor_rows, "figures": rows}, indent=2, ensure_ascii=False) + "\n")
    print(f"written {out.relative_to(ROOT)} (run took {time.perf_counter() - total:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
