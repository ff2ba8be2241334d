from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingConfig(AppConfig):
    name = "kehu.filing"
    label = "filing"
    verbose_name = _("Filing")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.core.dashboard import register_panel
        from kehu.core.home import register_stats
        from kehu.customers import card, package
        from kehu.customers.filters import register_list_filter
        from kehu.filing import (  # noqa: F401  (register the process, types)
            dashboard,
            monitoring,
            processes,
            record_types,
        )
        from kehu.filing.package import filing_part
        from kehu.filing.selectors import card_panel, filing_under_way, home_stats, watch_list_panel
        from kehu.generic import registry

        register_stats(home_stats)
        register_panel(dashboard.PANEL)
        card.register_panel(card_panel)
        package.register_part(filing_part)
        card.register_panel(watch_list_panel)
        register_list_filter("watch_list", monitoring.watch_list_filter)
        card.register_lifecycle_lock(filing_under_way)
        self._add_list_action(registry)
        routes.register_endpoints("kehu.filing.api")

    @staticmethod
    def _add_list_action(registry: Any) -> None:
        """ "New customer + filing" beside "New customer" on the customer list."""
        registry.get("customers").listing.add_action(
            registry.ListAction(
                _("New customer + filing"),
                url_name="filing:new",
                permission="filing.filing.add",
                icon="file-plus",
                element_id="new-customer-filing",
            )
        )
