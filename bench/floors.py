"""The two floors every figure of the tickets benchmark is divided by.

- The **framework floor**: a no-op page and a no-op API view (bench/floor_urls.py) behind
  the portal's own middleware, authentication and tenant resolution.
- The **data floor**: the rows a request needs, fetched (or written) with raw SQL through
  psycopg on a connection of its own, kept open as a persistent connection would be.

The data floors are written from what the portal itself runs, so that they cannot drift
from it: the queue's floor is the SQL of the queue's own page query; the creation's floor
re-inserts copies of the rows one real creation wrote (found by the INSERTs it ran); the
scan's floor reads the due rows and writes their SLA columns back in one UPDATE.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit


def raw_connection(url: str):
    """A psycopg connection of its own (autocommit off: each floor runs its own transaction)."""
    import psycopg2

    parts = urlsplit(url)
    return psycopg2.connect(dbname=unquote(parts.path.lstrip("/")), host=parts.hostname or "127.0.0.1",
                            port=parts.port or 5432, user=unquote(parts.username or "postgres"),
                            password=unquote(parts.password) if parts.password else None)


def queue_page_sql(*, tenant, viewer, page_size: int = 50) -> tuple[str, tuple]:
    """The SQL of the queue's first page, exactly as the selector builds it (its columns
    included), and its parameters."""
    from tickets import selectors

    qs = selectors.ticket_list(tenant=tenant, viewer=viewer, open_only=True)[:page_size]
    return qs.query.sql_with_params()


def fetch_all(conn, sql: str, params) -> int:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    conn.rollback()  # end the read transaction, as Django's autocommit does
    return len(rows)


DETAIL_SQL = """
SELECT t.*, o.*, c.*,
       (SELECT json_agg(m ORDER BY m.created_at, m.id) FROM tickets_ticketmessage m WHERE m.ticket_id = t.id),
       (SELECT json_agg(i ORDER BY i.date, i.id) FROM tickets_intervention i WHERE i.ticket_id = t.id),
       (SELECT json_agg(e ORDER BY e.at, e.id) FROM tickets_ticketevent e WHERE e.ticket_id = t.id),
       (SELECT json_agg(a) FROM tickets_attachment a WHERE a.ticket_id = t.id)
FROM tickets_ticket t
JOIN contracts_organization o ON o.id = t.organization_id
JOIN contracts_contract c ON c.id = t.contract_id
WHERE t.tenant_id = %s AND t.reference = %s
"""


def detail_floor(conn, *, tenant_id: int, reference: str):
    """One statement: the ticket, its organisation and contract, and its replies,
    interventions, history and attachments as JSON arrays."""
    def call():
        n = fetch_all(conn, DETAIL_SQL, (tenant_id, reference))
        if n != 1:
            raise RuntimeError(f"detail floor: {n} rows for {reference}")
    return call


# --------------------------------------------------------------------------- creation


INSERT_TABLE = re.compile(r'^INSERT INTO "?([a-z0-9_]+)"?', re.IGNORECASE)


def written_tables(captured: list[dict]) -> list[str]:
    """The tables a captured request INSERTed into, in order, once each."""
    seen: list[str] = []
    for query in captured:
        match = INSERT_TABLE.match(query["sql"].lstrip())
        # The reference's counter is an upsert (INSERT … ON CONFLICT DO UPDATE): the floor
        # takes its number with an UPDATE of its own (CreationFloor.__call__), not a copy.
        if match and match.group(1) == "portal_tenantsequence":
            continue
        if match and match.group(1) not in seen:
            seen.append(match.group(1))
    return seen


class CreationFloor:
    """Re-inserts, in one transaction, copies of every row one real ticket creation
    wrote (the ticket, its history, the outbox rows, …), after taking the next number of
    the tenant's sequence under its row lock, as the service does. The copies get their
    own references; they are deleted by `cleanup()`."""

    def __init__(self, conn, *, ticket, tables: list[str]) -> None:
        from django.apps import apps
        from django.db import connection

        self.conn = conn
        self.ticket = ticket
        by_table = {m._meta.db_table: m for m in apps.get_models()}
        self.unknown = [t for t in tables if t not in by_table]
        if self.unknown:
            raise RuntimeError(f"creation floor: no model for {self.unknown}")
        self.statements = []  # (sql, params, is_ticket)
        for table in tables:
            model = by_table[table]
            if table == "tickets_ticket":
                rows = [ticket]
            else:
                fk = next((f for f in model._meta.concrete_fields
                           if f.is_relation and f.related_model is type(ticket)), None)
                if fk is not None:
                    rows = list(model.objects.filter(**{fk.name: ticket}))
                elif table == "portal_outboxmessage":
                    rows = list(model.objects.filter(tenant_id=ticket.tenant_id,
                                                     dedup_key__contains=ticket.reference))
                    if not rows:
                        rows = list(model.objects.filter(tenant_id=ticket.tenant_id).order_by("-pk")[:1])
                else:
                    rows = list(model.objects.filter(tenant_id=ticket.tenant_id).order_by("-pk")[:1])
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            columns = ", ".join(f'"{f.column}"' for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            sql = f'INSERT INTO "{table}" ({columns}) VALUES ({marks}) RETURNING id'
            for row in rows:
                values = []
                for f in fields:
                    value = f.get_db_prep_save(getattr(row, f.attname), connection)
                    if hasattr(value, "dumps"):  # a JSONField's adapter
                        value = json.dumps(getattr(row, f.attname))
                    values.append(value)
                ticket_fk = [i for i, f in enumerate(fields)
                             if f.is_relation and f.related_model is type(ticket)]
                text_refs = [i for i, v in enumerate(values) if isinstance(v, str) and ticket.reference in v]
                self.statements.append((sql, values, table == "tickets_ticket", ticket_fk, text_refs))
        self.serial = 0
        self.created: list[str] = []

    def __call__(self) -> None:
        self.serial += 1
        reference = f"FLR-{self.serial:06d}"
        with self.conn.cursor() as cur:
            cur.execute("UPDATE portal_tenantsequence SET last_value = last_value + 1 "
                        "WHERE tenant_id = %s AND key = 'floor' RETURNING last_value", [self.ticket.tenant_id])
            ticket_id = None
            for sql, values, is_ticket, ticket_fk, text_refs in self.statements:
                row = list(values)
                for i in text_refs:
                    row[i] = row[i].replace(self.ticket.reference, reference)
                for i in ticket_fk:
                    row[i] = ticket_id
                cur.execute(sql, row)
                if is_ticket:
                    ticket_id = cur.fetchone()[0]
        self.conn.commit()
        self.created.append(reference)

    def prepare(self) -> None:
        with self.conn.cursor() as cur:
            cur.execute("INSERT INTO portal_tenantsequence (tenant_id, key, last_value) VALUES (%s, 'floor', 0) "
                        "ON CONFLICT (tenant_id, key) DO NOTHING", [self.ticket.tenant_id])
        self.conn.commit()

    def cleanup(self) -> None:
        from tickets.models import Ticket

        Ticket.objects.filter(tenant_id=self.ticket.tenant_id, reference__startswith="FLR-").delete()
        with self.conn.cursor() as cur:
            cur.execute("DELETE FROM portal_outboxmessage WHERE tenant_id = %s AND dedup_key LIKE %s",
                        [self.ticket.tenant_id, "%FLR-%"])
            cur.execute("DELETE FROM portal_tenantsequence WHERE tenant_id = %s AND key = 'floor'",
                        [self.ticket.tenant_id])
        self.conn.commit()


# --------------------------------------------------------------------------- SLA scan


SCAN_READ_SQL = "SELECT * FROM tickets_ticket WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
SCAN_WRITE_SQL = """
UPDATE tickets_ticket t
SET sla_state = v.state, sla_due_at = v.due, sla_next_check_at = v.next_check, sla_warning = v.warning,
    sla_breached = v.breached, sla_paused = v.paused, updated_at = now()
FROM unnest(%s::bigint[], %s::jsonb[], %s::timestamptz[], %s::timestamptz[], %s::boolean[], %s::boolean[],
            %s::boolean[]) AS v(id, state, due, next_check, warning, breached, paused)
WHERE t.id = v.id
"""


def scan_floor(conn, ids: list[int]):
    """Read the due tickets (locked, as the scan does) and write their SLA columns back
    in one UPDATE, in one transaction."""
    def call():
        with conn.cursor() as cur:
            cur.execute(SCAN_READ_SQL, [ids])
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
            if len(rows) != len(ids):
                raise RuntimeError(f"scan floor: {len(rows)} rows, not {len(ids)}")
            cur.execute(SCAN_WRITE_SQL, [
                [r["id"] for r in rows], [json.dumps(r["sla_state"]) for r in rows],
                [r["sla_due_at"] for r in rows], [r["sla_next_check_at"] for r in rows],
                [r["sla_warning"] for r in rows], [r["sla_breached"] for r in rows],
                [r["sla_paused"] for r in rows]])
        conn.commit()
    return call
