"""Units and users as record types (generic list, detail, edit, export, API)."""

import itertools
from typing import Any

from django.utils.translation import gettext_lazy as _

from kehu.core import filters, forms, policy, serializers, services
from kehu.core.models import ArchivistCertification, OrgUnit, Role, UnitKind, User
from kehu.generic.registry import Column, RecordType, register

_counter = itertools.count(1)

policy.register_scope(OrgUnit, "path")
policy.register_scope(User, "unit__path")


def _sample_unit() -> dict[str, Any]:
    parent = OrgUnit.objects.filter(kind=UnitKind.GROUP).first() or services.create_unit(
        {"name": "测试集团", "code": "TGRP", "kind": UnitKind.GROUP}
    )
    n = next(_counter)
    return {
        "name": f"测试子公司{n}",
        "code": f"TS{n}",
        "kind": UnitKind.SUBSIDIARY,
        "parent": parent.pk,
    }


def _sample_user() -> dict[str, Any]:
    unit = _sample_unit()
    n = next(_counter)
    created = services.create_unit({**unit, "parent": OrgUnit.objects.get(pk=unit["parent"])})
    return {
        "username": f"sample{n}",
        "full_name": f"样例用户{n}",
        "email": f"sample{n}@example.com",
        "unit": created.pk,
        "is_active": "on",
        "password1": "Correct-Horse-42",
        "password2": "Correct-Horse-42",
    }


register(
    RecordType(
        model=OrgUnit,
        slug="units",
        columns=[
            Column("tree_label", label=_("Name"), sort="path", link=True),
            Column("code", sort="code"),
            Column("kind", sort="kind", badge=True),
            Column("parent"),
            Column("is_active", badge=True),
            Column("updated_at", sort="updated_at"),
        ],
        filterset=filters.OrgUnitFilter,
        form=forms.OrgUnitForm,
        serializer=serializers.OrgUnitSerializer,
        detail_fields=["name", "code", "kind", "parent", "is_active", "note", "updated_at"],
        search_fields=["name", "code"],
        default_sort="path",
        create=services.create_unit,
        update=services.update_unit,
        queryset=lambda: OrgUnit.objects.select_related("parent"),
        icon="sitemap",
        sample_data=_sample_unit,
        extra={"nav_label": _("Organisation units")},
    )
)


def _user_panels(request: Any, user: User) -> dict[str, Any]:
    return {
        "role_choices": Role.choices,
        "unit_choices": OrgUnit.objects.filter(is_active=True).order_by("path"),
        "certification": ArchivistCertification.objects.filter(user=user).first(),
    }


register(
    RecordType(
        model=User,
        slug="users",
        columns=[
            Column("username", sort="username", link=True),
            Column("full_name", sort="full_name"),
            Column("unit"),
            Column("role_summary", label=_("Roles")),
            Column("is_active", badge=True),
            Column("is_locked", label=_("Locked"), badge=True),
            Column("last_login"),
            Column("date_joined", sort="date_joined"),
        ],
        filterset=filters.UserFilter,
        form=forms.UserForm,
        create_form=forms.UserCreateForm,
        serializer=serializers.UserSerializer,
        detail_fields=[
            "username",
            "full_name",
            "email",
            "employee_no",
            "phone",
            "unit",
            "is_active",
            "last_login",
            "locked_at",
            "password_changed_at",
        ],
        search_fields=["username", "full_name", "email", "employee_no"],
        default_sort="username",
        create=services.create_user,
        update=services.update_user,
        queryset=lambda: User.objects.select_related("unit").prefetch_related(
            "role_assignments__unit"
        ),
        detail_panels=["core/_user_security_panel.html"],
        detail_context=_user_panels,
        api_writable=False,
        icon="users",
        sample_data=_sample_user,
        extra={"nav_label": _("Users")},
    )
)
