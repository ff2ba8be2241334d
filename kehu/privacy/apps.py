from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "kehu.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from kehu.core import masking
        from kehu.privacy import processes, restrictions, tiers  # noqa: F401  (register)

        masking.set_tier_source(tiers.field_overrides)
