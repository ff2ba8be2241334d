from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "kehu.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.core.home import register_stats
        from kehu.customers import card, package
        from kehu.customers.signals import customer_merged
        from kehu.documents import (
            record_types,  # noqa: F401  (registers the record types)
            reminders,
            tasks,
        )
        from kehu.documents.package import documents_part
        from kehu.documents.selectors import card_panel, home_stats
        from kehu.documents.services import on_customer_merged
        from kehu.ops.reminders import register_rule
        from kehu.ops.schedule import register_periodic

        register_periodic(*tasks.PERIODIC)
        register_rule(reminders.EXPIRY_RULE)
        register_stats(home_stats)
        card.register_panel(card_panel)
        package.register_part(documents_part)
        customer_merged.connect(on_customer_merged, dispatch_uid="documents.customer_merged")
        routes.register_endpoints("kehu.documents.api")
