"""Comments on a case: never by the read-only auditor, never on a closed case."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kehu.core.models import User
from kehu.customers.models import CustomerKind
from kehu.customers.services import create_customer
from kehu.workflow import services
from kehu.workflow.models import Case, Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(demo: dict[str, User]) -> Case:
    manager = demo["manager1"]
    customer = create_customer(
        {
            "kind": CustomerKind.ORGANIZATION,
            "name": "成都评论测试有限公司",
            "owner": manager,
            "unit": manager.unit,
        }
    )
    return services.open_case("workflow.approval", customer, unit=customer.unit, by=manager)


def test_the_auditor_cannot_comment(case: Case, client_for: Callable[[str], Client]) -> None:
    auditor = client_for("auditor")
    answer = auditor.post(f"/cases/{case.pk}/comment/", {"text": "审计意见"})
    assert answer.status_code == 403
    assert not Comment.objects.exists()
    page = auditor.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/cases/{case.pk}/comment/"' not in page and 'id="comment-refusal"' in page


def test_a_closed_case_takes_no_comment_from_anyone(
    demo: dict[str, User], case: Case, client_for: Callable[[str], Client]
) -> None:
    manager = client_for("manager1")
    assert manager.post(f"/cases/{case.pk}/comment/", {"text": "请尽快"}).status_code == 302
    services.cancel_case(case, by=demo["manager1"], reason="客户撤回")
    for name in ("manager1", "head_sale", "gm"):
        client = client_for(name)
        assert client.post(f"/cases/{case.pk}/comment/", {"text": "补充"}).status_code == 403
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert f'action="/cases/{case.pk}/comment/"' not in page
    with pytest.raises(services.WorkflowError):
        services.add_comment(case, by=demo["head_sale"], text="补充")
    assert Comment.objects.count() == 1
