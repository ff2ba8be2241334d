"""Settings shared by every backend test, in tests/ and in kehu/<app>/tests/.

The demo fixtures live in tests/conftest.py; they are re-exported here so that the per-app
test folders under kehu/ can use them too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from tests.conftest import api_for, client_for, demo

__all__ = ["api_for", "client_for", "demo"]

# PostgreSQL refuses to seal audit events without a given key: the tests use a fixed one
# (also in the servers the browser tests start).
if not settings.KEHU_AUDIT_KEY:
    settings.KEHU_AUDIT_KEY = "kehu-test-audit-key-0123456789abcdef"
    os.environ.setdefault("KEHU_AUDIT_KEY", settings.KEHU_AUDIT_KEY)


def _is_browser_test(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("browser") is not None or "browser" in str(
        request.node.path.parent
    )


@pytest.fixture(autouse=True)
def _backend_test_settings(request: pytest.FixtureRequest) -> Iterator[None]:
    """Unit tests render templates without `collectstatic` (no manifest) and hash passwords
    cheaply. Browser tests keep the real settings."""
    if _is_browser_test(request):
        yield
        return
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(STORAGES=storages, PASSWORD_HASHERS=hashers):
        yield


@pytest.fixture(autouse=True)
def _audit_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test exports audit chain heads to its own folder: another test's chain is not
    this one's."""
    with override_settings(KEHU_AUDIT_HEAD_DIR=tmp_path_factory.mktemp("audit-heads")):
        yield


@pytest.fixture(autouse=True)
def _fresh_config_caches() -> Iterator[None]:
    """Each test rolls back its data: settings cached by an earlier test must not be seen."""
    from kehu.infra.configcache import clear_all

    clear_all()
    yield
    clear_all()


@pytest.fixture(autouse=True)
def _audit_chain_head(request: pytest.FixtureRequest) -> None:
    """Transactional tests flush the database, which removes the chain-head row that a
    migration creates; put it back so that auditing works in any test that comes after."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not {"db", "transactional_db", "live_server"} & names:
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & names
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from kehu.audit.models import ChainHead

    ChainHead.objects.get_or_create(pk=1)


# Migrations that seed rows, each with the model whose rows it seeds.
SEEDING_MIGRATIONS = [
    ("kehu.archives.migrations.0002_seed_archive_categories", "archives.ArchiveCategory"),
    ("kehu.documents.migrations.0002_seed_document_types", "documents.DocumentType"),
    ("kehu.filing.migrations.0002_default_checklist_and_rules", "filing.ChecklistItem"),
    ("kehu.contracts.migrations.0002_seed_checklist", "contracts.ChecklistItem"),
]


@pytest.fixture
def migration_seeds(transactional_db: None) -> None:
    """A transactional test that comes after another one finds the database flushed, without
    the rows the migrations seed (archive categories, document types, the filing checklist):
    seed them again, so that the test does not depend on the order tests run in."""
    import importlib

    from django.apps import apps

    for module, model in SEEDING_MIGRATIONS:
        if apps.get_model(model).objects.exists():
            continue
        for operation in importlib.import_module(module).Migration.operations:
            if hasattr(operation, "code"):
                operation.code(apps, None)


@pytest.fixture(scope="module")
def demo_module(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo data, loaded once for a whole test module (as `setUpTestData` does): the
    module's tests run inside this outer transaction, each rolled back to a savepoint, and
    the outer transaction is rolled back after the module. The function-scoped `demo`
    fixture then finds the data there and only looks the users up.

    Only for modules of non-transactional tests: `pytestmark = usefixtures("demo_module")`.
    """
    from kehu.audit.models import ChainHead
    from kehu.core.demo import load_demo

    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        ChainHead.objects.get_or_create(pk=1)
        load_demo()
        yield
        transaction.set_rollback(True)
