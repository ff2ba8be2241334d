"""The demo data: loaded once, kept on later runs. Tests start from an empty
database here, so this module does not use the shared `demo_module` data."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from kehu.audit.models import AuditEvent
from kehu.audit.selectors import verify_chain
from kehu.core import services
from kehu.core.demo import ROLE_GRANTS, UNITS, USERS, load_demo
from kehu.core.models import ArchivistCertification, OrgUnit, RoleAssignment, User
from kehu.customers.models import Customer, CustomerStatus
from kehu.filing.selectors import open_filing_of

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int, int]:
    return (
        OrgUnit.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        ArchivistCertification.objects.count(),
        AuditEvent.objects.count(),
    )


def test_demo_load_is_idempotent(db: None) -> None:
    assert load_demo() is True
    first = counts()
    assert first[:4] == (len(UNITS), len(USERS), ROLE_GRANTS, 1)
    assert load_demo() is False
    assert counts() == first
    out = io.StringIO()
    with translation.override("en"):
        call_command("seed_demo", stdout=out)
    assert "exist" in out.getvalue()
    assert counts() == first


def test_seed_demo_loads_into_an_empty_database(db: None) -> None:
    out = io.StringIO()
    with translation.override("en"):
        call_command("seed_demo", stdout=out)
    assert "loaded" in out.getvalue()
    assert User.objects.count() == len(USERS)
    archivist = User.objects.get(username="archivist")
    assert services.valid_certification(archivist)
    # A customer in filing has its filing under way (the register and the filing queue agree).
    in_filing = Customer.objects.filter(status=CustomerStatus.IN_FILING)
    assert in_filing.exists()
    assert all(open_filing_of(customer) is not None for customer in in_filing)


def test_empty_chain_verifies() -> None:
    assert not AuditEvent.objects.exists()
    out = io.StringIO()
    with translation.override("en"):
        call_command("audit", "verify", stdout=out)
    assert "0 events" in out.getvalue()
    load_demo()
    assert verify_chain().ok
