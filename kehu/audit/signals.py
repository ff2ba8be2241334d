"""Sign-in and sign-out events come from Django's auth signals."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from kehu.audit.context import actor_for
from kehu.audit.middleware import client_ip
from kehu.audit.services import record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record("auth.login", user, actor=actor_for(user, client_ip(request)))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record("auth.logout", user, actor=actor_for(user, client_ip(request)))
