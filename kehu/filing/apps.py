from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingConfig(AppConfig):
    name = "kehu.filing"
    label = "filing"
    verbose_name = _("Filing")

    def ready(self) -> None:
        from kehu.core.home import register_stats
        from kehu.customers import card
        from kehu.filing import processes, record_types  # noqa: F401  (register the process, types)
        from kehu.filing.selectors import card_panel, filing_under_way, home_stats

        register_stats(home_stats)
        card.register_panel(card_panel)
        card.register_lifecycle_lock(filing_under_way)
        self._add_list_action()

    @staticmethod
    def _add_list_action() -> None:
        """ "New customer + filing" beside "New customer" on the customer list."""
        from kehu.generic import registry

        customers = registry.get("customers")
        actions = list(customers.extra.get("list_actions", ()))
        entry = (_("New customer + filing"), "filing:new", "filing.filing.add", "file-plus",
                 "new-customer-filing")  # fmt: skip
        if entry not in actions:
            customers.extra["list_actions"] = [*actions, entry]
