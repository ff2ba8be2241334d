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
        from kehu.ops.reminders import register_rule
        from kehu.workflow import deadlines, processes, record_types, reminders  # noqa: F401

        routes.register_endpoints("kehu.workflow.api")
        calendar.register_deadline_recount(deadlines.recount_due_dates)
        register_rule(reminders.STEP_RULE)
        register_rule(reminders.SUPPLEMENT_RULE)
