"""Evaluation: ``vanban evaluate corpus [--real-dir DIR]``, every figure the README quotes.

Real documents are the ground truth. The headline figures are **end to end on the real documents**:
the pipeline's own tasks from the raw file, grouped cross-validation by document (the written corpus is
always on the training side), compared with the stand-off gold (:mod:`.endtoend`). Beside them:

- the same real documents annotated by a model trained on the written corpus only (what the project
  had before it labelled real documents);
- each learned stage on gold input, on the same folds (:mod:`.crossval`): task detection on the
  candidates, agencies and themes on the gold tasks;
- the stages that do not learn (:mod:`.stages`): cleanup CER, segmentation F1, metadata accuracy; and
  agreement between two annotators of the same documents, the ceiling to read the scores against;
- the written corpus end to end and stage by stage, the five seed documents among them.
- the calibration of the agency and theme scores on the held-out matched tasks (:mod:`pipeline.calibration`):
  expected calibration error of the raw and of the calibrated scores, reliability tables, the map that
  ``vanban train --scores`` puts in the model and the threshold below which a label is "uncertain".

:func:`evaluate` returns one flat dict in the style of spaCy's scorer (``real_lead_micro_f``,
``real_lead_f_per_type``…) and writes ``report.md`` and ``scores.json`` (:mod:`.report`).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

import numpy as np

from .. import corpus as corpus_mod
from ..language import Pipeline
from ..training import load_examples, prepare, training_data_id
from . import crossval, endtoend, stages
from .metrics import match_spans, prf, set_scores

SEED_PREFIX = ("000_", "001_", "002_", "003_", "004_")


def _say(progress, msg: str) -> None:
    if progress is not None:
        progress(msg)


def _round(v):
    if isinstance(v, float):
        return round(v, 4)
    if isinstance(v, dict):
        return {k: _round(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_round(x) for x in v]
    return v


def stage_scores(prepared, stage_preds, prefix: str) -> dict:
    """Detection on candidates and agencies / themes on gold tasks, from stage-by-stage predictions."""
    out: dict = {}
    n_gold = n_pred = n_match = 0
    for p, det in zip(prepared, stage_preds["detected"]):
        gold = sorted((g.start, g.end) for g in p.example.tasks)
        pred = [sp for sp, d in zip(p.cand_spans, det) if d]
        m = match_spans(gold, pred)
        n_gold, n_pred, n_match = n_gold + len(gold), n_pred + len(pred), n_match + len(m)
    out["detect_p"], out["detect_r"], out["detect_f"] = prf(n_match, n_pred - n_match, n_gold - n_match)
    golds = [g for p in prepared for g in p.golds]
    out["gold_input_tasks"] = len(golds)
    out["candidate_misses"] = sum(p.missed for p in prepared)
    for kind, pred in (("lead", stage_preds["lead"]), ("support", stage_preds["support"]),
                       ("theme", stage_preds["themes"])):
        if not pred:
            continue
        gold = [set(g.themes if kind == "theme" else getattr(g, kind)) for g in golds]
        s = set_scores(gold, pred)
        out.update({f"{kind}_micro_p": s["micro_p"], f"{kind}_micro_r": s["micro_r"], f"{kind}_micro_f": s["micro_f"],
                    f"{kind}_macro_f": s["macro_f"], f"{kind}_f_per_type": s["per_type"]})
    if stage_preds["top"]:
        out["theme_top3_acc"] = float(np.mean([bool(g.themes) and g.themes[0] in top
                                               for g, top in zip(golds, stage_preds["top"])]))
    return {prefix + k: v for k, v in out.items()}


def _merge_stage_preds(results, fold_of, prepared):
    """Stage predictions of every fold, back in the order of ``prepared``."""
    merged = {"detected": [None] * len(prepared), "lead": [], "support": [], "themes": [], "top": []}
    per_doc: dict[int, dict] = {}
    for k, res in enumerate(results):
        idx = [i for i, f in enumerate(fold_of) if f == k]
        st = res["stages"]
        t = 0
        for j, i in enumerate(idx):
            n = len(prepared[i].tasks)
            per_doc[i] = {key: st[key][t:t + n] for key in ("lead", "support", "themes", "top") if st[key]}
            merged["detected"][i] = st["detected"][j]
            t += n
    for i in range(len(prepared)):
        for key in ("lead", "support", "themes", "top"):
            merged[key] += per_doc.get(i, {}).get(key, [])
    return merged


def _subset(prepared, merged, keep):
    """The prepared documents for which ``keep(prepared)`` holds, with their stage predictions."""
    idx = [i for i, p in enumerate(prepared) if keep(p)]
    offsets = np.cumsum([0] + [len(p.tasks) for p in prepared])
    sub = {"detected": [merged["detected"][i] for i in idx]}
    for key in ("lead", "support", "themes", "top"):
        sub[key] = [x for i in idx for x in merged[key][offsets[i]:offsets[i + 1]]] if merged[key] else []
    return [prepared[i] for i in idx], sub


def calibration_scores(results: list[dict], origin: str) -> dict:
    """Calibration of the agency and theme scores (:mod:`pipeline.calibration`) on the held-out documents of
    ``origin`` ("real", or "corpus" when there are no real documents): the matched tasks' labels of every fold,
    the calibrated ECE cross-fitted by fold."""
    from .. import calibration

    docs = [(k, d) for k, res in enumerate(results) for d in res["documents"] if d.origin == origin]
    figures, tables = calibration.evaluate_pairs(endtoend.calibration_pairs(docs))
    return {**figures, "calibration_documents": "real" if origin == "real" else "written",
            "calibration_reliability": tables}


def evaluate(corpus_dir: str | Path, report_dir: str | Path | None = "evaluation", folds: int = 5, seed: int = 0,
             real_dir: str | Path | None = None, real: bool | None = None, config: dict | None = None,
             progress: Callable[[str], None] | None = None, n_jobs: int = 1, written_only_baseline: bool = True,
             command: str = "") -> dict:
    """Evaluate the pipeline on the corpus (and its real documents); return one flat dict of figures."""
    from .report import write_report

    started = time.time()
    corpus_dir = Path(corpus_dir)
    labelset = corpus_mod.load_labelset(corpus_dir)
    examples = load_examples(corpus_dir, real_dir, real)
    real_ex = [e for e in examples if e.origin == "real"]
    written = [e for e in examples if e.origin == "corpus"]
    _say(progress, f"gold: {len(written)} written documents ({sum(len(e.tasks) for e in written)} tasks), "
                   f"{len(real_ex)} real documents ({sum(len(e.tasks) for e in real_ex)} tasks)")
    from .. import realdocs

    data = {"sha256": corpus_mod.corpus_hash(corpus_dir) if (corpus_dir / "labels.jsonl").exists() else None,
            "real_labels_sha256": realdocs.labels_hash(corpus_dir) if real_ex else None}
    scores: dict = {"training_data": training_data_id(data), "written_documents": len(written),
                    "written_tasks": sum(len(e.tasks) for e in written), "real_documents": len(real_ex),
                    "real_tasks": sum(len(e.tasks) for e in real_ex), "folds": folds, "seed": seed}
    details: dict = {"command": command}

    # stages that do not learn
    docs = [corpus_mod.read_source(p, corpus_dir) for p in sorted((corpus_dir / "src").glob("*.txt"))] \
        if (corpus_dir / "src").is_dir() else corpus_mod.load(corpus_dir)
    s, details["cleanup_rows"] = stages.eval_cleanup(corpus_dir, docs)
    scores.update(s)
    seg_gold = corpus_dir / "segmentation" / "gold.txt"
    if seg_gold.exists():
        from ..lexicon import AgencyMatcher
        from ..segmentation import Segmenter

        matcher = AgencyMatcher.default()
        scores.update(stages.eval_segmentation(seg_gold, Segmenter(matcher=matcher), Segmenter(use_lexicon=False),
                                               matcher))
    s, details["meta_misses"] = stages.eval_metadata(docs)
    scores.update(s)
    s, details["real_meta_misses"] = stages.eval_metadata_real(examples)
    scores.update(s)
    s, details["agreement_rows"] = stages.eval_agreement(corpus_dir, labelset)
    scores.update({"written_agreement_" + k: v for k, v in s.items()})
    if real_ex:
        s, details["real_agreement_rows"] = stages.eval_real_agreement(corpus_dir, real_dir, labelset)
        scores.update({"real_agreement_" + k: v for k, v in s.items()})
    _say(progress, "rule stages and agreement done")

    # one pass of the rule components over every document, shared by all fits
    nlp0 = Pipeline.from_config(config)
    prepared = prepare(nlp0, examples, progress)
    _say(progress, f"prepared {len(prepared)} documents")

    if real_ex and written and written_only_baseline:
        w_prep = [p for p in prepared if p.example.origin == "corpus"]
        r_prep = [p for p in prepared if p.example.origin == "real"]
        res = crossval.run_fold(config, labelset, w_prep, r_prep)
        scores.update(endtoend.score(res["documents"], "real_written_only_"))
        scores.update(stage_scores(r_prep, res["stages"], "real_written_only_stage_"))
        _say(progress, f"written-only model on real documents: task F1 {scores['real_written_only_task_f']:.3f}, "
                       f"lead F1 {scores['real_written_only_lead_micro_f']:.3f}")

    fold_of = crossval.document_folds(examples, folds, seed)
    results = crossval.run_folds(config, labelset, prepared, fold_of, n_jobs, progress)
    docs_by_origin = {"real": [], "corpus": []}
    for res in results:
        for d in res["documents"]:
            docs_by_origin[d.origin].append(d)
    if real_ex:
        scores.update(endtoend.score(docs_by_origin["real"], "real_"))
    scores.update(endtoend.score(docs_by_origin["corpus"], "written_"))
    scores.update(endtoend.score([d for d in docs_by_origin["corpus"] if d.doc_id.startswith(SEED_PREFIX)], "seeds_"))
    merged = _merge_stage_preds(results, fold_of, prepared)
    for origin, prefix in (("real", "real_stage_"), ("corpus", "written_stage_")):
        sub, preds = _subset(prepared, merged, lambda p, o=origin: p.example.origin == o)
        if sub:
            scores.update(stage_scores(sub, preds, prefix))
    scores.update(calibration_scores(results, "real" if real_ex else "corpus"))
    details["fold_seconds"] = [(r["fit_seconds"], r["predict_seconds"]) for r in results]
    scores["seconds"] = time.time() - started
    scores = _round(scores)
    if report_dir is not None:
        write_report(Path(report_dir), scores, details, labelset)
    return scores
