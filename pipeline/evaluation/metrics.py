"""Metric helpers: plain functions usable on their own.

>>> levenshtein("kitten", "sitting")
3
>>> round(cer("Phân  đấu", "Phấn đấu"), 3)
0.125
>>> set_scores([{"a"}, {"b"}], [{"a"}, {"a"}])["micro_f"]
0.5
>>> match_spans([(0, 10)], [(0, 8), (20, 30)])
[(0, 0)]
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Iterable, Sequence

import numpy as np

MIN_IOU = 0.5
_TRAILING = " \t\n.,;:!?…"


def normalize_ws(text: str) -> str:
    """Every run of whitespace becomes one space; no space at either end."""
    return " ".join(text.split())


def levenshtein(a: str, b: str) -> int:
    """Exact Levenshtein distance (unit costs).

    Myers' bit-parallel algorithm (Hyyrö's formulation for edit distance) on
    Python integers used as bit vectors: one pass over the longer string with
    a handful of big-integer operations per character, so two 20,000-character
    documents take well under a second. Common prefix and suffix are trimmed
    first.
    """
    if len(a) < len(b):
        a, b = b, a
    n = len(b)
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    a, b = a[i:], b[i:]
    j = 0
    n = len(b)
    while j < n and a[-1 - j] == b[-1 - j]:
        j += 1
    if j:
        a, b = a[:-j], b[:-j]
    if not b:
        return len(a)
    m = len(b)
    peq: dict[str, int] = {}
    bit = 1
    for ch in b:
        peq[ch] = peq.get(ch, 0) | bit
        bit <<= 1
    full = (1 << m) - 1
    last = 1 << (m - 1)
    vp, vn, dist = full, 0, m
    for ch in a:
        x = peq.get(ch, 0)
        d0 = ((((x & vp) + vp) ^ vp) | x | vn) & full
        hp = (vn | ~(d0 | vp)) & full
        hn = d0 & vp
        if hp & last:
            dist += 1
        elif hn & last:
            dist -= 1
        hp = ((hp << 1) | 1) & full
        hn = (hn << 1) & full
        vp = (hn | ~(d0 | hp)) & full
        vn = hp & d0
    return dist


def cer(hypothesis: str, gold: str) -> float:
    """Character error rate: Levenshtein distance / length of the gold, both whitespace-normalised."""
    h, g = normalize_ws(hypothesis), normalize_ws(gold)
    return levenshtein(h, g) / max(len(g), 1)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (0.0 where undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def set_scores(gold: Sequence[Iterable[str]], pred: Sequence[Iterable[str]]) -> dict:
    """Multi-label scores over items (tasks), each with a gold and a predicted set of labels.

    ``micro_*`` count (item, label) pairs; ``per_type[label]`` gives p, r, f and
    ``n`` (gold count); ``macro_f`` is the mean F1 over every label that occurs
    in the gold or the predictions (spaCy's convention).
    """
    if len(gold) != len(pred):
        raise ValueError(f"set_scores needs as many predictions as gold items. Got {len(pred)} and {len(gold)}.")
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])   # tp, fp, fn
    for g, p in zip(gold, pred):
        g, p = set(g), set(p)
        for lab in g & p:
            counts[lab][0] += 1
        for lab in p - g:
            counts[lab][1] += 1
        for lab in g - p:
            counts[lab][2] += 1
    tp = sum(c[0] for c in counts.values())
    fp = sum(c[1] for c in counts.values())
    fn = sum(c[2] for c in counts.values())
    p, r, f = prf(tp, fp, fn)
    per_type = {}
    for lab in sorted(counts):
        lp, lr, lf = prf(*counts[lab])
        per_type[lab] = {"p": lp, "r": lr, "f": lf, "n": counts[lab][0] + counts[lab][2]}
    macro = float(np.mean([v["f"] for v in per_type.values()])) if per_type else 0.0
    return {"micro_p": p, "micro_r": r, "micro_f": f, "macro_f": macro, "per_type": per_type}


def label_counts(gold: Sequence[Iterable[str]], pred: Sequence[Iterable[str]]) -> tuple[int, int, int]:
    """(tp, fp, fn) of (item, label) pairs: the counts :func:`set_scores`' micro figures are made of.

    >>> label_counts([{"a", "b"}], [{"a", "c", "d"}])
    (1, 2, 1)
    """
    if len(gold) != len(pred):
        raise ValueError(f"label_counts needs as many predictions as gold items. Got {len(pred)} and {len(gold)}.")
    tp = fp = fn = 0
    for g, p in zip(gold, pred):
        g, p = set(g), set(p)
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    return tp, fp, fn


BOOTSTRAP_SAMPLES = 2000     # resamples of the documents
CONFIDENCE = 0.95


def _micro_f(totals: np.ndarray) -> np.ndarray:
    """F1 of each row of (tp, fp, fn) totals (0 where nothing was counted)."""
    tp, fp, fn = totals[..., 0], totals[..., 1], totals[..., 2]
    den = 2 * tp + fp + fn
    return np.divide(2 * tp, den, out=np.zeros_like(den, dtype=float), where=den > 0)


def _resampled_totals(counts: np.ndarray, samples: int, seed: int) -> np.ndarray:
    """(samples, ..., 3) totals of ``counts`` (documents on the first axis) over documents drawn again with
    replacement, as many as there are: each resample weighs each document by how often it was drawn."""
    n = counts.shape[0]
    weights = np.random.default_rng(seed).multinomial(n, np.full(n, 1.0 / n), size=samples)
    return np.tensordot(weights, counts, axes=(1, 0))


def bootstrap_f(counts, samples: int = BOOTSTRAP_SAMPLES, confidence: float = CONFIDENCE,
                seed: int = 0) -> tuple[float, float]:
    """Percentile interval of a micro-F1 pooled over documents, when the documents are drawn again with
    replacement: how far the figure could move on another set of documents like these. ``counts``: one
    (tp, fp, fn) row per document. Documents are the unit because tasks of one document are not independent
    (one wrong heading makes twenty leads wrong).

    >>> bootstrap_f([(8, 2, 2)] * 20)      # every document alike: no spread
    (0.8, 0.8)
    """
    c = np.asarray(counts, dtype=float).reshape(-1, 3)
    if len(c) == 0:
        raise ValueError("bootstrap_f needs at least one document's counts.")
    f = _micro_f(_resampled_totals(c, samples, seed))
    tail = (1 - confidence) / 2
    low, high = np.quantile(f, [tail, 1 - tail])
    return float(low), float(high)


def paired_bootstrap(before, after, samples: int = BOOTSTRAP_SAMPLES, confidence: float = CONFIDENCE,
                     seed: int = 0) -> dict:
    """How a micro-F1 changed between two runs on the same documents (one (tp, fp, fn) row per document in
    each, in the same order): the change, its percentile interval when the documents are drawn again with
    replacement (the same draw for both runs: a paired test), and the shares of draws in which ``after`` is
    higher and lower (the rest are ties). An interval that holds 0 is a change these documents cannot tell
    from chance. It does not see the other source of spread: every model refitted on slightly different
    candidates moves the figures too.
    """
    a = np.asarray(before, dtype=float).reshape(-1, 3)
    b = np.asarray(after, dtype=float).reshape(-1, 3)
    if a.shape != b.shape or len(a) == 0:
        raise ValueError(f"paired_bootstrap needs the same documents on both sides. Got {len(a)} and {len(b)}.")
    totals = _resampled_totals(np.stack([a, b], axis=1), samples, seed)     # (samples, 2, 3)
    diff = _micro_f(totals[:, 1]) - _micro_f(totals[:, 0])
    tail = (1 - confidence) / 2
    low, high = np.quantile(diff, [tail, 1 - tail])
    fa, fb = float(_micro_f(a.sum(axis=0))), float(_micro_f(b.sum(axis=0)))
    return {"before": fa, "after": fb, "change": fb - fa, "low": float(low), "high": float(high),
            "share_higher": float(np.mean(diff > 0)), "share_lower": float(np.mean(diff < 0))}


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Character overlap of two spans over their union."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union > 0 else 0.0


def match_spans(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]],
                min_iou: float = MIN_IOU) -> list[tuple[int, int]]:
    """One-to-one greedy matching: (gold index, predicted index) pairs with IoU >= ``min_iou``, best first."""
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            v = iou(g, p)
            if v >= min_iou and v > 0:
                pairs.append((-v, gi, pi))
    return sorted((gi, pi) for _, gi, pi in greedy_one_to_one((-v, gi, pi) for v, gi, pi in pairs))


def greedy_one_to_one(scored: Iterable[tuple[float, int, int]]) -> list[tuple[float, int, int]]:
    """One-to-one matching of (score, left, right) candidates: the best score first (ties by left, then right
    index), each left and each right index used once.

    >>> greedy_one_to_one([(0.9, 0, 0), (0.8, 0, 1), (0.7, 1, 0), (0.6, 1, 1)])
    [(0.9, 0, 0), (0.6, 1, 1)]
    """
    used_l, used_r, out = set(), set(), []
    for v, i, j in sorted(scored, key=lambda x: (-x[0], x[1], x[2])):
        if i in used_l or j in used_r:
            continue
        used_l.add(i)
        used_r.add(j)
        out.append((v, i, j))
    return out


def trim_span(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span without leading whitespace and trailing whitespace or punctuation."""
    s, e = span
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1] in _TRAILING:
        e -= 1
    return s, e


def span_scores(docs: Sequence[tuple[str, Sequence[tuple[int, int]], Sequence[tuple[int, int]]]],
                min_iou: float = MIN_IOU) -> dict:
    """Task-span P/R/F1, micro over documents: ``docs`` holds (text, gold spans, predicted spans).

    ``p``, ``r``, ``f``: IoU matching (:func:`match_spans`); ``f_exact``: equal spans
    after :func:`trim_span`.
    """
    n_gold = n_pred = tp = tp_exact = 0
    for text, gold, pred in docs:
        n_gold += len(gold)
        n_pred += len(pred)
        tp += len(match_spans(gold, pred, min_iou))
        tg = Counter(trim_span(text, s) for s in gold)
        tpred = Counter(trim_span(text, s) for s in pred)
        tp_exact += sum((tg & tpred).values())
    p, r, f = prf(tp, n_pred - tp, n_gold - tp)
    pe, re_, fe = prf(tp_exact, n_pred - tp_exact, n_gold - tp_exact)
    return {"p": p, "r": r, "f": f, "p_exact": pe, "r_exact": re_, "f_exact": fe,
            "gold": n_gold, "predicted": n_pred, "matched": tp}


def gold_sentence(line: str) -> tuple[str, list[tuple[int, int]]]:
    """A line of ``gold.txt`` as (text, word spans): tokens joined by spaces, "_" read as a space."""
    words = [w.replace("_", " ") for w in line.split()]
    spans, pos = [], 0
    for w in words:
        spans.append((pos, pos + len(w)))
        pos += len(w) + 1
    return " ".join(words), spans


def nonspace_spans(text: str, spans: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Spans re-expressed as offsets into ``text`` with its whitespace removed (empty spans dropped)."""
    ns = [0]
    for ch in text:
        ns.append(ns[-1] + (not ch.isspace()))
    out = set()
    for s, e in spans:
        a, b = ns[s], ns[e]
        if b > a:
            out.add((a, b))
    return out


def join_covered(words: Sequence[tuple[int, int]], spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join every run of words that exactly covers one of ``spans`` into one word.

    >>> join_covered([(0, 3), (4, 7), (8, 10)], [(0, 7), (5, 10)])
    [(0, 7), (8, 10)]
    """
    starts = {s: i for i, (s, _) in enumerate(words)}
    ends = {e: i for i, (_, e) in enumerate(words)}
    join_to: dict[int, int] = {}
    for s, e in spans:
        i, j = starts.get(s), ends.get(e)
        if i is not None and j is not None and j > i:
            join_to[i] = max(j, join_to.get(i, j))
    out, i = [], 0
    while i < len(words):
        j = join_to.get(i, i)
        out.append((words[i][0], words[j][1]))
        i = j + 1
    return out


def boundary_f1(pairs: Iterable[tuple[set, set]]) -> tuple[float, float, float]:
    """Word P/R/F1 over sentences, each a (gold spans, predicted spans) pair of sets."""
    tp = n_gold = n_pred = 0
    for gold, pred in pairs:
        tp += len(gold & pred)
        n_gold += len(gold)
        n_pred += len(pred)
    return prf(tp, n_pred - tp, n_gold - tp)


def theme_keywords(labelset: dict, skip: Iterable[str] = ("khac",)) -> dict[str, list[str]]:
    """A keyword table built from the label set: the comma- or slash-separated phrases of each
    theme's description, lower-cased, parenthesised remarks dropped ("Kiểm tra, giám sát, báo cáo"
    -> ["kiểm tra", "giám sát", "báo cáo"])."""
    table = {}
    for theme, desc in labelset["themes"].items():
        if theme in skip:
            continue
        desc = re.sub(r"\([^)]*\)", " ", desc)
        phrases = [normalize_ws(p).lower() for p in re.split(r"[,/;]", desc)]
        table[theme] = [p for p in phrases if len(p) >= 2]
    return table


def keyword_themes(text: str, table: dict[str, list[str]]) -> set[str]:
    """Every theme one of whose keyword phrases occurs in ``text`` as whole words."""
    low = text.lower()
    return {theme for theme, phrases in table.items()
            if any(re.search(r"(?<!\w)" + re.escape(p) + r"(?!\w)", low) for p in phrases)}


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Cohen's kappa of two binary annotations of the same items (None when undefined)."""
    n = len(a)
    if n == 0:
        return None
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return None if pe == 1 else (po - pe) / (1 - pe)
