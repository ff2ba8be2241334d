"""The grams of the n-gram index: every single character and every pair of adjacent
characters of each `|`-separated value of a customer's search text.

A search term never contains `|` or whitespace, so it lies inside one value, and every gram
of the term is a gram of that value: the customers whose grams include all of a term's grams
are a superset of those whose search text contains the term. The index only ever narrows the
rows; the substring test decides (see `kehu.customers.search.filter_text`)."""

from __future__ import annotations

import functools
from collections.abc import Iterable

SEPARATOR = "|"


def grams_of(text: str) -> set[str]:
    """Unigrams and bigrams of each value of a search text."""
    grams: set[str] = set()
    for value in text.split(SEPARATOR):
        grams.update(value)
        grams.update(value[i : i + 2] for i in range(len(value) - 1))
    return grams


def query_grams(terms: Iterable[str]) -> set[str]:
    """What every match of all `terms` is indexed under: a 1-character term's character,
    otherwise its bigrams (they imply its characters)."""
    grams: set[str] = set()
    for term in terms:
        if len(term) == 1:
            grams.add(term)
        else:
            grams.update(term[i : i + 2] for i in range(len(term) - 1))
    return grams


@functools.lru_cache(maxsize=1 << 20)  # grams repeat across customers: encode each once
def token(gram: str) -> str:
    """An ASCII word for a gram (SQLite FTS5): code points in hex joined by "x", so that no
    tokenizer rule (case folding, punctuation, unknown scripts) can alter or split it."""
    return "g" + "x".join(f"{ord(c):x}" for c in gram)


def tokens_of(text: str) -> str:
    return " ".join(token(g) for g in grams_of(text))
