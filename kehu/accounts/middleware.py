from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

from kehu.core import policy
from kehu.core.selectors import request_facts

# Not /api/: a session that has passed only the password must not read the API either
# (bearer-token requests carry no session, so they are not affected here).
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/health")


class SecondFactorMiddleware:
    """A signed-in user whose role requires TOTP must pass it before using any page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            # Read here for every page: it also hands the user's roles and grants to the
            # policy, which the page asks next.
            facts = request_facts(request)
            if not user.is_verified() and policy.requires_second_factor(
                user, facts.totp_required_roles
            ):
                return redirect("accounts:second_factor")
        return self.get_response(request)


class NoStoreMiddleware:
    """Responses to a signed-in user (a session or an API token) carry personal data:
    neither the browser nor a proxy may keep a copy (Cache-Control: no-store)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # DRF sets request.user on this request too when a bearer token signed it in.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class HtmlContentSecurityPolicyMiddleware(ContentSecurityPolicyMiddleware):
    """Django's CSP middleware (SECURE_CSP), for HTML pages only: file downloads and
    previews (a PDF in the document page's frame) set their own policy or need none."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
