"""The pipeline object: an ordered list of named components over one :class:`~pipeline.document.Document`.

In the spirit of spaCy's ``Language``: each component is a callable
``Document -> Document``, built by a registered *factory* from its config
(:func:`factory`, or :func:`component` for a plain function). The pipeline is
built from a config (which components, in which order, with which settings);
``vanban train`` reads one and the model directory stores it beside the fitted
estimators, so the object that annotates is the object that was trained and
evaluated.

>>> nlp = Pipeline.from_config({"pipeline": ["cleanup", "metadata", "structure", "detector"]})
>>> nlp.pipe_names
['cleanup', 'metadata', 'structure', 'detector']
>>> doc = nlp("Kính gửi: Sở Y tế\\n1. Tổ chức tập huấn cho cán bộ y tế cơ sở.")
>>> [t.text for t in doc.tasks]
['Tổ chức tập huấn cho cán bộ y tế cơ sở.']
>>> with nlp.select_pipes(disable=["detector"]):
...     [len(nlp("Kính gửi: Sở Y tế\\n1. Tổ chức tập huấn.").tasks)]
[0]

A component of one's own needs no change to any other module:

>>> @component("lowercase_title")
... def lowercase_title(doc):
...     doc.meta["title_lower"] = (doc.meta.get("type") or "").lower()
...     return doc
>>> _ = nlp.add_pipe("lowercase_title", after="metadata")
>>> nlp.pipe_names[:3]
['cleanup', 'metadata', 'lowercase_title']
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from .document import Document
from .errors import ConfigError

BATCH_SIZE = 16      # documents a learned component reads at once in :meth:`Pipeline.pipe`
DEFAULT_PIPELINE = ["cleanup", "metadata", "structure", "detector", "segmenter", "mentions", "agencies", "themes"]


@dataclass
class Factory:
    name: str
    func: Callable[..., Any]
    default_config: dict
    learned: bool = False


FACTORIES: dict[str, Factory] = {}


def factory(name: str, default_config: dict | None = None, learned: bool = False):
    """Register a component factory: ``func(**config)`` returns the component (a callable over Document).

    ``learned``: the component holds an estimator that ``vanban train`` fits (see :mod:`pipeline.training`).
    """
    def register(func):
        FACTORIES[name] = Factory(name, func, dict(default_config or {}), learned)
        return func
    return register


def component(name: str):
    """Register a plain function ``Document -> Document`` as a component with no settings."""
    def register(func):
        FACTORIES[name] = Factory(name, lambda: func, {}, False)
        return func
    return register


def _ensure_builtins() -> None:
    from . import components  # noqa: F401  (registers the built-in factories)


class Pipeline:
    """An ordered list of named components. Build it with :meth:`from_config` or :func:`pipeline.load`."""

    def __init__(self, config: dict | None = None) -> None:
        self._components: list[tuple[str, Any]] = []
        self._disabled: set[str] = set()
        self.config: dict = {"pipeline": [], "components": {}}
        self.meta: dict = {}
        self.labelset: dict = {}
        if config:
            for name in config.get("pipeline", []):
                self.add_pipe(name, config=(config.get("components") or {}).get(name))

    # -- building
    @classmethod
    def from_config(cls, config: dict | None = None) -> "Pipeline":
        """A pipeline from a config ``{"pipeline": [names], "components": {name: {"factory": …, setting: value}}}``;
        without one, the default pipeline with default settings."""
        config = copy.deepcopy(config) if config else {"pipeline": list(DEFAULT_PIPELINE)}
        if not isinstance(config.get("pipeline"), list):
            raise ConfigError("A pipeline config needs a 'pipeline' list of component names. "
                              f"Got {config.get('pipeline')!r}.")
        return cls(config)

    def add_pipe(self, name: str, *, factory_name: str | None = None, config: dict | None = None,
                 before: str | None = None, after: str | None = None, first: bool = False, last: bool = False):
        """Create the component ``name`` from its factory (``factory_name``, or ``config["factory"]``, or
        ``name``) and insert it; returns the component."""
        _ensure_builtins()
        if name in self.pipe_names:
            raise ConfigError(f"A component named {name!r} is already in the pipeline: {self.pipe_names}.")
        settings = dict(config or {})
        fname = factory_name or settings.pop("factory", None) or name
        if fname not in FACTORIES:
            raise ConfigError(f"No component factory {fname!r}. Known: {sorted(FACTORIES)}. Register one with "
                              "@pipeline.language.factory or @pipeline.language.component (and import its module, "
                              "e.g. vanban train --code my_components.py).")
        fac = FACTORIES[fname]
        unknown = set(settings) - set(fac.default_config)
        if unknown:
            raise ConfigError(f"Unknown setting(s) {sorted(unknown)} for component {name!r} (factory {fname!r}). "
                              f"Known: {sorted(fac.default_config)}.")
        full = {**fac.default_config, **settings}
        comp = fac.func(**full)
        if hasattr(comp, "name"):
            try:
                comp.name = name
            except AttributeError:
                pass
        index = len(self._components)
        if first:
            index = 0
        elif before is not None:
            index = self.pipe_names.index(self._check_name(before))
        elif after is not None:
            index = self.pipe_names.index(self._check_name(after)) + 1
        self._components.insert(index, (name, comp))
        self.config["pipeline"] = self.pipe_names
        self.config.setdefault("components", {})[name] = {"factory": fname, **full}
        return comp

    def remove_pipe(self, name: str):
        """Take the component ``name`` out of the pipeline and return it."""
        self._check_name(name)
        i = self.pipe_names.index(name)
        _, comp = self._components.pop(i)
        self.config["pipeline"] = self.pipe_names
        self.config["components"].pop(name, None)
        return comp

    def _check_name(self, name: str) -> str:
        if name not in self.pipe_names:
            raise ConfigError(f"No component named {name!r} in the pipeline: {self.pipe_names}.")
        return name

    # -- introspection
    @property
    def pipe_names(self) -> list[str]:
        return [n for n, _ in self._components]

    @property
    def components(self) -> list[tuple[str, Any]]:
        return list(self._components)

    def get_pipe(self, name: str):
        """The component ``name`` (ConfigError when there is none)."""
        return dict(self._components)[self._check_name(name)]

    def has_pipe(self, name: str) -> bool:
        """Whether the pipeline has a component ``name``."""
        return name in self.pipe_names

    @property
    def learned_pipes(self) -> list[str]:
        _ensure_builtins()
        return [n for n in self.pipe_names
                if FACTORIES.get(self.config["components"].get(n, {}).get("factory", n), Factory("", None, {})).learned]

    @contextmanager
    def select_pipes(self, *, disable: Iterable[str] = (), enable: Iterable[str] | None = None):
        """Run with some components switched off, for the duration of the ``with`` block."""
        disable = set(disable)
        if enable is not None:
            disable |= set(self.pipe_names) - set(enable)
        for n in disable:
            self._check_name(n)
        before = set(self._disabled)
        self._disabled |= disable
        try:
            yield self
        finally:
            self._disabled = before

    # -- running
    def make_doc(self, text: str, doc_id: str = "doc", source: str = "", sha256: str = "") -> Document:
        """A :class:`~pipeline.document.Document` of raw ``text``, before any component ran."""
        return Document(doc_id=doc_id, raw_text=text, source=source, sha256=sha256)

    def __call__(self, text: str | Document, doc_id: str = "doc", source: str = "", sha256: str = "",
                 until: str | None = None) -> Document:
        """Run every enabled component (up to, not including, ``until``) over ``text`` or a Document. When the
        model's meta has a ``calibration``, agency and theme scores are then calibrated (the one place they are)."""
        doc = text if isinstance(text, Document) else self.make_doc(text, doc_id, source, sha256)
        return self._run([doc], until)[0]

    def pipe(self, texts: Iterable[str | Document], until: str | None = None,
             batch_size: int = BATCH_SIZE) -> Iterator[Document]:
        """Annotate texts (or Documents) lazily, ``batch_size`` at a time, and yield them in order. As in spaCy, a
        component with a ``pipe`` method (the learned ones) reads a whole batch at once, one call of its
        estimators for all the batch's rows instead of one a document; the others read each document in turn.
        The Documents are those that calling the pipeline on each text gives: the estimators' rows carry their
        document, and nothing one document's rows give depends on another's. An error in any document stops the
        batch (:func:`pipeline.batch.run` then reads that batch's documents one by one, each with its own
        errors)."""
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a whole number of documents, at least 1; got {batch_size!r}")
        return self._batches(texts, until, batch_size)

    def _batches(self, texts: Iterable[str | Document], until: str | None, batch_size: int) -> Iterator[Document]:
        batch: list[Document] = []
        for t in texts:
            batch.append(t if isinstance(t, Document) else self.make_doc(t))
            if len(batch) >= batch_size:
                yield from self._run(batch, until)
                batch = []
        if batch:
            yield from self._run(batch, until)

    def _run(self, docs: list[Document], until: str | None) -> list[Document]:
        for name, comp in self._components:
            if name == until:
                break
            if name in self._disabled:
                continue
            many = getattr(comp, "pipe", None)
            n = len(docs)
            docs = list(many(docs)) if many is not None else [comp(d) for d in docs]
            if len(docs) != n:
                raise RuntimeError(f"Component {name!r} returned {len(docs)} documents from a batch of {n}: a "
                                   "component's pipe() must return every document it is given, in order.")
        if self.meta.get("calibration"):      # calibrated agency and theme scores (pipeline.calibration)
            from .calibration import calibrate_tasks

            for doc in docs:
                calibrate_tasks(doc.tasks, self.meta["calibration"])
        return docs

    # -- the Annotator API of earlier versions
    def annotate(self, text: str, doc_id: str = "doc", source: str = "", sha256: str = "") -> Document:
        """Annotate raw text (OCR noise and all) and return a :class:`~pipeline.document.Document`."""
        return self(text, doc_id=doc_id, source=source, sha256=sha256)

    @property
    def version(self) -> str:
        """Identifies the model for caches: the sha256 of its file, or 'unsaved'."""
        return self.meta.get("sha256", "unsaved")

    def annotate_file(self, path, root=None) -> Document:
        """Annotate one file; a file that cannot be read gives a Document with ``errors``."""
        from .batch import annotate_file

        return annotate_file(self, path, root)

    def annotate_folder(self, in_dir, out_dir, **kwargs):
        """Annotate every document below ``in_dir`` into ``out_dir``; see :func:`pipeline.batch.run` (no progress
        bar unless ``quiet=False``); returns a :class:`~pipeline.batch.BatchResult`."""
        from .batch import run

        return run(self, in_dir, out_dir, **kwargs)

    def __repr__(self) -> str:
        return f"Pipeline({self.pipe_names})"
