from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "kehu.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.core import masking
        from kehu.documents import opening
        from kehu.ops.schedule import register_periodic
        from kehu.privacy import processes, restrictions, tasks, tiers  # noqa: F401  (register)

        register_periodic(*tasks.PERIODIC)
        masking.set_tier_source(tiers.field_overrides)
        opening.register_open_check(tiers.may_open_version)
        routes.register_endpoints("kehu.privacy.api")
        routes.register_viewset(
            "access-grants", "kehu.privacy.api.AccessGrantViewSet", basename="access-grants"
        )
