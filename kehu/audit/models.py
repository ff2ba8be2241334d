"""The tamper-evident audit log (AUD-1, AUD-2)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from kehu.core.masking import masked_changes

GENESIS_HASH = "0" * 64

# How an event's hash was computed: plain SHA-256 (the events written before the chain was
# keyed) or HMAC-SHA256 with the audit key, which is kept outside the database.
SCHEME_SHA256 = "sha256"
SCHEME_HMAC = "hmac-sha256"
SCHEMES = [(SCHEME_SHA256, "SHA-256"), (SCHEME_HMAC, "HMAC-SHA256")]

# Newest first: events not sealed yet (no sequence number) on top, then the chain.
NEWEST_FIRST = (F("seq").desc(nulls_first=True), "-id")


class AuditEvent(models.Model):
    """One event. `hash` covers every other column plus the previous event's hash.

    An event is inserted in the writer's transaction and sealed (given `seq`, `prev_hash`,
    `hash` and `scheme`) under the chain-head lock, at once when the head is free, else right
    after the writer commits (see kehu.audit.sealing)."""

    seq = models.BigIntegerField(_("sequence"), unique=True, null=True, blank=True)
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
    prev_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    scheme = models.CharField(max_length=16, choices=SCHEMES, default=SCHEME_SHA256)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = NEWEST_FIRST
        indexes = [
            models.Index(
                fields=["id"], name="audit_event_unsealed", condition=models.Q(seq__isnull=True)
            )
        ]
        permissions = [("export_auditevent", "Can export audit events")]

    def __str__(self) -> str:
        return f"#{self.seq or '-'} {self.action} {self.object_repr}"

    @property
    def sealed(self) -> bool:
        return self.seq is not None

    # For templates: `{{ event.extra.items }}` looks up a key "items" first (a destruction's
    # items), so the pages iterate over these instead.
    @property
    def change_pairs(self) -> list[tuple[str, Any]]:
        return list(self.shown_changes.items())

    @property
    def labelled_changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) as people read them: field names and choice values as
        labels in the reader's language, sensitive values masked."""
        from kehu.audit.presentation import describe

        return describe([self])[0].changes

    @property
    def action_label(self) -> str:
        from kehu.audit.presentation import action_label

        return action_label(self.action, self.object_type)

    @property
    def shown_changes(self) -> dict[str, Any]:
        """The changes as every page, export and API shows them: values of fields declared
        sensitive masked, also in events written before the declaration."""
        return masked_changes(self.object_type, self.changes or {})

    @property
    def extra_pairs(self) -> list[tuple[str, Any]]:
        return list((self.extra or {}).items())


class ChainHead(models.Model):
    """The single row writers lock to append; it always names the newest event."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    # The first event hashed with the audit key; every later one must be keyed too.
    keyed_from = models.BigIntegerField(null=True, blank=True)
    # The last head written outside the database, and when.
    exported_seq = models.BigIntegerField(default=0)
    exported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash[:12]}"
