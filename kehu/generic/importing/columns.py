"""What a record type's import declares about one column, and how the file's headings are
matched to the declared columns (Chinese or English, tolerant of spaces, full-width
characters, case and a trailing "(必填)"/"*")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from kehu.generic.importing import values

_NOISE = re.compile(r"[\s*＊:：_\-]|[(（][^)）]*[)）]$")


def heading_key(text: Any) -> str:
    """The comparable form of a heading: NFKC (full-width to half-width), no spaces, stars,
    colons, underscores or hyphens, no trailing bracketed remark, lower case."""
    normal = unicodedata.normalize("NFKC", str(text or "")).strip()
    previous = None
    while previous != normal:
        previous = normal
        normal = _NOISE.sub("", normal)
    return normal.lower()


@dataclass(frozen=True)
class Column:
    """One column: the record's `field`, its Chinese and English headings (plus `aliases`),
    the parser from a cell to a value (raises ValidationError with a message for the user),
    whether a row must give it, and what the template's second sheet says of it."""

    field: str
    zh: str
    en: str
    parse: Callable[[Any], Any] = values.text
    required: bool = False
    help: Any = ""
    allowed: Any = ""
    example: Any = ""
    aliases: tuple[str, ...] = ()

    def heading_keys(self) -> set[str]:
        return {heading_key(h) for h in (self.zh, self.en, self.field, *self.aliases)}


@dataclass
class Layout:
    """Which declared column each of the file's columns is (None: not imported)."""

    headings: list[str]
    columns: list[Column | None]
    missing: list[Column]
    repeated: list[str]

    @cached_property
    def plan(self) -> list[tuple[int, str, Column]]:
        """(index, heading, column) of the file's imported columns."""
        return [
            (i, h, c) for i, (h, c) in enumerate(zip(self.headings, self.columns, strict=True)) if c
        ]

    @property
    def fields(self) -> set[str]:
        return {c.field for c in self.columns if c is not None}


def match_headings(headings: Sequence[Any], declared: Sequence[Column]) -> Layout:
    by_key: dict[str, Column] = {}
    for each in declared:
        for key in each.heading_keys():
            by_key.setdefault(key, each)
    matched: list[Column | None] = []
    seen: set[str] = set()
    repeated: list[str] = []
    for heading in headings:
        column: Column | None = by_key.get(heading_key(heading))
        if column is not None and column.field in seen:
            repeated.append(str(heading))
            column = None
        if column is not None:
            seen.add(column.field)
        matched.append(column)
    missing = [c for c in declared if c.required and c.field not in seen]
    return Layout([str(h) for h in headings], matched, missing, repeated)
