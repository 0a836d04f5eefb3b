"""A SELECT the ORM builds and compiles once per process, then runs again with other
values: for the reads of a hot path (ticket creation's contract, its recipients), where
building the queryset and compiling its SQL (select_related columns, joins, lookups) cost
more Python than the database takes to answer.

    _CONTRACT = PreparedSelect(lambda v: Contract.objects.select_related("client").filter(
        tenant_id=v["tenant_id"], reference=v["reference"]), tenant_id=int, reference=str)
    contracts = _CONTRACT.fetch(tenant_id=tenant.pk, reference=reference)

The queryset is built with stand-in values, compiled, and each stand-in found among the
statement's parameters (a value the ORM would transform, e.g. for `icontains`, is refused
when the query is prepared). `fetch` sends the same SQL with the real values and builds
the instances as the queryset would (`from_db`, the select_related objects, the
annotations, the fields' converters): same statement, same objects.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from django.db import connections, router, transaction
from django.db.models import Model, QuerySet, signals
from django.db.models.query import get_related_populators
from django.db.models.sql import InsertQuery

_INT_BASE = -1_987_654_321


class PreparedSelect:
    def __init__(self, build: Callable[[dict[str, Any]], QuerySet], **params: type) -> None:
        for name, kind in params.items():
            if kind not in (int, str):
                raise TypeError(f"{name}: a prepared select takes int or str values, not {kind!r}")
        self._build = build
        self._params = params
        self._plan: tuple | None = None
        self._lock = threading.Lock()

    def _stand_ins(self) -> dict[str, Any]:
        return {name: (_INT_BASE - i if kind is int else f"\x1fprepared:{name}\x1f")
                for i, (name, kind) in enumerate(self._params.items())}

    def _prepare(self) -> tuple:
        stand_ins = self._stand_ins()
        by_value = {(type(v), v): name for name, v in stand_ins.items()}
        queryset = self._build(stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        slots: list[tuple[bool, Any]] = []  # (is a parameter, its name or the constant)
        for value in params:
            name = by_value.get((type(value), value))
            slots.append((True, name) if name is not None else (False, value))
        missing = set(stand_ins) - {name for is_param, name in slots if is_param}
        if missing:
            raise ValueError(f"prepared select: {sorted(missing)} not passed as such to the database")
        select, klass_info, annotations = compiler.select, compiler.klass_info, compiler.annotation_col_map
        model = klass_info["model"]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, queryset.db)
        converters = compiler.get_converters([column[0] for column in select[:compiler.col_count]])
        return (queryset.db, sql, slots, model, start, end, init_list, populators, dict(annotations or {}),
                converters)

    def fetch(self, **values: Any) -> list[Model]:
        """The instances the queryset built with `values` would give."""
        plan = self._plan
        if plan is None:
            with self._lock:
                if self._plan is None:
                    self._plan = self._prepare()
                plan = self._plan
        db, sql, slots, model, start, end, init_list, populators, annotations, converters = plan
        if set(values) != set(self._params):
            raise TypeError(f"prepared select: give {sorted(self._params)}, not {sorted(values)}")
        params = [values[item] if is_param else item for is_param, item in slots]
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        out = []
        for row in rows:
            if converters:
                row = list(row)
                for pos, (convs, expression) in converters.items():
                    value = row[pos]
                    for converter in convs:
                        value = converter(value, expression, connection)
                    row[pos] = value
            obj = model.from_db(db, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for attr, pos in annotations.items():
                setattr(obj, attr, row[pos])
            out.append(obj)
        return out


# ---------------------------------------------------------------------- one new row


class _Insert(NamedTuple):
    sql: str
    fields: list
    returning: list


_INSERTS: dict[tuple[type[Model], str], _Insert | None] = {}


def _insert_plan(model: type[Model], db: str, obj: Model) -> _Insert | None:
    """The INSERT `obj.save()` sends for a new row of `model`, compiled once; None when
    the model is not a plain one (parents, ordering, custom placeholders, an explicit
    primary key): those are saved by `save()` itself."""
    meta = model._meta
    if meta.parents or meta.order_with_respect_to or meta.auto_field is None or meta.proxy:
        return None
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    if any(hasattr(f, "get_placeholder") for f in fields):
        return None
    returning = list(meta.db_returning_fields)
    query = InsertQuery(model)
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(using=db)
    compiler.returning_fields = returning
    statements = compiler.as_sql()
    if len(statements) != 1:
        return None
    return _Insert(statements[0][0], fields, returning)


def insert_new(obj: Model, *, using: str | None = None) -> None:
    """What `obj.save()` does for a new row of a plain model (no parents, no save() of its
    own, primary key set by the database, nobody listening to its save signals): the same INSERT with the same
    values (each field's `pre_save` and `get_db_prep_save`), the same returned columns,
    the instance marked as saved; without building and compiling the statement again on
    every call. Anything else, or a value that is an expression, goes through `save()`."""
    model = type(obj)
    db = using or router.db_for_write(model, instance=obj)
    if (not obj._state.adding or obj.pk is not None or model._meta.auto_created or model.save is not Model.save
            or signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model)):
        obj.save(using=db)
        return
    key = (model, db)
    if key not in _INSERTS:
        _INSERTS[key] = _insert_plan(model, db, obj)
    plan = _INSERTS[key]
    if plan is None:
        obj.save(using=db)
        return
    obj._prepare_related_fields_for_save(operation_name="save")
    connection = connections[db]
    values = []
    for field in plan.fields:
        value = field.pre_save(obj, True)
        if hasattr(value, "resolve_expression"):
            obj.save(using=db)
            return
        values.append(field.get_db_prep_save(value, connection=connection))
    with transaction.mark_for_rollback_on_error(db), connection.cursor() as cursor:
        cursor.execute(plan.sql, values)
        row = cursor.fetchone()
    for field, value in zip(plan.returning, row, strict=True):
        col = field.get_col(field.model._meta.db_table)  # converted as the compiler does
        for converter in col.get_db_converters(connection) + connection.ops.get_db_converters(col):
            value = converter(value, col, connection)
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = db
