from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from kehu.accounts import services
from kehu.accounts.forms import SignInForm, TokenForm
from kehu.audit.context import actor_for
from kehu.audit.middleware import client_ip
from kehu.audit.services import record
from kehu.core import policy, users
from kehu.core.models import User


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return "/"


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = SignInForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        actor = actor_for(None, client_ip(request))
        result = services.sign_in(
            request, form.cleaned_data["username"], form.cleaned_data["password"], actor
        )
        if result.user is not None:
            login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
            if policy.requires_second_factor(result.user):
                query = urlencode({"next": _next_url(request)}, safe="/")
                return redirect(f"/accounts/second-factor/?{query}")
            return redirect(_next_url(request))
        form.add_error(None, result.error)
        status = result.status
    return render(
        request, "accounts/login.html", {"form": form, "next": _next_url(request)}, status=status
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    device = services.confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = services.pending_device(user)
    assert device is not None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        ok = services.confirm_device(device, token) if enrolling else device.verify_token(token)
        if ok:
            otp_login(request, device)
            record("auth.otp_verified", user)
            return redirect(_next_url(request))
        actor = actor_for(user, client_ip(request))
        if services.register_failure(user, actor, "wrong second-factor code"):
            logout(request)
            messages.error(request, _("Too many wrong codes: the account is locked."))
            return redirect("accounts:login")
        form.add_error("token", _("The code is wrong or has expired. Try the current code."))
    context = {"form": form, "enrolling": enrolling, "next": _next_url(request)}
    if enrolling:
        context["qr_svg"] = services.qr_svg(device)
        context["secret"] = services.secret_base32(device)
    return render(request, "accounts/second_factor.html", context)


@login_required
def change_password(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        users.change_password(user, form.cleaned_data["new_password1"])
        user.refresh_from_db()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed."))
        return redirect("core:home")
    return render(request, "accounts/change_password.html", {"form": form})
