"""The administrative lexicon and the spaCy matcher over it.

Agency names and terms are data (``data/agencies.tsv``, ``data/terms.txt``).
They are matched with spaCy's :class:`~spacy.matcher.PhraseMatcher` on a
syllable-level :class:`~spacy.tokens.Doc` (case-insensitive), so a match does
not depend on how the word segmenter happened to cut the name. Segmentation
uses the matches to keep names whole; classification uses them as agency
mentions, extended over a following level and place ("Hội Chữ thập đỏ" +
"tỉnh Thái Nguyên").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable, Iterable, Sequence

from spacy.lang.vi import Vietnamese
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans
from spacy.vocab import create_vocab

SYLLABLE_RE = re.compile(r"\w+|[^\w\s]")

# level words that may follow an agency name: "Hội Chữ thập đỏ tỉnh", "UBND thành phố"
_LEVELS = [("thành", "ủy"), ("tỉnh", "ủy"), ("huyện", "ủy"), ("thị", "xã"), ("thành", "phố"), ("thị", "trấn"), ("cấp", "tỉnh"), ("cấp", "huyện"), ("cấp", "xã"),
           ("cấp", "cơ", "sở"), ("các", "cấp"), ("cơ", "sở"), ("trung", "ương"), ("việt", "nam"), ("đặc", "khu"),
           ("tỉnh",), ("huyện",), ("xã",), ("phường",), ("quận",)]
_UY_HEADS = {"tỉnh", "thành", "huyện", "quận", "thị", "đảng"}
_NOT_PLACE = {"Kế", "Kết", "Chỉ", "Công", "Nghị", "Quyết", "Thông", "Luật", "Điều", "Nhân", "Chương", "Đề",
              "Tháng", "Ngày", "Năm", "Phong", "Cuộc", "Tết", "Tiếp", "Phấn", "Đồng", "Trong", "Các", "Đối", "Hằng"}


@dataclass(frozen=True)
class Mention:
    """An agency mention: character offsets, text, lexicon prior label and kind."""

    start: int
    end: int
    text: str
    prior: str
    kind: str      # "name" or "phrase" (lexicon); "tagged", "listed" or "subject" (MentionRecognizer)


def by_line(find: Callable[[str], Sequence[Mention]], text: str) -> list[Mention]:
    """``find`` run on each line of ``text`` apart (a field of several headings: no name runs across two),
    the mentions at their offsets in ``text``."""
    out: list[Mention] = []
    pos = 0
    for line in text.split("\n"):
        out += [Mention(m.start + pos, m.end + pos, m.text, m.prior, m.kind) for m in (find(line) if line else [])]
        pos += len(line) + 1
    return out


def _read_data(name: str) -> str:
    return resources.files("pipeline").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def default_entries() -> tuple[tuple[str, str, str], ...]:
    """(label, surface form, kind) rows of data/agencies.tsv, read once per process."""
    rows = []
    for line in _read_data("agencies.tsv").splitlines():
        if line.strip() and not line.startswith("#"):
            label, alias, kind = (line.split("\t") + ["name"])[:3]
            rows.append((label.strip(), alias.strip(), kind.strip() or "name"))
    return tuple(rows)


def default_terms() -> list[str]:
    return [ln.strip() for ln in _read_data("terms.txt").splitlines() if ln.strip() and not ln.startswith("#")]


class AgencyMatcher:
    """Finds lexicon entries in text with a spaCy PhraseMatcher (case-insensitive).

    >>> m = AgencyMatcher([("ban_dan_van", "Ban Dân vận", "name")])
    >>> [(x.text, x.prior) for x in m.mentions("Ban Dân vận Tỉnh ủy chủ trì")]
    [('Ban Dân vận Tỉnh ủy', 'ban_dan_van')]
    """

    def __init__(self, entries: Iterable[tuple[str, str, str]], terms: Iterable[str] = ()) -> None:
        self.entries = sorted(set(entries))
        self.terms = sorted(set(terms))
        # the Vietnamese language data gives the vocab its lexical attributes (LOWER,
        # IS_TITLE…); no Language is built (no tokenizer, no config): Docs are made from
        # our own syllables.
        self.vocab = create_vocab("vi", Vietnamese.Defaults)
        self.matcher = PhraseMatcher(self.vocab, attr="LOWER")
        by_key: dict[str, list[Doc]] = {}
        for label, alias, kind in self.entries:
            by_key.setdefault(f"{kind}|{label}", []).append(self.make_doc(alias))
        if self.terms:
            by_key["term|"] = [self.make_doc(t) for t in self.terms]
        for key, docs in by_key.items():
            self.matcher.add(key, docs)
        self._cache: dict[str, tuple] = {}     # text -> (doc, offsets, spans): segmentation and
                                                # classification look at the same task text

    @classmethod
    def default(cls, extra: Iterable[tuple[str, str, str]] = ()) -> "AgencyMatcher":
        return cls(list(default_entries()) + list(extra), default_terms())

    def __reduce__(self):  # rebuild on unpickle: spaCy matchers pickle poorly across processes
        return (AgencyMatcher, (self.entries, self.terms))

    def make_doc(self, text: str) -> Doc:
        return self._doc_and_offsets(text)[0]

    def _doc_and_offsets(self, text: str) -> tuple[Doc, list[tuple[int, int]]]:
        """A syllable Doc and each token's character offsets in ``text``.

        The Doc's own text has single spaces where ``text`` may have line breaks,
        so offsets come from the tokenizer, not from ``token.idx``.
        """
        found = list(SYLLABLE_RE.finditer(text))
        offsets = [m.span() for m in found]
        words = [m.group() for m in found]
        spaces = [text[e:e + 1].isspace() for _, e in offsets]
        return Doc(self.vocab, words=words, spaces=spaces), offsets

    def _spans(self, doc: Doc, matches: list, terms: bool = True):
        spans = []
        for key, s, e in matches:
            label = self.vocab.strings[key]
            if not terms and label.startswith("term|"):
                continue
            span = doc[s:e]
            span.label_ = label
            spans.append(span)
        return filter_spans(spans)

    def _matched(self, text: str, terms: bool, cache: bool = True):
        hit = self._cache.get(text)
        if hit is None:
            doc, offsets = self._doc_and_offsets(text)
            hit = (doc, offsets, self.matcher(doc))
            if cache:
                if len(self._cache) > 2048:
                    self._cache.clear()
                self._cache[text] = hit
        doc, offsets, matches = hit
        return doc, offsets, self._spans(doc, matches, terms=terms)

    def term_spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans that segmentation keeps whole: agency names and terms."""
        doc, offsets, spans = self._matched(text, True)
        out = []
        for sp in spans:
            kind = sp.label_.split("|", 1)[0]
            if kind in ("name", "term") and len(sp) > 1:
                out.append((offsets[sp.start][0], offsets[sp.end - 1][1]))
        return out

    def mentions(self, text: str, base: int = 0, cache: bool = True) -> list[Mention]:
        """Agency mentions in ``text``, extended over level and place words (``cache=False``: ``text`` is not
        kept for a later call, as a fitted estimator's matcher must not grow with what it reads)."""
        doc, offsets, spans = self._matched(text, False, cache)
        out: list[Mention] = []
        last_end = -1
        for sp in spans:
            kind, label = sp.label_.split("|", 1)
            if sp.start < last_end:
                continue
            end = _extend(doc, sp.end)
            last_end = end
            s, e = offsets[sp.start][0], offsets[end - 1][1]
            out.append(Mention(base + s, base + e, text[s:e], label, kind))
        return out


def _extend(doc: Doc, end: int) -> int:
    """Extend a mention over a level ("tỉnh", "thành phố") and a place name (Title Case)."""
    n = len(doc)
    titles = 0
    progressed = True
    lowers: dict[int, str] = {}          # each token's lower form read once (a Doc slice per level was slow)

    def low(i: int) -> str:
        v = lowers.get(i)
        if v is None:
            v = lowers[i] = doc[i].lower_
        return v

    while progressed and end < n:
        progressed = False
        for lv in _LEVELS:
            k = len(lv)
            if end + k <= n and all(low(end + j) == lv[j] for j in range(k)):
                end += k
                progressed = True
                break
        if progressed:
            continue
        tok = doc[end]
        if titles < 4 and (tok.is_title or (tok.is_upper and len(tok) > 1)) and tok.text not in _NOT_PLACE \
                and tok.is_alpha:
            end += 1
            titles += 1
            progressed = True
            if end < n and doc[end].lower_ == "ủy" and doc[end - 1].lower_ in _UY_HEADS:
                end += 1
    return end
