from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kehu.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.core.dashboard import register_panel
        from kehu.core.home import register_stats
        from kehu.customers import (  # noqa: F401  (register the personal data, record types)
            dashboard,
            package_job,
            record_types,
            sensitive,
        )
        from kehu.customers.roster import jobs as roster_jobs
        from kehu.customers.selectors import home_stats
        from kehu.generic import registry
        from kehu.generic.jobs import register_job_kind

        register_stats(home_stats)
        register_panel(dashboard.PANEL)
        register_job_kind(package_job.JOB_KIND, package_job.run_package, label=_("Dossier package"))
        register_job_kind(roster_jobs.KIND, roster_jobs.run_roster_job, label=_("Customer import"))
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
