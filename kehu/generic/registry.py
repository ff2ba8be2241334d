"""Record types: each model Kehu lists, shows, edits, exports and serves over the API is
declared once, in its app's record_types.py, from the typed parts below; the generic views,
API, export and the generated standard tests do the rest. (NetBox's generic object views are
the model.) What those tests need of each type is test code: tests/record_type_samples.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django_filters import FilterSet
from rest_framework.serializers import ModelSerializer

from kehu.audit.purpose import require_declared
from kehu.audit.services import record
from kehu.core import masking


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


@dataclass(frozen=True)
class ListAction:
    """A button beside "New …" on a list page, shown to holders of `permission`."""

    label: Any
    url_name: str
    permission: str
    icon: str
    element_id: str


@dataclass
class ListSpec:
    """What the list page, the Excel export and the API's list show and how they narrow it."""

    columns: Sequence[Column]
    filterset: type[FilterSet]
    # Filter sets whose choices depend on the reader receive `user` (the API's: `request`).
    filterset_takes_user: bool = False
    default_sort: str = "pk"
    search_fields: Sequence[str] = ()
    # Free-text search of the list and the API's `q`: (queryset, text) -> queryset;
    # default: icontains over `search_fields`.
    search: Callable[..., QuerySet[Any]] | None = None
    # Whether `search` also takes the reader: (queryset, text, user) -> queryset.
    search_takes_user: bool = False
    # Search texts for which this returns True (full ID or phone numbers) never appear in a
    # URL: the list page keeps them in the session under a search id (generic.private_search).
    private_search: Callable[[str], bool] | None = None
    # The rows of list pages and the Excel export, which show only the columns (default:
    # the record type's `queryset`): leave out the prefetches only the card and the API need.
    queryset: Callable[[], QuerySet[Any]] | None = None
    # List and API counts stop here and say "N+" (None: always the exact count).
    count_limit: int | None = None
    # The same for a list narrowed by the search box (None: count_limit): a common term's
    # matches are counted by testing rows one by one, so such counts stop sooner.
    search_count_limit: int | None = None
    # Buttons other apps add beside "New …" (e.g. "New customer + filing").
    actions: list[ListAction] = field(default_factory=list)
    # A printable (PDF) version of the list, given the list's query string.
    print_url: Any = None
    # A button at the end of each list row (the catalogue's "Borrow"): given the reader,
    # None when they have no such action, else row -> (label, address) or None for that row.
    row_action: Callable[[Any], Callable[[Any], tuple[str, str] | None] | None] | None = None

    def count_limit_for(self, search_text: str) -> int | None:
        """Where the list's count stops, given the search box's text."""
        if search_text.strip() and self.search_count_limit is not None:
            return self.search_count_limit
        return self.count_limit

    def add_action(self, action: ListAction) -> None:
        if action not in self.actions:
            self.actions.append(action)


@dataclass(frozen=True)
class DetailSpec:
    """The detail page: the fields it lists, the panels below them and its template."""

    fields: Sequence[str] = ()
    panels: Sequence[str] = ()
    # Extra template context for the panels: (request, obj) -> dict.
    context: Callable[..., dict[str, Any]] | None = None
    template: str = "generic/detail.html"
    # The attribute naming the record this one belongs to (a contact's "customer"): its
    # detail page leads back there.
    parent: str = ""


@dataclass(frozen=True)
class EditSpec:
    """The create and edit pages: forms, template and the service functions that save."""

    form: type[ModelForm[Any]]
    # The create page's form (default: `form`).
    create_form: type[ModelForm[Any]] | None = None
    # Forms that depend on who fills them in receive `user` (choices, defaults, locked fields).
    takes_user: bool = False
    template: str = "generic/form.html"
    # Service hooks; the defaults in generic.services do a plain audited save.
    create: Callable[..., Model] | None = None
    update: Callable[..., Model] | None = None


@dataclass(frozen=True)
class ApiSpec:
    """The record type's API endpoint."""

    serializer: type[ModelSerializer[Any]]
    writable: bool = True
    # The API's rows (default: the record type's `queryset`): what the serializer reads.
    queryset: Callable[[], QuerySet[Any]] | None = None


@dataclass(frozen=True)
class Nav:
    """The record type's item in the side menu (kehu.core.context_processors.NAVIGATION places
    it): its label and icon, and the action whose permission shows it."""

    label: Any
    icon: str = "list"
    permission: str = "view"


@dataclass
class RecordType:
    """One model's generated pages, export and API. Reads of personal data are audited as
    kehu.core.masking declares (`masking.register_reads`)."""

    model: type[Model]
    slug: str
    listing: ListSpec
    edit: EditSpec
    api: ApiSpec
    detail: DetailSpec = field(default_factory=DetailSpec)
    # None: reached from other pages (a customer's card), not from the menu.
    nav: Nav | None = None
    # The rows of the detail and edit pages (default: the model's manager).
    queryset: Callable[[], QuerySet[Any]] | None = None

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
        return self.listing.count_limit_for(search_text)

    def apply_search(self, queryset: QuerySet[Any], text: str, user: Any = None) -> QuerySet[Any]:
        spec = self.listing
        if spec.search is not None and spec.search_takes_user:
            return spec.search(queryset, text, user)
        if spec.search is not None:
            return spec.search(queryset, text)
        from kehu.generic.listing import search

        return search(queryset, spec.search_fields, text)

    def base_queryset(self) -> QuerySet[Any]:
        return self.queryset() if self.queryset else self.model._default_manager.all()

    def api_base_queryset(self) -> QuerySet[Any]:
        return self.api.queryset() if self.api.queryset else self.base_queryset()

    def list_base_queryset(self) -> QuerySet[Any]:
        return self.listing.queryset() if self.listing.queryset else self.base_queryset()

    def field_label(self, name: str) -> Any:
        field = self.model._meta.get_field(name.split(".")[0])
        return getattr(field, "verbose_name", name)

    def column_label(self, column: Column) -> Any:
        return column.label or self.field_label(column.name)

    @property
    def audits_reads(self) -> bool:
        """Whether reads of some of this type's objects are audit events."""
        return masking.read_audit_of(self.model) is not None

    def reads_audited(self, obj: Model) -> bool:
        return masking.reads_audited(obj)

    def record_read(self, obj: Model, via: str) -> None:
        """Record a read of `obj` when it holds personal data (AUD-1)."""
        if masking.reads_audited(obj):
            require_declared(via)  # a single record's page asks for the purpose first
            record(f"{self.label}.read", obj, extra={"via": via})

    def record_list_read(self, rows: Iterable[Any], via: str) -> None:
        """Record one read of a list page's (or an API page's) rows that hold personal data:
        a single event naming their ids, not one per row, and none when no row does."""
        self.record_reads(self.reads_in(rows), via)

    def reads_in(self, rows: Iterable[Any]) -> list[Any]:
        """The ids of the rows whose reads are audited (`masking.register_reads`)."""
        audited = masking.read_audit_of(self.model)
        if audited is None:
            return []
        return [row.pk for row in rows if audited(row)]

    def record_reads(self, ids: list[Any], via: str) -> None:
        if ids:
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
