"""Real-word diacritic correction: a syllable that is a valid word but wrong in its context.

OCR drops, adds and swaps the marks of Vietnamese letters ("Phân đấu" for "Phấn đấu", "Sửa đối"
for "Sửa đổi", "bố sung" for "bổ sung", "ĐẲNG" for "ĐẢNG"): the result is still a syllable, so a
spelling list does not catch it; only the context does. Every candidate for a syllable has the
same letters without marks (:func:`~pipeline.syllables.skeleton`); a syllable is replaced when

- it has no support in its context: with neither neighbour (a space or a line break between) does it
  form a word of the dictionary, nor a syllable pair seen in the statistics;
- exactly one candidate forms a two-syllable word of the dictionary with a neighbour, and the
  statistics have seen that pair at least :data:`MIN_PAIR` times (a frequent pair that is no word
  is not enough: "con chưa đủ 18 tuổi" must not become "còn chưa"; nor is a word never seen in
  administrative text: "vì nhân dân" must not become "vĩ nhân");
- the candidate is not :data:`MAX_RATIO` times rarer than the syllable it replaces;
- it is not a proper name (a capital letter inside a sentence).

Statistics: syllable and syllable-pair counts learned from the project's written corpus and its
lexicons (``pipeline/data/syllable_pairs.tsv``, built by ``corpus/tools/build_diacritics.py``),
and the word list that underthesea ships (Viet74K, read where the installed package keeps it;
nothing is downloaded). Every change is an edit of rule ``diacritics`` in cleanup's log.

>>> from pipeline.cleanup import clean
>>> clean("Sửa đối, bố sung một số điều.").text
'Sửa đổi, bổ sung một số điều.'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .syllables import is_syllable, skeleton

Replacement = tuple[int, int, str]
DATA = "syllable_pairs.tsv"
MIN_PAIR = 2               # a pair seen this often in the statistics supports a candidate
MAX_RATIO = 20             # a candidate this many times rarer than the syllable it would replace is not taken
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n(\"“'\-–•+*]\s*|\d[.)]\s+|[a-zđ]\)\s+)$")


class Model:
    """Syllable counts, pair counts and dictionary pairs, with the candidates of each skeleton."""

    def __init__(self, unigrams: dict[str, int], pairs: dict[tuple[str, str], int], words: set[tuple[str, str]]):
        self.unigrams = unigrams
        self.pairs = pairs
        self.words = words
        vocab = set(unigrams) | {s for w in words for s in w}
        self.by_skeleton: dict[str, list[str]] = {}
        for s in sorted(vocab):
            if is_syllable(s):
                self.by_skeleton.setdefault(skeleton(s), []).append(s)

    def support(self, left: str | None, syl: str, right: str | None) -> int:
        """2: a dictionary word with a neighbour that the statistics have seen too; 1: one of the two; 0: none."""
        best = 0
        for a, b in ((left, syl), (syl, right)):
            if a is None or b is None:
                continue
            n = self.pairs.get((a, b), 0)
            if (a, b) in self.words and n >= MIN_PAIR:
                return 2
            if (a, b) in self.words or n >= MIN_PAIR:
                best = 1
        return best

    def seen(self, left: str | None, syl: str, right: str | None) -> bool:
        return any(a is not None and b is not None and ((a, b) in self.words or (a, b) in self.pairs)
                   for a, b in ((left, syl), (syl, right)))


def _viet74k() -> Path | None:
    try:
        import underthesea
    except ImportError:
        return None
    p = Path(underthesea.__file__).parent / "corpus" / "data" / "Viet74K.txt"
    return p if p.exists() else None


@lru_cache(maxsize=1)
def model() -> Model:
    unigrams: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    text = resources.files("pipeline").joinpath("data", DATA).read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        n, _, gram = line.partition("\t")
        parts = gram.split(" ")
        if len(parts) == 1:
            unigrams[parts[0]] = int(n)
        else:
            pairs[(parts[0], parts[1])] = int(n)
    from .cleanup import rule_tone_style         # the dictionary in the tone-mark style cleanup writes

    words: set[tuple[str, str]] = set()
    path = _viet74k()
    if path is not None:
        for line in path.read_text(encoding="utf-8").splitlines():
            line = unicodedata.normalize("NFC", line.strip().lower())
            for s, e, new in reversed(rule_tone_style(line)):
                line = line[:s] + new + line[e:]
            syl = line.split()
            if len(syl) == 2:                    # two-syllable words: longer entries give pairs out of context
                words.add((syl[0], syl[1]))
    return Model(unigrams, pairs, words)


def _joins(between: str) -> bool:
    """Two syllables are neighbours when only spaces, or one line break, stand between them."""
    return bool(between) and between.isspace() and between.count("\n") <= 1


def _recase(template: str, word: str) -> str:
    if template.isupper():
        return word.upper()
    if template[0].isupper():
        return word[0].upper() + word[1:]
    return word


def corrections(text: str, m: Model | None = None) -> list[Replacement]:
    """The replacements the corrector makes in ``text``."""
    m = m or model()
    toks = [(mt.start(), mt.end(), mt.group()) for mt in _WORD.finditer(text)]
    low = [t[2].lower() for t in toks]
    out: list[Replacement] = []
    for i, (s, e, w) in enumerate(toks):
        cands = m.by_skeleton.get(skeleton(w))
        if not cands or len(cands) < 2 or not is_syllable(w):
            continue
        # neighbours: syllables of the same phrase (a single space between, no punctuation)
        left = low[i - 1] if i and _joins(text[toks[i - 1][1]:s]) else None
        right = low[i + 1] if i + 1 < len(toks) and _joins(text[e:toks[i + 1][0]]) else None
        if left is None and right is None:
            continue
        cur = low[i]
        if m.seen(left, cur, right):
            continue
        if w[0].isupper() and not w.isupper() and not _SENTENCE_START.search(text[max(0, s - 4):s]):
            continue                                   # a proper name inside a sentence
        scored = [(m.support(left, c, right), c) for c in cands if c != cur]
        best = max((sc for sc, _ in scored), default=0)
        if best < 2:
            continue                                   # a seen pair alone is too weak: only dictionary words
        top = [c for sc, c in scored if sc == best]
        if len(top) != 1 or m.unigrams.get(cur, 0) >= MAX_RATIO * max(1, m.unigrams.get(top[0], 0)):
            continue                                   # ambiguous, or the candidate is far rarer ("vì" -> "vĩ")
        new = _recase(w, top[0])
        if new != w:
            out.append((s, e, new))
    return out


def rule_diacritics(text: str) -> list[Replacement]:
    return corrections(text)
