from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kehu.core"
    label = "core"
    verbose_name = _("Organisation and users")

    def ready(self) -> None:
        from django.core import checks

        from kehu.core import calendar_record_types, record_types  # noqa: F401  (register)
        from kehu.core.keychecks import check_field_keys
        from kehu.infra import lookups  # noqa: F401  (registers the id-list lookups)

        checks.register(check_field_keys)
        _collect_role_permissions()


def _collect_role_permissions() -> None:
    """Each app declares what its roles may do in its own `permissions.py`; the policy reads
    the union."""
    from importlib import import_module

    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    from kehu.core import policy

    for config in apps.get_app_configs():
        if config.name.startswith("kehu.") and module_has_submodule(config.module, "permissions"):
            declared = import_module(f"{config.name}.permissions").ROLE_PERMISSIONS
            policy.declare_role_permissions(declared)
