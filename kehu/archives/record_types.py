"""Record types of the archives: categories (ARC-2), the archive catalogue of dossiers
(档案目录, ARC-1/ARC-4), the filing register (归档登记表, ARC-4) and cabinets (ARC-3), each
with list, filters, export, detail, edit, API and the generated standard tests."""

from __future__ import annotations

import itertools
from typing import Any

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from kehu.archives import filters, forms, selectors, serializers, services
from kehu.archives.models import (
    ArchiveCategory,
    Cabinet,
    Dossier,
    DossierItem,
    Loan,
    Medium,
    Transfer,
)
from kehu.core import policy
from kehu.core.models import User
from kehu.customers.models import Customer
from kehu.generic.registry import Column, RecordType, register

# A time-limited grant on the customer (electronic viewing after an approved borrowing)
# opens its dossier and items read-only too.
policy.register_scope(
    Dossier,
    "customer__unit__path",
    "customer__owner_id",
    grant_parent=(Customer, "customer_id"),
    grant_actions=("view",),
)
policy.register_scope(
    DossierItem,
    "dossier__customer__unit__path",
    "dossier__customer__owner_id",
    grant_parent=(Customer, "dossier__customer_id"),
    grant_actions=("view",),
)
policy.register_scope(Loan, "dossier__customer__unit__path", "borrower_id")
policy.register_scope(Transfer, "dossier__customer__unit__path")

_counter = itertools.count(1)

# The archivist (BJ) files; the head of SALE reads SALE's dossiers only; account managers
# hold no archive permission. Sample customers alternate between SALE and MKT, so that the
# archivist's second sample ("elsewhere") lies outside SALE.
_DOSSIER_TEST_USERS = {
    "editor": "archivist",
    "outsider": "manager1",
    "scoped": "head_sale",
    "elsewhere": "archivist",
}
_CONFIG_TEST_USERS = {"editor": "archivist", "outsider": "manager1", "scoped": "auditor"}


def _sample_customer(n: int) -> Any:
    from kehu.customers.record_types import _customer_data
    from kehu.customers.services import create_customer

    owner = User.objects.get(username="manager1" if n % 2 else "manager3")
    return create_customer(_customer_data(owner))


def _sample_dossier(user: User) -> dict[str, Any]:
    n = next(_counter)
    customer = _sample_customer(n)
    return {
        "customer": customer.pk,
        "title": f"样例案卷{n:05d}",
        "category": services.default_category().pk,
        "confidentiality": "normal",
        "note": "",
    }


def _sample_item(user: User) -> dict[str, Any]:
    n = next(_counter)
    customer = _sample_customer(n)
    dossier = services.open_dossier(customer)
    return {
        "dossier": dossier.pk,
        "category": services.default_category().pk,
        "title": f"样例归档文件{n:05d}",
        "medium": Medium.PAPER,
        "pages": 3,
        "note": "",
    }


def _sample_category() -> dict[str, Any]:
    n = next(_counter)
    return {
        "code": f"sample-{n}",
        "name": f"样例类别{n:05d}",
        "class_code": "YL",
        "order": 100 + n,
        "retention": "D10",
        "is_active": "on",
    }


def _sample_cabinet() -> dict[str, Any]:
    n = next(_counter)
    return {
        "code": f"G{n:05d}",
        "name": f"样例档案柜{n:05d}",
        "room": "档案室",
        "shelves": 5,
        "is_active": "on",
        "note": "",
    }


register(
    RecordType(
        model=ArchiveCategory,
        slug="archive-categories",
        columns=[
            Column("name", sort="name", link=True),
            Column("code", sort="code"),
            Column("class_code"),
            Column("order", sort="order"),
            Column("retention", badge=True),
            Column("is_active", badge=True),
        ],
        filterset=filters.CategoryFilter,
        form=forms.CategoryForm,
        serializer=serializers.CategorySerializer,
        detail_fields=["code", "name", "class_code", "order", "retention", "is_active"],
        search_fields=["name", "code"],
        default_sort="order",
        icon="category-2",
        sample_data=_sample_category,
        test_users=dict(_CONFIG_TEST_USERS),
        extra={"nav_label": _("Archive categories"), "test_unit_scoped": False},
    )
)

register(
    RecordType(
        model=Cabinet,
        slug="cabinets",
        columns=[
            Column("code", sort="code", link=True),
            Column("name", sort="name"),
            Column("room"),
            Column("shelves"),
            Column("last_checked_on"),
            Column("is_active", badge=True),
        ],
        filterset=filters.CabinetFilter,
        form=forms.CabinetForm,
        serializer=serializers.CabinetSerializer,
        detail_fields=["code", "name", "room", "shelves", "last_checked_on", "is_active", "note"],
        search_fields=["name", "code"],
        default_sort="code",
        icon="archive",
        sample_data=_sample_cabinet,
        detail_panels=["archives/_cabinet_panel.html"],
        detail_context=selectors.cabinet_context,
        test_users=dict(_CONFIG_TEST_USERS),
        extra={
            "nav_label": _("Cabinets"),
            "test_unit_scoped": False,
            "test_text_field": "name",
            "test_search_field": "name",
        },
    )
)

register(
    RecordType(
        model=Dossier,
        slug="dossiers",
        columns=[
            Column("title", sort="title", link=True),
            Column("archive_number", sort="archive_number"),
            Column("customer.name", label=_("Customer")),
            Column("customer.unit.name", label=_("Department")),
            Column("category"),
            Column("confidentiality", badge=True),
            Column("stage", badge=True),
            Column("location", label=_("Location")),
            Column("updated_at", sort="updated_at"),
        ],
        filterset=filters.DossierFilter,
        form=forms.DossierForm,
        create_form=forms.DossierCreateForm,
        form_takes_user=True,
        serializer=serializers.DossierSerializer,
        detail_fields=[],
        search_fields=["title", "archive_number", "customer__name"],
        default_sort="archive_number",
        create=services.create_dossier,
        update=services.update_dossier,
        queryset=lambda: Dossier.objects.select_related(
            "customer", "customer__unit", "category", "cabinet", "custodian"
        ),
        detail_template="archives/dossier.html",
        detail_context=selectors.dossier_context,
        row_action=selectors.borrow_link,
        icon="folders",
        sample_data=_sample_dossier,
        test_users=dict(_DOSSIER_TEST_USERS),
        extra={
            "nav_label": _("Archive catalogue"),
            "test_text_field": "title",
            "print_url": reverse_lazy("archives:catalogue_pdf"),
        },
    )
)

register(
    RecordType(
        model=DossierItem,
        slug="archive-items",
        columns=[
            Column("reference_code", sort="reference_code", link=True),
            Column("title", sort="title"),
            Column("dossier.archive_number", label=_("archive number")),
            Column("dossier.customer.name", label=_("Customer")),
            Column("category"),
            Column("medium", badge=True),
            Column("retention", badge=True),
            Column("filed_by.full_name", label=_("filed by")),
            Column("filed_at", sort="filed_at"),
        ],
        filterset=filters.ItemFilter,
        form=forms.ItemForm,
        create_form=forms.ItemCreateForm,
        form_takes_user=True,
        serializer=serializers.ItemSerializer,
        detail_fields=[
            "reference_code",
            "dossier",
            "category",
            "title",
            "document",
            "medium",
            "pages",
            "year",
            "retention",
            "item_no",
            "filed_at",
            "filed_by",
            "destroyed_at",
            "note",
        ],
        search_fields=[
            "title",
            "reference_code",
            "dossier__archive_number",
            "dossier__customer__name",
        ],
        default_sort="-filed_at",
        create=services.file_item,
        update=services.update_item,
        queryset=lambda: DossierItem.objects.select_related(
            "dossier", "dossier__customer", "category", "filed_by"
        ),
        icon="file-stack",
        sample_data=_sample_item,
        test_users=dict(_DOSSIER_TEST_USERS),
        extra={
            "nav_label": _("Filing register"),
            "test_text_field": "title",
            "test_search_field": "title",
            "print_url": reverse_lazy("archives:register_pdf"),
        },
    )
)
