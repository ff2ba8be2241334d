from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "kehu.archives"
    label = "archives"
    verbose_name = _("Archives")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.archives import (  # noqa: F401  (register)
            dashboard,
            loans,
            processes,
            record_types,
            reminders,
            tasks,
            transfers,
        )
        from kehu.archives.package import archives_part
        from kehu.archives.receivers import on_status_changed
        from kehu.archives.selectors import card_panel, home_stats
        from kehu.archives.training import TRAINING_RULE
        from kehu.core import calendar
        from kehu.core.dashboard import register_panel
        from kehu.core.home import register_stats
        from kehu.customers import card, package
        from kehu.customers.signals import customer_status_changed
        from kehu.ops.reminders import register_rule
        from kehu.ops.schedule import register_periodic

        register_periodic(*tasks.PERIODIC)
        for rule in reminders.RULES:
            register_rule(rule)
        register_rule(TRAINING_RULE)
        register_stats(home_stats)
        register_panel(dashboard.PANEL)
        card.register_panel(card_panel)
        package.register_part(archives_part)
        # The customer lifecycle numbers dossiers and starts retention clocks.
        customer_status_changed.connect(on_status_changed, dispatch_uid="archives.status_changed")
        routes.register_endpoints("kehu.archives.api")
        calendar.register_deadline_recount(loans.recount_due_dates)
        calendar.register_deadline_recount(transfers.recount_due_dates)
