"""No ordering of business row locks can deadlock with the audit chain (PostgreSQL).

The two pairs that deadlocked when every audited write locked the chain head in the middle
of its transaction are replayed in the order that deadlocked, with the real services; then
several threads (each with its own connection) run a random mix of the services for a
bounded time. Every business change must keep its event and the chain must verify.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, transaction

from kehu.archives import loans
from kehu.archives.models import Dossier
from kehu.audit.context import Actor, acting_as
from kehu.audit.models import AuditEvent, ChainHead
from kehu.audit.sealing import seal_pending
from kehu.audit.selectors import verify_chain
from kehu.core.models import User
from kehu.customers import services as customer_services
from kehu.customers.models import Customer
from kehu.documents import samples
from kehu.documents import services as document_services
from kehu.documents.models import DocumentType
from kehu.filing import services as filing_services
from kehu.filing.models import Filing
from kehu.filing.tests.conftest import make_customer, ready_customer
from kehu.filing.tests.test_process import review, step
from kehu.workflow.models import Step

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT_LIMIT = 60  # seconds; only a hung test reaches it


@pytest.fixture(autouse=True)
def _postgresql_only(migration_seeds: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); run with KEHU_DATABASE_URL=postgres://…")


class Worker(threading.Thread):
    """Runs `work` on its own database connection; keeps its backend pid and its error."""

    def __init__(self, work: Callable[[Worker], Any]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.pid = 0
        self.started_work = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.started_work.set()
            with acting_as(Actor(None, self.name, "127.0.0.1")):
                self.work(self)
        except BaseException as error:
            self.error = error
        finally:
            connection.close()


def wait_until_blocked_or_done(other: Worker) -> None:
    """Wait (on this thread's connection) until `other` waits for a lock or has finished."""
    other.started_work.wait(WAIT_LIMIT)
    deadline = time.monotonic() + WAIT_LIMIT
    while other.is_alive():
        with connection.cursor() as cursor:
            cursor.execute("SELECT cardinality(pg_blocking_pids(%s))", [other.pid])
            if cursor.fetchone()[0]:
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{other.name} neither blocked nor finished")
        time.sleep(0.02)


def run_pair(first: Worker, second: Worker) -> None:
    first.start()
    second.start()
    for worker in (first, second):
        worker.join(WAIT_LIMIT * 2)
        assert not worker.is_alive(), f"{worker.name} hung"
    errors = [w.error for w in (first, second) if w.error is not None]
    assert not errors, errors


def assert_chain_complete() -> None:
    """After the writers' after-commit sealing nothing is left unsealed, the chain verifies
    and ends at the head row."""
    assert seal_pending() == 0
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    result = verify_chain()
    assert result.ok, result.problem
    assert result.count == AuditEvent.objects.count()
    assert result.head_seq == ChainHead.objects.get(pk=1).seq


def filing_at_last_approval(demo: dict[str, User]) -> tuple[Filing, Step]:
    manager = demo["manager1"]
    filing = filing_services.open_filing(ready_customer(manager), by=manager)
    filing_services.complete_collection(filing, step(filing, "collect"), by=manager)
    review(filing, "initial_review", manager)
    review(filing, "second_review", demo["compliance"])
    filing_services.filing_step_decide(
        filing, step(filing, "approve"), by=demo["head_sale"], outcome="approved"
    )
    last = step(filing, "approve")
    assert last.assignee_role == "general_manager"
    return filing, last


def events(action: str, obj: Any) -> int:
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).count()


def test_last_approval_against_an_edit_of_the_same_customer(demo: dict[str, User]) -> None:
    """The approval locks the step, appends its event, then (activating the customer) locks
    the customer; the edit locks the customer, then appends its event."""
    filing, last = filing_at_last_approval(demo)
    customer = filing.customer
    editor_has_the_customer = threading.Event()

    def approve(me: Worker) -> None:
        assert editor_has_the_customer.wait(WAIT_LIMIT)
        filing_services.filing_step_decide(filing, last, by=demo["gm"], outcome="approved")

    def edit(me: Worker) -> None:
        with transaction.atomic():
            Customer.objects.select_for_update().get(pk=customer.pk)
            editor_has_the_customer.set()
            wait_until_blocked_or_done(approver)
            current = Customer.objects.get(pk=customer.pk)
            customer_services.update_customer(current, {"phone": "010-88886666"}, None)

    approver = Worker(approve)
    run_pair(approver, Worker(edit))
    customer.refresh_from_db()
    assert (customer.status, customer.phone) == ("active", "010-88886666")
    assert events("customers.customer.update", customer) == 1
    assert events("customers.customer.status", customer) == 2  # in filing, active
    assert events("workflow.step.complete", filing.case) >= 5
    assert_chain_complete()


def test_new_customer_and_filing_against_opening_a_filing(demo: dict[str, User]) -> None:
    """ "New customer + filing" appends the customer's event, then takes the filing number;
    opening a filing for an existing prospect takes the number, then appends its event."""
    manager = demo["manager1"]
    prospect = make_customer(manager)
    newcomer_has_appended = threading.Event()

    def new_customer_and_filing(me: Worker) -> None:
        with transaction.atomic():  # as filing.services.create_and_open, paused in between
            customer = make_customer(manager)
            newcomer_has_appended.set()
            wait_until_blocked_or_done(opener)
            filing_services.open_filing(customer, by=manager)

    def open_existing(me: Worker) -> None:
        assert newcomer_has_appended.wait(WAIT_LIMIT)
        filing_services.open_filing(prospect, by=manager)

    opener = Worker(open_existing)
    run_pair(Worker(new_customer_and_filing), opener)
    filings = list(Filing.objects.order_by("number"))
    assert len(filings) == 2
    assert len({f.number for f in filings}) == 2
    for filing in filings:
        assert events("filing.filing.open", filing) == 1
        assert filing.customer.status == "in_filing"
    assert_chain_complete()


# --- a random mix of the real services ------------------------------------------------

MIX_SECONDS = 12
MIX_WRITERS = 4


class Pools:
    """What the writers work on; each item of a pool is taken by one writer only."""

    def __init__(self, demo: dict[str, User]) -> None:
        self.lock = threading.Lock()
        manager = demo["manager1"]
        self.customers = [ready_customer(manager).pk for _n in range(3)]
        self.prospects = [make_customer(manager).pk for _n in range(6)]
        self.approvals = [filing_at_last_approval(demo) for _n in range(6)]
        # Edits also hit the customers being approved: an edit and an approval of one customer
        # lock the same rows, the pair most likely to deadlock.
        self.customers += [filing.customer_id for filing, _step in self.approvals]
        self.dossiers = []
        for _n in range(4):
            customer = customer_services.change_status(
                make_customer(manager), "in_filing", "备案", demo["gm"]
            )
            customer_services.change_status(customer, "active", "通过", demo["gm"])
            self.dossiers.append(Dossier.objects.get(customer=customer).pk)

    def take(self, pool: list[Any]) -> Any:
        with self.lock:
            return pool.pop() if pool else None


def test_random_mix_of_services_never_deadlocks_nor_loses_events(
    demo: dict[str, User],
) -> None:
    pools = Pools(demo)
    expected: Counter[tuple[str, str, str]] = Counter()
    outcomes: Counter[str] = Counter()
    failures: list[BaseException] = []
    business_deadlocks: list[BaseException] = []
    tally = threading.Lock()
    start = threading.Barrier(MIX_WRITERS)
    manager, gm = demo["manager1"], demo["gm"]
    licence = DocumentType.objects.get(code="business_licence")

    def expect(action: str, obj: Any) -> None:
        with tally:
            expected[(action, obj._meta.label_lower, str(obj.pk))] += 1

    def edit(rng: random.Random) -> str:
        customer = Customer.objects.get(pk=rng.choice(pools.customers))
        phone = f"010-6{rng.randrange(10**7):07d}"
        updated = customer_services.update_customer(customer, {"phone": phone}, None)
        expect("customers.customer.update", updated)
        return "edit"

    def open_filing(rng: random.Random) -> str:
        pk = pools.take(pools.prospects)
        if pk is None:
            filing = filing_services.create_and_open(
                {
                    "kind": "organization",
                    "name": f"北京混合测试{rng.randrange(10**9)}有限公司",
                    "owner": manager,
                    "unit": manager.unit,
                    "phone": "010-62345678",
                },
                by=manager,
            )
        else:
            filing = filing_services.open_filing(Customer.objects.get(pk=pk), by=manager)
        expect("filing.filing.open", filing)
        return "open filing"

    def approve(rng: random.Random) -> str:
        taken = pools.take(pools.approvals)
        if taken is None:
            return edit(rng)
        filing, last = taken
        filing_services.filing_step_decide(filing, last, by=gm, outcome="approved")
        expect("workflow.step.complete", filing.case)
        expect("customers.customer.status", filing.customer)
        return "approve"

    def upload(rng: random.Random) -> str:
        customer = Customer.objects.get(pk=rng.choice(pools.customers))
        content = samples.pdf(f"licence {rng.randrange(10**9)}")
        version = document_services.document_upload(
            customer, licence, SimpleUploadedFile("licence.pdf", content), manager
        )
        expect("documents.document.upload", version.document)
        return "upload"

    def lend(rng: random.Random) -> str:
        pk = pools.take(pools.dossiers)
        if pk is None:
            return edit(rng)
        loan = loans.request_loan(
            dossier=Dossier.objects.get(pk=pk), borrower=manager, purpose="核对", kind="physical"
        )
        expect("archives.loan.request", loan)
        return "loan"

    operations = [edit, edit, edit, open_filing, open_filing, approve, upload, lend]

    def write(me: Worker) -> None:
        rng = random.Random(me.name)
        start.wait(WAIT_LIMIT)
        deadline = time.monotonic() + MIX_SECONDS
        while time.monotonic() < deadline:
            operation = rng.choice(operations)
            try:
                done = operation(rng)
            except OperationalError as error:
                if "deadlock" not in str(error):
                    done = "database error"
                    failures.append(error)
                elif "audit_" in str(error):
                    done = "deadlock on the audit chain"
                    failures.append(error)
                else:
                    # Between business rows only (a number sequence against a row a deferred
                    # foreign-key check locks at commit, a row locked through a join): as
                    # much a failure of ordinary concurrent use as one on the chain.
                    done = "deadlock between business rows"
                    business_deadlocks.append(error)
            except ValidationError:
                done = "refused"  # e.g. a duplicate name: business as usual
            with tally:
                outcomes[done] += 1

    writers = [Worker(write) for _n in range(MIX_WRITERS)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(MIX_SECONDS + WAIT_LIMIT * 2)
        assert not writer.is_alive(), f"{writer.name} hung"
    errors = [w.error for w in writers if w.error is not None] + failures
    assert outcomes["deadlock on the audit chain"] == 0, (outcomes, errors)
    assert not errors, (outcomes, errors)
    assert not business_deadlocks, (outcomes, business_deadlocks)
    assert sum(outcomes.values()) > MIX_WRITERS, outcomes
    assert_chain_complete()
    found = Counter(
        AuditEvent.objects.filter(action__in={action for action, _t, _i in expected}).values_list(
            "action", "object_type", "object_id"
        )
    )
    lost = {key: n for key, n in expected.items() if found[key] < n}
    assert not lost, lost
