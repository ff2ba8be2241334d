import datetime
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from kehu.api.models import ApiToken, hash_token
from kehu.audit.context import Actor, acting_as
from kehu.core.selectors import user_facts
from kehu.infra.prepared import prepared_statements

LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        parts = header.split()
        if not parts or parts[0] != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        now = timezone.now()
        # One statement decides it all: unknown, revoked, expired, or older than the owner's
        # last password change (a change or an administrator's reset ends every token).
        with prepared_statements():
            token = (
                ApiToken.objects.select_related("user")
                .filter(
                    Q(user__password_changed_at__isnull=True)
                    | Q(user__password_changed_at__lte=F("created_at")),
                    digest=hash_token(parts[1]),
                    revoked_at__isnull=True,
                    expires_at__gt=now,
                )
                .first()
            )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        if not token.user.is_active or token.user.locked_at is not None:
            raise exceptions.AuthenticationFailed(_("The account is disabled or locked."))
        # Minute precision is enough to see which tokens are in use; a write per request
        # (a write transaction on SQLite) is not worth more.
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # The user's roles and access grants for the policy, in one statement with the
        # request's other facts (as pages read them), not one query each.
        user_facts(token.user)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes the bearer token in the OpenAPI document (else `check --deploy` warns)."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object("Authorization", "Bearer")


__all__ = ["Actor", "BearerTokenAuthentication", "acting_as"]
