"""A finished step's or case's outcome reads as a label in the reader's language, for every
outcome of every registered process; the case list, the case page and My tasks show it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation

from kehu.core.models import User
from kehu.filing import services
from kehu.filing.tests.conftest import ready_customer
from kehu.filing.tests.test_process import review, step
from kehu.workflow import definitions

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_outcome_of_every_process_has_a_chinese_label() -> None:
    outcomes = {
        (process.key, outcome)
        for process in definitions.all_processes()
        # Processes that other tests define for themselves are not the product's.
        if ".tests." not in type(process).__module__ and not process.key.startswith("tests.")
        for spec in process.steps.values()
        for outcome in spec.outcomes
    }
    assert len(outcomes) > 10
    with translation.override("zh-hans"):
        unlabelled = [
            (key, outcome)
            for key, outcome in sorted(outcomes)
            if not HAN.search(definitions.outcome_label(key, outcome))
        ]
    assert unlabelled == []


def test_a_process_names_its_own_outcomes() -> None:
    with translation.override("zh-hans"):
        assert definitions.outcome_label("filing", "returned") == "已退回修改"
        assert definitions.outcome_label("archives.borrow", "returned") == "已归还入库"
        assert definitions.outcome_label("privacy.subject_request", "done") == "已办理"
        assert definitions.outcome_label("no.such.process", "approved") == "已批准"
        assert definitions.outcome_label("filing", "something_new") == "something_new"


@pytest.mark.django_db
def test_pages_show_the_labels_not_the_codes(
    demo: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    manager = demo["manager1"]
    filing = services.open_filing(ready_customer(manager), by=manager)
    services.complete_collection(filing, step(filing, "collect"), by=manager)
    review(filing, "initial_review", manager)
    assert filing.case_id is not None
    page = client_for("manager1")
    for url in (f"/cases/{filing.case_id}/", "/tasks/", f"/filings/{filing.pk}/"):
        html = page.get(url).content.decode()
        text = re.sub(r"<[^>]+>", " ", html)
        assert "资料收集完毕" in text and "通过" in text, url
        assert not re.search(r"\b(complete|passed)\b", text), url
