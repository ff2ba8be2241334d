"""Filing before cooperation (客户备案, FIL-1 … FIL-8): the configuration (checklist items per
customer kind and industry, sensitive industries, the watch list of abnormal / seriously
dishonest entities, high-risk rules) and the filing itself with its per-item checks and the
risk assessment report. The steps, assignees and deadlines belong to the workflow case."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.core.models import OrgUnit, TrackedModel
from kehu.customers.models import CustomerKind, Industry
from kehu.infra.normalize import clean_text

# Data a checklist item may require: the customer's own fields plus two related facts.
CHECKABLE_FIELDS = [
    ("credit_code", _("unified social credit code")),
    ("org_code", _("organisation code")),
    ("id_number", _("ID number")),
    ("nature", _("nature")),
    ("industry", _("industry")),
    ("legal_rep_name", _("legal representative")),
    ("legal_rep_phone", _("legal representative's phone")),
    ("legal_rep_id_number", _("legal representative's ID number")),
    ("registered_address", _("registered address")),
    ("operating_address", _("operating address")),
    ("founded_on", _("founding date")),
    ("registered_capital", _("registered capital")),
    ("business_scope", _("business scope")),
    ("licence_valid_until", _("licence valid until")),
    ("issuing_authority", _("issuing authority")),
    ("gender", _("gender")),
    ("birth_date", _("birth date")),
    ("occupation", _("occupation")),
    ("employer", _("employer")),
    ("phone", _("phone")),
    ("email", _("e-mail")),
    ("address", _("address")),
    ("products", _("products and services")),
    ("contract_numbers", _("contract numbers")),
    ("contacts", _("Contacts")),
    ("bank_accounts", _("Bank accounts")),
]


class ItemKind(models.TextChoices):
    FIELD = "field", _("Data field")
    DOCUMENT = "document", _("Document")


class ItemCondition(models.TextChoices):
    ALWAYS = "", _("Always")
    # 授权委托书: only when somebody other than the legal representative signs (FIL-9).
    AGENT_SIGNS = "agent_signs", _("Only when the signatory is not the legal representative")


def check_item(item_kind: str, field_name: str, doc_type: Any) -> None:
    """A data-field item names a field and no document type; a document item the reverse."""
    from django.core.exceptions import ValidationError

    if item_kind == ItemKind.FIELD and (not field_name or doc_type):
        raise ValidationError({"field_name": _("Choose the data field (and no document type).")})
    if item_kind == ItemKind.DOCUMENT and (field_name or not doc_type):
        raise ValidationError({"doc_type": _("Choose the document type (and no data field).")})


class ChecklistItem(TrackedModel):
    """One required item of the filing checklist. Blank kind or industry: applies to
    every kind or industry."""

    name = models.CharField(_("name"), max_length=100)
    customer_kind = models.CharField(
        _("customer kind"), max_length=20, choices=CustomerKind.choices, blank=True
    )
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)
    item_kind = models.CharField(_("item kind"), max_length=10, choices=ItemKind.choices)
    field_name = models.CharField(
        _("data field"), max_length=40, choices=CHECKABLE_FIELDS, blank=True
    )
    doc_type = models.ForeignKey(
        "documents.DocumentType",
        verbose_name=_("document type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("what to check"), max_length=200, blank=True)
    condition = models.CharField(
        _("required"), max_length=20, choices=ItemCondition.choices, blank=True, default=""
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(item_kind="field") & ~Q(field_name="") & Q(doc_type__isnull=True))
                | (Q(item_kind="document") & Q(field_name="") & Q(doc_type__isnull=False)),
                name="checklist_item_names_one_thing",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_item(self.item_kind, self.field_name, self.doc_type_id)

    @property
    def key(self) -> str:
        if self.item_kind == ItemKind.FIELD:
            return f"field:{self.field_name}"
        return f"doc:{self.doc_type.code if self.doc_type else ''}"


_BRACKETS = str.maketrans({"(": "（", ")": "）"})
_SPACES = re.compile(r"\s+")


def name_key(name: str) -> str:
    """A name as compared: half-width letters and digits, brackets unified, no spaces."""
    return _SPACES.sub("", clean_text(name)).translate(_BRACKETS).lower()


class WatchList(models.TextChoices):
    ABNORMAL = "abnormal", _("Abnormal operation list")
    DISHONEST = "dishonest", _("Seriously dishonest list")
    OTHER = "other", _("Other list")


class WatchListEntry(TrackedModel):
    """An entity on a list of abnormal operation (经营异常名录) or serious dishonesty
    (严重违法失信名单), checked by compliance in the second review (FIL-4)."""

    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, default="", db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, db_index=True
    )
    list_kind = models.CharField(_("list"), max_length=20, choices=WatchList.choices)
    source = models.CharField(_("source"), max_length=200, blank=True)
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("watch list entry")
        verbose_name_plural = _("watch list")
        ordering = ["name_key", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)


class WatchListHit(models.Model):
    """An active customer found on the watch list when the list was imported again (ongoing
    monitoring, REV-4): flagged on the card and the customer list until compliance clears it
    as a false match. One per customer and entry, so a re-import never flags it twice."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="watch_list_hits",
    )
    entry = models.ForeignKey(
        WatchListEntry,
        verbose_name=_("watch list entry"),
        on_delete=models.CASCADE,
        related_name="hits",
    )
    matched_by = models.CharField(_("matched by"), max_length=20)
    found_at = models.DateTimeField(_("found at"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cleared by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    clear_reason = models.TextField(_("reason for clearing"), blank=True)

    class Meta:
        verbose_name = _("watch list hit")
        verbose_name_plural = _("watch list hits")
        ordering = ["-found_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "entry"], name="one_hit_per_entry")
        ]
        indexes = [models.Index(fields=["customer", "cleared_at"], name="watch_hit_open")]

    def __str__(self) -> str:
        return f"{self.entry.name} ({self.entry.get_list_kind_display()})"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


class RuleKind(models.TextChoices):
    SENSITIVE_INDUSTRY = "sensitive_industry", _("Sensitive industry")
    ADDRESS_CITIES_DIFFER = (
        "address_cities_differ",
        _("Registered and operating address in different cities"),
    )
    ADDRESS_CHANGES = "address_changes", _("More than N address changes")
    WATCH_LIST = "watch_list", _("On a watch list")
    YOUNG_COMPANY = "young_company", _("Founded less than N days ago")


class RiskRule(TrackedModel):
    """A high-risk trigger; `threshold` is the N of the rules that have one."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("rule"), max_length=30, choices=RuleKind.choices)
    threshold = models.PositiveIntegerField(_("threshold N"), null=True, blank=True)
    industries = models.JSONField(
        _("sensitive industries"),
        default=list,
        blank=True,
        help_text=_("For the sensitive-industry rule."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    COLLECTION = "collection", _("Collecting data and documents")
    INITIAL_REVIEW = "initial_review", _("Initial review")
    SUPPLEMENT = "supplement", _("Waiting for the customer's supplement")
    SECOND_REVIEW = "second_review", _("Second review")
    DUE_DILIGENCE = "due_diligence", _("Due diligence")
    APPROVAL = "approval", _("Approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


FINAL_STAGES = (Stage.APPROVED, Stage.REJECTED, Stage.WITHDRAWN)


class Filing(TrackedModel):
    """A customer's filing before cooperation (交易开始调查书 / 客户备案表)."""

    number = models.CharField(_("filing number"), max_length=30, blank=True, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="filings",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.OneToOneField(
        "workflow.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filing",
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.COLLECTION, db_index=True
    )
    declared_address_changes = models.PositiveSmallIntegerField(
        _("address changes on record"),
        default=0,
        help_text=_("Changes of the registered address found in the public registry."),
    )
    risk_flags = models.JSONField(_("risk triggers"), default=list, blank=True)
    high_risk = models.BooleanField(_("high risk"), default=False)
    # Who signs for the customer: the legal representative, or an agent with a power of
    # attorney (then a checklist item of its own, FIL-9).
    signatory_is_legal_rep = models.BooleanField(_("the legal representative signs"), default=True)
    signatory_name = models.CharField(_("signatory"), max_length=100, blank=True)
    collected_at = models.DateTimeField(_("collection completed"), null=True, blank=True)
    outcome_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=~Q(stage__in=["approved", "rejected", "withdrawn"]),
                name="one_open_filing_per_customer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.customer.name}"

    @property
    def is_open(self) -> bool:
        return self.stage not in FINAL_STAGES


class Review(models.TextChoices):
    INITIAL = "initial", _("Initial review")
    SECOND = "second", _("Second review")


class CheckResult(models.TextChoices):
    OK = "ok", _("Checked")
    DOUBTFUL = "doubtful", _("Doubtful")
    MISSING = "missing", _("Missing or wrong")


class ItemCheck(models.Model):
    """The reviewer's verdict on one item; doubtful items carry an explanation."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="checks")
    review = models.CharField(_("review"), max_length=10, choices=Review.choices)
    key = models.CharField(max_length=60)
    label = models.CharField(_("item"), max_length=200)
    result = models.CharField(_("result"), max_length=10, choices=CheckResult.choices)
    explanation = models.TextField(_("explanation"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("item check")
        verbose_name_plural = _("item checks")
        ordering = ["filing", "review", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["filing", "review", "key"], name="one_check_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.result}"


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class RiskConclusion(models.TextChoices):
    ACCEPTABLE = "acceptable", _("Cooperation acceptable")
    CONDITIONS = "conditions", _("Acceptable with conditions")
    NOT_ACCEPTABLE = "not_acceptable", _("Not acceptable")


class RiskReport(TrackedModel):
    """The risk assessment report (客户风险评估报告) ending the due diligence; the
    attached file is kept in the customer's dossier."""

    filing = models.OneToOneField(Filing, on_delete=models.CASCADE, related_name="risk_report")
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    findings = models.TextField(_("findings"))
    measures = models.TextField(_("measures and conditions"), blank=True)
    conclusion = models.CharField(_("conclusion"), max_length=20, choices=RiskConclusion.choices)
    document_version = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name=_("report file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("risk assessment report")
        verbose_name_plural = _("risk assessment reports")

    def __str__(self) -> str:
        return f"{self.filing} · {self.get_risk_level_display()}"
