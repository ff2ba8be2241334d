"""Per-process caches of shared settings that every page reads (the security policy, the
classification dimensions, the departments and account managers a scope offers as filters).

A cache is rebuilt after a row of one of its models is saved or deleted in this process (and
again when that transaction commits, so a read between the change and the commit is not
kept), and at the latest `ttl` seconds after it was built: a change made by another process,
or a read of a change that was then rolled back, lasts no longer than that. Use it only for
data whose short delay in other processes is harmless; permissions themselves (roles,
grants) are read on every request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

DEFAULT_TTL = 10.0
_all: list[ConfigCache[Any]] = []


class ConfigCache[T]:
    def __init__(self, load: Callable[..., T], models: tuple[type[Model], ...], ttl: float) -> None:
        self.load = load
        self.ttl = ttl
        self._values: dict[Hashable, tuple[float, T]] = {}
        self._lock = threading.Lock()
        for model in models:
            uid = f"configcache:{id(self)}:{model._meta.label}"
            post_save.connect(self._changed, sender=model, dispatch_uid=uid, weak=False)
            post_delete.connect(self._changed, sender=model, dispatch_uid=uid, weak=False)
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    self._changed, sender=field.remote_field.through, dispatch_uid=uid, weak=False
                )
        _all.append(self)

    def __call__(self, *key: Hashable) -> T:
        now = time.monotonic()
        cached = self._values.get(key)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        value = self.load(*key)
        with self._lock:
            self._values[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def _changed(self, **kwargs: Any) -> None:
        self.clear()
        transaction.on_commit(self.clear, robust=True)


def config_cache[T](
    *models: type[Model], ttl: float = DEFAULT_TTL
) -> Callable[[Callable[..., T]], ConfigCache[T]]:
    """Decorate a loader of settings derived from `models`; its arguments (hashable) key the
    cache. The result is shared by every caller, so it must not be mutated."""

    def wrap(load: Callable[..., T]) -> ConfigCache[T]:
        return ConfigCache(load, models, ttl)

    return wrap


def clear_all() -> None:
    """Forget every cached setting (tests roll back what the caches may have read)."""
    for cache in _all:
        cache.clear()
