"""The one importer (IO-1): a record type declares its columns, business key, bulk lookup and
how a batch is applied (`ImportSpec`); the engine reads xlsx or CSV (`kehu.infra.tabular`),
checks every row, previews (dry run), writes the error report and the template, and imports
in committed batches, upserting on the business key."""

from kehu.generic.importing.columns import Column, heading_key
from kehu.generic.importing.engine import Outcome, check, import_file
from kehu.generic.importing.spec import ERROR, NEW, SAME, UPDATE, ImportSpec, Planned

__all__ = [
    "ERROR",
    "NEW",
    "SAME",
    "UPDATE",
    "Column",
    "ImportSpec",
    "Outcome",
    "Planned",
    "check",
    "heading_key",
    "import_file",
]
