"""The documents' part of a customer's dossier package: each document's current version (or
every version, when asked) in its original format, decrypted from the storage, and a section
of the card listing them. A version the user may not open (its sensitivity tier) is named as
left out; a file whose content no longer matches its recorded SHA-256 is marked."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from kehu.core import policy, storage
from kehu.customers.package import Package
from kehu.documents.models import Document, DocumentVersion
from kehu.documents.opening import may_open_version

UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def _name(version: DocumentVersion) -> str:
    document = version.document
    original = UNSAFE.sub("_", version.original_name).lstrip(".") or "file"
    return f"documents/{document.doc_type.code}/v{version.number}-{original}"


def documents_part(package: Package) -> None:
    user, customer = package.user, package.customer
    documents = policy.rows_of(
        user, Document.objects.select_related("doc_type"), "customer", customer
    ).order_by("doc_type__code")
    rows = []
    for document in documents:
        document.customer = customer
        versions = DocumentVersion.objects.filter(document=document).order_by("number")
        if not package.all_versions:
            versions = versions.filter(pk=document.current_id or 0)
        for version in versions:
            version.document = document
            current = version.pk == document.current_id
            rows.append(
                [
                    document.doc_type.name,
                    str(version.number) + ("" if current else f" ({_('superseded')})"),
                    version.original_name,
                    version.issued_on,
                    version.expires_on,
                    version.sha256,
                ]
            )
            if not may_open_version(user, version):
                package.leave_out(_name(version), _("You may not open this document."))
                continue
            packed = package.add_file(_name(version), storage.iter_plain(version.stored_name))
            if packed.sha256 != version.sha256:
                package.leave_out(packed.path, _("Its content differs from the recorded SHA-256."))
    if rows:
        header = [
            _("document type"),
            _("version"),
            _("original file name"),
            _("issued on"),
            _("expires on"),
            "SHA-256",
        ]
        package.section(_("Documents"), rows=[header, *rows])
