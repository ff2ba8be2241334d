"""Dossier documents (DOC-1 … DOC-8): configurable types, one document per customer and type
or, for a type that allows several (permits, certificates, statements, contract originals),
as many as the customer has, each with its own title, number and expiry; versions that
supersede without erasing. The files themselves live in the encrypted storage
(kehu.core.storage); rows keep the stored name, the original name and the SHA-256."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.models import TrackedModel

SCANS = ["application/pdf", "image/jpeg", "image/png", "image/tiff"]


class DocumentType(TrackedModel):
    """A kind of dossier document, configured by system administrators."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    has_dates = models.BooleanField(
        _("has issue and expiry dates"),
        default=False,
        help_text=_("Licences, permits and certificates are valid until a date."),
    )
    content_types = models.JSONField(
        _("allowed file types"),
        default=list,
        blank=True,
        help_text=_("Empty: PDF, JPEG, PNG and TIFF."),
    )
    multiple = models.BooleanField(
        _("several per customer"),
        default=False,
        help_text=_(
            "A customer may hold several documents of this type (permits, certificates, "
            "statements of several periods), each with its own title, number, expiry and "
            "versions."
        ),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # Items of a contract's dossier: the contract checklist asks for them, not the card.
    for_contracts = models.BooleanField(
        _("contract dossier item"),
        default=False,
        help_text=_("Filed with a contract; the card does not name it as missing."),
    )

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def allowed_types(self) -> list[str]:
        return list(self.content_types or SCANS)


class Document(TrackedModel):
    """A customer's document of one type; its content is the latest version. Of a type that
    allows several, the title and number tell the customer's documents apart."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    doc_type = models.ForeignKey(
        DocumentType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    reference = models.CharField(_("document number"), max_length=100, blank=True)
    # Copied from the type: one document per customer and type while True (the constraint
    # below cannot follow the type's column).
    is_single = models.BooleanField(default=True, editable=False)
    current = models.ForeignKey(
        "DocumentVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Copied from the current version, so that expiry lists are one indexed query.
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    expiry_notified_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["doc_type__order", "doc_type__code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "doc_type"],
                condition=models.Q(is_single=True),
                name="document_per_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer.name} · {self.label}"

    @property
    def label(self) -> str:
        """The type's name, with the document's own title and number when it has them."""
        parts = [self.doc_type.name, self.title, self.reference]
        return " · ".join(dict.fromkeys(p for p in parts if p))


class DocumentVersion(models.Model):
    """One uploaded file of a document. Never deleted."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    stored_name = models.CharField(_("stored name"), max_length=500, unique=True)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.BigIntegerField(_("size"))
    content_type = models.CharField(_("file type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("copy attested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attested_at = models.DateTimeField(_("copy attested at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    check_problem = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def previewable(self) -> bool:
        return self.content_type in {"application/pdf", "image/jpeg", "image/png"}
