"""Stages without learning, scored on their own: cleanup, segmentation, metadata; and agreement between
two annotators of the same documents (written corpus and real documents).

>>> from pipeline.training import GoldTask
>>> a = [GoldTask(0, 10, ["x"], [], ["t"], "text")]
>>> b = [GoldTask(1, 10, ["x"], ["y"], ["t"], "item")]
>>> s, _ = agreement_scores([(a, b)], {"agencies": {"x": "", "y": ""}, "themes": {"t": ""}})
>>> s["task_f"], s["lead_micro_f"], s["support_micro_f"], s["source_acc"]
(1.0, 1.0, 0.0, 0.0)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Sequence

import numpy as np

from .. import corpus as corpus_mod
from .metrics import (boundary_f1, cohen_kappa, gold_sentence, join_covered, levenshtein, match_spans,
                      nonspace_spans, normalize_ws, prf, set_scores)

META_FIELDS = corpus_mod.META_KEYS


def agreement_scores(pairs: Sequence[tuple[Sequence, Sequence]], labelset: dict) -> tuple[dict, list[dict]]:
    """Agreement of two annotations of the same documents: ``pairs`` holds (first, second) lists of
    :class:`~pipeline.training.GoldTask` per document, both in the same text's offsets.

    Task units match when their spans overlap by IoU >= 0.5; on matched tasks, per field: micro-F1 of
    lead, support and theme sets with the first annotation as reference, Cohen's kappa per label,
    agreement on the inheritance step (``source``) and on explicit vs implicit.
    """
    units, matched = [], []
    for a, b in pairs:
        m = match_spans([(t.start, t.end) for t in a], [(t.start, t.end) for t in b])
        units.append((len(m), len(b) - len(m), len(a) - len(m)))
        matched += [(a[i], b[j]) for i, j in m]
    tp, fp, fn = (sum(u[k] for u in units) for k in range(3))
    p, r, f = prf(tp, fp, fn)
    out = {"documents": len(pairs), "task_p": p, "task_r": r, "task_f": f, "tasks_matched": len(matched),
           "tasks_first": tp + fn, "tasks_second": tp + fp}
    rows = []
    for kind, ids in (("lead", labelset["agencies"]), ("support", labelset["agencies"]), ("theme", labelset["themes"])):
        la = [set(x.themes if kind == "theme" else getattr(x, kind)) for x, _ in matched]
        lb = [set(y.themes if kind == "theme" else getattr(y, kind)) for _, y in matched]
        out[f"{kind}_micro_f"] = set_scores(la, lb)["micro_f"] if matched else None
        kappas = []
        for lab in ids:
            va, vb = [int(lab in x) for x in la], [int(lab in y) for y in lb]
            if sum(va) + sum(vb) == 0:
                continue
            k = cohen_kappa(va, vb)
            tp_ = sum(x and y for x, y in zip(va, vb))
            rows.append({"kind": kind, "label": lab, "kappa": k,
                         "f1": prf(tp_, sum(vb) - tp_, sum(va) - tp_)[2], "first": sum(va), "second": sum(vb)})
            if k is not None:
                kappas.append(k)
        out[f"{kind}_mean_kappa"] = float(np.mean(kappas)) if kappas else None
    if matched:
        out["source_acc"] = sum(x.source == y.source for x, y in matched) / len(matched)
        out["implicit_acc"] = sum((x.source == "text") == (y.source == "text") for x, y in matched) / len(matched)
    return out, rows


def eval_agreement(corpus_dir: Path, labelset: dict) -> tuple[dict, list[dict]]:
    """Written corpus: ``agreement/<id>.txt`` (second annotator) against the first annotation as it was
    (``agreement/first/<id>.txt``, else ``src/<id>.txt``)."""
    from ..training import corpus_examples

    adir = corpus_dir / "agreement"
    sdir = adir / "first" if (adir / "first").is_dir() else corpus_dir / "src"
    files = sorted(adir.glob("*.txt")) if adir.is_dir() else []
    pairs, notes = [], []
    for f in files:
        if not (sdir / f.name).exists():
            continue
        a, b = corpus_mod.read_source(sdir / f.name), corpus_mod.read_source(f)
        # a source edited after the second annotation is compared on the text both share
        common = next((i for i, (x, y) in enumerate(zip(a.text, b.text)) if x != y), min(len(a.text), len(b.text)))
        if common < len(a.text) or common < len(b.text):
            notes.append(f"{a.doc_id}: compared on its first {common} characters (the source changed after the "
                         "second annotation)")
        ea, eb = corpus_examples([a])[0], corpus_examples([b])[0]
        pairs.append(([t for t in ea.tasks if t.end <= common], [t for t in eb.tasks if t.end <= common]))
    if not pairs:
        return {}, []
    out, rows = agreement_scores(pairs, labelset)
    return out, rows + [{"note": n} for n in notes]


def eval_real_agreement(corpus_dir: Path, real_dir, labelset: dict) -> tuple[dict, list[dict]]:
    """Real documents: ``real/agreement.jsonl`` (second annotator) against ``real/labels.jsonl``."""
    from .. import realdocs
    from ..training import real_examples

    second = realdocs.load(corpus_dir, real_dir, labels_file=realdocs.AGREEMENT_FILE, labelset=labelset)
    if not second:
        return {}, []
    first = {d.file: d for d in realdocs.load(corpus_dir, real_dir, labelset=labelset)}
    pairs = [(real_examples([first[d.file]])[0].tasks, real_examples([d])[0].tasks) for d in second if d.file in first]
    return agreement_scores(pairs, labelset) if pairs else ({}, [])


def _norm_meta(v) -> str | None:
    if v is None:
        return None
    v = normalize_ws(str(v)).lower()
    return v or None


def eval_cleanup(corpus_dir: Path, docs: Sequence[corpus_mod.GoldDocument]) -> tuple[dict, list[dict]]:
    """CER before/after cleanup, pooled (sum of distances / sum of gold lengths) per group."""
    from ..cleanup import clean

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
    from ..metadata import extract

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


def eval_metadata_real(examples) -> tuple[dict, list[dict]]:
    """Metadata of real documents: the pipeline's cleanup and metadata on the raw file, against the gold
    read at its offsets (number, issuer, place, signer; date ISO; None where blank in the original)."""
    from ..cleanup import clean
    from ..metadata import extract

    correct, seen = Counter(), Counter()
    misses = []
    fields = ("number", "type", "date", "issuer", "place", "signer")
    for ex in examples:
        if ex.origin != "real" or not ex.meta:
            continue
        got = extract(clean(ex.text).text)
        for f in fields:
            if f not in ex.meta:
                continue
            seen[f] += 1
            g, p = _norm_meta(ex.meta.get(f)), _norm_meta(got.get(f))
            if g == p:
                correct[f] += 1
            else:
                misses.append({"doc_id": ex.doc_id, "field": f, "gold": ex.meta.get(f), "predicted": got.get(f)})
    out = {f"real_meta_acc_{f}": correct[f] / seen[f] for f in fields if seen[f]}
    if out:
        out["real_meta_acc_mean"] = float(np.mean(list(out.values())))
        out["real_meta_documents"] = max(seen.values())
    return out, misses
