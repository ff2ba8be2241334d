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
        from kehu.core.dashboard import register_panel
        from kehu.ops.reminders import register_rule
        from kehu.workflow import (  # noqa: F401  (register the processes, record types)
            dashboard,
            deadlines,
            processes,
            record_types,
            reminders,
        )

        routes.register_endpoints("kehu.workflow.api")
        calendar.register_deadline_recount(deadlines.recount_due_dates)
        register_rule(reminders.STEP_RULE)
        register_rule(reminders.SUPPLEMENT_RULE)
        register_panel(dashboard.PANEL)
