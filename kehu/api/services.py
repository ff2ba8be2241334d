from django.db import transaction

from kehu.api.models import ApiToken, hash_token
from kehu.audit.services import record
from kehu.core.models import User


def create_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    raw = ApiToken.new_raw()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=raw[3:11], digest=hash_token(raw)
        )
        record("api.apitoken.create", token, extra={"user": user.username, "name": name})
    return token, raw
