from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "kehu.archives"
    label = "archives"
    verbose_name = _("Archives")

    def ready(self) -> None:
        from kehu.archives import processes, receivers, record_types  # noqa: F401  (register)
        from kehu.archives.selectors import home_stats
        from kehu.core.home import register_stats

        register_stats(home_stats)
