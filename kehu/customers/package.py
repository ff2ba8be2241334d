"""The complete dossier package of one customer (IO-2): a zip holding a PDF of the card with
every section, the customer's history, the files other contexts keep of it (documents in
their original format, filing forms, …) and an index PDF naming every file with its SHA-256.

The customers app knows none of those contexts: each registers a part in its `ready`
(`register_part`), as it registers a card panel, and adds its sections and files through the
`Package` it is given. Values are masked as everywhere; a user who may reveal them and asks
(with a reason) gets them in plain text, and each object so revealed is a `.reveal` event.
The zip is written to a temporary file, one file at a time, so memory does not grow with the
dossier."""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.audit.services import record
from kehu.core import masking, policy
from kehu.customers.models import Customer
from kehu.generic import registry
from kehu.generic.cells import cell_value
from kehu.infra import pdf

# Bytes read from a source file per step.
READ_CHUNK = 256 * 1024


@dataclass
class Section:
    """A section of the card PDF: key/value pairs, then a table (header row first)."""

    title: str
    pairs: list[tuple[str, str]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class PackedFile:
    path: str
    size: int
    sha256: str
    note: str = ""


type Source = bytes | Iterable[bytes] | Path


class Package:
    """What a part provider writes to: the card's sections and the zip's files."""

    def __init__(
        self,
        customer: Customer,
        user: Any,
        archive: zipfile.ZipFile,
        *,
        reveal: bool = False,
        reason: str = "",
        all_versions: bool = False,
    ) -> None:
        self.customer, self.user, self.archive = customer, user, archive
        self.reveal, self.reason, self.all_versions = reveal, reason, all_versions
        self.sections: list[Section] = []
        self.files: list[PackedFile] = []
        self.left_out: list[tuple[str, str]] = []
        self._revealed: dict[tuple[str, Any], tuple[Model, set[str]]] = {}

    def value(self, obj: Model, name: str) -> str:
        """`obj.name` as text: masked when sensitive, unless the user asked to reveal and may
        (then noted for the reveal's audit event)."""
        raw = getattr(obj, name, None)
        display = getattr(obj, f"get_{name}_display", None)
        if masking.spec(obj, name) is None:
            return text(display() if callable(display) else raw)
        if self.reveal and masking.may_reveal(self.user, obj, name):
            key = (obj._meta.label_lower, obj.pk)
            self._revealed.setdefault(key, (obj, set()))[1].add(name)
            return text(display() if callable(display) else raw)
        return text(masking.masked(obj, name, raw))

    def pairs(self, obj: Model, names: Iterable[str]) -> list[tuple[str, str]]:
        """(label, value) of `names` on `obj`, leaving out empty values."""
        shown = []
        for name in names:
            value = self.value(obj, name)
            if value:
                label = getattr(obj._meta.get_field(name), "verbose_name", name)
                shown.append((str(label), value))
        return shown

    def section(
        self,
        title: Any,
        pairs: Iterable[tuple[Any, Any]] = (),
        rows: Iterable[Iterable[Any]] = (),
        note: Any = "",
    ) -> None:
        self.sections.append(
            Section(
                str(title),
                [(str(k), text(v)) for k, v in pairs],
                [[text(v) for v in row] for row in rows],
                str(note),
            )
        )

    def records(self, slug: str, lookup: str = "customer", title: Any = None) -> int:
        """A section listing the customer's rows of a record type (those `lookup` ties to the
        customer, within the user's scope) with the type's list columns, masked as in its
        list; the number of rows."""
        rt = registry.get(slug)
        if not policy.has_perm(self.user, policy.perm_name(rt.model, "view")):
            return 0
        rows = policy.scope(self.user, rt.list_base_queryset()).filter(**{lookup: self.customer})
        columns = [c for c in rt.listing.columns if c.name.split(".")[0] != lookup]
        table = [[cell_value(row, c.name) for c in columns] for row in rows.order_by("pk")]
        if table:
            header = [rt.column_label(c) for c in columns]
            self.section(title or rt.verbose_name_plural, rows=[header, *table])
        return len(table)

    def add_file(self, path: str, source: Source, note: Any = "") -> PackedFile:
        """Write a file into the zip (bytes, byte chunks or a file on disk), hashing it."""
        path = _unique(path, {f.path for f in self.files})
        digest, size = hashlib.sha256(), 0
        with self.archive.open(path, "w", force_zip64=True) as target:
            for chunk in _chunks(source):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        packed = PackedFile(path, size, digest.hexdigest(), str(note))
        self.files.append(packed)
        return packed

    def leave_out(self, what: Any, why: Any) -> None:
        """Name something the package does not hold, and why (no permission, …)."""
        self.left_out.append((str(what), str(why)))

    def record_reveals(self) -> None:
        for obj, names in self._revealed.values():
            extra = {
                "field": sorted(names)[0],
                "fields": sorted(names),
                "via": "package",
                "reason": self.reason,
            }
            record(f"{obj._meta.label_lower}.reveal", obj, extra=extra)


type PartProvider = Callable[[Package], None]

_PARTS: list[PartProvider] = []


def register_part(provider: PartProvider) -> None:
    """Add a context's part of the package: `provider(package)` adds sections and files."""
    if provider not in _PARTS:
        _PARTS.append(provider)


def parts() -> list[PartProvider]:
    return list(_PARTS)


def text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if hasattr(value, "hour") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _chunks(source: Source) -> Iterable[bytes]:
    if isinstance(source, bytes):
        yield source
    elif isinstance(source, Path):
        with source.open("rb") as handle:
            while chunk := handle.read(READ_CHUNK):
                yield chunk
    else:
        yield from source


def _unique(path: str, taken: set[str]) -> str:
    if path not in taken:
        return path
    stem, dot, ext = path.rpartition(".")
    if not dot:
        stem, ext = path, ""
    n = 2
    while f"{stem}-{n}{dot}{ext}" in taken:
        n += 1
    return f"{stem}-{n}{dot}{ext}"


def build(
    customer: Customer,
    user: Any,
    target: IO[bytes],
    *,
    reveal: bool = False,
    reason: str = "",
    all_versions: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Package:
    """Write the package of `customer` as `user` may see it into `target` (a binary file)."""
    from kehu.customers import package_parts

    steps = [package_parts.customer_part, *parts(), package_parts.history_part]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        package = Package(
            customer, user, archive, reveal=reveal, reason=reason, all_versions=all_versions
        )
        for done, step in enumerate(steps):
            if progress:
                progress(done, len(steps) + 1)
            step(package)
        package.add_file("01-card.pdf", card_pdf(package))
        package.add_file("00-index.pdf", index_pdf(package))
    package.record_reveals()
    return package


def card_pdf(package: Package) -> bytes:
    customer = package.customer
    doc = pdf.Document(_("Customer card"), author=str(package.user), subject=customer.name)
    doc.heading(customer.name)
    for section in package.sections:
        doc.heading(section.title)
        if section.note:
            doc.paragraph(section.note, "small")
        if section.pairs:
            doc.key_values(section.pairs)
        if section.rows:
            doc.table(section.rows)
    return doc.build()


def index_pdf(package: Package) -> bytes:
    """Every file of the package with its size and SHA-256 (the index itself excepted)."""
    customer = package.customer
    doc = pdf.Document(_("Dossier package index"), author=str(package.user), subject=customer.name)
    doc.heading(customer.name)
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    doc.paragraph(_("Made for %(user)s at %(time)s") % {"user": package.user, "time": stamp})
    if package.reveal:
        doc.paragraph(_("Masked values shown in plain text where the user may reveal them."))
    rows = [[_("File"), _("Size (bytes)"), "SHA-256", _("Note")]]
    rows += [[f.path, str(f.size), f.sha256, f.note] for f in package.files]
    doc.table(rows, col_widths=[55, 20, 65, 30])
    if package.left_out:
        doc.heading(_("Not in this package"))
        doc.table([[_("What"), _("Why")], *[[a, b] for a, b in package.left_out]])
    return doc.build()


def temporary_zip() -> Any:
    return tempfile.NamedTemporaryFile(suffix=".zip")
