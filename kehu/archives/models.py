"""Archive management (ARC-1 … ARC-7): a dossier per customer with its archive number, the
items filed into it (with the DA/T 22-2015 reference code), cabinets and their monthly
checks, holds, and the destruction register with its tombstones."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.core.models import TrackedModel

DEFAULT_PATTERN = "{year}-{dept}-{seq:03d}"
CATEGORY_PATTERN = "{category}-{year}-{seq:03d}"


class Retention(models.TextChoices):
    """保管期限 codes of DA/T 22-2015: permanent, 30 years, 10 years."""

    PERMANENT = "Y", _("Permanent")
    YEARS_30 = "D30", _("30 years")
    YEARS_10 = "D10", _("10 years")

    @classmethod
    def years(cls, code: str) -> int | None:
        return {"D30": 30, "D10": 10}.get(code)


class Confidentiality(models.TextChoices):
    NORMAL = "normal", _("Normal")
    CONFIDENTIAL = "confidential", _("Confidential")


class Stage(models.TextChoices):
    """Where the paper dossier is kept."""

    DEPARTMENT = "department", _("Department")
    CREDIT_OFFICE = "credit_office", _("Credit management office")
    ARCHIVE_ROOM = "archive_room", _("Archive room")


class Medium(models.TextChoices):
    PAPER = "paper", _("Paper")
    ELECTRONIC = "electronic", _("Electronic")
    BOTH = "both", _("Paper and electronic")


class ArchiveSettings(models.Model):
    """Singleton: the archive number pattern, the fonds code of DA/T 22-2015 and
    the loan periods."""

    number_pattern = models.CharField(
        _("archive number pattern"),
        max_length=60,
        default=DEFAULT_PATTERN,
        help_text=_(
            "Placeholders: {year}, {dept} (department code), {category} (category code), "
            "{seq} (sequence, e.g. {seq:03d})."
        ),
    )
    fonds_code = models.CharField(
        _("fonds code"), max_length=20, default="KH01", help_text=_("全宗号 of DA/T 22-2015.")
    )
    loan_days = models.PositiveSmallIntegerField(_("loan period (days)"), default=14)
    confidential_loan_working_days = models.PositiveSmallIntegerField(
        _("loan period of confidential files (working days)"), default=5
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("archive settings")

    def __str__(self) -> str:
        return str(_("archive settings"))

    @classmethod
    def current(cls) -> ArchiveSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class ArchiveCategory(TrackedModel):
    """A category of dossier items with its order in the folder and its retention
    rule (ARC-7: the class determines the destiny)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    class_code = models.CharField(
        _("class code"),
        max_length=10,
        help_text=_("Upper-case letters used in archive and reference codes, e.g. JC."),
    )
    order = models.PositiveSmallIntegerField(_("order in the folder"), default=0)
    retention = models.CharField(
        _("retention"), max_length=3, choices=Retention.choices, default=Retention.YEARS_30
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("archive category")
        verbose_name_plural = _("archive categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Cabinet(TrackedModel):
    """A locked archive cabinet with shelves."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    room = models.CharField(_("room"), max_length=100, blank=True)
    shelves = models.PositiveSmallIntegerField(_("shelves"), default=5)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    last_checked_on = models.DateField(_("last checked on"), null=True, blank=True, editable=False)
    check_reminded_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("cabinet")
        verbose_name_plural = _("cabinets")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CabinetCheck(models.Model):
    """The monthly check of a cabinet: its lock, and the care of the files against damp, dust
    and pests (消毒、防潮、防尘), each done or not with a note. Checks recorded before the care
    items were kept leave them empty (None)."""

    cabinet = models.ForeignKey(Cabinet, on_delete=models.PROTECT, related_name="checks")
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT
    )
    lock_ok = models.BooleanField(_("lock in order"))
    damp_ok = models.BooleanField(_("dry, no damp"))
    damp_note = models.CharField(_("damp care note"), max_length=300, blank=True)
    disinfected = models.BooleanField(_("disinfected"), null=True)
    disinfection_note = models.CharField(_("disinfection note"), max_length=300, blank=True)
    dust_ok = models.BooleanField(_("free of dust"), null=True)
    dust_note = models.CharField(_("dust care note"), max_length=300, blank=True)
    # Set when any of the above was not in order: such checks are flagged and filterable.
    has_problem = models.BooleanField(_("problem found"), default=False, db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cabinet check")
        verbose_name_plural = _("cabinet checks")
        ordering = ["-checked_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.cabinet.code} {self.checked_on}"


class ReviewOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted for filing")
    RETURNED = "returned", _("Returned for correction")


class ArchivingReview(models.Model):
    """The check before filing into the archive (归档前审查): the archivist confirms that the
    materials handed in are authentic, complete and accurate. Items are filed into a dossier
    only while its latest review is accepted; each item names the review it was filed under."""

    dossier = models.ForeignKey(
        "Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="reviews"
    )
    authentic = models.BooleanField(_("authentic"))
    authenticity_note = models.CharField(_("authenticity note"), max_length=300, blank=True)
    complete = models.BooleanField(_("complete"))
    completeness_note = models.CharField(_("completeness note"), max_length=300, blank=True)
    accurate = models.BooleanField(_("accurate"))
    accuracy_note = models.CharField(_("accuracy note"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ReviewOutcome.choices)
    reason = models.TextField(_("reason for returning"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))

    class Meta:
        verbose_name = _("pre-archiving review")
        verbose_name_plural = _("pre-archiving reviews")
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.reviewed_at:%Y-%m-%d}"

    @property
    def accepted(self) -> bool:
        return self.outcome == ReviewOutcome.ACCEPTED


class Dossier(TrackedModel):
    """A customer's archive dossier (案卷): the paper folder and the electronic dossier."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="dossier",
    )
    title = models.CharField(_("dossier title"), max_length=200)
    archive_number = models.CharField(
        _("archive number"), max_length=60, blank=True, default="", editable=False
    )
    numbered_at = models.DateTimeField(_("numbered at"), null=True, blank=True, editable=False)
    category = models.ForeignKey(
        ArchiveCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        help_text=_("Used by archive number patterns with {category}."),
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("custodian"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cabinet = models.ForeignKey(
        Cabinet,
        verbose_name=_("cabinet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    shelf = models.PositiveSmallIntegerField(_("shelf"), null=True, blank=True)
    position = models.CharField(_("position"), max_length=20, blank=True)
    stage = models.CharField(
        _("kept at"), max_length=20, choices=Stage.choices, default=Stage.DEPARTMENT, editable=False
    )
    closed_on = models.DateField(_("relationship ended on"), null=True, blank=True, editable=False)
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["archive_number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["archive_number"],
                condition=~Q(archive_number=""),
                name="unique_archive_number",
            )
        ]
        indexes = [models.Index(fields=["archive_number", "id"], name="dossier_number")]

    def __str__(self) -> str:
        return f"{self.archive_number or '—'} {self.title}"

    @property
    def location(self) -> str:
        if self.cabinet_id is None:
            return ""
        parts = [self.cabinet.code]  # type: ignore[union-attr]
        if self.shelf:
            parts.append(str(_("shelf %(n)s") % {"n": self.shelf}))
        if self.position:
            parts.append(self.position)
        return " / ".join(parts)


class DossierItem(TrackedModel):
    """An item filed into a dossier (归档): one line of the filing register (归档登记表),
    with its DA/T 22-2015 reference code (档号), assigned at filing and never changed."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="items"
    )
    category = models.ForeignKey(
        ArchiveCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("electronic document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="archive_items",
    )
    medium = models.CharField(
        _("medium"), max_length=20, choices=Medium.choices, default=Medium.PAPER
    )
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), editable=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    retention = models.CharField(
        _("retention"), max_length=3, choices=Retention.choices, editable=False
    )
    item_no = models.PositiveIntegerField(_("item number"), editable=False)
    reference_code = models.CharField(
        _("reference code"), max_length=80, unique=True, editable=False
    )
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True, editable=False)
    review = models.ForeignKey(
        ArchivingReview,
        verbose_name=_("pre-archiving review"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
        editable=False,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("filed item")
        verbose_name_plural = _("filing register")
        ordering = ["dossier", "category__order", "filed_at", "pk"]
        indexes = [models.Index(fields=["filed_at", "id"], name="item_filed")]

    def __str__(self) -> str:
        return f"{self.reference_code} {self.title}"


class Hold(models.Model):
    """A named hold (litigation, audit, investigation): while any is in force the dossier
    is neither disposed of nor deleted (ARC-7)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="holds")
    name = models.CharField(_("hold"), max_length=100)
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["-placed_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class DestructionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXECUTED = "executed", _("Destroyed")


class DestructionMethod(models.TextChoices):
    SHREDDING = "shredding", _("Shredding")
    PULPING = "pulping", _("Pulping")
    INCINERATION = "incineration", _("Incineration")
    DELETION = "deletion", _("Electronic deletion")


class Destruction(TrackedModel):
    """One entry of the destruction register (销毁清册): items, reason, method, approver,
    executor, witnesses, date."""

    number = models.CharField(_("register number"), max_length=40, unique=True)
    reason = models.TextField(_("reason"))
    method = models.CharField(_("method"), max_length=20, choices=DestructionMethod.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DestructionStatus.choices,
        default=DestructionStatus.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    witnesses = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("witnesses"), blank=True, related_name="+"
    )
    executed_on = models.DateField(_("destroyed on"), null=True, blank=True)
    items = models.ManyToManyField(DossierItem, verbose_name=_("items"), related_name="+")
    case_id = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("destruction")
        verbose_name_plural = _("destruction register")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class Tombstone(models.Model):
    """What remains of a destroyed item: what it was, when and under which approval."""

    destruction = models.ForeignKey(
        Destruction, on_delete=models.PROTECT, related_name="tombstones"
    )
    item = models.OneToOneField(DossierItem, on_delete=models.PROTECT, related_name="tombstone")
    reference_code = models.CharField(max_length=80)
    title = models.CharField(max_length=200)
    # The deleted files: [{"original_name", "sha256", "size", "stored_name"}]
    files = models.JSONField(default=list)
    destroyed_at = models.DateTimeField(auto_now_add=True)
    destroyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("tombstone")
        verbose_name_plural = _("tombstones")
        ordering = ["-destroyed_at", "-pk"]

    def __str__(self) -> str:
        return self.reference_code


class LoanKind(models.TextChoices):
    PHYSICAL = "physical", _("Paper folder (borrowing)")
    ELECTRONIC = "electronic", _("Electronic viewing")


class IncidentKind(models.TextChoices):
    LOSS = "loss", _("Loss")
    DAMAGE = "damage", _("Damage")


class LoanStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for approval")
    APPROVED = "approved", _("Approved, to be issued")
    REJECTED = "rejected", _("Rejected")
    ISSUED = "issued", _("Issued")
    RETURNED = "returned", _("Returned")
    LOST = "lost", _("Lost")
    CANCELLED = "cancelled", _("Cancelled")


class Loan(TrackedModel):
    """A borrowing or viewing of a dossier (借阅/查阅), run as a workflow case: request,
    approval, issue with a due date, return checked by the archivist, renewals, reminders."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="loans"
    )
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("borrower"),
        on_delete=models.PROTECT,
        related_name="archive_loans",
    )
    purpose = models.TextField(_("purpose"))
    kind = models.CharField(_("kind"), max_length=20, choices=LoanKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=LoanStatus.choices, default=LoanStatus.REQUESTED
    )
    case = models.ForeignKey(
        "workflow.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    # The day the loan period was counted from (issue or renewal): a calendar change counts
    # the due date again from there.
    due_counted_from = models.DateField(null=True, blank=True, editable=False)
    grant = models.ForeignKey(
        "core.AccessGrant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_complete = models.BooleanField(_("complete"), null=True, blank=True)
    return_undamaged = models.BooleanField(_("undamaged"), null=True, blank=True)
    return_note = models.TextField(_("return note"), blank=True)
    due_reminded_on = models.DateField(null=True, blank=True, editable=False)
    overdue_reminded_on = models.DateField(null=True, blank=True, editable=False)
    escalated_on = models.DateField(null=True, blank=True, editable=False)
    incident_kind = models.CharField(_("loss or damage"), max_length=20, blank=True)
    incident_report = models.TextField(_("written report"), blank=True)
    incident_at = models.DateTimeField(null=True, blank=True)
    incident_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        number = self.case.number if self.case_id else f"#{self.pk}"  # type: ignore[union-attr]
        return f"{number} {self.dossier.archive_number}"


class TransferStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the receiver")
    CONFIRMED = "confirmed", _("Received")


class Transfer(TrackedModel):
    """One hand-over of a paper dossier: department → credit management office →
    archive room, confirmed by the receiver."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="transfers"
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=TransferStatus.choices, default=TransferStatus.PROPOSED
    )
    due_date = models.DateField(_("hand over by"), null=True, blank=True)
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(status="proposed"),
                name="one_open_transfer_per_dossier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier.archive_number} → {self.get_to_stage_display()}"
