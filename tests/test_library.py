"""Library use: no progress bar unless asked, docstrings on the public types, py.typed shipped."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import pipeline
from pipeline.batch import BatchResult, run
from pipeline.document import AgencyLabel, Document, Task, TaskContext, ThemeLabel

ROOT = Path(__file__).resolve().parent.parent


class _FakePipeline:
    """Stands in for a loaded model: one task per document, no model file."""

    meta: dict = {}
    labelset: dict = {}
    version = "fake"

    def annotate(self, text, doc_id="doc", source="", sha256=""):
        d = Document(doc_id=doc_id, raw_text=text, source=source, sha256=sha256, clean_text=text)
        d.tasks = [Task(id=0, text=text.strip(), start=0, end=len(text.strip()))]
        return d


def _folder(tmp_path, n=3):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(n):
        (d / f"d{i}.txt").write_text(f"Sở Y tế chủ trì tổ chức hiến máu lần {i}.", "utf-8")
    return d


def test_library_batch_prints_no_progress_bar_unless_asked(tmp_path, capfd):
    res = run(_FakePipeline(), _folder(tmp_path), tmp_path / "out")
    out, err = capfd.readouterr()
    assert res.documents == 3 and out == "" and err == ""
    run(_FakePipeline(), tmp_path / "in", tmp_path / "out2", quiet=False)
    assert "annotating" in capfd.readouterr().err                   # asked for: tqdm on stderr
    seen = []
    run(_FakePipeline(), tmp_path / "in", tmp_path / "out3", progress=seen.append)
    assert sum(seen[:-1]) == 3 and capfd.readouterr().err == ""


def test_library_batch_leaves_readme_out(tmp_path):
    d = _folder(tmp_path, 1)
    (d / "README.md").write_text("Sở Y tế chủ trì tổ chức hiến máu.", "utf-8")
    res = run(_FakePipeline(), d, tmp_path / "out")
    assert res.documents == 1 and [Path(p).name for p, _ in res.ignored] == ["README.md"]


PUBLIC = [pipeline.load, Document, Task, TaskContext, AgencyLabel, ThemeLabel, BatchResult, pipeline.Pipeline,
          pipeline.batch.run]


@pytest.mark.parametrize("obj", PUBLIC, ids=lambda o: o.__name__)
def test_library_public_types_have_docstrings(obj):
    doc = inspect.getdoc(obj) or ""
    assert len(doc) > 40 and not doc.startswith(f"{obj.__name__}(")       # not the dataclass's generated one
    if inspect.isclass(obj):
        for name, member in vars(obj).items():
            if not name.startswith("_") and callable(member):
                assert inspect.getdoc(member), f"{obj.__name__}.{name} has no docstring"


def test_library_ships_py_typed():
    assert (ROOT / "pipeline" / "py.typed").exists()
    assert '"py.typed"' in (ROOT / "pyproject.toml").read_text("utf-8")


def test_library_default_model_ships_inside_the_package(monkeypatch):
    from pipeline.model import default_model_dir

    monkeypatch.delenv("VANBAN_MODEL", raising=False)
    d = default_model_dir()
    assert d == Path(pipeline.__file__).resolve().parent / "model"
    assert {"config.json", "meta.json", "model.joblib"} <= {p.name for p in d.iterdir()}


def test_library_package_data_carries_the_model_and_the_data():
    """What a non-editable ``pip install .`` installs: setuptools' package-data globs of pyproject.toml take
    pipeline/model and pipeline/data with them (a wheel is not built here: that needs build isolation)."""
    tomllib = pytest.importorskip("tomllib")      # Python 3.11+

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "pipeline" in conf["packages"]
    shipped = {f for pattern in conf["package-data"]["pipeline"] for f in (ROOT / "pipeline").glob(pattern)}
    for f in ("model/model.joblib", "model/meta.json", "model/config.json", "data/agencies.tsv", "py.typed"):
        assert ROOT / "pipeline" / f in shipped
