"""Learned components alone, on the gold tasks, under settings given on the command line.

    python evaluation/stage.py --components themes [--try '{"themes": {"C": 4.0}}' ...]
    python evaluation/stage.py --components mentions,agencies [--try '{"agencies": {"threshold": 0.7}}' ...]
        [--corpus corpus] [--real-dir DIR] [--folds 5] [-j 2]

The documents are prepared once (``pipeline.training.prepare``: the pipeline up to the detector, then the
segmenter on the gold tasks, as ``vanban evaluate`` does); then, for the config's own settings and for each
``--try`` (a JSON object {component: {setting: value}}, each checked against the component's factory), a
pipeline of the named components alone is fitted on each fold's training documents (``fit_prepared``) and
predicts the held-out gold tasks (``crossval.predict_stages``), folds grouped by document as ``vanban evaluate
--folds N`` makes them. Printed: micro-F1 of what the components predict (lead and supporting agencies with
``agencies``, which needs ``mentions`` before it; themes with ``themes``) on the real, written and seed tasks.
At the config's own settings the real figures are ``vanban evaluate``'s "on gold tasks" ones
(``real_stage_lead_micro_f``, ``real_stage_support_micro_f``, ``real_stage_theme_micro_f``).

A few minutes a setting on two cores, after a minute or two of preparing. It is for trying a setting before
paying for a full ``vanban evaluate``, whose end-to-end figures decide.
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

KINDS = {"lead": "lead", "support": "support", "themes": "theme"}     # predict_stages' key -> the figure's name
GOLD = {"lead": lambda g: g.lead, "support": lambda g: g.support, "themes": lambda g: g.themes}


def components_only(config: dict, names: list[str], settings: dict) -> Pipeline:
    """A pipeline of the config's components ``names`` alone (in the config's order), with ``settings``
    ({component: {setting: value}}) over their own."""
    unknown = set(settings) - set(names)
    if unknown:
        raise ValueError(f"--try names components not in --components: {sorted(unknown)}")
    order = [n for n in config["pipeline"] if n in names]
    missing = set(names) - set(order)
    if missing:
        raise ValueError(f"components not in the config's pipeline: {sorted(missing)}")
    comps = {n: {**copy.deepcopy(config["components"][n]), **settings.get(n, {})} for n in order}
    return Pipeline.from_config({"pipeline": order, "components": comps})


def _fold(config: dict, names: list[str], settings: dict, labelset: dict, train, test) -> dict:
    nlp = fit_prepared(components_only(config, names, settings), train, labelset)
    return crossval.predict_stages(nlp, test)


def run(config: dict, names: list[str], settings: dict, labelset: dict, splits, jobs: int) -> dict:
    """Micro-F1 of each predicted kind on the held-out gold tasks, by origin: {"real": {"lead": f, …}, …}
    (None for an origin without tasks)."""
    preds = Parallel(n_jobs=jobs)(delayed(_fold)(config, names, settings, labelset, tr, te) for tr, te in splits)
    kinds = [k for k in KINDS if any(p[k] for p in preds)]
    groups: dict = {o: {k: ([], []) for k in kinds} for o in ("real", "written", "seeds")}
    for (_, test), pred in zip(splits, preds):
        row = 0
        for p in test:
            origins = ["real"] if p.example.origin == "real" else ["written"]
            if p.example.origin != "real" and p.example.doc_id.startswith(SEED_PREFIX):
                origins.append("seeds")
            for g in p.golds:
                for o in origins:
                    for k in kinds:
                        groups[o][k][0].append(set(GOLD[k](g)))
                        groups[o][k][1].append(pred[k][row])
                row += 1
    return {o: ({KINDS[k]: set_scores(gold, got)["micro_f"] for k, (gold, got) in by.items()}
                if any(gold for gold, _ in by.values()) else None) for o, by in groups.items()}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--components", default="themes",
                    help="learned components fitted alone, comma-separated: themes, or mentions,agencies")
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    ap.add_argument("--real-dir", default=None)
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--config", default=None, help="pipeline config (JSON); default: the factories' defaults")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--try", dest="tries", action="append", default=[], metavar="JSON",
                    help="settings to try, e.g. '{\"agencies\": {\"threshold\": 0.7}}' (repeatable)")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.components.split(",") if n.strip()]
    tries = [json.loads(t) for t in args.tries]
    for t in tries:
        if not isinstance(t, dict) or not all(isinstance(v, dict) for v in t.values()):
            ap.error(f"--try takes a JSON object {{component: {{setting: value}}}}. Got {t!r}.")
    config = Pipeline.from_config(json.loads(Path(args.config).read_text()) if args.config else None).config
    try:
        for t in [{}] + tries:
            components_only(config, names, t)      # an unknown component or setting fails here, before any work
    except ValueError as e:
        ap.error(str(e))
    start = time.time()
    labelset = corpus_mod.load_labelset(Path(args.corpus))
    examples = load_examples(args.corpus, args.real_dir, False if args.no_real else None)
    prepared = prepare(Pipeline.from_config(config), examples, None)
    splits = crossval.fold_splits(prepared, crossval.document_folds(examples, args.folds, 0))
    print(f"prepared {len(prepared)} documents in {time.time() - start:.0f} s", flush=True)
    for settings in [{}] + tries:
        start = time.time()
        scores = run(config, names, settings, labelset, splits, args.jobs)
        figures = "  ".join(f"{o}: " + " ".join(f"{k} {v:.4f}" for k, v in s.items())
                            for o, s in scores.items() if s is not None)
        print(f"{json.dumps(settings) if settings else 'config':40s} {figures}  ({time.time() - start:.0f} s)",
              flush=True)


if __name__ == "__main__":
    main()
