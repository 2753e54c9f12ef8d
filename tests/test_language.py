"""The pipeline object (pipeline/language.py): config, factories, add_pipe, select_pipes, custom components."""

from __future__ import annotations

import doctest
import json
import re
from pathlib import Path

import pytest

from pipeline import language
from pipeline.document import Document
from pipeline.errors import ConfigError
from pipeline.language import DEFAULT_PIPELINE, FACTORIES, Pipeline, component, factory

ROOT = Path(__file__).resolve().parent.parent
TEXT = "Kính gửi: Sở Y tế\n1. Tổ chức tập huấn cho cán bộ y tế cơ sở.\n2. Báo cáo kết quả về Ủy ban nhân dân tỉnh."
RULES = ["cleanup", "metadata", "structure", "detector"]


# --------------------------------------------------------------------------- components used by the tests

CALLS: list[str] = []


@component("test_mark")
def _mark(doc: Document) -> Document:
    CALLS.append(doc.doc_id)
    doc.meta["marked"] = True
    return doc


@component("test_count_tasks")
def _count_tasks(doc: Document) -> Document:
    doc.meta["n_tasks"] = len(doc.tasks)
    return doc


class _Suffix:
    def __init__(self, suffix: str):
        self.suffix = suffix

    def __call__(self, doc: Document) -> Document:
        doc.meta["suffix"] = (doc.meta.get("suffix") or "") + self.suffix
        return doc


@factory("test_suffix", {"suffix": "!"})
def _make_suffix(suffix: str) -> _Suffix:
    return _Suffix(suffix)


# --------------------------------------------------------------------------- building from a config

def test_language_default_config_is_the_default_pipeline():
    nlp = Pipeline.from_config()
    assert nlp.pipe_names == DEFAULT_PIPELINE
    assert nlp.learned_pipes == ["detector", "mentions", "agencies", "themes"]
    for name in DEFAULT_PIPELINE:
        assert nlp.config["components"][name]["factory"] == name
        assert nlp.config["components"][name] == {"factory": name, **FACTORIES[name].default_config}


def test_language_char_weights_reach_the_estimators():
    nlp = Pipeline.from_config({"pipeline": ["detector", "themes"],
                                "components": {"detector": {"char_weight": 0.0}, "themes": {"char_weight": 0.3}}})
    assert nlp.get_pipe("detector").new_models()["detector"].get_params()["char_weight"] == 0.0
    assert nlp.get_pipe("themes").new_models()["themes"].get_params()["char_weight"] == 0.3


def test_language_config_round_trip_keeps_order_and_settings():
    config = {"pipeline": ["cleanup", "metadata", "structure", "detector", "test_suffix"],
              "components": {"cleanup": {"max_rounds": 2}, "detector": {"threshold": 0.7, "C": 0.5},
                             "test_suffix": {"suffix": "?"}}}
    nlp = Pipeline.from_config(config)
    assert nlp.pipe_names == config["pipeline"]
    assert nlp.get_pipe("cleanup").max_rounds == 2
    assert nlp.get_pipe("detector").settings["threshold"] == 0.7
    assert nlp.get_pipe("detector").new_models()["detector"].get_params()["C"] == 0.5
    assert nlp.get_pipe("test_suffix").suffix == "?"
    # the stored config is complete (defaults filled in) and survives JSON and a rebuild unchanged
    stored = json.loads(json.dumps(nlp.config))
    assert stored["components"]["detector"] == {**FACTORIES["detector"].default_config, "factory": "detector",
                                                "threshold": 0.7, "C": 0.5}
    again = Pipeline.from_config(stored)
    assert again.config == nlp.config
    assert again.pipe_names == nlp.pipe_names
    assert again("x")  # runs
    # building does not change the caller's dict
    assert config["components"]["cleanup"] == {"max_rounds": 2}


def test_language_config_factory_key_builds_a_second_instance():
    nlp = Pipeline.from_config({"pipeline": ["cleanup", "again"],
                                "components": {"again": {"factory": "test_suffix", "suffix": "b"}}})
    nlp.add_pipe("first_suffix", factory_name="test_suffix", config={"suffix": "a"}, first=True)
    assert nlp.pipe_names == ["first_suffix", "cleanup", "again"]
    assert nlp.config["components"]["again"] == {"factory": "test_suffix", "suffix": "b"}
    assert nlp("x").meta["suffix"] == "ab"


@pytest.mark.parametrize("config,match", [
    ({"pipeline": ["cleanup", "no_such_component"]}, r"No component factory 'no_such_component'.*Known:.*cleanup"),
    ({"pipeline": ["cleanup"], "components": {"cleanup": {"max_round": 3}}}, r"Unknown setting\(s\) \['max_round'\].*max_rounds"),
    ({"pipeline": ["x"], "components": {"x": {"factory": "nope"}}}, r"No component factory 'nope'"),
    ({"pipeline": "cleanup"}, r"'pipeline' list"),
    ({"components": {}}, r"'pipeline' list"),
], ids=["unknown-factory", "unknown-setting", "unknown-factory-key", "not-a-list", "no-pipeline"])
def test_language_bad_config_is_a_config_error(config, match):
    with pytest.raises(ConfigError, match=match):
        Pipeline.from_config(config)


def test_language_config_error_is_a_value_error_with_one_message():
    with pytest.raises(ValueError) as err:
        Pipeline.from_config({"pipeline": ["detector"], "components": {"detector": {"treshold": 0.3}}})
    assert "treshold" in str(err.value) and "threshold" in str(err.value)


# --------------------------------------------------------------------------- add, remove, get

def test_language_add_pipe_before_after_first_last():
    nlp = Pipeline.from_config({"pipeline": RULES})
    nlp.add_pipe("test_mark", after="metadata")
    assert nlp.pipe_names == ["cleanup", "metadata", "test_mark", "structure", "detector"]
    nlp.add_pipe("s1", factory_name="test_suffix", before="cleanup")
    assert nlp.pipe_names[0] == "s1"
    nlp.add_pipe("s2", factory_name="test_suffix", before="detector")
    assert nlp.pipe_names[-2:] == ["s2", "detector"]
    nlp.add_pipe("s3", factory_name="test_suffix", last=True)
    nlp.add_pipe("s4", factory_name="test_suffix", first=True)
    assert nlp.pipe_names == ["s4", "s1", "cleanup", "metadata", "test_mark", "structure", "s2", "detector", "s3"]
    assert nlp.config["pipeline"] == nlp.pipe_names
    assert set(nlp.config["components"]) == set(nlp.pipe_names)


def test_language_add_pipe_returns_the_component_and_names_it():
    nlp = Pipeline.from_config({"pipeline": ["cleanup"]})
    comp = nlp.add_pipe("my_structure", factory_name="structure")
    assert nlp.get_pipe("my_structure") is comp
    assert comp.name == "my_structure"
    assert nlp.has_pipe("my_structure") and not nlp.has_pipe("structure")


def test_language_add_pipe_errors():
    nlp = Pipeline.from_config({"pipeline": RULES})
    with pytest.raises(ConfigError, match="already in the pipeline"):
        nlp.add_pipe("cleanup")
    with pytest.raises(ConfigError, match="No component named 'nowhere'"):
        nlp.add_pipe("test_mark", after="nowhere")
    with pytest.raises(ConfigError, match="No component named 'nowhere'"):
        nlp.add_pipe("test_mark", before="nowhere")
    with pytest.raises(ConfigError, match="No component named"):
        nlp.get_pipe("themes")
    assert nlp.pipe_names == RULES                     # nothing half-added


def test_language_remove_pipe():
    nlp = Pipeline.from_config({"pipeline": RULES})
    comp = nlp.remove_pipe("detector")
    assert comp.name == "detector"
    assert nlp.pipe_names == RULES[:-1]
    assert "detector" not in nlp.config["components"]
    assert nlp(TEXT).tasks == [] and nlp(TEXT).candidates     # the tasks were the detector's
    with pytest.raises(ConfigError):
        nlp.remove_pipe("detector")


# --------------------------------------------------------------------------- running

def test_language_runs_components_in_order():
    nlp = Pipeline.from_config({"pipeline": ["test_count_tasks", *RULES]})
    assert "n_tasks" not in nlp(TEXT).meta          # it ran first: metadata, after it, replaced meta
    nlp = Pipeline.from_config({"pipeline": [*RULES, "test_count_tasks"]})
    doc = nlp(TEXT)
    assert doc.meta["n_tasks"] == len(doc.tasks) == 2


def test_language_until_stops_before_the_named_component():
    nlp = Pipeline.from_config({"pipeline": RULES})
    doc = nlp(TEXT, until="detector")
    assert doc.candidates and doc.tasks == []
    assert nlp(TEXT, until="cleanup").clean_text == ""


def test_language_select_pipes_disable_for_the_block_only():
    nlp = Pipeline.from_config({"pipeline": RULES})
    assert len(nlp(TEXT).tasks) == 2
    with nlp.select_pipes(disable=["detector"]):
        assert nlp(TEXT).tasks == []
        assert nlp(TEXT).candidates
    assert len(nlp(TEXT).tasks) == 2                  # on again after the block
    with pytest.raises(RuntimeError):
        with nlp.select_pipes(disable=["detector"]):
            raise RuntimeError("boom")
    assert len(nlp(TEXT).tasks) == 2                  # and after an exception


def test_language_select_pipes_enable_excludes_the_others():
    nlp = Pipeline.from_config({"pipeline": [*RULES, "test_mark"]})
    CALLS.clear()
    with nlp.select_pipes(enable=["cleanup", "test_mark"]):
        doc = nlp("  Sở Y tế   chủ trì.  ", doc_id="enabled")
        assert doc.clean_text == "Sở Y tế chủ trì."
        assert doc.meta == {"marked": True}          # metadata did not run
        assert doc.lines == [] and doc.tasks == []
    assert CALLS == ["enabled"]
    with nlp.select_pipes(disable=["test_mark"]):
        with nlp.select_pipes(disable=["cleanup"]):   # nested: both off
            doc = nlp(" x ", doc_id="nested")
            assert doc.clean_text == "" and "marked" not in doc.meta
        assert nlp(" x ").clean_text == "x"
    assert CALLS == ["enabled"]


def test_language_select_pipes_unknown_name():
    nlp = Pipeline.from_config({"pipeline": RULES})
    with pytest.raises(ConfigError, match="No component named 'themes'"):
        with nlp.select_pipes(disable=["themes"]):
            pass


def test_language_pipe_and_annotate_are_the_same_run():
    nlp = Pipeline.from_config({"pipeline": RULES})
    docs = list(nlp.pipe([TEXT, "1. Sở Y tế chủ trì tổ chức tập huấn."]))
    assert [len(d.tasks) for d in docs] == [2, 1]
    assert nlp.annotate(TEXT).to_dict() == nlp(TEXT).to_dict()
    assert nlp.version == "unsaved"


def _rounded(x):
    """A Document's dict with its floats to 6 places (scores as the outputs write them)."""
    if isinstance(x, float):
        return round(x, 6)
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_rounded(v) for v in x]
    return x


def test_language_pipe_reads_a_batch_at_once_and_gives_each_documents_own_result(monkeypatch):
    """``pipe`` hands each learned component a whole batch (one call of the detector, the agency and the theme
    models for all of the batch's documents, not one a document) and gives the Documents that the pipeline
    gives each text alone: a candidate's neighbours, a task's document and section means stay within its own
    document, whatever else the batch holds."""
    import pipeline

    nlp = pipeline.load()
    samples = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.txt"))]
    texts = samples[:1] + ["", *samples[1:4], "Không có nhiệm vụ nào.", *samples[4:], ""]   # empty in mid batch, at its end
    alone = [_rounded(nlp(t).to_dict()) for t in texts]
    calls = {"detector": 0, "lead": 0, "themes": 0}

    def counted(key, method):
        def wrapper(*args, **kwargs):
            calls[key] += 1
            return method(*args, **kwargs)
        return wrapper

    det = nlp.get_pipe("detector").models["detector"]
    lead = nlp.get_pipe("agencies").models["lead"]
    themes = nlp.get_pipe("themes").models["themes"]
    monkeypatch.setattr(det, "predict_proba", counted("detector", det.predict_proba))
    monkeypatch.setattr(lead, "predict_agencies", counted("lead", lead.predict_agencies))
    monkeypatch.setattr(themes, "predict_themes", counted("themes", themes.predict_themes))
    batched = [_rounded(d.to_dict()) for d in nlp.pipe(texts, batch_size=4)]
    assert len(texts) >= 8 and sum(len(d["tasks"]) for d in alone) > 20
    assert batched == alone
    batches = -(-len(texts) // 4)
    assert 0 < calls["detector"] <= batches and 0 < calls["lead"] <= batches and 0 < calls["themes"] <= batches
    with pytest.raises(ValueError, match="batch_size"):
        nlp.pipe(texts, batch_size=0)             # at once, not when the first batch is read


class _DropsOne:
    def __call__(self, doc):
        return doc

    def pipe(self, docs):
        return list(docs)[1:]


factory("test_drops_one")(_DropsOne)


def test_language_pipe_a_component_that_loses_a_document_is_an_error():
    nlp = Pipeline.from_config({"pipeline": ["metadata", "test_drops_one"]})
    with pytest.raises(RuntimeError, match="'test_drops_one' returned 1 documents from a batch of 2"):
        list(nlp.pipe(["a", "b"]))


# --------------------------------------------------------------------------- a component of one's own

def test_language_custom_component_in_a_config_runs_without_editing_other_modules():
    nlp = Pipeline.from_config({"pipeline": ["cleanup", "metadata", "test_mark", "structure", "detector"]})
    CALLS.clear()
    doc = nlp(TEXT, doc_id="custom")
    assert CALLS == ["custom"] and doc.meta["marked"] is True
    assert nlp.config["components"]["test_mark"] == {"factory": "test_mark"}
    assert "test_mark" not in nlp.learned_pipes
    with pytest.raises(ConfigError, match="Unknown setting"):
        Pipeline.from_config({"pipeline": ["test_mark"], "components": {"test_mark": {"x": 1}}})


def test_language_module_docstring_examples_run():
    res = doctest.testmod(language, optionflags=doctest.ELLIPSIS)
    assert res.attempted >= 8 and res.failed == 0


def _readme_block(marker: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"```python\n(# " + re.escape(marker) + r".*?)```", text, re.S)
    assert m, f"README has no python block starting with '# {marker}'"
    return m.group(1)


def test_language_readme_component_example_runs(capsys):
    code = _readme_block("a component of one's own")
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    out = capsys.readouterr().out
    nlp = namespace["nlp"]
    assert nlp.pipe_names == ["cleanup", "metadata", "count_words", "structure", "detector"]
    assert "count_words" in FACTORIES
    assert namespace["doc"].meta["words"] == len(namespace["doc"].clean_text.split()) > 0
    assert out.strip()
