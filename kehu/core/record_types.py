"""Units and users as record types (generic list, detail, edit, export, API)."""

from django.utils.translation import gettext_lazy as _

from kehu.core import filters, forms, policy, selectors, serializers, services
from kehu.core.models import OrgUnit, User
from kehu.generic.registry import (
    ApiSpec,
    Column,
    DetailSpec,
    EditSpec,
    ListSpec,
    Nav,
    RecordType,
    register,
)

policy.register_scope(OrgUnit, "path")
policy.register_scope(User, "unit__path")


register(
    RecordType(
        model=OrgUnit,
        slug="units",
        nav=Nav(_("Organisation units"), icon="sitemap"),
        queryset=lambda: OrgUnit.objects.select_related("parent"),
        listing=ListSpec(
            columns=[
                Column("tree_label", label=_("Name"), sort="path", link=True),
                Column("code", sort="code"),
                Column("kind", sort="kind", badge=True),
                Column("parent"),
                Column("is_active", badge=True),
                Column("updated_at", sort="updated_at"),
            ],
            filterset=filters.OrgUnitFilter,
            default_sort="path",
            search_fields=["name", "code"],
        ),
        detail=DetailSpec(
            fields=["name", "code", "kind", "parent", "is_active", "note", "updated_at"]
        ),
        edit=EditSpec(
            form=forms.OrgUnitForm, create=services.create_unit, update=services.update_unit
        ),
        api=ApiSpec(serializer=serializers.OrgUnitSerializer),
    )
)

register(
    RecordType(
        model=User,
        slug="users",
        nav=Nav(_("Users"), icon="users"),
        queryset=lambda: User.objects.select_related("unit").prefetch_related(
            "role_assignments__unit"
        ),
        listing=ListSpec(
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
            default_sort="username",
            search_fields=["username", "full_name", "email", "employee_no"],
        ),
        detail=DetailSpec(
            fields=[
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
            panels=["core/_user_security_panel.html"],
            context=selectors.user_panels,
        ),
        edit=EditSpec(
            form=forms.UserForm,
            create_form=forms.UserCreateForm,
            create=services.create_user,
            update=services.update_user,
        ),
        api=ApiSpec(serializer=serializers.UserSerializer, writable=False),
    )
)
