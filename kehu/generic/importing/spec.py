"""What a record type declares to be imported (`ImportSpec`), and the plan of one row."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from kehu.generic.importing.columns import Column

NEW, UPDATE, SAME, ERROR = "new", "update", "same", "error"


@dataclass
class Planned:
    """A valid row and what importing it does: create (`existing` None), update the fields
    in `changes` ({field: [before, after]}), or nothing."""

    line: int
    key: Hashable
    values: dict[str, Any]
    label: str
    existing: Any = None
    action: str = NEW
    changes: dict[str, list[Any]] = field(default_factory=dict)


class ImportSpec:
    """One record type's import. The engine (kehu.generic.importing.engine) reads the file,
    matches headings to `columns`, parses cells, and calls, per row, `clean` and `key`, then
    per batch `lookup` and `plan`, and — when importing — `apply` inside the batch's
    transaction. `context` is whatever the record type needs (the acting user, the target
    department); the engine passes it through."""

    kind = ""
    label: Any = ""
    # Rows per lookup and per committed transaction.
    batch_size = 500

    def columns(self, context: Any) -> list[Column]:
        raise NotImplementedError

    def clean(self, values: dict[str, Any], context: Any) -> dict[str, Any]:
        """The row's values checked and normalised as the record's form does; raises
        ValidationError ({field: [messages]} or a list) when the row is wrong."""
        return values

    def key(self, cleaned: dict[str, Any]) -> Hashable:
        """The business key: rows with equal keys are the same record."""
        raise NotImplementedError

    def describe(self, cleaned: dict[str, Any]) -> str:
        """How the preview names the row's record."""
        return str(self.key(cleaned))

    def key_name(self, cleaned: dict[str, Any]) -> str:
        """What the business key is, for the message on a repeated row."""
        return ""

    def lookup(self, keys: list[Hashable], context: Any) -> dict[Hashable, Any]:
        """The stored records of these keys, read in a few queries."""
        raise NotImplementedError

    def plan(self, row: Planned, context: Any) -> None:
        """Set `row.action` and `row.changes` from `row.existing`; raise ValidationError when
        the row may not be imported (an existing record the user may not change)."""
        raise NotImplementedError

    def apply(self, rows: list[Planned], context: Any) -> None:
        """Write the batch's new and updated rows (in the engine's transaction), audited."""
        raise NotImplementedError
