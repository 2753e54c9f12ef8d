"""vanban: read Vietnamese administrative documents and extract their tasks.

Each task comes with who must do it (lead and supporting agencies) and what it
is about (themes), plus character offsets into the cleaned text.

>>> import pipeline                                        # doctest: +SKIP
>>> nlp = pipeline.load()                                  # the default model
>>> doc = nlp(open("cong_van.txt").read())                 # doctest: +SKIP
>>> nlp.annotate_folder("docs/", "out/")                   # doctest: +SKIP

Importing the package loads no model and no data: :func:`load` does.
"""

from __future__ import annotations

__version__ = "0.4.0"

__all__ = ["load", "Pipeline", "Document", "Task", "TaskContext", "VanbanError", "__version__"]

from typing import TYPE_CHECKING

from .document import Document, Task, TaskContext
from .errors import VanbanError

if TYPE_CHECKING:  # the real import is lazy: importing pipeline loads no model, no spaCy, no scikit-learn
    from .language import Pipeline


def load(model_dir=None) -> "Pipeline":
    """Load a trained model (the default one unless ``model_dir`` is given) as a :class:`Pipeline`."""
    from .model import load as load_model

    return load_model(model_dir)


def __getattr__(name):
    if name in ("Pipeline", "Annotator"):
        from .language import Pipeline

        return Pipeline
    raise AttributeError(name)
