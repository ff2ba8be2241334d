"""Retention per sensitivity tier: the daily job blanks a person's values of a tier kept for
fewer years than the whole person, writes the ledger and the audit event with it, does it
once, does it again after a restore, and leaves customers whose archive is kept alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from kehu.archives import services as archives
from kehu.archives.services import default_category
from kehu.audit.context import SYSTEM, acting_as
from kehu.audit.models import AuditEvent
from kehu.core.models import User
from kehu.customers import services
from kehu.customers.models import BankAccount, Contact, Customer
from kehu.privacy import retention
from kehu.privacy.models import DeletionLedger, Restriction, RetentionSettings, SensitivityTiers
from kehu.privacy.tests.test_retention import end_relationship
from tests.record_type_samples import accepted_for_filing

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_core_years() -> None:
    """Core values kept one year, everything else (and the whole person) three."""
    RetentionSettings.objects.update_or_create(
        pk=1, defaults={"individual_years": 3, "contact_years": 3}
    )
    SensitivityTiers.objects.update_or_create(
        pk=1, defaults={"core_years": 1, "important_years": 3, "general_years": 3}
    )


def add_account(customer: Customer) -> BankAccount:
    return services.create_bank_account(
        {
            "customer": customer,
            "account_name": customer.name,
            "bank_name": "中国银行",
            "account_number": "6222000099990000",
        }
    )


def test_core_values_go_when_their_tier_ends_the_rest_stays(
    make_person: Callable[..., Customer], demo: dict[str, User], short_core_years: None
) -> None:
    ended, recent = make_person(), make_person()
    account = add_account(ended)
    end_relationship(ended, demo["head_sale"], 2)
    end_relationship(recent, demo["head_sale"], 0)

    report = retention.run()

    assert report.as_dict()["tier_expired"] == 1 and report.customers == []
    found = Customer.objects.get(pk=ended.pk)
    assert found.id_number == "" and found.id_number_digest is None
    assert BankAccount.objects.get(pk=account.pk).account_number == ""
    assert found.name == ended.name and found.phone == ended.phone
    assert found.birth_date == ended.birth_date
    assert Customer.objects.get(pk=recent.pk).id_number == recent.id_number
    entry = DeletionLedger.objects.get(subject_id=str(ended.pk))
    assert entry.action == "tier_expired"
    assert entry.fields == ["id_number", f"bank_accounts.{account.pk}.account_number"]
    event = AuditEvent.objects.get(action="privacy.subject.tier_expired")
    assert event.object_id == str(ended.pk) and event.extra["tier"] == "core"
    assert AuditEvent.objects.get(action="privacy.retention.run").extra["tier_expired"] == 1


def test_the_blanking_its_ledger_entry_and_its_event_commit_together(
    make_person: Callable[..., Customer],
    demo: dict[str, User],
    short_core_years: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ended = make_person()
    end_relationship(ended, demo["head_sale"], 2)

    def audit_fails(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("kehu.privacy.tier_retention.record", audit_fails)
    with pytest.raises(RuntimeError):
        retention.run()
    assert Customer.objects.get(pk=ended.pk).id_number == ended.id_number
    assert not DeletionLedger.objects.exists()


def test_a_second_run_changes_nothing(
    make_person: Callable[..., Customer], demo: dict[str, User], short_core_years: None
) -> None:
    ended = make_person()
    end_relationship(ended, demo["head_sale"], 2)
    retention.run()
    version = Customer.objects.get(pk=ended.pk).version

    assert retention.run().as_dict()["tier_expired"] == 0
    assert DeletionLedger.objects.count() == 1
    assert AuditEvent.objects.filter(action="privacy.subject.tier_expired").count() == 1
    assert Customer.objects.get(pk=ended.pk).version == version


def test_a_restore_gets_the_values_blanked_again(
    make_person: Callable[..., Customer], demo: dict[str, User], short_core_years: None
) -> None:
    ended = make_person()
    account = add_account(ended)
    end_relationship(ended, demo["head_sale"], 2)
    retention.run()
    # A backup from before the job is restored: the values are back, the ledger is kept.
    Customer.objects.filter(pk=ended.pk).update(id_number=ended.id_number)
    BankAccount.objects.filter(pk=account.pk).update(account_number="6222000099990000")
    assert Customer.objects.get(pk=ended.pk).id_number == ended.id_number

    call_command("privacy_reapply")

    found = Customer.objects.get(pk=ended.pk)
    assert found.id_number == "" and found.phone == ended.phone
    assert BankAccount.objects.get(pk=account.pk).account_number == ""
    call_command("privacy_reapply")  # nothing left to do: nothing changes
    assert Customer.objects.get(pk=ended.pk).version == found.version


def test_important_values_of_contacts_go_with_their_tier(
    make_org: Callable[..., Customer], demo: dict[str, User]
) -> None:
    RetentionSettings.objects.update_or_create(
        pk=1, defaults={"individual_years": 3, "contact_years": 3}
    )
    SensitivityTiers.objects.update_or_create(
        pk=1, defaults={"core_years": 3, "important_years": 1, "general_years": 3}
    )
    org = make_org()
    contact = services.create_contact({"customer": org, "name": "王芳", "mobile": "13911112222"})
    end_relationship(org, demo["head_sale"], 2)

    retention.run()

    found = Contact.objects.get(pk=contact.pk)
    assert found.mobile == "" and found.name == "王芳"
    assert DeletionLedger.objects.get(subject_id=str(contact.pk)).fields == ["mobile"]


def test_a_customer_whose_archive_is_kept_is_left_to_the_archive_rule(
    make_person: Callable[..., Customer], demo: dict[str, User], short_core_years: None
) -> None:
    person = make_person()
    with acting_as(SYSTEM):
        dossier = archives.open_dossier(person)
        archives.file_item(
            {
                "dossier": accepted_for_filing(dossier),
                "category": default_category(),
                "title": "合同",
            }
        )
    end_relationship(person, demo["head_sale"], 2)

    assert retention.run().as_dict()["tier_expired"] == 0
    assert Customer.objects.get(pk=person.pk).id_number == person.id_number
    assert not DeletionLedger.objects.exists()
    assert not Restriction.objects.filter(customer=person).exists()


def test_the_tiers_page_says_what_the_job_does(client_for: Callable[[str], Any]) -> None:
    page = client_for("admin").get("/privacy/tiers/").content.decode()
    assert "每日的保留期任务即清除该人员的重要资料和核心资料" in page
    assert "仍按“个人信息保留期”页面执行" not in page
