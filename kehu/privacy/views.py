"""Privacy pages; thin — the services and the policy decide."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.audit.services import record
from kehu.core import masking
from kehu.core.access import get_from_visible_or_404, get_visible_or_404, requires
from kehu.core.forms import add_errors
from kehu.customers.models import Contact, Customer
from kehu.generic import registry
from kehu.generic.services import StaleEditError
from kehu.privacy import consent, dashboard, grants, profile, requests, retention, services
from kehu.privacy.forms import (
    ConsentForm,
    GrantForm,
    NoteForm,
    ProfileForm,
    RetentionForm,
    RevealForm,
    RevokeForm,
    SubjectRequestForm,
)
from kehu.privacy.models import PROFILE_SECTIONS, Consent, RetentionSettings


def _visible_object(request: HttpRequest, label: str, pk: int) -> Model:
    """An object of any registered model the user may see, else 404."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    return get_visible_or_404(request.user, model, pk)


@login_required
def reveal(request: HttpRequest, label: str, pk: int, field: str) -> HttpResponse:
    obj = _visible_object(request, label, pk)
    spec = masking.spec(obj, field)
    if spec is None:
        raise Http404
    if not masking.may_reveal(request.user, obj, field):
        raise PermissionDenied(_("You may not reveal this value."))
    form = RevealForm(request.POST or None)
    value = None
    together: list[tuple[Any, str]] = []  # what is revealed with it (an ID's birth date)
    if request.method == "POST" and form.is_valid():
        try:
            values = services.reveal_values(request.user, obj, field, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            value = values.pop(field)
            together = [
                (getattr(obj._meta.get_field(name), "verbose_name", name), _label(obj, name, shown))
                for name, shown in values.items()
            ]
    record_type = registry.for_model(type(obj))
    back = ""
    if record_type is not None:
        back = reverse(record_type.url_name("detail"), args=[obj.pk])
    return render(
        request,
        "privacy/reveal.html",
        {
            "obj": obj,
            "field_label": getattr(obj._meta.get_field(field), "verbose_name", field),
            "masked": masking.masked(obj, field),
            "value": value,
            "together": together,
            "form": form,
            "back": back,
        },
        status=400 if request.method == "POST" and value is None else 200,
    )


def _label(obj: Model, name: str, value: str) -> str:
    """A revealed choice by its label (a gender), anything else as it is."""
    labels = dict(getattr(obj._meta.get_field(name), "flatchoices", ()) or ())
    return str(labels.get(value, value))


@login_required
def grant_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _visible_object(request, "customers.customer", pk)
    assert isinstance(customer, Customer)
    if not grants.may_grant(request.user, customer):
        raise PermissionDenied(_("You may not grant access to this customer."))
    form = GrantForm(request.POST or None, customer=customer, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            grants.access_grant_create(customer, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(user)s may access this customer until %(until)s.")
                % {
                    "user": form.cleaned_data["user"],
                    "until": timezone.localtime(form.cleaned_data["until"]).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                },
            )
            return redirect(reverse("generic:customers_detail", args=[customer.pk]))
    return render(
        request,
        "privacy/grant_form.html",
        {"customer": customer, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_object_or_404(grants.customer_grants(), pk=pk)
    form = RevokeForm(request.POST)
    if not grants.may_revoke(request.user, access):
        raise PermissionDenied(_("You may not revoke this grant."))
    if not form.is_valid():
        messages.error(request, _("Give the reason for revoking the grant."))
    else:
        grants.access_grant_revoke(access, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The grant was revoked."))
    return redirect(request.POST.get("next") or reverse("privacy:grants"))


@login_required
def grant_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "privacy/grants.html",
        {
            "received": grants.received(request.user),
            "issued": grants.issued_visible_to(request.user).order_by("-granted_at")[:200],
            "now": now,
        },
    )


def _person(request: HttpRequest, label: str, pk: int) -> Customer | Contact:
    subject = _visible_object(request, label, pk)
    if not isinstance(subject, Customer | Contact) or not consent.is_person(subject):
        raise Http404
    return subject


def _page_of(subject: Model) -> str:
    record_type = registry.for_model(type(subject))
    assert record_type is not None
    return reverse(record_type.url_name("detail"), args=[subject.pk])


@login_required
def consent_new(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    subject = _person(request, label, pk)
    if not consent.may_manage(request.user, subject):
        raise PermissionDenied(_("You may not record consents of this person."))
    form = ConsentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        evidence = data.pop("evidence", None)
        try:
            consent.record_consent(subject, data, request.user, evidence)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect(_page_of(subject))
    return render(
        request,
        "privacy/consent_form.html",
        {"subject": subject, "form": form, "back": _page_of(subject)},
        status=400 if request.method == "POST" else 200,
    )


def _visible_consent(request: HttpRequest, pk: int) -> Consent:
    found = get_object_or_404(Consent.objects.select_related("customer", "contact"), pk=pk)
    subject = found.subject
    _visible_object(request, subject._meta.label_lower, subject.pk)
    return found


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible_consent(request, pk)
    form = NoteForm(request.POST)
    if not consent.may_manage(request.user, found.subject):
        raise PermissionDenied(_("You may not change consents of this person."))
    if form.is_valid():
        consent.consent_withdraw(found, request.user, form.cleaned_data["note"])
        messages.success(request, _("The consent was withdrawn."))
    else:
        messages.error(request, _("Say how the withdrawal was received."))
    return redirect(_page_of(found.subject))


@login_required
def consent_evidence(request: HttpRequest, pk: int) -> FileResponse:
    found = _visible_consent(request, pk)
    if not found.evidence:
        raise Http404(_("No file."))
    record("privacy.consent.download", found, extra={"file": found.evidence_name})
    return FileResponse(
        found.evidence.open("rb"), as_attachment=True, filename=found.evidence_name or "evidence"
    )


@login_required
@require_POST
def marketing_contact(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    subject = _person(request, label, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the contact was about."))
        return redirect(_page_of(subject))
    try:
        consent.log_marketing_contact(subject, request.user, form.cleaned_data["note"])
    except consent.ConsentRequired as refused:
        return render(
            request,
            "privacy/refused.html",
            {"message": str(refused), "back": _page_of(subject)},
            status=403,
        )
    messages.success(request, _("Marketing contact recorded."))
    return redirect(_page_of(subject))


def _contact(request: HttpRequest, pk: int) -> Contact:
    found = _visible_object(request, "customers.contact", pk)
    assert isinstance(found, Contact)
    return found


def _refused(request: HttpRequest, error: Exception, back: str) -> HttpResponse:
    return render(
        request, "privacy/refused.html", {"message": str(error), "back": back}, status=403
    )


@login_required
def profile_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    back = _page_of(contact)
    try:
        opened = profile.open_profile(request.user, contact)
    except consent.ConsentRequired as error:
        return _refused(request, error, back)
    sections = [(label, getattr(opened, key)) for key, label, _help in PROFILE_SECTIONS]
    return render(
        request,
        "privacy/profile.html",
        {"contact": contact, "profile": opened, "sections": sections, "back": back},
    )


@login_required
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    back = _page_of(contact)
    try:
        opened = profile.open_profile(request.user, contact)
    except consent.ConsentRequired as error:
        return _refused(request, error, back)
    initial = {key: getattr(opened, key) for key in profile.SECTIONS}
    form = ProfileForm(request.POST or None, initial={**initial, "version": opened.version})
    if request.method == "POST" and form.is_valid():
        try:
            profile.save_profile(
                request.user, contact, form.cleaned_data, form.cleaned_data.get("version")
            )
        except StaleEditError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Profile saved."))
            return redirect(reverse("privacy:profile", args=[contact.pk]))
    return render(
        request,
        "privacy/profile_form.html",
        {"contact": contact, "form": form, "back": back},
        status=409 if request.method == "POST" else 200,
    )


@login_required
def request_new(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    subject = _person(request, label, pk)
    if not consent.may_manage(request.user, subject):
        raise PermissionDenied(_("You may not register requests for this person."))
    form = SubjectRequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            created = requests.open_request(
                subject,
                form.cleaned_data["kind"],
                form.cleaned_data["details"],
                request.user,
                form.cleaned_data["received_on"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Request registered; the compliance officer handles it."))
            return redirect(reverse("privacy:request", args=[created.pk]))
    return render(
        request,
        "privacy/request_form.html",
        {"subject": subject, "form": form, "back": _page_of(subject)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_from_visible_or_404(requests.visible_requests(request.user), pk)
    return render(request, "privacy/request.html", {"req": found})


@login_required
def request_package(request: HttpRequest, pk: int) -> FileResponse:
    found = get_from_visible_or_404(requests.visible_requests(request.user), pk)
    if not found.package:
        raise Http404(_("No file."))
    record("privacy.subjectrequest.download", found, extra={"file": "package"})
    return FileResponse(
        found.package.open("rb"), as_attachment=True, filename=f"personal-data-{found.pk}.zip"
    )


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    rows = dashboard.requests_in(requests.visible_requests(request.user), state)
    rows = rows.select_related("case", "received_by")[:500]
    return render(request, "privacy/requests.html", {"rows": rows, "state": state})


@login_required
@requires("privacy.retentionsettings.change")
def retention_settings(request: HttpRequest) -> HttpResponse:
    current = RetentionSettings.current()
    form = RetentionForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        retention.save_settings(current, {f: form.cleaned_data[f] for f in form.fields})
        messages.success(request, _("Retention periods saved."))
        return redirect(reverse("privacy:retention"))
    return render(request, "privacy/retention.html", {"form": form})
