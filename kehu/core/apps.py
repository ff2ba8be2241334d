from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kehu.core"
    label = "core"
    verbose_name = _("Organisation and users")

    def ready(self) -> None:
        from django.core import checks

        from kehu.core import calendar_record_types, lookups, record_types  # noqa: F401  (register)
        from kehu.core.keychecks import check_field_keys

        checks.register(check_field_keys)
