"""vanban: read Vietnamese administrative documents and extract their tasks.

Each task comes with who must do it (lead and supporting agencies) and what it
is about (themes), plus character offsets into the cleaned text.

>>> import pipeline                                        # doctest: +SKIP
>>> nlp = pipeline.load()                                  # models/default
>>> doc = nlp.annotate(open("cong_van.txt").read())        # doctest: +SKIP
>>> nlp.annotate_folder("docs/", "out/")                   # doctest: +SKIP

Importing the package loads no model and no data: :func:`load` does.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["load", "Annotator", "Document", "Task", "VanbanError", "__version__"]

from typing import TYPE_CHECKING

from .document import Document, Task
from .errors import VanbanError

if TYPE_CHECKING:  # the real import is lazy: importing pipeline loads no model, no spaCy, no scikit-learn
    from .annotate import Annotator


def load(model_dir=None) -> "Annotator":
    """Load a trained model (``models/default`` unless given) and return an :class:`Annotator`."""
    from .annotate import Annotator
    from .model import load as load_model

    return Annotator(load_model(model_dir))


def __getattr__(name):
    if name == "Annotator":
        from .annotate import Annotator

        return Annotator
    raise AttributeError(name)
