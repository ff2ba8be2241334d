"""The interactions' part of a customer's dossier package: the communication log, complaints,
surveys, research, visit plans, service tickets and purchases of the customer."""

from __future__ import annotations

from kehu.customers.package import Package

KINDS = (
    "interactions",
    "complaints",
    "surveys",
    "customer-research",
    "visit-plans",
    "service-tickets",
    "purchases",
)


def interactions_part(package: Package) -> None:
    for slug in KINDS:
        package.records(slug)
