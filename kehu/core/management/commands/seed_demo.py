from typing import Any

from django.core.management.base import BaseCommand

from kehu.core.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo organisation and users once (kept on later runs)."

    def handle(self, *args: Any, **options: Any) -> None:
        if load_demo():
            self.stdout.write("demo data loaded")
        else:
            self.stdout.write("users exist already: demo data left as it is")
