from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "kehu.contracts"
    label = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.contracts import (  # noqa: F401  (register)
            processes,
            record_types,
            reminders,
            selectors,
        )
        from kehu.contracts.package import contracts_part
        from kehu.contracts.selectors import card_panel
        from kehu.customers import card, package
        from kehu.ops.reminders import register_rule
        from kehu.reviews.selection import register_extra_review

        card.register_panel(card_panel)
        package.register_part(contracts_part)
        routes.register_endpoints("kehu.contracts.api")
        register_rule(reminders.SEMIANNUAL_RULE)
        register_rule(reminders.ANNUAL_RULE)
        register_rule(reminders.CONTRACT_END_RULE)
        register_extra_review(selectors.ending_contracts_review)
