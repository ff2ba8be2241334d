"""Customers, contacts, bank accounts and classifications as record types: generic list,
card, edit, export and API, with the customer services behind them. Their personal data is
declared in kehu.customers.sensitive."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from kehu.core import policy
from kehu.customers import filters, forms, selectors, serializers, services
from kehu.customers.flags import annotate_flag_keys, annotate_flags
from kehu.customers.models import (
    BankAccount,
    ChangeRequest,
    ClassificationDimension,
    ClassificationValue,
    Contact,
    Customer,
)
from kehu.customers.search import filter_text, is_exact_value
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


# What the list's columns, sorts and cursors read (`identifier` is the credit code or the
# masked ID number); a column reading anything else would cost a query per row, which
# test_list_pages_ask_no_query_per_row catches.
LIST_FIELDS = (
    *("id", "version", "kind", "name", "name_pinyin", "status", "credit_code", "id_number"),
    *("city", "completeness", "updated_at", "owner", "unit", "last_verified_at"),
    *("owner__username", "owner__full_name", "unit__name", "unit__code"),
)

register(
    RecordType(
        model=Customer,
        slug="customers",
        nav=Nav(_("Customer list"), icon="building-store"),
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
        listing=ListSpec(
            columns=[
                Column("name", sort="name_pinyin", link=True),
                Column("kind", badge=True, secondary=True),
                Column("identifier", label=_("Credit code / ID number"), secondary=True),
                Column("status", sort="status", badge=True),
                Column("flags", label=_("Flags")),
                Column("owner.full_name", label=_("Account manager"), secondary=True),
                Column("unit.name", label=_("Department"), secondary=True),
                Column("city", secondary=True),
                Column("completeness", sort="completeness", secondary=True),
                Column("updated_at", sort="updated_at", secondary=True),
            ],
            filterset=filters.CustomerFilter,
            filterset_takes_user=True,
            default_sort="name_pinyin",
            search=filter_text,
            search_takes_user=True,
            private_search=is_exact_value,
            # The list and the export show the columns: no contacts or classifications, and
            # of the customer's fifty fields only theirs.
            queryset=lambda: annotate_flags(
                Customer.objects.select_related("owner", "unit").only(*LIST_FIELDS)
            ),
            # Counting a million-row list exactly costs more than the page itself.
            count_limit=1_000,
            # A search for a common term skips the n-gram index and tests rows one by one, so
            # its count stops sooner (bench/README.md). A larger page counts to its size.
            search_count_limit=100,
            # The customer list per department (客户一览表).
            print_url=reverse_lazy("customers:list_pdf"),
        ),
        detail=DetailSpec(template="customers/card.html", context=selectors.card_context),
        edit=EditSpec(
            form=forms.CustomerForm,
            takes_user=True,
            template="customers/customer_form.html",
            create=services.create_customer,
            update=services.update_customer,
        ),
        api=ApiSpec(
            serializer=serializers.CustomerSerializer,
            # The API shows classifications as ids: no dimensions; the flags as their keys.
            queryset=lambda: annotate_flag_keys(
                Customer.objects.select_related("owner", "unit").prefetch_related(
                    Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "pk")),
                    "classifications",
                )
            ),
        ),
    )
)

register(
    RecordType(
        model=Contact,
        slug="contacts",
        nav=Nav(_("Contacts"), icon="address-book"),
        queryset=lambda: Contact.objects.select_related("customer"),
        listing=ListSpec(
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
            default_sort="name",
            search_fields=["name", "customer__name"],
            search=selectors.search_contacts,
            search_takes_user=True,
            # A full mobile typed into the search box stays out of URLs and the access log.
            private_search=is_exact_value,
        ),
        detail=DetailSpec(
            parent="customer",
            fields=[
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
            panels=["privacy/_consents_panel.html"],
        ),
        edit=EditSpec(
            form=forms.ContactForm,
            takes_user=True,
            create=services.create_contact,
            update=services.update_contact,
        ),
        api=ApiSpec(serializer=serializers.ContactSerializer),
    )
)

register(
    RecordType(
        model=BankAccount,
        slug="bank-accounts",
        queryset=lambda: BankAccount.objects.select_related("customer"),
        listing=ListSpec(
            columns=[
                Column("account_name", sort="account_name", link=True),
                Column("customer.name", label=_("Customer")),
                Column("bank_name", sort="bank_name"),
                Column("branch"),
                Column("account_number"),
                Column("is_primary", badge=True),
            ],
            filterset=filters.BankAccountFilter,
            default_sort="account_name",
            search_fields=["account_name", "bank_name", "customer__name"],
        ),
        detail=DetailSpec(
            parent="customer",
            fields=[
                "customer",
                "account_name",
                "bank_name",
                "branch",
                "account_number",
                "is_primary",
                "note",
                "updated_at",
            ],
        ),
        edit=EditSpec(
            form=forms.BankAccountForm,
            takes_user=True,
            create=services.create_bank_account,
            update=services.update_bank_account,
        ),
        api=ApiSpec(serializer=serializers.BankAccountSerializer),
    )
)

register(
    RecordType(
        model=ClassificationDimension,
        slug="classification-dimensions",
        nav=Nav(_("Classifications"), icon="category", permission="change"),
        listing=ListSpec(
            columns=[
                Column("name", sort="name", link=True),
                Column("code", sort="code"),
                Column("order", sort="order"),
                Column("is_active", badge=True),
            ],
            filterset=filters.DimensionFilter,
            default_sort="order",
            search_fields=["code", "name"],
        ),
        detail=DetailSpec(fields=["code", "name", "order", "is_active", "updated_at"]),
        edit=EditSpec(form=forms.DimensionForm),
        api=ApiSpec(serializer=serializers.DimensionSerializer),
    )
)

register(
    RecordType(
        model=ClassificationValue,
        slug="classification-values",
        queryset=lambda: ClassificationValue.objects.select_related("dimension"),
        listing=ListSpec(
            columns=[
                Column("name", sort="name", link=True),
                Column("dimension"),
                Column("code", sort="code"),
                Column("order", sort="order"),
                Column("is_active", badge=True),
            ],
            filterset=filters.ValueFilter,
            default_sort="order",
            search_fields=["code", "name"],
        ),
        detail=DetailSpec(fields=["dimension", "code", "name", "order", "is_active", "updated_at"]),
        edit=EditSpec(form=forms.ValueForm),
        api=ApiSpec(serializer=serializers.ValueSerializer),
    )
)
