"""Kehu's settings with three changes for benchmarking (the worker selects this module).

* DEBUG off whatever KEHU_DEBUG says: with DEBUG on Django keeps every query in memory.
* Plain static files storage: the manifest storage of production needs `collectstatic` in
  every fresh data folder; `{% static %}` then costs a dict lookup instead of a string join.
* "testserver" is an allowed host for the Django test client used by the list-page benchmark.
"""

from kehu.settings import *  # noqa: F403
from kehu.settings import ALLOWED_HOSTS, STORAGES

DEBUG = False
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
