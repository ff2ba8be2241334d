"""The archive's part of a customer's dossier package: the dossier's catalogue (卷内目录) as
PDF and its filed items, for whoever may see the dossier."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kehu.archives import pdfs, selectors
from kehu.core import policy
from kehu.customers.package import Package


def archives_part(package: Package) -> None:
    dossier = policy.scope(package.user, selectors.dossier_rows()).filter(customer=package.customer)
    found = dossier.first()
    if found is None:
        return
    content = pdfs.dossier_catalogue(found, package.user)
    package.add_file(
        f"archive/{found.archive_number or found.pk}.pdf", content, _("Archive catalogue")
    )
    package.records("archive-items", "dossier__customer")
