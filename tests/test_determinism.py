"""Training is deterministic across fresh processes: the tiny corpus trained by ``vanban train`` in two
interpreters with different ``PYTHONHASHSEED`` gives the same model.joblib, config.json and meta.json, byte
for byte (set and dict orders that follow string hashes must not reach the model file).

The detector's word vectorizer is given a small ``max_features`` so that it cuts its vocabulary: the terms
it drops are kept by scikit-learn in a ``stop_words_`` set, whose pickled order follows the hash seed
unless the model is saved without it (``pipeline.model._strip_stop_words``). The two trainings run side
by side (about 45 s on two cores).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import tiny_corpus

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ("0", "12345")


def test_training_in_fresh_processes_with_different_hash_seeds_gives_identical_files(tmp_path):
    from pipeline.language import Pipeline

    corpus = tiny_corpus.write_corpus(tmp_path / "corpus")
    config = Pipeline.from_config(None).config
    config["components"]["detector"]["max_features"] = 200       # a vocabulary cut: stop_words_ is not empty
    (tmp_path / "config.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    procs = []
    for seed in SEEDS:
        env = {**os.environ, "PYTHONHASHSEED": seed,
               "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "pipeline", "train", str(corpus), "-o", str(tmp_path / f"m{seed}"),
             "--no-real", "--config", str(tmp_path / "config.json")],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0, out
    a, b = (tmp_path / f"m{s}" for s in SEEDS)
    # the vocabulary was cut, so the case the stripping is for was exercised
    from pipeline import model

    detector = model.load(a).get_pipe("detector").models["detector"]
    words = detector.pipeline_.named_steps["features"].named_transformers_["words"]
    assert len(words.vocabulary_) == 200 and not hasattr(words, "stop_words_")
    for name in ("model.joblib", "config.json", "meta.json"):      # no field differs legitimately
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs between hash seeds"
