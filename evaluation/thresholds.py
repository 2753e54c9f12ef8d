"""Decision thresholds, measured: the settings that act only when a fitted model predicts, swept on
grouped cross-validation, end to end.

    python evaluation/thresholds.py [--corpus corpus] [--real-dir DIR | --no-real] [--folds 5] [-j 2] [--config FILE]

Each fold is fitted once (:func:`pipeline.training.fit_prepared`, the folds of ``vanban evaluate
--folds N``); its held-out documents are annotated up to the component a setting belongs to, and from
there on once per value of the setting (``Pipeline.select_pipes``), every other setting as the config
has it. So a row differs from the config's own row by that one setting and nothing else: no refit, no
other randomness. Scores are ``vanban evaluate``'s end-to-end figures (the pipeline's own tasks from the
raw file, matched to the gold by span overlap) on the real documents, the written ones and the five
seeds.

Writes ``evaluation/thresholds.json`` and ``evaluation/THRESHOLDS.md`` (figures only, no text of any
document). Five folds take about 14 minutes on two cores (185 real and 89 written documents); at the
config's own values the rows are exactly ``vanban evaluate``'s end-to-end figures.
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

from pipeline import corpus as corpus_mod  # noqa: E402
from pipeline.evaluation import SEED_PREFIX, crossval, endtoend  # noqa: E402
from pipeline.language import Pipeline  # noqa: E402
from pipeline.training import fit_prepared, load_examples, prepare  # noqa: E402

# (component, config setting) -> (the fitted model of the component it sets, that estimator's parameter,
# the values tried). Each acts at prediction time only.
SWEEPS = {
    ("detector", "threshold"): ("detector", "threshold", [0.45, 0.5, 0.55, 0.6, 0.65, 0.7]),
    ("agencies", "threshold"): ("lead", "threshold", [0.4, 0.5, 0.6, 0.7]),
    ("agencies", "min_inherited"): ("lead", "min_inherited", [0.2, 0.25, 0.3, 0.4, 0.5, 0.6]),
    ("agencies", "threshold_support"): ("support", "threshold", [0.5, 0.55, 0.6, 0.7, 0.8]),
    ("themes", "max_labels"): ("themes", "max_labels", [1, 2, 3]),
}
FIGURES = ("task_f", "lead_micro_f", "support_micro_f", "theme_micro_f")
GROUPS = ("real", "written", "seeds")


def _from(nlp: Pipeline, component: str) -> list[str]:
    names = nlp.pipe_names
    return names[names.index(component):]


def sweep(nlp: Pipeline, examples) -> dict:
    """``{(component, setting, value): [DocResult per example]}``: ``nlp`` (fitted) on each example with
    one setting of :data:`SWEEPS` at each of its values, the others as they are. The examples are annotated
    up to a setting's component once; each setting is put back as it was."""
    out: dict = {}
    for component in dict.fromkeys(c for c, _ in SWEEPS):
        if not nlp.has_pipe(component):
            continue
        start = [nlp(ex.text, doc_id=ex.doc_id, until=component) for ex in examples]
        for (comp, setting), (key, param, values) in SWEEPS.items():
            if comp != component or nlp.get_pipe(comp).models.get(key) is None:
                continue
            model = nlp.get_pipe(comp).models[key]
            configured = model.get_params()[param]
            try:
                for value in values:
                    model.set_params(**{param: value})
                    with nlp.select_pipes(enable=_from(nlp, component)):
                        docs = [nlp(copy.deepcopy(d)) for d in start]
                    out[(comp, setting, value)] = [crossval.document_result(ex, d) for ex, d in zip(examples, docs)]
            finally:
                model.set_params(**{param: configured})
    return out


def sweep_fold(config: dict | None, labelset: dict, train, test) -> dict:
    """One fold: fit on ``train`` (prepared examples), :func:`sweep` on ``test``."""
    crossval.quiet()
    return sweep(fit_prepared(Pipeline.from_config(config), train, labelset), [p.example for p in test])


def run(corpus_dir: Path, real_dir: str | None, folds: int, n_jobs: int, config: dict | None,
        real: bool | None = None) -> dict:
    labelset = corpus_mod.load_labelset(corpus_dir)
    examples = load_examples(corpus_dir, real_dir, real)
    prepared = prepare(Pipeline.from_config(config), examples)
    fold_of = crossval.document_folds(examples, folds, 0)
    from joblib import Parallel, delayed

    parts = Parallel(n_jobs=n_jobs, backend="loky")(delayed(sweep_fold)(config, labelset, tr, te)
                                                     for tr, te in crossval.fold_splits(prepared, fold_of))
    defaults = Pipeline.from_config(config)
    rows = []
    for (comp, setting), (_, _, values) in SWEEPS.items():
        if not defaults.has_pipe(comp):
            continue
        configured = defaults.get_pipe(comp).settings[setting]
        for value in values:
            results = [r for part in parts for r in part.get((comp, setting, value), [])]
            groups = {"real": [r for r in results if r.origin == "real"],
                      "written": [r for r in results if r.origin == "corpus"],
                      "seeds": [r for r in results if r.origin == "corpus" and r.doc_id.startswith(SEED_PREFIX)]}
            row = {"component": comp, "setting": setting, "value": value, "configured": value == configured}
            for g, res in groups.items():
                s = endtoend.score(res, "") if res else {}
                row.update({f"{g}_{k}": round(s[k], 4) for k in FIGURES if k in s})
            rows.append(row)
    return {"folds": folds, "real_documents": sum(e.origin == "real" for e in examples),
            "written_documents": sum(e.origin == "corpus" for e in examples), "rows": rows}


def markdown(result: dict) -> str:
    head = ("# Decision thresholds, swept\n\n"
            f"`python evaluation/thresholds.py` ({result['folds']} folds grouped by document, each fitted once; "
            f"{result['real_documents']} real and {result['written_documents']} written documents). End to end: "
            "task F1, then lead, support and theme micro-F1 on the matched tasks. **Bold**: the value the "
            "config has. A row differs from the bold row of its setting by that setting alone.\n\n")
    cols = [f"{g} {k.split('_')[0]}" for g in GROUPS for k in FIGURES]
    lines = ["| setting | value | " + " | ".join(cols) + " |", "|---|---|" + "---|" * len(cols)]
    for r in result["rows"]:
        v = f"**{r['value']}**" if r["configured"] else str(r["value"])
        figs = [f"{r[f'{g}_{k}']:.3f}" if f"{g}_{k}" in r else "–" for g in GROUPS for k in FIGURES]
        lines.append(f"| {r['component']}.{r['setting']} | {v} | " + " | ".join(figs) + " |")
    return head + "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    ap.add_argument("--real-dir", default=None, help="the real documents' texts (default: $VANBAN_REALDOCS or "
                                                      "../shared/realdocs)")
    ap.add_argument("--no-real", action="store_true", help="leave the real documents out")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--config", default=None, help="pipeline config (JSON); default: the default pipeline")
    ap.add_argument("--out", default=str(ROOT / "evaluation"))
    args = ap.parse_args(argv)
    config = json.loads(Path(args.config).read_text(encoding="utf-8")) if args.config else None
    t = time.time()
    result = run(Path(args.corpus), args.real_dir, args.folds, args.jobs, config, False if args.no_real else None)
    result["seconds"] = round(time.time() - t)
    out = Path(args.out)
    (out / "thresholds.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "THRESHOLDS.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
