from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


def audit_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Refuse to start on PostgreSQL without the audit key (every audited write needs it)."""
    from django.core.exceptions import ImproperlyConfigured

    from kehu.audit.keys import audit_key

    try:
        audit_key()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="kehu.audit.E001")]
    return []


class AuditConfig(AppConfig):
    name = "kehu.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.audit import signals  # noqa: F401  (sign-in events)

        checks.register(audit_key_check, checks.Tags.security)
        routes.register_viewset(
            "audit-events", "kehu.audit.api.AuditEventViewSet", basename="audit-events"
        )
