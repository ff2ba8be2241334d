"""The register review's dashboard panel: the progress of the latest campaign in the reader's
scope (done, open, overdue) and the stale customers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import policy
from kehu.core.dashboard import Chart, Figure, Panel
from kehu.customers.dashboard import only_own
from kehu.customers.models import ACTIVE_REGISTER
from kehu.reviews.selectors import OVERDUE, progress, stale_customers, visible_campaigns


def _tasks_url(**params: Any) -> str:
    return reverse("reviews:tasks") + "?" + urlencode(params)


def build(user: Any) -> list[Chart]:
    stale = stale_customers(user).filter(status__in=ACTIVE_REGISTER)
    stale_url = reverse("generic:customers_list") + "?stale=true"
    if only_own(user):
        stale = stale.filter(owner_id=user.pk)
        stale_url += f"&owner={user.pk}"
    charts = [
        Chart(
            "stale",
            _("Stale customers"),
            [Figure(_("Stale customers"), stale.count(), stale_url)],
            kind="numbers",
        )
    ]
    campaign = visible_campaigns(user).order_by("-month", "-pk").first()
    if campaign is not None:
        _units, total = progress(user, campaign)
        figures = [
            Figure(_("Done"), total.done, _tasks_url(campaign=campaign.pk, status="done")),
            Figure(
                _("Open"),
                total.open - total.overdue,
                _tasks_url(campaign=campaign.pk, status="open") if not total.overdue else "",
            ),
            Figure(_("Overdue"), total.overdue, _tasks_url(campaign=campaign.pk, status=OVERDUE)),
        ]
        title = _("Register review %(campaign)s") % {"campaign": campaign}
        charts.append(Chart("review-campaign", title, figures, kind="pie"))
    return charts


PANEL = Panel(
    "reviews",
    gettext_lazy("Register review"),
    lambda user: (
        policy.has_perm(user, "reviews.reviewtask.view")
        and policy.has_perm(user, "customers.customer.view")
    ),
    build,
    order=55,
)
