"""The tamper-evident audit log (AUD-1, AUD-2)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One event. `hash` covers every other column plus the previous event's hash."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("user"), max_length=150, blank=True, db_index=True)
    source_ip = models.CharField(_("source address"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]
        permissions = [("export_auditevent", "Can export audit events")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    # For templates: `{{ event.extra.items }}` looks up a key "items" first (a destruction's
    # items), so the pages iterate over these instead.
    @property
    def change_pairs(self) -> list[tuple[str, Any]]:
        return list(self.shown_changes.items())

    @property
    def shown_changes(self) -> dict[str, Any]:
        """The changes with sensitive values masked (kehu.audit.presentation)."""
        from kehu.audit.presentation import shown_changes

        return shown_changes(self)

    @property
    def extra_pairs(self) -> list[tuple[str, Any]]:
        return list((self.extra or {}).items())


class ChainHead(models.Model):
    """The single row writers lock to append; it always names the newest event."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash[:12]}"
