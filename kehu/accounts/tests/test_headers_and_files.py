"""Content-Security-Policy, no-store for signed-in responses, private data files, and the API
schema only for signed-in users."""

from __future__ import annotations

import os
import runpy
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kehu.core.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]


def policy_of(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


@pytest.mark.parametrize("url", ["/accounts/login/", "/", "/customers/", "/users/"])
def test_html_pages_carry_a_content_security_policy(
    client_for: Callable[[str], Client], url: str
) -> None:
    client = Client() if url.startswith("/accounts/") else client_for("head_sale")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    # Scripts from Kehu itself only (a nonce is added when a page uses one).
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # No inline event handler or inline script that the policy would block.
    html = response.content.decode()
    assert " onchange=" not in html and " onclick=" not in html
    assert "<script>" not in html


def test_signed_in_pages_and_api_are_not_stored(
    client_for: Callable[[str], Client], api_for: Callable[[str], Client], demo: dict[str, User]
) -> None:
    page = client_for("manager1").get("/customers/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    api = api_for("manager1").get("/api/v1/customers/")
    assert api.status_code == 200
    assert "no-store" in api["Cache-Control"]
    session_api = client_for("manager1").get("/api/v1/customers/")
    assert "no-store" in session_api["Cache-Control"]


def test_schema_and_api_docs_need_sign_in(client_for: Callable[[str], Client]) -> None:
    for url in ("/api/v1/schema/", "/api/v1/schema/?format=json", "/api/v1/docs/"):
        response = Client().get(url)
        assert response.status_code in {401, 403}, url
        assert b"/api/v1/customers/" not in response.content
    signed_in = client_for("manager1")
    assert signed_in.get("/api/v1/schema/").status_code == 200
    docs = signed_in.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"<script>" not in docs.content  # its start-up script is a file the CSP allows


def test_a_new_data_folder_and_database_are_private(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in list(os.environ):
        if name.startswith("KEHU_"):
            monkeypatch.delenv(name)
    data_dir = tmp_path / "new" / "data"
    monkeypatch.setenv("KEHU_DATA_DIR", str(data_dir))
    previous = os.umask(0o022)  # the usual umask, under which files come out 0644
    try:
        loaded = runpy.run_path(str(Path(settings.BASE_DIR) / "settings.py"))
    finally:
        os.umask(previous)
    database = Path(loaded["DATABASES"]["default"]["NAME"])
    assert database.parent == data_dir
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    for key_file in ("secret_key", "lookup_key", "file_key", "field_key"):
        assert stat.S_IMODE((data_dir / key_file).stat().st_mode) == 0o600


def test_an_existing_data_folder_and_database_are_tightened_on_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A folder and database made before (or copied in by hand) as 0755 and 0644."""
    for name in list(os.environ):
        if name.startswith("KEHU_"):
            monkeypatch.delenv(name)
    data_dir = tmp_path / "old"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    database = data_dir / "kehu.sqlite3"
    for path in (database, data_dir / "kehu.sqlite3-wal"):
        path.write_bytes(b"")
        path.chmod(0o644)
    monkeypatch.setenv("KEHU_DATA_DIR", str(data_dir))
    runpy.run_path(str(Path(settings.BASE_DIR) / "settings.py"))
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE((data_dir / "kehu.sqlite3-wal").stat().st_mode) == 0o600
