"""The model directory (pipeline/model.py, format 2): config.json + model.joblib + meta.json; save/load round
trip, integrity checks, warnings and errors that say what to do (determinism: tests/test_determinism.py)."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import joblib
import pytest

from pipeline import model as model_mod
from pipeline.agencies import AgencyClassifier
from pipeline.errors import ModelError
from pipeline.language import Pipeline
from pipeline.splitting import TaskDetector
from pipeline.themes import ThemeClassifier

ROOT = Path(__file__).resolve().parent.parent

TEXT = """ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ
Số: 12/KH-UBND
Quảng Trị, ngày 5 tháng 4 năm 2024
KẾ HOẠCH
Tổ chức hiến máu tình nguyện năm 2024
I. NHIỆM VỤ
1. Sở Y tế chủ trì, phối hợp với Hội Chữ thập đỏ tỉnh tổ chức các điểm hiến máu lưu động.
2. Ban Tuyên giáo Tỉnh ủy định hướng các cơ quan báo chí tuyên truyền về hiến máu tình nguyện.
3. Công an tỉnh bảo đảm an ninh trật tự tại các điểm hiến máu.
"""


def _outputs(nlp) -> list:
    doc = nlp(TEXT, doc_id="x")
    return [t.to_dict() for t in doc.tasks]


@pytest.fixture()
def model_copy(saved_model_dir, tmp_path):
    d = tmp_path / "m"
    shutil.copytree(saved_model_dir, d)
    return d


def _edit_meta(d: Path, change) -> None:
    path = d / model_mod.META_FILE
    meta = json.loads(path.read_text(encoding="utf-8"))
    change(meta)
    path.write_text(json.dumps(meta), encoding="utf-8")


# --------------------------------------------------------------------------- save

def test_model_save_writes_three_files_and_meta(saved_model_dir, tiny_nlp, tiny_labelset):
    assert sorted(p.name for p in saved_model_dir.iterdir()) == ["config.json", "meta.json", "model.joblib"]
    meta = json.loads((saved_model_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["format"] == model_mod.FORMAT_VERSION == 3
    assert meta["sha256"] == model_mod.sha256_file(saved_model_dir / "model.joblib")
    assert meta["labels"] == {"agencies": sorted(tiny_labelset["agencies"]), "themes": sorted(tiny_labelset["themes"])}
    assert meta["pipeline"] == tiny_nlp.pipe_names
    import sklearn

    assert meta["versions"]["scikit-learn"] == sklearn.__version__
    config = json.loads((saved_model_dir / "config.json").read_text(encoding="utf-8"))
    assert config == tiny_nlp.config
    payload = joblib.load(saved_model_dir / "model.joblib")
    assert payload["format"] == 3 and payload["labelset"] == tiny_labelset
    assert isinstance(payload["models"]["detector"]["detector"], TaskDetector)
    assert isinstance(payload["models"]["agencies"]["lead"], AgencyClassifier)
    assert isinstance(payload["models"]["themes"]["themes"], ThemeClassifier)


def test_model_save_extra_meta(tiny_nlp, tmp_path):
    meta = model_mod.save(tiny_nlp, tmp_path / "m", {"corpus": {"documents": 7}})
    assert meta["corpus"] == {"documents": 7}
    assert json.loads((tmp_path / "m" / "meta.json").read_text(encoding="utf-8"))["corpus"] == {"documents": 7}
    assert not list((tmp_path / "m").glob("*.tmp"))


# --------------------------------------------------------------------------- load

def test_model_save_load_round_trip(saved_model_dir, tiny_nlp):
    loaded = model_mod.load(saved_model_dir)
    assert isinstance(loaded, Pipeline)
    assert loaded.pipe_names == tiny_nlp.pipe_names
    assert loaded.labelset == tiny_nlp.labelset
    assert loaded.version == loaded.meta["sha256"] == model_mod.sha256_file(saved_model_dir / "model.joblib")
    assert loaded.meta["path"] == str(saved_model_dir.resolve())
    assert all(loaded.get_pipe(n).fitted for n in loaded.learned_pipes)
    out = _outputs(loaded)
    assert out == _outputs(tiny_nlp)
    assert out and any(t["agencies"] for t in out) and any(t["themes"] for t in out)


def test_model_file_is_a_compressed_pickle_with_python_int_vocabularies(saved_model_dir):
    """The model file is a zlib-compressed pickle that unpickles with the C unpickler (joblib reads it too), and the vectorizers' vocabularies
    hold Python ints: a hundred thousand numpy integers pickle one by one and made loading seconds slower."""
    import pickle
    import zlib

    import numpy as np

    data = (saved_model_dir / "model.joblib").read_bytes()
    payload = pickle.loads(zlib.decompress(data))
    assert payload["format"] == joblib.load(saved_model_dir / "model.joblib")["format"]
    vocabularies = []

    def walk(obj, seen):
        if id(obj) in seen or isinstance(obj, (str, bytes, int, float, np.ndarray)) or obj is None:
            return
        seen.add(id(obj))
        if isinstance(getattr(obj, "vocabulary_", None), dict):
            vocabularies.append(obj.vocabulary_)
        children = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else \
            vars(obj).values() if hasattr(obj, "__dict__") else []
        for child in children:
            walk(child, seen)
    walk(payload["models"], set())
    assert len(vocabularies) >= 3
    assert all(type(v) is int for vocab in vocabularies for v in vocab.values())


def test_model_file_written_as_a_plain_pickle_still_loads(model_copy, saved_model_dir):
    """A model file stored as a plain, uncompressed pickle (as one version of this project wrote it) loads
    the same, through joblib."""
    import pickle
    import zlib

    path = model_copy / model_mod.MODEL_FILE
    path.write_bytes(zlib.decompress(path.read_bytes()))
    _edit_meta(model_copy, lambda meta: meta.update(sha256=model_mod.sha256_file(path)))
    assert pickle.loads(path.read_bytes())["format"] == model_mod.FORMAT_VERSION
    assert model_mod._loads(path)["format"] == model_mod.FORMAT_VERSION
    assert _outputs(model_mod.load(model_copy)) == _outputs(model_mod.load(saved_model_dir))


def test_model_unsaved_version():
    assert Pipeline.from_config().version == "unsaved"


def test_model_load_refuses_tampered_file(model_copy):
    path = model_copy / "model.joblib"
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(ModelError, match="sha256"):
        model_mod.load(model_copy)


def test_model_load_refuses_tampered_meta_hash(model_copy):
    _edit_meta(model_copy, lambda m: m.update(sha256="0" * 64))
    with pytest.raises(ModelError, match="sha256"):
        model_mod.load(model_copy)


def test_model_load_warns_on_sklearn_version_mismatch(model_copy, tiny_nlp):
    _edit_meta(model_copy, lambda m: m["versions"].update({"scikit-learn": "0.0.1"}))
    with pytest.warns(UserWarning, match=r"scikit-learn 0\.0\.1.*vanban train"):
        loaded = model_mod.load(model_copy)
    assert _outputs(loaded) == _outputs(tiny_nlp)          # a warning, not a refusal


def test_model_load_same_sklearn_does_not_warn(saved_model_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model_mod.load(saved_model_dir)


@pytest.mark.parametrize("remove", [None, "model.joblib", "meta.json"], ids=["missing-dir", "no-joblib", "no-meta"])
def test_model_load_missing_raises_with_hint(model_copy, tmp_path, remove):
    d = tmp_path / "nowhere" if remove is None else model_copy
    if remove:
        (d / remove).unlink()
    with pytest.raises(ModelError, match="vanban train") as err:
        model_mod.load(d)
    assert str(d) in str(err.value)


def test_model_error_is_runtime_error():
    with pytest.raises(RuntimeError):
        model_mod.load("/nonexistent/vanban/model")


def test_model_load_refuses_an_older_format(model_copy):
    _edit_meta(model_copy, lambda m: m.update(format=model_mod.FORMAT_VERSION - 1))
    old, new = model_mod.FORMAT_VERSION - 1, model_mod.FORMAT_VERSION
    with pytest.raises(ModelError, match=f"format {old}.*format {new}.*vanban train"):
        model_mod.load(model_copy)


def test_model_load_refuses_a_payload_of_another_format(tmp_path):
    d = tmp_path / "m"
    d.mkdir()
    joblib.dump({"format": 999}, d / "model.joblib")
    meta = {"format": model_mod.FORMAT_VERSION, "sha256": model_mod.sha256_file(d / "model.joblib")}
    (d / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="format"):
        model_mod.load(d)


def test_model_load_refuses_unreadable_meta(model_copy):
    (model_copy / "meta.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="vanban train"):
        model_mod.load(model_copy)


def test_model_default_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("VANBAN_MODEL", str(tmp_path / "x"))
    assert model_mod.default_model_dir() == tmp_path / "x"
    with pytest.raises(ModelError, match=str(tmp_path / "x")):
        model_mod.load()                                   # load() without a path reads it too
    monkeypatch.delenv("VANBAN_MODEL")
    d = model_mod.default_model_dir()
    assert d.parts[-2:] == ("pipeline", "model")
