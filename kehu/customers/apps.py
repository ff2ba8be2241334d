from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kehu.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.core.dashboard import register_panel
        from kehu.core.home import register_stats
        from kehu.customers import (  # noqa: F401  (register the personal data, record types)
            dashboard,
            record_types,
            sensitive,
        )
        from kehu.customers.selectors import home_stats

        register_stats(home_stats)
        register_panel(dashboard.PANEL)
        routes.register_endpoints("kehu.customers.api")
