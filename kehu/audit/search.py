"""Searching the audit log as people name things: an action by its words in any language of
the site ("reveal", 查看明文, 客户 修改) or its code, a user by full name or login name, and a
customer by its whole trail (its own events and those of its contacts, accounts, documents,
filings and their records)."""

from __future__ import annotations

import functools
import re
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import CharField, ForeignKey, Model, Q
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kehu.audit.presentation import VERBS
from kehu.core.models import User

# Words of the screens for an action besides its label in the log (the button that does it).
VERB_ALIASES: dict[str, list[Any]] = {
    "create": [_("New")],
    "update": [_("Edit")],
    "reveal": [_("Reveal")],
    "login": [_("Sign in")],
    "logout": [_("Sign out")],
    "export": [_("Export")],
    "download": [_("Download")],
}

_SEPARATORS = re.compile(r"[\s·,，、]+")


def _in_each_language(text: Any) -> list[str]:
    """`text` (a lazy translation) in every language of the site, lower-cased."""
    words = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words.append(str(text).lower())
    return words


@functools.cache
def _verb_words() -> dict[str, tuple[str, ...]]:
    """Each verb of an action code with the words that name it (its code, its label and
    aliases in every language)."""
    return {
        verb: (
            verb,
            *_in_each_language(label),
            *[word for alias in VERB_ALIASES.get(verb, []) for word in _in_each_language(alias)],
        )
        for verb, label in VERBS.items()
    }


@functools.cache
def _model_words() -> dict[str, tuple[str, ...]]:
    """Each object type ("customers.contact") with its names in every language."""
    return {
        model._meta.label_lower: (
            *_in_each_language(model._meta.verbose_name),
            *_in_each_language(model._meta.verbose_name_plural),
        )
        for model in apps.get_models()
    }


def action_query(text: str) -> Q:
    """Events whose action matches every word of `text`: a part of its code, a verb's words
    ("reveal", 查看明文) or an object type's name (客户, contact). A word with a dot is a
    part of the code only."""
    query = Q()
    for word in (w.lower() for w in _SEPARATORS.split(text) if w):
        if "." in word:  # a part of a code ("core.user", "customer.reveal")
            query &= Q(action__icontains=word)
            continue
        verbs = [v for v, words in _verb_words().items() if any(word in w for w in words)]
        types = [t for t, words in _model_words().items() if any(word in w for w in words)]
        matches = Q(action__icontains=word)
        for verb in verbs:
            matches |= Q(action__endswith=f".{verb}")
        if types:
            matches |= Q(object_type__in=types)
        query &= matches
    return query


def user_query(text: str) -> Q:
    """Events by the user whose login name is `text`, or whose full name contains it."""
    text = text.strip()
    named = User.objects.filter(Q(full_name__icontains=text) | Q(username__iexact=text))
    return Q(actor_username__iexact=text) | Q(actor_id__in=named.values("pk"))


def _customer_links() -> list[tuple[type[Model], str]]:
    """(model, path to its customer's id) of every model that belongs to a customer: those
    with a foreign key to it (contacts, accounts, documents, filings, dossiers …) and those
    belonging to one of these (document versions, archive items …)."""
    customer_model = apps.get_model("customers", "Customer")

    def keys_to(target: type[Model]) -> list[tuple[type[Model], str]]:
        return [
            (model, field.name)
            for model in apps.get_models()
            if model is not customer_model
            for field in model._meta.get_fields()
            if isinstance(field, ForeignKey) and field.related_model is target
        ]

    first = keys_to(customer_model)
    second = [
        (model, f"{name}__{path}")
        for parent, path in first
        for model, name in keys_to(parent)
        if model is not parent
    ]
    return first + second


def customer_query(customer_id: int) -> Q:
    """The customer's whole trail: its own events and those of every record belonging to it."""
    query = Q(object_type="customers.customer", object_id=str(customer_id))
    for model, path in _customer_links():
        ids = (
            model._base_manager.filter(**{f"{path}": customer_id})
            .annotate(key_text=Cast("pk", CharField()))
            .values("key_text")
        )
        query |= Q(object_type=model._meta.label_lower, object_id__in=ids)
    return query
