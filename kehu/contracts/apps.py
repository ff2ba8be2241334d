from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "kehu.contracts"
    label = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.contracts import processes, record_types  # noqa: F401  (register)
        from kehu.contracts.selectors import card_panel
        from kehu.customers import card
        from kehu.ops import reminders as engine

        card.register_panel(card_panel)
        routes.register_endpoints("kehu.contracts.api")
        # The statistics' due date is a rule of the reminder engine, once the engine has rules.
        if hasattr(engine, "register_rule"):
            from kehu.contracts import reminders

            reminders.register()
