"""The theme model alone, on the gold tasks, under settings given on the command line.

    python evaluation/theme_stage.py [--try '{"C": 4.0}' ...] [--corpus corpus] [--real-dir DIR] [--folds 5] [-j 2]

The documents are prepared once (``pipeline.training.prepare``: the pipeline up to the detector, then the
segmenter on the gold tasks, as ``vanban evaluate`` does); then, for the config's own theme settings and for
each ``--try`` (a JSON object of settings of the ``themes`` component, checked against its factory), the
theme component alone is fitted on each fold's training documents (``fit_prepared``) and predicts the
held-out gold tasks (``crossval.predict_stages``), folds grouped by document as ``vanban evaluate --folds
N`` makes them. Printed: micro-F1 of the themes on the real, written and seed tasks. At the config's own
settings the real figure is ``vanban evaluate``'s "themes, real, on gold tasks" (``real_stage_theme_micro_f``).

Two minutes a setting on two cores, after a minute or two of preparing. It is for trying a theme setting
before paying for a full ``vanban evaluate``, whose end-to-end figures decide.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from joblib import Parallel, delayed  # noqa: E402

from pipeline import corpus as corpus_mod  # noqa: E402
from pipeline.evaluation import SEED_PREFIX, crossval  # noqa: E402
from pipeline.evaluation.metrics import set_scores  # noqa: E402
from pipeline.language import Pipeline  # noqa: E402
from pipeline.training import fit_prepared, load_examples, prepare  # noqa: E402


def themes_only(config: dict, settings: dict) -> Pipeline:
    """A pipeline of the config's theme component alone, with ``settings`` over its own."""
    component = {**copy.deepcopy(config["components"]["themes"]), **settings}
    return Pipeline.from_config({"pipeline": ["themes"], "components": {"themes": component}})


def _fold(config: dict, settings: dict, labelset: dict, train, test) -> list[set]:
    nlp = fit_prepared(themes_only(config, settings), train, labelset)
    return crossval.predict_stages(nlp, test)["themes"]


def run(config: dict, settings: dict, labelset: dict, splits, jobs: int) -> dict:
    """Micro-F1 of the themes on the held-out gold tasks, by origin."""
    preds = Parallel(n_jobs=jobs)(delayed(_fold)(config, settings, labelset, tr, te) for tr, te in splits)
    groups: dict = {"real": ([], []), "written": ([], []), "seeds": ([], [])}
    for (_, test), pred in zip(splits, preds):
        rows = iter(pred)
        for p in test:
            for g in p.golds:
                themes = next(rows)
                keys = ["real"] if p.example.origin == "real" else ["written"]
                if p.example.origin != "real" and p.example.doc_id.startswith(SEED_PREFIX):
                    keys.append("seeds")
                for k in keys:
                    groups[k][0].append(g.themes)
                    groups[k][1].append(themes)
    return {k: set_scores(gold, pred)["micro_f"] if gold else None for k, (gold, pred) in groups.items()}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    ap.add_argument("--real-dir", default=None)
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--config", default=None, help="pipeline config (JSON); default: the factories' defaults")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--try", dest="tries", action="append", default=[], metavar="JSON",
                    help="theme settings to try, e.g. '{\"C\": 4.0}' (repeatable)")
    args = ap.parse_args(argv)
    tries = [json.loads(t) for t in args.tries]
    for t in tries:
        if not isinstance(t, dict):
            ap.error(f"--try takes a JSON object of theme settings. Got {t!r}.")
    config = Pipeline.from_config(json.loads(Path(args.config).read_text()) if args.config else None).config
    for t in tries:
        themes_only(config, t)               # an unknown setting fails here, before any work
    start = time.time()
    labelset = corpus_mod.load_labelset(Path(args.corpus))
    examples = load_examples(args.corpus, args.real_dir, False if args.no_real else None)
    prepared = prepare(Pipeline.from_config(config), examples, None)
    splits = crossval.fold_splits(prepared, crossval.document_folds(examples, args.folds, 0))
    print(f"prepared {len(prepared)} documents in {time.time() - start:.0f} s", flush=True)
    for settings in [{}] + tries:
        start = time.time()
        scores = run(config, settings, labelset, splits, args.jobs)
        figures = "  ".join(f"{k} {v:.4f}" for k, v in scores.items() if v is not None)
        print(f"{json.dumps(settings) if settings else 'config':40s} {figures}  ({time.time() - start:.0f} s)",
              flush=True)


if __name__ == "__main__":
    main()
