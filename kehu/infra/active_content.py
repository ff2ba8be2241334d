"""Active content hidden in an upload that passed its type check: scripts and launch actions in
PDFs, a second format (HTML, ZIP, a program) hidden beyond the first magic bytes (polyglots),
and Office containers whose stated sizes lie about what they inflate to.

Each check reads the whole file (in chunks where it can) and returns a refusal reason or "".
The PDF structure is read with pypdf, so that names spelt with #-escapes and objects packed in
compressed object streams are seen as a PDF reader sees them."""

from __future__ import annotations

import io
import logging
import re
import struct
import zipfile
import zlib
from typing import Any

from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

PDF = "application/pdf"

# PDF keys that run code, start programs, carry files or submit data.
_PDF_ACTIVE_KEYS = {
    "/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA",
    "/AA", "/SubmitForm", "/ImportData", "/GoToE", "/Sound", "/Movie", "/Rendition",
}  # fmt: skip
_PDF_ACTIVE_ACTIONS = {
    "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute",
    "/Rendition", "/Sound", "/Movie",
}  # fmt: skip

# Markers of HTML or script that a browser or a viewer would act on. Each is long enough that
# random compressed image data practically never contains it.
_HTML = re.compile(
    rb"<\s*(?:script|iframe|frameset|object|embed)[\s/>]|<\s*(?:html|svg|body)[\s>]"
    rb"|<!doctype\s+html|javascript:|vbscript:|\bon(?:load|error|mouseover)\s*=|<\?php",
    re.IGNORECASE,
)
_DOS_STUB = b"This program cannot be run in DOS mode"
_ELF = re.compile(rb"\x7fELF[\x01\x02][\x01\x02]\x01")
_ZIP_LOCAL = b"PK\x03\x04"

# Limits for what an Office container may inflate to, counted while inflating.
OFFICE_MAX_INFLATED = 200 * 1024 * 1024
OFFICE_MAX_RATIO = 100
_CHUNK = 1024 * 1024

_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_MAX_INFLATED = 64 * 1024 * 1024
# Files up to this size are also read whole, for the scan of every PDF stream's inflated bytes;
# larger ones are scanned in chunks and through pypdf only (their memory stays bounded).
FULL_SCAN_BYTES = 64 * 1024 * 1024
_SCAN_CHUNK = 8 * 1024 * 1024
_OVERLAP = 1024

logging.getLogger("pypdf").setLevel(logging.ERROR)


def refusal(upload: Any, content_type: str) -> str:
    """Why the upload (already sniffed as `content_type`) must not be kept, or ""."""
    is_office = content_type.startswith("application/vnd.openxmlformats")
    if not is_office:
        hidden = _hidden_format(upload)
        if hidden:
            return hidden
    if content_type == PDF:
        return _pdf_refusal(upload)
    if is_office:
        return _office_refusal(_read_all(upload))
    return ""


def _read_all(upload: Any) -> bytes:
    upload.seek(0)
    content = bytes(upload.read())
    upload.seek(0)
    return content


def _chunks(upload: Any) -> Any:
    """The file in overlapping chunks, so that a marker across a boundary is still seen."""
    upload.seek(0)
    tail = b""
    while block := upload.read(_SCAN_CHUNK):
        yield tail + block
        tail = block[-_OVERLAP:]
    upload.seek(0)


def _hidden_format(upload: Any) -> str:
    upload.seek(0)
    if zipfile.is_zipfile(upload):
        upload.seek(0)
        return _("The file has another file (an archive or a program) hidden inside it.")
    for number, chunk in enumerate(_chunks(upload)):
        if _HTML.search(chunk):
            return _("The file also contains web page or script code; it cannot be kept.")
        if _DOS_STUB in chunk or _ELF.search(chunk, 0 if number else 1) or _has_zip(chunk):
            return _("The file has another file (an archive or a program) hidden inside it.")
    return ""


def _has_zip(content: bytes) -> bool:
    """A ZIP local file header with plausible fields (7-Zip and others scan for those; a ZIP
    readable by unzip tools, its end record near the end, is found by `is_zipfile`)."""
    start = content.find(_ZIP_LOCAL)
    while start != -1:
        header = content[start : start + 30]
        if len(header) == 30:
            version, _flags, method = struct.unpack("<HHH", header[4:10])
            name_length = struct.unpack("<H", header[26:28])[0]
            name = content[start + 30 : start + 30 + name_length]
            plausible = version <= 63 and method in (0, 8, 12, 14) and 0 < name_length <= 255
            if plausible and len(name) == name_length and all(32 <= b < 127 for b in name):
                return True
        start = content.find(_ZIP_LOCAL, start + 1)
    return False


def _pdf_refusal(upload: Any) -> str:
    active = _("The PDF contains scripts, actions or embedded files; print it to a new PDF first.")
    if upload.size <= FULL_SCAN_BYTES and _raw_pdf_names(_read_all(upload)) & _PDF_ACTIVE_KEYS:
        return active
    try:
        upload.seek(0)
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            return _("Encrypted PDFs cannot be kept; save it without a password.")
        found = _structure_is_active(reader)
    except Exception:  # pypdf cannot walk it; the raw scan above has read every stream
        found = False
    finally:
        upload.seek(0)
    return active if found else ""


def _raw_pdf_names(content: bytes) -> set[bytes | str]:
    """Every name in the file's bytes and in its Flate streams (object streams included), with
    #-escapes decoded: what a lenient reader would find even where pypdf gives up."""
    texts = [content]
    for match in _STREAM.finditer(content):
        inflater = zlib.decompressobj()
        try:
            texts.append(inflater.decompress(match.group(1), _PDF_MAX_INFLATED))
        except zlib.error:
            continue
    names: set[bytes | str] = set()
    for text in texts:
        for token in _NAME.findall(text):
            names.add(_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), token).decode("latin-1"))
    return names


def _structure_is_active(reader: PdfReader) -> bool:
    seen: set[int] = set()
    pending: list[Any] = [reader.trailer]
    pending += [IndirectObject(n, g, reader) for n, g in _object_numbers(reader)]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            if _PDF_ACTIVE_KEYS & set(item.keys()):
                return True
            if str(item.get("/S", "")) in _PDF_ACTIVE_ACTIONS:
                return True
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return False


def _object_numbers(reader: Any) -> list[tuple[int, int]]:
    """Every object of the file, including those packed in object streams."""
    numbers = [
        (number, generation) for generation, entries in reader.xref.items() for number in entries
    ]
    numbers += [(number, 0) for number in reader.xref_objStm]
    return numbers


def _office_refusal(content: bytes) -> str:
    """Inflate every member, counting real bytes: a central directory that under-states the
    sizes (a ZIP bomb in disguise) is caught while inflating, not trusted."""
    damaged = _(
        "This Office file contains macros or embedded objects, or is damaged; "
        "save it as PDF and upload that."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            total = 0
            for info in archive.infolist():
                inflated = _inflated_size(content, info, OFFICE_MAX_INFLATED - total)
                if inflated is None or inflated != info.file_size:
                    return damaged
                total += inflated
    except (zipfile.BadZipFile, OSError, ValueError, zlib.error, struct.error):
        return damaged
    if total > OFFICE_MAX_INFLATED or total > OFFICE_MAX_RATIO * max(len(content), 1):
        return damaged
    return ""


def _inflated_size(content: bytes, info: zipfile.ZipInfo, budget: int) -> int | None:
    """The member's real inflated size, or None when it is over budget or not a whole
    stored/deflated stream."""
    offset = info.header_offset
    header = content[offset : offset + 30]
    if header[:4] != _ZIP_LOCAL:
        return None
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_length + extra_length
    raw = content[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        return len(raw)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return None
    inflater = zlib.decompressobj(-15)
    size = 0
    data = raw
    while data:
        size += len(inflater.decompress(data, _CHUNK))
        if size > budget:
            return None
        data = inflater.unconsumed_tail
    size += len(inflater.flush())
    return size if inflater.eof and size <= budget else None
