from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GenericConfig(AppConfig):
    name = "kehu.generic"
    label = "generic"
    verbose_name = _("Record machinery")

    def ready(self) -> None:
        from kehu.generic import list_export
        from kehu.generic.jobs import register_job_kind

        register_job_kind(list_export.JOB_KIND, list_export.run_export, label=_("Export of a list"))
