"""Reads of filings shared by the pages, the API, the PDF and the customer card."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.core import policy
from kehu.core.navigation import with_return
from kehu.customers.card import CardPanel
from kehu.customers.models import Customer, CustomerKind, CustomerStatus
from kehu.documents.models import Document
from kehu.filing import checklist, monitoring
from kehu.filing.models import FINAL_STAGES, CheckResult, Filing
from kehu.workflow.selectors import open_steps_for

# The review item recording the check of the legal representative's ID original.
ID_ORIGINAL = "id_original:legal_rep"


def filing_rows() -> QuerySet[Filing]:
    """Filings with their customer (and its owner), unit and opener."""
    return Filing.objects.select_related("customer", "customer__owner", "unit", "opened_by")


def visible_filings(user: Any) -> QuerySet[Filing]:
    return policy.scope(user, filing_rows())


def open_filing_of(customer: Customer) -> Filing | None:
    return Filing.objects.filter(customer=customer).exclude(stage__in=FINAL_STAGES).first()


def can_open(user: Any, customer: Customer) -> bool:
    """An account manager (or department head) may file a customer they may change that is a
    prospect (or was rejected) and has no filing under way."""
    return _can_open(user, customer, open_filing_of(customer))


def _can_open(user: Any, customer: Customer, open_filing: Filing | None) -> bool:
    return (
        policy.has_perm(user, "filing.filing.add")
        and policy.has_perm(user, "customers.customer.change", customer)
        and customer.status in (CustomerStatus.PROSPECT, getattr(CustomerStatus, "REJECTED", ""))
        and not customer.merged_into_id
        and open_filing is None
    )


def can_withdraw(user: Any, filing: Filing) -> bool:
    """The account manager of the customer, whoever opened the filing, or a department head."""
    return filing.is_open and (
        user.pk in (filing.opened_by_id, filing.customer.owner_id)
        or policy.has_perm(user, "filing.filing.change", filing)
    )


CARD_FILINGS = 10


def card_filings(user: Any, customer: Customer) -> tuple[list[Filing], Filing | None]:
    """The card's filings (newest first, those the user may see) and the open one, visible
    or not (the lifecycle asks whether a filing is under way): one query when the user sees
    all of the customer's filings, whose newest is the open one if any (one at a time)."""
    rows = Filing.objects.filter(customer=customer)  # deciders: attached by the card
    if policy.sees_all_of(user, Filing, "view", "customer", customer):
        filings = list(rows[:CARD_FILINGS])
        open_filing = filings[0] if filings and filings[0].is_open else None
    else:
        filings = list(policy.scope(user, rows)[:CARD_FILINGS])
        open_filing = open_filing_of(customer)
    for filing in filings:
        filing.customer = customer  # known: not joined again
    return filings, open_filing


def card_panel(request: Any, customer: Customer) -> CardPanel:
    """The filing panel; while a filing is under way its outcome decides the status."""
    filings, open_filing = card_filings(request.user, customer)
    return CardPanel(
        card_context(request, customer, filings, open_filing),
        attach_users=((filings, "decided_by"),),
        locks_lifecycle=open_filing is not None,
    )


def watch_list_panel(request: Any, customer: Customer) -> CardPanel:
    """The card's watch-list alert: the customer's hits not cleared, and whether the reader
    may clear them (compliance)."""
    return CardPanel(
        {
            "watch_hits": monitoring.open_hits(customer),
            "can_clear_hits": policy.has_perm(request.user, "filing.watchlisthit.change"),
        }
    )


def filing_under_way(customer: Customer) -> bool:
    return open_filing_of(customer) is not None


def card_context(
    request: Any, customer: Customer, filings: list[Filing], open_filing: Filing | None
) -> dict[str, Any]:
    """The customer card's filing panel: the filings (`card_filings`), the open one's
    checklist."""
    current = next((f for f in filings if f.is_open), None)
    entries = checklist.evaluate(customer, filing=current) if current else []
    return {
        "filings": filings,
        "current_filing": current,
        "filing_missing": checklist.missing(entries),
        "can_open_filing": _can_open(request.user, customer, open_filing),
    }


def home_stats(user: Any) -> list[tuple[Any, int, str]]:
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    stats: list[tuple[Any, int, str]] = []
    if policy.has_perm(user, "filing.filing.view"):
        open_filings = visible_filings(user).exclude(stage__in=FINAL_STAGES)
        stats.append(
            (gettext_lazy("Filings under way"), open_filings.count(), reverse("filing:list"))
        )
    if policy.has_perm(user, "filing.watchlisthit.change"):
        # Compliance: the customers it sees that are flagged and not cleared.
        customers = policy.scope(user, Customer.objects.all())
        flagged = monitoring.customers_flagged(customers, "watch_list", "open").count()
        link = reverse("generic:customers_list") + "?watch_list=open"
        stats.append((gettext_lazy("Customers on the watch list"), flagged, link))
    return stats


# --- the filing page --------------------------------------------------------------------


def my_step(filing: Filing, user: Any) -> Any:
    """The open (or waiting) step of this filing the user may act on, if any."""
    if filing.case is None or not filing.is_open:
        return None
    steps = open_steps_for(user, filing.case)
    return steps[0] if steps else None


def outcomes(step: Any) -> dict[str, Any]:
    from kehu.filing.processes import FilingProcess

    return dict(FilingProcess.steps[step.key].outcomes)


def licence_fact(customer: Customer) -> tuple[str, bool]:
    """What the dossier says of the business licence's validity, and whether it is valid."""
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    document = Document.objects.filter(
        customer=customer, doc_type__code="business_licence", current__isnull=False
    ).first()
    if document is None:
        return _("no business licence in the dossier"), False
    until: datetime.date | None = document.expires_on or customer.licence_valid_until
    if until is None:
        return _("valid, no expiry date"), True
    if until < today:
        return _("expired on %(date)s") % {"date": until.isoformat()}, False
    return _("valid until %(date)s") % {"date": until.isoformat()}, True


def review_items(filing: Filing, step_key: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The items a review checks (key, label) and the suggested results."""
    from kehu.filing import watchlist

    customer = filing.customer
    initial: dict[str, str] = {}
    if step_key == "initial_review":
        entries = checklist.evaluate(customer, filing=filing)
        items = [(e.key, f"{e.label}" + (f"（{e.detail}）" if e.detail else "")) for e in entries]
        items += [
            ("consistency:capital_scope", _("Registered capital matches the business scope")),
            ("consistency:contacts", _("Contact details are valid")),
        ]
        if customer.kind == CustomerKind.ORGANIZATION:
            # 需核对身份证原件: the reviewer records the check of the original (FIL-9).
            items.append((ID_ORIGINAL, _("The legal representative's ID original was checked")))
        for e in entries:
            initial[f"result__{e.key}"] = CheckResult.OK if e.present else CheckResult.MISSING
        return items, initial
    licence, valid = licence_fact(customer)
    hits = list(watchlist.matches(customer))
    listed = "; ".join(f"{h.get_list_kind_display()}: {h.name}" for h in hits)
    items = [
        ("licence", _("Licence validity (%(licence)s)") % {"licence": licence}),
        (
            "watch_list",
            _("Watch list check (%(result)s)") % {"result": listed or _("not listed")},
        ),
        ("contract_terms", _("Contract terms (payment, liability for breach)")),
    ]
    initial["result__licence"] = CheckResult.OK if valid else CheckResult.MISSING
    initial["result__watch_list"] = CheckResult.DOUBTFUL if hits else CheckResult.OK
    return items, initial


def detail_context(filing: Filing, user: Any) -> dict[str, Any]:
    from kehu.filing.models import Review

    customer = filing.customer
    entries = checklist.evaluate(customer, filing=filing)
    steps: list[Any] = []
    if filing.case is not None:
        steps = list(
            filing.case.steps.select_related("completed_by", "assignee_user").order_by("pk")
        )
    checks = list(filing.checks.select_related("checked_by"))
    return {
        "entries": entries,
        "fulfil": fulfil_links(entries, filing, user),
        "missing": checklist.missing(entries),
        "steps": steps,
        "reviews": [
            (review.label, [c for c in checks if c.review == review])
            for review in Review
            if any(c.review == review for c in checks)
        ],
        "risk_report": getattr(filing, "risk_report", None),
        "can_withdraw": can_withdraw(user, filing),
        "id_original_check": id_original_check(checks),
        "can_set_signatory": may_set_signatory(user, filing),
    }


def may_set_signatory(user: Any, filing: Filing) -> bool:
    """Whoever keeps the customer's data, while the filing is under way."""
    return filing.is_open and policy.has_perm(user, "customers.customer.change", filing.customer)


def id_original_check(checks: list[Any]) -> Any:
    """The initial review's check of the legal representative's ID original (who, when), if
    it was found in order."""
    return next((c for c in checks if c.key == ID_ORIGINAL and c.result == CheckResult.OK), None)


def fulfil_links(entries: list[checklist.Entry], filing: Filing, user: Any) -> dict[str, Any]:
    """For each missing or expired checklist item the user may fulfil: (label, address) of
    the page where it is fulfilled (add a contact or an account, upload that document type,
    edit the customer), which returns to the filing when saved."""
    customer = filing.customer
    back = reverse("filing:detail", args=[filing.pk])
    may_edit = policy.has_perm(user, "customers.customer.change", customer)
    may_upload = policy.has_perm(user, "documents.document.add", customer)
    links: dict[str, Any] = {}
    for entry in entries:
        if entry.present:
            continue
        if entry.kind == "document" and may_upload:
            url = reverse("documents:upload", args=[customer.pk])
            code = entry.key.removeprefix("doc:")
            label = _("Upload again") if entry.state == checklist.EXPIRED else _("Upload")
            links[entry.key] = (label, with_return(url, back, type=code))
        elif entry.key == "field:contacts" and may_edit:
            url = reverse("generic:contacts_add")
            links[entry.key] = (_("Add contact"), with_return(url, back, customer=customer.pk))
        elif entry.key == "field:bank_accounts" and may_edit:
            url = reverse("generic:bank-accounts_add")
            links[entry.key] = (
                _("Add bank account"),
                with_return(url, back, customer=customer.pk, account_name=customer.name),
            )
        elif entry.kind == "field" and may_edit:
            url = reverse("generic:customers_edit", args=[customer.pk])
            links[entry.key] = (_("Edit customer"), with_return(url, back))
    return links


def review_summary(filing: Filing) -> list[dict[str, Any]]:
    """Per review (initial, second): the checks it recorded, and the items it should have
    checked but recorded nothing for (shown to the approvers as a warning)."""
    from kehu.filing.models import Review

    recorded = list(filing.checks.select_related("checked_by"))
    summary = []
    for review, step_key in ((Review.INITIAL, "initial_review"), (Review.SECOND, "second_review")):
        checks = [c for c in recorded if c.review == review]
        keys = {c.key for c in checks}
        items, _initial = review_items(filing, step_key)
        summary.append(
            {
                "label": review.label,
                "checks": checks,
                "missing": [label for key, label in items if key not in keys],
            }
        )
    return summary
