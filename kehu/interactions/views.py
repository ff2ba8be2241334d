"""Pages of interactions beyond the generated ones: a customer's whole timeline and marking
a follow-up done."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.core.access import get_visible_or_404
from kehu.customers.models import Customer
from kehu.infra import pdf
from kehu.interactions import complaints, pdfs, selectors, services, timeline
from kehu.interactions.models import Complaint, Interaction

TIMELINE_PAGE = 50


@login_required
def customer_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_visible_or_404(request.user, Customer, pk)
    if not timeline.visible_sources(request.user):
        raise Http404
    before = selectors.parse_before(request.GET.get("before", ""))
    context = selectors.timeline_context(
        request.user, customer, request.GET.get("kind", ""), before, TIMELINE_PAGE
    )
    return render(request, "interactions/timeline.html", {"customer": customer, **context})


@login_required
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = get_visible_or_404(request.user, Interaction, pk)
    try:
        services.interaction_follow_up_done(interaction, by=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Follow-up marked done."))
    return redirect("generic:interactions_detail", interaction.pk)


@login_required
@require_POST
def complaint_reply(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_visible_or_404(request.user, Complaint, pk)
    form = complaints.ReplyForm(request.POST)
    try:
        complaints.complaint_reply(complaint, by=request.user, form=form)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Reply sent; the customer's confirmation is now awaited."))
    return redirect("generic:complaints_detail", complaint.pk)


@login_required
def reply_letter(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_visible_or_404(request.user, Complaint, pk)
    if complaint.approved_at is None:
        raise Http404
    content = pdfs.reply_letter(complaint, printed_by=request.user)
    return pdf.response(content, f"{complaint.number}-回复函.pdf")
