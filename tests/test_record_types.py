"""The standard tests every registered record type gets: list (search, sort, keyset pages,
htmx partial), export, detail, create/edit (one-time token, optimistic locking, validation),
permissions, scope, and the API. A new record type is covered by registering it and adding
its entry to tests/record_type_samples.py: sample form data and, unless the defaults fit, the
users who act as editor, outsider and scoped reader and the fields to edit and search by.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django import forms
from django.db.models import Model, QuerySet
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kehu.api.services import create_token
from kehu.audit.models import AuditEvent
from kehu.core import policy
from kehu.core.context_processors import NAVIGATION
from kehu.core.models import User
from kehu.generic import cells, registry, services
from kehu.generic.export import columns_for
from kehu.generic.registry import RecordType
from tests.record_type_samples import SAMPLES, Samples

# The demo data is loaded once per module (see conftest.py); each test rolls back.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

TYPES = registry.all_types()
PAGE = 25
EXTRA_ROWS = 45  # at least; with the demo's rows: three pages of 25
ROLES = ("editor", "outsider", "scoped")


def by_slug(rt: RecordType) -> str:
    return rt.slug


parametrize_types = pytest.mark.parametrize("rt", TYPES, ids=by_slug)


# --- helpers ---------------------------------------------------------------------------


def url(rt: RecordType, view: str, *args: Any) -> str:
    return reverse(rt.url_name(view), args=args)


def perm(rt: RecordType, action: str) -> str:
    return policy.perm_name(rt.model, action)


def samples(rt: RecordType) -> Samples:
    return SAMPLES[rt.slug]


def users_of(rt: RecordType) -> dict[str, str]:
    return samples(rt).users


def unit_scoped(rt: RecordType) -> bool:
    """Whether the type's rows belong to units, so that a reader sees part of them; types
    that are not say so explicitly (the tests then check that every reader sees all)."""
    return samples(rt).unit_scoped


def form_kwargs(rt: RecordType, user: User) -> dict[str, Any]:
    """What the views pass to the type's forms besides the data (the acting user, if any)."""
    return {"user": user} if rt.edit.takes_user else {}


def sample(rt: RecordType, user: User) -> dict[str, Any]:
    """Valid form data for a new record that `user` may submit."""
    data = samples(rt).data
    return data(user) if rt.edit.takes_user else data()


def create_rows(rt: RecordType, count: int, user: User) -> list[Model]:
    """`count` new records, through the create form `user` would fill in and the services."""
    form_class = rt.edit.create_form or rt.edit.form
    created = []
    for _n in range(count):
        form = form_class(data=sample(rt, user), **form_kwargs(rt, user))
        assert form.is_valid(), form.errors
        created.append(services.create_from_form(rt, form, user_id=user.pk))
    return created


def spread_rows(rt: RecordType, demo: dict[str, User], count: int) -> list[Model]:
    """`count` records by the editor and, if the type names one, `count` by the user who
    works where the scoped user cannot see."""
    created = create_rows(rt, count, demo[users_of(rt)["editor"]])
    if "elsewhere" in users_of(rt):
        created += create_rows(rt, count, demo[users_of(rt)["elsewhere"]])
    return created


def scoped(rt: RecordType, user: User, action: str = "view") -> QuerySet[Any]:
    return policy.scope(user, rt.base_queryset(), action)


def visible(rt: RecordType, user: User, action: str = "view") -> set[int]:
    return set(scoped(rt, user, action).values_list("pk", flat=True))


def search_field(rt: RecordType) -> str:
    """A field whose value the type's search finds its record by."""
    fields = rt.listing.search_fields
    name = samples(rt).search_field or (fields[0] if fields else "")
    assert name, f"{rt.slug}: no search_fields and no search_field in its samples"
    return str(name)


def needle_of(rt: RecordType, obj: Model) -> str:
    return str(getattr(obj, search_field(rt)))


def searched(rt: RecordType, user: User, needle: str) -> set[int]:
    """What the type's search (custom or over `search_fields`) finds among `user`'s rows."""
    return set(rt.apply_search(scoped(rt, user), needle).values_list("pk", flat=True))


def expected_order(rt: RecordType, user: User, sort: str) -> list[int]:
    field = sort.lstrip("-")
    sign = "-" if sort.startswith("-") else ""
    order = [f"{sign}pk"] if field == "pk" else [sort, f"{sign}pk"]
    return list(scoped(rt, user).order_by(*order).values_list("pk", flat=True))


def page_pks(response: Any) -> list[int]:
    assert response.status_code == 200
    return [row.pk for row in response.context["page"].rows]


def walk_pages(client: Client, rt: RecordType, sort: str, size: int = PAGE) -> list[list[int]]:
    """Follow the next-page cursors from the first page to the last, then the previous-page
    cursors back to the first; both ways must give the same pages. (htmx requests: the same
    view and rows, without rendering the filter form around the table each time.)"""

    def get(**params: Any) -> Any:
        query = {"sort": sort, "size": size, **params}
        response = client.get(url(rt, "list"), query, HTTP_HX_REQUEST="true")
        return page_pks(response), response.context["page"]

    rows, page = get()
    assert page.prev_cursor is None
    pages = [rows]
    while page.next_cursor is not None:
        rows, page = get(after=page.next_cursor)
        pages.append(rows)
        assert len(pages) < 100, "paging does not end"
    back = [rows]
    while page.prev_cursor is not None:
        rows, page = get(before=page.prev_cursor)
        back.append(rows)
        assert len(back) <= len(pages), "paging back does not end"
    assert list(reversed(back)) == pages, f"{sort}: previous pages differ from next pages"
    return pages


def edit_data(rt: RecordType, obj: Model, user: User) -> dict[str, Any]:
    """What `user`'s edit form posts unchanged: every field's current value and the version."""
    form = rt.edit.form(instance=obj, **form_kwargs(rt, user))
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "" if value is None else value
    data["_version"] = obj.version  # type: ignore[attr-defined]
    return data


def text_field(rt: RecordType, user: User) -> str:
    """A required plain text field of the edit form, to change or to blank out."""
    form = rt.edit.form(**form_kwargs(rt, user))
    declared = samples(rt).text_field
    for name, field in form.fields.items():
        wanted = name == declared or (declared is None and name in rt.listing.search_fields)
        if wanted and type(field) is forms.CharField and field.required:
            return name
    raise AssertionError(f"{rt.slug}: no required text field to edit ({declared=})")


def out_of_scope(rt: RecordType, user: User) -> Model:
    outside = rt.base_queryset().exclude(pk__in=scoped(rt, user).values("pk")).first()
    assert outside is not None, f"{rt.slug}: no row outside {user}'s scope"
    return outside


# The type's test users (`rt` is the test's parameter) and clients signed in as them.


@pytest.fixture
def editor(demo: dict[str, User], rt: RecordType) -> User:
    return demo[users_of(rt)["editor"]]


@pytest.fixture
def outsider(demo: dict[str, User], rt: RecordType) -> User:
    return demo[users_of(rt)["outsider"]]


@pytest.fixture
def reader(demo: dict[str, User], rt: RecordType) -> User:
    """The "scoped" user: sees part of the rows (all, if not unit-scoped), changes nothing."""
    return demo[users_of(rt)["scoped"]]


@pytest.fixture
def as_editor(client_for: Callable[[str], Client], editor: User) -> Client:
    return client_for(editor.username)


@pytest.fixture
def as_outsider(client_for: Callable[[str], Client], outsider: User) -> Client:
    return client_for(outsider.username)


@pytest.fixture
def as_reader(client_for: Callable[[str], Client], reader: User) -> Client:
    return client_for(reader.username)


# --- the declarations ------------------------------------------------------------------


def test_every_record_type_can_be_tested(demo: dict[str, User]) -> None:
    assert {rt.slug for rt in TYPES} >= {
        "units",
        "users",
        "customers",
        "contacts",
        "bank-accounts",
        "classification-dimensions",
        "classification-values",
    }
    for rt in TYPES:
        assert rt.slug in SAMPLES, f"{rt.slug} has no entry in tests/record_type_samples.py"
        assert any(c.sort for c in rt.listing.columns), f"{rt.slug} has no sortable column"
        assert set(ROLES) <= set(users_of(rt)), f"{rt.slug}: its test users lack a role"
        unknown = set(users_of(rt).values()) - set(demo)
        assert not unknown, f"{rt.slug}: its test users name no demo user {unknown}"
        users = {role: demo[name] for role, name in users_of(rt).items()}
        editor, outsider, reader = (users[role] for role in ROLES)
        # The roles hold the permissions the tests rely on, so the tests mean what they say.
        for action in ("view", "add", "change", "export"):
            assert policy.has_perm(editor, perm(rt, action)), f"{rt.slug}: editor {action}"
            assert not policy.has_perm(outsider, perm(rt, action)), f"{rt.slug}: outsider"
        assert policy.has_perm(reader, perm(rt, "view")), f"{rt.slug}: scoped cannot view"
        for action in ("add", "change"):
            assert not policy.has_perm(reader, perm(rt, action)), f"{rt.slug}: scoped {action}"
        if "elsewhere" in users:
            assert policy.has_perm(users["elsewhere"], perm(rt, "add")), rt.slug
        search_field(rt)
        text_field(rt, editor)


def test_the_menu_lists_every_record_type_with_a_nav() -> None:
    listed = [entry for _title, items in NAVIGATION for entry in items if isinstance(entry, str)]
    assert sorted(listed) == sorted(rt.slug for rt in TYPES if rt.nav is not None)


# --- list ------------------------------------------------------------------------------


@parametrize_types
def test_list_shows_rows(as_editor: Client, editor: User, rt: RecordType) -> None:
    create_rows(rt, 2, editor)
    response = as_editor.get(url(rt, "list"))
    assert response.status_code == 200
    assert "generic/list.html" in [t.name for t in response.templates]
    rows = page_pks(response)
    assert rows
    assert response.context["page"].total == scoped(rt, editor).count()
    html = response.content.decode()
    for pk in rows:
        assert f'href="{url(rt, "list")}{pk}/"' in html


@parametrize_types
def test_list_search(as_editor: Client, editor: User, rt: RecordType) -> None:
    created = create_rows(rt, 3, editor)
    needle = needle_of(rt, created[1])
    response = as_editor.get(url(rt, "list"), {"q": needle, "size": 200})
    found = page_pks(response)
    assert created[1].pk in found
    assert created[0].pk not in found
    assert set(found) == searched(rt, editor, needle)
    assert len(found) < scoped(rt, editor).count()
    none = as_editor.get(url(rt, "list"), {"q": "no-such-thing-anywhere-¤"})
    assert page_pks(none) == []
    assert none.context["filters_active"]


@parametrize_types
def test_list_sorts_by_every_sortable_column_and_pages_without_gaps(
    as_editor: Client, editor: User, rt: RecordType
) -> None:
    create_rows(rt, max(EXTRA_ROWS, 2 * PAGE + 5 - scoped(rt, editor).count()), editor)
    total = scoped(rt, editor).count()
    assert total > 2 * PAGE
    sorts = [c.sort for c in rt.listing.columns if c.sort]
    for sort in [*sorts, *(f"-{s}" for s in sorts)]:
        assert sort is not None
        pages = walk_pages(as_editor, rt, sort)
        assert len(pages) == -(-total // PAGE), sort
        assert all(len(page) == PAGE for page in pages[:-1]), sort
        flat = [pk for page in pages for pk in page]
        assert len(flat) == len(set(flat)), f"{sort}: a row shows on two pages"
        assert flat == expected_order(rt, editor, sort), f"{sort}: wrong order or rows lost"


@parametrize_types
def test_unknown_sort_and_bad_cursor_fall_back(
    as_editor: Client, editor: User, rt: RecordType
) -> None:
    create_rows(rt, 3, editor)
    default = page_pks(as_editor.get(url(rt, "list")))
    assert default
    assert page_pks(as_editor.get(url(rt, "list"), {"sort": "password"})) == default
    assert page_pks(as_editor.get(url(rt, "list"), {"after": "%%%not-a-cursor"})) == default
    assert page_pks(as_editor.get(url(rt, "list"), {"size": "lots"})) == default


@parametrize_types
def test_htmx_request_gets_the_table_only(as_editor: Client, editor: User, rt: RecordType) -> None:
    create_rows(rt, 1, editor)
    response = as_editor.get(url(rt, "list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "generic/_table.html" in names
    assert "generic/list.html" not in names
    assert "base.html" not in names
    assert b"<html" not in response.content
    assert page_pks(response)


# --- export ----------------------------------------------------------------------------


def exported_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


@parametrize_types
def test_export_names_the_exporter_and_is_audited(
    as_editor: Client, editor: User, rt: RecordType
) -> None:
    created = create_rows(rt, 2, editor)
    needle = needle_of(rt, created[0])
    expected = len(searched(rt, editor, needle) & visible(rt, editor, "export"))
    assert expected >= 1
    response = as_editor.get(url(rt, "export"), {"q": needle}, REMOTE_ADDR="10.4.4.4")
    rows = exported_rows(response)
    assert response["Content-Disposition"].startswith(f'attachment; filename="{rt.slug}-')
    assert editor.username in str(rows[0][0])
    assert str(editor) in str(rows[0][0])
    assert len(rows) == 2 + expected  # the exporter line, the header, the data
    # CORE columns (a bank account number) are left out for an exporter who may not reveal them.
    columns = [(c.name, str(rt.column_label(c))) for c in rt.listing.columns]
    assert len(rows[1]) == len(columns_for(rt.model, columns, editor))

    event = AuditEvent.objects.get(action=f"{rt.label}.export")
    assert (event.actor_username, event.source_ip) == (editor.username, "10.4.4.4")
    assert event.extra["rows"] == expected
    assert event.extra["filters"] == {"q": needle}


@parametrize_types
def test_export_needs_the_export_permission(
    client_for: Callable[[str], Client], outsider: User, reader: User, rt: RecordType
) -> None:
    refused = [u for u in (outsider, reader) if not policy.has_perm(u, perm(rt, "export"))]
    assert outsider in refused
    for user in refused:
        assert client_for(user.username).get(url(rt, "export")).status_code == 403
    assert not AuditEvent.objects.filter(action=f"{rt.label}.export").exists()


@parametrize_types
def test_export_holds_only_the_rows_in_scope(
    demo: dict[str, User], as_reader: Client, reader: User, rt: RecordType
) -> None:
    """A scoped reader that may export exports its rows, not the others."""
    if not policy.has_perm(reader, perm(rt, "export")):
        pytest.skip(f"{reader} may not export {rt.slug} (refusal tested above)")
    spread_rows(rt, demo, 2)
    expected = scoped(rt, reader, "export") & scoped(rt, reader)
    rows = exported_rows(as_reader.get(url(rt, "export")))
    assert len(rows) == 2 + expected.count()
    if unit_scoped(rt):
        assert expected.count() < rt.base_queryset().count()
        first = rt.listing.columns[0].name  # the link column, e.g. a name
        outside = str(cells.cell_value(out_of_scope(rt, reader), first))
        assert outside not in [str(row[0]) for row in rows[2:]]


# --- detail, create, edit --------------------------------------------------------------


def open_create_form(client: Client, rt: RecordType) -> str:
    response = client.get(url(rt, "add"))
    assert response.status_code == 200
    token = response.context["token"]
    assert token
    return str(token)


@parametrize_types
def test_create_via_the_form_then_detail_with_history(
    as_editor: Client, editor: User, rt: RecordType
) -> None:
    token = open_create_form(as_editor, rt)
    data = {**sample(rt, editor), "_submission": token}
    before = rt.model._default_manager.count()
    response = as_editor.post(url(rt, "add"), data)
    assert response.status_code == 302
    assert rt.model._default_manager.count() == before + 1
    obj = rt.model._default_manager.order_by("-pk").first()
    assert obj is not None
    assert response["Location"] == url(rt, "detail", obj.pk)
    event = AuditEvent.objects.get(action=f"{rt.label}.create", object_id=str(obj.pk))
    assert event.actor_username == editor.username
    assert event.changes  # the new values, as [None, value] pairs
    assert all(before is None for before, _after in event.changes.values())

    detail = as_editor.get(response["Location"])
    assert detail.status_code == 200
    assert detail.context["obj"].pk == obj.pk
    assert event.pk in [e.pk for e in detail.context["history"]]


@parametrize_types
def test_same_form_submitted_twice_creates_one_object(
    as_editor: Client, editor: User, rt: RecordType
) -> None:
    token = open_create_form(as_editor, rt)
    data = {**sample(rt, editor), "_submission": token}
    before = rt.model._default_manager.count()
    creates = AuditEvent.objects.filter(action=f"{rt.label}.create")
    created_before = creates.count()
    first = as_editor.post(url(rt, "add"), data)
    assert first.status_code == 302
    second = as_editor.post(url(rt, "add"), data)
    assert rt.model._default_manager.count() == before + 1
    assert creates.count() == created_before + 1
    # The second submission leads to the object the first one created.
    assert second.status_code == 302
    assert second["Location"] == first["Location"]


@parametrize_types
def test_new_form_gets_a_new_token(as_editor: Client, rt: RecordType) -> None:
    assert open_create_form(as_editor, rt) != open_create_form(as_editor, rt)


@parametrize_types
def test_invalid_create_saves_nothing(as_editor: Client, editor: User, rt: RecordType) -> None:
    token = open_create_form(as_editor, rt)
    data = sample(rt, editor)
    before = rt.model._default_manager.count()
    events = AuditEvent.objects.count()
    response = as_editor.post(url(rt, "add"), {"_submission": token})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert rt.model._default_manager.count() == before
    assert AuditEvent.objects.count() == events
    # The token was not used up: the corrected form still goes through.
    fixed = as_editor.post(url(rt, "add"), {**data, "_submission": token})
    assert fixed.status_code == 302


@parametrize_types
def test_edit_saves_and_records_the_change(as_editor: Client, editor: User, rt: RecordType) -> None:
    (obj,) = create_rows(rt, 1, editor)
    field = text_field(rt, editor)
    assert as_editor.get(url(rt, "edit", obj.pk)).status_code == 200
    data = edit_data(rt, obj, editor)
    old = data[field]
    data[field] = f"{old}x"
    response = as_editor.post(url(rt, "edit", obj.pk), data)
    assert response.status_code == 302
    assert response["Location"] == url(rt, "detail", obj.pk)
    obj.refresh_from_db()
    assert getattr(obj, field) == f"{old}x"
    assert obj.version == data["_version"] + 1  # type: ignore[attr-defined]
    event = AuditEvent.objects.filter(action=f"{rt.label}.update", object_id=str(obj.pk)).get()
    assert event.actor_username == editor.username
    assert event.changes == {field: [old, f"{old}x"]}

    # Saving the unchanged form bumps nothing into the audit log.
    unchanged = as_editor.post(url(rt, "edit", obj.pk), edit_data(rt, obj, editor))
    assert unchanged.status_code == 302
    assert AuditEvent.objects.filter(action=f"{rt.label}.update").count() == 1


@parametrize_types
def test_stale_edit_is_refused_with_409(as_editor: Client, editor: User, rt: RecordType) -> None:
    (obj,) = create_rows(rt, 1, editor)
    field = text_field(rt, editor)
    opened_by_b = edit_data(rt, obj, editor)  # B opens the form ...
    by_a = edit_data(rt, obj, editor)
    by_a[field] = f"{by_a[field]}a"
    assert as_editor.post(url(rt, "edit", obj.pk), by_a).status_code == 302  # ... A saves first
    obj.refresh_from_db()
    saved = (getattr(obj, field), obj.version)  # type: ignore[attr-defined]
    updates = AuditEvent.objects.filter(action=f"{rt.label}.update").count()

    opened_by_b[field] = f"{opened_by_b[field]}b"
    response = as_editor.post(url(rt, "edit", obj.pk), opened_by_b)
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()
    assert str(response.context["version"]) == str(opened_by_b["_version"])
    obj.refresh_from_db()
    assert (getattr(obj, field), obj.version) == saved  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action=f"{rt.label}.update").count() == updates


@parametrize_types
def test_invalid_edit_changes_nothing(as_editor: Client, editor: User, rt: RecordType) -> None:
    (obj,) = create_rows(rt, 1, editor)
    field = text_field(rt, editor)
    before = getattr(obj, field)
    data = edit_data(rt, obj, editor)
    data[field] = ""
    response = as_editor.post(url(rt, "edit", obj.pk), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    obj.refresh_from_db()
    assert getattr(obj, field) == before
    assert obj.version == data["_version"]  # type: ignore[attr-defined]


@parametrize_types
def test_missing_object_is_404(as_editor: Client, rt: RecordType) -> None:
    assert as_editor.get(url(rt, "detail", 999999)).status_code == 404
    assert as_editor.get(url(rt, "edit", 999999)).status_code == 404


# --- permissions and scope -------------------------------------------------------------


@parametrize_types
def test_no_permission_is_403(
    as_outsider: Client, outsider: User, editor: User, rt: RecordType
) -> None:
    """The outsider holds no permission on the type at all."""
    create_rows(rt, 1, editor)
    obj = rt.base_queryset().first()
    assert obj is not None
    data = sample(rt, editor)
    count = rt.model._default_manager.count()
    client = as_outsider
    assert client.get(url(rt, "list")).status_code == 403
    assert client.get(url(rt, "add")).status_code == 403
    assert client.post(url(rt, "add"), data).status_code == 403
    assert client.get(url(rt, "edit", obj.pk)).status_code == 403
    assert client.post(url(rt, "edit", obj.pk), edit_data(rt, obj, editor)).status_code == 403
    assert client.get(url(rt, "detail", obj.pk)).status_code == 403
    assert rt.model._default_manager.count() == count


@parametrize_types
def test_scoped_reader_sees_its_rows_and_changes_nothing(
    demo: dict[str, User], as_reader: Client, reader: User, editor: User, rt: RecordType
) -> None:
    spread_rows(rt, demo, 2)
    inside = scoped(rt, reader).order_by("-pk").first()
    assert inside is not None
    listed = page_pks(as_reader.get(url(rt, "list"), {"size": 200}))
    assert set(listed) == visible(rt, reader)
    if not unit_scoped(rt):  # then the reader sees every row
        assert set(listed) == set(rt.base_queryset().values_list("pk", flat=True))
    count = rt.model._default_manager.count()
    assert as_reader.get(url(rt, "detail", inside.pk)).status_code == 200
    assert as_reader.get(url(rt, "edit", inside.pk)).status_code == 403
    data = edit_data(rt, inside, editor)
    assert as_reader.post(url(rt, "edit", inside.pk), data).status_code == 403
    assert as_reader.get(url(rt, "add")).status_code == 403
    assert as_reader.post(url(rt, "add"), sample(rt, editor)).status_code == 403
    assert rt.model._default_manager.count() == count
    inside.refresh_from_db()
    assert inside.version == data["_version"]  # type: ignore[attr-defined]


@parametrize_types
def test_objects_outside_the_scope_are_404(
    demo: dict[str, User], as_reader: Client, reader: User, rt: RecordType
) -> None:
    if not unit_scoped(rt):
        pytest.skip(f"{rt.slug} is not unit-scoped: every reader sees every row")
    spread_rows(rt, demo, 2)
    outside = out_of_scope(rt, reader)
    listed = page_pks(as_reader.get(url(rt, "list"), {"size": 200}))
    assert listed
    assert set(listed) == visible(rt, reader)
    assert outside.pk not in listed
    assert as_reader.get(url(rt, "detail", outside.pk)).status_code == 404
    assert as_reader.get(url(rt, "edit", outside.pk)).status_code == 404


# --- API -------------------------------------------------------------------------------


def api_client(user: User) -> Client:
    _token, raw = create_token(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def api_url(rt: RecordType, pk: Any = None) -> str:
    return f"/api/v1/{rt.slug}/" if pk is None else f"/api/v1/{rt.slug}/{pk}/"


def api_ids(client: Client, rt: RecordType, **params: Any) -> list[int]:
    """Every id the API lists, following the `next` links."""
    ids: list[int] = []
    response = client.get(api_url(rt), {"size": PAGE, **params})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [item["id"] for item in body["results"]]
        if not body["next"]:
            break
        parts = urlsplit(body["next"])
        assert parts.path == api_url(rt)
        response = client.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})
    assert body["count"] == len(ids)
    return ids


@parametrize_types
def test_api_lists_what_the_policy_allows(demo: dict[str, User], rt: RecordType) -> None:
    """Every demo user: the rows of its scope, or 403 without the view permission."""
    spread_rows(rt, demo, 30)
    seen: dict[str, set[int]] = {}
    for username, user in sorted(demo.items()):
        client = api_client(user)
        if not policy.has_perm(user, perm(rt, "view")):
            assert client.get(api_url(rt)).status_code == 403, username
            continue
        ids = api_ids(client, rt)
        assert len(ids) == len(set(ids)), username
        assert set(ids) == visible(rt, user), username
        seen[username] = set(ids)
    assert {users_of(rt)["editor"], users_of(rt)["scoped"]} <= set(seen)
    assert users_of(rt)["outsider"] not in seen
    everything = set(rt.base_queryset().values_list("pk", flat=True))
    if unit_scoped(rt):
        assert seen[users_of(rt)["scoped"]] < everything


@parametrize_types
def test_api_filters(editor: User, rt: RecordType) -> None:
    created = create_rows(rt, 3, editor)
    client = api_client(editor)
    needle = needle_of(rt, created[2])
    found = api_ids(client, rt, q=needle)
    assert created[2].pk in found
    assert created[0].pk not in found
    assert set(found) == searched(rt, editor, needle)

    if "is_active" in rt.listing.filterset.base_filters:
        rt.model._default_manager.filter(pk=created[0].pk).update(is_active=False)
        rt.model._default_manager.filter(pk=created[1].pk).update(is_active=True)
        inactive = scoped(rt, editor).filter(is_active=False).values_list("pk", flat=True)
        assert set(api_ids(client, rt, is_active="false")) == set(inactive)
        active = set(api_ids(client, rt, is_active="true"))
        assert created[1].pk in active
        assert created[0].pk not in active
        assert active == set(scoped(rt, editor).filter(is_active=True).values_list("pk", flat=True))


@parametrize_types
def test_api_detail_and_scope(demo: dict[str, User], reader: User, rt: RecordType) -> None:
    spread_rows(rt, demo, 1)
    client = api_client(reader)
    inside = scoped(rt, reader).order_by("-pk").first()
    assert inside is not None
    response = client.get(api_url(rt, inside.pk))
    assert response.status_code == 200
    assert response.json()["id"] == inside.pk
    assert client.get(api_url(rt, 999999)).status_code == 404
    if unit_scoped(rt):
        assert client.get(api_url(rt, out_of_scope(rt, reader).pk)).status_code == 404
    else:  # not unit-scoped: the reader sees every row
        assert visible(rt, reader) == set(rt.base_queryset().values_list("pk", flat=True))


@parametrize_types
def test_api_refuses_the_unauthorised(outsider: User, rt: RecordType) -> None:
    assert Client().get(api_url(rt)).status_code == 401
    bad = Client(HTTP_AUTHORIZATION="Bearer kh_not-a-real-token")
    assert bad.get(api_url(rt)).status_code == 401
    assert api_client(outsider).get(api_url(rt)).status_code == 403


WRITABLE = [rt for rt in TYPES if rt.api.writable]


@pytest.mark.parametrize("rt", WRITABLE, ids=by_slug)
def test_api_create_and_update(editor: User, rt: RecordType) -> None:
    client = api_client(editor)
    response = client.post(api_url(rt), sample(rt, editor), content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    obj = rt.model._default_manager.get(pk=created["id"])
    event = AuditEvent.objects.get(action=f"{rt.label}.create", object_id=str(obj.pk))
    assert event.actor_username == editor.username

    field = text_field(rt, editor)
    payload = {k: v for k, v in created.items() if k != "id"}
    payload[field] = f"{payload[field]}x"

    missing = {k: v for k, v in payload.items() if k != "version"}
    response = client.put(api_url(rt, obj.pk), missing, content_type="application/json")
    assert response.status_code == 400
    assert "version" in response.json()

    stale = {**payload, "version": created["version"] - 1}
    response = client.put(api_url(rt, obj.pk), stale, content_type="application/json")
    assert response.status_code == 409
    obj.refresh_from_db()
    assert getattr(obj, field) == created[field]
    assert obj.version == created["version"]  # type: ignore[attr-defined]

    response = client.put(api_url(rt, obj.pk), payload, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == created["version"] + 1
    obj.refresh_from_db()
    assert getattr(obj, field) == payload[field]
    update = AuditEvent.objects.get(action=f"{rt.label}.update", object_id=str(obj.pk))
    assert update.changes == {field: [created[field], payload[field]]}
    assert update.actor_username == editor.username

    invalid = client.post(api_url(rt), {}, content_type="application/json")
    assert invalid.status_code == 400


@pytest.mark.parametrize("rt", WRITABLE, ids=by_slug)
def test_api_writes_need_permission(
    editor: User, outsider: User, reader: User, rt: RecordType
) -> None:
    (obj,) = create_rows(rt, 1, editor)
    data = sample(rt, editor)
    count = rt.model._default_manager.count()
    for user in (reader, outsider):
        client = api_client(user)
        response = client.post(api_url(rt), data, content_type="application/json")
        assert response.status_code == 403, user
        payload = {"version": obj.version}  # type: ignore[attr-defined]
        response = client.put(api_url(rt, obj.pk), payload, content_type="application/json")
        assert response.status_code == 403, user
    assert rt.model._default_manager.count() == count
    obj.refresh_from_db()
    assert obj.version == payload["version"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("rt", [rt for rt in TYPES if not rt.api.writable], ids=by_slug)
def test_api_read_only_types_refuse_writes(editor: User, rt: RecordType) -> None:
    client = api_client(editor)
    obj = rt.base_queryset().first()
    assert obj is not None
    count = rt.model._default_manager.count()
    assert client.post(api_url(rt), {}, content_type="application/json").status_code == 405
    assert client.put(api_url(rt, obj.pk), {}, content_type="application/json").status_code == 405
    assert client.delete(api_url(rt, obj.pk)).status_code == 405
    assert rt.model._default_manager.count() == count


# --- hostile filter values ----------------------------------------------------------------

HOSTILE_VALUES = ("99999999999999999999", "1e30", "-6e22", "0", "-1", "1.5", "abc", "\x00")


@parametrize_types
def test_hostile_filter_values_are_refused_or_ignored_never_a_server_error(
    as_editor: Client, editor: User, rt: RecordType
) -> None:
    """Numbers out of every column's range, exponents, NUL: each filter of the page and of the
    API answers 200 or 400, never a server error."""
    client = api_client(editor)
    for name in rt.listing.filterset.base_filters:
        for value in HOSTILE_VALUES:
            page = as_editor.get(url(rt, "list"), {name: value})
            assert page.status_code in (200, 400), (name, value, page.status_code)
            api = client.get(api_url(rt), {name: value})
            assert api.status_code in (200, 400), (name, value, api.status_code)
