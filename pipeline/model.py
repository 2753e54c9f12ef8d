"""The trained model: a directory with ``config.json``, ``model.joblib`` and ``meta.json``.

``config.json`` is the pipeline's config (components, order, settings); ``model.joblib`` holds the fitted
estimators of its learned components and the label set; ``meta.json`` records the label set, the
training data (written and real documents, their hashes), library versions, scores and the sha256 of
``model.joblib``. Loading checks that hash and refuses a mismatch (joblib runs code on load: only load
model files you trust); a scikit-learn version different from the one that trained the model gives a
warning.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import platform
import warnings
import zlib
from pathlib import Path

import joblib

from .errors import ModelError

MODEL_FILE = "model.joblib"
META_FILE = "meta.json"
CONFIG_FILE = "config.json"
FORMAT_VERSION = 3      # 3: inherited leads carry their measured precision (AgencyClassifier.min_inherited)


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
    pickling; a set pickles in hash order) and ``_stop_words_id`` (a cache keyed by ``id()``); and store the
    vectorizers' vocabularies with Python ints (numpy integers pickle one by one and load ten times slower)."""
    seen = seen if seen is not None else set()
    if obj is None or id(obj) in seen or isinstance(obj, (str, bytes, int, float)):
        return
    seen.add(id(obj))
    for cache in ("stop_words_", "_stop_words_id"):   # the second is id() of a list: a memory address
        if hasattr(obj, cache):
            delattr(obj, cache)
    vocab = getattr(obj, "vocabulary_", None)
    if isinstance(vocab, dict):                        # numpy integers pickle one by one, ten times slower
        obj.vocabulary_ = {k: int(v) for k, v in vocab.items()}
    for name in ("steps", "transformers_", "estimators_"):
        for part in getattr(obj, name, None) or []:
            for x in (part if isinstance(part, tuple) else (part,)):
                _strip_stop_words(x, seen)
    for attr in ("pipeline_", "label_model_", "role_model_", "estimator"):
        _strip_stop_words(getattr(obj, attr, None), seen)


def _crfs(models: dict) -> list:
    """The CRF taggers (sklearn-crfsuite) among the fitted estimators' attributes."""
    return [v for ms in models.values() for est in ms.values() for v in vars(est).values()
            if hasattr(v, "training_log_") and hasattr(v, "modelfile")]


def _dumps(payload: dict) -> bytes:
    """The model file's bytes: a zlib-compressed pickle that ``joblib.load`` reads, the same for the same
    fitted models. Pickled without a memo ("fast" mode): otherwise equal strings or tuples that happen to be
    one object in one run and two in another are written differently. A CRF's training log (timings) is not
    kept, and the descriptor of its temporary model file is left out while pickling."""
    crfs = _crfs(payload["models"])
    fds = []
    for crf in crfs:
        crf.training_log_ = None
        fds.append(getattr(crf.modelfile, "fd", None))
        crf.modelfile.fd = None
    try:
        buf = io.BytesIO()
        pickler = pickle.Pickler(buf, protocol=4)
        pickler.fast = True
        pickler.dump(payload)
    finally:
        for crf, fd in zip(crfs, fds):
            crf.modelfile.fd = fd
    return zlib.compress(buf.getvalue(), 3)


def _loads(path: Path):
    """The payload of a model file: the zlib-compressed pickle :func:`_dumps` writes, read with the C
    unpickler (``joblib.load`` reads it too, with the pure-Python one: seconds slower); any other file
    ``joblib.dump`` wrote, through joblib."""
    data = path.read_bytes()
    try:
        return pickle.loads(zlib.decompress(data))
    except (zlib.error, pickle.UnpicklingError, EOFError, ValueError):
        return joblib.load(path)


def _models(nlp) -> dict:
    """The fitted estimators of each learned component (an optional one left unfitted is not written)."""
    return {name: {k: m for k, m in comp.models.items() if m is not None}
            for name, comp in nlp.components if hasattr(comp, "models")}


def save(nlp, model_dir: str | Path, extra_meta: dict | None = None) -> dict:
    """Write ``config.json``, ``model.joblib`` and ``meta.json`` (each atomically); return the meta."""
    models = _models(nlp)
    for ms in models.values():
        for est in ms.values():
            _strip_stop_words(est)
    d = Path(model_dir)
    d.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT_VERSION, "models": models, "labelset": nlp.labelset}
    tmp = d / (MODEL_FILE + ".tmp")
    tmp.write_bytes(_dumps(payload))
    os.replace(tmp, d / MODEL_FILE)
    _write_json(d / CONFIG_FILE, nlp.config)
    kept = {k: v for k, v in (nlp.meta or {}).items() if k not in ("path", "sha256")}
    meta = {"format": FORMAT_VERSION, **kept, **(extra_meta or {}),
            "pipeline": nlp.pipe_names,
            "labels": {"agencies": sorted(nlp.labelset.get("agencies", {})),
                       "themes": sorted(nlp.labelset.get("themes", {}))},
            "versions": library_versions(), "sha256": sha256_file(d / MODEL_FILE)}
    _write_json(d / META_FILE, meta)
    nlp.meta = meta
    return meta


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def default_model_dir() -> Path:
    """``$VANBAN_MODEL`` if set, else the model shipped inside the package (``pipeline/model``)."""
    env = os.environ.get("VANBAN_MODEL")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent / "model"


def _read_json(path: Path, what: str) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelError(f"Cannot read {what} {path}: {e}. Restore the model directory or retrain it with "
                         "`vanban train`.") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path} is not a JSON object. Restore the model directory or retrain it with `vanban train`.")
    return data


def read_meta(model_dir: str | Path) -> dict:
    """meta.json of a model directory (no unpickling); ModelError when absent or unreadable."""
    d = Path(model_dir)
    if not (d / META_FILE).exists() or not (d / MODEL_FILE).exists():
        raise ModelError(f"No model in {d} (need {MODEL_FILE} and {META_FILE}). "
                         f"Train one with: vanban train corpus -o {d}")
    return _read_json(d / META_FILE, "the model's meta")


def load(model_dir: str | Path | None = None):
    """The :class:`~pipeline.language.Pipeline` stored in ``model_dir`` (default: :func:`default_model_dir`)."""
    from .language import Pipeline

    d = Path(model_dir) if model_dir is not None else default_model_dir()
    meta = read_meta(d)
    path = d / MODEL_FILE
    actual = sha256_file(path)
    if meta.get("sha256") != actual:
        raise ModelError(f"{path} does not match the sha256 in {d / META_FILE} "
                         f"(expected {str(meta.get('sha256'))[:12]}…, got {actual[:12]}…). The file was changed or "
                         "damaged; retrain it with `vanban train` or restore both files together.")
    if meta.get("format") != FORMAT_VERSION:
        raise ModelError(f"{d} holds a model of format {meta.get('format')}; this version reads format "
                         f"{FORMAT_VERSION}. Retrain it with `vanban train`.")
    config = _read_json(d / CONFIG_FILE, "the pipeline config") if (d / CONFIG_FILE).exists() else None
    trained = meta.get("versions", {}).get("scikit-learn")
    import sklearn

    if trained and trained != sklearn.__version__:
        warnings.warn(f"Model in {d} was trained with scikit-learn {trained}; this is {sklearn.__version__}. "
                      "Predictions may differ: retrain with `vanban train` to be sure.", UserWarning, stacklevel=2)
    try:
        payload = _loads(path)
    except Exception as e:   # a truncated or foreign file whose meta.json happens to match
        raise ModelError(f"Cannot load {path}: {type(e).__name__}: {e}. Retrain it with `vanban train`.") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
        raise ModelError(f"{path} is not a model of format {FORMAT_VERSION}: retrain it with `vanban train`.")
    nlp = Pipeline.from_config(config)
    for name, models in (payload.get("models") or {}).items():
        if nlp.has_pipe(name):
            nlp.get_pipe(name).models.update(models)
    nlp.labelset = payload.get("labelset") or {}
    meta["path"] = str(d.resolve())
    nlp.meta = meta
    return nlp
