"""Credit applications and the investigation report: only for active customers, sections
saved one by one, the sign-off needs every section, a grade of the scale and a
recommendation; account managers see the application but not the investigation notes."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kehu.core.models import Notification, User
from kehu.credit import applications
from kehu.credit.models import CreditAccount, CreditApplication
from kehu.customers.models import Customer
from kehu.customers.services import change_status

D = Decimal


@pytest.fixture
def active(demo: dict[str, User], make_customer: Callable[..., Customer]) -> Customer:
    customer = change_status(make_customer(), "in_filing", "备案", demo["gm"])
    return change_status(customer, "active", "备案通过", demo["gm"])


def apply(customer: Customer, by: User, **extra: object) -> CreditApplication:
    data = {"requested_limit": D("300000"), "payment_days": 60, "monthly_volume": D("50000"),
            "guarantees": "法人连带担保", "reason": "新签年度合同", **extra}  # fmt: skip
    return applications.application_create(customer, data, by=by)


@pytest.mark.django_db
def test_application_and_report(demo: dict[str, User], active: Customer) -> None:
    with pytest.raises(ValidationError) as refused:
        apply(active, demo["manager1"], requested_limit=D("-1"), reason="")
    assert {"requested_limit", "reason"} <= set(refused.value.message_dict)
    assert not CreditApplication.objects.exists()

    application = apply(active, demo["manager1"])
    assert Notification.objects.filter(user=demo["credit"]).exists()
    credit = demo["credit"]
    applications.section_save(application, "overview", "成立十年，主营电子元器件。", by=credit)
    with pytest.raises(ValidationError):
        applications.section_save(application, "overview", "  ", by=credit)
    with pytest.raises(ValidationError) as refused:
        applications.report_sign(
            application, rating="AA", recommended_limit=D("200000"), recommendation="同意",
            by=credit,
        )  # fmt: skip
    assert "Sections not written yet" in refused.value.messages[0]
    for key, _label in applications.SECTIONS:
        applications.section_save(application, key, f"{key} 已调查。", by=credit)
    with pytest.raises(ValidationError) as refused:
        applications.report_sign(
            application, rating="ZZ", recommended_limit=D("200000"), recommendation="", by=credit
        )
    assert {"rating", "recommendation"} <= set(refused.value.message_dict)
    signed = applications.report_sign(
        application, rating="AA", recommended_limit=D("200000"), recommendation="建议授信20万",
        by=credit,
    )  # fmt: skip
    assert signed.status == "reported" and CreditAccount.objects.get(customer=active).rating == "AA"
    with pytest.raises(ValidationError):
        applications.section_save(signed, "media", "改动", by=credit)


@pytest.mark.django_db
def test_inactive_customer_refused(
    demo: dict[str, User], make_customer: Callable[..., Customer]
) -> None:
    with pytest.raises(ValidationError, match="active customers"):
        apply(make_customer(), demo["manager1"])


@pytest.mark.django_db
def test_pages_hide_the_notes_from_account_managers(
    demo: dict[str, User], client_for: Callable[..., Client], active: Customer
) -> None:
    manager = client_for("manager1")
    done = manager.post(
        f"/credit/customers/{active.pk}/application/",
        {"requested_limit": "30万", "payment_days": "60", "reason": "新签年度合同"},
    )
    assert done.status_code == 302
    application = CreditApplication.objects.get()
    credit = client_for("credit")
    saved = credit.post(
        f"/credit/applications/{application.pk}/section/", {"key": "overview", "text": "秘密笔记"}
    )
    assert saved.status_code == 302
    page = credit.get(f"/credit/applications/{application.pk}/").content.decode()
    assert "秘密笔记" in page and 'id="sign-form"' in page
    mine = manager.get(f"/credit/applications/{application.pk}/").content.decode()
    assert "秘密笔记" not in mine and 'id="report-hidden"' in mine
    assert (
        manager.post(
            f"/credit/applications/{application.pk}/section/", {"key": "overview", "text": "x"}
        ).status_code
        == 403
    )
    assert client_for("manager4").get(f"/credit/applications/{application.pk}/").status_code == 404
    refused = credit.post(f"/credit/applications/{application.pk}/sign/", {"rating": "AA"})
    assert refused.status_code == 400
