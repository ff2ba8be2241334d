"""Self-service update links: a customer's contact corrects the customer's data and sends
renewed documents without an account. The link's token is stored only as its SHA-256; what
the contact submits becomes a change request with its proof files (kehu.customers.changes),
for the owner to accept or reject."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.models import TrackedModel


class LinkChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    QR = "qr", _("QR code")


class LinkState(models.TextChoices):
    OPEN = "open", _("Open")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class UpdateLink(TrackedModel):
    """One link for one customer, sent to one contact: valid until `expires_at`, for one
    submission, revocable."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="update_links",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("sent by"), max_length=10, choices=LinkChannel.choices)
    sent_to = models.EmailField(_("sent to"), blank=True)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Sent by the reminder engine for this deadline (a licence's expiry), not by hand.
    reminder = models.CharField(_("reminder kind"), max_length=60, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("last opened"), null=True, blank=True)

    class Meta:
        verbose_name = _("update link")
        verbose_name_plural = _("update links")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk}"

    def state(self, now: datetime.datetime | None = None) -> str:
        if self.revoked_at is not None:
            return LinkState.REVOKED
        if self.used_at is not None:
            return LinkState.USED
        if self.expires_at <= (now or timezone.now()):
            return LinkState.EXPIRED
        return LinkState.OPEN

    @property
    def state_label(self) -> str:
        return str(LinkState(self.state()).label)


class Submission(models.Model):
    """What a contact sent through a link: the change request it became, and who they said
    they were."""

    link = models.OneToOneField(
        UpdateLink, on_delete=models.PROTECT, related_name="submission", verbose_name=_("link")
    )
    change_request = models.OneToOneField(
        "customers.ChangeRequest",
        on_delete=models.CASCADE,
        related_name="submission",
        verbose_name=_("change request"),
    )
    declared_name = models.CharField(_("declared name"), max_length=50)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.link} · {self.declared_name}"


class SubmittedFile(models.Model):
    """A document sent with a submission, kept in the encrypted storage until the owner
    decides; accepted, it becomes the newest version of the customer's document."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="files", verbose_name=_("submission")
    )
    doc_type = models.ForeignKey(
        "documents.DocumentType",
        verbose_name=_("type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    stored_name = models.CharField(max_length=500, unique=True)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.BigIntegerField(_("size"))
    content_type = models.CharField(_("file type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    filed_as = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name=_("filed as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return self.original_name
