from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfServiceConfig(AppConfig):
    name = "kehu.selfservice"
    label = "selfservice"
    verbose_name = _("Self-service updates")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.core import policy
        from kehu.customers import card, changes
        from kehu.ops.reminders import register_rule
        from kehu.selfservice import reminders, services
        from kehu.selfservice.models import UpdateLink
        from kehu.selfservice.selectors import card_panel, proofs

        policy.register_scope(UpdateLink, "customer__unit__path", "customer__owner_id")
        card.register_panel(card_panel)
        changes.register_decision_hook(services.file_proof)
        changes.register_proof_provider(proofs)
        register_rule(reminders.LICENCE_RULE)
        routes.register_endpoints("kehu.selfservice.api")
