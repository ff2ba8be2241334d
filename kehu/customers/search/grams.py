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


# Bigrams looked up per term: a long code or phone number has many, each shared by a large
# share of customers (digit pairs), and a handful already leaves few candidates.
MAX_BIGRAMS_PER_TERM = 8


def query_grams(terms: Iterable[str]) -> set[str]:
    """What every match of all `terms` is indexed under: a 1-character term's character,
    otherwise (up to MAX_BIGRAMS_PER_TERM, spread over the term) its bigrams."""
    grams: set[str] = set()
    for term in terms:
        if len(term) == 1:
            grams.add(term)
            continue
        starts = range(len(term) - 1)
        if len(starts) > MAX_BIGRAMS_PER_TERM:
            step = (len(starts) - 1) / (MAX_BIGRAMS_PER_TERM - 1)
            starts = sorted({round(i * step) for i in range(MAX_BIGRAMS_PER_TERM)})
        grams.update(term[i : i + 2] for i in starts)
    return grams


@functools.lru_cache(maxsize=1 << 20)  # grams repeat across customers: encode each once
def token(gram: str) -> str:
    """An ASCII word for a gram (SQLite FTS5): code points in hex joined by "x", so that no
    tokenizer rule (case folding, punctuation, unknown scripts) can alter or split it."""
    return "g" + "x".join(f"{ord(c):x}" for c in gram)


def tokens_of(text: str) -> str:
    return " ".join(token(g) for g in grams_of(text))
