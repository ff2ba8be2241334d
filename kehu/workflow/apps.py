from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "kehu.workflow"
    label = "workflow"
    verbose_name = _("Workflow")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.core import calendar
        from kehu.ops.schedule import register_periodic
        from kehu.workflow import deadlines, processes, record_types, tasks  # noqa: F401

        routes.register_endpoints("kehu.workflow.api")
        calendar.register_deadline_recount(deadlines.recount_due_dates)
        register_periodic(*tasks.PERIODIC)
