"""Pages of the register review: campaigns with their progress per department, the task list
(filterable, exportable), an owner's task, the closing report and the settings. Thin: the
services change, the selectors read, the policy decides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.audit.services import record
from kehu.core import policy
from kehu.core.access import get_visible_or_404, require, requires
from kehu.core.forms import add_errors
from kehu.core.models import OrgUnit, User
from kehu.generic.export import rows_to_xlsx
from kehu.generic.services import StaleEditError
from kehu.infra import pdf
from kehu.reviews import reports, selectors, services
from kehu.reviews.forms import CampaignOpenForm, SettingsForm, TaskAnswerForm
from kehu.reviews.models import ReviewCampaign, ReviewSettings, TaskStatus

TASK_LIMIT = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@requires("reviews.reviewcampaign.view")
def campaigns(request: HttpRequest) -> HttpResponse:
    may_open = policy.has_perm(request.user, "reviews.reviewcampaign.add")
    form = CampaignOpenForm(request.POST or None) if may_open else None
    if request.method == "POST":
        require(request.user, "reviews.reviewcampaign.add")
        assert form is not None
        if form.is_valid():
            campaign, created = services.campaign_open(
                form.cleaned_data["month"], by=request.user, everyone=True
            )
            assert campaign is not None
            if created:
                messages.success(request, _("Campaign opened."))
            else:
                messages.warning(request, _("The month's campaign is open already."))
            return redirect(reverse("reviews:campaign", args=[campaign.pk]))
    rows = selectors.visible_campaigns(request.user)
    return render(
        request,
        "reviews/campaigns.html",
        {"rows": rows, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@requires("reviews.reviewcampaign.view")
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_visible_or_404(request.user, ReviewCampaign, pk)
    units, total = selectors.progress(request.user, found)
    user = request.user
    return render(
        request,
        "reviews/campaign.html",
        {
            "campaign": found,
            "units": units,
            "total": total,
            "may_close": found.is_open and policy.has_perm(user, "reviews.reviewcampaign.close"),
            "may_report": policy.has_perm(user, "reviews.reviewcampaign.export"),
            "overdue": found.deadline < timezone.localdate(),
        },
    )


@login_required
@require_POST
@requires("reviews.reviewcampaign.close")
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_visible_or_404(request.user, ReviewCampaign, pk)
    try:
        services.campaign_close(found, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Campaign closed; the closing report is ready."))
    return redirect(reverse("reviews:campaign", args=[found.pk]))


@login_required
@requires("reviews.reviewcampaign.export")
def campaign_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    found = get_visible_or_404(request.user, ReviewCampaign, pk)
    record(
        "reviews.reviewcampaign.export" if fmt == "xlsx" else "reviews.reviewcampaign.print",
        found,
        extra={"form": "closing report", "format": fmt},
    )
    name = f"review-{found.month:%Y-%m}"
    if fmt == "pdf":
        return pdf.response(reports.report_pdf(request.user, found), f"{name}.pdf")
    response = HttpResponse(reports.report_xlsx(request.user, found), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


TASK_COLUMNS = [
    ("campaign.title", _("Campaign")),
    ("customer.name", _("Customer")),
    ("unit.name", _("Department")),
    ("owner.full_name", _("Account manager")),
    ("status", _("Status")),
    ("campaign.deadline", _("Review deadline")),
    ("done_at", _("Done at")),
    ("changes_text", _("What changed")),
    ("stale_items", _("Stale items found")),
]


@login_required
@requires("reviews.reviewtask.view")
def tasks(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = selectors.visible_tasks(user)
    params = request.GET
    rows = visible
    if params.get("campaign", "").isdigit():
        rows = rows.filter(campaign_id=int(params["campaign"]))
    rows = selectors.filter_tasks(
        rows, status=params.get("status", ""), unit=params.get("unit"), owner=params.get("owner")
    )
    rows = rows.order_by("-campaign__month", "unit__name", "customer__name_pinyin", "pk")
    listed = list(rows[:TASK_LIMIT])
    for row in listed:
        row.changes_text = reports.changes_text(row.changes)  # type: ignore[attr-defined]
    if params.get("format") == "xlsx":
        require(user, "reviews.reviewtask.export")
        columns = [(name, str(label)) for name, label in TASK_COLUMNS]
        content, count = rows_to_xlsx(str(_("Review tasks")), columns, listed, str(user))
        record(
            "reviews.reviewtask.export",
            object_type="reviews.reviewtask",
            object_repr=str(_("Review tasks")),
            extra={"rows": count, "filters": dict(params.items()), "format": "xlsx"},
        )
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="review-tasks.xlsx"'
        return response
    return render(
        request,
        "reviews/tasks.html",
        {
            "rows": listed,
            "limit": TASK_LIMIT,
            "today": timezone.localdate(),
            "campaigns": selectors.visible_campaigns(user),
            "statuses": [
                *TaskStatus.choices,
                ("done", _("Done")),
                (selectors.OVERDUE, _("Overdue")),
            ],
            "units": OrgUnit.objects.filter(pk__in=visible.values("unit_id")).order_by("name"),
            "owners": User.objects.filter(pk__in=visible.values("owner_id")).order_by("username"),
            "may_export": policy.has_perm(user, "reviews.reviewtask.export"),
        },
    )


@login_required
def task(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_visible_or_404(request.user, selectors.task_rows(), pk)
    may_answer = (
        found.is_open
        and found.campaign.is_open
        and policy.has_perm(request.user, "reviews.reviewtask.change", found)
    )
    here = reverse("reviews:task", args=[found.pk])
    return render(
        request,
        "reviews/task.html",
        {
            "task": found,
            "form": TaskAnswerForm(),
            "may_answer": may_answer,
            "may_edit_customer": policy.has_perm(
                request.user, "customers.customer.change", found.customer
            ),
            "edit_url": reverse("generic:customers_edit", args=[found.customer_id])
            + f"?next={here}",
            "propose_url": reverse("customers:propose", args=[found.customer_id]) + f"?next={here}",
            "changes": sorted(found.changes.items()),
            "overdue": found.is_overdue(timezone.localdate()),
        },
    )


@login_required
@require_POST
def task_answer(request: HttpRequest, pk: int, answer: str) -> HttpResponse:
    found = get_visible_or_404(request.user, selectors.task_rows(), pk)
    require(request.user, "reviews.reviewtask.change", found)
    form = TaskAnswerForm(request.POST)
    if form.is_valid():
        stale = form.cleaned_data["stale_items"]
        try:
            if answer == "confirm":
                services.task_confirm(found, by=request.user, stale_items=stale)
                messages.success(request, _("Confirmed: the customer is verified today."))
            else:
                services.task_correct(found, by=request.user, stale_items=stale)
                messages.success(
                    request, _("Corrections recorded: the customer is verified today.")
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("stale_items", [])))
    return redirect(reverse("reviews:task", args=[found.pk]))


@login_required
@requires("reviews.reviewsettings.change")
def settings_page(request: HttpRequest) -> HttpResponse:
    config = ReviewSettings.current()
    form = SettingsForm(request.POST or None, instance=config)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = int(request.POST.get("_version") or 0)
                services.settings_save(form.cleaned_data, version)
            except StaleEditError as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Review settings saved."))
                return redirect("reviews:settings")
        status = 400
    return render(request, "reviews/settings.html", {"form": form, "config": config}, status=status)
