"""The customer roster import (IO-1), declared for the one importer (kehu.generic.importing):
columns, checks with the form's rules, upsert on the business key, bulk writes."""
