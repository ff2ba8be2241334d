"""The standard tests every registered record type gets: list (search, sort, keyset pages,
htmx partial), export, detail, create/edit (one-time token, optimistic locking, validation),
permissions, and the API. A new record type is covered by registering it with `sample_data`."""

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
from kehu.core.models import User
from kehu.records import listing, registry, services
from kehu.records.registry import RecordType

# The demo data is loaded once per module (see conftest.py); each test rolls back.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

TYPES = registry.all_types()
EXTRA_ROWS = 45  # with the demo's rows: three pages of 25


def by_slug(rt: RecordType) -> str:
    return rt.slug


parametrize_types = pytest.mark.parametrize("rt", TYPES, ids=by_slug)


def test_every_record_type_can_be_tested() -> None:
    assert {rt.slug for rt in TYPES} >= {"units", "users"}
    for rt in TYPES:
        assert rt.sample_data is not None, f"{rt.slug} declares no sample_data"
        assert any(c.sort for c in rt.columns), f"{rt.slug} has no sortable column"


# --- helpers ---------------------------------------------------------------------------


def url(rt: RecordType, view: str, *args: Any) -> str:
    return reverse(rt.url_name(view), args=args)


def sample(rt: RecordType) -> dict[str, Any]:
    assert rt.sample_data is not None
    return rt.sample_data()


def create_rows(rt: RecordType, count: int) -> list[Model]:
    form_class = rt.create_form or rt.form
    created = []
    for _n in range(count):
        form = form_class(data=sample(rt))
        assert form.is_valid(), form.errors
        created.append(services.create_from_form(rt, form))
    return created


def scoped(rt: RecordType, user: User) -> QuerySet[Any]:
    return policy.scope(user, rt.base_queryset())


def expected_order(rt: RecordType, user: User, sort: str) -> list[int]:
    field = sort.lstrip("-")
    sign = "-" if sort.startswith("-") else ""
    order = [f"{sign}pk"] if field == "pk" else [sort, f"{sign}pk"]
    return list(scoped(rt, user).order_by(*order).values_list("pk", flat=True))


def page_pks(response: Any) -> list[int]:
    assert response.status_code == 200
    return [row.pk for row in response.context["page"].rows]


def walk_pages(client: Client, rt: RecordType, sort: str, size: int = 25) -> list[list[int]]:
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


def edit_data(rt: RecordType, obj: Model) -> dict[str, Any]:
    """What the edit form posts unchanged: every field's current value and the version."""
    form = rt.form(instance=obj)
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


def text_field(rt: RecordType) -> str:
    """A required plain text field of the edit form, to change or to blank out."""
    form = rt.form()
    for name, field in form.fields.items():
        if type(field) is forms.CharField and field.required and name in rt.search_fields:
            return name
    raise AssertionError(f"{rt.slug}: no required text field to edit")


def out_of_scope(rt: RecordType, user: User) -> Model:
    outside = rt.base_queryset().exclude(pk__in=scoped(rt, user).values("pk")).first()
    assert outside is not None
    return outside


@pytest.fixture
def admin(client_for: Callable[[str], Client]) -> Client:
    return client_for("admin")


@pytest.fixture
def admin_user(demo: dict[str, User]) -> User:
    return demo["admin"]


# --- list ------------------------------------------------------------------------------


@parametrize_types
def test_list_shows_rows(admin: Client, admin_user: User, rt: RecordType) -> None:
    response = admin.get(url(rt, "list"))
    assert response.status_code == 200
    assert "records/list.html" in [t.name for t in response.templates]
    rows = page_pks(response)
    assert rows
    assert response.context["page"].total == scoped(rt, admin_user).count()
    html = response.content.decode()
    for pk in rows:
        assert f'href="{url(rt, "list")}{pk}/"' in html


@parametrize_types
def test_list_search(admin: Client, admin_user: User, rt: RecordType) -> None:
    created = create_rows(rt, 3)
    field = rt.search_fields[0]
    needle = str(getattr(created[1], field))
    response = admin.get(url(rt, "list"), {"q": needle, "size": 200})
    found = page_pks(response)
    assert created[1].pk in found
    expected = listing.search(scoped(rt, admin_user), rt.search_fields, needle)
    assert set(found) == set(expected.values_list("pk", flat=True))
    assert len(found) < scoped(rt, admin_user).count()
    none = admin.get(url(rt, "list"), {"q": "no-such-thing-anywhere-¤"})
    assert page_pks(none) == []
    assert none.context["filters_active"]


@parametrize_types
def test_list_sorts_by_every_sortable_column_and_pages_without_gaps(
    admin: Client, admin_user: User, rt: RecordType
) -> None:
    create_rows(rt, EXTRA_ROWS)
    total = scoped(rt, admin_user).count()
    assert total > 2 * 25
    sorts = [c.sort for c in rt.columns if c.sort]
    for sort in [*sorts, *(f"-{s}" for s in sorts)]:
        assert sort is not None
        pages = walk_pages(admin, rt, sort)
        assert len(pages) == -(-total // 25), sort
        assert all(len(page) == 25 for page in pages[:-1]), sort
        flat = [pk for page in pages for pk in page]
        assert len(flat) == len(set(flat)), f"{sort}: a row shows on two pages"
        assert flat == expected_order(rt, admin_user, sort), f"{sort}: wrong order or rows lost"


@parametrize_types
def test_unknown_sort_and_bad_cursor_fall_back(admin: Client, rt: RecordType) -> None:
    default = page_pks(admin.get(url(rt, "list")))
    assert page_pks(admin.get(url(rt, "list"), {"sort": "password"})) == default
    assert page_pks(admin.get(url(rt, "list"), {"after": "%%%not-a-cursor"})) == default
    assert page_pks(admin.get(url(rt, "list"), {"size": "lots"})) == default


@parametrize_types
def test_htmx_request_gets_the_table_only(admin: Client, rt: RecordType) -> None:
    response = admin.get(url(rt, "list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "records/_table.html" in names
    assert "records/list.html" not in names
    assert "base.html" not in names
    assert b"<html" not in response.content
    assert page_pks(response)


# --- export ----------------------------------------------------------------------------


@parametrize_types
def test_export_names_the_exporter_and_is_audited(
    admin: Client, admin_user: User, rt: RecordType
) -> None:
    created = create_rows(rt, 2)
    needle = str(getattr(created[0], rt.search_fields[0]))
    expected = listing.search(scoped(rt, admin_user), rt.search_fields, needle).count()
    response = admin.get(url(rt, "export"), {"q": needle}, REMOTE_ADDR="10.4.4.4")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert response["Content-Disposition"].startswith(f'attachment; filename="{rt.slug}-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert "admin" in str(rows[0][0])
    assert str(admin_user) in str(rows[0][0])
    assert len(rows) == 2 + expected  # the exporter line, the header, the data
    assert len(rows[1]) == len(rt.columns)

    event = AuditEvent.objects.get(action=f"{rt.label}.export")
    assert (event.actor_username, event.source_ip) == ("admin", "10.4.4.4")
    assert event.extra["rows"] == expected
    assert event.extra["filters"] == {"q": needle}


@parametrize_types
def test_export_needs_the_export_permission(
    client_for: Callable[[str], Client], demo: dict[str, User], rt: RecordType
) -> None:
    for username in ("manager1", "head_sale"):
        assert client_for(username).get(url(rt, "export")).status_code == 403
    assert not AuditEvent.objects.filter(action=f"{rt.label}.export").exists()


# --- detail, create, edit --------------------------------------------------------------


def open_create_form(client: Client, rt: RecordType) -> str:
    response = client.get(url(rt, "add"))
    assert response.status_code == 200
    token = response.context["token"]
    assert token
    return str(token)


@parametrize_types
def test_create_via_the_form_then_detail_with_history(
    admin: Client, admin_user: User, rt: RecordType
) -> None:
    token = open_create_form(admin, rt)
    before = rt.model._default_manager.count()
    response = admin.post(url(rt, "add"), {**sample(rt), "_submission": token})
    assert response.status_code == 302
    assert rt.model._default_manager.count() == before + 1
    obj = rt.model._default_manager.order_by("-pk").first()
    assert obj is not None
    assert response["Location"] == url(rt, "detail", obj.pk)
    event = AuditEvent.objects.get(action=f"{rt.label}.create", object_id=str(obj.pk))
    assert event.actor_username == "admin"
    assert event.changes  # the new values, as [None, value] pairs
    assert all(before is None for before, _after in event.changes.values())

    detail = admin.get(response["Location"])
    assert detail.status_code == 200
    assert detail.context["obj"].pk == obj.pk
    assert event.pk in [e.pk for e in detail.context["history"]]


@parametrize_types
def test_same_form_submitted_twice_creates_one_object(admin: Client, rt: RecordType) -> None:
    token = open_create_form(admin, rt)
    data = {**sample(rt), "_submission": token}
    before = rt.model._default_manager.count()
    creates = AuditEvent.objects.filter(action=f"{rt.label}.create")
    created_before = creates.count()
    first = admin.post(url(rt, "add"), data)
    assert first.status_code == 302
    second = admin.post(url(rt, "add"), data)
    assert rt.model._default_manager.count() == before + 1
    assert creates.count() == created_before + 1
    # The second submission leads to the object the first one created.
    assert second.status_code == 302
    assert second["Location"] == first["Location"]


@parametrize_types
def test_new_form_gets_a_new_token(admin: Client, rt: RecordType) -> None:
    assert open_create_form(admin, rt) != open_create_form(admin, rt)


@parametrize_types
def test_invalid_create_saves_nothing(admin: Client, rt: RecordType) -> None:
    token = open_create_form(admin, rt)
    before = rt.model._default_manager.count()
    events = AuditEvent.objects.count()
    response = admin.post(url(rt, "add"), {"_submission": token})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert rt.model._default_manager.count() == before
    assert AuditEvent.objects.count() == events
    # The token was not used up: the corrected form still goes through.
    fixed = admin.post(url(rt, "add"), {**sample(rt), "_submission": token})
    assert fixed.status_code == 302


@parametrize_types
def test_edit_saves_and_records_the_change(admin: Client, rt: RecordType) -> None:
    (obj,) = create_rows(rt, 1)
    field = text_field(rt)
    assert admin.get(url(rt, "edit", obj.pk)).status_code == 200
    data = edit_data(rt, obj)
    old = data[field]
    data[field] = f"{old}x"
    response = admin.post(url(rt, "edit", obj.pk), data)
    assert response.status_code == 302
    assert response["Location"] == url(rt, "detail", obj.pk)
    obj.refresh_from_db()
    assert getattr(obj, field) == f"{old}x"
    assert obj.version == data["_version"] + 1  # type: ignore[attr-defined]
    event = AuditEvent.objects.filter(action=f"{rt.label}.update", object_id=str(obj.pk)).get()
    assert event.changes == {field: [old, f"{old}x"]}

    # Saving the unchanged form bumps nothing into the audit log.
    unchanged = admin.post(url(rt, "edit", obj.pk), edit_data(rt, obj))
    assert unchanged.status_code == 302
    assert AuditEvent.objects.filter(action=f"{rt.label}.update").count() == 1


@parametrize_types
def test_stale_edit_is_refused_with_409(admin: Client, rt: RecordType) -> None:
    (obj,) = create_rows(rt, 1)
    field = text_field(rt)
    opened_by_b = edit_data(rt, obj)  # B opens the form ...
    by_a = edit_data(rt, obj)
    by_a[field] = f"{by_a[field]}a"
    assert admin.post(url(rt, "edit", obj.pk), by_a).status_code == 302  # ... A saves first
    obj.refresh_from_db()
    saved = (getattr(obj, field), obj.version)  # type: ignore[attr-defined]
    updates = AuditEvent.objects.filter(action=f"{rt.label}.update").count()

    opened_by_b[field] = f"{opened_by_b[field]}b"
    response = admin.post(url(rt, "edit", obj.pk), opened_by_b)
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()
    assert str(response.context["version"]) == str(opened_by_b["_version"])
    obj.refresh_from_db()
    assert (getattr(obj, field), obj.version) == saved  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action=f"{rt.label}.update").count() == updates


@parametrize_types
def test_invalid_edit_changes_nothing(admin: Client, rt: RecordType) -> None:
    (obj,) = create_rows(rt, 1)
    field = text_field(rt)
    before = getattr(obj, field)
    data = edit_data(rt, obj)
    data[field] = ""
    response = admin.post(url(rt, "edit", obj.pk), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    obj.refresh_from_db()
    assert getattr(obj, field) == before
    assert obj.version == data["_version"]  # type: ignore[attr-defined]


@parametrize_types
def test_missing_object_is_404(admin: Client, rt: RecordType) -> None:
    assert admin.get(url(rt, "detail", 999999)).status_code == 404
    assert admin.get(url(rt, "edit", 999999)).status_code == 404


# --- permissions -----------------------------------------------------------------------


@parametrize_types
def test_no_permission_is_403(
    client_for: Callable[[str], Client], demo: dict[str, User], rt: RecordType
) -> None:
    """manager1 (account manager) holds no permission on these types at all."""
    client = client_for("manager1")
    obj = rt.base_queryset().first()
    assert obj is not None
    count = rt.model._default_manager.count()
    assert client.get(url(rt, "list")).status_code == 403
    assert client.get(url(rt, "add")).status_code == 403
    assert client.post(url(rt, "add"), sample(rt)).status_code == 403
    assert client.get(url(rt, "edit", obj.pk)).status_code == 403
    assert client.post(url(rt, "edit", obj.pk), edit_data(rt, obj)).status_code == 403
    assert client.get(url(rt, "detail", obj.pk)).status_code == 403
    assert rt.model._default_manager.count() == count


@parametrize_types
def test_objects_outside_the_scope_are_404(
    client_for: Callable[[str], Client], demo: dict[str, User], rt: RecordType
) -> None:
    """head_sale may view SALE's subtree only, and change nothing."""
    head = demo["head_sale"]
    client = client_for("head_sale")
    outside = out_of_scope(rt, head)
    inside = scoped(rt, head).first()
    assert inside is not None

    listed = page_pks(client.get(url(rt, "list"), {"size": 200}))
    assert set(listed) == set(scoped(rt, head).values_list("pk", flat=True))
    assert outside.pk not in listed
    assert client.get(url(rt, "detail", inside.pk)).status_code == 200
    assert client.get(url(rt, "detail", outside.pk)).status_code == 404
    assert client.get(url(rt, "edit", outside.pk)).status_code == 404
    assert client.get(url(rt, "edit", inside.pk)).status_code == 403
    assert client.post(url(rt, "edit", inside.pk), edit_data(rt, inside)).status_code == 403
    assert client.get(url(rt, "add")).status_code == 403


# --- API -------------------------------------------------------------------------------


def api_client(user: User) -> Client:
    _token, raw = create_token(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def api_url(rt: RecordType, pk: Any = None) -> str:
    return f"/api/v1/{rt.slug}/" if pk is None else f"/api/v1/{rt.slug}/{pk}/"


def api_ids(client: Client, rt: RecordType, **params: Any) -> list[int]:
    """Every id the API lists, following the `next` links."""
    ids: list[int] = []
    response = client.get(api_url(rt), {"size": 25, **params})
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
    create_rows(rt, 30)
    for username in ("admin", "auditor", "gm", "head_sale"):
        user = demo[username]
        ids = api_ids(api_client(user), rt)
        assert len(ids) == len(set(ids)), username
        assert set(ids) == set(scoped(rt, user).values_list("pk", flat=True)), username


@parametrize_types
def test_api_filters(demo: dict[str, User], rt: RecordType) -> None:
    created = create_rows(rt, 3)
    admin_user = demo["admin"]
    client = api_client(admin_user)
    needle = str(getattr(created[2], rt.search_fields[0]))
    expected = listing.search(scoped(rt, admin_user), rt.search_fields, needle)
    found = api_ids(client, rt, q=needle)
    assert created[2].pk in found
    assert set(found) == set(expected.values_list("pk", flat=True))

    if "is_active" in rt.filterset.base_filters:
        rt.model._default_manager.filter(pk=created[0].pk).update(is_active=False)
        rt.model._default_manager.filter(pk=created[1].pk).update(is_active=True)
        inactive = scoped(rt, admin_user).filter(is_active=False).values_list("pk", flat=True)
        assert set(api_ids(client, rt, is_active="false")) == set(inactive)
        active = set(api_ids(client, rt, is_active="true"))
        assert created[1].pk in active
        assert created[0].pk not in active
        assert active == set(
            scoped(rt, admin_user).filter(is_active=True).values_list("pk", flat=True)
        )


@parametrize_types
def test_api_detail_and_scope(demo: dict[str, User], rt: RecordType) -> None:
    head = demo["head_sale"]
    client = api_client(head)
    inside = scoped(rt, head).first()
    assert inside is not None
    response = client.get(api_url(rt, inside.pk))
    assert response.status_code == 200
    assert response.json()["id"] == inside.pk
    assert client.get(api_url(rt, out_of_scope(rt, head).pk)).status_code == 404


@parametrize_types
def test_api_refuses_the_unauthorised(demo: dict[str, User], rt: RecordType) -> None:
    assert Client().get(api_url(rt)).status_code == 401
    bad = Client(HTTP_AUTHORIZATION="Bearer kh_not-a-real-token")
    assert bad.get(api_url(rt)).status_code == 401
    assert api_client(demo["manager1"]).get(api_url(rt)).status_code == 403


@pytest.mark.parametrize("rt", [rt for rt in TYPES if rt.api_writable], ids=by_slug)
def test_api_create_and_update(demo: dict[str, User], rt: RecordType) -> None:
    client = api_client(demo["admin"])
    response = client.post(api_url(rt), sample(rt), content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    obj = rt.model._default_manager.get(pk=created["id"])
    event = AuditEvent.objects.get(action=f"{rt.label}.create", object_id=str(obj.pk))
    assert event.actor_username == "admin"

    field = text_field(rt)
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
    assert update.actor_username == "admin"

    invalid = client.post(api_url(rt), {}, content_type="application/json")
    assert invalid.status_code == 400


@pytest.mark.parametrize("rt", [rt for rt in TYPES if rt.api_writable], ids=by_slug)
def test_api_writes_need_permission(demo: dict[str, User], rt: RecordType) -> None:
    client = api_client(demo["auditor"])
    count = rt.model._default_manager.count()
    response = client.post(api_url(rt), sample(rt), content_type="application/json")
    assert response.status_code == 403
    obj = rt.base_queryset().first()
    assert obj is not None
    response = client.put(api_url(rt, obj.pk), {"version": 1}, content_type="application/json")
    assert response.status_code == 403
    assert rt.model._default_manager.count() == count


@pytest.mark.parametrize("rt", [rt for rt in TYPES if not rt.api_writable], ids=by_slug)
def test_api_read_only_types_refuse_writes(demo: dict[str, User], rt: RecordType) -> None:
    client = api_client(demo["admin"])
    obj = rt.base_queryset().first()
    assert obj is not None
    count = rt.model._default_manager.count()
    assert client.post(api_url(rt), {}, content_type="application/json").status_code == 405
    assert client.put(api_url(rt, obj.pk), {}, content_type="application/json").status_code == 405
    assert client.delete(api_url(rt, obj.pk)).status_code == 405
    assert rt.model._default_manager.count() == count
