"""Dashboard panels of the home page (RPT-1): each app declares the panels its roles need
with `register_panel` from its `ready`, so that core knows nothing of their figures. A panel
is a list of charts; every chart's figures come from aggregate queries within the policy's
scope, and each figure links to the list whose rows it counts (the list shows as many).

The home page loads each panel the user may see with htmx after it has shown; the panel's
template embeds each chart's figures as JSON (drawn by static/kehu/charts.js with the
vendored ECharts) and as a plain table (read by screen readers, copied out as numbers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Figure:
    label: str
    value: int | float  # a count, or an amount or average score (then without a list)
    url: str = ""  # the list whose rows this figure counts (empty: nothing to click)


@dataclass(frozen=True)
class Chart:
    key: str  # unique on the page: the element ids derive from it
    title: str
    figures: list[Figure]
    # "bar", "pie", "line" (a trend over time), or "numbers" (figures side by side, no chart)
    kind: str = "bar"
    # Columns of a table shown instead of a chart (a list of what waits, with its age).
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    columns: tuple[str, ...] = ()
    more_url: str = ""

    @property
    def total(self) -> int | float:
        return sum(f.value for f in self.figures)

    def data(self) -> dict[str, Any]:
        """What the chart script draws (json_script escapes it for the page)."""
        return {
            "kind": self.kind,
            "labels": [str(f.label) for f in self.figures],
            "values": [f.value for f in self.figures],
            "urls": [f.url for f in self.figures],
        }


@dataclass(frozen=True)
class Panel:
    slug: str
    title: Any
    visible: Callable[[Any], bool]  # cheap: only permission checks, no query of data
    build: Callable[[Any], list[Chart]]
    order: int = 50


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> Panel:
    _PANELS[panel.slug] = panel
    return panel


def panel(slug: str) -> Panel | None:
    return _PANELS.get(slug)


def panels_for(user: Any) -> list[Panel]:
    return sorted((p for p in _PANELS.values() if p.visible(user)), key=lambda p: p.order)


def figures(
    rows: Iterable[tuple[Any, int]],
    labels: dict[Any, Any] | Callable[[Any], Any],
    url: Callable[[Any], str] | None = None,
) -> list[Figure]:
    """Figures from (key, count) rows of a GROUP BY, labelled and linked per key; rows
    without a key (a blank industry) are left out, as no list filter selects them."""
    label_of = labels.get if isinstance(labels, dict) else labels
    return [
        Figure(str(label_of(key) or key), count, url(key) if url else "")
        for key, count in rows
        if key not in (None, "")
    ]
