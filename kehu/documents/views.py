"""Document pages: upload, a document with its versions, preview and download (streamed,
audited), attestation, the expiring-documents list and the integrity report. Thin: the
services and selectors do the work; the policy decides."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from kehu.core import policy, storage
from kehu.core.access import DENIED, get_visible_or_404, require, requires
from kehu.core.forms import add_errors
from kehu.core.navigation import return_target
from kehu.customers.duplicates import resolve
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_rows
from kehu.documents import opening, selectors, services
from kehu.documents.forms import UploadForm
from kehu.documents.models import Document, DocumentType, DocumentVersion
from kehu.infra.file_headers import protect


@login_required
def upload(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = resolve(get_visible_or_404(request.user, customer_rows(), customer_pk))
    if not selectors.can_upload(request.user, customer):
        raise PermissionDenied(DENIED)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            target = _target(request, customer, data["document"])
            try:
                version = services.document_upload(
                    customer,
                    data["doc_type"],
                    data["file"],
                    request.user,
                    issued_on=data["issued_on"],
                    expires_on=data["expires_on"],
                    attested=data["attested"],
                    note=data["note"],
                    document=target,
                    title=data["title"],
                    reference=data["reference"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(type)s uploaded as version %(n)s.")
                    % {"type": data["doc_type"].name, "n": version.number},
                )
                back_to = return_target(request)
                return (
                    redirect(back_to)
                    if back_to
                    else redirect("documents:document", version.document_id)
                )
    else:
        initial: dict[str, Any] = {}
        code = request.GET.get("type")
        if code and DocumentType.objects.filter(code=code, is_active=True).exists():
            initial["doc_type"] = code
        existing = request.GET.get("document", "")
        target = _target(request, customer, int(existing)) if existing.isdigit() else None
        if target is not None:
            initial.update(document=target.pk, doc_type=target.doc_type.code)
            initial.update(title=target.title, reference=target.reference)
        form = UploadForm(initial=initial)
    return render(
        request,
        "documents/upload.html",
        {
            "customer": customer,
            "form": form,
            "return_to": return_target(request),
            "dated_types": list(
                DocumentType.objects.filter(has_dates=True).values_list("code", flat=True)
            ),
        },
    )


def _target(request: HttpRequest, customer: Customer, pk: int | None) -> Document | None:
    """The customer's document a new version is for (a type that allows several)."""
    if not pk:
        return None
    found = get_visible_or_404(request.user, selectors.document_rows(), pk)
    if found.customer_id != customer.pk:
        raise Http404
    return found


@login_required
def document(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_visible_or_404(request.user, selectors.document_rows(), pk)
    versions = selectors.versions_of(doc)
    shown = doc.current
    wanted = request.GET.get("version")
    if wanted and wanted.isdigit():
        shown = next((v for v in versions if v.pk == int(wanted)), shown)
    return render(
        request,
        "documents/document.html",
        {
            "doc": doc,
            "versions": versions,
            "shown": shown,
            "expiry_state": selectors.expiry_state(doc.expires_on),
            "can_upload": selectors.can_upload(request.user, doc.customer),
            "can_attest": policy.has_perm(request.user, "documents.documentversion.attest", doc),
            "customer_url": reverse("generic:customers_detail", args=[doc.customer_id]),
        },
    )


def _require_tier(request: HttpRequest, version: DocumentVersion) -> None:
    """The checks other apps register decide who opens its files (kehu.privacy.tiers: the
    document type's sensitivity tier)."""
    if not opening.may_open_version(request.user, version):
        raise PermissionDenied(_("This document's type is sensitive: you may not open it."))


def _stream(version: DocumentVersion, *, inline: bool) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        storage.iter_plain(version.stored_name), content_type=version.content_type
    )
    response["Content-Length"] = str(version.size)
    response["Content-Disposition"] = (
        content_disposition_header(not inline, version.original_name) or "attachment"
    )
    protect(response, version.content_type)
    return response


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    version = get_visible_or_404(request.user, selectors.version_rows(), pk)
    require(request.user, "documents.documentversion.view", version)
    _require_tier(request, version)
    services.record_access(version, "download")
    return _stream(version, inline=False)


@login_required
@xframe_options_sameorigin
def preview(request: HttpRequest, pk: int) -> HttpResponseBase:
    version = get_visible_or_404(request.user, selectors.version_rows(), pk)
    require(request.user, "documents.documentversion.view", version)
    _require_tier(request, version)
    if not version.previewable:
        raise PermissionDenied(_("This file type cannot be previewed; download it instead."))
    services.record_access(version, "preview")
    return _stream(version, inline=True)


@login_required
@require_POST
def attest(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_visible_or_404(request.user, selectors.version_rows(), pk)
    require(request.user, "documents.documentversion.attest", version)
    services.document_attest(version, request.user)
    messages.success(request, _("Attestation recorded."))
    return redirect("documents:document", version.document_id)


@login_required
@requires("documents.document.view")
def expiring(request: HttpRequest) -> HttpResponse:
    days = request.GET.get("days", "")
    window = int(days) if days.isdigit() and int(days) <= 3650 else selectors.warning_days()
    rows = list(selectors.expiring(request.user, window)[:500])
    for row in rows:
        row.expiry_state = selectors.expiry_state(row.expires_on)  # type: ignore[attr-defined]
    return render(request, "documents/expiring.html", {"rows": rows, "days": window})


@login_required
@requires("documents.documenttype.change")
def integrity(request: HttpRequest) -> HttpResponse:
    problems = DocumentVersion.objects.exclude(check_problem="").select_related(
        "document__customer", "document__doc_type"
    )
    last = DocumentVersion.objects.order_by("-last_checked_at").values_list(
        "last_checked_at", flat=True
    )
    return render(
        request,
        "documents/integrity.html",
        {
            "problems": problems,
            "last_checked_at": last.first(),
            "total": DocumentVersion.objects.count(),
        },
    )
