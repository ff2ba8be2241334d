from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "kehu.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.core.dashboard import register_panel
        from kehu.customers import card, package
        from kehu.interactions import (  # noqa: F401  (register)
            dashboard,
            processes,
            record_types,
            reminders,
            tasks,
        )
        from kehu.interactions.package import interactions_part
        from kehu.interactions.selectors import card_panel
        from kehu.ops.reminders import register_rule
        from kehu.ops.schedule import register_periodic

        register_periodic(*tasks.PERIODIC)
        for rule in reminders.RULES:
            register_rule(rule)
        card.register_panel(card_panel)
        package.register_part(interactions_part)
        register_panel(dashboard.PANEL)
        routes.register_endpoints("kehu.interactions.api")
