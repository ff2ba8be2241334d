"""The home page's dashboard panels in a browser: the charts draw with the ECharts Kehu
serves itself (no request leaves 127.0.0.1), a click on a bar opens the list behind it with
as many rows as the bar shows, and each chart's figures are there as a table too."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route

from tests.browser.helpers import sign_in_ok

pytestmark = pytest.mark.browser


def guarded(new_page: Callable[..., Page]) -> tuple[Page, list[str]]:
    """A page whose requests to anywhere but 127.0.0.1 are refused and noted."""
    page = new_page()
    outside: list[str] = []

    def block(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith("data:") or host == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", block)
    return page, outside


def test_charts_draw_from_local_echarts_and_open_their_lists(
    new_page: Callable[..., Page],
) -> None:
    page, outside = guarded(new_page)
    echarts: list[str] = []
    page.on("request", lambda r: echarts.append(r.url) if "echarts" in r.url else None)
    sign_in_ok(page, "head_sale")
    page.goto("/")
    chart = page.locator("#chart-customers-industry .chart-canvas[data-rendered=true]")
    chart.wait_for()
    assert page.locator("#chart-customers-industry svg").count() == 1
    assert echarts and all(urlsplit(url).hostname == "127.0.0.1" for url in echarts)
    assert page.locator("#dashboard-workflow").count() == 1
    assert page.locator("#dashboard-filing").count() == 1
    # The figures as a table, each linked to its list.
    first_row = page.locator("#chart-customers-industry .chart-table tbody tr").first
    label = first_row.locator("td").first.text_content()
    value = int(first_row.locator("td").last.text_content() or "")
    # A click on the first bar (its middle, from the chart's own coordinates), once every
    # panel has loaded: a panel arriving later would move the chart under the pointer.
    page.wait_for_load_state("networkidle")
    chart.scroll_into_view_if_needed()
    x, y = page.evaluate(
        """(id) => {
          const element = document.querySelector(`#${id} .chart-canvas`);
          const chart = echarts.getInstanceByDom(element);
          const data = chart.getOption().series[0].data;
          const top = chart.convertToPixel({ seriesIndex: 0 }, [0, data[0].value]);
          const bottom = chart.convertToPixel({ seriesIndex: 0 }, [0, 0]);
          const box = element.getBoundingClientRect();
          return [box.left + top[0], box.top + (top[1] + bottom[1]) / 2];
        }""",
        "chart-customers-industry",
    )
    with page.expect_navigation(timeout=30_000):
        page.mouse.click(x, y)
    assert "/customers/?" in page.url and "industry=" in page.url
    count = page.locator("#row-count").inner_text()
    assert re.search(rf"\b{value}\b", count), (label, value, count)
    assert outside == []


def test_the_general_manager_sees_what_waits_for_approval(new_page: Callable[..., Page]) -> None:
    page, outside = guarded(new_page)
    sign_in_ok(page, "gm")
    page.goto("/")
    waiting = page.locator("#chart-waiting-for-me")
    waiting.wait_for()
    assert waiting.locator(".chart-total").count() == 1
    # The header's bell shows how many notifications are unread, not a bare dot.
    badge = page.locator("#unread-count")
    if badge.count():
        assert badge.inner_text().strip().isdigit()
    assert outside == []
