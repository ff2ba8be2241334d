"""A roster import killed (SIGKILL) at random points and run again leaves the register as one
clean import would: whole committed batches, no duplicate, no customer without its contact.
The import runs in a real subprocess (`kehu import_customers`) on the test database."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from kehu.core.models import OrgUnit
from kehu.customers.models import BankAccount, Contact, Customer
from kehu.customers.tests.roster_files import org_row, person_row, xlsx

ROWS = 1200  # several batches of 500


def _command(path: Path, *extra: str) -> list[str]:
    return [str(Path(sys.executable).parent / "kehu"), "import_customers", str(path),
            "--unit", "SALE",
            "--user", "manager1", *extra]  # fmt: skip


def _env() -> dict[str, str]:
    env = dict(os.environ)
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        env["KEHU_DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        env["KEHU_DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    return env


def _register() -> list[tuple[Any, ...]]:
    rows = Customer.objects.filter(unit__code="SALE", name__startswith=("上海")).order_by(
        "credit_code"
    )
    return [
        (c.name, c.credit_code, c.id_number, str(c.registered_capital), c.search_text,
         c.completeness,
         tuple((x.name, x.mobile, x.is_primary) for x in c.contacts.all()),
         tuple((a.account_number, a.is_primary) for a in c.bank_accounts.all()))
        for c in rows
    ]  # fmt: skip


def _clear() -> None:
    ids = list(
        Customer.objects.filter(unit__code="SALE", name__startswith="上海").values_list(
            "pk", flat=True
        )
    )
    Contact.objects.filter(customer_id__in=ids).delete()
    BankAccount.objects.filter(customer_id__in=ids).delete()
    Customer.objects.filter(pk__in=ids).delete()


@pytest.mark.django_db(transaction=True)
def test_kill_at_random_points_then_rerun_equals_clean_import(demo: Any, tmp_path: Path) -> None:
    if connection.vendor == "sqlite" and "memory" in str(settings.DATABASES["default"]["NAME"]):
        pytest.skip("needs a database file the subprocess can open")
    rows = [
        org_row(9000 + n) if n % 6 else person_row(9000 + n, 客户名称=f"上海个人{n}")
        for n in range(ROWS)
    ]
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx(rows))
    env = _env()
    rng = random.Random(os.getpid())
    killed = 0
    for _attempt in range(3):
        process = subprocess.Popen(
            _command(path), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        time.sleep(rng.uniform(2.0, 9.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait()
        partial = Customer.objects.filter(unit__code="SALE", name__startswith="上海")
        # whole batches only, and never an organisation without its contact
        assert partial.count() % 500 == 0 or partial.count() == ROWS
        organisations = partial.filter(kind="organization").count()
        assert Contact.objects.filter(customer__name__startswith="上海").count() == organisations
    finished = subprocess.run(_command(path), env=env, capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr[-2000:]
    after_restarts = _register()
    assert len(after_restarts) == ROWS
    again = subprocess.run(_command(path), env=env, capture_output=True, text=True, check=False)
    assert '"new": 0' in again.stdout and '"update": 0' in again.stdout
    _clear()
    clean = subprocess.run(_command(path), env=env, capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stderr[-2000:]
    assert _register() == after_restarts
    assert killed >= 1
    assert OrgUnit.objects.filter(code="SALE").exists()
