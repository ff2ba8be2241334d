from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GenericConfig(AppConfig):
    name = "kehu.generic"
    label = "generic"
    verbose_name = _("Record machinery")
