"""Calibrated agency and theme scores (pipeline/calibration.py): the isotonic map, ECE, cross-fitting by fold,
the evaluation report's section, calibrated scores and the "uncertain" flag at inference, and
`vanban train --scores` storing the calibration and the threshold chosen from it. No model is fitted here:
a stand-in component gives fixed labels and scores."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from pipeline import calibration, training
from pipeline.document import AgencyLabel, Task, ThemeLabel
from pipeline.labels import LabelInfo
from pipeline.language import Pipeline, factory
from pipeline.output import csv_rows, long_rows, CSV_COLUMNS, LONG_COLUMNS

RNG = np.random.RandomState(0)


# --------------------------------------------------------------------------- the map, ECE, cross-fitting

def test_calibration_map_is_monotone_within_0_1_and_thinned():
    s = RNG.uniform(0.3, 1.0, 5000)
    c = (RNG.uniform(size=5000) < s ** 2).astype(int)
    cal = calibration.fit(s, c)
    xs, ys = np.array(cal["x"]), np.array(cal["y"])
    assert (np.diff(xs) > 0).all() and (np.diff(ys) >= 0).all()
    assert ys.min() >= 0 and ys.max() <= 1 and len(xs) <= calibration.MAX_POINTS and cal["n"] == 5000
    grid = np.linspace(-1, 2, 301)
    out = calibration.apply(cal, grid)
    assert (np.diff(out) >= 0).all() and out.min() >= 0 and out.max() <= 1
    assert out[0] == ys[0] and out[-1] == ys[-1]                  # clipped outside the fitted range
    assert abs(float(calibration.apply(cal, 0.8)) - 0.64) < 0.08      # near the true probability s²
    assert json.loads(json.dumps(cal)) == cal                         # plain points, no pickled object


def test_ece_of_a_calibrated_set_is_near_zero_of_an_overconfident_one_large():
    s = RNG.uniform(size=20000)
    right = (RNG.uniform(size=20000) < s).astype(int)
    assert calibration.ece(s, right) < 0.02
    over = RNG.uniform(0.9, 1.0, 5000)
    coin = (RNG.uniform(size=5000) < 0.5).astype(int)
    assert calibration.ece(over, coin) > 0.4
    # gaps of opposite sign do not cancel: under-confident in one bin, over-confident in another
    assert calibration.ece([0.1] * 10 + [0.9] * 10, [1] * 10 + [0] * 10) == pytest.approx(0.9)
    # the isotonic map repairs it, measured on other folds than those it was fitted on
    folds = np.arange(5000) % 5
    assert calibration.ece(calibration.cross_fitted(over, coin, folds), coin) < 0.05
    assert calibration.ece([], []) is None


def test_reliability_table_bins_scores_by_tenths():
    rows = calibration.reliability([0.05, 0.12, 0.18, 0.99, 1.0], [0, 0, 1, 1, 1])
    assert [(r["bin"], r["n"], r["accuracy"]) for r in rows] == [("0.0–0.1", 1, 0.0), ("0.1–0.2", 2, 0.5),
                                                                 ("0.9–1.0", 2, 1.0)]
    assert rows[1]["score"] == pytest.approx(0.15)


def test_cross_fitting_never_uses_a_pairs_own_fold():
    # fold 0: always right at 0.8; fold 1: always wrong at 0.8. Fitted on its own fold a pair would get its
    # own outcome (or 0.5 with both); fitted on the other fold only, it gets the other fold's.
    s = [0.8] * 40
    c = [1] * 20 + [0] * 20
    f = [0] * 20 + [1] * 20
    out = calibration.cross_fitted(s, c, f)
    assert out.tolist() == [0.0] * 20 + [1.0] * 20
    assert calibration.cross_fitted(s, c, [0] * 39 + [1]) is None      # fold 0's complement: 1 pair < MIN_PAIRS


def test_evaluate_pairs_figures_and_the_report_section():
    from pipeline.evaluation.report import render

    n = 600
    s = RNG.uniform(0.5, 1.0, n)
    c = (RNG.uniform(size=n) < (s - 0.5) * 2).astype(int)               # raw 0.75 is right half the time
    pairs = {"lead": (s, c, np.arange(n) % 3), "support": ([0.7] * 5, [1] * 5, [0, 1, 2, 0, 1]),
             "theme": ([], [], [])}
    fig, tables = calibration.evaluate_pairs(pairs)
    assert fig["calibration_n_lead"] == n and fig["calibration_n_support"] == 5 and fig["calibration_n_theme"] == 0
    assert fig["calibration_ece_raw_lead"] > 0.15 > fig["calibration_ece_lead"]
    assert 0.68 < fig["calibration_raw_threshold_lead"] < 0.82
    assert set(fig["calibration"]) == {"lead"}                          # support: too few labels to calibrate
    assert "calibrated" in tables["lead"] and "calibrated" not in tables["support"]
    scores = {**fig, "calibration_reliability": tables, "calibration_documents": "real", "real_documents": 0,
              "real_tasks": 0, "written_documents": 1, "written_tasks": 1, "folds": 3, "seed": 0}
    text = render(scores, {}, {})
    section = text[text.index("## 7. Calibration"):]
    row = next(line for line in section.splitlines() if line.startswith("| lead |"))
    assert f"{fig['calibration_ece_raw_lead']:.3f}" in row and f"{fig['calibration_ece_lead']:.3f}" in row
    assert "Not calibrated (too few held-out labels): support, theme" in section
    assert "<summary>lead</summary>" in section and "0.9–1.0" in section


# --------------------------------------------------------------------------- at inference

LABELS = {"lead": [("so_ban_nganh", 0.62), ("cap_uy", 0.95)], "support": [("mttq_doan_the", 0.7)],
          "theme": [("hien_mau", 0.8)]}


@factory("test_fixed_labels")
def _make_fixed_labels():
    def fixed(doc):
        t = Task(id=0, text=doc.raw_text[:20], start=0, end=20)
        t.agencies = [AgencyLabel(i, i, role, True, p) for role in ("lead", "support") for i, p in LABELS[role]]
        t.themes = [ThemeLabel(i, p) for i, p in LABELS["theme"]]
        doc.tasks = [t]
        return doc
    return fixed


CALIBRATION = {"lead": {"x": [0.5, 0.7, 1.0], "y": [0.1, 0.4, 0.9], "n": 100},   # 0.62 -> 0.28, 0.95 -> 0.8167
               "theme": {"x": [0.4, 0.9], "y": [0.2, 0.7], "n": 100}}           # 0.8 -> 0.6; support: raw


def _nlp(meta):
    nlp = Pipeline.from_config({"pipeline": ["test_fixed_labels"]})
    nlp.meta = meta
    return nlp


TEXT = "Sở Y tế chủ trì tổ chức hiến máu tình nguyện."


def test_calibration_in_meta_sets_the_output_scores():
    plain = _nlp({"uncertain_below": 0.5})(TEXT).to_dict()["tasks"][0]
    cal = _nlp({"calibration": CALIBRATION, "uncertain_below": 0.5})(TEXT).to_dict()["tasks"][0]
    assert [(a["id"], a["score"]) for a in plain["agencies"]] == [(i, p) for r in ("lead", "support")
                                                                  for i, p in LABELS[r]]
    assert all("raw_score" not in a for a in plain["agencies"] + plain["themes"])      # without: unchanged
    scores = {a["id"]: (a["score"], a.get("raw_score")) for a in cal["agencies"] + cal["themes"]}
    assert scores == {"so_ban_nganh": (0.28, 0.62), "cap_uy": (0.8167, 0.95), "mttq_doan_the": (0.7, None),
                      "hien_mau": (0.6, 0.8)}
    tasks = [Task(0, "", 0, 0, agencies=[AgencyLabel("a", "a", "lead", True, 0.62)])]
    calibration.calibrate_tasks(tasks, CALIBRATION)
    calibration.calibrate_tasks(tasks, CALIBRATION)                     # twice: still the raw score's map
    assert (tasks[0].agencies[0].score, tasks[0].agencies[0].raw_score) == (0.28, 0.62)


def test_uncertain_flag_compares_calibrated_scores_in_csv_and_long_csv():
    def flags(meta):
        nlp = _nlp(meta)
        d = nlp(TEXT).to_dict()
        d["doc_id"] = "d"
        info = LabelInfo.for_model(nlp)
        row = dict(zip(CSV_COLUMNS, next(csv_rows(d, info))))
        long = {r["label_id"]: r for r in (dict(zip(LONG_COLUMNS, x)) for x in long_rows(d, info))}
        return row["uncertain"], {k: (v["score"], v["uncertain"]) for k, v in long.items()}

    task, long = flags({"uncertain_below": 0.5})                        # raw scores all above one half
    assert task is False and not any(u for _, u in long.values())
    task, long = flags({"calibration": CALIBRATION, "uncertain_below": 0.5})
    assert task is True
    assert long == {"so_ban_nganh": (0.28, True), "cap_uy": (0.8167, False), "mttq_doan_the": (0.7, False),
                    "hien_mau": (0.6, False)}


def test_batch_outputs_and_cache_see_the_calibrated_scores(tmp_path):
    from pipeline.batch import _ModelSource

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(TEXT + "\n" + TEXT, encoding="utf-8")
    nlp = _nlp({"calibration": CALIBRATION, "uncertain_below": 0.5})
    nlp.annotate_folder(tmp_path / "in", tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "tasks.jsonl").read_text(encoding="utf-8"))
    assert doc["tasks"][0]["agencies"][0]["score"] == 0.28
    with open(tmp_path / "out" / "tasks_long.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {r["label_id"]: r for r in csv.DictReader(fh)}
    assert (rows["so_ban_nganh"]["score"], rows["so_ban_nganh"]["uncertain"]) == ("0.28", "True")
    # an edit of the calibration in meta.json is a new model version for the cache
    other = _nlp({"calibration": {**CALIBRATION, "theme": {"x": [0, 1], "y": [0, 1]}}})
    assert len({_ModelSource(m).version for m in (nlp, other, _nlp({}))}) == 3
    assert _ModelSource(_nlp({})).version == "unsaved"


# --------------------------------------------------------------------------- vanban train --scores

@pytest.fixture
def tiny_written(tmp_path):
    import tiny_corpus
    from pipeline import corpus as corpus_mod

    root = tiny_corpus.write_corpus(tmp_path / "corpus")
    corpus_mod.build(root)
    return root, f"{corpus_mod.corpus_hash(root)}+None"


def test_train_with_scores_stores_the_calibration_and_the_chosen_threshold(tiny_written, tmp_path, monkeypatch):
    root, data_id = tiny_written
    monkeypatch.setattr(training, "fit", lambda examples, config, labelset, progress=None:
                        Pipeline.from_config({"pipeline": ["cleanup"]}))
    scores = tmp_path / "scores.json"
    scores.write_text(json.dumps({"training_data": data_id, "real_lead_micro_f": 0.8, "calibration": CALIBRATION}),
                      encoding="utf-8")
    meta = training.train(root, tmp_path / "m1", scores_file=scores)
    assert meta["calibration"] == CALIBRATION and meta["uncertain_below"] == {"lead": 0.5, "theme": 0.5}
    assert meta["scores"] == {"real_lead_micro_f": 0.8}
    on_disk = json.loads((tmp_path / "m1" / "meta.json").read_text(encoding="utf-8"))
    assert on_disk["calibration"] == CALIBRATION
    assert LabelInfo.for_model(tmp_path / "m1").thresholds == {"lead": 0.5, "theme": 0.5}
    # the user's own threshold wins
    meta = training.train(root, tmp_path / "m2", scores_file=scores, uncertain_below={"lead": 0.7})
    assert meta["calibration"] == CALIBRATION and meta["uncertain_below"] == {"lead": 0.7}
    # scores of other training data: neither scores nor calibration
    scores.write_text(json.dumps({"training_data": "other", "calibration": CALIBRATION}), encoding="utf-8")
    meta = training.train(root, tmp_path / "m3", scores_file=scores)
    assert "calibration" not in meta and "uncertain_below" not in meta


def test_train_cli_parses_uncertain_below():
    from pipeline.cli import build_parser

    p = build_parser()
    assert p.parse_args(["train", "c", "-o", "m", "--uncertain-below", "0.6"]).uncertain_below == 0.6
    assert p.parse_args(["train", "c", "-o", "m", "--uncertain-below", "lead=0.6,theme=0.4"]).uncertain_below == \
        {"lead": 0.6, "theme": 0.4}
    assert p.parse_args(["train", "c", "-o", "m"]).uncertain_below is None
    with pytest.raises(SystemExit):
        p.parse_args(["train", "c", "-o", "m", "--uncertain-below", "boss=1"])
