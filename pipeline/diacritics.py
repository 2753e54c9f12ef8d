"""Diacritic correction: a syllable whose marks OCR got wrong, put right from its context.

OCR drops, adds and swaps the marks of Vietnamese letters ("Phân đấu" for "Phấn đấu", "Sửa đối"
for "Sửa đổi", "bố sung" for "bổ sung", "câp" for "cấp"). Often the result is still a syllable,
so a spelling list does not catch it; the context does. This is a noisy-channel corrector: the
candidates for a syllable are the known syllables with the same letters without marks
(:func:`~pipeline.syllables.skeleton`), and a candidate ``c`` replaces the syllable ``s`` that OCR
gave when

    P(left, c, right) · P(OCR reads s | c)  >  MARGIN · P(left, s, right) · P(OCR reads s | s)

- ``P(left, c, right)``: a syllable bigram model (counts interpolated with syllable frequencies),
  in which a pair that is a two-syllable word of the dictionary counts as seen
  :data:`WORD_COUNT` times more; the neighbours are the syllables next to it with only spaces or
  one line break between;
- ``P(OCR reads s | c)``: the channel. Reading a syllable right is the rule (1 - :data:`ERROR`);
  a wrong read is likelier the fewer and the smaller its differences: a tone mark dropped is the
  commonest, then a tone mark confused, then a hat or horn lost (â -> a, ơ -> o) or đ read as d;
- ``MARGIN`` is large (:data:`MARGIN`): the corrector is built not to touch a correct syllable.
  Proper names (a capital letter inside a sentence) are left alone.

Statistics: syllable and pair counts (``pipeline/data/syllable_pairs.tsv``, built by
``corpus/tools/build_diacritics.py`` from the project's written corpus and lexicons and, counts of
pairs only, from real documents) and the word list that underthesea ships (Viet74K, read where
the installed package keeps it; nothing is downloaded). Every change is an edit of rule
``diacritics`` in cleanup's log.

>>> from pipeline.cleanup import clean
>>> clean("Sửa đối, bố sung một số điều; phân đấu đạt chỉ tiêu câp tỉnh.").text
'Sửa đổi, bổ sung một số điều; phấn đấu đạt chỉ tiêu cấp tỉnh.'
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .paragraphs import ParagraphRule
from .syllables import is_syllable, skeleton, split_tone

Replacement = tuple[int, int, str]
DATA = "syllable_pairs.tsv"
ERROR = 0.02           # share of syllables OCR reads with wrong marks
MARGIN = math.log(300)  # a candidate must explain the text this many times better
WORD_COUNT = 3         # a dictionary word counts as a pair seen this many more times
BETA = 2.0             # weight of the syllable frequency in a pair's probability
_WORD = re.compile(r"[^\W\d_]+")
_WORD_SPLIT = re.compile(r"([^\W\d_]+)")


class Model:
    """Syllable counts, pair counts and dictionary pairs, with the candidates of each skeleton."""

    def __init__(self, unigrams: dict[str, int], pairs: dict[tuple[str, str], int], words: set[tuple[str, str]]):
        self.unigrams = unigrams
        self.pairs = pairs
        self.words = words
        self.total = sum(unigrams.values()) or 1
        self.vocab_size = max(1, len(unigrams))
        self.longest = max((len(s) for s in unigrams), default=0)
        vocab = set(unigrams) | {s for w in words for s in w}
        self.by_skeleton: dict[str, list[str]] = {}
        for s in sorted(vocab):
            if is_syllable(s):
                self.by_skeleton.setdefault(skeleton(s), []).append(s)

    def supports(self, left: str | None, s: str, right: str | None) -> bool:
        """Does ``s`` form a dictionary word, or a pair seen twice, with a neighbour?"""
        if left is not None and ((left, s) in self.words or self.pairs.get((left, s), 0) >= 2):
            return True
        return right is not None and ((s, right) in self.words or self.pairs.get((s, right), 0) >= 2)

    def p_uni(self, s: str) -> float:
        return (self.unigrams.get(s, 0) + 0.1) / (self.total + 0.1 * self.vocab_size)

    def pair(self, a: str, b: str) -> float:
        """log P(b | a), interpolated with b's frequency."""
        n = self.pairs.get((a, b), 0) + (WORD_COUNT if (a, b) in self.words else 0)
        return math.log((n + BETA * self.p_uni(b)) / (self.unigrams.get(a, 0) + WORD_COUNT + BETA))

    def context(self, left: str | None, s: str, right: str | None) -> float:
        """log P(s, right | left): the syllable in its context."""
        score = self.pair(left, s) if left is not None else math.log(self.p_uni(s))
        if right is not None:
            score += self.pair(s, right) - math.log(self.p_uni(right))   # relative to right's own frequency
        return score


@lru_cache(maxsize=1 << 16)
def channel(read: str, true: str) -> float:
    """log P(OCR reads ``read`` | the text says ``true``), for syllables with the same skeleton."""
    if read == true:
        return math.log(1 - ERROR)
    rb, rt = split_tone(read)
    tb, tt = split_tone(true)
    p = ERROR
    if rt != tt:
        p *= 0.5 if not rt else 0.25           # a tone mark dropped; a tone mark confused or added
    if rb != tb:
        diffs = sum(1 for x, y in zip(rb, tb) if x != y)
        p *= 0.15 ** diffs                      # a hat, breve, horn or the bar of đ lost or added
    return math.log(p)


def _viet74k() -> Path | None:
    from importlib.util import find_spec

    try:
        spec = find_spec("underthesea")          # where it is installed, without importing it (2 s)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    p = Path(spec.origin).parent / "corpus" / "data" / "Viet74K.txt"
    return p if p.exists() else None


@lru_cache(maxsize=1)
def model() -> Model:
    from .cleanup import apply_replacements, rule_tone_style   # the dictionary in the tone-mark style cleanup writes

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
    words: set[tuple[str, str]] = set()
    path = _viet74k()
    if path is not None:
        # the whole list at once (lower case, NFC, tone style: none of them crosses a line break), then per line
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8").lower())
        text = apply_replacements(text, rule_tone_style(text))
        for line in text.splitlines():
            syl = line.split()
            if len(syl) == 2:                    # two-syllable words: longer entries give pairs out of context
                words.add((syl[0], syl[1]))
    return Model(unigrams, pairs, words)


def _sentence_start(text: str, pos: int) -> bool:
    """Does a sentence, line or list item start at ``pos``?"""
    before = text[max(0, pos - 20):pos]
    b = before.rstrip()
    if not b or before[len(b):].count("\n") >= 2:
        return True                                    # the start of the text, or of a paragraph
    return b[-1] in ".!?:;(\"“'-–•+*)"                # a line that OCR wrapped is no sentence start


def _joins(between: str) -> bool:
    """Two syllables are neighbours when only spaces, or one line break, stand between them."""
    return bool(between) and between.isspace() and between.count("\n") <= 1


def _recase(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[0].isupper():
        return word[0].upper() + word[1:]
    return word


def corrections(text: str, m: Model | None = None) -> list[Replacement]:
    """The replacements the corrector makes in ``text``."""
    m = m or model()
    parts = _WORD_SPLIT.split(text)              # [between, word, between, word, …, between]
    words = parts[1::2]
    starts = list(itertools.accumulate(map(len, parts), initial=0))[1::2]
    toks = [(s, s + len(w), w) for s, w in zip(starts, words)]
    low = [w.lower() for w in words]
    out: list[Replacement] = []
    decide, known = _decider(m), _known(m)
    joined = [b == " " or _joins(b) for b in parts[2::2]]    # the last: after the last word, never read
    if joined:
        joined[-1] = False
    best: dict[int, str] = {}
    for i, w in enumerate(words):
        cur = low[i]
        if not known(cur):
            continue
        if w[0].isupper() and not w.isupper() and not _sentence_start(text, starts[i]):
            continue                                   # a proper name inside a sentence
        left = low[i - 1] if i and joined[i - 1] else None
        right = low[i + 1] if joined[i] else None
        b = decide(left, cur, right)
        if b is not None:
            best[i] = b
    # Each syllable was decided beside its neighbours as read. Where neighbours both change, the
    # changes are weighed together (each kept or not), or the text could flip between two readings
    # ("chống chéo" -> "chồng chèo" -> "chống chéo") each time cleanup runs the rule again.
    i = 0
    while i < len(toks):
        if i not in best:
            i += 1
            continue
        j = i
        while j + 1 in best and joined[j]:
            j += 1
        if j > i:
            left = low[i - 1] if i and joined[i - 1] else None
            right = low[j + 1] if joined[j] else None
            keep = _jointly(m, left, low[i:j + 1], [best[k] for k in range(i, j + 1)], right)
            for k, changed in zip(range(i, j + 1), keep):
                if not changed:
                    del best[k]
        i = j + 1
    for i, b in sorted(best.items()):
        s, e, w = toks[i]
        new = _recase(w, b)
        if new != w:
            out.append((s, e, new))
    return out


def _jointly(m: Model, left: str | None, read: list[str], cands: list[str], right: str | None) -> tuple[bool, ...]:
    """Which of the proposed changes of a run of neighbouring syllables to keep: the combination that
    explains the run best, each change paying :data:`MARGIN` (runs over 8 syllables keep every change)."""
    if len(read) > 8:
        return (True,) * len(read)

    def score(seq: list[str]) -> float:
        total = m.pair(left, seq[0]) if left is not None else math.log(m.p_uni(seq[0]))
        total += sum(m.pair(a, b) for a, b in zip(seq, seq[1:]))
        if right is not None:
            total += m.pair(seq[-1], right) - math.log(m.p_uni(right))
        return total + sum(channel(r, s) - (MARGIN if s != r else 0.0) for r, s in zip(read, seq))

    combos = itertools.product((False, True), repeat=len(read))
    return max(combos, key=lambda keep: score([c if k else r for r, c, k in zip(read, cands, keep)]))


_skeleton = lru_cache(maxsize=1 << 16)(skeleton)


@lru_cache(maxsize=4)
def _known(m: Model):
    """Whether the corrector reads a (lower-case) word at all: two letters or more, with spellings of its
    skeleton in the model; cached per word."""
    @lru_cache(maxsize=1 << 16)
    def known(low: str) -> bool:
        return len(low) >= 2 and bool(m.by_skeleton.get(_skeleton(low)))
    return known


@lru_cache(maxsize=4)
def _decider(m: Model):
    """The decision for a syllable in its context, cached: cleanup runs its rules over the text
    several times, and the same contexts come back."""
    @lru_cache(maxsize=1 << 17)
    def decide(left: str | None, cur: str, right: str | None) -> str | None:
        cands = m.by_skeleton.get(_skeleton(cur), [])
        if (len(cands) == 1 and cands[0] == cur) or m.supports(left, cur, right):
            return None                                # the only spelling, or a word / seen pair with a neighbour
        best, best_c = m.context(left, cur, right) + channel(cur, cur) + MARGIN, None
        for c in cands:
            if c != cur:
                score = m.context(left, c, right) + channel(cur, c)
                if score > best:
                    best, best_c = score, c
        return best_c
    return decide


def splits(text: str, m: Model | None = None) -> list[Replacement]:
    """Two syllables OCR ran together ("CHÍNHPHỦ", "xãhội"), split where the parts are a known pair.

    Only a letter run that is no syllable itself, and only at the one point where both parts are
    known syllables forming a dictionary word or a pair seen in the statistics.
    """
    m = m or model()
    out: list[Replacement] = []
    for mt in _WORD.finditer(text):
        w = mt.group()
        if len(w) < 4 or is_syllable(w):
            continue
        low = w.lower()
        if len(low) > 2 * m.longest:
            continue                   # no two known syllables make it (and the search below is quadratic)
        found = [k for k in range(2, len(w) - 1)
                 if low[:k] in m.unigrams and low[k:] in m.unigrams and is_syllable(low[:k]) and is_syllable(low[k:])
                 and ((low[:k], low[k:]) in m.words or m.pairs.get((low[:k], low[k:]), 0) >= 2)]
        if len(found) == 1:
            k = found[0]
            out.append((mt.start() + k, mt.start() + k, " "))
    return out


# Cleanup's rules: no decision looks past a blank line (syllables are joined by at most one line break,
# a paragraph's start is a sentence's start), so they run paragraph by paragraph, cached.
rule_diacritics = ParagraphRule(corrections)
rule_word_split = ParagraphRule(splits)
