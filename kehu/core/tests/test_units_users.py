"""Units (tree paths, moves, validation), users (passwords), roles, certification, unlock."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.core import services
from kehu.core.demo import ROLE_GRANTS
from kehu.core.models import ArchivistCertification, OrgUnit, Role, RoleAssignment, User

# The demo data is loaded once per module (see conftest.py); each test rolls back.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def unit_data(unit: OrgUnit | None = None, **values: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "", "code": "", "kind": "", "parent": "", "note": ""}
    if unit is not None:
        data.update(
            name=unit.name,
            code=unit.code,
            kind=unit.kind,
            parent=unit.parent_id or "",
            note=unit.note,
            _version=unit.version,
        )
        if unit.is_active:
            data["is_active"] = "on"
    data.update(values)
    return data


def assert_tree_consistent() -> None:
    for unit in OrgUnit.objects.select_related("parent"):
        parent_path = unit.parent.path if unit.parent else "/"
        assert unit.path == f"{parent_path}{unit.pk}/", unit.code


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- units -----------------------------------------------------------------------------


def test_paths_after_create(db: None) -> None:
    group = services.create_unit({"name": "集团", "code": "G", "kind": "group"})
    sub = services.create_unit({"name": "子", "code": "GS", "kind": "subsidiary", "parent": group})
    dept = services.create_unit({"name": "部", "code": "GSD", "kind": "department", "parent": sub})
    assert group.path == f"/{group.pk}/"
    assert sub.path == f"/{group.pk}/{sub.pk}/"
    assert dept.path == f"/{group.pk}/{sub.pk}/{dept.pk}/"
    assert OrgUnit.objects.get(pk=dept.pk).path == dept.path
    assert [u.depth for u in (group, sub, dept)] == [0, 1, 2]


def test_demo_tree_is_consistent(demo: dict[str, User]) -> None:
    assert_tree_consistent()
    assert unit("SALE").path == f"{unit('BJ').path}{unit('SALE').pk}/"


def test_create_unit_via_the_form(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    response = client_for("admin").post(
        reverse("generic:units_add"),
        unit_data(name="华南公司", code="gz", kind="subsidiary", parent=unit("GRP").pk),
    )
    assert response.status_code == 302
    created = unit("GZ")  # codes are stored upper-case
    assert response["Location"] == reverse("generic:units_detail", args=[created.pk])
    assert created.path == f"{unit('GRP').path}{created.pk}/"


def test_moving_a_subtree_rewrites_every_path(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    sale = unit("SALE")
    team = services.create_unit(
        {"name": "大客户组", "code": "SALE-KA", "kind": "department", "parent": sale}
    )
    cell = services.create_unit(
        {"name": "北区", "code": "SALE-KA-N", "kind": "department", "parent": team}
    )
    untouched = {u.code: u.path for u in OrgUnit.objects.exclude(path__startswith=sale.path)}
    sh = unit("SH")

    response = client_for("admin").post(
        reverse("generic:units_edit", args=[sale.pk]), unit_data(sale, parent=sh.pk)
    )
    assert response.status_code == 302
    sale.refresh_from_db()
    team.refresh_from_db()
    cell.refresh_from_db()
    assert sale.parent == sh
    assert sale.path == f"{sh.path}{sale.pk}/"
    assert team.path == f"{sale.path}{team.pk}/"
    assert cell.path == f"{team.path}{cell.pk}/"
    assert sale.version == 2
    others = OrgUnit.objects.exclude(pk__in=[sale.pk, team.pk, cell.pk])
    assert {u.code: u.path for u in others} == untouched
    assert_tree_consistent()
    # The SH general manager's scope follows the move; BJ's no longer has the team.
    assert "SALE-KA-N" not in set(
        OrgUnit.objects.filter(path__startswith=unit("BJ").path).values_list("code", flat=True)
    )


def test_moving_a_unit_under_its_own_descendant_is_refused(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    sale = unit("SALE")
    team = services.create_unit(
        {"name": "大客户组", "code": "SALE-KA", "kind": "department", "parent": sale}
    )
    with pytest.raises(ValidationError):
        services.update_unit(sale, {"parent": team}, sale.version)
    with pytest.raises(ValidationError):
        services.update_unit(sale, {"parent": sale}, sale.version)

    updates = events("core.orgunit.update")
    response = client_for("admin").post(
        reverse("generic:units_edit", args=[sale.pk]), unit_data(sale, parent=team.pk)
    )
    assert response.status_code == 400
    sale.refresh_from_db()
    assert sale.parent == unit("BJ")
    assert sale.version == 1
    assert events("core.orgunit.update") == updates
    assert_tree_consistent()


@pytest.mark.parametrize("code", ["bad code", "1SALE", "-X", "TOO-LONG-CODE-0123456789", "销售"])
def test_invalid_code_is_refused(
    client_for: Callable[[str], Client], demo: dict[str, User], code: str
) -> None:
    count = OrgUnit.objects.count()
    response = client_for("admin").post(
        reverse("generic:units_add"),
        unit_data(name="新部门", code=code, kind="department", parent=unit("BJ").pk),
    )
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    assert OrgUnit.objects.count() == count


def test_duplicate_code_is_refused(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    response = client_for("admin").post(
        reverse("generic:units_add"),
        unit_data(name="又一个销售部", code="sale", kind="department", parent=unit("BJ").pk),
    )
    assert response.status_code == 400
    assert OrgUnit.objects.filter(code="SALE").count() == 1


@pytest.mark.parametrize(
    "kind, parent_code",
    [
        ("group", "GRP"),  # a group is the top of the tree
        ("subsidiary", None),  # a subsidiary needs a parent
        ("department", None),
        ("subsidiary", "SALE"),  # a subsidiary belongs to a group only
    ],
)
def test_invalid_placement_is_refused(
    client_for: Callable[[str], Client],
    demo: dict[str, User],
    kind: str,
    parent_code: str | None,
) -> None:
    count = OrgUnit.objects.count()
    parent = unit(parent_code).pk if parent_code else ""
    response = client_for("admin").post(
        reverse("generic:units_add"), unit_data(name="X", code="NEWX", kind=kind, parent=parent)
    )
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors
    assert OrgUnit.objects.count() == count


# --- users -----------------------------------------------------------------------------


def user_data(**values: Any) -> dict[str, Any]:
    data = {
        "username": "newuser",
        "full_name": "新用户",
        "email": "newuser@example.com",
        "employee_no": "",
        "phone": "",
        "unit": "",
        "is_active": "on",
        "password1": "Correct-Horse-42",
        "password2": "Correct-Horse-42",
    }
    data.update(values)
    return data


def test_create_user_via_the_form(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    response = client_for("admin").post(
        reverse("generic:users_add"), user_data(unit=unit("MKT").pk)
    )
    assert response.status_code == 302
    user = User.objects.get(username="newuser")
    assert user.check_password("Correct-Horse-42")
    assert user.password_changed_at is not None
    assert user.unit == unit("MKT")
    event = AuditEvent.objects.get(action="core.user.create", object_id=str(user.pk))
    assert event.actor_username == "admin"


def test_mismatched_passwords_are_refused(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    response = client_for("admin").post(
        reverse("generic:users_add"),
        user_data(unit=unit("MKT").pk, password2="Correct-Horse-43"),
    )
    assert response.status_code == 400
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(username="newuser").exists()


@pytest.mark.parametrize(
    "password, code",
    [
        ("Ab3$xyz", "password_too_short"),
        ("8273649105", "password_entirely_numeric"),
        ("password123", "password_too_common"),
        ("newuser2026", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(
    client_for: Callable[[str], Client], demo: dict[str, User], password: str, code: str
) -> None:
    response = client_for("admin").post(
        reverse("generic:users_add"),
        user_data(unit=unit("MKT").pk, password1=password, password2=password),
    )
    assert response.status_code == 400
    assert response.context["form"].has_error("password1", code)
    assert not User.objects.filter(username="newuser").exists()


def test_admin_password_reset_is_audited(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    target = demo["finance"]
    url = reverse("core:reset_password", args=[target.pk])
    weak = client_for("admin").post(url, {"password": "123"})
    assert weak.status_code == 200
    assert weak.context["form"].errors
    response = client_for("admin").post(url, {"password": "Fresh-Start-2026"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("Fresh-Start-2026")
    event = AuditEvent.objects.filter(action="core.user.password_reset").get()
    assert (event.object_id, event.actor_username) == (str(target.pk), "admin")


# --- roles and the archivist certification (ARC-8) ------------------------------------


def certify(user: User, *, exam: int, valid_until: int, education: str = "bachelor") -> None:
    """Record a certification; `exam` and `valid_until` are days from today."""
    services.save_certification(
        user,
        {
            "education": education,
            "training_date": today() + (exam - 10) * DAY,
            "exam_date": today() + exam * DAY,
            "certificate_no": f"DA-{user.pk}",
            "valid_until": today() + valid_until * DAY,
        },
    )


@pytest.fixture
def newcomer(demo: dict[str, User]) -> User:
    return services.create_user(
        {"username": "newcomer", "full_name": "新档案员", "unit": unit("ARCH"), "is_active": True}
    )


def test_archivist_role_needs_a_certification(newcomer: User) -> None:
    with pytest.raises(ValidationError):
        services.grant_role(newcomer, Role.ARCHIVIST, unit("ARCH"))
    assert not RoleAssignment.objects.filter(user=newcomer).exists()
    certify(newcomer, exam=-5, valid_until=365)
    services.grant_role(newcomer, Role.ARCHIVIST, unit("ARCH"))
    assert RoleAssignment.objects.filter(user=newcomer, role=Role.ARCHIVIST).exists()


@pytest.mark.parametrize(
    "exam, valid_until",
    [
        (-400, -1),  # expired yesterday
        (3, 365),  # exam not yet taken
    ],
)
def test_certification_not_valid_today_is_refused(
    newcomer: User, exam: int, valid_until: int
) -> None:
    certify(newcomer, exam=exam, valid_until=valid_until)
    with pytest.raises(ValidationError):
        services.grant_role(newcomer, Role.ARCHIVIST, unit("ARCH"))
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("education", ["junior_secondary", "senior_secondary", ""])
def test_only_junior_college_or_above_is_certified(newcomer: User, education: str) -> None:
    with pytest.raises(ValidationError) as refused:
        certify(newcomer, exam=-5, valid_until=365, education=education)
    assert "education" in refused.value.message_dict
    assert not ArchivistCertification.objects.filter(user=newcomer).exists()
    with pytest.raises(ValidationError):
        services.grant_role(newcomer, Role.ARCHIVIST, unit("ARCH"))


@pytest.mark.parametrize("education", ["junior_college", "bachelor", "master", "doctorate"])
def test_junior_college_or_above_may_hold_the_role(newcomer: User, education: str) -> None:
    certify(newcomer, exam=-5, valid_until=365, education=education)
    services.grant_role(newcomer, Role.ARCHIVIST, unit("ARCH"))


def test_certification_without_education_does_not_qualify(newcomer: User) -> None:
    """A certification recorded before education was kept does not let the role be given."""
    certify(newcomer, exam=-5, valid_until=365)
    ArchivistCertification.objects.filter(user=newcomer).update(education="")
    with pytest.raises(ValidationError):
        services.grant_role(newcomer, Role.ARCHIVIST, unit("ARCH"))


def test_retrain_due_a_year_after_the_exam_or_last_training(newcomer: User) -> None:
    certify(newcomer, exam=-30, valid_until=365)
    certification = ArchivistCertification.objects.get(user=newcomer)
    exam = certification.exam_date
    assert certification.retrain_due == exam.replace(year=exam.year + 1)
    certification.last_training_on = datetime.date(2024, 2, 29)
    assert certification.retrain_due == datetime.date(2025, 2, 28)


def test_low_education_is_refused_beside_the_field(
    client_for: Callable[[str], Client], newcomer: User
) -> None:
    response = client_for("admin").post(
        reverse("core:certification", args=[newcomer.pk]),
        {
            "education": "senior_secondary",
            "training_date": (today() - 20 * DAY).isoformat(),
            "exam_date": (today() - 10 * DAY).isoformat(),
            "certificate_no": "DA-9",
            "valid_until": (today() + 300 * DAY).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["education"]
    assert not ArchivistCertification.objects.filter(user=newcomer).exists()


def test_certification_valid_through_its_last_day(newcomer: User) -> None:
    certify(newcomer, exam=-30, valid_until=0)
    services.grant_role(newcomer, Role.ARCHIVIST, unit("ARCH"))


def test_archivist_grant_through_the_pages(
    client_for: Callable[[str], Client], newcomer: User
) -> None:
    client = client_for("admin")
    grant_url = reverse("core:grant_role", args=[newcomer.pk])
    grant = {"role": Role.ARCHIVIST, "unit": unit("ARCH").pk}

    response = client.post(grant_url, grant)
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=newcomer).exists()
    assert events("core.user.role_grant") == ROLE_GRANTS  # only the demo's grants

    cert_url = reverse("core:certification", args=[newcomer.pk])
    assert client.get(cert_url).status_code == 200
    bad = client.post(
        cert_url,
        {
            "education": "junior_college",
            "training_date": (today() - DAY).isoformat(),
            "exam_date": (today() - 2 * DAY).isoformat(),  # exam before training
            "certificate_no": "DA-9",
            "valid_until": (today() + 300 * DAY).isoformat(),
        },
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors
    assert not ArchivistCertification.objects.filter(user=newcomer).exists()

    saved = client.post(
        cert_url,
        {
            "education": "junior_college",
            "training_date": (today() - 20 * DAY).isoformat(),
            "exam_date": (today() - 10 * DAY).isoformat(),
            "certificate_no": "DA-9",
            "valid_until": (today() + 300 * DAY).isoformat(),
        },
    )
    assert saved.status_code == 302
    event = AuditEvent.objects.filter(action="core.user.certification").order_by("-seq")[0]
    assert event.object_id == str(newcomer.pk)
    assert event.changes["certificate_no"] == [None, "DA-9"]

    assert client.post(grant_url, grant).status_code == 302
    assert RoleAssignment.objects.filter(user=newcomer, role=Role.ARCHIVIST).exists()


def test_role_grant_and_revoke_are_audited(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    client = client_for("admin")
    target = demo["finance"]
    mkt = unit("MKT")
    response = client.post(
        reverse("core:grant_role", args=[target.pk]),
        {"role": Role.DEPARTMENT_HEAD, "unit": mkt.pk},
        REMOTE_ADDR="10.0.0.8",
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=target, role=Role.DEPARTMENT_HEAD)
    granted = AuditEvent.objects.filter(action="core.user.role_grant").order_by("-seq")[0]
    assert granted.object_id == str(target.pk)
    assert (granted.actor_username, granted.source_ip) == ("admin", "10.0.0.8")
    assert granted.extra == {"role": "department_head", "unit": "MKT"}
    assert granted.changes["roles"][0] is None

    # Granting the same role again changes nothing.
    client.post(
        reverse("core:grant_role", args=[target.pk]), {"role": Role.DEPARTMENT_HEAD, "unit": mkt.pk}
    )
    assert RoleAssignment.objects.filter(user=target, role=Role.DEPARTMENT_HEAD).count() == 1

    response = client.post(reverse("core:revoke_role", args=[target.pk, assignment.pk]))
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    revoked = AuditEvent.objects.filter(action="core.user.role_revoke").get()
    assert revoked.extra == {"role": "department_head", "unit": "MKT"}
    assert revoked.changes["roles"][1] is None
    assert revoked.actor_username == "admin"


def test_unknown_role_is_refused(demo: dict[str, User]) -> None:
    with pytest.raises(ValidationError):
        services.grant_role(demo["finance"], "emperor", unit("GRP"))


def test_unlock_resets_the_lock_and_is_audited(
    client_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    target = demo["manager2"]
    User.objects.filter(pk=target.pk).update(failed_login_count=5, locked_at=timezone.now())
    response = client_for("admin").post(reverse("core:unlock", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.locked_at is None
    assert target.failed_login_count == 0
    event = AuditEvent.objects.get(action="core.user.unlock")
    assert (event.object_id, event.actor_username) == (str(target.pk), "admin")
