"""Interactions with a customer (往来记录): the communication log with its follow-ups. Each
entry belongs to the customer's unit and owner for visibility, as the customer does."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.models import TrackedModel


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    EXHIBITION = "exhibition", _("Exhibition")


class Interaction(TrackedModel):
    """One contact with the customer: when, how, who took part, what was said and needed, and
    the follow-up it calls for (reminded until done)."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="interactions",
        verbose_name=_("customer"),
    )
    occurred_at = models.DateTimeField(_("date and time"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200)
    our_participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("our participants"),
    )
    contacts = models.ManyToManyField(
        "customers.Contact",
        blank=True,
        related_name="interactions",
        verbose_name=_("the customer's contacts"),
    )
    content = models.TextField(_("content"), blank=True)
    needs = models.TextField(_("needs expressed"), blank=True)
    follow_up = models.TextField(_("follow-up action"), blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("follow-up by"),
    )
    follow_up_done_at = models.DateTimeField(_("follow-up done at"), null=True, blank=True)
    # Which project of the customer this concerns, once contracts keep projects.
    project_ref = models.CharField(_("project"), max_length=100, blank=True)
    # Private observations about the contacts (consent-gated like the extended profile).
    personal_note = models.TextField(_("personal note"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("communication")
        verbose_name_plural = _("communication log")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            # The card's timeline: one customer's newest first, optionally one channel.
            models.Index(fields=["customer", "-occurred_at", "-id"], name="int_customer_time"),
            models.Index(
                fields=["customer", "channel", "-occurred_at", "-id"], name="int_customer_channel"
            ),
            models.Index(
                fields=["follow_up_due"],
                name="int_follow_up_open",
                condition=models.Q(follow_up_done_at__isnull=True, follow_up_due__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.subject}"

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up_due is not None and self.follow_up_done_at is None
