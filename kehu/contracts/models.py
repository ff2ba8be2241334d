"""The contract archive (合同档案, CON-1 … CON-5): a customer's transaction projects, its
contracts with their ledger, the items each contract's dossier holds, the hand-overs of that
dossier to the contract officer and the archive room, and the semi-annual statistics."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.models import TrackedModel
from kehu.customers.models import Currency

DEFAULT_NUMBER_PATTERN = "HT-{dept}-{year}-{seq:04d}"


class ContractSettings(models.Model):
    """Singleton: the contract number pattern and the hand-over period."""

    number_pattern = models.CharField(
        _("contract number pattern"),
        max_length=60,
        default=DEFAULT_NUMBER_PATTERN,
        help_text=_("Placeholders: {dept} (department code), {year}, {seq} (e.g. {seq:04d})."),
    )
    handover_days = models.PositiveSmallIntegerField(
        _("hand-over period (days)"),
        default=10,
        help_text=_(
            "Days after signing, changing or ending a contract within which the handler "
            "hands its dossier to the contract officer."
        ),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contract settings")

    def __str__(self) -> str:
        return str(_("contract settings"))

    @classmethod
    def current(cls) -> ContractSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("In progress")
    CLOSED = "closed", _("Closed")


class Project(TrackedModel):
    """A transaction project (交易项目): one customer's credit file holds several."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    name = models.CharField(_("project name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("transaction project")
        verbose_name_plural = _("transaction projects")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["customer", "starts_on"], name="project_customer")]

    def __str__(self) -> str:
        return self.name


class ContractType(models.TextChoices):
    SALES = "sales", _("Sales contract")
    FRAMEWORK = "framework", _("Framework agreement")
    PURCHASE = "purchase", _("Purchase contract")
    SERVICE = "service", _("Service contract")
    SUPPLEMENT = "supplement", _("Supplementary agreement")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_APPROVAL = "under_approval", _("Under approval")
    SIGNED = "signed", _("Signed")
    PERFORMING = "performing", _("In performance")
    CHANGED = "changed", _("Changed")
    TERMINATED = "terminated", _("Terminated")
    COMPLETED = "completed", _("Completed")


class Contract(TrackedModel):
    """A contract with a customer (CON-1): a line of the contract ledger (合同管理台帐)."""

    number = models.CharField(_("contract number"), max_length=60, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("counterparty"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    # The department the contract is numbered in and counted for: the customer's, at signing.
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("transaction project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
        help_text=_("The contract a supplementary agreement or amendment belongs to."),
    )
    title = models.CharField(_("contract title"), max_length=200)
    contract_type = models.CharField(
        _("contract type"), max_length=20, choices=ContractType.choices
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ContractStatus.choices,
        default=ContractStatus.DRAFT,
        editable=False,
    )
    signing_unit = models.CharField(_("our signing unit"), max_length=200)
    signatory = models.CharField(_("our signatory"), max_length=100)
    counterparty_signatory = models.CharField(
        _("counterparty's signatory"), max_length=100, blank=True
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    payment_terms = models.TextField(_("payment terms"), blank=True)
    guarantee = models.TextField(_("guarantee"), blank=True)
    disputed = models.BooleanField(_("disputed"), default=False, editable=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contract ledger")
        ordering = ["-signed_on", "-pk"]
        indexes = [
            models.Index(fields=["number", "id"], name="contract_number"),
            models.Index(fields=["unit", "status", "id"], name="contract_unit_status"),
            models.Index(fields=["customer", "id"], name="contract_customer"),
            models.Index(fields=["updated_at", "id"], name="contract_updated"),
            models.Index(fields=["signed_on", "id"], name="contract_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("generic:contracts_detail", args=[self.pk])

    @property
    def handover_due(self) -> datetime.date | None:
        """The open hand-over's deadline, when the rows were read with their open hand-overs
        (kehu.contracts.selectors.with_open_handovers: the ledger and the card)."""
        waiting = getattr(self, "open_handovers", None)
        return waiting[0].due_on if waiting else None

    @property
    def handover_state(self) -> str:
        """The open hand-over's deadline, flagged when past."""
        due = self.handover_due
        if due is None:
            return ""
        if due < timezone.localdate():
            return str(_("%(date)s overdue") % {"date": f"{due:%Y-%m-%d}"})
        return f"{due:%Y-%m-%d}"


class EventKind(models.TextChoices):
    """What the semi-annual statistics count (CON-4): a status reached, or a dispute."""

    SIGNED = "signed", _("Signed")
    PERFORMING = "performing", _("Performance started")
    CHANGED = "changed", _("Changed")
    TERMINATED = "terminated", _("Terminated")
    COMPLETED = "completed", _("Performed")
    DISPUTED = "disputed", _("Disputed")


class ContractEvent(models.Model):
    """A dated step in a contract's life; the statistics count these."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    happened_on = models.DateField(_("date"))
    # Copied from the contract so the statistics group one table.
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    contract_type = models.CharField(max_length=20, choices=ContractType.choices)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.CNY)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")
        ordering = ["happened_on", "pk"]
        indexes = [
            models.Index(
                fields=["happened_on", "unit", "contract_type", "kind"], name="contract_event_stats"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind} {self.happened_on}"


class ChecklistItem(TrackedModel):
    """One item a contract dossier of this type holds (CON-2); blank type: every type."""

    name = models.CharField(_("name"), max_length=100)
    contract_type = models.CharField(
        _("contract type"), max_length=20, choices=ContractType.choices, blank=True
    )
    doc_type = models.ForeignKey(
        "documents.DocumentType",
        verbose_name=_("document type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("contract checklist item")
        verbose_name_plural = _("contract checklist")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class ContractDocument(models.Model):
    """A document version filed as an item of a contract's dossier."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.ForeignKey(
        "documents.DocumentType",
        verbose_name=_("document type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name=_("document version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    attached_at = models.DateTimeField(_("attached at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("contract dossier item")
        verbose_name_plural = _("contract dossier items")
        ordering = ["contract", "doc_type__order", "attached_at", "pk"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.doc_type_id}"


class HandoverStage(models.TextChoices):
    OFFICER = "officer", _("To the contract officer")
    ARCHIVE_ROOM = "archive_room", _("To the archive room")


class HandoverStatus(models.TextChoices):
    OPEN = "open", _("Waiting for receipt")
    RECEIVED = "received", _("Received")


class Handover(TrackedModel):
    """A hand-over of a contract's dossier (CON-3): after signing, changing or ending the
    contract, from its handler to the contract officer; then from the officer to the
    archive room. The receiver's receipt records who handed over what, and when; the
    workflow step (`step`) carries the deadline, its reminders and escalation."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="handovers"
    )
    stage = models.CharField(_("hand-over"), max_length=20, choices=HandoverStage.choices)
    occasion = models.CharField(_("occasion"), max_length=20, choices=EventKind.choices)
    occasion_on = models.DateField(_("occasion date"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=HandoverStatus.choices, default=HandoverStatus.OPEN
    )
    step = models.OneToOneField(
        "workflow.Step",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contract_handover",
    )
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    # What was handed over: [{"code", "name", "documents": [contract document ids]}].
    items = models.JSONField(_("items handed over"), default=list, blank=True)
    note = models.CharField(_("receipt note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("contract hand-over")
        verbose_name_plural = _("contract hand-overs")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["contract", "status", "due_on"], name="handover_contract_open"),
            models.Index(fields=["status", "due_on"], name="handover_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.get_stage_display()}"

    def get_absolute_url(self) -> str:
        return self.contract.get_absolute_url()

    def overdue(self, today: datetime.date) -> bool:
        return self.status == HandoverStatus.OPEN and self.due_on < today


class ReportKind(models.TextChoices):
    SEMIANNUAL = "semiannual", _("Semi-annual contract statistics")
    ANNUAL_CREDIT = "annual_credit", _("Annual credit-management analysis report")


class StatisticsReport(models.Model):
    """A periodic report of CON-4 as generated: the semi-annual contract statistics of a
    half-year, or the annual credit-management analysis report of a year; its figures and
    the Excel and PDF files, kept (encrypted) under kehu.core.storage. Generating the same
    period again adds the next version; none is changed."""

    kind = models.CharField(
        _("report"), max_length=20, choices=ReportKind.choices, default=ReportKind.SEMIANNUAL
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    number = models.PositiveSmallIntegerField(_("report version"))
    due_on = models.DateField(_("due on"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generated by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    generated_at = models.DateTimeField(_("generated at"), auto_now_add=True)
    rows = models.JSONField(default=list)
    xlsx_name = models.CharField(max_length=500)
    xlsx_sha256 = models.CharField(max_length=64)
    pdf_name = models.CharField(max_length=500)
    pdf_sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("contract statistics report")
        verbose_name_plural = _("contract statistics reports")
        ordering = ["-period_start", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start", "number"], name="statistics_report_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m}–{self.period_end:%Y-%m} v{self.number}"
