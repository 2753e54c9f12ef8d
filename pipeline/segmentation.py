"""Stage 3, word segmentation: underthesea's CRF tuned with the administrative lexicon.

underthesea's ``word_tokenize`` cuts agency names ("Ban | Tuyên giáo Tỉnh |
ủy"). Its ``fixed_words`` option would help, but it is a case-sensitive,
unescaped regex alternation that takes the first alternative rather than the
longest and is recompiled on every call. So the lexicon is applied after
the CRF instead: names and terms found by :class:`~pipeline.lexicon.AgencyMatcher`
(case-insensitive, on syllables) become one word, and the words they cut are
split at syllable boundaries. Tokens keep character offsets into the clean
text: underthesea returns strings only, so they are aligned back here.

>>> seg = Segmenter()
>>> [t.text for t in seg("Ban Tuyên giáo Tỉnh ủy định hướng báo chí")][:2]
['Ban Tuyên giáo Tỉnh ủy', 'định hướng']
"""

from __future__ import annotations

import re

from .document import Token
from .lexicon import AgencyMatcher

_CHUNK = 3000                                  # longest piece handed to the CRF at once
_SPLIT_RE = re.compile(r"(?<=[.;!?])\s+")
# document numbers and codes stay one token: "44-KL/TW", "93/KH-UBND", "LĐ-TB&XH"
CODE_RE = re.compile(r"\b\d+(?:/\d{4})?(?:[-/][\w&.]*[A-ZĐ][\w&]*)+|\b[A-ZĐ]{2,}(?:[-&/][A-ZĐ]{1,})+\b")


def _pieces(text: str):
    """(offset, piece) for each non-empty line, long lines cut at sentence ends or spaces."""
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        while len(line) > _CHUNK:
            cut = max((m.end() for m in _SPLIT_RE.finditer(line, 0, _CHUNK)), default=0)
            if cut == 0:
                cut = line.rfind(" ", 0, _CHUNK) + 1 or _CHUNK
            yield start, line[:cut]
            start += cut
            line = line[cut:]
        if line.strip():
            yield start, line


def align(words: list[str], text: str, base: int = 0) -> list[list[tuple[int, int]]]:
    """Syllable offsets of each word of ``words`` (strings from the CRF) in ``text``.

    Words are searched in order; a syllable the tokenizer rewrote is looked up
    within a short window, and a word that cannot be found at all is dropped.
    """
    out = []
    pos = 0
    for w in words:
        sylls = []
        for syl in w.split(" "):
            if not syl:
                continue
            i = text.find(syl, pos, pos + len(syl) + 40)
            if i < 0:
                continue
            sylls.append((base + i, base + i + len(syl)))
            pos = i + len(syl)
        if sylls:
            out.append(sylls)
    return out


def merge_spans(words: list[list[tuple[int, int]]], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Re-cut words so that each lexicon span is exactly one word."""
    sylls = [(s, e, wi) for wi, w in enumerate(words) for s, e in w]
    out: list[tuple[int, int]] = []
    spans = sorted(spans)
    si = 0
    i = 0
    while i < len(sylls):
        s, e, wi = sylls[i]
        while si < len(spans) and spans[si][1] <= s:
            si += 1
        if si < len(spans) and spans[si][0] <= s < spans[si][1]:
            a, b = spans[si]
            j = i
            while j + 1 < len(sylls) and sylls[j + 1][1] <= b:
                j += 1
            out.append((s, sylls[j][1]))
            i = j + 1
            continue
        # ordinary syllable: extend over the rest of its word, stopping before a lexicon span
        j = i
        while j + 1 < len(sylls) and sylls[j + 1][2] == wi and not (
                si < len(spans) and spans[si][0] <= sylls[j + 1][0] < spans[si][1]):
            j += 1
        out.append((s, sylls[j][1]))
        i = j + 1
    return out


def _non_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans, key=lambda x: (x[0], -x[1])):
        if not out or s >= out[-1][1]:
            out.append((s, e))
    return out


class Segmenter:
    """Word segmentation with offsets. ``use_lexicon=False`` gives plain underthesea."""

    def __init__(self, matcher: AgencyMatcher | None = None, use_lexicon: bool = True) -> None:
        self.matcher = matcher
        self.use_lexicon = use_lexicon

    def _matcher(self) -> AgencyMatcher:
        if self.matcher is None:
            self.matcher = AgencyMatcher.default()
        return self.matcher

    def __call__(self, text: str) -> list[Token]:
        from underthesea import word_tokenize   # imported lazily: import stays cheap

        tokens: list[Token] = []
        for base, piece in _pieces(text):
            words = align(word_tokenize(piece, use_token_normalize=False), piece, base)
            if self.use_lexicon:
                spans = [(base + s, base + e) for s, e in self._matcher().term_spans(piece)]
                spans += [(base + m.start(), base + m.end()) for m in CODE_RE.finditer(piece)]
                spans = _non_overlapping(spans)
                cuts = merge_spans(words, spans) if spans else [(w[0][0], w[-1][1]) for w in words]
            else:
                cuts = [(w[0][0], w[-1][1]) for w in words]
            tokens.extend(Token(text[s:e], s, e) for s, e in cuts)
        return tokens


def words_text(tokens: list[Token], start: int = 0, end: int | None = None) -> str:
    """Tokens within [start, end) as underscore-joined words ("Ban_Dân_vận Thành_ủy chủ_trì")."""
    end = end if end is not None else float("inf")
    return " ".join("_".join(t.text.split()) for t in tokens if t.start >= start and t.end <= end)
