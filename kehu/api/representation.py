"""A faster `many=True` representation for model serializers with many fields (the customer
list: about 45 fields and the nested contacts of 100 rows a page).

DRF builds a model instance per row (and per related row), creates a related manager per
prefetched relation and looks every field up through `Field.get_attribute`; for plain
columns all of that only copies a value. `FastListSerializer` instead reads the rows with
`values()` (one query), the nested lists and primary-key lists with one query each, and
builds the dicts from a plan made once per page: plain columns are copied, foreign keys give
their `<name>_id`, and values that need converting (dates, times, decimals, choices) go
through the serializer field's own `to_representation`. The data is the serializer's own
(tested in kehu/customers/tests/test_api_list_representation.py). Serializers with fields
it cannot plan (methods, `source="*"`) keep DRF's way, unless the list class names the
column a method field reads (`computed`). Serializers that mask personal data
(`MaskedFieldsMixin`) are planned with the same masks, applied to each row as the mixin
applies them to each instance (kehu.core.masking; a mask that depends on the object must say
which fields it `uses`, else DRF's way is kept).

The API list view reads its page as the plan's values (`page_values`: one query, every
column, no model instances) and hands the rows to the list serializer, which reads the
related rows by the page's ids and builds the representations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, tzinfo
from enum import Enum
from functools import partial
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models, router
from django.utils import timezone
from rest_framework import ISO_8601, fields, relations, serializers
from rest_framework.settings import api_settings

from kehu.api.fields import MaskedFieldsMixin
from kehu.core import masking
from kehu.infra.compiled_sql import compiled_statements
from kehu.infra.lookups import ids_parameter
from kehu.infra.prepared import prepared_statements

# (a row's key, its representation), in the order of the rows
Built = list[tuple[Any, dict[str, Any]]]


class CannotPlan(Exception):
    """A field that needs the model instance (DRF's way is used then)."""


def _choice(field: fields.ChoiceField) -> Callable[[Any], Any]:
    lookup = field.choice_strings_to_values

    def convert(value: Any) -> Any:
        if value == "":
            return value
        if isinstance(value, Enum) and str(value) != str(value.value):
            value = value.value
        return lookup.get(str(value), value)

    return convert


def _converter(field: fields.Field, column: models.Field[Any, Any] | None) -> Any:
    """How a stored value becomes the field's representation: None when it already is one
    (text from a text column, whole numbers from an integer column), `_DATETIME` for
    datetimes converted in bulk, else a function."""
    kind = type(field)
    if kind in (fields.CharField, fields.EmailField):
        return None if isinstance(column, models.CharField | models.TextField) else str
    if kind is fields.IntegerField:
        return None if isinstance(column, models.IntegerField) else int
    if kind is fields.ChoiceField:
        choices = field.choice_strings_to_values  # type: ignore[attr-defined]
        if isinstance(column, models.CharField | models.TextField) and all(
            key == value for key, value in choices.items()
        ):
            return None  # text choices: the stored text is the representation
        return _choice(field)  # type: ignore[arg-type]
    if kind is fields.DateTimeField and _iso_in_current_zone(field):  # type: ignore[arg-type]
        return _DATETIME
    if kind is fields.DateField and _iso_date(field, column):
        return date.isoformat
    if kind is fields.BooleanField:
        return None if isinstance(column, models.BooleanField) else field.to_representation
    if kind is fields.BigIntegerField:
        as_text = getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
        plain = isinstance(column, models.IntegerField) and not as_text
        return None if plain else field.to_representation
    if isinstance(field, fields.DateTimeField | fields.DateField | fields.DecimalField):
        return field.to_representation
    raise CannotPlan(field.field_name)


_DATETIME = object()


def _iso_in_current_zone(field: fields.DateTimeField) -> bool:
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return (
        settings.USE_TZ
        and not hasattr(field, "timezone")
        and isinstance(output, str)
        and output.lower() == ISO_8601
    )


def _iso_date(field: fields.Field, column: models.Field[Any, Any] | None) -> bool:
    """Whether DateField.to_representation of the column's (non-null) values is isoformat()."""
    output = getattr(field, "format", api_settings.DATE_FORMAT)
    is_date = isinstance(column, models.DateField) and not isinstance(column, models.DateTimeField)
    return is_date and isinstance(output, str) and output.lower() == ISO_8601


def _iso_datetime(value: datetime, zone: tzinfo) -> str:
    """DateTimeField.to_representation of an aware datetime in the current time zone."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class Plan:
    """How to build the representations of a model serializer's rows from `values()`."""

    def __init__(
        self,
        serializer: serializers.Serializer[Any],
        orderings: Mapping[str, Iterable[str]],
        computed: Mapping[str, tuple[Any, ...]] | None = None,
        annotate: Callable[[Any], Any] | None = None,
    ) -> None:
        own = type(serializer).to_representation
        if own not in _PLANNABLE:
            raise CannotPlan("to_representation")
        self.model: Any = serializer.Meta.model  # type: ignore[attr-defined]
        # Adds the annotations computed fields read to every queryset the plan reads.
        self.annotate = annotate
        self.columns: list[str] = []
        # The representation's keys in the serializer's order and, for each, the key of the
        # row it is copied from (nested lists are put in the row under "<name>:related").
        self.names: list[str] = []
        self.sources: list[str] = []
        self.converters: list[tuple[str, Callable[[Any], Any]]] = []  # for non-null values
        self.datetimes: list[str] = []
        self.defaults: list[tuple[str, Any]] = []  # computed: the value for NULL
        # name → (plan of the related rows, lookup to this model, ordering)
        self.nested: dict[str, tuple[Plan, str, list[str]]] = {}
        self.pk_lists: dict[str, Any] = {}  # name → many-to-many field
        # (field, mask kind, applies or None, the fields applies reads)
        self.masks: list[tuple[str, str, Any, tuple[str, ...]]] = []
        meta = self.model._meta
        for field in serializer._readable_fields:
            name, attrs = str(field.field_name), field.source_attrs
            if computed and name in computed:
                path, default, *convert = computed[name]
                self._add_column(name, path, convert[0] if convert else None)
                self.defaults.append((name, default))
                continue
            if field.source == "*" or not attrs:
                raise CannotPlan(name)
            if isinstance(field, serializers.ListSerializer) and len(attrs) == 1:
                relation = meta.get_field(attrs[0])
                if not isinstance(relation, models.ManyToOneRel):
                    raise CannotPlan(name)
                child = Plan(field.child, {})  # type: ignore[arg-type]
                ordering = list(orderings.get(name) or child.model._meta.ordering or ())
                self.nested[name] = (child, relation.field.attname, ordering)
                self._add_related(name)
                continue
            if type(field) is relations.ManyRelatedField and len(attrs) == 1:
                child_relation = field.child_relation
                relation = meta.get_field(attrs[0])
                if (
                    type(child_relation) is not relations.PrimaryKeyRelatedField
                    or child_relation.pk_field is not None
                    or not isinstance(relation, models.ManyToManyField)
                ):
                    raise CannotPlan(name)
                self.pk_lists[name] = relation
                self._add_related(name)
                continue
            if type(field) is relations.PrimaryKeyRelatedField and len(attrs) == 1:
                relation = meta.get_field(attrs[0])
                if field.pk_field is not None or not isinstance(relation, models.ForeignKey):
                    raise CannotPlan(name)
                self._add_column(name, relation.attname, None)
                continue
            column = _check_path(self.model, attrs)
            self._add_column(name, "__".join(attrs), _converter(field, column))
        if own is MaskedFieldsMixin.to_representation:
            self._plan_masks({str(f.field_name) for f in serializer._readable_fields})
        self._pick = _picker(self.sources)

    def _plan_masks(self, shown: set[str]) -> None:
        """The masks MaskedFieldsMixin.to_representation applies, for rows of values()."""
        # Declared whatever the tier in force, which `_masked` reads on every row.
        for name, sensitive in masking.declared_fields(self.model).items():
            if name not in shown:
                continue
            if sensitive.applies is not None and not sensitive.uses:
                raise CannotPlan(name)  # it needs the instance
            for used in sensitive.uses:
                _check_path(self.model, used.split("__"))
                if used not in self.columns:
                    self.columns.append(used)
            self.masks.append((name, sensitive.kind, sensitive.applies, sensitive.uses))

    def _masked(self, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        label = self.model._meta.label_lower
        for name, kind, applies, uses in self.masks:
            if masking.tier_of(label, name) == masking.GENERAL:
                continue
            if data.get(name) and (
                applies is None or applies(SimpleNamespace(**{u: row[u] for u in uses}))
            ):
                data[name] = masking.mask(kind, data[name])
        return data

    def _add_column(self, name: str, key: str, convert: Any) -> None:
        if key not in self.columns:
            self.columns.append(key)
        self.names.append(name)
        self.sources.append(key)
        if convert is _DATETIME:
            self.datetimes.append(name)
        elif convert is not None:
            self.converters.append((name, convert))

    def _add_related(self, name: str) -> None:
        self.names.append(name)
        self.sources.append(f"{name}:related")

    def values(self, queryset: Any, *extra: str) -> Any:
        """`queryset` as the values this plan builds its rows from (and `extra` lookups)."""
        if self.annotate is not None:
            queryset = self.annotate(queryset)
        return queryset.values(*dict.fromkeys(["pk", *extra, *self.columns]))

    def rows(self, queryset: Any, key: str = "pk") -> Built:
        """(`key` of the row, its representation) for `queryset`'s rows, in its order."""
        return self.build(list(self.values(queryset, key)), key)

    def build(self, values: list[dict[str, Any]], key: str = "pk") -> Built:
        """(`key` of the row, its representation) for rows read by `values`."""
        pks = [row["pk"] for row in values]
        related: dict[str, dict[Any, list[Any]]] = {}
        for name, (child, link, ordering) in self.nested.items():
            grouped: dict[Any, list[Any]] = defaultdict(list)
            read = partial(_children, child, link, ordering)
            for owner, item in child.build(_by_ids((self, name), child.model, read, pks), link):
                grouped[owner].append(item)
            related[f"{name}:related"] = grouped
        for name, m2m in self.pk_lists.items():
            grouped = defaultdict(list)
            through, read = m2m.remote_field.through, partial(_links, m2m)
            source, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
            for link_row in _by_ids((self, name), through, read, pks):
                grouped[link_row[source]].append(link_row[target])
            related[f"{name}:related"] = grouped
        zone = timezone.get_current_timezone() if self.datetimes else None
        names, pick, converters = self.names, self._pick, self.converters
        result = []
        for row in values:
            for slot, group in related.items():
                row[slot] = group.get(row["pk"], [])
            data = dict(zip(names, pick(row), strict=True))
            for name, convert in converters:
                if data[name] is not None:
                    data[name] = convert(data[name])
            for name in self.datetimes:
                if data[name] is not None:
                    data[name] = _iso_datetime(data[name], zone)  # type: ignore[arg-type]
            for name, default in self.defaults:
                if data[name] is None:
                    data[name] = default
            result.append((row[key], self._masked(row, data) if self.masks else data))
        return result


def _children(child: Plan, link: str, ordering: list[str], pks: Any) -> Any:
    """The values of a nested list's rows for `pks`, in its order."""
    found = child.model._default_manager.filter(**_among(child.model, link, pks))
    return child.values(found.order_by(*ordering), link)


def _links(m2m: Any, pks: Any) -> Any:
    """The rows of a many-to-many table for `pks`, in the order of the related model."""
    through = m2m.remote_field.through._default_manager
    source = m2m.m2m_field_name()
    target = m2m.m2m_reverse_field_name()
    ordering = [
        f"-{target}__{o[1:]}" if o.startswith("-") else f"{target}__{o}"
        for o in m2m.related_model._meta.ordering
    ]
    links = through.filter(**_among(through.model, source, pks)).order_by(*ordering, target)
    return links.values(f"{source}_id", f"{target}_id")


def _by_ids(
    key: Any, model: Any, build: Callable[[Any], Any], pks: list[Any]
) -> list[dict[str, Any]]:
    """The rows of the values() queryset of `model` `build(pks)`, read with SQL compiled once
    per connection for `key` (kehu.infra.compiled_sql): such a query differs from page to page
    only in the one parameter that carries the ids (kehu.infra.lookups.InIds), and compiling it
    costs as much as reading the rows (docs/performance.md). The rows still go through Django's
    converters (decryption). A queryset with other parameters is compiled every time."""
    connection = connections[router.db_for_read(model)]
    compiled = compiled_statements(connection)
    entry = compiled.get(key)
    if entry is None:
        queryset = build(pks)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        if list(params) != [ids_parameter(connection, pks)]:
            return list(queryset)
        query = queryset.query
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        entry = compiled[key] = (sql, names, compiler, converters)
    sql, names, compiler, converters = entry
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids_parameter(connection, pks)])
        rows: Iterable[Any] = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return [dict(zip(names, row, strict=True)) for row in rows]


def _among(model: Any, field: str, pks: list[Any]) -> dict[str, Any]:
    """The filter of `field` among a page's ids: one parameter for all of them where the field
    takes it (kehu.infra.lookups), not a placeholder each."""
    column = model._meta.pk if field == "pk" else model._meta.get_field(field)
    if column.get_lookup("in_ids"):
        return {f"{field}__in_ids": frozenset(pks)}
    return {f"{field}__in": pks}


def _picker(keys: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """The values of `keys` in a row, as a tuple (itemgetter gives a bare value for one)."""
    if len(keys) == 1:
        only = keys[0]
        return lambda row: (row[only],)
    return itemgetter(*keys)


def _check_path(model: Any, attrs: list[str]) -> models.Field[Any, Any]:
    """`attrs` must name model fields (the last one a column), as values() needs them; the
    column is returned."""
    for index, attr in enumerate(attrs):
        try:
            field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            raise CannotPlan(attr) from None
        last = index == len(attrs) - 1
        if last and (not isinstance(field, models.Field) or field.is_relation):
            raise CannotPlan(attr)
        if not last:
            if not isinstance(field, models.ForeignKey | models.OneToOneField):
                raise CannotPlan(attr)
            model = field.related_model
    return field


_PLANNABLE = (
    serializers.ModelSerializer.to_representation,
    MaskedFieldsMixin.to_representation,
)
_PLANS: dict[tuple[Any, Any], Plan | None] = {}


def cached_plan(list_class: Any, serializer_class: Any) -> Plan | None:
    """The plan of a serializer class (made once: its fields must not depend on the
    request, as model serializers' do not), or None if it cannot be planned."""
    key = (list_class, serializer_class)
    if key not in _PLANS:
        try:
            _PLANS[key] = Plan(
                serializer_class(), list_class.orderings, list_class.computed, list_class.annotate
            )
        except CannotPlan:
            _PLANS[key] = None
    return _PLANS[key]


def list_plan(serializer_class: Any) -> Plan | None:
    """The plan of the serializer's list, when it is a FastListSerializer that can plan it;
    else None."""
    meta = getattr(serializer_class, "Meta", None)
    list_class = getattr(meta, "list_serializer_class", object)
    if not isinstance(list_class, type) or not issubclass(list_class, FastListSerializer):
        return None
    return cached_plan(list_class, serializer_class)


def page_values(plan: Plan, queryset: Any, sort: str) -> Any:
    """An API list page's queryset as the values its list serializer builds the rows from,
    with the sort field that keyset paging compares: the page is read in one query, with
    every column, and no model instance is made."""
    field = sort.lstrip("-")
    plain = queryset.select_related(None).prefetch_related(None)
    return plan.values(plain, *([] if field == "pk" else [field]))


class FastListSerializer(serializers.ListSerializer[Any]):
    """`Meta.list_serializer_class` of a model serializer whose lists are large. `orderings`
    names the order of nested lists (default: the related model's ordering)."""

    orderings: dict[str, Iterable[str]] = {}
    # Method fields read from one column: name → (values() path, value when it is NULL[,
    # converter of a value that is not NULL]); the path may name an annotation `annotate`
    # adds to the queryset.
    computed: dict[str, tuple[Any, ...]] = {}
    annotate: Callable[[Any], Any] | None = None

    def to_representation(self, data: Any) -> list[Any]:
        rows = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        plan = cached_plan(type(self), type(self.child))
        if plan is None:
            return super().to_representation(rows)
        if not rows:
            return []
        if isinstance(rows[0], dict):  # a page read as the plan's values (page_values)
            with prepared_statements():  # its related rows, by the page's ids
                return [data for _pk, data in plan.build(rows)]
        pks = [row.pk for row in rows]
        found = plan.model._default_manager.filter(**_among(plan.model, "pk", pks))
        with prepared_statements():  # the page's rows and their related rows, by key
            shown = dict(plan.rows(found))
        # A row deleted since the page was read is left out, not an error.
        return [shown[row.pk] for row in rows if row.pk in shown]
