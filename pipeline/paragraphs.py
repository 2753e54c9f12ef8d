"""Cleanup rules run paragraph by paragraph, with a cache.

Cleanup runs its rules over the whole text again until nothing changes, so most of a second round
reads paragraphs that no rule touched in the first. A rule whose decisions never look past a blank
line gives the same replacements when run on each paragraph apart, and a paragraph it has read
already is not read again::

    rule = paragraph_rule(find)          # find(paragraph) -> [(start, end, new), …]
    rule(text) == find(text)             # for such a rule, with the second call mostly cache hits
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

Replacement = tuple[int, int, str]
Find = Callable[[str], list[Replacement]]

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
CACHED_PARAGRAPH = 4000      # characters: a longer "paragraph" (a text without blank lines) is not kept
CACHE_SIZE = 4096            # paragraphs per rule


def by_paragraph(find: Callable[[str], tuple[Replacement, ...] | list[Replacement]], text: str) -> list[Replacement]:
    """``find`` run on each paragraph of ``text`` apart, its replacements shifted back into ``text``."""
    out: list[Replacement] = []
    pos = 0
    for br in [*PARAGRAPH_BREAK.finditer(text), None]:
        end = br.start() if br is not None else len(text)
        if end > pos:
            out += [(s + pos, e + pos, new) for s, e, new in find(text[pos:end])]
        pos = br.end() if br is not None else end
    return out


def per_paragraph(find: Find) -> Callable[[str], tuple[Replacement, ...]]:
    """``find`` for one paragraph, cached (``cache_info``/``cache_clear`` as lru_cache's) up to
    :data:`CACHED_PARAGRAPH` characters."""
    cached = lru_cache(maxsize=CACHE_SIZE)(lambda paragraph: tuple(find(paragraph)))

    def run(paragraph: str) -> tuple[Replacement, ...]:
        return cached(paragraph) if len(paragraph) <= CACHED_PARAGRAPH else tuple(find(paragraph))
    run.cache_info, run.cache_clear = cached.cache_info, cached.cache_clear
    return run


def paragraph_rule(find: Find) -> Callable[[str], list[Replacement]]:
    """A cleanup rule that runs ``find`` paragraph by paragraph, cached (its ``paragraph`` attribute is
    the cached one-paragraph function, with ``cache_info``/``cache_clear``)."""
    one = per_paragraph(find)

    def rule(text: str) -> list[Replacement]:
        return by_paragraph(one, text)
    rule.paragraph = one
    rule.__name__ = rule.__qualname__ = getattr(find, "__name__", "rule")
    rule.__doc__ = find.__doc__
    return rule
