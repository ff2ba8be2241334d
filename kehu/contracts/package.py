"""The contract archive's part of a customer's dossier package: its projects and contracts."""

from __future__ import annotations

from kehu.customers.package import Package


def contracts_part(package: Package) -> None:
    package.records("projects")
    package.records("contracts")
