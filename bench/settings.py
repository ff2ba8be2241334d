"""Kehu's settings with three changes for benchmarking (the worker selects this module).

* DEBUG off whatever KEHU_DEBUG says: with DEBUG on Django keeps every query in memory.
* Plain static files storage: the manifest storage of production needs `collectstatic` in
  every fresh data folder; `{% static %}` then costs a dict lookup instead of a string join.
* "testserver" is an allowed host for the Django test client used by the list-page benchmark.
* A fixed audit chain key when none is given (PostgreSQL refuses to seal without one).
"""

from kehu.settings import *  # noqa: F403
from kehu.settings import ALLOWED_HOSTS, KEHU_AUDIT_KEY, STORAGES

DEBUG = False
KEHU_AUDIT_KEY = KEHU_AUDIT_KEY or "kehu-bench-audit-key-0123456789abcdef"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
