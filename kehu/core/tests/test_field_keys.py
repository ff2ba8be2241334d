"""Field keys: a keyring with key ids, values bound to their row, always encrypted, a marker
for what cannot be decrypted, the start-up check against the database's canaries, rotation
that survives an interruption, and no generated keys in cluster mode (PostgreSQL)."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kehu.audit.models import AuditEvent
from kehu.core import crypto, keyconfig, keyrotation
from kehu.core.keychecks import key_problems
from kehu.core.keymodels import KeyCanary, KeyRotation
from kehu.core.models import User
from kehu.customers import search, services
from kehu.customers.models import Contact, Customer
from kehu.customers.tests.factories import org_data, person_data

pytestmark = pytest.mark.django_db

ID = "110105198001011238"


def raw(model: Any, column: str, pk: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def write_raw(model: Any, column: str, pk: Any, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET {column} = %s WHERE id = %s", [value, pk]
        )


def marker() -> str:
    with translation.override("zh-hans"):
        return str(crypto.Unreadable("x"))


def wrong_keys() -> list[tuple[str, str]]:
    """The configured key ids with other secrets: a changed key."""
    return [(key_id, f"not-{secret}") for key_id, secret in settings.KEHU_FIELD_KEYS]


@pytest.fixture
def make_person(demo: dict[str, User]) -> Callable[..., Customer]:
    def make(**overrides: Any) -> Customer:
        return services.create_customer(person_data(demo["manager1"], **overrides))

    return make


def test_the_marker_reads_in_chinese() -> None:
    assert marker() == "（无法解密）"


def test_a_changed_key_shows_markers_but_the_pages_render_and_the_check_refuses(
    make_person: Callable[..., Customer],
    client_for: Callable[[str], Any],
    api_for: Callable[[str], Any],
) -> None:
    # A transactional test's flush removes the canaries; the check puts them back.
    assert key_problems() == []
    person = make_person(id_number=ID)
    client, api = client_for("manager1"), api_for("manager1")
    with override_settings(KEHU_FIELD_KEYS=wrong_keys()):
        card = client.get(f"/customers/{person.pk}/")
        assert card.status_code == 200
        assert person.name in card.content.decode() and marker() in card.content.decode()
        listing = api.get("/api/v1/customers/")
        assert listing.status_code == 200
        rows = [row for row in listing.json()["results"] if row["id"] == person.pk]
        assert rows and rows[0]["name"] == person.name and marker() in str(rows[0])
        # ... while the start-up check refuses to start with that key.
        problems = key_problems()
        assert problems and "KEHU_FIELD_KEYS" in problems[0]
        with translation.override("zh-hans"), pytest.raises(SystemCheckError) as refused:
            call_command("check")
        assert "字段密钥与数据库不符" in str(refused.value)


def test_the_check_refuses_keys_that_have_no_canary_and_adds_a_new_keys_canary() -> None:
    assert key_problems() == []
    with override_settings(KEHU_FIELD_KEYS=[("other", "another secret")]):
        problems = key_problems()
        assert problems and "other" in problems[0]
    assert not KeyCanary.objects.filter(key_id="other").exists()
    with override_settings(KEHU_FIELD_KEYS=[("new", "a new secret"), *settings.KEHU_FIELD_KEYS]):
        assert key_problems() == []
        assert KeyCanary.objects.filter(key_id="new").exists()


def test_new_writes_use_the_current_key_and_reads_take_the_values_key(
    make_person: Callable[..., Customer],
) -> None:
    old = list(settings.KEHU_FIELD_KEYS)
    person = make_person(id_number=ID)
    old_id = old[0][0]
    assert raw(Customer, "id_number", person.pk).startswith(f"kehu2:{old_id}:r:")
    with override_settings(KEHU_FIELD_KEYS=[("n2", "the newer secret"), *old]):
        assert Customer.objects.get(pk=person.pk).id_number == ID
        person.phone = "13700001111"
        person.save()
        assert raw(Customer, "phone", person.pk).startswith("kehu2:n2:r:")
        assert raw(Customer, "id_number", person.pk).startswith("kehu2:n2:r:")
        assert Customer.objects.get(pk=person.pk).phone == "13700001111"
    with override_settings(KEHU_FIELD_KEYS=old):  # without n2 its values cannot be read
        again = Customer.objects.get(pk=person.pk)
        assert isinstance(again.phone, crypto.Unreadable) and again.name == person.name


def _legacy_kehu1(plain: str, context: str, secret: str) -> str:
    """A value as the single-key format "kehu1:" stored it."""
    aead = crypto._derive(secret)
    assert isinstance(aead, AESGCM)
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, plain.encode(), context.encode())
    return "kehu1:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def test_legacy_values_still_read(make_person: Callable[..., Customer]) -> None:
    person = make_person()
    secret = settings.KEHU_FIELD_KEYS[0][1]
    write_raw(
        Customer, "id_number", person.pk, _legacy_kehu1(ID, "customers.customer.id_number", secret)
    )
    write_raw(Customer, "phone", person.pk, "13600002222")  # from before encryption
    again = Customer.objects.get(pk=person.pk)
    assert again.id_number == ID and again.phone == "13600002222"


@pytest.mark.parametrize("text", ["kehu1:abc", "kehu2:k0:r:AAAA", "kehu2:", "5|kehu2:x"])
def test_a_value_that_looks_encrypted_is_stored_encrypted_and_read_back_exactly(
    make_person: Callable[..., Customer], text: str
) -> None:
    person = make_person()
    person.legal_rep_id_number = text
    person.save()
    stored = raw(Customer, "legal_rep_id_number", person.pk)
    assert stored != text and stored.startswith("kehu2:")
    assert Customer.objects.get(pk=person.pk).legal_rep_id_number == text
    assert Customer.objects.values_list("legal_rep_id_number", flat=True).get(pk=person.pk) == text


def test_ciphertexts_swapped_between_rows_do_not_decrypt(
    make_person: Callable[..., Customer],
) -> None:
    first, second = make_person(phone="13500001111"), make_person(phone="13500002222")
    one, two = raw(Customer, "phone", first.pk), raw(Customer, "phone", second.pk)
    write_raw(Customer, "phone", first.pk, two)
    write_raw(Customer, "phone", second.pk, one)
    for pk in (first.pk, second.pk):
        swapped = Customer.objects.get(pk=pk)
        assert isinstance(swapped.phone, crypto.Unreadable)
        assert swapped.name and swapped.id_number  # the rest of the row reads
    values = dict(Customer.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "phone"))
    assert all(isinstance(value, crypto.Unreadable) for value in values.values())


def test_an_insert_is_bound_to_its_row_and_column_bound_writes_still_read(
    make_person: Callable[..., Customer],
) -> None:
    person = make_person(id_number=ID)
    assert ":r:" in raw(Customer, "id_number", person.pk)  # re-bound right after the insert
    column_bound = crypto.seal(ID, "customers.customer.legal_rep_id_number")
    write_raw(Customer, "legal_rep_id_number", person.pk, column_bound)
    assert ":c:" in raw(Customer, "legal_rep_id_number", person.pk)
    assert Customer.objects.get(pk=person.pk).legal_rep_id_number == ID


def test_values_written_by_update_and_bulk_update_are_bound_to_their_rows(
    make_person: Callable[..., Customer],
) -> None:
    first, second, third = make_person(), make_person(), make_person()
    updated = Customer.objects.filter(pk__in=[first.pk, second.pk]).update(
        phone="13700001111", note="更新"
    )
    assert updated == 2
    first.legal_rep_phone, third.legal_rep_phone = "13700002222", "13700003333"
    Customer.objects.bulk_update([first, third], ["legal_rep_phone"])
    assert first.legal_rep_phone == "13700002222"  # the objects keep their plain values
    for pk, column in [
        (first.pk, "phone"), (second.pk, "phone"), (first.pk, "legal_rep_phone"),
        (third.pk, "legal_rep_phone"),
    ]:  # fmt: skip
        assert ":r:" in raw(Customer, column, pk), (pk, column)
    assert raw(Customer, "phone", first.pk) != raw(Customer, "phone", second.pk)
    assert Customer.objects.get(pk=second.pk).phone == "13700001111"
    assert Customer.objects.get(pk=third.pk).legal_rep_phone == "13700003333"
    assert Customer.objects.get(pk=second.pk).note == "更新"

    # Copied into another row, they do not decrypt.
    write_raw(Customer, "phone", third.pk, raw(Customer, "phone", first.pk))
    write_raw(Customer, "legal_rep_phone", second.pk, raw(Customer, "legal_rep_phone", third.pk))
    assert isinstance(Customer.objects.get(pk=third.pk).phone, crypto.Unreadable)
    assert isinstance(Customer.objects.get(pk=second.pk).legal_rep_phone, crypto.Unreadable)


def test_every_model_with_encrypted_columns_binds_updates_to_rows() -> None:
    from kehu.core.rowbound import RowBoundQuerySet

    models = keyrotation.encrypted_models()
    assert models
    for model, _columns in models:
        assert isinstance(model._default_manager.all(), RowBoundQuerySet), model


def test_saving_an_unreadable_value_keeps_its_ciphertext(
    make_person: Callable[..., Customer],
) -> None:
    person = make_person(id_number=ID)
    stored = raw(Customer, "id_number", person.pk)
    with override_settings(KEHU_FIELD_KEYS=wrong_keys()):
        again = Customer.objects.get(pk=person.pk)
        assert again.identifier() == marker()
        again.note = "edited while the key was wrong"
        again.save()
    assert raw(Customer, "id_number", person.pk) == stored
    assert Customer.objects.get(pk=person.pk).id_number == ID


def test_a_page_of_customers_decrypts_without_a_query_per_value(
    demo: dict[str, User],
) -> None:
    for _n in range(5):
        services.create_customer(person_data(demo["manager1"]))
    with CaptureQueriesContext(connection) as queries:
        phones = [c.phone for c in Customer.objects.all()]
    assert len(queries) == 1 and all(phones)


def test_rotation_re_encrypts_everything_and_resumes_after_an_interruption(
    demo: dict[str, User], make_person: Callable[..., Customer]
) -> None:
    old = list(settings.KEHU_FIELD_KEYS)
    people = [make_person(id_number=ID), make_person(), make_person()]
    org = services.create_customer(org_data(demo["manager1"]))
    contact = services.create_contact({"customer": org, "name": "王芳", "mobile": "13900001111"})
    write_raw(Customer, "phone", people[1].pk, "13600002222")  # plain, from before encryption
    legacy = _legacy_kehu1("13600003333", "customers.customer.phone", old[0][1])
    write_raw(Customer, "phone", people[2].pk, legacy)
    new_ring = [("r2", "the rotated secret"), *old]
    with override_settings(KEHU_FIELD_KEYS=new_ring):
        rotation = keyrotation.start()
        first = keyrotation.run(rotation, size=1, max_batches=2)  # then the process "crashes"
        assert not first.finished and first.rewritten > 0
        saved = KeyRotation.objects.get(pk=rotation.pk)
        assert saved.finished_at is None and saved.position
        resumed = keyrotation.start()  # `kehu keys rotate` again: the same pass, resumed
        assert resumed.pk == rotation.pk and resumed.position == saved.position
        outcome = keyrotation.run(resumed, size=2)
        assert outcome.finished and outcome.unreadable == 0
        counts = keyrotation.status()
        assert {key for counter in counts.values() for key in counter} == {"r2"}
        assert keyrotation.run(keyrotation.start(), size=2).rewritten == 0  # idempotent
        finished = AuditEvent.objects.filter(
            action="keys.rotation.finished", object_id=str(rotation.pk)
        )
        assert finished.get().extra["unreadable"] == 0
    with override_settings(KEHU_FIELD_KEYS=new_ring[:1]):  # the old key is no longer needed
        assert Customer.objects.get(pk=people[0].pk).id_number == ID
        assert Customer.objects.get(pk=people[1].pk).phone == "13600002222"
        assert Customer.objects.get(pk=people[2].pk).phone == "13600003333"
        assert Contact.objects.get(pk=contact.pk).mobile == "13900001111"
        # The lookup digests do not depend on the field key: search still finds them.
        found = search.filter_text(Customer.objects.all(), ID, demo["auditor"])
        assert list(found) == [people[0]]
        assert list(search.filter_text(Customer.objects.all(), "13900001111", demo["auditor"])) == [
            org
        ]


def test_keys_status_and_rotate_commands(
    make_person: Callable[..., Customer], capsys: pytest.CaptureFixture[str]
) -> None:
    make_person(id_number=ID)
    with override_settings(KEHU_FIELD_KEYS=[("r3", "secret three"), *settings.KEHU_FIELD_KEYS]):
        call_command("keys", "status")
        assert "values not yet under r3 (row-bound): " in capsys.readouterr().out
        call_command("keys", "rotate")  # queued as a background job ...
        assert "rotation to r3 queued" in capsys.readouterr().out
        rotation = KeyRotation.objects.get(key_id="r3", finished_at__isnull=True)
        assert keyrotation.rotate_field_keys.call(rotation.pk)["unreadable"] == 0  # ... run
        call_command("keys", "status")
        assert "values not yet under r3 (row-bound): 0" in capsys.readouterr().out
        call_command("keys", "rotate", "--foreground")  # nothing left: a new pass, no work
        assert "rotation to r3 finished: 0 rewritten" in capsys.readouterr().out


def test_the_rotation_job_runs_in_slices_inside_the_job_time_limit(
    make_person: Callable[..., Customer], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_tasks_db.models import DBTaskResult

    from kehu.ops.jobs import time_limit

    path = "kehu.core.keyrotation.rotate_field_keys"
    assert time_limit(path).total_seconds() / 2 > keyrotation.SLICE_SECONDS
    people = [make_person(id_number=ID), make_person()]
    monkeypatch.setattr(keyrotation, "SLICE_SECONDS", 0)  # every slice does one batch
    with override_settings(KEHU_FIELD_KEYS=[("r4", "secret four"), *settings.KEHU_FIELD_KEYS]):
        rotation = keyrotation.start()
        first = keyrotation.rotate_field_keys.call(rotation.pk)
        assert first["finished"] is False
        queued = DBTaskResult.objects.filter(task_path=path, status="READY")
        assert [job.args_kwargs["args"] for job in queued] == [[rotation.pk]]
        slices = 1
        while not keyrotation.rotate_field_keys.call(rotation.pk)["finished"]:
            slices += 1
            assert slices < 50
        assert queued.all().count() == slices  # each unfinished slice queued the next
        assert KeyRotation.objects.get(pk=rotation.pk).finished_at is not None
        assert {key for c in keyrotation.status().values() for key in c} == {"r4"}
        again = keyrotation.rotate_field_keys.call(rotation.pk)
        assert again == {"skipped": "the pass is finished"}
        assert Customer.objects.get(pk=people[0].pk).id_number == ID


# Key configuration ---------------------------------------------------------------------


def test_cluster_mode_refuses_to_generate_keys(tmp_path: Path) -> None:
    with pytest.raises(keyconfig.KeyConfigError, match="PostgreSQL"):
        keyconfig.field_keyring({}, tmp_path, cluster=True)
    with pytest.raises(keyconfig.KeyConfigError, match="KEHU_LOOKUP_KEY"):
        keyconfig.data_key({}, "KEHU_LOOKUP_KEY", tmp_path, cluster=True)
    assert list(tmp_path.iterdir()) == []
    given = {"KEHU_FIELD_KEYS": "b:two,a:one"}
    assert keyconfig.field_keyring(given, tmp_path, cluster=True) == [("b", "two"), ("a", "one")]


def test_a_postgresql_server_without_keys_does_not_start(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    environ.update(
        KEHU_DATABASE_URL="postgres://nobody@127.0.0.1:1/none", KEHU_DATA_DIR=str(tmp_path)
    )
    started = subprocess.run(
        [sys.executable, "-m", "kehu.cli", "check"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    assert "must be set when the database is PostgreSQL" in started.stderr
    assert not (tmp_path / "field_key").exists() and not (tmp_path / "secret_key").exists()


def test_the_key_check_refuses_to_start_when_the_database_cannot_be_reached(
    tmp_path: Path,
) -> None:
    from kehu.core.tests.cluster_keys import TEST_KEYS

    environ = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    environ.update(
        TEST_KEYS,
        KEHU_DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        KEHU_DATA_DIR=str(tmp_path),
    )
    started = subprocess.run(
        [sys.executable, "-m", "kehu.cli", "check"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    assert "kehu.E102" in started.stderr and "数据库无法连接" in started.stderr


def test_embedded_mode_generates_private_key_files(tmp_path: Path) -> None:
    ring = keyconfig.field_keyring({}, tmp_path, cluster=False)
    assert ring[0][0] == keyconfig.SINGLE_KEY_ID
    assert stat.S_IMODE((tmp_path / "field_key").stat().st_mode) == 0o600
    assert keyconfig.field_keyring({}, tmp_path, cluster=False) == ring  # kept
    new_id = keyconfig.add_generated_field_key(tmp_path, ring)
    grown = keyconfig.field_keyring({}, tmp_path, cluster=False)
    assert grown[0][0] == new_id and grown[1] == ring[0]
    assert stat.S_IMODE((tmp_path / "field_keys").stat().st_mode) == 0o600


def test_keyring_settings() -> None:
    here = Path("/nonexistent")
    assert keyconfig.field_keyring({"KEHU_FIELD_KEY": "s"}, here, True) == [("k0", "s")]
    chosen = {"KEHU_FIELD_KEYS": "a:1,b:2", "KEHU_FIELD_KEY_ID": "b"}
    assert keyconfig.field_keyring(chosen, here, True) == [("b", "2"), ("a", "1")]
    for bad in ("a", "a:1,a:2", "bad id:1", "a:"):
        with pytest.raises(keyconfig.KeyConfigError):
            keyconfig.field_keyring({"KEHU_FIELD_KEYS": bad}, here, True)
    with pytest.raises(keyconfig.KeyConfigError):
        keyconfig.field_keyring({"KEHU_FIELD_KEYS": "a:1", "KEHU_FIELD_KEY_ID": "z"}, here, True)


def test_a_proposed_plain_value_that_looks_encrypted_reads_back_exactly(
    demo: dict[str, User], make_person: Callable[..., Customer]
) -> None:
    from kehu.customers import changes

    person = make_person()
    address = "kehu1:北京市朝阳路1号"
    request = changes.change_request_propose(
        person, demo["compliance"], {"address": address}, "核实"
    )
    assert changes.plain_changes(request)["address"][1] == address
