"""Many rows into one table in one statement, for the journey's hot paths.

`QuerySet.bulk_create` builds a model instance per row and runs every value through
its field's preparation and the SQL compiler: for a batch of the journey's orders
(reservations, stock movements, shipments and their lines, payments) that was a third
of a worker's CPU per order. The rows here are plain tuples of values the caller has
already decided, sent as one JSON document that PostgreSQL unpacks and casts to each
column's type; the statement is built once per table and set of columns.

What bulk_create would fill in is filled in the same way: `auto_now` and
`auto_now_add` columns get one `timezone.now()` for the statement (so a test's
controlled clock holds), a column left out with a Python default gets that default,
and one with a database default gets the database's. A column left out with neither
is a programming error, raised before anything is sent."""

import json
from collections.abc import Iterable, Sequence
from functools import cache

from django.db import connection
from django.db.models import NOT_PROVIDED, Model
from django.utils import timezone


@cache
def _statement(model: type[Model], columns: tuple[str, ...], returning: tuple[str, ...]) -> tuple[str, tuple]:
    """The INSERT for these columns of `model`, and what fills the columns left out:
    ("now", None) for a timestamp of the statement, ("value", v) for a default."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    unknown = [name for name in columns if name not in fields]
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(unknown)}")
    names, values, fillers = [], [], []
    for position, name in enumerate(columns):
        field = fields[name]
        names.append(connection.ops.quote_name(field.column))
        values.append(f"(row->>{position})::{_cast(field)}")
    for name, field in fields.items():
        if name in columns or field.primary_key or field.db_default is not NOT_PROVIDED:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            fillers.append(("now", None))
        elif field.has_default() and callable(field.default):
            raise ValueError(f"{model.__name__}.{name}'s default is made per row: give it a value")
        elif field.get_default() is None and not field.null:
            raise ValueError(f"{model.__name__}.{name} has no default: give it a value")
        else:
            # As bulk_create fills it: the default, or "" for a text column without one.
            fillers.append(("value", field.get_db_prep_save(field.get_default(), connection)))
        names.append(connection.ops.quote_name(field.column))
        values.append(f"%s::{_cast(field)}")
    table = connection.ops.quote_name(model._meta.db_table)
    back = ", ".join(connection.ops.quote_name(fields[name].column) for name in returning)
    sql = (
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(values)} "
        f"FROM json_array_elements(%s::json) WITH ORDINALITY AS r(row, n) ORDER BY n"
        + (f" RETURNING {back}" if back else "")
    )
    return sql, tuple(fillers)


def _cast(field) -> str:
    """The type to cast a value to: the column's, but text for a varchar, which an
    explicit cast would cut to length where storing it must fail."""
    db_type = field.cast_db_type(connection)
    return "text" if db_type.startswith("varchar") else db_type


def insert_rows(
    model: type[Model], columns: Sequence[str], rows: Iterable[Sequence], *, returning: Sequence[str] = ("id",)
) -> list[tuple]:
    """Insert `rows` (each a sequence of values in the order of `columns`, named by
    attname: "order_id", not "order") into `model`'s table, in order, and return each
    row's `returning` columns in the same order. Values are JSON numbers, strings,
    booleans or None, or Decimal, date and datetime (sent as their text)."""
    rows = list(rows)
    if not rows:
        return []
    sql, fillers = _statement(model, tuple(columns), tuple(returning))
    now = timezone.now()
    params = [now if kind == "now" else value for kind, value in fillers]
    params.append(json.dumps(rows, default=str))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if returning else []


def as_saved(instance: Model) -> Model:
    """Mark an instance built from values just inserted as a row of the database, as
    `bulk_create` leaves the instances it writes."""
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance
