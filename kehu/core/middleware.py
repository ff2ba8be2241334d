from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import LazyObject

from kehu.core.prepared import prepared_statements


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
    the policy about the user hundreds of times (≈ 1,500 reads, 2 ms). Each middleware
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
