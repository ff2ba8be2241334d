"""Re-encrypting every encrypted value under the current field key (`kehu keys rotate`).

A pass walks each model with encrypted columns in primary-key order, in batches; each batch
rewrites, in one transaction, every value that is not yet "current key, bound to its row"
(older keys, legacy "kehu1:" values, plain text from before encryption, column-bound values)
and saves the position reached (KeyRotation.position). A pass that stops (a crash, a
restart) resumes from there; running it again is harmless, as values already current are
left alone. Each value is replaced only if it still holds what was read (a conditional
UPDATE), so a concurrent edit is never overwritten with the older value. Values that no
configured key opens are left as they are and counted.

The lookup digests (kehu.core.digest) are keyed by KEHU_LOOKUP_KEY, not by the field keys,
and digest the plain values: they stay valid and are not recomputed.

The start and the end of a pass are audited ("keys.rotation.started", "keys.rotation.finished"
with the counts and the values that no key opens); the re-encryption itself changes no value."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F, TextField
from django.tasks import task
from django.utils import timezone

from kehu.audit.context import SYSTEM, acting_as
from kehu.audit.services import record
from kehu.core.crypto import (
    PREFIX,
    ROW,
    EncryptedTextField,
    Sealed,
    Undecryptable,
    is_encrypted,
    json_item_row,
    keyring,
    open_sealed,
    parse,
    seal,
)
from kehu.core.keymodels import KeyRotation

BATCH_SIZE = 500
# One run of the background job works this long, well inside the job time limit
# (kehu.ops.jobs), then queues the next run, which resumes from the saved position.
SLICE_SECONDS = 15 * 60
# Encrypted values kept inside JSON columns: (model, field, context); each is a
# {name: [value, value]} mapping whose encrypted strings are bound to their row, name and
# place (crypto.json_item_row), or, written before that, to the column.
SEALED_JSON = [("customers.ChangeRequest", "changes", "customers.changerequest.changes")]


def encrypted_models() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    found = []
    for model in apps.get_models():
        columns = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if columns:
            found.append((model, columns))
    return found


def _raw(name: str) -> ExpressionWrapper:
    """The stored text of an encrypted column, undecrypted."""
    return ExpressionWrapper(F(name), output_field=TextField())


def classify(stored: str) -> str:
    """The key id a stored value is under: "kehu1" (legacy, no id), "plain" (unencrypted),
    "<id>" for a row-bound value, "<id> (column)" for a column-bound one."""
    if not is_encrypted(stored):
        return "plain"
    try:
        key_id, scope, _body = parse(stored)
    except Undecryptable:
        return "malformed"
    if not key_id:
        return "kehu1"
    return key_id if scope == ROW else f"{key_id} (column)"


def _rewrite(stored: str, context: str, row: Any) -> Sealed | None:
    """The value re-encrypted under the current key and bound to `row`, None when it is
    already so; raises Undecryptable."""
    current = f"{PREFIX}{keyring().current_id}:{ROW}:"
    if stored.startswith(current):
        return None
    plain = open_sealed(stored, context, row) if is_encrypted(stored) else stored
    return seal(plain, context, row=row)


def _rewrite_json(value: Any, context: str, pk: Any) -> tuple[Any, bool]:
    current = f"{PREFIX}{keyring().current_id}:{ROW}:"
    if not isinstance(value, dict):
        return value, False
    changed = False
    result = {}
    for name, pair in value.items():
        if isinstance(pair, list):
            items = []
            for index, item in enumerate(pair):
                if isinstance(item, str) and is_encrypted(item) and not item.startswith(current):
                    row = json_item_row(pk, name, index)
                    item = str(seal(open_sealed(item, context, row), context, row=row))
                    changed = True
                items.append(item)
            pair = items
        result[name] = pair
    return result, changed


@dataclass
class Outcome:
    rewritten: int = 0
    unreadable: int = 0
    finished: bool = False
    problems: list[str] = field(default_factory=list)


def _batch(
    rotation: KeyRotation, model: type[models.Model], columns: list[Any], size: int
) -> tuple[bool, Outcome]:
    """Rewrite one batch of `model` after the saved position; (done with the model, outcome)."""
    label = model._meta.label
    after = rotation.position.get(label, 0)
    outcome = Outcome()
    manager = model._base_manager
    with transaction.atomic():
        if isinstance(columns[0], EncryptedTextField):
            names = [f.name for f in columns]
            annotations = {f"raw_{name}": _raw(name) for name in names}
            rows = list(
                manager.filter(pk__gt=after)
                .order_by("pk")
                .annotate(**annotations)
                .values_list("pk", *annotations)[:size]
            )
            for pk, *stored_values in rows:
                for column, stored in zip(columns, stored_values, strict=True):
                    if not stored:
                        continue
                    try:
                        new = _rewrite(stored, column.context, pk)
                    except Undecryptable:
                        outcome.unreadable += 1
                        outcome.problems.append(f"{label}.{column.name} #{pk}")
                        continue
                    if new is not None:
                        same = {column.name: Sealed(stored)}
                        outcome.rewritten += manager.filter(pk=pk, **same).update(
                            **{column.name: new}
                        )
        else:
            name, context = columns
            rows = list(manager.filter(pk__gt=after).order_by("pk").values_list("pk", name)[:size])
            for pk, value in rows:
                try:
                    new_value, changed = _rewrite_json(value, context, pk)
                except Undecryptable:
                    outcome.unreadable += 1
                    outcome.problems.append(f"{label}.{name} #{pk}")
                    continue
                if changed:
                    outcome.rewritten += manager.filter(pk=pk).update(**{name: new_value})
        if rows:
            rotation.position = {**rotation.position, label: rows[-1][0]}
        rotation.rewritten += outcome.rewritten
        rotation.unreadable += outcome.unreadable
        rotation.save(update_fields=["position", "rewritten", "unreadable"])
    return len(rows) < size, outcome


def _work() -> list[tuple[type[models.Model], list[Any]]]:
    work: list[tuple[type[models.Model], list[Any]]] = list(encrypted_models())
    for label, name, context in SEALED_JSON:
        try:
            work.append((apps.get_model(label), [name, context]))
        except LookupError:
            continue
    return work


def run(
    rotation: KeyRotation,
    size: int = BATCH_SIZE,
    max_batches: int | None = None,
    seconds: float | None = None,
) -> Outcome:
    """Continue `rotation` from its saved position; stop after `max_batches` or, once at
    least one batch is done, after `seconds` (a caller that shares the time), or when every
    model is done."""
    total = Outcome()
    batches = 0
    deadline = None if seconds is None else time.monotonic() + seconds
    for model, columns in _work():
        done = rotation.position.get(f"{model._meta.label}:done", False)
        while not done:
            if max_batches is not None and batches >= max_batches:
                return total
            if deadline is not None and batches and time.monotonic() >= deadline:
                return total
            done, outcome = _batch(rotation, model, columns, size)
            batches += 1
            total.rewritten += outcome.rewritten
            total.unreadable += outcome.unreadable
            total.problems += outcome.problems
        if not rotation.position.get(f"{model._meta.label}:done"):
            rotation.position = {**rotation.position, f"{model._meta.label}:done": True}
            rotation.save(update_fields=["position"])
    with transaction.atomic():
        rotation.finished_at = timezone.now()
        rotation.save(update_fields=["finished_at"])
        record(
            "keys.rotation.finished",
            rotation,
            extra={
                "key_id": rotation.key_id,
                "rewritten": rotation.rewritten,
                "unreadable": rotation.unreadable,
                "cannot_decrypt": total.problems[:100],
            },
        )
    total.finished = True
    return total


def start() -> KeyRotation:
    """The unfinished pass to the current key (resumed), else a new one."""
    current = keyring().current_id
    unfinished = KeyRotation.objects.filter(key_id=current, finished_at__isnull=True).first()
    if unfinished is not None:
        return unfinished
    with transaction.atomic():
        rotation = KeyRotation.objects.create(key_id=current)
        record("keys.rotation.started", rotation, extra={"key_id": current})
    return rotation


@task()
def rotate_field_keys(rotation_id: int) -> dict[str, Any]:
    """The background job of `kehu keys rotate`: one slice of the pass (SLICE_SECONDS); an
    unfinished pass queues the next slice, so no run outlives the job time limit."""
    rotation = KeyRotation.objects.get(pk=rotation_id)
    if rotation.finished_at is not None:
        return {"skipped": "the pass is finished"}
    if rotation.key_id != keyring().current_id:
        return {"skipped": f"the current key is no longer {rotation.key_id}"}
    with acting_as(SYSTEM):
        outcome = run(rotation, seconds=SLICE_SECONDS)
    if not outcome.finished:
        rotate_field_keys.enqueue(rotation_id)
    return {
        "rewritten": outcome.rewritten,
        "unreadable": outcome.unreadable,
        "finished": outcome.finished,
    }


def status() -> dict[str, Counter[str]]:
    """{"app.Model.field": Counter(key id → number of non-blank values)}."""
    counts: dict[str, Counter[str]] = {}
    for model, columns in encrypted_models():
        for column in columns:
            counter: Counter[str] = Counter()
            values = model._base_manager.annotate(raw=_raw(column.name)).values_list(
                "raw", flat=True
            )
            for stored in values.exclude(**{column.name: ""}).iterator(chunk_size=2000):
                if stored:
                    counter[classify(stored)] += 1
            counts[f"{model._meta.label}.{column.name}"] = counter
    return counts
