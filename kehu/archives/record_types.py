"""Record types of the archives: categories (ARC-2), the archive catalogue of dossiers
(档案目录, ARC-1/ARC-4), the filing register (归档登记表, ARC-4) and cabinets (ARC-3), each
with list, filters, export, detail, edit and API."""

from __future__ import annotations

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from kehu.archives import filters, forms, selectors, serializers, services
from kehu.archives.models import (
    ArchiveCategory,
    Cabinet,
    Dossier,
    DossierItem,
    Loan,
    Transfer,
)
from kehu.core import policy
from kehu.customers.models import Customer
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

register(
    RecordType(
        model=ArchiveCategory,
        slug="archive-categories",
        nav=Nav(_("Archive categories"), icon="category-2"),
        listing=ListSpec(
            columns=[
                Column("name", sort="name", link=True),
                Column("code", sort="code"),
                Column("class_code"),
                Column("order", sort="order"),
                Column("retention", badge=True),
                Column("is_active", badge=True),
            ],
            filterset=filters.CategoryFilter,
            default_sort="order",
            search_fields=["name", "code"],
        ),
        detail=DetailSpec(fields=["code", "name", "class_code", "order", "retention", "is_active"]),
        edit=EditSpec(form=forms.CategoryForm),
        api=ApiSpec(serializer=serializers.CategorySerializer),
    )
)

register(
    RecordType(
        model=Cabinet,
        slug="cabinets",
        nav=Nav(_("Cabinets"), icon="archive"),
        listing=ListSpec(
            columns=[
                Column("code", sort="code", link=True),
                Column("name", sort="name"),
                Column("room"),
                Column("shelves"),
                Column("last_checked_on"),
                Column("is_active", badge=True),
            ],
            filterset=filters.CabinetFilter,
            default_sort="code",
            search_fields=["name", "code"],
        ),
        detail=DetailSpec(
            fields=["code", "name", "room", "shelves", "last_checked_on", "is_active", "note"],
            panels=["archives/_cabinet_panel.html"],
            context=selectors.cabinet_context,
        ),
        edit=EditSpec(form=forms.CabinetForm),
        api=ApiSpec(serializer=serializers.CabinetSerializer),
    )
)

register(
    RecordType(
        model=Dossier,
        slug="dossiers",
        nav=Nav(_("Archive catalogue"), icon="books"),
        queryset=lambda: Dossier.objects.select_related(
            "customer", "customer__unit", "category", "cabinet", "custodian"
        ),
        listing=ListSpec(
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
            default_sort="archive_number",
            search_fields=["title", "archive_number", "customer__name"],
            print_url=reverse_lazy("archives:catalogue_pdf"),
            row_action=selectors.borrow_link,
        ),
        detail=DetailSpec(template="archives/dossier.html", context=selectors.dossier_context),
        edit=EditSpec(
            form=forms.DossierForm,
            create_form=forms.DossierCreateForm,
            takes_user=True,
            create=services.create_dossier,
            update=services.update_dossier,
        ),
        api=ApiSpec(serializer=serializers.DossierSerializer),
    )
)

register(
    RecordType(
        model=DossierItem,
        slug="archive-items",
        nav=Nav(_("Filing register"), icon="file-stack"),
        queryset=lambda: DossierItem.objects.select_related(
            "dossier", "dossier__customer", "category", "filed_by"
        ),
        listing=ListSpec(
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
            default_sort="-filed_at",
            search_fields=[
                "title",
                "reference_code",
                "dossier__archive_number",
                "dossier__customer__name",
            ],
            print_url=reverse_lazy("archives:register_pdf"),
        ),
        detail=DetailSpec(
            fields=[
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
        ),
        edit=EditSpec(
            form=forms.ItemForm,
            create_form=forms.ItemCreateForm,
            takes_user=True,
            create=services.file_item,
            update=services.update_item,
        ),
        api=ApiSpec(serializer=serializers.ItemSerializer),
    )
)
