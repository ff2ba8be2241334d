"""The filing's part of a customer's dossier package: the filing form (客户备案表, PDF) of
each filing of the customer the user may see, masked as when printed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kehu.customers.package import Package
from kehu.filing import printing, selectors


def filing_part(package: Package) -> None:
    filings = selectors.visible_filings(package.user).filter(customer=package.customer)
    rows: list[list[Any]] = [[_("filing number"), _("stage"), _("opened")]]
    for filing in filings.order_by("created_at", "pk"):
        content = printing.filing_form(filing, printed_by=package.user)
        package.add_file(f"filing/{filing.number}.pdf", content, _("Customer filing form"))
        rows.append([filing.number, filing.get_stage_display(), filing.created_at])
    if len(rows) > 1:
        package.section(_("Filings"), rows=rows)
