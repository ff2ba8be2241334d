"""The update link's public page (no account: the token is the permission, rate-limited,
refused with a clear message when expired, revoked or used) and the owner's pages: send a
link (by e-mail, or as a QR code shown once), revoke one, open a submitted proof file."""

from __future__ import annotations

import datetime
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kehu.audit.middleware import client_ip
from kehu.audit.services import record
from kehu.core import policy, storage
from kehu.core.access import DENIED, get_visible_or_404
from kehu.core.mail import absolute
from kehu.customers.models import Contact, Customer
from kehu.customers.selectors import change_request_rows
from kehu.infra.file_headers import protect
from kehu.infra.ratelimit import RateLimited
from kehu.selfservice import selectors, services
from kehu.selfservice.models import LinkChannel, SubmittedFile, UpdateLink


def _refused(request: HttpRequest, message: str, status: int = 410) -> HttpResponse:
    return render(request, "selfservice/refused.html", {"message": message}, status=status)


def _date(text: str, field: str) -> datetime.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({field: [_("Enter a date as YYYY-MM-DD.")]}) from None


def _uploads(request: HttpRequest) -> list[services.Upload]:
    """The files sent: one row per document type offered ("file_<code>", dates beside it)."""
    types = {doc_type.code: doc_type for doc_type in selectors.upload_types()}
    uploads = []
    for code, doc_type in types.items():
        upload = request.FILES.get(f"file_{code}")
        if upload is None:
            continue
        uploads.append(
            services.Upload(
                doc_type,
                upload,
                _date(request.POST.get(f"issued_{code}", ""), f"issued_{code}"),
                _date(request.POST.get(f"expires_{code}", ""), f"expires_{code}"),
            )
        )
    return uploads


@never_cache
def page(request: HttpRequest, token: str) -> HttpResponse:
    """The contact's page: the customer's current non-sensitive data to correct, the
    documents due to send, their declared name; one submission."""
    try:
        services.admit_visit(token, client_ip(request))
    except RateLimited as error:
        return _refused(request, str(error), status=429)
    try:
        link = services.open_link(token)
    except services.LinkRefused as error:
        return _refused(request, str(error))
    customer = link.customer
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        fields = services.fields_for(customer)
        values = {name: request.POST[name] for name in fields if name in request.POST}
        try:
            request_made = services.submit(
                token,
                values=values,
                uploads=_uploads(request),
                declared_name=request.POST.get("declared_name", ""),
                note=request.POST.get("note", ""),
            )
        except services.LinkRefused as error:
            return _refused(request, str(error))
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        else:
            return render(
                request, "selfservice/done.html", {"customer": customer, "request": request_made}
            )
    else:
        services.touch(link)
        record("selfservice.updatelink.open", link, extra={"customer": customer.pk})
    due = selectors.documents_due(customer)
    due_codes = {item.doc_type.code for item in due}
    context = {
        "link": link,
        "customer": customer,
        "fields": selectors.page_fields(customer),
        "due": due,
        "other_types": [t for t in selectors.upload_types() if t.code not in due_codes],
        "errors": errors,
        "general_errors": errors.get("", []) + errors.get("__all__", []),
        "posted": request.POST if request.method == "POST" else {},
    }
    return render(request, "selfservice/page.html", context, status=400 if errors else 200)


def _customer_for(request: HttpRequest, pk: int, action: str) -> Customer:
    customer = get_visible_or_404(request.user, Customer, pk)
    if not policy.has_perm(
        request.user, f"selfservice.updatelink.{action}", UpdateLink(customer=customer)
    ):
        raise PermissionDenied(DENIED)
    return customer


def qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a link: by e-mail to a contact, or as a QR code shown now (and never again)."""
    customer = _customer_for(request, pk, "add")
    channel = request.POST.get("channel", "")
    contact_pk = request.POST.get("contact", "")
    contact = (
        get_object_or_404(Contact, pk=contact_pk, customer=customer)
        if contact_pk.isdigit()
        else None
    )
    try:
        link, token = services.link_create(
            customer, by=request.user, channel=channel, contact=contact
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("generic:customers_detail", pk=customer.pk)
    if channel == LinkChannel.EMAIL:
        messages.success(
            request, _("The update link was sent to %(address)s.") % {"address": link.sent_to}
        )
        return redirect("generic:customers_detail", pk=customer.pk)
    url = absolute(services.link_path(token))
    return render(
        request,
        "selfservice/qr.html",
        {"customer": customer, "link": link, "url": url, "qr": mark_safe(qr_svg(url))},
    )


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_visible_or_404(request.user, UpdateLink.objects.select_related("customer"), pk)
    if not policy.has_perm(request.user, "selfservice.updatelink.change", link):
        raise PermissionDenied(DENIED)
    try:
        services.link_revoke(link, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The update link was revoked."))
    return redirect("generic:customers_detail", pk=link.customer_id)


@login_required
def proof(request: HttpRequest, pk: int) -> FileResponse:
    """A file sent with a submission, for whoever may see its change request."""
    item = get_object_or_404(SubmittedFile.objects.select_related("submission"), pk=pk)
    change = get_visible_or_404(
        request.user, change_request_rows(), item.submission.change_request_id
    )
    record(
        "selfservice.submittedfile.download",
        item,
        extra={"change_request": change.pk, "file": item.original_name},
    )
    response = FileResponse(
        storage.open_plain(item.stored_name),
        as_attachment=True,
        filename=item.original_name or "file",
        content_type=item.content_type,
    )
    protect(response, item.content_type)
    return response
