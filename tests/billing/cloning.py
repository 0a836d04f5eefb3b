"""Many contracts fast: copies of template contracts made by SQL (INSERT … SELECT …
generate_series) over every table a contract's month reads. Used by the SIGKILL test of
the monthly run and by bench/billing_run_bench.py, where building thousands of contracts
through the services would take far longer than what is measured."""

from __future__ import annotations

from django.db import connection, transaction


def clone_rows(cur, model, mapping: dict, copies: int, where: str, params: list) -> None:
    """Copy the rows of `model` selected by `where` `copies - 1` times: ids after the
    table's current maximum, foreign keys to rows cloned earlier (in `mapping`) pointed at
    the same copy, `reference` made unique. Records the table's mapping in `mapping`."""
    table = model._meta.db_table
    cur.execute(f"SELECT id FROM {table} WHERE {where} ORDER BY id", params)  # noqa: S608
    ids = [row[0] for row in cur.fetchall()]
    if not ids:
        return
    cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
    offset = cur.fetchone()[0]
    mapping[model] = (offset, ids)
    columns, exprs = [], []
    for field in model._meta.concrete_fields:
        column = field.column
        columns.append(f'"{column}"')
        if field.primary_key:
            exprs.append(f"{offset} + (g.i - 2) * {len(ids)} + array_position(ARRAY{ids}::bigint[], src.id)")
        elif field.is_relation and field.related_model in mapping:
            p_offset, p_ids = mapping[field.related_model]
            pos = f'array_position(ARRAY{p_ids}::bigint[], src."{column}")'
            exprs.append(f'CASE WHEN {pos} IS NULL THEN src."{column}" '
                         f"ELSE {p_offset} + (g.i - 2) * {len(p_ids)} + {pos} END")
        elif column == "reference":
            exprs.append("src.reference || '-' || g.i")
        else:
            exprs.append(f'src."{column}"')
    cur.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "  # noqa: S608
        f"FROM (SELECT * FROM {table} WHERE id = ANY(%s)) src CROSS JOIN generate_series(2, %s) AS g(i)",
        [ids, copies])
    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def clone_contracts(contract_ids: list[int], copies: int) -> None:
    """`copies - 1` copies of each contract with its versions, maintenance types,
    covered items, tickets (events, interventions, SLA events) and hour-bank blocks
    with their purchases. PostgreSQL only."""
    from billing.models import HourBankBlock, HourBankMovement
    from contracts.models import Contract, ContractMaintenanceType, ContractVersion, CoveredItem
    from tickets.models import Intervention, SlaEvent, Ticket, TicketEvent

    mapping: dict = {}
    ids = list(contract_ids)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL synchronous_commit = off")
        clone_rows(cur, Contract, mapping, copies, "id = ANY(%s)", [ids])
        for model in (ContractVersion, ContractMaintenanceType, CoveredItem, Ticket):
            clone_rows(cur, model, mapping, copies, "contract_id = ANY(%s)", [ids])
        tickets = mapping[Ticket][1] if Ticket in mapping else []
        for model in (TicketEvent, Intervention, SlaEvent):
            clone_rows(cur, model, mapping, copies, "ticket_id = ANY(%s)", [tickets])
        clone_rows(cur, HourBankBlock, mapping, copies, "contract_id = ANY(%s)", [ids])
        clone_rows(cur, HourBankMovement, mapping, copies, "contract_id = ANY(%s) AND kind = 'purchase'", [ids])
