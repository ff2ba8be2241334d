from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "kehu.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from django.tasks.signals import task_finished

        from kehu.api import routes
        from kehu.core import mail
        from kehu.core.dashboard import register_panel
        from kehu.core.home import register_lazy_panel
        from kehu.ops import dashboard, record_types, reminders, robots  # noqa: F401  (types)
        from kehu.ops.jobs import on_task_finished
        from kehu.ops.outbox import queue_mails

        task_finished.connect(on_task_finished, dispatch_uid="kehu-ops-job-alarm")
        mail.set_queue(queue_mails)
        register_lazy_panel("ops:due-panel")
        register_panel(dashboard.PANEL)
        routes.register_endpoints("kehu.ops.api")
        routes.register_endpoints("kehu.ops.robot_api")
        routes.register_endpoints("kehu.ops.job_api")
        routes.register_endpoints("kehu.ops.webhook_api")
        # The chat robots hear of every reminder (once per stage, in its transaction).
        reminders.register_broadcast(robots.queue_robot_messages)
