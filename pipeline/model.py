"""The trained model: a directory with ``model.joblib`` and ``meta.json``.

``meta.json`` records the label set, the training corpus hash, library
versions, cross-validated scores and the sha256 of ``model.joblib``. Loading
checks that hash and refuses a mismatch (joblib runs code on load: only load
model files you trust); a scikit-learn version different from the one that
trained the model gives a warning.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import joblib

from .errors import ModelError

MODEL_FILE = "model.joblib"
META_FILE = "meta.json"
FORMAT_VERSION = 1


@dataclass
class Model:
    """What ``vanban train`` produces and ``pipeline.load`` reads."""

    detector: object            # splitting.TaskDetector or None (rules only)
    agencies: object            # classification.AgencyClassifier
    themes: object              # classification.ThemeClassifier
    labelset: dict
    meta: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Identifies the model for caches: the sha256 of its file, or 'unsaved'."""
        return self.meta.get("sha256", "unsaved")


def library_versions() -> dict:
    import sklearn
    import spacy
    import underthesea

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "spacy": spacy.__version__, "underthesea": underthesea.__version__, "joblib": joblib.__version__}


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _strip_stop_words(obj, seen=None) -> None:
    """Drop what makes the same training pickle to different bytes: the vectorizers'
    ``stop_words_`` sets (kept only for introspection; scikit-learn says they can be deleted before
    pickling; a set pickles in hash order) and ``_stop_words_id`` (a cache keyed by ``id()``)."""
    seen = seen if seen is not None else set()
    if obj is None or id(obj) in seen or isinstance(obj, (str, bytes, int, float)):
        return
    seen.add(id(obj))
    for cache in ("stop_words_", "_stop_words_id"):   # the second is id() of a list: a memory address
        if hasattr(obj, cache):
            delattr(obj, cache)
    for name in ("steps", "transformers_", "estimators_"):
        for part in getattr(obj, name, None) or []:
            for x in (part if isinstance(part, tuple) else (part,)):
                _strip_stop_words(x, seen)
    for attr in ("pipeline_", "label_model_", "role_model_", "estimator"):
        _strip_stop_words(getattr(obj, attr, None), seen)


def save(model: Model, model_dir: str | Path, extra_meta: dict | None = None) -> dict:
    """Write ``model.joblib`` and ``meta.json`` atomically; return the meta."""
    for part in (model.detector, model.agencies, model.themes):
        _strip_stop_words(part)
    d = Path(model_dir)
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / (MODEL_FILE + ".tmp")
    payload = {"format": FORMAT_VERSION, "detector": model.detector, "agencies": model.agencies,
               "themes": model.themes, "labelset": model.labelset}
    joblib.dump(payload, tmp, compress=3)
    os.replace(tmp, d / MODEL_FILE)
    kept = {k: v for k, v in (model.meta or {}).items() if k not in ("path", "sha256")}
    meta = {"format": FORMAT_VERSION, **kept, **(extra_meta or {}),
            "labels": {"agencies": sorted(model.labelset.get("agencies", {})),
                       "themes": sorted(model.labelset.get("themes", {}))},
            "versions": library_versions(), "sha256": sha256_file(d / MODEL_FILE)}
    tmp_meta = d / (META_FILE + ".tmp")
    tmp_meta.write_text(json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp_meta, d / META_FILE)
    model.meta = meta
    return meta


def default_model_dir() -> Path:
    """``$VANBAN_MODEL`` if set, else ``models/default`` of the source checkout."""
    env = os.environ.get("VANBAN_MODEL")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "models" / "default"


def read_meta(model_dir: str | Path) -> dict:
    """meta.json of a model directory (no unpickling); ModelError when absent."""
    meta_path = Path(model_dir) / META_FILE
    if not meta_path.exists() or not (Path(model_dir) / MODEL_FILE).exists():
        raise ModelError(f"No model in {model_dir} (need {MODEL_FILE} and {META_FILE}). "
                         f"Train one with: vanban train corpus -o {model_dir}")
    return json.loads(meta_path.read_text(encoding="utf-8"))


def load(model_dir: str | Path | None = None) -> Model:
    d = Path(model_dir) if model_dir is not None else default_model_dir()
    path, meta_path = d / MODEL_FILE, d / META_FILE
    if not path.exists() or not meta_path.exists():
        raise ModelError(f"No model in {d} (need {MODEL_FILE} and {META_FILE}). "
                         f"Train one with: vanban train corpus -o {d}")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    actual = sha256_file(path)
    if meta.get("sha256") != actual:
        raise ModelError(f"{path} does not match the sha256 in {meta_path} "
                         f"(expected {str(meta.get('sha256'))[:12]}…, got {actual[:12]}…). The file was changed or "
                         "damaged; retrain it with `vanban train` or restore both files together.")
    trained = meta.get("versions", {}).get("scikit-learn")
    import sklearn

    if trained and trained != sklearn.__version__:
        warnings.warn(f"Model in {d} was trained with scikit-learn {trained}; this is {sklearn.__version__}. "
                      "Predictions may differ: retrain with `vanban train` to be sure.", UserWarning, stacklevel=2)
    payload = joblib.load(path)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
        raise ModelError(f"{path} is not a model of format {FORMAT_VERSION}: retrain it with `vanban train`.")
    meta["path"] = str(d.resolve())
    return Model(detector=payload["detector"], agencies=payload["agencies"], themes=payload["themes"],
                 labelset=payload["labelset"], meta=meta)
