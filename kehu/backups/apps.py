from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    name = "kehu.backups"
    label = "backups"
    verbose_name = _("Backups")

    def ready(self) -> None:
        from kehu.backups import jobs, tasks
        from kehu.generic.jobs import register_job_kind
        from kehu.ops.schedule import register_periodic

        register_periodic(*tasks.PERIODIC)
        register_job_kind("backups.backup", jobs.run_backup_job, label=_("Backup"))
        register_job_kind("backups.drill", jobs.run_drill_job, label=_("Restore drill"))
