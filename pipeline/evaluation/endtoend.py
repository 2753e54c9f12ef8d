"""End-to-end scores: the pipeline's own tasks from the raw file, against the gold tasks of a document.

Predicted and gold tasks are compared in the raw file's offsets (the pipeline's clean-text spans are
mapped back through cleanup's offset map). A predicted task matches a gold task when their spans
overlap by IoU >= 0.5, one to one, best overlap first. Then:

- ``task_p/r/f``: matched / predicted, matched / gold;
- ``lead_*``, ``support_*``, ``theme_*`` on the matched pairs (what a user reads for the tasks found);
- ``*_all_*``: the same counting every unmatched gold task as missing all its labels and every
  unmatched predicted task as adding all of its (what a user reads, misses included);
- lead F1 on the matched pairs split by the gold's ``source`` (``text`` = explicit, else the
  inheritance step) and by document kind; means over documents (each document one vote);
- ``task_f_ci``, ``lead_micro_f_ci``, ``support_micro_f_ci``, ``theme_micro_f_ci``: 95 % intervals of those
  figures with the documents drawn again with replacement (:func:`~pipeline.evaluation.metrics.bootstrap_f`),
  from the (tp, fp, fn) counts each document's entry of ``per_document`` keeps.

>>> from pipeline.training import GoldTask
>>> g = [GoldTask(0, 10, ["a"], [], ["t"], "text")]
>>> p = [{"start": 0, "end": 9, "lead": {"a"}, "support": set(), "themes": {"t"}}]
>>> s = score([DocResult("d", "kế hoạch", "real", g, p)])
>>> s["task_f"], s["lead_micro_f"], s["lead_all_micro_f"]
(1.0, 1.0, 1.0)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..realdocs import SOURCES
from .metrics import bootstrap_f, label_counts, match_spans, prf, set_scores

KINDS = ("lead", "support", "theme")


@dataclass
class DocResult:
    """One held-out document: its gold tasks and the pipeline's predictions (raw offsets, label sets)."""

    doc_id: str
    kind: str
    origin: str
    gold: list
    pred: list = field(default_factory=list)

    def pairs(self) -> list[tuple[int, int]]:
        return match_spans([(g.start, g.end) for g in self.gold], [(p["start"], p["end"]) for p in self.pred])


def _labels(x, kind: str) -> set:
    if isinstance(x, dict):
        return set(x["themes"] if kind == "theme" else x[kind])
    return set(x.themes if kind == "theme" else getattr(x, kind))


def normal_kind(kind: str) -> str:
    """The document kinds the report groups by."""
    k = (kind or "").lower()
    for name in ("công điện", "thông báo", "công văn", "kế hoạch", "quyết định", "nghị quyết", "quy chế", "quy định",
                 "hướng dẫn", "thông tư", "nghị định", "chương trình", "chỉ thị", "báo cáo"):
        if name in k:
            return "thông báo kết luận" if name == "thông báo" else name
    return "khác"


def score(results: Sequence[DocResult], prefix: str = "") -> dict:
    """Every end-to-end figure over ``results`` (pooled over documents unless said otherwise)."""
    out: dict = {}
    n_gold = n_pred = n_match = 0
    matched: dict[str, tuple[list, list]] = {k: ([], []) for k in KINDS}
    everything: dict[str, tuple[list, list]] = {k: ([], []) for k in KINDS}
    by_source: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    by_kind: dict[str, dict] = defaultdict(lambda: {"gold": 0, "pred": 0, "match": 0, "docs": 0,
                                                    "lead": ([], []), "theme": ([], [])})
    per_doc = []
    for r in results:
        pairs = r.pairs()
        n_gold += len(r.gold)
        n_pred += len(r.pred)
        n_match += len(pairs)
        bk = by_kind[normal_kind(r.kind)]
        bk["gold"] += len(r.gold)
        bk["pred"] += len(r.pred)
        bk["match"] += len(pairs)
        bk["docs"] += 1
        gi_seen = {gi for gi, _ in pairs}
        pi_seen = {pi for _, pi in pairs}
        doc_pairs: dict[str, tuple[list, list]] = {k: ([], []) for k in KINDS}
        for gi, pi in pairs:
            g, p = r.gold[gi], r.pred[pi]
            for k in KINDS:
                matched[k][0].append(_labels(g, k))
                matched[k][1].append(_labels(p, k))
                everything[k][0].append(_labels(g, k))
                everything[k][1].append(_labels(p, k))
            src = g.source if g.source in SOURCES else ("text" if g.source == "text" else "inherited")
            by_source[src][0].append(_labels(g, "lead"))
            by_source[src][1].append(_labels(p, "lead"))
            by_source["explicit" if g.source == "text" else "implicit"][0].append(_labels(g, "lead"))
            by_source["explicit" if g.source == "text" else "implicit"][1].append(_labels(p, "lead"))
            for k in ("lead", "theme"):
                bk[k][0].append(_labels(g, k))
                bk[k][1].append(_labels(p, k))
            for k in KINDS:
                doc_pairs[k][0].append(_labels(g, k))
                doc_pairs[k][1].append(_labels(p, k))
        for gi, g in enumerate(r.gold):
            if gi not in gi_seen:
                for k in KINDS:
                    everything[k][0].append(_labels(g, k))
                    everything[k][1].append(set())
        for pi, p in enumerate(r.pred):
            if pi not in pi_seen:
                for k in KINDS:
                    everything[k][0].append(set())
                    everything[k][1].append(_labels(p, k))
        tp, tr, tf = prf(len(pairs), len(r.pred) - len(pairs), len(r.gold) - len(pairs))
        per_doc.append({"doc_id": r.doc_id, "kind": normal_kind(r.kind), "gold": len(r.gold), "pred": len(r.pred),
                        "task_f": tf, "lead_f": set_scores(*doc_pairs["lead"])["micro_f"] if pairs else None,
                        # (tp, fp, fn): what the pooled figures and their intervals are summed from
                        "counts": {"task": [len(pairs), len(r.pred) - len(pairs), len(r.gold) - len(pairs)],
                                   **{k: list(label_counts(*doc_pairs[k])) for k in KINDS}}})
    p, rr, f = prf(n_match, n_pred - n_match, n_gold - n_match)
    out.update({"documents": len(results), "gold_tasks": n_gold, "predicted_tasks": n_pred, "matched_tasks": n_match,
                "task_p": p, "task_r": rr, "task_f": f})
    for k in KINDS:
        s = set_scores(*matched[k]) if matched[k][0] else None
        a = set_scores(*everything[k]) if everything[k][0] else None
        for name, v in (("micro_p", "micro_p"), ("micro_r", "micro_r"), ("micro_f", "micro_f"), ("macro_f", "macro_f")):
            out[f"{k}_{name}"] = s[v] if s else None
            out[f"{k}_all_{name}"] = a[v] if a else None
        out[f"{k}_f_per_type"] = s["per_type"] if s else {}
    for src, (g, pr) in sorted(by_source.items()):
        s = set_scores(g, pr)
        out[f"lead_f_{src}"] = s["micro_f"]
        out[f"lead_n_{src}"] = len(g)
    kinds = {}
    for k, v in sorted(by_kind.items()):
        tp_, tr_, tf_ = prf(v["match"], v["pred"] - v["match"], v["gold"] - v["match"])
        kinds[k] = {"documents": v["docs"], "gold_tasks": v["gold"], "task_f": tf_,
                    "lead_f": set_scores(*v["lead"])["micro_f"] if v["lead"][0] else None,
                    "theme_f": set_scores(*v["theme"])["micro_f"] if v["theme"][0] else None}
    out["by_kind"] = kinds
    out["doc_mean_task_f"] = float(np.mean([d["task_f"] for d in per_doc])) if per_doc else None
    leads = [d["lead_f"] for d in per_doc if d["lead_f"] is not None]
    out["doc_mean_lead_f"] = float(np.mean(leads)) if leads else None
    # how far each pooled figure could move on another draw of documents like these
    for key, field_ in (("task_f", "task"), *((f"{k}_micro_f", k) for k in KINDS)):
        if per_doc and out.get(key) is not None:
            out[key + "_ci"] = list(bootstrap_f([d["counts"][field_] for d in per_doc]))
    out["per_document"] = per_doc
    return {prefix + k: v for k, v in out.items()}


def calibration_pairs(results: Sequence[tuple[int, DocResult]]) -> dict:
    """Per kind, every label predicted on a task matched to a gold task: (raw scores, right or not, folds).
    ``results`` holds (fold, document) pairs; a label is right when it is in the matched gold task's set of
    its kind. Unmatched predicted tasks are left out (their labels are judged with the task, not here).

    >>> from pipeline.training import GoldTask
    >>> g = [GoldTask(0, 10, ["a"], [], ["t"], "text")]
    >>> p = [{"start": 0, "end": 9, "lead": {"a", "b"}, "support": set(), "themes": {"t"},
    ...       "scores": {"lead": {"a": 0.9, "b": 0.6}, "support": {}, "theme": {"t": 0.7}}}]
    >>> pairs = calibration_pairs([(1, DocResult("d", "kế hoạch", "real", g, p))])
    >>> pairs["lead"], pairs["theme"]
    (([0.9, 0.6], [1, 0], [1, 1]), ([0.7], [1], [1]))
    """
    out: dict = {k: ([], [], []) for k in KINDS}
    for fold, r in results:
        for gi, pi in r.pairs():
            g, p = r.gold[gi], r.pred[pi]
            for k in KINDS:
                gold = _labels(g, k)
                for lab, s in sorted(((p.get("scores") or {}).get(k) or {}).items(), key=lambda x: -x[1]):
                    out[k][0].append(float(s))
                    out[k][1].append(int(lab in gold))
                    out[k][2].append(fold)
    return out
