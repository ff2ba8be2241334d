from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "kehu.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from kehu.audit import signals  # noqa: F401  (sign-in events)
