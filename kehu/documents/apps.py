from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "kehu.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from kehu.core.home import register_stats
        from kehu.documents import record_types  # noqa: F401  (registers the record types)
        from kehu.documents.selectors import home_stats

        register_stats(home_stats)
