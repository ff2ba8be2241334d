"""Record types: each model Kehu lists, shows, edits, exports and serves over the API
declares itself once here; the generic views, API, export and the generated standard tests
do the rest. (NetBox's generic object views are the model.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django_filters import FilterSet
from rest_framework.serializers import ModelSerializer


@dataclass(frozen=True)
class Column:
    """A list column: `name` is an attribute path ("parent.name"); `sort` an ORM ordering."""

    name: str
    label: Any = None
    sort: str | None = None
    link: bool = False
    badge: bool = False
    # Left out on narrow screens (below Bootstrap's md breakpoint), to keep the key columns.
    secondary: bool = False


@dataclass
class RecordType:
    model: type[Model]
    slug: str
    columns: Sequence[Column]
    filterset: type[FilterSet]
    form: type[ModelForm[Any]]
    serializer: type[ModelSerializer[Any]]
    detail_fields: Sequence[str]
    search_fields: Sequence[str] = ()
    default_sort: str = "pk"
    create_form: type[ModelForm[Any]] | None = None
    # Service hooks; defaults in records.services do a plain audited save.
    create: Callable[..., Model] | None = None
    update: Callable[..., Model] | None = None
    queryset: Callable[[], QuerySet[Any]] | None = None
    # The rows of list pages and the Excel export, which show only the columns (default:
    # `queryset`): leave out the prefetches that only the card and the API need.
    list_queryset: Callable[[], QuerySet[Any]] | None = None
    # The API's rows (default: `queryset`): what the serializer reads, prefetched.
    api_queryset: Callable[[], QuerySet[Any]] | None = None
    detail_panels: Sequence[str] = ()
    # Extra template context for the detail panels: (request, obj) -> dict.
    detail_context: Callable[..., dict[str, Any]] | None = None
    api_writable: bool = True
    deletable: bool = False
    icon: str = "list"
    # The create/edit page's template (default generic/form.html).
    form_template: str = "generic/form.html"
    detail_template: str = "generic/detail.html"
    # The attribute naming the record this one belongs to (a contact's "customer"): its
    # detail page leads back there.
    parent: str = ""
    # A button at the end of each list row (the catalogue's "Borrow"): given the reader,
    # None when they have no such action, else row -> (label, address) or None for that row.
    row_action: Callable[[Any], Callable[[Any], tuple[str, str] | None] | None] | None = None
    # Forms that depend on who fills them in receive `user` (choices, defaults, locked fields).
    form_takes_user: bool = False
    # Filter sets whose choices depend on the reader receive `user` (the API's: `request`).
    filterset_takes_user: bool = False
    # Free-text search of the list and the API's `q`: (queryset, text) -> queryset;
    # default: icontains over `search_fields`.
    search: Callable[..., QuerySet[Any]] | None = None
    # Whether `search` also takes the reader: (queryset, text, user) -> queryset.
    search_takes_user: bool = False
    # Search texts for which this returns True (full ID or phone numbers) never appear in a
    # URL: the list page keeps them in the session under a search id (records.views).
    private_search: Callable[[str], bool] | None = None
    # Valid form data for a new record, for the generated standard tests: `sample_data()`,
    # or `sample_data(user)` when the form takes the user (data that user may submit).
    sample_data: Callable[..., dict[str, Any]] | None = None
    # Demo users the generated tests act as: "editor" may create and edit, "outsider" holds
    # no permission on the type, "scoped" sees only part of the rows and changes nothing
    # (or, if the type is not unit-scoped, reads all of them). Optional "elsewhere" creates
    # rows that "scoped" cannot see, when the demo data holds none.
    test_users: dict[str, str] = field(
        default_factory=lambda: {"editor": "admin", "outsider": "manager1", "scoped": "head_sale"}
    )
    # Also read by the generated tests: "test_text_field", a required text field to edit
    # (default: the first required CharField of the form in `search_fields`),
    # "test_search_field", a field whose value the search finds (default: `search_fields[0]`),
    # and "test_unit_scoped": False for types whose every reader sees every row.
    # List and API counts stop here and say "N+" (None: always the exact count).
    count_limit: int | None = None
    # The same for a list narrowed by the search box (None: count_limit): a common term's
    # matches are counted by testing rows one by one, so such counts stop sooner.
    search_count_limit: int | None = None
    # Reads of personal data are audit events (AUD-1): opening the detail page or the API's
    # single record of an object for which this returns True records "<label>.read".
    audit_reads: Callable[[Any], bool] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def verbose_name(self) -> Any:
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self) -> Any:
        return self.model._meta.verbose_name_plural

    def count_limit_for(self, search_text: str) -> int | None:
        """Where the list's count stops, given the search box's text."""
        if search_text.strip() and self.search_count_limit is not None:
            return self.search_count_limit
        return self.count_limit

    def apply_search(self, queryset: QuerySet[Any], text: str, user: Any = None) -> QuerySet[Any]:
        if self.search is not None and self.search_takes_user:
            return self.search(queryset, text, user)
        if self.search is not None:
            return self.search(queryset, text)
        from kehu.generic.listing import search

        return search(queryset, self.search_fields, text)

    def base_queryset(self) -> QuerySet[Any]:
        return self.queryset() if self.queryset else self.model._default_manager.all()

    def api_base_queryset(self) -> QuerySet[Any]:
        return self.api_queryset() if self.api_queryset else self.base_queryset()

    def list_base_queryset(self) -> QuerySet[Any]:
        return self.list_queryset() if self.list_queryset else self.base_queryset()

    def field_label(self, name: str) -> Any:
        field = self.model._meta.get_field(name.split(".")[0])
        return getattr(field, "verbose_name", name)

    def column_label(self, column: Column) -> Any:
        return column.label or self.field_label(column.name)

    def record_read(self, obj: Model, via: str) -> None:
        """Record a read of `obj` when it holds personal data (AUD-1)."""
        if self.audit_reads is not None and self.audit_reads(obj):
            from kehu.audit.services import record
            from kehu.privacy.purpose import require_declared

            require_declared(via)  # a single record's page asks for the purpose first
            record(f"{self.label}.read", obj, extra={"via": via})

    def record_list_read(self, rows: Iterable[Any], via: str) -> None:
        """Record one read of a list page's (or an API page's) rows that hold personal data:
        a single event naming their ids, not one per row, and none when no row does."""
        self.record_reads(self.reads_in(rows), via)

    def reads_in(self, rows: Iterable[Any]) -> list[Any]:
        """The ids of the rows whose reads are audited (`audit_reads`)."""
        if self.audit_reads is None:
            return []
        return [row.pk for row in rows if self.audit_reads(row)]

    def record_reads(self, ids: list[Any], via: str) -> None:
        if ids:
            from kehu.audit.services import record

            record(
                f"{self.label}.read",
                object_type=self.label,
                object_repr=str(self.verbose_name_plural),
                extra={"via": via, "ids": ids},
            )

    def url_name(self, view: str) -> str:
        return f"generic:{self.slug}_{view}"


_REGISTRY: dict[str, RecordType] = {}


def register(record_type: RecordType) -> RecordType:
    if record_type.slug in _REGISTRY:
        raise ValueError(f"record type {record_type.slug!r} registered twice")
    _REGISTRY[record_type.slug] = record_type
    return record_type


def get(slug: str) -> RecordType:
    return _REGISTRY[slug]


def for_model(model: type[Model]) -> RecordType | None:
    return next((rt for rt in _REGISTRY.values() if rt.model is model), None)


def all_types() -> list[RecordType]:
    return list(_REGISTRY.values())
