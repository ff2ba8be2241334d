"""The customer master (CUS-1 … CUS-15): customers, contacts, bank accounts, classifications,
lifecycle history, duplicate flags and change requests."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.crypto import EncryptedTextField, Unreadable
from kehu.core.digest import lookup_digest
from kehu.core.masking import ID_NUMBER, mask
from kehu.core.models import OrgUnit, TrackedModel
from kehu.core.rowbound import RowBoundManager
from kehu.customers.flags import raised as raised_flags


def _digest(kind: str, value: str) -> str:
    return lookup_digest(kind, value) if value else ""


class CustomerKind(models.TextChoices):
    ORGANIZATION = "organization", _("Organisation")
    INDIVIDUAL = "individual", _("Individual")


class CustomerStatus(models.TextChoices):
    # A context of their own: "Active" of a customer is not "active" of a user account.
    PROSPECT = "prospect", pgettext_lazy("customer status", "Prospect")
    IN_FILING = "in_filing", pgettext_lazy("customer status", "In filing")
    ACTIVE = "active", pgettext_lazy("customer status", "Active")
    SUSPENDED = "suspended", pgettext_lazy("customer status", "Suspended")
    PAST = "past", pgettext_lazy("customer status", "Past")
    CLOSED = "closed", pgettext_lazy("customer status", "Closed")
    # A filing that was rejected (FIL-7): the customer stays in the register, with its case.
    REJECTED = "rejected", pgettext_lazy("customer status", "Filing rejected")


# The active register (CUS-8): suspended, past and closed customers leave it.
ACTIVE_REGISTER = (
    CustomerStatus.PROSPECT,
    CustomerStatus.IN_FILING,
    CustomerStatus.ACTIVE,
    CustomerStatus.REJECTED,
)


class Nature(models.TextChoices):
    """企业性质 of an organisation."""

    GOVERNMENT = "government", _("Government or public institution")
    STATE_OWNED = "state_owned", _("State-owned enterprise")
    PRIVATE = "private", _("Private enterprise")
    FOREIGN = "foreign", _("Foreign-invested enterprise")
    COLLECTIVE = "collective", _("Collective enterprise")
    PARTNER = "partner", _("Business partner")
    OTHER = "other", _("Other")


class Industry(models.TextChoices):
    """The 20 sections of GB/T 4754-2017 (国民经济行业分类)."""

    A = "A", _("Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("Mining")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, heat, gas and water")
    E = "E", _("Construction")
    F = "F", _("Wholesale and retail")
    G = "G", _("Transport, storage and post")
    H = "H", _("Accommodation and catering")
    I = "I", _("Information technology and software")  # noqa: E741
    J = "J", _("Financial services")
    K = "K", _("Real estate")
    L = "L", _("Leasing and business services")
    M = "M", _("Scientific research and technical services")
    N = "N", _("Water, environment and public facilities")
    O = "O", _("Residential and other services")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Culture, sports and entertainment")
    S = "S", _("Public administration and social organisations")
    T = "T", _("International organisations")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Currency(models.TextChoices):
    CNY = "CNY", _("Renminbi (CNY)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    HKD = "HKD", _("Hong Kong dollar (HKD)")
    JPY = "JPY", _("Japanese yen (JPY)")


class ClassificationDimension(TrackedModel):
    """One independent way of classifying customers, configured by an administrator."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("classification dimension")
        verbose_name_plural = _("classification dimensions")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ClassificationValue(TrackedModel):
    dimension = models.ForeignKey(
        ClassificationDimension,
        verbose_name=_("dimension"),
        on_delete=models.PROTECT,
        related_name="values",
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("classification value")
        verbose_name_plural = _("classification values")
        ordering = ["dimension__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="unique_value_code")
        ]

    def __str__(self) -> str:
        return f"{self.dimension.name}: {self.name}"


class Customer(TrackedModel):
    """A customer's card (原始资料卡). Organisation and individual customers share the table;
    fields of the other kind stay blank. ID numbers and the phone are encrypted (SEC-3), with a
    keyed digest beside them for uniqueness and exact lookup."""

    kind = models.CharField(_("kind"), max_length=20, choices=CustomerKind.choices)
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_(
            "The full registered name exactly as on the business licence, or the person's name."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CustomerStatus.choices,
        default=CustomerStatus.PROSPECT,
        db_index=True,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.PROTECT,
        related_name="customers",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="customers"
    )
    # Identifiers
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, null=True, blank=True, unique=True
    )
    org_code = models.CharField(_("organisation code"), max_length=9, blank=True)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_digest = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    # Organisation
    nature = models.CharField(_("nature"), max_length=20, choices=Nature.choices, blank=True)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)
    legal_rep_name = models.CharField(_("legal representative"), max_length=50, blank=True)
    legal_rep_title = models.CharField(_("legal representative's title"), max_length=50, blank=True)
    # 董事长 and 总经理: basic data of an organisation, besides the legal representative.
    chairman = models.CharField(_("chairman"), max_length=50, blank=True)
    general_manager = models.CharField(_("general manager"), max_length=50, blank=True)
    # A person's phone, as a contact's mobile is: encrypted, masked, found by its digest.
    legal_rep_phone = EncryptedTextField(_("legal representative's phone"), blank=True)
    legal_rep_phone_digest = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False
    )
    legal_rep_id_number = EncryptedTextField(_("legal representative's ID number"), blank=True)
    legal_rep_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    operating_address = models.CharField(_("operating address"), max_length=200, blank=True)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    capital_currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    business_scope = models.TextField(_("business scope"), blank=True)
    operating_term_until = models.DateField(
        _("operating term until"), null=True, blank=True, help_text=_("Blank means unlimited.")
    )
    licence_valid_until = models.DateField(_("licence valid until"), null=True, blank=True)
    issuing_authority = models.CharField(_("issuing authority"), max_length=100, blank=True)
    certifications = models.TextField(_("certifications"), blank=True)
    # Individual
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    # Both
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=20, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=30, blank=True, db_index=True)
    # Business relation
    products = models.TextField(_("products and services"), blank=True)
    cooperation_since = models.DateField(_("cooperating since"), null=True, blank=True)
    contract_numbers = models.CharField(_("contract numbers"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    classifications = models.ManyToManyField(
        ClassificationValue, verbose_name=_("classifications"), blank=True, related_name="customers"
    )
    # Derived, maintained by the services
    name_pinyin = models.CharField(max_length=800, editable=False, default="")
    name_key = models.CharField(max_length=200, editable=False, default="", db_index=True)
    search_text = models.TextField(editable=False, default="")
    completeness = models.PositiveSmallIntegerField(_("completeness %"), default=0, editable=False)
    last_verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        db_index=False,  # partial index below
    )

    objects = RowBoundManager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name_pinyin", "pk"]
        indexes = [
            models.Index(fields=["name_pinyin", "id"], name="customer_pinyin"),
            models.Index(fields=["unit", "status", "name_pinyin", "id"], name="customer_unit_list"),
            models.Index(
                fields=["owner", "status", "name_pinyin", "id"], name="customer_owner_list"
            ),
            models.Index(fields=["updated_at", "id"], name="customer_updated"),
            # Only merged customers: a full index of mostly NULLs makes SQLite's statistics
            # (ANALYZE) claim a million rows per value, and the card's "merged from" query
            # then scans the table instead of using it.
            models.Index(
                fields=["merged_into"],
                name="customer_merged_into",
                condition=Q(merged_into__isnull=False),
            ),
        ]
        permissions = []

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_digest = _digest("phone", self.phone)
        self.legal_rep_phone_digest = _digest("phone", self.legal_rep_phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_digest"}
        if update_fields is not None and "legal_rep_phone" in update_fields:
            kwargs["update_fields"] = {*kwargs["update_fields"], "legal_rep_phone_digest"}
        super().save(*args, **kwargs)

    def flags(self) -> Any:
        """The flags other contexts raise for this customer (kehu.customers.flags), read from
        the annotations of the list's query."""
        return raised_flags(self)

    @property
    def is_organization(self) -> bool:
        return self.kind == CustomerKind.ORGANIZATION

    @property
    def in_active_register(self) -> bool:
        return self.status in ACTIVE_REGISTER

    def identifier(self) -> str:
        """Credit code, or the ID number masked (110105************) for lists."""
        if self.credit_code:
            return self.credit_code
        if isinstance(self.id_number, Unreadable):
            return str(self.id_number)  # the marker, not cut into a mask
        return mask(ID_NUMBER, self.id_number) if self.id_number else ""


class Contact(TrackedModel):
    """A person at an organisation customer."""

    class ContactRole(models.TextChoices):
        DECISION_MAKER = "decision_maker", _("Decision maker")
        INFLUENCER = "influencer", _("Influencer")
        PURCHASER = "purchaser", _("Purchaser")
        FINANCE = "finance", _("Finance")
        TECHNICAL = "technical", _("Technical")
        USER = "user", _("User")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    department = models.CharField(_("department"), max_length=50, blank=True)
    mobile = EncryptedTextField(_("mobile"), blank=True)
    mobile_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    office_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=ContactRole.choices, default=ContactRole.OTHER
    )
    influence = models.PositiveSmallIntegerField(
        _("decision weight %"),
        null=True,
        blank=True,
        help_text=_("话语权 (decision weight), 0–100."),
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    note = models.TextField(_("note"), blank=True)

    objects = RowBoundManager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer", "-is_primary", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_primary=True), name="one_primary_contact"
            ),
            models.CheckConstraint(
                condition=Q(influence__isnull=True) | Q(influence__lte=100),
                name="influence_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.customer.name}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.mobile_digest = _digest("phone", self.mobile)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "mobile" in update_fields:
            kwargs["update_fields"] = {*update_fields, "mobile_digest"}
        super().save(*args, **kwargs)


class BankAccount(TrackedModel):
    """A settlement account (对公账户); the number is encrypted (SEC-3)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="bank_accounts"
    )
    account_name = models.CharField(_("account name"), max_length=200)
    bank_name = models.CharField(_("bank"), max_length=100)
    branch = models.CharField(_("branch"), max_length=100, blank=True)
    account_number = EncryptedTextField(_("account number"))
    account_number_digest = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False
    )
    is_primary = models.BooleanField(_("primary account"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = RowBoundManager()

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        ordering = ["customer", "-is_primary", "pk"]

    def __str__(self) -> str:
        return f"{self.bank_name} ****{self.account_number[-4:]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.account_number_digest = _digest("account_number", self.account_number)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "account_number" in update_fields:
            kwargs["update_fields"] = {*update_fields, "account_number_digest"}
        super().save(*args, **kwargs)


class StatusChange(models.Model):
    """One step of a customer's lifecycle, with its reason."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=CustomerStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=CustomerStatus.choices)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class DuplicateReason(models.TextChoices):
    SIMILAR_NAME = "similar_name", _("Very similar name")
    SHARED_PHONE = "shared_phone", _("Shared phone number")
    SAME_LEGAL_REP = "same_legal_rep", _("Same legal representative")


class DuplicateFlag(models.Model):
    """A possible duplicate pair, shown on both cards until merged or dismissed.
    `first` is always the lower id, so a pair is stored once per reason."""

    first = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=DuplicateReason.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["first", "second", "reason"], name="unique_flag"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="flag_order"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.reason})"


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ChangeRequest(TrackedModel):
    """A proposed correction of a customer's data with supporting material."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="change_requests",
    )
    # None: proposed from outside (a customer's contact through an update link), who is
    # named by `declared_name`.
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    declared_name = models.CharField(_("declared name"), max_length=50, blank=True)
    # {field: [value when proposed, proposed value]}
    changes = models.JSONField(_("changes"))
    reason = models.TextField(_("reason"))
    attachment = models.FileField(
        _("supporting file"), upload_to="change-requests/%Y/", blank=True, max_length=300
    )
    attachment_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ChangeRequestStatus.choices,
        default=ChangeRequestStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.customer.name} #{self.pk}"

    @property
    def proposer_shown(self) -> str:
        """Who proposed it: the user, or the name a contact declared on an update link."""
        if self.proposer is not None:
            return self.proposer.full_name or self.proposer.username
        return str(_("%(name)s (through an update link)") % {"name": self.declared_name})
