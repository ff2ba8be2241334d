"""Privacy records (PRV-1 … PRV-3): consents of individual customers and contacts, the extended
personal profile of key contacts (CUS-14), the deletion ledger and retention settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.crypto import EncryptedTextField
from kehu.core.models import TrackedModel
from kehu.core.rowbound import RowBoundManager
from kehu.customers.models import Contact, Customer
from kehu.workflow.definitions import outcome_label


class Purpose(models.TextChoices):
    PROCESSING = "processing", _("Handling personal information for the business relation")
    MARKETING = "marketing", _("Marketing contact")
    PROFILE = "profile", _("Extended personal profile")
    SHARING = "sharing", _("Provision to third parties")
    # Surveys and interviews of a person customer (客户调研, satisfaction surveys).
    RESEARCH = "research", _("Surveys and customer research")


class Channel(models.TextChoices):
    WRITTEN = "written", _("Signed form")
    ELECTRONIC = "electronic", _("Electronic (web, app)")
    EMAIL = "email", _("E-mail")
    ORAL = "oral", _("Oral, recorded")


class Consent(TrackedModel):
    """One consent (同意) of a person — an individual customer or a contact — for a purpose, as
    given (date, channel, evidence) and possibly withdrawn later (PIPL art. 14/15)."""

    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    scope = models.TextField(_("scope"), help_text=_("What data, for what use, for how long."))
    given_on = models.DateField(_("given on"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    evidence = models.FileField(_("evidence"), upload_to="consents/%Y/", blank=True, max_length=300)
    evidence_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_note = models.CharField(_("withdrawal note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=True, contact__isnull=False)
                | Q(customer__isnull=False, contact__isnull=True),
                name="consent_of_one_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.get_purpose_display()}"

    @property
    def subject(self) -> Customer | Contact:
        subject = self.customer or self.contact
        assert subject is not None
        return subject

    @property
    def customer_of_subject(self) -> Customer:
        return self.customer if self.customer is not None else self.contact.customer  # type: ignore[union-attr]

    def is_active(self) -> bool:
        return self.withdrawn_at is None and self.given_on <= timezone.localdate()


# The sections of the 66-item customer profile (seeds/002): each a free text, encrypted.
PROFILE_SECTIONS = [
    ("personal", _("Personal data"), _("Home address, birthday, birthplace, appearance")),
    ("education", _("Education"), _("Schools, degrees, awards, clubs, military service")),
    ("family", _("Family"), _("Marital status, spouse, anniversary, children and their interests")),
    ("career", _("Career"), _("Previous jobs, positions, associations, goals")),
    ("interests", _("Interests"), _("Clubs, community, beliefs, hobbies, books, sports, holidays")),
    ("lifestyle", _("Lifestyle"), _("Health, drinking, smoking, favourite food and places, car")),
    ("relationship", _("Relationship notes"), _("Topics, concerns, what matters to them")),
    ("confidential", _("Confidential matters"), _("Matters not to be discussed")),
]


class ContactProfile(TrackedModel):
    """The extended personal profile of a key contact: opened only by the customer's
    account manager and explicit grantees, only under the contact's consent, each opening
    audited; every section is encrypted at rest."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="profile")
    personal = EncryptedTextField(_("Personal data"), blank=True)
    education = EncryptedTextField(_("Education"), blank=True)
    family = EncryptedTextField(_("Family"), blank=True)
    career = EncryptedTextField(_("Career"), blank=True)
    interests = EncryptedTextField(_("Interests"), blank=True)
    lifestyle = EncryptedTextField(_("Lifestyle"), blank=True)
    relationship = EncryptedTextField(_("Relationship notes"), blank=True)
    confidential = EncryptedTextField(_("Confidential matters"), blank=True)

    objects = RowBoundManager()

    class Meta:
        verbose_name = _("extended personal profile")
        verbose_name_plural = _("extended personal profiles")

    def __str__(self) -> str:
        return str(self.contact)


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access and copy")
    CORRECTION = "correction", _("Correction")
    DELETION = "deletion", _("Deletion")


class SubjectRequest(TrackedModel):
    """A data-subject request of an individual customer or a contact, handled as a
    workflow case with a deadline; `outcome_note` records what was done."""

    kind = models.CharField(_("request"), max_length=20, choices=RequestKind.choices)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_type = models.CharField(max_length=100)
    subject_id = models.CharField(max_length=64)
    received_on = models.DateField(_("received on"))
    details = models.TextField(_("details"))
    case = models.ForeignKey(
        "workflow.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)
    outcome_note = models.TextField(_("what was done"), blank=True)
    package = models.FileField(_("data package"), upload_to="privacy/%Y/", blank=True)

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def outcome_label(self) -> str:
        """The outcome in the reader's language (its request process names it)."""
        return outcome_label("privacy.subject_request", self.outcome) if self.outcome else ""


class Restriction(models.Model):
    """Personal data kept only in storage (PIPL art. 47): a deletion while an archive's
    retention period still runs. Restricted customers are out of every scope (policy)."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="privacy_restriction"
    )
    reason = models.CharField(_("reason"), max_length=300)
    request = models.ForeignKey(SubjectRequest, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"restricted {self.customer_id}"


class DeletionLedger(models.Model):
    """What a deletion did, without the personal data itself: enough to apply it again after
    a restore from a backup taken before it (`kehu privacy_reapply`)."""

    subject_type = models.CharField(max_length=100)
    subject_id = models.CharField(max_length=64)
    action = models.CharField(max_length=20)  # "anonymised" or "restricted"
    fields = models.JSONField(default=list)
    request = models.ForeignKey(SubjectRequest, null=True, on_delete=models.SET_NULL)
    performed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["performed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.subject_type}:{self.subject_id}"


class RetentionSettings(models.Model):
    """How long personal data is kept after the relationship ends; one row."""

    individual_years = models.PositiveSmallIntegerField(
        _("individual customers: years after the relationship ends"), default=3
    )
    contact_years = models.PositiveSmallIntegerField(
        _("contacts: years after the customer's relationship ends"), default=3
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention of personal data")

    def __str__(self) -> str:
        return f"{self.individual_years}/{self.contact_years}"

    @classmethod
    def current(cls) -> RetentionSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class RecipientKind(models.TextChoices):
    DEPARTMENT = "department", _("Another department of the group")
    EXTERNAL = "external", _("An outside party (partner, supplier, authority)")


class DataCategory(models.TextChoices):
    BASIC = "basic", _("Basic company data")
    CONTACTS = "contacts", _("Contacts and their personal data")
    PERSONAL = "personal", _("Personal data of an individual customer")
    DOCUMENTS = "documents", _("Qualification documents")
    FINANCIAL = "financial", _("Bank accounts and financial data")


PERSONAL_CATEGORIES = frozenset({DataCategory.CONTACTS, DataCategory.PERSONAL})


class DisclosureStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved, not yet provided")
    REJECTED = "rejected", _("Refused")
    PROVIDED = "provided", _("Provided")


class Disclosure(TrackedModel):
    """Customer data given to someone outside the owning department (对外提供): requested,
    approved as a workflow case, then recorded as provided — the register of what was given,
    to whom, when and under which agreement."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    recipient_kind = models.CharField(_("recipient"), max_length=20, choices=RecipientKind.choices)
    recipient_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("receiving department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_name = models.CharField(_("recipient's name"), max_length=200)
    purpose = models.TextField(_("purpose"))
    categories = models.JSONField(_("data provided"), default=list)
    consent = models.ForeignKey(
        Consent,
        verbose_name=_("consent relied on"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreement = models.FileField(
        _("signed agreement"), upload_to="disclosures/%Y/", blank=True, max_length=300
    )
    agreement_name = models.CharField(_("agreement file"), max_length=200, blank=True)
    agreement_reference = models.CharField(_("agreement number"), max_length=100, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DisclosureStatus.choices,
        default=DisclosureStatus.REQUESTED,
        db_index=True,
    )
    case = models.ForeignKey(
        "workflow.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    provided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("provided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    provided_on = models.DateField(_("provided on"), null=True, blank=True)
    method = models.CharField(_("how it was provided"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("data provision")
        verbose_name_plural = _("data provisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.customer} → {self.recipient_name}"

    @property
    def includes_personal_data(self) -> bool:
        return bool(PERSONAL_CATEGORIES & set(self.categories))

    def category_labels(self) -> list[str]:
        return [str(DataCategory(c).label) for c in self.categories if c in DataCategory.values]


class SensitivityTiers(models.Model):
    """The administrator's choice of tier (一般 / 重要 / 核心) for each declared sensitive field
    and each document type, and how long each tier is kept; one row. A field or type that is
    not listed keeps its default (kehu.privacy.tiers)."""

    field_tiers = models.JSONField(_("tiers of fields"), default=dict, blank=True)
    document_tiers = models.JSONField(_("tiers of document types"), default=dict, blank=True)
    general_years = models.PositiveSmallIntegerField(
        _("general data: years kept after the relationship ends"), default=3
    )
    important_years = models.PositiveSmallIntegerField(
        _("important data: years kept after the relationship ends"), default=3
    )
    core_years = models.PositiveSmallIntegerField(
        _("core data: years kept after the relationship ends"), default=3
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sensitivity tiers")

    def __str__(self) -> str:
        return str(_("sensitivity tiers"))

    @classmethod
    def current(cls) -> SensitivityTiers:
        found, _created = cls.objects.get_or_create(pk=1)
        return found
