"""Every example in the package's docstrings runs and gives what it says (the docstrings are documentation)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import pipeline

MODULES = sorted(m.name for m in pkgutil.walk_packages(pipeline.__path__, "pipeline.")
                 if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_doctests_of_module(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples of {name} fail " \
                               f"(python -m doctest -v or doctest.testmod({name}) shows which)"


def test_doctests_cover_the_new_modules():
    with_examples = {n for n in MODULES if doctest.DocTestFinder().find(importlib.import_module(n))
                     and any(t.examples for t in doctest.DocTestFinder().find(importlib.import_module(n)))}
    for name in ("pipeline.language", "pipeline.structure", "pipeline.splitting", "pipeline.features",
                 "pipeline.inheritance", "pipeline.mentions", "pipeline.realdocs", "pipeline.evaluation.endtoend",
                 "pipeline.evaluation.stages", "pipeline.tables"):
        assert name in with_examples
