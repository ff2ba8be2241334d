"""UX-1: Simplified Chinese by default, whatever the browser asks; English on request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Response

from tests.browser.helpers import html_lang, sign_in_ok

pytestmark = pytest.mark.browser


def content_language(response: Response | None) -> str | None:
    assert response is not None
    return response.headers.get("content-language")


def choose_in_header(page: Page, language: str) -> Response | None:
    """Pick a language in the header's <select> (it submits its form on change)."""
    with page.expect_navigation() as navigation:
        page.select_option("#language-form select[name=language]", language)
    return navigation.value


def test_language_switch_on_sign_in_page_and_in_the_header(
    new_page: Callable[..., Page],
) -> None:
    page = new_page(locale="en-US")  # an English browser on a Chinese intranet
    response = page.goto("/accounts/login/")
    assert html_lang(page) == "zh-hans"
    assert content_language(response) == "zh-hans"

    # The sign-in page offers one button per language.
    with page.expect_navigation() as navigation:
        page.click("#language-form button[name=language][value=en]")
    assert html_lang(page) == "en"
    assert content_language(navigation.value) == "en"
    assert "/accounts/login/" in page.url
    with page.expect_navigation():
        page.click("#language-form button[name=language][value=zh-hans]")
    assert html_lang(page) == "zh-hans"

    sign_in_ok(page, "manager1")
    assert html_lang(page) == "zh-hans"
    assert page.input_value("#language-form select[name=language]") == "zh-hans"

    response = choose_in_header(page, "en")
    assert html_lang(page) == "en"
    assert content_language(response) == "en"
    assert page.url.endswith("/")  # back on the page where the language was chosen
    assert page.input_value("#language-form select[name=language]") == "en"

    # The choice sticks for the next pages.
    response = page.goto("/accounts/password/")
    assert html_lang(page) == "en"
    assert content_language(response) == "en"

    response = choose_in_header(page, "zh-hans")
    assert html_lang(page) == "zh-hans"
    assert content_language(response) == "zh-hans"
    assert page.url.endswith("/accounts/password/")
    response = page.reload()
    assert html_lang(page) == "zh-hans"
