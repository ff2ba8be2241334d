"""The grams of the n-gram index: every single character, every pair of adjacent characters
and every run of four ASCII digits of each `|`-separated value of a customer's search text.
Digit pairs are held by most customers (phones, codes), so digit terms look up 4-grams.

A search term never contains `|` or whitespace, so it lies inside one value, and every gram
of the term is a gram of that value: the customers whose grams include all of a term's grams
are a superset of those whose search text contains the term. The index only ever narrows the
rows; the substring test decides (see `kehu.customers.search.filter_text`)."""

from __future__ import annotations

import functools
from collections.abc import Iterable

SEPARATOR = "|"


DIGIT_GRAM = 4
MAX_GRAMS_PER_TERM = 8  # a handful already leaves few candidates; each costs a lookup


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _digit_starts(value: str) -> list[int]:
    return [i for i in range(len(value) - DIGIT_GRAM + 1) if _digits(value[i : i + DIGIT_GRAM])]


def grams_of(text: str) -> set[str]:
    """Unigrams, bigrams and digit 4-grams of each value of a search text."""
    grams: set[str] = set()
    for value in text.split(SEPARATOR):
        grams.update(value)
        grams.update(value[i : i + 2] for i in range(len(value) - 1))
        grams.update(value[i : i + DIGIT_GRAM] for i in _digit_starts(value))
    return grams


def _spread(starts: list[int], count: int) -> list[int]:
    """At most `count` of `starts`, evenly spread, first and last included."""
    if len(starts) <= count:
        return starts
    step = (len(starts) - 1) / (count - 1)
    return sorted({starts[round(i * step)] for i in range(count)})


def query_grams(terms: Iterable[str]) -> set[str]:
    """What every match of all `terms` is indexed under: a 1-character term's character;
    a term with four digits in a row its digit 4-grams plus the bigrams that are not two
    digits; otherwise its bigrams (at most MAX_GRAMS_PER_TERM of each kind, spread)."""
    grams: set[str] = set()
    for term in terms:
        if len(term) == 1:
            grams.add(term)
            continue
        bigrams = list(range(len(term) - 1))
        digit_starts = _digit_starts(term)
        if digit_starts:
            grams.update(term[i : i + DIGIT_GRAM] for i in _spread(digit_starts, 4))
            bigrams = [i for i in bigrams if not _digits(term[i : i + 2])]
        grams.update(term[i : i + 2] for i in _spread(bigrams, MAX_GRAMS_PER_TERM))
    return grams


@functools.lru_cache(maxsize=1 << 20)  # grams repeat across customers: encode each once
def token(gram: str) -> str:
    """An ASCII word for a gram (SQLite FTS5): code points in hex joined by "x", so that no
    tokenizer rule (case folding, punctuation, unknown scripts) can alter or split it."""
    return "g" + "x".join(f"{ord(c):x}" for c in gram)


def tokens_of(text: str) -> str:
    return " ".join(token(g) for g in grams_of(text))
