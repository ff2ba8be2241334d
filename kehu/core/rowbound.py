"""The manager of models with encrypted columns: `QuerySet.update` and `bulk_update` bind each
value they write to its row (kehu.core.crypto, scope "r"), as `save()` does, so that a
ciphertext copied into another row does not decrypt. An update of an encrypted column reads
the matching primary keys first and writes one ciphertext per row (a CASE per chunk)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Case, Value, When

from kehu.core.crypto import EncryptedTextField, Sealed, Unreadable, seal

_M = TypeVar("_M", bound=models.Model)
# Rows per UPDATE statement when each gets its own ciphertext.
CHUNK = 500


def _needs_row(model: type[models.Model], name: str, value: Any) -> EncryptedTextField | None:
    """The encrypted field `name` when `value` is plain text that is still to be sealed."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, EncryptedTextField):
        return None
    if not isinstance(value, str) or not value or isinstance(value, Sealed | Unreadable):
        return None
    return field


class RowBoundQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> int:
        plain = {
            name: (field, value)
            for name, value in kwargs.items()
            if (field := _needs_row(self.model, name, value)) is not None
        }
        if not plain:
            return super().update(**kwargs)
        if self.query.is_sliced:
            raise TypeError("Cannot update a query once a slice has been taken.")
        others = {name: value for name, value in kwargs.items() if name not in plain}
        updated = 0
        with transaction.atomic(using=self.db, savepoint=False):
            pks = list(self.order_by().values_list("pk", flat=True))
            for start in range(0, len(pks), CHUNK):
                chunk = pks[start : start + CHUNK]
                values = dict(others)
                for name, (field, value) in plain.items():
                    whens = [
                        When(
                            pk=pk,
                            then=Value(seal(value, field.context, row=pk), output_field=field),
                        )
                        for pk in chunk
                    ]
                    values[name] = Case(*whens, output_field=field)
                rows = self.filter(pk__in=chunk)
                updated += super(RowBoundQuerySet, rows).update(**values)
        return updated

    update.alters_data = True  # type: ignore[attr-defined]

    def bulk_update(
        self, objs: Iterable[_M], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        objs, fields = list(objs), list(fields)
        plain = []
        for obj in objs:
            for name in fields:
                value = getattr(obj, name, None)
                field = _needs_row(self.model, name, value)
                if field is not None and obj.pk is not None:
                    plain.append((obj, field.attname, value))
                    setattr(obj, field.attname, seal(str(value), field.context, row=obj.pk))
        try:
            return super().bulk_update(objs, fields, batch_size)
        finally:
            for obj, attname, value in plain:
                setattr(obj, attname, value)

    bulk_update.alters_data = True  # type: ignore[attr-defined]


class RowBoundManager(models.Manager[_M]):
    """The default manager of a model with encrypted columns."""

    def get_queryset(self) -> RowBoundQuerySet[_M]:
        return RowBoundQuerySet(self.model, using=self._db)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys for rows about to be inserted in the caller's transaction, so that
    their encrypted values can be bound to their rows before a bulk insert (`bind_to_rows`).
    PostgreSQL draws them from the table's sequence; SQLite has one writer at a time (the
    transaction is IMMEDIATE), so the ids after the largest ever given are free."""
    if count <= 0:
        return []
    from django.db import connection

    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT MAX("{column}") FROM "{table}"')
        largest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        start = max(largest, found[0] if found else 0) + 1
    return list(range(start, start + count))


def bind_to_rows(objs: Iterable[models.Model]) -> None:
    """Encrypt the plain values of new objects whose pk is already set (`reserve_ids`) bound
    to their rows, as `save()` does, ready for `bulk_create`."""
    for obj in objs:
        for field in obj._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                value = getattr(obj, field.attname)
                if value and isinstance(value, str) and not isinstance(value, Sealed | Unreadable):
                    setattr(obj, field.attname, seal(value, field.context, row=obj.pk))


def _prepare(field: models.Field[Any, Any], connection: Any) -> Any:
    """The field's `get_db_prep_save`, with blank text passed through as it would be."""
    prep = field.get_db_prep_save
    if not isinstance(field, models.CharField | models.TextField):
        return lambda value: prep(value, connection)
    # A blank (or NULL) text value is stored as it is; only other values need preparing.
    return lambda value: value if value is None or value == "" else prep(value, connection)


def _execute(model: type[models.Model], fields: list[Any], rows: list[tuple[Any, ...]]) -> None:
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def insert_rows(objs: list[Any]) -> None:
    """Insert new objects of one model whose pk is set (`reserve_ids`) with one executemany:
    the values as `bulk_create` would prepare them (`pre_save`, `get_db_prep_save`), without
    compiling a statement per batch. No signals, as with `bulk_create`."""
    if not objs:
        return
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    model = type(objs[0])
    fields = list(model._meta.concrete_fields)
    steps = [(f.pre_save, _prepare(f, connection)) for f in fields]
    rows = [tuple(prep(pre_save(obj, True)) for pre_save, prep in steps) for obj in objs]
    for obj in objs:
        obj._state.adding = False
    _execute(model, fields, rows)


def insert_values(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows given as {field name: value} with one executemany, the database giving
    the ids (in the order of `rows`); a field a row leaves out gets its default. Values are
    prepared as `bulk_create` prepares them (`get_db_prep_save`); no `pre_save`, no signals:
    for models without automatic field values (auto_now) or encrypted fields."""
    if not rows:
        return
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if any(isinstance(f, EncryptedTextField) for f in fields):
        raise TypeError("insert_values does not encrypt: use insert_rows")
    defaults = {f.attname: f.get_default() for f in fields}
    steps = [(f.attname, _prepare(f, connection)) for f in fields]
    values = [tuple(prep(row.get(name, defaults[name])) for name, prep in steps) for row in rows]
    _execute(model, fields, values)
