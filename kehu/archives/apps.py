from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "kehu.archives"
    label = "archives"
    verbose_name = _("Archives")

    def ready(self) -> None:
        from kehu.archives import processes, record_types  # noqa: F401  (register)
        from kehu.archives.receivers import on_status_changed
        from kehu.archives.selectors import card_panel, home_stats
        from kehu.core.home import register_stats
        from kehu.customers import card
        from kehu.customers.signals import customer_status_changed

        register_stats(home_stats)
        card.register_panel(card_panel)
        # The customer lifecycle numbers dossiers and starts retention clocks.
        customer_status_changed.connect(on_status_changed, dispatch_uid="archives.status_changed")
