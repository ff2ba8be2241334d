from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingConfig(AppConfig):
    name = "kehu.filing"
    label = "filing"
    verbose_name = _("Filing")

    def ready(self) -> None:
        from kehu.core.home import register_stats
        from kehu.filing import records  # noqa: F401  (registers the record types)
        from kehu.filing.selectors import home_stats

        register_stats(home_stats)
