"""Stage-by-stage evaluation on the hand-labelled corpus: ``vanban evaluate corpus``.

Each stage is scored on its own, on gold input, so that an error of an early
stage does not hide (or excuse) the errors of a later one:

1. cleanup: character error rate of ``clean(raw)`` against the gold clean text;
2. segmentation: word-boundary F1 against ``corpus/segmentation/gold.txt``;
3. task detection: span P/R/F1 of the detector on the gold clean text;
4. agencies (lead, support) and themes: F1 on the gold task spans;
5. metadata: accuracy per field on the gold clean text.

Stages 3 and 4 are cross-validated with folds grouped by document (the
sentences of one document are never on both sides), and each is compared with
simple baselines. :func:`evaluate` returns one flat dict of figures, in the
style of spaCy's scorer (``lead_micro_f``, ``lead_macro_f``,
``lead_f_per_type``…), and writes ``report.md``, ``scores.json``,
``confusion_lead.png`` and ``learning_curve.png``.

The metric helpers are plain functions usable on their own:

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

import hashlib
import json
import re
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from . import corpus as corpus_mod
from .errors import CorpusError

META_FIELDS = corpus_mod.META_KEYS
LC_SIZES = (10, 20, 40)                 # learning-curve training sizes (documents), plus "all"
MIN_IOU = 0.5
_TRAILING = " \t\n.,;:!?…"
NONE_LABEL = "(none)"


# --------------------------------------------------------------------------- metric helpers

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
    pairs.sort()
    used_g, used_p, out = set(), set(), []
    for _, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi))
    return sorted(out)


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


# --------------------------------------------------------------------------- segmentation helpers

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


# --------------------------------------------------------------------------- baselines

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


def eval_agreement(corpus_dir: Path, labelset: dict) -> tuple[dict, list[dict]]:
    """Inter-annotator agreement: ``agreement/<id>.txt`` (second annotator) against the first annotation.

    The first annotation is ``agreement/first/<id>.txt`` (the gold as it was before reconciliation)
    when present, else ``src/<id>.txt``: once the gold is reconciled, comparing with it would no
    longer measure independent agreement.

    Task units match when their spans overlap by IoU >= 0.5 (both annotate the same clean text).
    On matched tasks, per label: Cohen's kappa and F1 of the label's presence (lead agencies,
    support agencies, themes), with the first annotation as reference.
    """
    adir = corpus_dir / "agreement"
    sdir = adir / "first" if (adir / "first").is_dir() else corpus_dir / "src"
    files = sorted(adir.glob("*.txt")) if adir.is_dir() else []
    pairs = [(corpus_mod.read_source(sdir / f.name), corpus_mod.read_source(f)) for f in files if (sdir / f.name).exists()]
    if not pairs:
        return {}, []
    units, matched, notes = [], [], []
    for a, b in pairs:
        # a source edited after the second annotation is compared on the text both share
        common = next((i for i, (x, y) in enumerate(zip(a.text, b.text)) if x != y), min(len(a.text), len(b.text)))
        if common < len(a.text) or common < len(b.text):
            notes.append(f"{a.doc_id}: compared on its first {common} characters (the source changed after the "
                         "second annotation)")
        ta = [t for t in a.tasks if t["end"] <= common]
        tb = [t for t in b.tasks if t["end"] <= common]
        m = match_spans([(t["start"], t["end"]) for t in ta], [(t["start"], t["end"]) for t in tb])
        units.append((len(m), len(tb) - len(m), len(ta) - len(m)))
        matched += [(ta[i], tb[j]) for i, j in m]
    tp, fp, fn = (sum(u[k] for u in units) for k in range(3))
    p, r, f = prf(tp, fp, fn)
    out = {"agreement_documents": len(units), "agreement_task_p": p, "agreement_task_r": r, "agreement_task_f": f,
           "agreement_tasks_matched": len(matched)}
    rows = [{"note": n} for n in notes]
    for kind, ids in (("lead", labelset["agencies"]), ("support", labelset["agencies"]), ("theme", labelset["themes"])):
        def labels(t):
            if kind == "theme":
                return set(t["themes"])
            return {x["id"] for x in t["agencies"] if x["role"] == kind}
        la = [labels(x) for x, _ in matched]
        lb = [labels(y) for _, y in matched]
        s = set_scores(la, lb)
        out[f"agreement_{kind}_micro_f"] = s["micro_f"]
        kappas = []
        for lab in ids:
            va = [int(lab in x) for x in la]
            vb = [int(lab in y) for y in lb]
            if sum(va) + sum(vb) == 0:
                continue
            k = cohen_kappa(va, vb)
            tp_, fp_, fn_ = (sum(x and y for x, y in zip(va, vb)), sum(y and not x for x, y in zip(va, vb)),
                             sum(x and not y for x, y in zip(va, vb)))
            rows.append({"kind": kind, "label": lab, "kappa": k, "f1": prf(tp_, fp_, fn_)[2],
                         "first": sum(va), "second": sum(vb)})
            if k is not None:
                kappas.append(k)
        out[f"agreement_{kind}_mean_kappa"] = float(np.mean(kappas)) if kappas else None
    return out, rows


def _norm_meta(v) -> str | None:
    if v is None:
        return None
    v = normalize_ws(str(v)).lower()
    return v or None


# --------------------------------------------------------------------------- gold

def _serialise(doc: corpus_mod.GoldDocument) -> str:
    return json.dumps(doc.to_record(), ensure_ascii=False) + "\n"


def load_gold(corpus_dir: str | Path) -> tuple[list[corpus_mod.GoldDocument], str, str]:
    """(documents, corpus sha256, note on where the gold came from).

    With a ``src/`` folder the gold is compiled from it in memory (as ``vanban corpus
    build`` would, without writing ``labels.jsonl``) and validated; otherwise
    ``labels.jsonl`` is read. The hash equals :func:`pipeline.corpus.corpus_hash`
    of the built corpus, so ``vanban train --scores`` can tell the scores belong to it.
    """
    corpus_dir = Path(corpus_dir)
    labelset_bytes = (corpus_dir / "labelset.json").read_bytes() if (corpus_dir / "labelset.json").exists() else None
    labelset = corpus_mod.load_labelset(corpus_dir)
    src = corpus_dir / "src"
    if src.is_dir() and any(src.glob("*.txt")):
        docs = [corpus_mod.read_source(p, corpus_dir) for p in sorted(src.glob("*.txt"))]
        problems = [p for d in docs for p in corpus_mod.check_document(d, labelset)]
        if problems:
            raise CorpusError(f"{len(problems)} problem(s) in {src}; fix them (`vanban corpus check "
                              f"{corpus_dir}`) before evaluating:\n" + "\n".join(problems))
        body = "".join(_serialise(d) for d in docs).encode("utf-8")
        labels = corpus_dir / "labels.jsonl"
        if not labels.exists():
            note = f"compiled from {src} ({len(docs)} files); labels.jsonl is missing"
        elif labels.read_bytes() != body:
            note = (f"compiled from {src} ({len(docs)} files); labels.jsonl is out of date: "
                    f"run `vanban corpus build {corpus_dir}`")
        else:
            note = f"compiled from {src} ({len(docs)} files), identical to labels.jsonl"
    else:
        docs = corpus_mod.load(corpus_dir)
        body = (corpus_dir / "labels.jsonl").read_bytes()
        note = f"read from {corpus_dir / 'labels.jsonl'}"
    h = hashlib.sha256()
    h.update(labelset_bytes or b"")
    h.update(body)
    return docs, h.hexdigest(), note


# --------------------------------------------------------------------------- stages without folds

def eval_cleanup(corpus_dir: Path, docs: Sequence[corpus_mod.GoldDocument]) -> tuple[dict, list[dict]]:
    """CER before/after cleanup, pooled (sum of distances / sum of gold lengths) per group."""
    from .cleanup import clean

    rows = []
    for d in docs:
        if not d.raw:
            continue
        path = corpus_dir / d.raw
        if not path.exists():
            continue
        raw = path.read_text(encoding="utf-8")
        gold = normalize_ws(d.text)
        before = levenshtein(normalize_ws(raw), gold)
        after = levenshtein(normalize_ws(clean(raw).text), gold)
        group = "injected" if Path(d.raw).name.startswith("g") else "seeds"
        rows.append({"doc_id": d.doc_id, "group": group, "gold_chars": len(gold),
                     "before": before, "after": after})
    out = {}
    for group in ("seeds", "injected"):
        rs = [r for r in rows if r["group"] == group]
        n = sum(r["gold_chars"] for r in rs)
        out[f"cleanup_cer_before_{group}"] = sum(r["before"] for r in rs) / n if n else None
        out[f"cleanup_cer_after_{group}"] = sum(r["after"] for r in rs) / n if n else None
        out[f"cleanup_documents_{group}"] = len(rs)
    return out, rows


def eval_segmentation(gold_path: Path, segmenter, underthesea_segmenter, matcher) -> dict:
    """Word-boundary P/R/F1 of the pipeline and of plain underthesea against two golds."""
    lines = [ln for ln in gold_path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    pairs: dict[str, list] = defaultdict(list)
    n_words = n_whole = 0
    for line in lines:
        text, gold = gold_sentence(line)
        whole = join_covered(gold, matcher.term_spans(text))
        g_vlsp, g_whole = nonspace_spans(text, gold), nonspace_spans(text, whole)
        n_words += len(g_vlsp)
        n_whole += len(g_whole)
        for name, seg in (("pipeline", segmenter), ("underthesea", underthesea_segmenter)):
            pred = nonspace_spans(text, [(t.start, t.end) for t in seg(text)])
            pairs[name].append((g_vlsp, pred))
            pairs[name + "_names_whole"].append((g_whole, pred))
    out = {"seg_sentences": len(lines), "seg_gold_words": n_words, "seg_gold_words_names_whole": n_whole}
    for name in ("pipeline", "underthesea", "pipeline_names_whole", "underthesea_names_whole"):
        p, r, f = boundary_f1(pairs[name])
        out[f"seg_p_{name}"], out[f"seg_r_{name}"], out[f"seg_f1_{name}"] = p, r, f
    return out


def eval_metadata(docs: Sequence[corpus_mod.GoldDocument]) -> tuple[dict, list[dict]]:
    """Accuracy per field of metadata.extract on the gold clean text."""
    from .metadata import extract

    correct = Counter()
    misses = []
    for d in docs:
        got = extract(d.text)
        for f in META_FIELDS:
            g, p = _norm_meta(d.meta.get(f)), _norm_meta(got.get(f))
            if g == p:
                correct[f] += 1
            else:
                misses.append({"doc_id": d.doc_id, "field": f, "gold": d.meta.get(f), "predicted": got.get(f)})
    n = max(len(docs), 1)
    out = {f"meta_acc_{f}": correct[f] / n for f in META_FIELDS}
    out["meta_acc_mean"] = float(np.mean([out[f"meta_acc_{f}"] for f in META_FIELDS]))
    return out, misses


# --------------------------------------------------------------------------- fold jobs (run in workers)

def _quiet_sklearn() -> None:
    # rare labels are often absent from a training fold: expected, not worth a warning per fold
    warnings.filterwarnings("ignore", message=r"Label .* is present in all training examples")
    warnings.filterwarnings("ignore", message=r"Label not .* is present in all training examples")


def _classify(X_train, agencies_train, themes_train, X_test, top_k: int = 3) -> dict:
    """Fit the agency and theme models on one training side, predict the test side."""
    from .classification import AgencyClassifier, ThemeClassifier

    _quiet_sklearn()
    n = len(X_test)
    out = {"lead": [set() for _ in range(n)], "support": [set() for _ in range(n)],
           "first_lead": [NONE_LABEL] * n, "themes": [set() for _ in range(n)], "top": [[] for _ in range(n)]}
    if n == 0 or len(X_train) == 0:
        return out
    ag = AgencyClassifier().fit(X_train, agencies_train)
    for i, found in enumerate(ag.predict_agencies(X_test)):
        out["lead"][i] = {a.id for a in found if a.role == "lead"}
        out["support"][i] = {a.id for a in found if a.role == "support"}
        out["first_lead"][i] = next((a.id for a in found if a.role == "lead"), NONE_LABEL)
    th = ThemeClassifier().fit(X_train, themes_train)
    proba = th.predict_proba(X_test)
    out["top"] = [[str(th.classes_[j]) for j in np.argsort(-row, kind="stable")[:top_k]] for row in proba]
    out["themes"] = [{t.id for t in ts} for ts in th.predict_themes(X_test)]
    return out


def _detect(F_train, y_train, F_test) -> tuple[list[int] | None, str]:
    """Fit a TaskDetector and predict the test side.

    Returns (predictions, "") or (None, reason) when no detector can be fitted on
    the training side (a single class, or too little text for its vectorizers):
    the caller then falls back to the rules, as ``training.fit`` does.
    """
    from .splitting import TaskDetector

    if len(F_test) == 0:
        return [], ""
    if len(set(np.asarray(y_train).tolist())) < 2:
        return None, "a single class among the training candidates"
    try:
        detector = TaskDetector().fit(F_train, y_train)
    except ValueError as e:          # e.g. "empty vocabulary" on a very small training side
        return None, f"TaskDetector.fit failed: {e}"
    return detector.predict(F_test).tolist(), ""


def _run_job(job: dict) -> dict:
    t = time.time()
    res = {"kind": job["kind"], "fold": job["fold"], "size": job.get("size")}
    if job["kind"] == "main":
        res["detected"], res["detect_problem"] = _detect(job["F_train"], job["y_train"], job["F_test"])
    res.update(_classify(job["X_train"], job["ag_train"], job["th_train"], job["X_test"]))
    res["seconds"] = time.time() - t
    return res


# --------------------------------------------------------------------------- plots

def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)          # Agg, without touching pyplot's global backend
    return fig


def plot_confusion(gold: Sequence[str], pred: Sequence[str], path: Path, title: str) -> list[str]:
    """Confusion matrix (rows gold, columns predicted), coloured by row share, counts written in."""
    freq = Counter(gold)
    labels = [lab for lab, _ in sorted(freq.items(), key=lambda x: (-x[1], x[0]))]
    labels += sorted({p for p in pred if p not in freq and p != NONE_LABEL})
    if NONE_LABEL in pred or NONE_LABEL in freq:
        labels = [lab for lab in labels if lab != NONE_LABEL] + [NONE_LABEL]
    idx = {lab: i for i, lab in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)), dtype=int)
    for g, p in zip(gold, pred):
        m[idx[g], idx[p]] += 1
    share = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    size = max(5.0, 0.45 * len(labels) + 3)
    fig = _figure(size + 1, size)
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if m[i, j]:
                ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if share[i, j] > 0.6 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, fraction=0.04, label="share of the gold row")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return labels


def plot_learning_curve(points: list[dict], path: Path) -> None:
    fig = _figure(6.5, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    xs = [p["documents"] for p in points]
    ax.plot(xs, [p["theme_micro_f"] for p in points], marker="o", label="theme micro-F1")
    ax.plot(xs, [p["lead_micro_f"] for p in points], marker="s", label="lead agency micro-F1")
    ax.set_xlabel("training documents per fold")
    ax.set_ylabel("micro-F1 on the held-out fold (pooled)")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title("Learning curve (same document folds)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# --------------------------------------------------------------------------- evaluate

def _say(progress: Callable[[str], None] | None, msg: str) -> None:
    if progress is not None:
        progress(msg)


def document_folds(docs: Sequence[corpus_mod.GoldDocument], folds: int) -> np.ndarray:
    """Fold index of each document: sklearn GroupKFold over tasks grouped by document (balances tasks)."""
    from sklearn.model_selection import GroupKFold

    if not isinstance(folds, int) or folds < 2:
        raise ValueError(f"The 'folds' parameter of evaluate must be an int >= 2. Got {folds!r} instead.")
    if folds > len(docs):
        raise ValueError(f"The 'folds' parameter of evaluate must be at most the number of documents "
                         f"({len(docs)}). Got {folds} instead.")
    rows = np.array([i for i, d in enumerate(docs) for _ in range(max(1, len(d.tasks)))])
    fold_of = np.full(len(docs), -1)
    for k, (_, test) in enumerate(GroupKFold(n_splits=folds).split(rows, groups=rows)):
        fold_of[rows[test]] = k
    return fold_of


def _round(v):
    if isinstance(v, float):
        return round(v, 4)
    if isinstance(v, dict):
        return {k: _round(x) for k, x in v.items()}
    return v


def evaluate(corpus_dir: str | Path, report_dir: str | Path | None = "evaluation", folds: int = 5, seed: int = 0,
             learning_curve: bool = True, progress: Callable[[str], None] | None = None,
             n_jobs: int | None = None) -> dict:
    """Evaluate every stage on the corpus; return one flat dict of figures (see the module doc).

    ``report_dir`` receives report.md, scores.json, confusion_lead.png and
    learning_curve.png (None: write nothing). Folds are sklearn ``GroupKFold``
    over documents, deterministic; ``seed`` only chooses the documents of the
    smaller learning-curve training sets. ``n_jobs`` fold fits run in parallel
    processes (default: one per CPU core); ``progress`` receives one line per step.
    """
    from . import splitting, training
    from .lexicon import AgencyMatcher
    from .segmentation import Segmenter

    t0 = time.time()
    corpus_dir = Path(corpus_dir)
    docs, sha, gold_note = load_gold(corpus_dir)
    if not docs:
        raise CorpusError(f"No documents in {corpus_dir}: nothing to evaluate.")
    labelset = corpus_mod.load_labelset(corpus_dir)
    fold_of = document_folds(docs, folds)
    _say(progress, f"gold: {len(docs)} documents, {sum(len(d.tasks) for d in docs)} tasks ({gold_note})")

    scores: dict = {"corpus_documents": len(docs), "corpus_tasks": sum(len(d.tasks) for d in docs),
                    "corpus_sha256": sha, "folds": folds}
    agency_counts = Counter(a["id"] for d in docs for t in d.tasks for a in t["agencies"])
    lead_counts = Counter(a["id"] for d in docs for t in d.tasks for a in t["agencies"] if a["role"] == "lead")
    theme_counts = Counter(th for d in docs for t in d.tasks for th in t["themes"])
    scores["label_counts_agencies"] = dict(agency_counts.most_common())
    scores["label_counts_themes"] = dict(theme_counts.most_common())
    details: dict = {"gold_note": gold_note, "lead_counts": lead_counts}

    # 1. cleanup
    _say(progress, "cleanup: character error rate before/after")
    cl, details["cleanup_rows"] = eval_cleanup(corpus_dir, docs)
    scores.update(cl)

    # 2. segmentation
    matcher = AgencyMatcher.default()
    segmenter = Segmenter(matcher=matcher)
    gold_seg = corpus_dir / "segmentation" / "gold.txt"
    if gold_seg.exists():
        _say(progress, "segmentation: word-boundary F1")
        scores.update(eval_segmentation(gold_seg, segmenter, Segmenter(use_lexicon=False), matcher))
    else:
        details["seg_missing"] = str(gold_seg)

    # inter-annotator agreement (cheap)
    ag, details["agreement_rows"] = eval_agreement(corpus_dir, labelset)
    scores.update(ag)

    # 5. metadata (cheap; before the folds)
    _say(progress, "metadata: accuracy per field")
    md, details["meta_misses"] = eval_metadata(docs)
    scores.update(md)

    # shared inputs of the folds: candidates and gold task records, computed once
    _say(progress, "segmenting every gold task once")
    X, agencies, themes, groups = training.task_records(docs, segmenter)
    doc_index = {d.doc_id: i for i, d in enumerate(docs)}
    task_fold = np.array([fold_of[doc_index[g]] for g in groups], dtype=int)
    task_doc = np.array([doc_index[g] for g in groups], dtype=int)
    gold_lead = [{a["id"] for a in ags if a["role"] == "lead"} for ags in agencies]
    gold_support = [{a["id"] for a in ags if a["role"] == "support"} for ags in agencies]
    gold_first = [next((a["id"] for a in ags if a["role"] == "lead"), NONE_LABEL) for ags in agencies]
    gold_themes = [set(ts) for ts in themes]
    cands, y_det, cgroups = training.detector_data(docs)
    F = splitting.candidate_frame(cands)
    cand_fold = np.array([fold_of[doc_index[g]] for g in cgroups], dtype=int)

    # jobs: one per fold (detector + classifiers), plus the learning curve's smaller training sets
    rng = np.random.default_rng(seed)
    jobs = []
    for k in range(folds):
        tr, te = np.flatnonzero(task_fold != k), np.flatnonzero(task_fold == k)
        ctr, cte = np.flatnonzero(cand_fold != k), np.flatnonzero(cand_fold == k)
        jobs.append({"kind": "main", "fold": k, "X_train": X.iloc[tr].reset_index(drop=True),
                     "ag_train": [agencies[i] for i in tr], "th_train": [themes[i] for i in tr],
                     "X_test": X.iloc[te].reset_index(drop=True),
                     "F_train": F.iloc[ctr].reset_index(drop=True), "y_train": y_det[ctr],
                     "F_test": F.iloc[cte].reset_index(drop=True), "test": te, "cand_test": cte})
    lc_sizes: list[int] = []
    if learning_curve:
        n_train_min = min(int(np.sum(fold_of != k)) for k in range(folds))
        lc_sizes = [n for n in LC_SIZES if n < n_train_min]
        for k in range(folds):
            train_docs = np.flatnonzero(fold_of != k)
            order = rng.permutation(train_docs)
            te = np.flatnonzero(task_fold == k)
            for n in lc_sizes:
                chosen = set(order[:n].tolist())
                tr = np.array([i for i in range(len(groups)) if task_doc[i] in chosen], dtype=int)
                jobs.append({"kind": "lc", "fold": k, "size": n, "X_train": X.iloc[tr].reset_index(drop=True),
                             "ag_train": [agencies[i] for i in tr], "th_train": [themes[i] for i in tr],
                             "X_test": X.iloc[te].reset_index(drop=True), "test": te})
    # biggest fits first, for a balanced parallel run
    jobs.sort(key=lambda j: -len(j["X_train"]))
    results = _run_jobs(jobs, n_jobs, progress)

    # 3. task detection
    n_tasks = len(groups)
    pred_det = np.zeros(len(cands), dtype=int)
    fallback_folds = []
    for job, res in zip(jobs, results):
        if job["kind"] != "main":
            continue
        if res["detected"] is None:
            fallback_folds.append((job["fold"] + 1, res["detect_problem"]))
            res["detected"] = [int(splitting.rule_is_task(cands[i])) for i in job["cand_test"]]
        pred_det[job["cand_test"]] = res["detected"]
    rule_det = np.array([int(splitting.rule_is_task(c)) for c in cands], dtype=int)
    by_doc_model: dict[int, list] = defaultdict(list)
    by_doc_rules: dict[int, list] = defaultdict(list)
    for i, c in enumerate(cands):
        di = doc_index[cgroups[i]]
        if pred_det[i]:
            by_doc_model[di].append((c.start, c.end))
        if rule_det[i]:
            by_doc_rules[di].append((c.start, c.end))
    gold_spans = [[(t["start"], t["end"]) for t in d.tasks] for d in docs]
    det_model = span_scores([(d.text, gold_spans[i], by_doc_model[i]) for i, d in enumerate(docs)])
    det_rules = span_scores([(d.text, gold_spans[i], by_doc_rules[i]) for i, d in enumerate(docs)])
    scores.update({"task_p": det_model["p"], "task_r": det_model["r"], "task_f": det_model["f"],
                   "task_f_exact": det_model["f_exact"], "task_p_rules": det_rules["p"],
                   "task_r_rules": det_rules["r"], "task_f_rules": det_rules["f"],
                   "task_f_exact_rules": det_rules["f_exact"], "task_folds_rules_fallback": len(fallback_folds)})
    details["det"] = {"model": det_model, "rules": det_rules, "fallback_folds": fallback_folds,
                      "candidates": len(cands), "positives": int(y_det.sum())}

    # 4. agencies and themes: gather the main folds' predictions in task order
    pred: dict[str, list] = {key: [None] * n_tasks for key in ("lead", "support", "first_lead", "themes", "top")}
    lc_pred: dict[int, dict[str, list]] = {n: {"lead": [set()] * n_tasks, "themes": [set()] * n_tasks}
                                           for n in lc_sizes}
    for job, res in zip(jobs, results):
        for j, i in enumerate(job["test"]):
            if job["kind"] == "main":
                for key in pred:
                    pred[key][i] = res[key][j]
            else:
                lc_pred[job["size"]]["lead"][i] = res["lead"][j]
                lc_pred[job["size"]]["themes"][i] = res["themes"][j]

    # baselines, per fold: majority label of the training side; lexicon prior; description keywords
    base = {"lead_majority": [None] * n_tasks, "lead_rules": [None] * n_tasks,
            "theme_majority": [None] * n_tasks, "theme_keywords": [None] * n_tasks}
    table = theme_keywords(labelset)
    priors = []
    for i in range(n_tasks):
        ms = matcher.mentions(X["text"].iloc[i])
        priors.append(ms[0].prior if ms else None)
    majority_of = {}
    for k in range(folds):
        tr = np.flatnonzero(task_fold != k)
        lead_c = Counter(lab for i in tr for lab in gold_lead[i])
        theme_c = Counter(lab for i in tr for lab in gold_themes[i])
        maj_lead = min(lead_c.items(), key=lambda x: (-x[1], x[0]))[0] if lead_c else NONE_LABEL
        maj_theme = min(theme_c.items(), key=lambda x: (-x[1], x[0]))[0] if theme_c else NONE_LABEL
        majority_of[k] = (maj_lead, maj_theme)
        for i in np.flatnonzero(task_fold == k):
            base["lead_majority"][i] = {maj_lead}
            base["lead_rules"][i] = {priors[i] or maj_lead}
            base["theme_majority"][i] = {maj_theme}
            base["theme_keywords"][i] = keyword_themes(X["text"].iloc[i], table) or {maj_theme}
    details["majority"] = majority_of
    details["keywords"] = table

    lead = set_scores(gold_lead, pred["lead"])
    support = set_scores(gold_support, pred["support"])
    theme = set_scores(gold_themes, pred["themes"])
    for name, s in (("lead", lead), ("support", support), ("theme", theme)):
        scores[f"{name}_micro_p"], scores[f"{name}_micro_r"] = s["micro_p"], s["micro_r"]
        scores[f"{name}_micro_f"], scores[f"{name}_macro_f"] = s["micro_f"], s["macro_f"]
        scores[f"{name}_f_per_type"] = s["per_type"]
    scores["lead_first_acc"] = float(np.mean([g == p for g, p in zip(gold_first, pred["first_lead"])])) \
        if n_tasks else 0.0
    scores["theme_top3_acc"] = float(np.mean([ts[0] in top for ts, top in zip(themes, pred["top"])])) \
        if n_tasks else 0.0
    for key, gold in (("lead_majority", gold_lead), ("lead_rules", gold_lead),
                      ("theme_majority", gold_themes), ("theme_keywords", gold_themes)):
        s = set_scores(gold, base[key])
        what, how = key.split("_", 1)
        scores[f"{what}_micro_f_{how}"] = s["micro_f"]
        scores[f"{what}_macro_f_{how}"] = s["macro_f"]

    # learning curve: pooled over the same test folds
    points = []
    if learning_curve:
        for n in lc_sizes:
            lf = set_scores(gold_lead, lc_pred[n]["lead"])["micro_f"]
            tf = set_scores(gold_themes, lc_pred[n]["themes"])["micro_f"]
            scores[f"learning_curve_lead_micro_f_{n}"], scores[f"learning_curve_theme_micro_f_{n}"] = lf, tf
            points.append({"documents": n, "label": str(n), "lead_micro_f": lf, "theme_micro_f": tf})
        n_all = float(np.mean([np.sum(fold_of != k) for k in range(folds)]))
        scores["learning_curve_lead_micro_f_all"] = scores["lead_micro_f"]
        scores["learning_curve_theme_micro_f_all"] = scores["theme_micro_f"]
        points.append({"documents": n_all, "label": f"all but the fold (≈{n_all:.0f})",
                       "lead_micro_f": scores["lead_micro_f"], "theme_micro_f": scores["theme_micro_f"]})
    details["lc_points"] = points
    details["fit_seconds"] = sum(r["seconds"] for r in results)

    scores["seconds"] = round(time.time() - t0, 1)
    scores = _round(scores)
    if report_dir is not None:
        _say(progress, f"writing the report to {report_dir}")
        out = Path(report_dir)
        out.mkdir(parents=True, exist_ok=True)
        labels = plot_confusion(gold_first, pred["first_lead"], out / "confusion_lead.png",
                                f"Lead agency (first lead of each task), {folds}-fold CV, {n_tasks} tasks")
        details["confusion_labels"] = labels
        if points:
            plot_learning_curve(points, out / "learning_curve.png")
        (out / "scores.json").write_text(json.dumps(scores, ensure_ascii=False, indent=2, default=str) + "\n",
                                         encoding="utf-8")
        command = _command(corpus_dir, report_dir, folds, seed, learning_curve)
        (out / "report.md").write_text(render_report(scores, details, command), encoding="utf-8")
    _say(progress, f"done in {scores['seconds']:.0f} s")
    return scores


def _run_jobs(jobs: list[dict], n_jobs: int | None, progress) -> list[dict]:
    if n_jobs is None:
        from joblib import cpu_count

        n_jobs = cpu_count()          # respects CPU affinity and container limits
    n_jobs = max(1, min(n_jobs, len(jobs)))
    total = len(jobs)

    def label(res):
        what = f"fold {res['fold'] + 1}" + (" (full training side)" if res["kind"] == "main"
                                            else f" (learning curve, {res['size']} documents)")
        return f"fitted {what} in {res['seconds']:.1f} s"

    results = []
    if n_jobs == 1:
        for k, job in enumerate(jobs, 1):
            res = _run_job(job)
            results.append(res)
            _say(progress, f"[{k}/{total}] {label(res)}")
        return results
    from joblib import Parallel, delayed

    _say(progress, f"fitting {total} fold models on {n_jobs} processes")
    for k, res in enumerate(Parallel(n_jobs=n_jobs, return_as="generator")(delayed(_run_job)(j) for j in jobs), 1):
        results.append(res)
        _say(progress, f"[{k}/{total}] {label(res)}")
    return results


def _command(corpus_dir, report_dir, folds, seed, learning_curve) -> str:
    cmd = f"vanban evaluate {Path(corpus_dir).as_posix()}"
    if str(report_dir) != "evaluation":
        cmd += f" --report-dir {Path(report_dir).as_posix()}"
    if folds != 5:
        cmd += f" --folds {folds}"
    if not learning_curve:
        cmd += " --no-learning-curve"
    if seed != 0:
        cmd += f"   # and seed={seed}: python -c \"from pipeline.evaluation import evaluate; evaluate(...)\""
    return cmd


# --------------------------------------------------------------------------- report

def _f(v, pct: bool = False) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{100 * v:.1f} %" if pct else f"{v:.3f}"
    return str(v)


def _per_type_table(per_type: dict) -> list[str]:
    rows = ["| label | gold | P | R | F1 |", "| --- | ---: | ---: | ---: | ---: |"]
    for lab, v in sorted(per_type.items(), key=lambda x: (-x[1]["n"], x[0])):
        rows.append(f"| `{lab}` | {v['n']} | {_f(v['p'])} | {_f(v['r'])} | {_f(v['f'])} |")
    return rows


def render_report(scores: dict, details: dict, command: str) -> str:
    s = scores
    L: list[str] = []
    add = L.append
    add("# Evaluation report")
    add("")
    add("Reproduce with:")
    add("")
    add("```")
    add(command)
    add("```")
    add("")
    add(f"Corpus: {s['corpus_documents']} documents, {s['corpus_tasks']} gold tasks; gold {details['gold_note']}. "
        f"Corpus sha256 `{s['corpus_sha256'][:16]}…`. Runtime {s['seconds']} s "
        f"(fold fits {details['fit_seconds']:.0f} s of CPU in total). Figures are in `scores.json` as well.")
    add("")
    add("Every stage is scored on **gold input** (the gold clean text, the gold task spans), so that the "
        "errors of one stage do not leak into the next. Stages 3 and 4 are cross-validated: "
        f"{s['folds']} folds from scikit-learn's `GroupKFold` grouped by document (the sentences of one "
        "document are never on both sides; the folds balance the number of tasks and are deterministic). "
        "Predictions of the held-out folds are pooled, then scored once.")
    add("")
    add("## Summary")
    add("")
    add("| stage | figure | value | baseline(s) |")
    add("| --- | --- | ---: | --- |")
    add(f"| cleanup | CER seeds, before → after | {_f(s['cleanup_cer_before_seeds'], True)} → "
        f"{_f(s['cleanup_cer_after_seeds'], True)} | |")
    add(f"| cleanup | CER injected noise, before → after | {_f(s['cleanup_cer_before_injected'], True)} → "
        f"{_f(s['cleanup_cer_after_injected'], True)} | |")
    if "seg_f1_pipeline" in s:
        add(f"| segmentation | word F1, pipeline vs VLSP gold | {_f(s['seg_f1_pipeline'])} | "
            f"underthesea {_f(s['seg_f1_underthesea'])} |")
        add(f"| segmentation | word F1, pipeline vs names-whole gold | {_f(s['seg_f1_pipeline_names_whole'])} | "
            f"underthesea {_f(s['seg_f1_underthesea_names_whole'])} |")
    add(f"| task detection | F1 (IoU ≥ 0.5) | {_f(s['task_f'])} | rules {_f(s['task_f_rules'])} |")
    add(f"| task detection | F1 (exact span) | {_f(s['task_f_exact'])} | rules {_f(s['task_f_exact_rules'])} |")
    add(f"| lead agency | micro-F1 | {_f(s['lead_micro_f'])} | majority {_f(s['lead_micro_f_majority'])}, "
        f"lexicon rules {_f(s['lead_micro_f_rules'])} |")
    add(f"| lead agency | macro-F1 | {_f(s['lead_macro_f'])} | majority {_f(s['lead_macro_f_majority'])}, "
        f"lexicon rules {_f(s['lead_macro_f_rules'])} |")
    add(f"| support agency | micro-F1 / macro-F1 | {_f(s['support_micro_f'])} / {_f(s['support_macro_f'])} | |")
    add(f"| themes | micro-F1 | {_f(s['theme_micro_f'])} | majority {_f(s['theme_micro_f_majority'])}, "
        f"keywords {_f(s['theme_micro_f_keywords'])} |")
    add(f"| themes | macro-F1 | {_f(s['theme_macro_f'])} | majority {_f(s['theme_macro_f_majority'])}, "
        f"keywords {_f(s['theme_macro_f_keywords'])} |")
    add(f"| themes | top-3 accuracy (first gold theme) | {_f(s['theme_top3_acc'])} | |")
    add(f"| metadata | mean field accuracy | {_f(s['meta_acc_mean'])} | |")
    add("")

    # 1. cleanup
    add("## 1. Cleanup")
    add("")
    add("**Definition.** Character error rate (CER) = Levenshtein distance / length of the gold, both texts "
        "whitespace-normalised (every whitespace run collapsed to one space, ends stripped). *Before*: the raw "
        "file against the gold clean text; *after*: `cleanup.clean(raw)` against it. The distance is exact "
        "(bit-parallel Levenshtein, unit costs), and the rate is pooled over a group: sum of distances / sum of "
        "gold lengths. *Seeds* are the real documents whose noise was corrected by hand (raw files not starting "
        "with `g`); *injected* are the writers' documents with generated noise (`raw/g*.txt`, "
        "`corpus/tools/make_raw.py`).")
    add("")
    add("| group | documents | CER before | CER after |")
    add("| --- | ---: | ---: | ---: |")
    for g in ("seeds", "injected"):
        add(f"| {g} | {s[f'cleanup_documents_{g}']} | {_f(s[f'cleanup_cer_before_{g}'], True)} | "
            f"{_f(s[f'cleanup_cer_after_{g}'], True)} |")
    add("")
    add("| document | group | gold chars | edits before | edits after | CER before | CER after |")
    add("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in sorted(details["cleanup_rows"], key=lambda r: (r["group"] != "seeds", r["doc_id"])):
        n = max(r["gold_chars"], 1)
        add(f"| {r['doc_id']} | {r['group']} | {r['gold_chars']} | {r['before']} | {r['after']} | "
            f"{_f(r['before'] / n, True)} | {_f(r['after'] / n, True)} |")
    add("")

    # 2. segmentation
    add("## 2. Word segmentation")
    add("")
    if "seg_f1_pipeline" not in s:
        add(f"Not evaluated: no hand-segmented gold at {details.get('seg_missing')}.")
    else:
        add(f"**Definition.** `corpus/segmentation/gold.txt`: {s['seg_sentences']} hand-segmented sentences "
            f"({s['seg_gold_words']} tokens including punctuation). Each sentence's text is rebuilt by joining its "
            "tokens with single spaces and reading `_` as a space; `Segmenter()` (the pipeline: underthesea's CRF, "
            "then lexicon names and codes kept whole) and `Segmenter(use_lexicon=False)` (plain underthesea) cut "
            "it. A word is its character span in the text with all whitespace removed; P/R/F1 compare the sets "
            "of spans, pooled over sentences.")
        add("")
        add("Two golds: the **VLSP gold** is the file as written (VLSP 2013 conventions: organisation names split "
            "into their words, `Ban Thường_vụ Thành_ủy`). The **names-whole gold** follows the project's "
            "convention: every run of gold tokens that exactly covers a span returned by "
            "`AgencyMatcher.default().term_spans(text)` (a lexicon agency name or term) is joined into one "
            f"token ({s['seg_gold_words_names_whole']} tokens). The pipeline is built for the second; "
            "plain underthesea is closer to the first.")
        add("")
        add("| segmenter | gold | P | R | F1 |")
        add("| --- | --- | ---: | ---: | ---: |")
        for name, seg, gold in (("pipeline", "pipeline", "VLSP"), ("underthesea", "underthesea", "VLSP"),
                                ("pipeline_names_whole", "pipeline", "names whole"),
                                ("underthesea_names_whole", "underthesea", "names whole")):
            add(f"| {seg} | {gold} | {_f(s[f'seg_p_{name}'])} | {_f(s[f'seg_r_{name}'])} | "
                f"{_f(s[f'seg_f1_{name}'])} |")
    add("")

    # 3. detection
    det = details["det"]
    add("## 3. Task detection")
    add("")
    add("**Definition.** On the gold clean text, `splitting.candidates` proposes sentences; a `TaskDetector` "
        "fitted on the training folds' candidates (labels from `training.detector_data`) keeps the tasks of "
        "the held-out documents. A predicted span matches a gold task span when their character overlap is at "
        "least half of their union (IoU ≥ 0.5), one-to-one, greedily from the best IoU. P = matched / "
        "predicted, R = matched / gold, micro over all documents. *Exact*: equal spans after stripping leading "
        "whitespace and trailing whitespace and punctuation. The *rules* baseline keeps the candidates for which "
        "`splitting.rule_is_task` holds (no training).")
    add("")
    add(f"{det['candidates']} candidates, {det['positives']} labelled as tasks for training.")
    for k, why in det["fallback_folds"]:
        add(f"**Fold {k}: no detector could be fitted ({why}); the rules stand in for it there, so the "
            "model's figures are partly the rules'.**")
    add("")
    add("| detector | predicted | matched | P | R | F1 | P exact | R exact | F1 exact |")
    add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in ("model", "rules"):
        d = det[name]
        add(f"| {name} | {d['predicted']} | {d['matched']} | {_f(d['p'])} | {_f(d['r'])} | {_f(d['f'])} | "
            f"{_f(d['p_exact'])} | {_f(d['r_exact'])} | {_f(d['f_exact'])} |")
    add(f"| gold | {det['model']['gold']} | | | | | | | |")
    add("")

    # 4. agencies
    add("## 4. Agencies")
    add("")
    add("**Definition.** On the gold task spans (text, segmented words, the splitter's context), an "
        "`AgencyClassifier` fitted on the training folds' tasks predicts each held-out task's agencies "
        "(`predict_agencies`). Per task the gold lead set is the ids of the agencies with role `lead`, the "
        "predicted set those the classifier returns as lead (explicit or inherited); the same for `support`. "
        "Micro-F1 counts (task, label) pairs; per-label F1 from the same counts; macro-F1 is the mean over every "
        "label present in the gold or the predictions. Baselines (per fold): *majority* gives every task the "
        "training side's most frequent lead label; *lexicon rules* give the prior label of the first mention "
        "`AgencyMatcher.default()` finds in the task text (no mention: the majority label).")
    add("")
    add("| lead agency | micro-P | micro-R | micro-F1 | macro-F1 |")
    add("| --- | ---: | ---: | ---: | ---: |")
    add(f"| model | {_f(s['lead_micro_p'])} | {_f(s['lead_micro_r'])} | {_f(s['lead_micro_f'])} | "
        f"{_f(s['lead_macro_f'])} |")
    add(f"| majority | | | {_f(s['lead_micro_f_majority'])} | {_f(s['lead_macro_f_majority'])} |")
    add(f"| lexicon rules | | | {_f(s['lead_micro_f_rules'])} | {_f(s['lead_macro_f_rules'])} |")
    add(f"| support (model) | {_f(s['support_micro_p'])} | {_f(s['support_micro_r'])} | "
        f"{_f(s['support_micro_f'])} | {_f(s['support_macro_f'])} |")
    add("")
    add(f"First lead of each task (gold vs predicted, `(none)` when no lead is predicted): accuracy "
        f"{_f(s['lead_first_acc'])}; confusion matrix in `confusion_lead.png` (rows gold, columns predicted, "
        "colour = share of the gold row).")
    add("")
    add("![lead agency confusion matrix](confusion_lead.png)")
    add("")
    add("### Lead agency per label")
    add("")
    L += _per_type_table(s["lead_f_per_type"])
    add("")
    add("### Support agency per label")
    add("")
    L += _per_type_table(s["support_f_per_type"])
    add("")

    # themes
    add("## 5. Themes")
    add("")
    add("**Definition.** Same folds; a `ThemeClassifier` fitted on the training tasks predicts 1–3 themes per "
        "held-out task (`predict_themes`). Micro-F1 over (task, theme) pairs, per-label and macro-F1 as for "
        "agencies. Top-3 accuracy: share of tasks whose first (most important) gold theme is among the three "
        "themes with the highest `predict_proba`. Baselines: *majority* gives every task the training side's "
        "most frequent theme; *keywords* gives every theme one of whose description phrases in "
        "`labelset.json` occurs in the task text (case-insensitive, whole words), else the majority theme.")
    add("")
    add("| themes | micro-P | micro-R | micro-F1 | macro-F1 |")
    add("| --- | ---: | ---: | ---: | ---: |")
    add(f"| model | {_f(s['theme_micro_p'])} | {_f(s['theme_micro_r'])} | {_f(s['theme_micro_f'])} | "
        f"{_f(s['theme_macro_f'])} |")
    add(f"| majority | | | {_f(s['theme_micro_f_majority'])} | {_f(s['theme_macro_f_majority'])} |")
    add(f"| keywords | | | {_f(s['theme_micro_f_keywords'])} | {_f(s['theme_macro_f_keywords'])} |")
    add("")
    add(f"Top-3 accuracy: {_f(s['theme_top3_acc'])}.")
    add("")
    add("### Themes per label")
    add("")
    L += _per_type_table(s["theme_f_per_type"])
    add("")
    add("<details><summary>Keyword table of the baseline</summary>")
    add("")
    for theme, phrases in details["keywords"].items():
        add(f"- `{theme}`: {', '.join(phrases)}")
    add("")
    add("</details>")
    add("")

    # metadata
    add("## 6. Metadata")
    add("")
    add("**Definition.** `metadata.extract` on the gold clean text, each field compared with the gold `#meta` "
        "value after lower-casing and collapsing whitespace; a field absent from both (None and None) counts "
        "as correct.")
    add("")
    add("| field | accuracy |")
    add("| --- | ---: |")
    for f in META_FIELDS:
        add(f"| {f} | {_f(s[f'meta_acc_{f}'])} |")
    add(f"| mean | {_f(s['meta_acc_mean'])} |")
    add("")
    misses = details["meta_misses"]
    if misses:
        add(f"<details><summary>{len(misses)} wrong field(s)</summary>")
        add("")
        add("| document | field | gold | extracted |")
        add("| --- | --- | --- | --- |")
        for m in misses:
            add(f"| {m['doc_id']} | {m['field']} | {m['gold']} | {m['predicted']} |")
        add("")
        add("</details>")
        add("")

    # learning curve
    add("## 7. Learning curve")
    add("")
    points = details["lc_points"]
    if not points:
        add("Not computed (`--no-learning-curve`).")
    else:
        add("The same folds; for each fold the agency and theme models are fitted on the first *n* documents "
            "of a seeded random order of its training side and scored on the whole held-out fold "
            "(pooled over folds).")
        add("")
        add("| training documents | lead micro-F1 | theme micro-F1 |")
        add("| --- | ---: | ---: |")
        for p in points:
            add(f"| {p['label']} | {_f(p['lead_micro_f'])} | {_f(p['theme_micro_f'])} |")
        add("")
        add("![learning curve](learning_curve.png)")
    add("")

    # corpus
    if s.get("agreement_documents"):
        add("## Inter-annotator agreement")
        add("")
        add(f"{s['agreement_documents']} documents were labelled twice, independently (`corpus/agreement/` against "
            "the first annotation as it was before reconciliation, `corpus/agreement/first/`). Task units match at span IoU ≥ 0.5; labels are compared on the "
            f"{s['agreement_tasks_matched']} matched tasks, the first annotation as reference.")
        add("")
        add("| figure | value |")
        add("| --- | ---: |")
        for k in ("agreement_task_p", "agreement_task_r", "agreement_task_f", "agreement_lead_micro_f",
                  "agreement_lead_mean_kappa", "agreement_support_micro_f", "agreement_support_mean_kappa",
                  "agreement_theme_micro_f", "agreement_theme_mean_kappa"):
            add(f"| `{k}` | {_f(s.get(k))} |")
        add("")
        add("| kind | label | Cohen's κ | F1 | first | second |")
        add("| --- | --- | ---: | ---: | ---: | ---: |")
        for row in details["agreement_rows"]:
            if "note" in row:
                continue
            add(f"| {row['kind']} | `{row['label']}` | {_f(row['kappa'])} | {_f(row['f1'])} | {row['first']} | "
                f"{row['second']} |")
        add("")
        for row in details["agreement_rows"]:
            if "note" in row:
                add(f"- {row['note']}")
        add("")
        add("The disagreements were reviewed for the guideline: where a boundary was applied inconsistently, "
            "`corpus/GUIDELINE.md` now fixes the convention, and the gold (`corpus/src/`) was reconciled to it: "
            "its conventions applied across the corpus, and the agency disagreements of these 10 documents "
            "decided by the guideline (theme-only disagreements not yet).")
        add("")

    add("## Corpus labels")
    add("")
    add("| agency | lead | all roles |")
    add("| --- | ---: | ---: |")
    for lab, n in s["label_counts_agencies"].items():
        add(f"| `{lab}` | {details['lead_counts'].get(lab, 0)} | {n} |")
    add("")
    add("| theme | tasks |")
    add("| --- | ---: |")
    for lab, n in s["label_counts_themes"].items():
        add(f"| `{lab}` | {n} |")
    add("")

    add("## All figures")
    add("")
    add("| key | value |")
    add("| --- | ---: |")
    for k, v in s.items():
        if not isinstance(v, dict):
            add(f"| `{k}` | {_f(v) if isinstance(v, float) else v} |")
    add("")
    add("Per-label dictionaries (`*_f_per_type`, `label_counts_*`) are in the tables above and in `scores.json`.")
    add("")
    return "\n".join(L)
