"""Upload checks: size, type decided by the content, archives and executables
refused, harmless names. A refused file raises ValidationError before anything is stored.

Office files: .docx and .xlsx are ZIP containers. They are allowed only for the document
types that list them (survey forms, financial statements), and only when the container holds
nothing but the parts of a plain document: macros (vbaProject.bin), embedded objects
(embeddings/, activeX/) and an implausible expansion ratio (ZIP bombs) are refused. Any other
ZIP, every other archive format, executables and the old binary Office formats are refused.
Active content that survives the type check (PDF scripts, polyglots, lying ZIP sizes) is
refused by `active_content`.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kehu.infra import active_content

_OFFICE = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word/",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xl/",
}
_REFUSED_PREFIXES = ("application/x-", "application/zip", "application/gzip", "application/vnd.ms")
_ARCHIVE_OR_PROGRAM = {
    "application/zip", "application/x-tar", "application/x-rar-compressed", "application/gzip",
    "application/x-bzip2", "application/x-7z-compressed", "application/x-xz", "application/zstd",
    "application/x-msdownload", "application/x-executable", "application/x-deb",
    "application/x-rpm", "application/vnd.ms-cab-compressed", "application/x-unix-archive",
    "application/x-compress", "application/x-lzip", "application/x-lz4", "application/x-lzop",
    "application/x-brotli", "application/wasm", "application/epub+zip",
    "application/x-shockwave-flash", "application/x-google-chrome-extension",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/x-sqlite3",
}  # fmt: skip
_SCRIPT_HEADS = (
    b"#!",
    b"MZ",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"\x7fELF",
    b"\xca\xfe\xba\xbe",
    b"\xcf\xfa\xed\xfe",
    b"PK",
)
# Content types a stored file may have, decided from its bytes.
CONTENT_TYPE_CHOICES = [
    ("application/pdf", "PDF"),
    ("image/jpeg", "JPEG"),
    ("image/png", "PNG"),
    ("image/tiff", "TIFF"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (docx)"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (xlsx)"),
]
_LABELS = dict(CONTENT_TYPE_CHOICES)


def max_bytes() -> int:
    return int(settings.KEHU_DOCUMENT_MAX_MB) * 1024 * 1024


def safe_name(name: str) -> str:
    """The original file name as harmless metadata: last path part only (both slash kinds),
    no control characters, no leading dots, at most 200 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name or "file"


def _office_ok(upload: Any, content_type: str) -> bool:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            names = [i.filename for i in infos]
            packed = sum(i.compress_size for i in infos) or 1
            unpacked = sum(i.file_size for i in infos)
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names or not any(
        n.startswith(_OFFICE[content_type]) for n in names
    ):
        return False
    lowered = [n.lower() for n in names]
    if any(
        "vbaproject" in n or "/embeddings/" in n or "/activex/" in n or n.endswith(".bin")
        for n in lowered
    ):
        return False
    return unpacked <= 200 * 1024 * 1024 and unpacked / packed <= 100


def sniff(upload: Any) -> str:
    """The content type decided from the bytes ("" when unknown)."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    return sniff_head(head)


def sniff_head(head: bytes) -> str:
    """The content type decided from a file's first bytes ("" when unknown)."""
    kind = filetype.guess(head)
    if kind is None:
        if head.startswith(_SCRIPT_HEADS):
            return "application/x-executable"
        return ""
    return str(kind.mime)


def check_upload(upload: Any, allowed: list[str]) -> str:
    """Validate an uploaded file; return its content type. Raises ValidationError."""
    size = getattr(upload, "size", None)
    if not size:
        raise ValidationError({"file": [_("The file is empty.")]})
    if size > max_bytes():
        raise ValidationError(
            {
                "file": [
                    _("The file is larger than %(limit)s MB.")
                    % {"limit": settings.KEHU_DOCUMENT_MAX_MB}
                ]
            }
        )
    content_type = sniff(upload)
    if content_type in _ARCHIVE_OR_PROGRAM or (
        content_type.startswith(_REFUSED_PREFIXES) and content_type not in _OFFICE
    ):
        raise ValidationError({"file": [_("Archives and programs cannot be kept in a dossier.")]})
    if content_type in _OFFICE and not _office_ok(upload, content_type):
        raise ValidationError(
            {
                "file": [
                    _(
                        "This Office file contains macros or embedded objects, or is damaged; "
                        "save it as PDF and upload that."
                    )
                ]
            }
        )
    if content_type not in allowed:
        kinds = ", ".join(str(_LABELS.get(t, t)) for t in allowed)
        raise ValidationError(
            {
                "file": [
                    _("This type of document accepts only: %(kinds)s. The file is not one of them.")
                    % {"kinds": kinds}
                ]
            }
        )
    reason = active_content.refusal(upload, content_type)
    if reason:
        raise ValidationError({"file": [reason]})
    return content_type
