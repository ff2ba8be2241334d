"""The roster import's pages and API: upload starts the check job, the preview shows its
counts, confirm starts the import job; the jobs run here with `run_job`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kehu.core.models import OrgUnit
from kehu.customers.models import Customer
from kehu.customers.tests.roster_files import org_row, xlsx
from kehu.generic.jobs import run_job
from kehu.generic.models import JobState, UserJob

pytestmark = pytest.mark.usefixtures("demo_module")


def _upload(client: Client, content: bytes, name: str = "roster.xlsx") -> UserJob:
    from django.core.files.uploadedfile import SimpleUploadedFile

    sale = OrgUnit.objects.get(code="SALE")
    response = client.post(
        "/customers/import/",
        {"unit": sale.pk, "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = UserJob.objects.latest("pk")
    assert response["Location"] == f"/jobs/{job.pk}/"
    return job


def test_upload_preview_confirm_import(client_for: Callable[..., Client]) -> None:
    client = client_for("manager1")
    assert client.get("/customers/import/").status_code == 200
    template = client.get("/customers/import/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    rows = [org_row(801), org_row(802, 联系人手机="123")]
    job = _upload(client, xlsx(rows))
    run_job(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.error
    page = client.get(f"/customers/import/{job.pk}/").content.decode()
    assert 'id="count-new">1<' in page and 'id="count-error">1<' in page
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200  # the error report
    # all-or-nothing: confirming without "good rows" imports nothing
    assert client.post(f"/customers/import/{job.pk}/confirm/").status_code == 302
    assert UserJob.objects.latest("pk") == job
    client.post(f"/customers/import/{job.pk}/confirm/", {"good_rows_only": "1"})
    started = UserJob.objects.latest("pk")
    assert started != job and not started.params["dry_run"]
    run_job(started.pk)
    started.refresh_from_db()
    assert started.state == JobState.SUCCEEDED and started.summary["counts"]["new"] == 1
    assert Customer.objects.filter(credit_code=rows[0]["统一社会信用代码"]).exists()
    # someone else's preview is not found; a reader without the add permission is refused
    assert client_for("manager2").get(f"/customers/import/{job.pk}/").status_code == 404
    assert client_for("auditor").get("/customers/import/").status_code == 403
