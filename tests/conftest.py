"""Shared fixtures of the test suite (session-scoped: models and matchers load once).

Later stages are tested on hand-built inputs written here or in the test
modules, never on the output of earlier stages over the seed documents.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the suite runs from a source checkout, not an installed package
    sys.path.insert(0, str(ROOT))
if str(ROOT / "tests") not in sys.path:  # tests/tiny_corpus.py
    sys.path.insert(0, str(ROOT / "tests"))


# --------------------------------------------------------------------------- helpers

def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text the way legacy Windows-1258 files store it.

    Windows-1258 has precomposed â ê ô ơ ư ă đ but the five tone marks only as
    combining characters: decompose (NFD), put back the base letters the code
    page has, keep the tone marks combining.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], list(decomposed[1:])
        for mark in list(marks):
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1:
                try:
                    composed.encode("cp1258")
                except UnicodeEncodeError:
                    continue
                base = composed
                marks.remove(mark)
        out.append(base + "".join(marks))
    return "".join(out).encode("cp1258")


# --------------------------------------------------------------------------- paths

@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def corpus_dir(repo_root) -> Path:
    return repo_root / "corpus"


# --------------------------------------------------------------------------- lexicon / segmentation

@pytest.fixture(scope="session")
def default_matcher():
    from pipeline.lexicon import AgencyMatcher

    return AgencyMatcher.default()


@pytest.fixture(scope="session")
def segmenter(default_matcher):
    from pipeline.segmentation import Segmenter

    return Segmenter(matcher=default_matcher)


@pytest.fixture(scope="session")
def plain_segmenter():
    from pipeline.segmentation import Segmenter

    return Segmenter(use_lexicon=False)


# --------------------------------------------------------------------------- a tiny fitted pipeline

@pytest.fixture(scope="session")
def tiny_labelset() -> dict:
    import tiny_corpus

    return tiny_corpus.labelset()


@pytest.fixture(scope="session")
def tiny_examples():
    """Training examples of the tiny corpus written for the tests (tests/tiny_corpus.py)."""
    import tiny_corpus

    return tiny_corpus.examples()


@pytest.fixture(scope="session")
def tiny_nlp(tiny_examples, tiny_labelset):
    """A pipeline with every learned component fitted on the tiny corpus (about half a minute, once)."""
    from pipeline import training

    return training.fit(tiny_examples, None, tiny_labelset)


@pytest.fixture(scope="session")
def saved_model_dir(tiny_nlp, tmp_path_factory):
    from pipeline import model

    d = tmp_path_factory.mktemp("model")
    model.save(tiny_nlp, d)
    return d
