from collections.abc import Callable
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kehu.core.crypto import EncryptedTextField
from kehu.core.digest import lookup_digest
from kehu.core.models import OrgUnit, TrackedModel
from kehu.core.rowbound import RowBoundManager
from kehu.ops.robot_platforms import RobotPlatform, check_webhook, mask_webhook
from kehu.ops.webhook_urls import check_subscriber_url, mask_subscriber_url


class ScheduledRun(models.Model):
    """When each periodic job was last enqueued, so that several schedulers never double up."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Heartbeat(models.Model):
    """The last sign of life of a job worker ("worker:<id>") or of the scheduler ("scheduler")."""

    name = models.CharField(max_length=100, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class ReminderSent(models.Model):
    """One reminder, once: the row is written in the transaction of its notification, and the
    unique key makes an overlapping second run skip it. `occurrence` is the deadline, `stage`
    which reminder of it ("before-3", "overdue-0", "escalate"), `recipient` 0 for the occurrence
    itself (a chat-robot message, an escalation that notifies several people once)."""

    kind = models.CharField(max_length=60)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    occurrence = models.DateField()
    stage = models.CharField(max_length=20, default="", blank=True)
    recipient = models.BigIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id", "occurrence", "stage", "recipient"],
                name="reminder_sent_once_per_stage",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_type}:{self.object_id} {self.occurrence}"


class ReminderChannel(models.TextChoices):
    APP = "app", _("In the application only")
    EMAIL = "email", _("In the application and by e-mail at once")
    DIGEST = "digest", _("In the application and in a daily e-mail digest")


class ReminderPreference(models.Model):
    """How one user wants the reminders of one kind; without a row the rule's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preferences"
    )
    kind = models.CharField(_("kind"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=ReminderChannel.choices)

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="reminder_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.channel}"


class DigestEntry(models.Model):
    """A reminder waiting for its user's daily digest mail (sent_at set when it went out)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "user"], name="digest_unsent")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class QueuedDelivery(models.Model):
    """A message written in the caller's transaction and sent later by the job worker, with
    retries (kehu.ops.delivery): a receiving server that is down delays it, never loses it."""

    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_try_at = models.DateTimeField(_("next try"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        abstract = True


class Outbox(QueuedDelivery):
    """An e-mail to one address (kehu.ops.outbox sends it)."""

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_try_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


def _redacted_secret(value: str) -> str:
    """A secret in an audit event: a keyed fingerprint that shows a change, never the value."""
    return "#" + lookup_digest("ops.chatrobot.secret", value)[:12]


class ChatRobot(TrackedModel):
    """A group chat's robot that reminders are posted to: the reminders of its unit and the
    units below it (all units when none is set), of the kinds it lists (all when none).
    Its webhook address (which holds the chat's key) and signing secret are stored
    encrypted and shown only masked; audit events hold them redacted (`AUDIT_REDACTED`)."""

    name = models.CharField(_("name"), max_length=100)
    platform = models.CharField(_("platform"), max_length=10, choices=RobotPlatform.choices)
    webhook_url = EncryptedTextField(_("webhook address"))
    secret = EncryptedTextField(_("signing secret"), blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
        help_text=_(
            "Reminders of this unit and the units below it; empty: the whole organisation."
        ),
    )
    kinds = models.JSONField(
        _("reminder kinds"),
        default=list,
        blank=True,
        help_text=_("Only reminders of these kinds; none ticked: every kind."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = RowBoundManager()

    AUDIT_REDACTED: ClassVar[dict[str, Callable[[str], str]]] = {
        "webhook_url": mask_webhook,
        "secret": _redacted_secret,
    }

    class Meta:
        verbose_name = _("chat robot")
        verbose_name_plural = _("chat robots")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_webhook(self.platform, self.webhook_url, self.secret)

    @property
    def webhook_shown(self) -> str:
        return mask_webhook(self.webhook_url)

    @property
    def kinds_shown(self) -> str:
        return "、".join(self.kinds) if self.kinds else str(_("every kind"))

    @property
    def signed(self) -> bool:
        return bool(self.secret)


class RobotMessage(QueuedDelivery):
    """A reminder posted to one chat robot (kehu.ops.robots sends it)."""

    robot = models.ForeignKey(
        ChatRobot, on_delete=models.CASCADE, related_name="messages", verbose_name=_("chat robot")
    )
    kind = models.CharField(_("reminder kind"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("chat robot message")
        verbose_name_plural = _("chat robot messages")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_try_at"], name="robot_message_due")]

    def __str__(self) -> str:
        return f"{self.robot}: {self.title}"


class WebhookEvent(models.TextChoices):
    """What an integrator's subscriber may hear of (kehu.ops.webhooks)."""

    CUSTOMER_ACTIVATED = "customer.activated", _("Customer activated")
    FILING_DECIDED = "filing.decided", _("Filing decided")
    CREDIT_HOLD_ON = "credit.hold_on", _("Credit hold placed")
    CREDIT_HOLD_OFF = "credit.hold_off", _("Credit hold lifted")


def _redacted_webhook_secret(value: str) -> str:
    return "#" + lookup_digest("ops.webhooksubscriber.secret", value)[:12]


class WebhookSubscriber(TrackedModel):
    """An integrator's system (the ERP, the company's portal) that is told of events by a
    signed JSON POST to its address. The address (which may carry a key in its query) and the
    signing secret are stored encrypted, shown masked and redacted in audit events."""

    name = models.CharField(_("name"), max_length=100)
    url = EncryptedTextField(_("address"))
    secret = EncryptedTextField(_("signing secret"))
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RowBoundManager()

    AUDIT_REDACTED: ClassVar[dict[str, Callable[[str], str]]] = {
        "url": mask_subscriber_url,
        "secret": _redacted_webhook_secret,
    }

    class Meta:
        verbose_name = _("webhook subscriber")
        verbose_name_plural = _("webhook subscribers")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_subscriber_url(self.url)

    @property
    def url_shown(self) -> str:
        return mask_subscriber_url(self.url)

    @property
    def events_shown(self) -> str:
        labels = dict(WebhookEvent.choices)
        return "、".join(str(labels.get(event, event)) for event in self.events)


class WebhookDelivery(QueuedDelivery):
    """One event posted to one subscriber (kehu.ops.webhooks sends it). The body is fixed when
    the event happens; the timestamp and signature are made at each try."""

    subscriber = models.ForeignKey(
        WebhookSubscriber,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("webhook subscriber"),
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField(_("event id"), unique=True)
    payload = models.JSONField(_("content"))
    response_status = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_try_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.subscriber}: {self.event}"
