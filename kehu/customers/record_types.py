"""Customers, contacts, bank accounts and classifications as record types: generic list,
card, edit, export, API and standard tests, with the customer services behind them."""

from __future__ import annotations

import itertools
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kehu.core import masking, policy
from kehu.core.digest import lookup_digest
from kehu.core.models import OrgUnit, User
from kehu.core.normalize import normalize_phone
from kehu.customers import filters, forms, selectors, serializers, services
from kehu.customers.models import (
    BankAccount,
    ChangeRequest,
    ClassificationDimension,
    ClassificationValue,
    Contact,
    Customer,
    CustomerKind,
)
from kehu.customers.search import filter_text, is_exact_value
from kehu.generic import listing
from kehu.generic.registry import Column, RecordType, register

policy.register_scope(
    Customer, "unit__path", "owner_id", grant_actions=("view", "change", "reveal")
)
# A time-limited grant on a customer also opens its contacts, accounts and requests, each
# for the actions declared here only: an "Edit" grant edits the customer and its contacts,
# never its bank accounts.
_CUSTOMER = (Customer, "customer_id")
policy.register_scope(
    Contact,
    "customer__unit__path",
    "customer__owner_id",
    grant_parent=_CUSTOMER,
    grant_actions=("view", "change", "reveal", "profile"),
)
policy.register_scope(
    BankAccount,
    "customer__unit__path",
    "customer__owner_id",
    grant_parent=_CUSTOMER,
    grant_actions=("view", "reveal"),
)
policy.register_scope(
    ChangeRequest, "customer__unit__path", "customer__owner_id", grant_parent=_CUSTOMER
)

# Sensitive fields (SEC-3): masked everywhere unless revealed (kehu.privacy). The one
# declaration every output reads: lists, cards, forms, exports, the API, audit snapshots and
# the audit log's display, change requests and PDFs.
# Tiers (kehu.core.masking): ID and bank account numbers CORE, a person's phones and what the
# ID number encodes IMPORTANT; an administrator may move any of them (kehu.privacy.tiers).
masking.register(Customer, "id_number", masking.ID_NUMBER, tier=masking.CORE)
# The birth date and gender are digits 7–14 and 17 of the ID number, which the mask hides:
# shown beside it they would rebuild it, so they are masked with it and revealed with it.
# Organisations have neither, so they apply to every customer (and to old audit events).
masking.register(Customer, "birth_date", masking.DATE, part_of="id_number")
masking.register(Customer, "gender", masking.HIDDEN, part_of="id_number")
masking.register(Customer, "legal_rep_id_number", masking.ID_NUMBER, tier=masking.CORE)
masking.register(
    Customer,
    "phone",
    masking.PHONE,
    applies=lambda c: c.kind == CustomerKind.INDIVIDUAL,
    uses=("kind",),
)
# A person's phone is masked wherever it appears: a contact's mobile, the legal
# representative's phone (the same person is often both).
masking.register(Customer, "legal_rep_phone", masking.PHONE)
masking.register(Contact, "mobile", masking.PHONE)
masking.register(BankAccount, "account_number", masking.ACCOUNT, tier=masking.CORE)

_counter = itertools.count(1)

# The generated tests (tests/test_record_types.py): the head of SALE creates and edits, the
# archivist holds no customer permission, the general manager of BJ reads SALE and MKT but
# not SH-SALE and changes nothing here, and an account manager of SH-SALE adds the rows the
# general manager does not see.
_CUSTOMER_TEST_USERS = {
    "editor": "head_sale",
    "outsider": "archivist",
    "scoped": "gm",
    "elsewhere": "manager4",
}
# Classifications are not unit-scoped: the administrator configures them, the auditor reads
# them all, and the archivist holds no permission on them (account managers may read them).
_CLASSIFICATION_TEST_USERS = {"editor": "admin", "outsider": "archivist", "scoped": "auditor"}


def _customer_data(user: User) -> dict[str, Any]:
    """A valid organisation customer that `user` registers as its own, in its department."""
    from kehu.customers.identifiers import make_credit_code

    n = next(_counter)
    return {
        "kind": CustomerKind.ORGANIZATION,
        "name": f"北京样例科技第{n}有限公司",
        "owner": user,
        "unit": OrgUnit.objects.get(pk=user.unit_id or 0),
        "credit_code": make_credit_code(f"91110105MA{n:07d}"),
        "phone": f"010-6{n:07d}",
        "registered_capital": "500万",
        "founded_on": "2020年3月1日",
    }


def _sample_customer(user: User) -> dict[str, Any]:
    """Form data of a customer `user` may register (the form offers the user's departments)."""
    data = _customer_data(user)
    return data | {"owner": user.pk, "unit": data["unit"].pk, "capital_currency": "CNY"}


def _sample_contact(user: User) -> dict[str, Any]:
    """A contact of a new customer of `user` (the form offers the customers it may change)."""
    customer = services.create_customer(_customer_data(user))
    n = next(_counter)
    return {
        "customer": customer.pk,
        "name": f"样例联系人{n:05d}",
        "gender": "male",
        "title": "采购经理",
        "mobile": f"138{n:08d}",
        "role": "purchaser",
        "influence": "40",
    }


def _sample_account(user: User) -> dict[str, Any]:
    customer = services.create_customer(_customer_data(user))
    return {
        "customer": customer.pk,
        "account_name": customer.name,
        "bank_name": "中国工商银行",
        "branch": "北京海淀支行",
        "account_number": "0200 0045 0920 0123 456",
    }


def _search_contacts(queryset: QuerySet[Contact], text: str) -> QuerySet[Contact]:
    """Name or customer name as a substring; a mobile (encrypted) by its full value."""
    matching = listing.search(queryset, ["name", "customer__name"], text)
    try:
        phone = normalize_phone(text)
    except ValidationError:
        return matching
    if not phone:
        return matching
    digest = lookup_digest("phone", phone)
    return queryset.filter(Q(pk__in=matching.values("pk")) | Q(mobile_digest=digest))


def _sample_dimension() -> dict[str, Any]:
    n = next(_counter)
    return {"code": f"dim{n}", "name": f"维度{n}", "order": n, "is_active": "on"}


def _sample_value() -> dict[str, Any]:
    n = next(_counter)
    dimension = ClassificationDimension.objects.create(code=f"vdim{n}", name=f"维度{n}")
    return {
        "dimension": dimension.pk,
        "code": f"v{n}",
        "name": f"值{n}",
        "order": n,
        "is_active": "on",
    }


# What the list's columns, sorts and cursors read (`identifier` is the credit code or the
# masked ID number); a column reading anything else would cost a query per row, which
# test_list_pages_ask_no_query_per_row catches.
LIST_FIELDS = (
    *("id", "version", "kind", "name", "name_pinyin", "status", "credit_code", "id_number"),
    *("city", "completeness", "updated_at", "owner", "unit"),
    *("owner__username", "owner__full_name", "unit__name", "unit__code"),
)

register(
    RecordType(
        model=Customer,
        slug="customers",
        columns=[
            Column("name", sort="name_pinyin", link=True),
            Column("kind", badge=True, secondary=True),
            Column("identifier", label=_("Credit code / ID number"), secondary=True),
            Column("status", sort="status", badge=True),
            Column("owner.full_name", label=_("Account manager"), secondary=True),
            Column("unit.name", label=_("Department"), secondary=True),
            Column("city", secondary=True),
            Column("completeness", sort="completeness", secondary=True),
            Column("updated_at", sort="updated_at", secondary=True),
        ],
        filterset=filters.CustomerFilter,
        filterset_takes_user=True,
        form=forms.CustomerForm,
        form_takes_user=True,
        form_template="customers/customer_form.html",
        serializer=serializers.CustomerSerializer,
        detail_fields=[],
        search=filter_text,
        search_takes_user=True,
        private_search=is_exact_value,
        # Counting a million-row list exactly costs more than the page itself.
        count_limit=1_000,
        # A search for a common term ('科技': ≈ 17 % of customers) skips the n-gram index and
        # tests search_text row by row, in table order: 100+ is counted in a tenth of the time
        # of 1,000+ (at 1,000,000 customers a department's 101st '科技' is ≈ 7,000 rows in;
        # bench/README.md). A larger page counts to its size (records.listing.keyset_page).
        search_count_limit=100,
        default_sort="name_pinyin",
        create=services.create_customer,
        update=services.update_customer,
        # The card's archive panel reads the dossier and its cabinet from this join.
        queryset=lambda: Customer.objects.select_related(
            "owner", "unit", "dossier__cabinet"
        ).prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "pk")),
            # One query for the values with their dimensions, not one for each.
            Prefetch(
                "classifications",
                queryset=ClassificationValue.objects.select_related("dimension"),
            ),
        ),
        # The list and the export show the columns: no contacts or classifications, and of
        # the customer's fifty fields only theirs (it halves the cost of reading a page).
        list_queryset=lambda: Customer.objects.select_related("owner", "unit").only(*LIST_FIELDS),
        # The API shows classifications as ids: no dimensions.
        api_queryset=lambda: Customer.objects.select_related("owner", "unit").prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "pk")),
            "classifications",
        ),
        detail_context=selectors.card_context,
        # An individual's card is personal data: every look is recorded (AUD-1).
        audit_reads=lambda c: c.kind == CustomerKind.INDIVIDUAL,
        icon="building-store",
        sample_data=_sample_customer,
        test_users=dict(_CUSTOMER_TEST_USERS),
        detail_template="customers/card.html",
        extra={
            "nav_label": _("Customers"),
            # The custom search finds customers by name (and pinyin, codes, phones, contacts).
            "test_search_field": "name",
            "test_text_field": "name",
        },
    )
)

register(
    RecordType(
        model=Contact,
        slug="contacts",
        columns=[
            Column("name", sort="name", link=True),
            Column("customer.name", label=_("Customer")),
            Column("title"),
            Column("role", badge=True),
            Column("mobile"),
            Column("influence"),
            Column("is_primary", badge=True),
            Column("updated_at", sort="updated_at"),
        ],
        filterset=filters.ContactFilter,
        form=forms.ContactForm,
        form_takes_user=True,
        serializer=serializers.ContactSerializer,
        detail_fields=[
            "customer",
            "name",
            "gender",
            "title",
            "department",
            "mobile",
            "office_phone",
            "email",
            "role",
            "influence",
            "is_primary",
            "note",
            "updated_at",
        ],
        search_fields=["name", "customer__name"],
        search=_search_contacts,
        default_sort="name",
        create=services.create_contact,
        update=services.update_contact,
        queryset=lambda: Contact.objects.select_related("customer"),
        parent="customer",
        audit_reads=lambda c: True,
        detail_panels=["privacy/_consents_panel.html"],
        icon="address-book",
        sample_data=_sample_contact,
        test_users=dict(_CUSTOMER_TEST_USERS),
        extra={"nav_label": _("Contacts")},
    )
)

register(
    RecordType(
        model=BankAccount,
        slug="bank-accounts",
        columns=[
            Column("account_name", sort="account_name", link=True),
            Column("customer.name", label=_("Customer")),
            Column("bank_name", sort="bank_name"),
            Column("branch"),
            Column("account_number"),
            Column("is_primary", badge=True),
        ],
        filterset=filters.BankAccountFilter,
        form=forms.BankAccountForm,
        form_takes_user=True,
        serializer=serializers.BankAccountSerializer,
        detail_fields=[
            "customer",
            "account_name",
            "bank_name",
            "branch",
            "account_number",
            "is_primary",
            "note",
            "updated_at",
        ],
        search_fields=["account_name", "bank_name", "customer__name"],
        default_sort="account_name",
        create=services.create_bank_account,
        update=services.update_bank_account,
        queryset=lambda: BankAccount.objects.select_related("customer"),
        parent="customer",
        icon="building-bank",
        sample_data=_sample_account,
        test_users=dict(_CUSTOMER_TEST_USERS),
        extra={"nav_label": _("Bank accounts")},
    )
)

register(
    RecordType(
        model=ClassificationDimension,
        slug="classification-dimensions",
        columns=[
            Column("name", sort="name", link=True),
            Column("code", sort="code"),
            Column("order", sort="order"),
            Column("is_active", badge=True),
        ],
        filterset=filters.DimensionFilter,
        form=forms.DimensionForm,
        serializer=serializers.DimensionSerializer,
        detail_fields=["code", "name", "order", "is_active", "updated_at"],
        search_fields=["code", "name"],
        default_sort="order",
        icon="category",
        sample_data=_sample_dimension,
        test_users=dict(_CLASSIFICATION_TEST_USERS),
        extra={"nav_label": _("Classification dimensions"), "test_unit_scoped": False},
    )
)

register(
    RecordType(
        model=ClassificationValue,
        slug="classification-values",
        columns=[
            Column("name", sort="name", link=True),
            Column("dimension"),
            Column("code", sort="code"),
            Column("order", sort="order"),
            Column("is_active", badge=True),
        ],
        filterset=filters.ValueFilter,
        form=forms.ValueForm,
        serializer=serializers.ValueSerializer,
        detail_fields=["dimension", "code", "name", "order", "is_active", "updated_at"],
        search_fields=["code", "name"],
        default_sort="order",
        queryset=lambda: ClassificationValue.objects.select_related("dimension"),
        icon="tags",
        sample_data=_sample_value,
        test_users=dict(_CLASSIFICATION_TEST_USERS),
        extra={"nav_label": _("Classification values"), "test_unit_scoped": False},
    )
)
