from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    name = "kehu.backups"
    label = "backups"
    verbose_name = _("Backups")

    def ready(self) -> None:
        from kehu.backups import jobs, status, tasks
        from kehu.generic.jobs import register_job_kind
        from kehu.ops.schedule import register_periodic
        from kehu.ops.selectors import register_health_section

        register_periodic(*tasks.PERIODIC)
        register_job_kind("backups.backup", jobs.run_backup_job, label=_("Backup"))
        register_job_kind("backups.drill", jobs.run_drill_job, label=_("Restore drill"))
        register_health_section("backups", status.health_summary)
