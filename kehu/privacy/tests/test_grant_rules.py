"""The rules every access grant keeps (SEC-1), tried as an attacker would: the general
manager grants himself reveal, change and profile on a customer for ten years. Nobody grants
to themselves, nobody grants an action their own roles do not hold, no grant runs longer
than the administrator's maximum; and the auditor reviews every grant (page, export, API)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.core import grants as core_grants
from kehu.core.models import AccessGrant, AccessLimits, User
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db


def until(days: float) -> str:
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def customer(make_org: Callable[..., Customer]) -> Customer:
    return make_org("manager1")


def grant_url(customer: Customer) -> str:
    return f"/customers/{customer.pk}/grants/new/"


def test_nobody_grants_to_themselves(
    customer: Customer, demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    gm = demo["gm"]
    response = client_for("gm").post(
        grant_url(customer), {"user": gm.pk, "until": until(2), "reason": "自查"}
    )
    assert response.status_code == 400 and not AccessGrant.objects.exists()
    with pytest.raises(ValidationError):
        core_grants.grant_access(
            user=gm, obj=customer, until=timezone.now() + datetime.timedelta(days=1),
            by=gm, reason="自查",
        )  # fmt: skip
    assert not AccessGrant.objects.exists()


def test_nobody_grants_an_action_their_roles_do_not_hold(
    customer: Customer, demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    """The general manager reads the customer but may neither edit nor reveal it, nor open a
    contact's extended profile: he cannot hand these out either (to himself or anyone)."""
    gm = client_for("gm")
    for action in ("reveal", "change", "profile"):
        response = gm.post(
            grant_url(customer),
            {"user": demo["credit"].pk, "until": until(2), "actions": [action], "reason": "x"},
        )
        assert response.status_code == 400, action
    assert not AccessGrant.objects.exists()
    # Viewing he holds, so that he may grant; and the form offers only what he holds.
    form = gm.get(grant_url(customer)).content.decode()
    assert 'value="reveal"' not in form and 'value="change"' not in form
    view_only = {"user": demo["credit"].pk, "until": until(2), "reason": "x"}
    done = gm.post(grant_url(customer), view_only)
    assert done.status_code == 302
    assert AccessGrant.objects.get().actions == ["view"]


def test_no_grant_runs_longer_than_the_administrators_maximum(
    customer: Customer, demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    head = client_for("head_sale")
    body = {"user": demo["manager4"].pk, "reason": "代管", "actions": ["change"]}
    ten_years = head.post(grant_url(customer), {**body, "until": until(3650)})
    assert ten_years.status_code == 400
    assert head.post(grant_url(customer), {**body, "until": until(31)}).status_code == 400
    assert not AccessGrant.objects.exists()
    assert head.post(grant_url(customer), {**body, "until": until(29)}).status_code == 302

    # The administrator shortens the maximum (audited); it applies at once.
    saved = client_for("admin").post("/access-limits/", {"grant_max_days": 7, "token_max_days": 90})
    assert saved.status_code == 302 and AccessLimits.current().grant_max_days == 7
    assert AuditEvent.objects.filter(action="core.accesslimits.update").exists()
    assert head.post(grant_url(customer), {**body, "until": until(8)}).status_code == 400
    assert AccessGrant.objects.count() == 1
    assert client_for("head_sale").get("/access-limits/").status_code == 403
    zero = {"grant_max_days": 0, "token_max_days": 9}
    refused = client_for("admin").post("/access-limits/", zero)
    assert refused.status_code == 400 and AccessLimits.current().grant_max_days == 7


def test_the_auditor_reviews_every_grant(
    customer: Customer,
    demo: dict[str, User],
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:
    core_grants.grant_access(
        user=demo["manager4"], obj=customer, until=timezone.now() + datetime.timedelta(days=3),
        by=demo["head_sale"], reason="协助催收",
    )  # fmt: skip
    revoked = core_grants.grant_access(
        user=demo["credit"], obj=customer, until=timezone.now() + datetime.timedelta(days=3),
        by=demo["head_sale"], reason="核对授信",
    )  # fmt: skip
    core_grants.revoke_access(revoked, by=demo["head_sale"], reason="完成")

    auditor = client_for("auditor")
    page = auditor.get("/privacy/grant-register/").content.decode()
    assert "协助催收" in page and "核对授信" in page
    running = auditor.get("/privacy/grant-register/", {"state": "running"}).content.decode()
    assert "协助催收" in running and "核对授信" not in running
    by_user = auditor.get("/privacy/grant-register/", {"user": "credit"}).content.decode()
    assert "核对授信" in by_user and "协助催收" not in by_user

    export = auditor.get("/privacy/grant-register/export.xlsx", {"state": "revoked"})
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "核对授信" in cells and "协助催收" not in cells
    assert AuditEvent.objects.filter(action="core.accessgrant.export").exists()

    listed = api_for("auditor").get("/api/v1/access-grants/", {"state": "running"}).json()
    assert [row["reason"] for row in listed["results"]] == ["协助催收"]
    assert listed["results"][0]["granted_by"] == "head_sale"

    # Read-only, and for the reviewer only.
    assert api_for("auditor").post("/api/v1/access-grants/", {}).status_code in (403, 405)
    for name in ("head_sale", "gm", "admin", "manager1"):
        assert client_for(name).get("/privacy/grant-register/").status_code == 403, name
        assert api_for(name).get("/api/v1/access-grants/").status_code == 403, name
