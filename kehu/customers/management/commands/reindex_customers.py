"""`kehu reindex_customers`: rebuild the customer search index from the search texts."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from kehu.customers.search import storage


class Command(BaseCommand):
    help = "Rebuild the n-gram index behind customer search."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count = storage.rebuild()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"indexed {count} customers in {elapsed:.1f} s")
