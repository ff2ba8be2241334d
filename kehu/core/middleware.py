from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from kehu.core import policy
from kehu.infra.prepared import prepared_statements


class LanguageMiddleware:
    """Simplified Chinese unless the user picked another language (UX-1).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: an
    English-language browser on a Chinese intranet still gets the Chinese interface.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class ResolvedUserMiddleware:
    """Replaces the lazy `request.user` with the user itself once it has been read.

    The authentication and second-factor middlewares each wrap the user in a lazy object;
    every attribute read through the two then costs two proxy calls, and a list page asks
    the policy about the user hundreds of times. Each middleware
    after this one reads the user anyway (audit actor, second factor), so nothing is loaded
    that would not have been."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        with prepared_statements():  # the session, the user, their second-factor device
            while isinstance(user, LazyObject):
                user.pk  # noqa: B018  (loads the user and runs the second-factor check's setup)
                user = user._wrapped
        if user is not None:
            request.user = user
        return self.get_response(request)


# What a read-only user (the auditor) may still post: their own session, password, second
# factor, language and notifications, and reveals (reads, audited with their reason).
READ_ONLY_MAY_POST = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:second_factor",
        "accounts:change_password",
        "core:notifications",
        "set_language",
        "privacy:reveal",
        "api:reveal",
        # The purpose of use of their own session (audited): what their reads are for.
        "privacy:purpose",
        # A customer's dossier package: an export (audited), made as their own job.
        "customers:package",
        # Their own API tokens: a credential of their own, not data.
        "tokens:mine",
        "tokens:revoke",
        "api:tokens",
        "api:token_revoke",
        # How their own reminders reach them.
        "ops:reminder-settings",
        "api:reminder_settings",
    }
)


def is_list_search(view_name: str) -> bool:
    """A record list takes its search by POST (numbers stay out of URLs): a read."""
    return view_name.startswith("generic:") and view_name.endswith("_list")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def read_only_refusal(method: str, user: Any, view_name: str) -> str:
    """Why this request is refused to a read-only user ("" when it is not)."""
    if method.upper() in SAFE_METHODS or view_name in READ_ONLY_MAY_POST:
        return ""
    if is_list_search(view_name):
        return ""
    if not getattr(user, "is_authenticated", False) or not policy.is_read_only(user):
        return ""
    return str(_("You have read-only access: you cannot change anything."))


class ReadOnlyUserMiddleware:
    """Refuses every write (POST, PUT, PATCH, DELETE) of a read-only user, whatever the page;
    the API refuses token users the same way (kehu.api.base.AuditedAPIView)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> None:
        match = request.resolver_match
        refusal = read_only_refusal(
            request.method or "GET",
            getattr(request, "user", None),
            match.view_name if match else "",
        )
        if refusal:
            raise PermissionDenied(refusal)
