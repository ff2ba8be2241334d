"""Fixtures of the backup tests: a backup folder outside the data folder, a files folder per
test, a small installation (a customer with a stored document, a person)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from kehu.documents.tests.conftest import moto_server, pdf_bytes, upload_file  # noqa: F401


def _reset_storage() -> None:
    from kehu.core.storage import storage

    storage()._inner = None


@pytest.fixture
def backup_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "backups"
    s3 = {
        "bucket": "",
        "prefix": "",
        "endpoint_url": None,
        "access_key": None,
        "secret_key": None,
        "region": None,
    }
    with override_settings(
        KEHU_BACKUP_DIR=folder,
        KEHU_FILES_DIR=tmp_path / "files",
        KEHU_BACKUP_S3=s3,
        KEHU_S3_BUCKET="",
    ):
        _reset_storage()
        yield folder
    _reset_storage()


@pytest.fixture
def pgbackrest_recent(tmp_path: Path) -> Iterator[Path]:
    """A stand-in for `pgbackrest` answering `info` with the real JSON of pgbackrest_info.json
    (two repositories, a full and an incremental backup) moved to the last hour."""
    import json
    import time

    info = json.loads((Path(__file__).parent / "pgbackrest_info.json").read_text())
    shift = int(time.time()) - 3600 - max(b["timestamp"]["stop"] for b in info[0]["backup"])
    for backup in info[0]["backup"]:
        for key in ("start", "stop"):
            backup["timestamp"][key] += shift
    answer = tmp_path / "pgbackrest-info.json"
    answer.write_text(json.dumps(info))
    script = tmp_path / "pgbackrest"
    script.write_text(f"#!/bin/sh\ncat {answer}\n")
    script.chmod(0o755)
    options = {"command": str(script), "config": "", "stanza": "kehu"}
    with override_settings(KEHU_PGBACKREST=options):
        yield script


@pytest.fixture
def installation(
    transactional_db: None,
    migration_seeds: None,
    demo: dict[str, Any],
    backup_dir: Path,
    pgbackrest_recent: Path,
) -> dict[str, Any]:
    """A company with a stored licence and a person whose data can be deleted."""
    from kehu.audit.context import SYSTEM, acting_as
    from kehu.customers import services
    from kehu.customers.tests.factories import org_data, person_data
    from kehu.documents import services as documents
    from kehu.documents.models import DocumentType

    with acting_as(SYSTEM):
        company = services.create_customer(org_data(demo["manager1"]))
        person = services.create_customer(person_data(demo["manager1"], phone="13766667777"))
        version = documents.document_upload(
            company,
            DocumentType.objects.get(code="business_licence"),
            upload_file("licence.pdf", pdf_bytes()),
            demo["manager1"],
        )
    return {"company": company, "person": person, "version": version, "demo": demo}
