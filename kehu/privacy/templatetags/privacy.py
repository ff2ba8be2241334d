"""`{% sensitive obj "field" %}`: a value as the user may see it — masked, with a link to
reveal it (reason asked, audited) when the user may."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from kehu.audit import purpose
from kehu.core import masking
from kehu.core.selectors import attach_users
from kehu.generic.templatetags.kehu import display

register = template.Library()


def reveal_url(obj: Any, field: str) -> str:
    return reverse("privacy:reveal", args=[obj._meta.label_lower, obj.pk, field])


@register.simple_tag(takes_context=True)
def sensitive(context: Any, obj: Any, field: str) -> Any:
    value = getattr(obj, field, "")
    if masking.spec(obj, field) is None or not value:
        label = getattr(obj, f"get_{field}_display", None)
        return display(label() if label is not None and value else value)
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = masking.masked(obj, field, value)
    head, _fields = masking.revealed_with(obj, field)
    # A part of another value (an ID number's birth date) is revealed with it, by its link.
    if head == field and user is not None and masking.may_reveal(user, obj, field):
        return format_html(
            '<span data-masked="{}">{}</span> <a class="ms-1 small" href="{}" '
            'data-reveal="{}" title="{}"><i class="ti ti-eye"></i> {}</a>',
            field,
            shown,
            reveal_url(obj, field),
            field,
            _("Reveal (the reason is recorded)"),
            _("Reveal"),
        )
    return format_html('<span data-masked="{}">{}</span>', field, shown)


@register.inclusion_tag("privacy/_card_grants.html", takes_context=True)
def grants_panel(context: Any, customer: Any) -> dict[str, Any]:
    """The card's access grants: the list (with revoke) for those who may grant, and a
    notice for a user who sees the card through a grant."""
    from django.utils import timezone

    from kehu.privacy import grants

    request = context.get("request")
    user = getattr(request, "user", None)
    can_grant = user is not None and grants.may_grant(user, customer)
    on_customer = grants.customer_grants().filter(object_id=str(customer.pk))
    now = timezone.now()
    # Running grants have no revoker; their users are read only when there are grants.
    running = on_customer.filter(revoked_at__isnull=True, until__gt=now).select_related(None)
    # The card's context says when the customer has no running grant (customers.card).
    any_running = context.get("customer_has_grants", True)
    rows = list(running) if can_grant and any_running else []
    attach_users((rows, "user"), (rows, "granted_by"))
    mine = None
    if can_grant and user is not None:  # the user's own grant is among the rows
        mine = max((r for r in rows if r.user_id == user.pk), key=lambda r: r.until, default=None)
    elif any_running and user is not None and user.is_authenticated:
        mine = running.filter(user=user).order_by("-until").first()
    return {
        "request": request,
        "obj": customer,
        "now": now,
        "can_grant": can_grant,
        "rows": rows,
        "mine": mine,
    }


@register.filter(name="label")
def model_label(obj: Any) -> str:
    return str(obj._meta.label_lower)


@register.inclusion_tag("privacy/_consents.html", takes_context=True)
def consents_panel(context: Any, subject: Any) -> dict[str, Any]:
    """Consents of an individual customer or a contact, with record / withdraw for those who
    may change the customer."""
    from kehu.privacy import consent, profile

    request = context.get("request")
    user = getattr(request, "user", None)
    person = consent.is_person(subject)
    return {
        "request": request,
        "obj": subject,
        "person": person,
        "consents": list(consent.consents_of(subject)) if person else [],
        "can_manage": person and user is not None and consent.may_manage(user, subject),
        "can_profile": subject._meta.label_lower == "customers.contact"
        and user is not None
        and profile.may_open(user, subject),
    }


@register.inclusion_tag("privacy/_disclosures_panel.html", takes_context=True)
def disclosure_action(context: Any, customer: Any) -> dict[str, Any]:
    """The card's link to request a provision of the customer's data, for those who may."""
    from kehu.privacy import disclosures

    user = getattr(context.get("request"), "user", None)
    return {
        "obj": customer,
        "may_disclose": user is not None and disclosures.may_request(user, customer),
    }


@register.inclusion_tag("privacy/_purpose_indicator.html", takes_context=True)
def purpose_indicator(context: Any) -> dict[str, Any]:
    """The header's "purpose of use: … (change)" for the signed-in user's session."""
    request = context.get("request")
    return {
        "request": request,
        "purpose_label": purpose.label(purpose.session_purpose(request)) if request else "",
    }
