"""Bulk statements from plain values, for the batch writers (the SLA scan and its
e-mails): thousands of rows without a model instance each.

`bulk_create` builds an instance per row and prepares every field of it (measured on
the SLA scan's first pass over 2,000 tickets: 8,000 rows, 120,000 field preparations,
two thirds of the pass). Here the caller gives the rows as tuples of values psycopg
adapts as they are (ints, strings, datetimes; JSON fields as Python objects), and
PostgreSQL gets one INSERT … SELECT FROM unnest(one array per column): one statement
whatever the number of rows. Other databases (SQLite, embedded mode) go through
`bulk_create`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone


def _quoted(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# How each element type is spelled in an array literal (one lookup and one call each).
_ELEMENT = {
    type(None): lambda v: "NULL",
    bool: lambda v: "t" if v else "f",
    int: str,
    str: _quoted,
    datetime: lambda v: '"' + v.isoformat() + '"',
    date: lambda v: '"' + v.isoformat() + '"',
}


def pg_array(values: Iterable[Any]) -> str:
    """The text of a PostgreSQL array of `values` ('{1,"a",NULL}'), to be passed as one
    string parameter and cast (`%s::bigint[]`). psycopg2 spells a Python list as
    ARRAY[v1, v2, …], an expression of one constant per element that PostgreSQL parses
    and plans element by element: measured 0.2-0.4 s to plan the INSERT of the SLA
    scan's 5,000 e-mails (13 columns), against milliseconds for the same values as array
    literals. Elements: None, bools, ints, datetimes (ISO format), and anything else by
    its text, quoted."""
    values = values if isinstance(values, list) else list(values)
    kinds = set(map(type, values))
    if len(kinds) == 1:  # one type throughout (the common case): joined at C speed
        kind = kinds.pop()
        if kind is int:
            return "{" + ",".join(map(str, values)) + "}"
        if kind is datetime:
            return '{"' + '","'.join(map(datetime.isoformat, values)) + '"}'
        if kind is str:
            joined = '","'.join(values)
            if "\\" not in joined and joined.count('"') == 2 * (len(values) - 1):  # no quote of their own
                return '{"' + joined + '"}'
    element = _ELEMENT
    return "{" + ",".join([element.get(type(v), _quoted)(v) for v in values]) + "}"


def ids_in(field: str, ids: Iterable[int]) -> dict:
    """`field` among `ids` as one array parameter on PostgreSQL (`unnest(%s)`): an `__in`
    of thousands of ids costs Django a resolution per id."""
    ids = list(ids)
    if connection.vendor == "postgresql":
        return {f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (pg_array(ids),))}
    return {f"{field}__in": ids}


def _array_type(field: models.Field) -> str:
    return field.db_type(connection)  # a foreign key's is its target's ("bigint")


def insert_values(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
                  ignore_conflicts: bool = False, returning: Sequence[str] = ()) -> list[tuple]:
    """Insert `rows` (tuples of values in the order of `columns`, attribute names such as
    `tenant_id`) into `model`'s table in one statement; the other fields get their
    default (a callable one, and `auto_now` fields, evaluated once for the batch).

    With `ignore_conflicts`, rows that break a unique constraint are skipped. Returns the
    `returning` columns of the rows inserted (of those only, with `ignore_conflicts`);
    an empty list without `returning`. On other databases than PostgreSQL, with
    `ignore_conflicts`, the returned rows are all those given (skipped ones included)."""
    if not rows:
        return []
    fields = {f.attname: f for f in model._meta.concrete_fields}
    now = timezone.now()
    extra: dict[str, Any] = {}
    for name, field in fields.items():
        if name in columns or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            extra[name] = now
        else:  # the default (a callable one called once), else "" for text or None
            extra[name] = now if field.default is timezone.now else field.get_default()
    names = [*columns, *extra]
    if connection.vendor != "postgresql":
        objs = model._default_manager.bulk_create(
            [model(**dict(zip(names, (*row, *extra.values()), strict=True))) for row in rows],
            ignore_conflicts=ignore_conflicts, batch_size=500)
        return [tuple(getattr(o, r) for r in returning) for o in objs] if returning else []
    arrays: list[list[Any]] = []
    for i, name in enumerate(columns):
        column = [row[i] for row in rows]
        if isinstance(fields[name], models.JSONField):
            encoder = fields[name].encoder
            column = [None if v is None else json.dumps(v, cls=encoder) for v in column]
        arrays.append(pg_array(column))
    for name, value in extra.items():
        if isinstance(fields[name], models.JSONField):
            value = json.dumps(value, cls=fields[name].encoder)
        arrays.append("{" + ",".join([pg_array((value,))[1:-1]] * len(rows)) + "}")
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(fields[n].column) for n in names)}) "  # noqa: S608 — the model's names
           f"SELECT * FROM unnest({', '.join(f'%s::{_array_type(fields[n])}[]' for n in names)})")
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(quote(fields[r].column) for r in returning)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        return [tuple(r) for r in cursor.fetchall()] if returning else []
