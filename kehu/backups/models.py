"""The record of every backup, verification, restore and drill run by Kehu (the backups
themselves live in KEHU_BACKUP_DIR / the backup bucket, described by their manifests)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunKind(models.TextChoices):
    BACKUP = "backup", _("Backup")
    VERIFY = "verify", _("Backup verification")
    RESTORE = "restore", _("Restore")
    DRILL = "drill", _("Restore drill")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Done")
    FAILED = "failed", _("Failed")


class BackupRun(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=RunKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    backup_id = models.CharField(_("backup"), max_length=40, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    size = models.BigIntegerField(_("size"), default=0)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-started_at"])]
        verbose_name = _("backup run")
        verbose_name_plural = _("backup runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.backup_id or self.pk} {self.status}"
