from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "kehu.reviews"
    label = "reviews"
    verbose_name = _("Register review")

    def ready(self) -> None:
        from kehu.api import routes
        from kehu.core import policy
        from kehu.core.dashboard import register_panel
        from kehu.core.home import register_stats
        from kehu.customers import card, flags
        from kehu.customers import freshness as customer_freshness
        from kehu.ops.reminders import register_rule
        from kehu.ops.schedule import register_periodic
        from kehu.reviews import dashboard, freshness, reminders, tasks
        from kehu.reviews.models import ReviewTask
        from kehu.reviews.selectors import card_panel, home_stats

        policy.register_scope(ReviewTask, "unit__path", "owner_id")
        register_periodic(*tasks.PERIODIC)
        for rule in reminders.RULES:
            register_rule(rule)
        customer_freshness.set_rule(freshness.RULE)
        flags.register_flag(
            flags.Flag(
                "stale",
                customer_freshness.STALE_LABEL,
                customer_freshness.stale_condition,
                color="orange",
            )
        )
        register_stats(home_stats)
        register_panel(dashboard.PANEL)
        card.register_panel(card_panel)
        routes.register_endpoints("kehu.reviews.api")
        routes.register_viewset(
            "review-campaigns", "kehu.reviews.api.CampaignViewSet", basename="review-campaigns"
        )
        routes.register_viewset(
            "review-tasks", "kehu.reviews.api.TaskViewSet", basename="review-tasks"
        )
