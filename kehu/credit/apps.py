from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "kehu.credit"
    label = "credit"
    verbose_name = _("Credit file")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.core import policy
        from kehu.core.dashboard import register_panel
        from kehu.credit import dashboard, investigation, processes, tasks  # noqa: F401
        from kehu.credit.models import (
            CreditAccount,
            CreditApplication,
            HoldOverride,
            LimitGrant,
            LimitRequest,
            OpenOrder,
            Receivable,
        )
        from kehu.credit.package import credit_part
        from kehu.credit.selectors import card_panel, held_condition
        from kehu.customers import card, flags, package
        from kehu.customers.filters import register_list_filter
        from kehu.customers.models import Customer
        from kehu.documents import opening
        from kehu.ops.schedule import register_periodic

        customer = (Customer, "customer_id")
        for direct in (CreditAccount, Receivable, OpenOrder):
            policy.register_scope(
                direct, "customer__unit__path", "customer__owner_id", grant_parent=customer
            )
        for of_account in (HoldOverride, LimitGrant, LimitRequest, CreditApplication):
            policy.register_scope(
                of_account, "account__customer__unit__path", "account__customer__owner_id"
            )
        register_periodic(*tasks.PERIODIC)
        opening.register_open_check(investigation.may_open_photo)
        card.register_panel(card_panel)
        package.register_part(credit_part)
        flags.register_flag(flags.Flag("credit_hold", _("Credit hold"), held_condition))
        register_list_filter("credit_hold", dashboard.credit_hold_filter)
        register_panel(dashboard.PANEL)
        routes.register_endpoints("kehu.credit.api")
