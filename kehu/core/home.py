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


# URL names of panels the home page loads after it has shown (each app's AppConfig.ready()).
_LAZY_PANELS: list[str] = []


def register_lazy_panel(url_name: str) -> None:
    """A panel the home page fetches once it is shown, so that a slower panel never delays it."""
    if url_name not in _LAZY_PANELS:
        _LAZY_PANELS.append(url_name)


def lazy_panels() -> list[str]:
    return list(_LAZY_PANELS)
