from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "kehu.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from kehu.api.models import ApiToken
        from kehu.api.services import on_password_changed
        from kehu.core import policy
        from kehu.core.users import password_changed

        # An administrator lists and revokes the tokens of the users in their units.
        policy.register_scope(ApiToken, "user__unit__path")
        password_changed.connect(on_password_changed, dispatch_uid="api.password_changed")
