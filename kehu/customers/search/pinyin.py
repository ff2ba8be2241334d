"""pypinyin's `lazy_pinyin` with its work on repeated pieces remembered: customer names share
most of their words (北京, 科技, 有限公司), so each run of Chinese characters is segmented
into words once and each word converted once, by pypinyin itself, and later names reuse the
results. Segmentation and conversion are pure functions of their input, so the output is
exactly pypinyin's; the memory is bounded (least recently used pieces are forgotten)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from pypinyin import Style
from pypinyin.constants import PHRASES_DICT, RE_HANS
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin
from pypinyin.seg import mmseg
from pypinyin.seg.simpleseg import simple_seg

# Distinct pieces remembered, for segmentation and conversion each.
CACHE_SIZE = 20_000


@lru_cache(maxsize=CACHE_SIZE)
def _words_of(run: str) -> tuple[str, ...]:
    """pypinyin's segmentation of one run of Chinese characters (simpleseg.seg's step)."""
    return tuple(mmseg.seg.cut(run)) if PHRASES_DICT else (run,)


def _seg(hans: str) -> list[str]:
    """pypinyin.seg.simpleseg.seg, remembering each run's words."""
    words: list[str] = []
    for piece in simple_seg(hans):
        if RE_HANS.match(piece):
            words.extend(_words_of(piece))
        else:
            words.append(piece)
    return words


class _CachingConverter(UltimateConverter):
    """The converter `lazy_pinyin` uses, remembering each word's conversion."""

    def __init__(self) -> None:
        super().__init__()
        self._cached = lru_cache(maxsize=CACHE_SIZE)(self._convert)

    def _convert(
        self, words: str, style: Style, heteronym: bool, errors: str, strict: bool
    ) -> tuple[tuple[str, ...], ...]:
        result = super().convert(words, style, heteronym, errors, strict=strict)
        return tuple(tuple(item) for item in result)

    def convert(
        self,
        words: str,
        style: Style,
        heteronym: bool,
        errors: Callable[[str], str] | str,
        strict: bool = True,
        **kwargs: Any,
    ) -> list[list[str]]:
        if kwargs or not isinstance(errors, str):
            return super().convert(words, style, heteronym, errors, strict=strict, **kwargs)
        return [list(item) for item in self._cached(words, style, heteronym, errors, strict)]


class _CachingPinyin(Pinyin):
    def get_seg(self, **kwargs: Any) -> Any:
        return _seg


_PINYIN = _CachingPinyin(_CachingConverter())


def lazy_pinyin(hans: str) -> list[str]:
    """`pypinyin.lazy_pinyin(hans)` (normal style, no tones)."""
    return list(_PINYIN.lazy_pinyin(hans, style=Style.NORMAL))
