from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "kehu.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from kehu.api.models import ApiToken
        from kehu.core import policy

        # An administrator lists and revokes the tokens of the users in their units.
        policy.register_scope(ApiToken, "user__unit__path")
