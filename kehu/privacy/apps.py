from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "kehu.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.core import masking
        from kehu.core.dashboard import register_panel
        from kehu.documents import opening
        from kehu.ops.schedule import register_periodic
        from kehu.privacy import (  # noqa: F401  (register)
            dashboard,
            processes,
            restrictions,
            tasks,
            tiers,
        )

        register_periodic(*tasks.PERIODIC)
        register_panel(dashboard.PANEL)
        masking.set_tier_source(tiers.field_overrides)
        opening.register_open_check(tiers.may_open_version)
        routes.register_endpoints("kehu.privacy.api")
        routes.register_viewset(
            "access-grants", "kehu.privacy.api.AccessGrantViewSet", basename="access-grants"
        )
