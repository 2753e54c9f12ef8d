"""Cleanup rules run paragraph by paragraph, with a cache.

Cleanup runs its rules over the whole text again until nothing changes, so most of a second round
reads paragraphs that no rule touched in the first. A rule whose decisions never look past a blank
line, and never read the whitespace of a blank line, gives the same replacements when run on each
paragraph apart, and a paragraph it has read already is not read again::

    rule = ParagraphRule(find)           # find(paragraph) -> [(start, end, new), …]
    rule(text) == find(text)             # for such a rule, with the second call mostly cache hits
"""

from __future__ import annotations

import functools
import re
from typing import Callable

Replacement = tuple[int, int, str]
Find = Callable[[str], list[Replacement]]

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
CACHED_PARAGRAPH = 4000      # characters: a longer "paragraph" (a text without blank lines) goes to the small cache
CACHE_SIZE = 4096            # paragraphs per rule
LONG_CACHE_SIZE = 8          # longer paragraphs per rule: those of the document being cleaned, read again next round


def by_paragraph(find: Callable[[str], tuple[Replacement, ...] | list[Replacement]], text: str,
                 gaps: bool = False) -> list[Replacement]:
    """``find`` run on each paragraph of ``text`` apart, its replacements shifted back into ``text``; with
    ``gaps``, on the whitespace between paragraphs too where it holds more than the two line breaks."""
    out: list[Replacement] = []
    pos = 0
    for br in [*PARAGRAPH_BREAK.finditer(text), None]:
        end = br.start() if br is not None else len(text)
        if end > pos:
            out += [(s + pos, e + pos, new) for s, e, new in find(text[pos:end])]
        if br is not None and gaps and br.end() - end > 2:
            out += [(s + end, e + end, new) for s, e, new in find(text[end:br.end()])]
        pos = br.end() if br is not None else end
    return out


class ParagraphRule:
    """A cleanup rule that runs ``find`` paragraph by paragraph, cached: up to :data:`CACHE_SIZE` paragraphs of
    at most :data:`CACHED_PARAGRAPH` characters, and the last :data:`LONG_CACHE_SIZE` longer ones (a text
    without blank lines is one paragraph; the next round of cleanup reads it again). ``cache_info`` and
    ``cache_clear`` are lru_cache's (``cache_info``: of the first cache). Pickles as ``find`` does.

    ``gaps=True`` is for a rule whose matches never cross a line break, nor look across one: it reads
    the spaces on blank lines too (between paragraphs), and is then the whole-text rule exactly, since
    paragraphs and the gaps between them are cut at line breaks."""

    def __init__(self, find: Find, gaps: bool = False):
        self.find = find
        self.gaps = gaps
        self._cached = functools.lru_cache(maxsize=CACHE_SIZE)(self._find)
        self._cached_long = functools.lru_cache(maxsize=LONG_CACHE_SIZE)(self._find)
        functools.update_wrapper(self, find)

    def _find(self, paragraph: str) -> tuple[Replacement, ...]:
        return tuple(self.find(paragraph))

    def paragraph(self, paragraph: str) -> tuple[Replacement, ...]:
        """The replacements in one paragraph."""
        return self._cached(paragraph) if len(paragraph) <= CACHED_PARAGRAPH else self._cached_long(paragraph)

    def cache_info(self):
        return self._cached.cache_info()

    def cache_clear(self) -> None:
        self._cached.cache_clear()
        self._cached_long.cache_clear()

    def __call__(self, text: str) -> list[Replacement]:
        return by_paragraph(self.paragraph, text, self.gaps)

    def __reduce__(self):
        return ParagraphRule, (self.find, self.gaps)
