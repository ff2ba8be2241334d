from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "kehu.workflow"
    label = "workflow"
    verbose_name = _("Workflow")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.workflow import processes, record_types  # noqa: F401  (register)

        routes.register_endpoints("kehu.workflow.api")
