"""Cross-validation grouped by document: fit the pipeline on some documents, judge it on the others.

For each fold a fresh pipeline is built from the config and every learned component is fitted
(:func:`pipeline.training.fit_prepared`) on the training documents, written and real together; the
held-out documents are then annotated twice:

- **stage by stage**, on gold input: the detector on the held-out candidates (labelled by their overlap
  with the gold), and the agency and theme models on each gold task's best candidate, so that one
  stage's errors do not hide or excuse the next one's;
- **end to end**, as a user runs it: the whole pipeline on the document's text (the raw file for a real
  document), its tasks compared with the gold (:mod:`pipeline.evaluation.endtoend`).

The rule components (cleanup, metadata, structure, segmentation) do not learn, so their output is
computed once (:func:`pipeline.training.prepare`) and shared by every fold.
"""

from __future__ import annotations

import time
import warnings
from typing import Callable, Sequence

import numpy as np

from ..language import Pipeline
from ..training import Example, Prepared, fit_prepared
from .endtoend import DocResult


def document_folds(examples: Sequence[Example], folds: int, seed: int = 0) -> np.ndarray:
    """Fold of each example: written and real documents are spread over the folds separately, each
    balanced by text length (longest first, to the fold with the fewest characters; ties by a seeded
    order). Not by the labels: a document's fold stays where it is when its labels are corrected, so two
    evaluations before and after a relabelling compare the same splits."""
    if not isinstance(folds, int) or folds < 2:
        raise ValueError(f"The 'folds' parameter of evaluate must be an int >= 2. Got {folds!r} instead.")
    if folds > len(examples):
        raise ValueError(f"The 'folds' parameter of evaluate must be at most the number of documents "
                         f"({len(examples)}). Got {folds} instead.")
    rng = np.random.RandomState(seed)
    fold_of = np.full(len(examples), -1)
    for origin in ("corpus", "real"):
        idx = [i for i, e in enumerate(examples) if e.origin == origin]
        order = sorted(idx, key=lambda i: (-len(examples[i].text), rng.random_sample()))
        load = np.zeros(folds)
        for i in order:
            k = int(np.argmin(load + rng.random_sample(folds) * 1e-6))
            fold_of[i] = k
            load[k] += max(1, len(examples[i].text))
    return fold_of


def quiet() -> None:
    # rare labels are often absent from a training fold: expected, not worth a warning per fold
    warnings.filterwarnings("ignore", message=r"Label .* is present in all training examples")
    warnings.filterwarnings("ignore", message=r"Label not .* is present in all training examples")
    warnings.filterwarnings("ignore", category=UserWarning, module="sklearn")


def predict_stages(nlp: Pipeline, test: Sequence[Prepared]) -> dict:
    """Stage-by-stage predictions on held-out prepared documents (gold input for each stage)."""
    from ..features import task_frame
    from ..splitting import candidate_frame

    out: dict = {"detected": [], "lead": [], "support": [], "themes": [], "top": []}
    det = nlp.get_pipe("detector").models.get("detector") if nlp.has_pipe("detector") else None
    for p in test:
        if not p.doc.candidates:
            out["detected"].append([])
        elif det is None:
            from ..splitting import rule_is_task

            out["detected"].append([int(rule_is_task(c)) for c in p.doc.candidates])
        else:
            out["detected"].append(det.predict(candidate_frame(p.doc.candidates)).astype(int).tolist())
    tasks = [t for p in test for t in p.tasks]
    if not tasks:
        return out
    if nlp.has_pipe("mentions"):
        nlp.get_pipe("mentions").annotate(tasks)
    if nlp.has_pipe("agencies"):
        comp = nlp.get_pipe("agencies")
        X = task_frame(tasks)
        both = [comp.combine(ls, ss) for ls, ss in zip(comp.models["lead"].predict_agencies(X),
                                                        comp.models["support"].predict_agencies(X))]
        out["lead"] = [{a.id for a in ags if a.role == "lead"} for ags in both]
        out["support"] = [{a.id for a in ags if a.role == "support"} for ags in both]
    if nlp.has_pipe("themes"):
        model = nlp.get_pipe("themes").models["themes"]
        X = task_frame(tasks, with_mentions=False, docs=[i for i, p in enumerate(test) for _ in p.tasks])
        out["themes"] = [{t.id for t in ts} for ts in model.predict_themes(X)]
        proba = model.predict_proba(X)
        out["top"] = [[str(model.classes_[j]) for j in np.argsort(-row, kind="stable")[:3]] for row in proba]
    return out


def _raw(label) -> float:
    return float(label.score if label.raw_score is None else label.raw_score)


def document_result(example: Example, doc) -> DocResult:
    """What the pipeline made of one example (``doc``, annotated to the end) beside its gold: its tasks in
    the text's own offsets, with their labels and the scores the models gave them."""
    pred = []
    for t in doc.tasks:
        s, e = doc.raw_span(t.start, t.end)
        pred.append({"start": s, "end": e, "lead": {a.id for a in t.agencies if a.role == "lead"},
                     "support": {a.id for a in t.agencies if a.role == "support"},
                     "themes": {x.id for x in t.themes},
                     "sources": {a.id: a.source for a in t.agencies if a.role == "lead"},
                     # each label's score as the model gave it, for the calibration (pipeline.calibration)
                     "scores": {"lead": {a.id: _raw(a) for a in t.agencies if a.role == "lead"},
                                "support": {a.id: _raw(a) for a in t.agencies if a.role == "support"},
                                "theme": {x.id: _raw(x) for x in t.themes}}})
    return DocResult(example.doc_id, example.kind, example.origin, example.tasks, pred)


def predict_documents(nlp: Pipeline, examples: Sequence[Example]) -> list[DocResult]:
    """End to end: the whole pipeline on each example's text, in batches as a batch run reads them
    (``Pipeline.pipe``); tasks in the text's own offsets."""
    docs = nlp.pipe(nlp.make_doc(ex.text, doc_id=ex.doc_id) for ex in examples)
    return [document_result(ex, doc) for ex, doc in zip(examples, docs, strict=True)]


def run_fold(config: dict | None, labelset: dict, train: Sequence[Prepared], test: Sequence[Prepared],
             end_to_end: bool = True) -> dict:
    """Fit on ``train``, predict ``test`` stage by stage and end to end."""
    quiet()
    t0 = time.time()
    nlp = fit_prepared(Pipeline.from_config(config), train, labelset)
    t1 = time.time()
    res = {"stages": predict_stages(nlp, test), "fit_seconds": t1 - t0}
    res["documents"] = predict_documents(nlp, [p.example for p in test]) if end_to_end else []
    res["predict_seconds"] = time.time() - t1
    return res


def fold_splits(prepared: Sequence[Prepared], fold_of: np.ndarray) -> list[tuple[list, list]]:
    """(training, held-out) prepared examples of each fold, in fold order."""
    return [([p for p, f in zip(prepared, fold_of) if f != k], [p for p, f in zip(prepared, fold_of) if f == k])
            for k in sorted(set(fold_of.tolist()))]


def run_folds(config: dict | None, labelset: dict, prepared: Sequence[Prepared], fold_of: np.ndarray,
              n_jobs: int = 1, progress: Callable[[str], None] | None = None, end_to_end: bool = True) -> list[dict]:
    """One result per fold (in fold order)."""
    jobs = fold_splits(prepared, fold_of)
    if n_jobs > 1 and len(jobs) > 1:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=n_jobs, backend="loky")(
            delayed(run_fold)(config, labelset, tr, te, end_to_end) for tr, te in jobs)
    else:
        results = []
        for k, (tr, te) in enumerate(jobs):
            results.append(run_fold(config, labelset, tr, te, end_to_end))
            if progress:
                progress(f"fold {k + 1}/{len(jobs)}: fit {results[-1]['fit_seconds']:.0f} s, "
                         f"predict {results[-1]['predict_seconds']:.0f} s")
    return results
