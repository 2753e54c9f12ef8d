"""The trained model directory: training.fit on hand-built gold, save/load, integrity checks."""

from __future__ import annotations

import json
import shutil
import warnings

import pytest

from pipeline import model as model_mod
from pipeline import training
from pipeline.classification import AgencyClassifier, ThemeClassifier, task_frame
from pipeline.errors import ModelError
from pipeline.splitting import TaskDetector


@pytest.fixture()
def model_copy(saved_model_dir, tmp_path):
    d = tmp_path / "m"
    shutil.copytree(saved_model_dir, d)
    return d


def test_model_training_detector_data(gold_docs):
    cands, y, groups = training.detector_data(gold_docs)
    assert len(cands) == len(y) == len(groups)
    positives = [c.text for c, label in zip(cands, y) if label]
    assert positives == [t["text"] for d in gold_docs for t in d.tasks]
    assert set(groups) == {"doc0", "doc1"}


def test_model_training_task_records(gold_docs, segmenter):
    X, agencies, themes, groups = training.task_records(gold_docs, segmenter)
    assert len(X) == len(agencies) == len(themes) == len(groups) == 9
    assert X.loc[0, "text"] == "Ban Tuyên giáo chủ trì tuyên truyền về hiến máu tình nguyện."
    assert X.loc[0, "words"].startswith("Ban_Tuyên_giáo ")
    assert X.loc[0, "issuer"] == "Ban Thường vụ Tỉnh ủy Hà Tĩnh"
    assert X.loc[0, "parent"] == "Công tác tuyên truyền"
    assert themes[3] == ["audit", "media"]
    assert agencies[2][1] == {"id": "team_b", "name": "Sở Y tế", "role": "support", "explicit": True}


def test_model_training_fit_builds_all_parts(tiny_model, gold_labelset):
    assert isinstance(tiny_model.detector, TaskDetector)
    assert isinstance(tiny_model.agencies, AgencyClassifier)
    assert isinstance(tiny_model.themes, ThemeClassifier)
    assert list(tiny_model.agencies.classes_) == ["team_a", "team_b", "team_c"]
    assert list(tiny_model.themes.classes_) == ["audit", "blood", "media"]
    assert tiny_model.labelset == gold_labelset


def test_model_save_writes_meta(saved_model_dir, gold_labelset):
    meta = json.loads((saved_model_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["format"] == model_mod.FORMAT_VERSION
    assert meta["labels"] == {"agencies": ["team_a", "team_b", "team_c"], "themes": ["audit", "blood", "media"]}
    assert meta["sha256"] == model_mod.sha256_file(saved_model_dir / "model.joblib")
    import sklearn

    assert meta["versions"]["scikit-learn"] == sklearn.__version__
    assert not list(saved_model_dir.glob("*.tmp"))


def test_model_save_load_round_trip(saved_model_dir, tiny_model):
    loaded = model_mod.load(saved_model_dir)
    assert loaded.labelset == tiny_model.labelset
    assert loaded.version == loaded.meta["sha256"] != "unsaved"
    X = task_frame([{"text": "Sở Y tế chủ trì tổ chức hiến máu tình nguyện."},
                    {"text": "Ban Tuyên giáo phối hợp với Hội Chữ thập đỏ tuyên truyền."}])
    assert loaded.agencies.predict_proba(X).tolist() == tiny_model.agencies.predict_proba(X).tolist()
    assert loaded.themes.predict_proba(X).tolist() == tiny_model.themes.predict_proba(X).tolist()
    assert [[(a.id, a.role) for a in ags] for ags in loaded.agencies.predict_agencies(X)] == \
           [[(a.id, a.role) for a in ags] for ags in tiny_model.agencies.predict_agencies(X)]


def test_model_save_extra_meta(tiny_model, tmp_path):
    meta = model_mod.save(tiny_model, tmp_path / "m", {"corpus": {"documents": 2}})
    assert meta["corpus"] == {"documents": 2}
    assert json.loads((tmp_path / "m" / "meta.json").read_text(encoding="utf-8"))["corpus"] == {"documents": 2}


def test_model_unsaved_version():
    m = model_mod.Model(detector=None, agencies=None, themes=None, labelset={})
    assert m.version == "unsaved"


def test_model_load_refuses_tampered_file(model_copy):
    path = model_copy / "model.joblib"
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(ModelError, match="sha256"):
        model_mod.load(model_copy)


def test_model_load_refuses_tampered_meta_hash(model_copy):
    meta_path = model_copy / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["sha256"] = "0" * 64
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="sha256"):
        model_mod.load(model_copy)


def test_model_load_warns_on_sklearn_version_mismatch(model_copy):
    meta_path = model_copy / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["versions"]["scikit-learn"] = "0.0.1"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.warns(UserWarning, match="scikit-learn 0.0.1"):
        loaded = model_mod.load(model_copy)
    assert list(loaded.agencies.classes_) == ["team_a", "team_b", "team_c"]


def test_model_load_same_sklearn_does_not_warn(saved_model_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model_mod.load(saved_model_dir)


@pytest.mark.parametrize("remove", [None, "model.joblib", "meta.json"], ids=["missing-dir", "no-joblib", "no-meta"])
def test_model_load_missing_raises_with_hint(model_copy, tmp_path, remove):
    d = tmp_path / "nowhere" if remove is None else model_copy
    if remove:
        (d / remove).unlink()
    with pytest.raises(ModelError, match="vanban train"):
        model_mod.load(d)


def test_model_load_refuses_wrong_format(tmp_path):
    import joblib

    d = tmp_path / "m"
    d.mkdir()
    joblib.dump({"format": 999}, d / "model.joblib")
    (d / "meta.json").write_text(json.dumps({"sha256": model_mod.sha256_file(d / "model.joblib")}), encoding="utf-8")
    with pytest.raises(ModelError, match="format"):
        model_mod.load(d)


def test_model_default_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("VANBAN_MODEL", str(tmp_path / "x"))
    assert model_mod.default_model_dir() == tmp_path / "x"
    monkeypatch.delenv("VANBAN_MODEL")
    assert model_mod.default_model_dir().parts[-2:] == ("models", "default")


def test_model_model_error_is_runtime_error():
    with pytest.raises(RuntimeError):
        model_mod.load("/nonexistent/vanban/model")


def test_model_training_is_deterministic(tmp_path):
    """The same corpus gives the same model file, byte for byte (train twice, compare sha256)."""
    from pathlib import Path

    from pipeline import corpus, training
    from pipeline.model import save, sha256_file

    root = Path(__file__).resolve().parent.parent / "corpus"
    docs = corpus.load(root)[:6]
    labelset = corpus.load_labelset(root)
    for name in ("a", "b"):
        save(training.fit(docs, labelset), tmp_path / name)
    assert sha256_file(tmp_path / "a" / "model.joblib") == sha256_file(tmp_path / "b" / "model.joblib")
