"""The field keys' records in the database: a canary per key (the start-up check decrypts
it) and the progress of a key rotation (kehu.core.keyrotation)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

CANARY_TEXT = "kehu-field-key-canary"
CANARY_CONTEXT = "core.keycanary.sealed"


class KeyCanary(models.Model):
    """A known text encrypted with one field key: the configured key of that id must open
    it, else the keys do not belong to this database."""

    key_id = models.CharField(_("key id"), max_length=32, unique=True)
    sealed = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("field key canary")
        verbose_name_plural = _("field key canaries")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.key_id


class KeyRotation(models.Model):
    """One pass that re-encrypts every encrypted value under `key_id`: `position` holds the
    last primary key done per column set ({"app.model": pk}), saved with each batch, so a
    pass that stops resumes there."""

    key_id = models.CharField(_("key id"), max_length=32)
    position = models.JSONField(default=dict)
    rewritten = models.PositiveIntegerField(default=0)
    unreadable = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("field key rotation")
        verbose_name_plural = _("field key rotations")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return self.key_id
