"""Filing pages: the list of filings, a filing with its checklist, risk triggers, steps and the
forms of the signed-in user's open step, opening a filing, the filing form as a PDF. Thin:
the services and the workflow engine do the work; the policy decides."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kehu.core import policy
from kehu.filing import selectors
from kehu.filing.models import FINAL_STAGES, Stage


def _require(request: HttpRequest, perm: str, obj: object = None) -> None:
    if not policy.has_perm(request.user, perm, obj):  # type: ignore[arg-type]
        raise PermissionDenied(_("You do not have permission to do this."))


@login_required
def filing_list(request: HttpRequest) -> HttpResponse:
    _require(request, "filing.filing.view")
    filings = selectors.visible_filings(request.user)
    stage = request.GET.get("stage", "open")
    if stage == "open":
        filings = filings.exclude(stage__in=FINAL_STAGES)
    elif stage in Stage.values:
        filings = filings.filter(stage=stage)
    return render(
        request,
        "filing/list.html",
        {"filings": filings[:200], "stage": stage, "stages": Stage.choices},
    )
