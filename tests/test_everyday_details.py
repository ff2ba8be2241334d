"""Small things people meet every day: a list filter's empty choice reads 全部, the filings
list says what it shows by default, the case page's breadcrumb has its separator, the unread
count is white on red, the header names the user on every screen size, and passwords are
hashed with Argon2id at OWASP's parameters or more."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import get_hasher
from django.test import Client

from kehu.core.models import User
from kehu.core.notifications import notify
from kehu.filing import services
from kehu.filing.tests.conftest import ready_customer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]


def test_filter_dropdowns_offer_all_instead_of_dashes(client_for: Callable[[str], Client]) -> None:
    html = client_for("manager1").get("/customers/").content.decode()
    empty_options = re.findall(r'<option value=""[^>]*>([^<]*)</option>', html)
    assert empty_options and set(empty_options) == {"全部"}
    assert "---------" not in html


def test_the_filings_list_says_it_shows_only_those_under_way(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    services.open_filing(ready_customer(demo["manager1"]), by=demo["manager1"])
    page = client_for("manager1")
    html = page.get("/filings/").content.decode()
    assert 'id="filings-scope"' in html and "已批准、已驳回和已撤回的不在此列" in html
    assert 'href="?stage=all"' in html
    assert '<label class="form-label mb-0" for="stage-select">显示</label>' in html
    assert 'id="filings-scope"' not in page.get("/filings/?stage=all").content.decode()


def test_the_case_breadcrumb_is_one_trail(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    filing = services.open_filing(ready_customer(demo["manager1"]), by=demo["manager1"])
    html = client_for("manager1").get(f"/cases/{filing.case_id}/").content.decode()
    trail = re.search(r'<ol class="breadcrumb".*?</ol>', html, re.S)
    assert trail and "<ol" not in trail[0][3:]  # no list nested in the trail
    items = re.findall(r'<li class="breadcrumb-item[^"]*"[^>]*>(.*?)</li>', trail[0], re.S)
    texts = [re.sub(r"<[^>]+>", "", item).strip() for item in items]
    assert texts[:2] == ["首页", "事项"] and texts[2].startswith("BA-")


def test_header_shows_the_name_and_a_readable_unread_count(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    notify([demo["manager1"]], "测试通知")
    html = client_for("manager1").get("/").content.decode()
    badge = re.search(r'<span class="([^"]*)" id="unread-count">', html)
    assert badge and {"bg-red", "text-white"} <= set(badge[1].split())
    name = re.search(r'<div class="([^"]*)" id="user-name"[^>]*>([^<]*)</div>', html)
    assert name and name[2] == demo["manager1"].full_name
    assert "d-none" not in name[1]  # shown on a phone too
    wrapper = html[: name.start()].rsplit("<div", 1)[-1]
    assert "d-none" not in wrapper


def test_passwords_are_hashed_with_argon2id_at_owasp_parameters_or_more(
    settings: Any,
) -> None:
    from kehu import settings as kehu_settings

    settings.PASSWORD_HASHERS = kehu_settings.PASSWORD_HASHERS  # the tests use a fast one
    hasher = get_hasher()
    assert hasher.algorithm == "argon2"
    encoded = hasher.encode("Kehu-owasp-2026", hasher.salt())
    variety, _version, params, *_rest = encoded.split("$")[1:]
    values = dict(pair.split("=") for pair in params.split(","))
    assert variety == "argon2id"
    # OWASP: at least 19 MiB of memory, 2 passes, 1 lane (or more memory for fewer passes).
    assert int(values["m"]) >= 19 * 1024 and int(values["t"]) >= 2 and int(values["p"]) >= 1
    assert hasher.verify("Kehu-owasp-2026", encoded)
