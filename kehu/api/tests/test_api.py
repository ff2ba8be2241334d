"""Token authentication, the OpenAPI schema and docs, the audit-event endpoint, paging."""

from __future__ import annotations

import io
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from kehu.api.models import ApiToken, hash_token
from kehu.api.services import create_token
from kehu.audit.models import AuditEvent
from kehu.audit.services import record
from kehu.core.demo import ROLE_GRANTS
from kehu.core.models import User

# The demo data is loaded once per module (see conftest.py); each test rolls back.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def token_for(user: User) -> Client:
    return bearer(create_token(user, "test")[1])


def test_token_command_prints_a_working_token(demo: dict[str, User]) -> None:
    out = io.StringIO()
    call_command("token", "create", "admin", "--name", "ci", stdout=out)
    raw = out.getvalue().split()[-1]
    assert raw.startswith("kh_")
    stored = ApiToken.objects.get()
    assert (stored.user.username, stored.name) == ("admin", "ci")
    assert stored.digest == hash_token(raw)
    assert raw not in (stored.digest, stored.prefix)  # only the hash is kept
    event = AuditEvent.objects.get(action="api.apitoken.create")
    assert event.extra["user"] == "admin" and event.extra["name"] == "ci"
    assert stored.expires_at is not None  # every token expires (the default lifetime)

    response = bearer(raw).get("/api/v1/units/")
    assert response.status_code == 200
    assert response.json()["count"] == 13  # the demo's units
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_token_command_for_an_unknown_user(db: None) -> None:
    with pytest.raises(CommandError):
        call_command("token", "create", "nobody", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer kh_wrong",
        "Bearer",
        "Bearer two words",
    ],
)
def test_invalid_tokens_are_401(demo: dict[str, User], header: str) -> None:
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/units/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_revoked_expired_and_locked_tokens_are_401(demo: dict[str, User]) -> None:
    token, raw = create_token(demo["admin"])
    client = bearer(raw)
    assert client.get("/api/v1/units/").status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert client.get("/api/v1/units/").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None, revoked_at=timezone.now())
    assert client.get("/api/v1/units/").status_code == 401

    token, raw = create_token(demo["auditor"])
    User.objects.filter(username="auditor").update(locked_at=timezone.now())
    assert bearer(raw).get("/api/v1/units/").status_code == 401
    User.objects.filter(username="auditor").update(locked_at=None, is_active=False)
    assert bearer(raw).get("/api/v1/units/").status_code == 401


def test_no_credentials_is_401(db: None) -> None:
    response = Client().get("/api/v1/units/")
    assert response.status_code == 401


def test_a_signed_in_session_works_too(client_for: Any) -> None:
    assert client_for("auditor").get("/api/v1/users/").status_code == 200


def test_writes_through_the_api_are_audited_as_the_token_user(demo: dict[str, User]) -> None:
    from kehu.core.models import OrgUnit

    grp = OrgUnit.objects.get(code="GRP")
    response = token_for(demo["admin"]).post(
        "/api/v1/units/",
        {"name": "华南公司", "code": "GZ", "kind": "subsidiary", "parent": grp.pk},
        content_type="application/json",
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.filter(action="core.orgunit.create").order_by("-seq")[0]
    assert (event.actor_id, event.actor_username) == (demo["admin"].pk, "admin")
    assert event.source_ip == "198.51.100.7"
    assert event.changes["code"] == [None, "GZ"]
    unit = OrgUnit.objects.get(code="GZ")
    assert unit.path == f"{grp.path}{unit.pk}/"


def test_api_validation_errors_are_400(demo: dict[str, User]) -> None:
    from kehu.core.models import OrgUnit

    sale = OrgUnit.objects.get(code="SALE")
    client = token_for(demo["admin"])
    count = OrgUnit.objects.count()
    missing = client.post("/api/v1/units/", {"name": "x"}, content_type="application/json")
    assert missing.status_code == 400
    assert "code" in missing.json()
    # Moving a unit under its own sub-unit is refused by the service, as on the page.
    child = client.post(
        "/api/v1/units/",
        {"name": "子部门", "code": "SALE-SUB", "kind": "department", "parent": sale.pk},
        content_type="application/json",
    )
    assert child.status_code == 201
    loop = client.put(
        f"/api/v1/units/{sale.pk}/",
        {
            "name": sale.name,
            "code": sale.code,
            "kind": sale.kind,
            "parent": child.json()["id"],
            "is_active": True,
            "note": "",
            "version": sale.version,
        },
        content_type="application/json",
    )
    assert loop.status_code == 400
    sale.refresh_from_db()
    assert sale.parent is not None and sale.parent.code == "BJ"
    assert OrgUnit.objects.count() == count + 1


# --- schema and docs -------------------------------------------------------------------


def test_schema_is_an_openapi_document(demo: dict[str, User]) -> None:
    response = token_for(demo["manager1"]).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Kehu API"
    paths = schema["paths"]
    for path in ("/api/v1/units/", "/api/v1/users/", "/api/v1/audit-events/"):
        assert path in paths
    assert "post" in paths["/api/v1/units/"]
    assert "post" not in paths["/api/v1/users/"]  # users are read-only over the API
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_schema_in_yaml_by_default(demo: dict[str, User]) -> None:
    response = token_for(demo["manager1"]).get("/api/v1/schema/")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")


def test_docs_use_only_local_assets(client_for: Any) -> None:
    client = client_for("manager1")
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)["\']', html)
    assert assets, "the docs page loads no assets?"
    # Its start-up script comes from the docs URL itself (no inline script, for the CSP).
    local = ("/static/", "/api/v1/docs/?script")
    for asset in assets:
        assert asset.startswith(local), asset
    assert not re.findall(r"https?://", html), "the docs page names another host"
    script = client.get("/api/v1/docs/", {"script": ""}).content.decode()
    assert re.search(r"/api/v1/schema/", script)


# --- audit events ----------------------------------------------------------------------


@pytest.mark.parametrize("username", ["auditor", "admin"])
def test_audit_events_readable_by_auditor_and_admin(demo: dict[str, User], username: str) -> None:
    response = token_for(demo[username]).get("/api/v1/audit-events/", {"size": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == AuditEvent.objects.count()
    seqs = [event["seq"] for event in body["results"]]
    newest = AuditEvent.objects.order_by("-seq")[0].seq
    assert newest is not None
    assert seqs == list(range(newest, newest - 5, -1))
    first = body["results"][0]
    stored = AuditEvent.objects.get(seq=first["seq"])
    assert first["hash"] == stored.hash
    assert first["action"] == stored.action


@pytest.mark.parametrize("username", ["manager1", "head_sale", "gm"])
def test_audit_events_forbidden_to_others(demo: dict[str, User], username: str) -> None:
    client = token_for(demo[username])
    assert client.get("/api/v1/audit-events/").status_code == 403
    assert client.get("/api/v1/audit-events/1/").status_code == 403


def test_audit_event_detail_and_filters(demo: dict[str, User]) -> None:
    client = token_for(demo["auditor"])
    detail = client.get("/api/v1/audit-events/3/")
    assert detail.status_code == 200
    assert detail.json()["seq"] == 3
    grants = client.get("/api/v1/audit-events/", {"action": "core.user.role_grant"}).json()
    assert grants["count"] == ROLE_GRANTS
    assert {e["action"] for e in grants["results"]} == {"core.user.role_grant"}
    system = client.get("/api/v1/audit-events/", {"user": "SYSTEM", "size": "500"}).json()
    assert system["count"] == AuditEvent.objects.filter(actor_username="system").count() > 0
    assert {e["actor_username"] for e in system["results"]} == {"system"}
    assert client.get("/api/v1/audit-events/", {"user": "nobody"}).json()["count"] == 0


def test_audit_events_cannot_be_written(demo: dict[str, User]) -> None:
    client = token_for(demo["admin"])
    count = AuditEvent.objects.count()
    assert client.post("/api/v1/audit-events/", {}).status_code == 405
    assert client.delete("/api/v1/audit-events/1/").status_code == 405
    assert AuditEvent.objects.count() == count


def follow(client: Client, link: str) -> dict[str, Any]:
    parts = urlsplit(link)
    assert parts.netloc == "testserver"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    response = client.get(parts.path, query)
    assert response.status_code == 200
    return dict(response.json())


def test_keyset_pagination_links(demo: dict[str, User]) -> None:
    for n in range(30):
        record("test.filler", extra={"n": n})
    client = token_for(demo["auditor"])
    total = AuditEvent.objects.count()
    first = client.get("/api/v1/audit-events/", {"size": "20", "action": "test.filler"}).json()
    assert first["count"] == 30
    assert first["previous"] is None
    assert "action=test.filler" in first["next"]

    second = follow(client, first["next"])
    assert second["next"] is None
    assert [e["extra"]["n"] for e in first["results"]] == list(range(29, 9, -1))
    assert [e["extra"]["n"] for e in second["results"]] == list(range(9, -1, -1))

    back = follow(client, second["previous"])
    assert back["results"] == first["results"]
    assert back["previous"] is None

    # Walk the whole log in pages of 7: every event once, newest first.
    seqs: list[int] = []
    page = client.get("/api/v1/audit-events/", {"size": 7}).json()
    while True:
        seqs += [e["seq"] for e in page["results"]]
        if not page["next"]:
            break
        page = follow(client, page["next"])
    assert seqs == list(range(total, 0, -1))
