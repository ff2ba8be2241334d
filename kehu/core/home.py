"""What the home page shows: each app contributes figures for the signed-in user, so that
core needs to know nothing about customers, filings or archives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (user) -> [(label, value, url)], registered by each app's AppConfig.ready()
StatsProvider = Callable[[Any], list[tuple[Any, int, str]]]
_PROVIDERS: list[StatsProvider] = []


def register_stats(provider: StatsProvider) -> StatsProvider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def stats_for(user: Any) -> list[tuple[Any, int, str]]:
    return [stat for provider in _PROVIDERS for stat in provider(user)]
