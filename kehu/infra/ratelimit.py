"""Counting a user's actions per time window in Django's cache (the database cache, shared
by every server): `admit` refuses the action once the window's allowance is spent."""

from __future__ import annotations

import math
import time

from django.core.cache import cache


class RateLimited(Exception):
    """The allowance of the window is spent; `wait` seconds until the next window."""

    def __init__(self, message: str, wait: int) -> None:
        super().__init__(message)
        self.wait = wait


def admit(key: str, limit: int, window: int, message: str) -> None:
    """Count one action under `key`; raise RateLimited(message) when it is the
    (limit + 1)th within `window` seconds of the window's first action. Two servers
    counting the same action at the same moment may each let one more through."""
    now = time.time()
    started, count = cache.get(key) or (now, 0)
    if now - started >= window:
        started, count = now, 0
    remaining = max(1, math.ceil(started + window - now))
    if count >= limit:
        raise RateLimited(message, remaining)
    cache.set(key, (started, count + 1), timeout=remaining)
