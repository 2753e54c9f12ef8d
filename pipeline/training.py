"""Training: from a corpus folder to a model directory, deterministically.

The label set is whatever the corpus carries (``labelset.json`` and the gold
labels): a data team can train on its own taxonomy without touching code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import corpus as corpus_mod
from . import splitting
from .classification import AgencyClassifier, ThemeClassifier, task_frame
from .model import Model, save
from .segmentation import Segmenter, words_text


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def detector_data(docs: list[corpus_mod.GoldDocument]):
    """Candidates of every gold document, labelled 1 when they overlap a gold task by half."""
    cands, y, groups = [], [], []
    for d in docs:
        cs, _ = splitting.candidates(d.text)
        spans = [(t["start"], t["end"]) for t in d.tasks]
        for c in cs:
            best = max((overlap((c.start, c.end), s) for s in spans), default=0)
            y.append(int(best >= 0.5 * (c.end - c.start)))
            cands.append(c)
            groups.append(d.doc_id)
    return cands, np.array(y), groups


def task_records(docs: list[corpus_mod.GoldDocument], segmenter: Segmenter | None = None):
    """Gold tasks as classifier input (text, words, context from the splitter) and targets."""
    seg = segmenter or Segmenter()
    records, agencies, themes, groups = [], [], [], []
    for d in docs:
        cs, _ = splitting.candidates(d.text)
        for t in d.tasks:
            best = max(cs, key=lambda c: overlap((c.start, c.end), (t["start"], t["end"])), default=None)
            ctx = best.context if best is not None and overlap((best.start, best.end), (t["start"], t["end"])) else {}
            records.append({"text": t["text"], "words": words_text(seg(t["text"])),
                            "issuer": d.meta.get("issuer"), "context": ctx})
            agencies.append(t["agencies"])
            themes.append(t["themes"])
            groups.append(d.doc_id)
    return task_frame(records), agencies, themes, groups


def fit(docs: list[corpus_mod.GoldDocument], labelset: dict, segmenter: Segmenter | None = None,
        X=None, agencies=None, themes=None) -> Model:
    """Fit detector, agency and theme models on gold documents."""
    cands, y_det, _ = detector_data(docs)
    detector = splitting.TaskDetector().fit(splitting.candidate_frame(cands), y_det) if len(set(y_det)) > 1 else None
    if X is None:
        X, agencies, themes, _ = task_records(docs, segmenter)
    agency_model = AgencyClassifier().fit(X, agencies)
    theme_model = ThemeClassifier().fit(X, themes)
    return Model(detector=detector, agencies=agency_model, themes=theme_model, labelset=labelset)


def train(corpus_dir: str | Path, model_dir: str | Path, scores_file: str | Path | None = None) -> dict:
    """``vanban train``: build the gold from ``src/`` if present, fit, save. Returns the model meta.

    ``scores_file`` (``evaluation/scores.json`` from ``vanban evaluate``) is recorded in meta.json
    when it was computed on the same corpus.
    """
    corpus_dir = Path(corpus_dir)
    if (corpus_dir / "src").is_dir():
        corpus_mod.build(corpus_dir)
    docs = corpus_mod.load(corpus_dir)
    labelset = corpus_mod.load_labelset(corpus_dir)
    model = fit(docs, labelset)
    extra = {"corpus": {"documents": len(docs), "tasks": sum(len(d.tasks) for d in docs),
                        "sha256": corpus_mod.corpus_hash(corpus_dir)}}
    if scores_file and Path(scores_file).exists():
        import json

        scores = json.loads(Path(scores_file).read_text(encoding="utf-8"))
        if scores.get("corpus_sha256") == extra["corpus"]["sha256"]:
            extra["scores"] = {k: v for k, v in scores.items() if isinstance(v, (int, float))}
        else:
            extra["scores_note"] = f"{scores_file} was computed on another corpus version; not recorded"
    return save(model, model_dir, extra)
