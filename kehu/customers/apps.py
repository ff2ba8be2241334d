from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kehu.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.core.home import register_stats
        from kehu.customers import (  # noqa: F401  (register the personal data, record types)
            record_types,
            sensitive,
        )
        from kehu.customers.selectors import home_stats

        register_stats(home_stats)
        from kehu.customers.roster.jobs import KIND, run_roster_job
        from kehu.generic.jobs import register_job_kind

        register_job_kind(KIND, run_roster_job, label=_("Customer import"))
        from kehu.generic import registry

        registry.get("customers").listing.add_action(
            registry.ListAction(
                _("Import customers"),
                url_name="customers:import",
                permission="customers.customer.add",
                icon="upload",
                element_id="import-customers",
            )
        )
        routes.register_endpoints("kehu.customers.api")
