"""Where the apps' API endpoints are declared to the API's routes (kehu/api/urls.py): an app
registers its `api` module, and any model viewset of its own, from its apps.py `ready()`.
Modules are named by dotted path and imported when the URLs are loaded, as Django's
`include()` does."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Viewset:
    prefix: str
    path: str  # dotted path of the viewset class
    basename: str


_endpoint_modules: list[str] = []
_viewsets: list[Viewset] = []


def register_endpoints(module: str) -> None:
    """Serve the `urlpatterns` of `module` (dotted path) under /api/v1/."""
    if module not in _endpoint_modules:
        _endpoint_modules.append(module)


def register_viewset(prefix: str, path: str, *, basename: str) -> None:
    """Route the model viewset at dotted `path` under /api/v1/<prefix>/."""
    viewset = Viewset(prefix, path, basename)
    if viewset not in _viewsets:
        _viewsets.append(viewset)


def endpoint_modules() -> list[str]:
    return list(_endpoint_modules)


def viewsets() -> list[Viewset]:
    return list(_viewsets)
