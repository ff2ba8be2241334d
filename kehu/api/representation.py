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

The API list view pages by instances that hold only the primary key and the sort field
(`page_fields`), then hands them to the list serializer, which fetches the rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import fields, relations, serializers

from kehu.api.fields import MaskedFieldsMixin
from kehu.core import masking

Getter = Callable[[dict[str, Any]], Any]


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


def _converter(field: fields.Field) -> Callable[[Any], Any] | None:
    """None for values shown as they are stored (text, numbers, booleans)."""
    kind = type(field)
    if kind in (fields.CharField, fields.EmailField):
        return str
    if kind is fields.IntegerField:
        return int
    if kind is fields.ChoiceField:
        return _choice(field)  # type: ignore[arg-type]
    if kind in (fields.BooleanField, fields.BigIntegerField):
        return field.to_representation
    if isinstance(field, fields.DateTimeField | fields.DateField | fields.DecimalField):
        return field.to_representation
    raise CannotPlan(field.field_name)


def _column(key: str, convert: Callable[[Any], Any] | None) -> Getter:
    if convert is None:
        return lambda row: row[key]

    def get(row: dict[str, Any]) -> Any:
        value = row[key]
        return None if value is None else convert(value)

    return get


class Plan:
    """How to build the representations of a model serializer's rows from `values()`."""

    def __init__(
        self,
        serializer: serializers.Serializer[Any],
        orderings: Mapping[str, Iterable[str]],
        computed: Mapping[str, tuple[str, Any]] | None = None,
    ) -> None:
        own = type(serializer).to_representation
        if own not in _PLANNABLE:
            raise CannotPlan("to_representation")
        self.model: Any = serializer.Meta.model  # type: ignore[attr-defined]
        self.columns: list[str] = []
        self.getters: list[tuple[str, Getter]] = []
        # name → (plan of the related rows, lookup to this model, ordering)
        self.nested: dict[str, tuple[Plan, str, list[str]]] = {}
        self.pk_lists: dict[str, Any] = {}  # name → many-to-many field
        # (field, mask kind, applies or None, the fields applies reads)
        self.masks: list[tuple[str, str, Any, tuple[str, ...]]] = []
        meta = self.model._meta
        for field in serializer._readable_fields:
            name, attrs = str(field.field_name), field.source_attrs
            if computed and name in computed:
                path, default = computed[name]
                self._add_column(name, path, None)
                self.getters[-1] = (name, _or_default(path, default))
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
                self.getters.append((name, self._from_nested(name)))
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
                self.getters.append((name, self._from_nested(name)))
                continue
            if type(field) is relations.PrimaryKeyRelatedField and len(attrs) == 1:
                relation = meta.get_field(attrs[0])
                if field.pk_field is not None or not isinstance(relation, models.ForeignKey):
                    raise CannotPlan(name)
                self._add_column(name, relation.attname, None)
                continue
            _check_path(self.model, attrs)
            self._add_column(name, "__".join(attrs), _converter(field))
        if own is MaskedFieldsMixin.to_representation:
            self._plan_masks({str(f.field_name) for f in serializer._readable_fields})

    def _plan_masks(self, shown: set[str]) -> None:
        """The masks MaskedFieldsMixin.to_representation applies, for rows of values()."""
        for name, sensitive in masking.sensitive_fields(self.model).items():
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
        for name, kind, applies, uses in self.masks:
            if data.get(name) and (
                applies is None or applies(SimpleNamespace(**{u: row[u] for u in uses}))
            ):
                data[name] = masking.mask(kind, data[name])
        return data

    def _add_column(self, name: str, key: str, convert: Callable[[Any], Any] | None) -> None:
        if key not in self.columns:
            self.columns.append(key)
        self.getters.append((name, _column(key, convert)))

    @staticmethod
    def _from_nested(name: str) -> Getter:
        return lambda row: row["_related"][name]

    def rows(self, queryset: Any, key: str = "pk") -> list[tuple[Any, dict[str, Any]]]:
        """(`key` of the row, its representation) for `queryset`'s rows, in its order."""
        values = list(queryset.values(*dict.fromkeys([key, "pk", *self.columns])))
        pks = [row["pk"] for row in values]
        related: dict[str, dict[Any, list[Any]]] = {}
        for name, (child, link, ordering) in self.nested.items():
            grouped: dict[Any, list[Any]] = defaultdict(list)
            children = child.model._default_manager.filter(**{f"{link}__in": pks})
            for owner, item in child.rows(children.order_by(*ordering), key=link):
                grouped[owner].append(item)
            related[name] = grouped
        for name, m2m in self.pk_lists.items():
            grouped = defaultdict(list)
            through = m2m.remote_field.through._default_manager
            source = m2m.m2m_field_name()
            target = m2m.m2m_reverse_field_name()
            ordering = [
                f"-{target}__{o[1:]}" if o.startswith("-") else f"{target}__{o}"
                for o in m2m.related_model._meta.ordering
            ]
            links = through.filter(**{f"{source}__in": pks}).order_by(*ordering, target)
            for owner, target_pk in links.values_list(f"{source}_id", f"{target}_id"):
                grouped[owner].append(target_pk)
            related[name] = grouped
        result = []
        for row in values:
            row["_related"] = {name: group.get(row["pk"], []) for name, group in related.items()}
            data = {name: get(row) for name, get in self.getters}
            result.append((row[key], self._masked(row, data) if self.masks else data))
        return result


def _check_path(model: Any, attrs: list[str]) -> None:
    """`attrs` must name model fields (the last one a column), as values() needs them."""
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


def _or_default(key: str, default: Any) -> Getter:
    def get(row: dict[str, Any]) -> Any:
        value = row[key]
        return default if value is None else value

    return get


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
            _PLANS[key] = Plan(serializer_class(), list_class.orderings, list_class.computed)
        except CannotPlan:
            _PLANS[key] = None
    return _PLANS[key]


def page_fields(serializer_class: Any, sort: str) -> list[str] | None:
    """The fields an API list page must load to page by `sort`, when the serializer's
    list is a FastListSerializer that can plan it (and loads the rest); else None."""
    meta = getattr(serializer_class, "Meta", None)
    list_class = getattr(meta, "list_serializer_class", object)
    if not isinstance(list_class, type) or not issubclass(list_class, FastListSerializer):
        return None
    if cached_plan(list_class, serializer_class) is None:
        return None
    field = sort.lstrip("-")
    return ["pk"] if field == "pk" else ["pk", field]


class FastListSerializer(serializers.ListSerializer[Any]):
    """`Meta.list_serializer_class` of a model serializer whose lists are large. `orderings`
    names the order of nested lists (default: the related model's ordering)."""

    orderings: dict[str, Iterable[str]] = {}
    # Method fields read from one column: name → (values() path, value when it is NULL).
    computed: dict[str, tuple[str, Any]] = {}

    def to_representation(self, data: Any) -> list[Any]:
        rows = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        plan = cached_plan(type(self), type(self.child))
        if plan is None:
            return super().to_representation(rows)
        if not rows:
            return []
        found = plan.model._default_manager.filter(pk__in=[row.pk for row in rows])
        shown = dict(plan.rows(found))
        # A row deleted since the page was read is left out, not an error.
        return [shown[row.pk] for row in rows if row.pk in shown]
