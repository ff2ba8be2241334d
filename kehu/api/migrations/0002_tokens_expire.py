import datetime

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def give_tokens_an_expiry(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Tokens made before expiry existed run for the default lifetime from now."""
    token = apps.get_model("api", "ApiToken")
    until = timezone.now() + datetime.timedelta(days=settings.KEHU_API_TOKEN_DAYS)
    token.objects.filter(expires_at__isnull=True).update(expires_at=until)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [migrations.RunPython(give_tokens_an_expiry, migrations.RunPython.noop)]
