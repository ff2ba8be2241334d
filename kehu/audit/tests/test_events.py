"""What the events say: actor, source address, before/after values, failed sign-ins."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kehu.audit.context import SYSTEM, Actor, acting_as
from kehu.audit.models import AuditEvent
from kehu.audit.services import diff, record
from kehu.core import services
from kehu.core.demo import ROLE_GRANTS
from kehu.core.models import OrgUnit, User

# The demo data is loaded once per module (see conftest.py); each test rolls back.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]


def last_event(**filters: object) -> AuditEvent:
    event = AuditEvent.objects.filter(**filters).order_by("-seq").first()
    assert event is not None, f"no audit event matching {filters}"
    return event


def unit_form(unit: OrgUnit, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": unit.name,
        "code": unit.code,
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "note": unit.note,
        "_version": unit.version,
    }
    if unit.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return data


def test_unit_edit_records_actor_address_and_before_after(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    sale = OrgUnit.objects.get(code="SALE")
    response = client_for("admin").post(
        reverse("generic:units_edit", args=[sale.pk]),
        unit_form(sale, name="大客户销售部"),
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 302
    event = last_event(action="core.orgunit.update")
    assert event.actor_id == demo["admin"].pk
    assert event.actor_username == "admin"
    assert event.source_ip == "10.20.30.40"
    assert event.object_type == "core.orgunit"
    assert event.object_id == str(sale.pk)
    assert event.changes == {"name": ["销售部", "大客户销售部"]}


def test_moving_a_unit_records_the_parent_by_name(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    sale = OrgUnit.objects.get(code="SALE")
    sh = OrgUnit.objects.get(code="SH")
    response = client_for("admin").post(
        reverse("generic:units_edit", args=[sale.pk]), unit_form(sale, parent=sh.pk)
    )
    assert response.status_code == 302
    event = last_event(action="core.orgunit.update")
    assert event.changes == {"parent": [str(sale.parent), str(sh)]}


def test_user_edit_records_before_after(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    target = demo["manager2"]
    data = {
        "username": target.username,
        "full_name": "李娜娜",
        "email": target.email,
        "employee_no": "E-0002",
        "phone": target.phone,
        "unit": target.unit_id,
        "is_active": "on",
        "_version": target.version,
    }
    response = client_for("admin").post(reverse("generic:users_edit", args=[target.pk]), data)
    assert response.status_code == 302
    event = last_event(action="core.user.update", object_id=str(target.pk))
    assert event.actor_username == "admin"
    assert event.source_ip == "127.0.0.1"
    assert event.changes == {"full_name": ["李娜", "李娜娜"], "employee_no": ["", "E-0002"]}


def test_created_user_event_lists_values_but_no_secrets(demo: dict[str, User]) -> None:
    sale = OrgUnit.objects.get(code="SALE")
    admin = Actor(demo["admin"].pk, "admin", "192.0.2.1")
    with acting_as(admin):
        user = services.create_user(
            {
                "username": "newbie",
                "full_name": "新人",
                "unit": sale,
                "is_active": True,
                "password": "Correct-Horse-42",
            }
        )
    event = last_event(action="core.user.create")
    assert event.object_id == str(user.pk)
    assert (event.actor_username, event.source_ip) == ("admin", "192.0.2.1")
    assert event.changes["username"] == [None, "newbie"]
    assert event.changes["unit"] == [None, str(sale)]
    assert "password" not in event.changes
    assert "Correct-Horse-42" not in str(event.changes)


def test_failed_sign_in_is_recorded(demo: dict[str, User]) -> None:
    before = AuditEvent.objects.count()
    response = Client().post(
        reverse("accounts:login"),
        {"username": "manager1", "password": "not-the-password"},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 400
    event = last_event(action="auth.login_failed")
    assert AuditEvent.objects.count() == before + 1
    assert event.object_id == str(demo["manager1"].pk)
    assert event.source_ip == "203.0.113.9"
    assert event.actor_username == "anonymous"
    assert event.extra == {"reason": "wrong password"}


def test_failed_sign_in_of_unknown_user_is_recorded(db: None) -> None:
    Client().post(reverse("accounts:login"), {"username": "nobody", "password": "x"})
    event = last_event(action="auth.login_failed")
    assert event.object_repr == "nobody"
    assert event.extra == {"reason": "unknown user"}


def test_sign_in_and_out_are_recorded(demo: dict[str, User]) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "auditor", "password": settings.KEHU_DEMO_PASSWORD},
    )
    assert response.status_code == 302
    login = last_event(action="auth.login")
    assert (login.actor_username, login.object_id) == ("auditor", str(demo["auditor"].pk))
    client.post(reverse("accounts:logout"))
    assert last_event(action="auth.logout").actor_username == "auditor"


def test_commands_act_as_system(db: None) -> None:
    with acting_as(SYSTEM):
        event = record("test.system")
    assert event.actor_id is None
    assert event.actor_username == "system"


def test_diff_only_lists_changed_fields() -> None:
    assert diff({"a": 1, "b": "x"}, {"a": 1, "b": "y", "c": None}) == {"b": ["x", "y"]}
    assert diff({}, {"a": 1}) == {"a": [None, 1]}


# --- the audit trail page and its export -----------------------------------------------


@pytest.mark.parametrize("username", ["auditor", "admin"])
def test_audit_trail_page_and_export(
    client_for: Callable[[str], Client], demo: dict[str, User], username: str
) -> None:
    client = client_for(username)
    page = client.get(reverse("audit:events"))
    assert page.status_code == 200
    newest = AuditEvent.objects.order_by("-seq")[0]
    assert page.context["page"].rows[0].seq == newest.seq
    partial = client.get(reverse("audit:events"), {"action": "core.user"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert all(e.action.startswith("core.user") for e in partial.context["page"].rows)

    export = client.get(reverse("audit:export"), {"action": "core.user.role_grant"})
    assert export.status_code == 200
    assert export["Content-Disposition"].startswith('attachment; filename="audit-')
    event = last_event(action="audit.auditevent.export")
    assert event.actor_username == username
    assert event.extra["rows"] == ROLE_GRANTS  # the demo users' role grants
    assert event.extra["filters"] == {"action": "core.user.role_grant"}


@pytest.mark.parametrize("username", ["manager1", "head_sale", "gm"])
def test_audit_trail_needs_the_permission(
    client_for: Callable[[str], Client], demo: dict[str, User], username: str
) -> None:
    client = client_for(username)
    assert client.get(reverse("audit:events")).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403
    assert not AuditEvent.objects.filter(action="audit.auditevent.export").exists()
