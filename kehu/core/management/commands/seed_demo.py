from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

from kehu.core.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo organisation, users and each app's demo records once (kept on later runs)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not load_demo():
            self.stdout.write("users exist already: demo data left as it is")
            return
        # Each Kehu app may have a `demo` module with `load()`; apps in INSTALLED_APPS order.
        for config in apps.get_app_configs():
            if config.name.startswith("kehu.") and config.label != "core":
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError:
                    continue
                count = module.load()
                self.stdout.write(f"{config.label}: {count} demo records")
        self.stdout.write("demo data loaded")
        self.stdout.write(
            "demo users whose role needs a second factor use the TOTP key "
            f"{settings.KEHU_DEMO_TOTP_SECRET} (add it to an authenticator app)"
        )
