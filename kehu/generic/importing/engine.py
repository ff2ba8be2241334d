"""The importer: read a file, check every row, preview (dry run) or import it in batches.

Two passes. The check reads and validates every row, finds rows repeating a business key
and, batch by batch, looks the keys up to count new, updated and unchanged records; it
writes the valid rows to a temporary spill file, so memory does not grow with the file
(only the keys seen are kept, to find repeats). The import then reads the spill and commits
it batch by batch, each batch one transaction that re-reads its records first: a worker
killed at any point leaves whole batches, and a re-run finds their rows unchanged and writes
only the rest. By default one bad row stops the import before anything is written;
`good_rows_only` imports the others."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Hashable, Iterator
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.generic.importing.columns import Column, Layout, match_headings
from kehu.generic.importing.spec import ERROR, NEW, SAME, UPDATE, ImportSpec, Planned
from kehu.infra.tabular import iter_cells

# Rows of each kind the preview shows.
SAMPLES = 10
Progress = Callable[[int, int, str], None]


@dataclass
class Outcome:
    """What a check or an import found and did (JSON-serialisable with `as_json`)."""

    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys((NEW, UPDATE, SAME, ERROR), 0)
    )
    samples: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {NEW: [], UPDATE: [], SAME: [], ERROR: []}
    )
    # Line number (as text, for JSON) → the row's error messages.
    errors: dict[str, list[str]] = field(default_factory=dict)
    file_errors: list[str] = field(default_factory=list)
    rows: int = 0
    imported: bool = False
    dry_run: bool = True
    batches: int = 0
    ignored_headings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.counts[NEW] + self.counts[UPDATE]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.counts[ERROR]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        return cls(**data)

    def _sample(self, action: str, entry: dict[str, Any]) -> None:
        if len(self.samples[action]) < SAMPLES:
            self.samples[action].append(entry)

    def note(self, row: Planned) -> None:
        self.counts[row.action] += 1
        self._sample(row.action, {"line": row.line, "label": row.label, "changes": row.changes})

    def fail(self, line: int, label: str, messages: list[str]) -> None:
        self.counts[ERROR] += 1
        self.errors[str(line)] = messages
        self._sample(ERROR, {"line": line, "label": label, "errors": messages})


def _messages(error: ValidationError, layout: Layout, columns: list[Column]) -> list[str]:
    """Each message prefixed by the column it concerns, as the file names it."""
    shown = {c.field: h for h, c in zip(layout.headings, layout.columns, strict=True) if c}
    declared = {c.field: c.zh for c in columns}
    if not hasattr(error, "error_dict"):
        return [str(m) for m in error.messages]
    result = []
    for name, errors in error.message_dict.items():
        heading = shown.get(name) or declared.get(name)
        result += [f"{heading}：{m}" if heading else str(m) for m in errors]
    return result


def _rows(name: str, content: bytes) -> Iterator[tuple[int, list[Any]]]:
    for line, cells in enumerate(iter_cells(name, content), start=1):
        if any(cells) or any(c is not None and c != "" for c in cells):
            yield line, cells


def check(
    spec: ImportSpec,
    name: str,
    content: bytes,
    context: Any,
    *,
    spill: IO[bytes] | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Read and check every row (the dry run); nothing is written to the database. With
    `spill`, the valid rows are pickled into it for `import_file`."""
    outcome = Outcome()
    try:
        rows = _rows(name, content)
        header = next(rows, None)
        if header is None:
            outcome.file_errors.append(_("The file holds no rows."))
            return outcome
        columns = spec.columns(context)
        layout = match_headings(header[1], columns)
        outcome.ignored_headings = [
            h for h, c in zip(layout.headings, layout.columns, strict=True) if c is None and h
        ]
        if layout.missing:
            outcome.file_errors.append(
                _("The first row must name the columns; missing: %(columns)s.")
                % {"columns": "、".join(c.zh for c in layout.missing)}
            )
        if layout.repeated:
            outcome.file_errors.append(
                _("These columns appear twice: %(columns)s.")
                % {"columns": "、".join(layout.repeated)}
            )
        if outcome.file_errors:
            return outcome
        seen: dict[Hashable, int] = {}
        batch: list[Planned] = []
        for line, cells in rows:
            outcome.rows += 1
            row = _check_row(spec, context, layout, columns, line, cells, seen, outcome)
            if row is not None:
                batch.append(row)
            if len(batch) >= spec.batch_size:
                _plan_batch(spec, context, batch, outcome, layout, columns, spill)
                batch = []
                if progress:
                    progress(outcome.rows, 0, _("Checking rows"))
        _plan_batch(spec, context, batch, outcome, layout, columns, spill)
    except ValidationError as error:
        outcome.file_errors += [str(m) for m in error.messages]
    if not outcome.rows and not outcome.file_errors:
        outcome.file_errors.append(_("The file holds no rows."))
    return outcome


def parse_cells(layout: Layout, cells: list[Any]) -> tuple[dict[str, Any], list[str], set[str]]:
    """A row's cells as {field: value} of the columns given, the messages of cells that do not
    parse and the fields they concern."""
    values: dict[str, Any] = {}
    messages: list[str] = []
    failed: set[str] = set()
    width = len(cells)
    for index, heading, column in layout.plan:
        cell = cells[index] if index < width else ""
        if cell == "" or cell is None:
            continue
        try:
            value = column.parse(cell)
        except ValidationError as error:
            messages += [f"{heading}：{m}" for m in error.messages]
            failed.add(column.field)
            continue
        if value is not None:
            values[column.field] = value
    return values, messages, failed


def read_values(
    spec: ImportSpec, name: str, content: bytes, context: Any
) -> Iterator[tuple[int, dict[str, Any], list[str]]]:
    """Each data row's parsed values and cell messages, without the record's checks."""
    rows = _rows(name, content)
    header = next(rows, None)
    if header is None:
        return
    layout = match_headings(header[1], spec.columns(context))
    for line, cells in rows:
        values, messages, _failed = parse_cells(layout, cells)
        yield line, values, messages


def _check_row(
    spec: ImportSpec,
    context: Any,
    layout: Layout,
    columns: list[Column],
    line: int,
    cells: list[Any],
    seen: dict[Hashable, int],
    outcome: Outcome,
) -> Planned | None:
    values, messages, failed = parse_cells(layout, cells)
    for column in columns:
        if column.required and column.field not in values and column.field not in failed:
            messages.append(_("%(column)s: this column is required.") % {"column": column.zh})
    label = str(values.get("name") or "")
    if messages:
        outcome.fail(line, label, messages)
        return None
    try:
        cleaned = spec.clean(values, context)
    except ValidationError as error:
        outcome.fail(line, label, _messages(error, layout, columns))
        return None
    key = spec.key(cleaned)
    label = spec.describe(cleaned)
    if key in seen:
        outcome.fail(
            line,
            label,
            [
                _("Same %(key)s as row %(line)s: each record once per file.")
                % {"key": spec.key_name(cleaned), "line": seen[key]}
            ],
        )
        return None
    seen[key] = line
    return Planned(line=line, key=key, values=cleaned, label=label)


def _plan_batch(
    spec: ImportSpec,
    context: Any,
    batch: list[Planned],
    outcome: Outcome,
    layout: Layout,
    columns: list[Column],
    spill: IO[bytes] | None,
) -> list[Planned]:
    """Look the batch's records up and decide each row's action (counted in `outcome`)."""
    if not batch:
        return []
    existing = spec.lookup([r.key for r in batch], context)
    planned = []
    for row in batch:
        row.existing = existing.get(row.key)
        try:
            spec.plan(row, context)
        except ValidationError as error:
            outcome.fail(row.line, row.label, _messages(error, layout, columns))
            continue
        outcome.note(row)
        planned.append(row)
        if spill is not None:
            pickle.dump((row.line, row.key, row.values, row.label), spill, pickle.HIGHEST_PROTOCOL)
    return planned


def _spilled(spill: IO[bytes], size: int) -> Iterator[list[Planned]]:
    spill.seek(0)
    batch: list[Planned] = []
    while True:
        try:
            line, key, values, label = pickle.load(spill)
        except EOFError:
            break
        batch.append(Planned(line=line, key=key, values=values, label=label))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_file(
    spec: ImportSpec,
    name: str,
    content: bytes,
    context: Any,
    *,
    good_rows_only: bool = False,
    progress: Progress | None = None,
) -> Outcome:
    """Check the file, then — unless a row is wrong and `good_rows_only` is not set — import
    its valid rows batch by batch. The outcome counts what the import did (unchanged rows
    as SAME, so a second import of the same file reports 0 changes) and the rows refused."""
    with tempfile.TemporaryFile(prefix="kehu-import-") as spill:
        checked = check(spec, name, content, context, spill=spill, progress=progress)
        if checked.file_errors or (checked.counts[ERROR] and not good_rows_only):
            return checked
        outcome = Outcome(
            errors=checked.errors,
            rows=checked.rows,
            dry_run=False,
            ignored_headings=checked.ignored_headings,
        )
        outcome.counts[ERROR] = checked.counts[ERROR]
        outcome.samples[ERROR] = checked.samples[ERROR]
        valid = checked.rows - checked.counts[ERROR]
        layout = Layout([], [], [], [])
        done = 0
        for batch in _spilled(spill, spec.batch_size):
            with transaction.atomic():
                planned = _plan_batch(spec, context, batch, outcome, layout, [], None)
                changed = [r for r in planned if r.action in (NEW, UPDATE)]
                if changed:
                    spec.apply(changed, context)
            outcome.batches += 1
            done += len(batch)
            if progress:
                progress(done, valid, _("Importing rows"))
        outcome.imported = outcome.changed > 0
        return outcome
