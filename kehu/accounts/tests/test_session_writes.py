"""Sessions are written when their data changes or when the idle timeout would move by more
than a minute — not on every page view (kehu.accounts.sessions)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.accounts.sessions import REFRESH_SECONDS
from kehu.core.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]


def stored(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def writes(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_a_page_view_writes_the_session_only_when_the_timeout_would_move(
    demo: dict[str, User],
) -> None:
    client = Client()
    client.force_login(demo["head_sale"])
    assert client.get("/").status_code == 200
    before = stored(client).expire_date
    assert writes(client, "/customers/") == []
    assert stored(client).expire_date == before

    # Older than REFRESH_SECONDS: the next view extends the idle timeout again.
    older = timezone.now() + datetime.timedelta(
        seconds=settings.SESSION_COOKIE_AGE - REFRESH_SECONDS - 5
    )
    Session.objects.filter(pk=stored(client).pk).update(expire_date=older)
    assert len(writes(client, "/customers/")) == 1
    remaining = (stored(client).expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 10 < remaining <= settings.SESSION_COOKIE_AGE


def test_changed_session_data_is_always_written(demo: dict[str, User]) -> None:
    client = Client()
    client.force_login(demo["head_sale"])
    client.get("/")
    session = client.session
    session["marker"] = "kept"
    session.save()
    assert stored(client).get_decoded()["marker"] == "kept"
