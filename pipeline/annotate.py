"""The whole pipeline on one document: read -> clean -> metadata -> split -> segment -> classify.

>>> import pipeline                              # doctest: +SKIP
>>> nlp = pipeline.load()                        # doctest: +SKIP
>>> doc = nlp.annotate("1. Sở Y tế chủ trì tổ chức hiến máu tình nguyện.")  # doctest: +SKIP
>>> doc.tasks[0].agencies[0].id                  # doctest: +SKIP
'so_ban_nganh'
"""

from __future__ import annotations

from pathlib import Path

from . import cleanup, metadata, reading, splitting
from .classification import task_frame
from .document import Document, Task
from .errors import InputError
from .model import Model
from .segmentation import Segmenter, words_text


class Annotator:
    """Runs every stage with one loaded model. Build it with :func:`pipeline.load`."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.segmenter = Segmenter(matcher=getattr(model.agencies, "matcher_", None))

    @property
    def version(self) -> str:
        return self.model.version

    def detect(self, cands: list[splitting.Candidate]) -> list[tuple[splitting.Candidate, float]]:
        # a task says who does what: fewer than three words ("(1).", "Pháp chế") is a fragment
        cands = [c for c in cands if len(c.text.split()) >= 3]
        if not cands:
            return []
        det = self.model.detector
        if det is None:
            return [(c, 1.0) for c in cands if splitting.rule_is_task(c)]
        proba = det.predict_proba(splitting.candidate_frame(cands))[:, 1]
        return [(c, float(p)) for c, p in zip(cands, proba) if p >= det.threshold]

    def annotate(self, text: str, doc_id: str = "doc", source: str = "", sha256: str = "") -> Document:
        """Annotate raw text (OCR noise and all) and return a :class:`Document`."""
        doc = Document(doc_id=doc_id, raw_text=text, source=source, sha256=sha256)
        cleaned = cleanup.clean(text)
        doc.clean_text, doc.edits, doc.offset_map = cleaned.text, cleaned.edits, cleaned.offset_map
        doc.meta = metadata.extract(doc.clean_text)
        cands, _ = splitting.candidates(doc.clean_text)
        found = self.detect(cands)
        for i, (c, p) in enumerate(found):
            toks = self.segmenter(c.text)
            for t in toks:
                t.start += c.start
                t.end += c.start
            doc.tokens.extend(toks)
            doc.tasks.append(Task(id=i, text=c.text, start=c.start, end=c.end, section=c.section,
                                  words=words_text(toks), score=p, context=c.context))
        if doc.tasks:
            X = task_frame([{"text": t.text, "words": t.words, "issuer": doc.meta.get("issuer"),
                             "context": t.context} for t in doc.tasks])
            for t, ags, ths in zip(doc.tasks, self.model.agencies.predict_agencies(X),
                                   self.model.themes.predict_themes(X)):
                t.agencies, t.themes = ags, ths
        return doc

    def annotate_file(self, path: str | Path, root: str | Path | None = None) -> Document:
        """Annotate one file; a file that cannot be read gives a Document with ``errors``."""
        p = Path(path)
        source = p.relative_to(root).as_posix() if root is not None else p.as_posix()
        doc_id = p.stem
        try:
            text, _, digest = reading.read_document(p)
        except InputError as e:
            return Document(doc_id=doc_id, source=source, errors=[str(e)])
        try:
            doc = self.annotate(text, doc_id=doc_id, source=source, sha256=digest)
        except Exception as e:  # a bug on one file must not stop a batch: record it
            return Document(doc_id=doc_id, source=source, sha256=digest,
                            errors=[f"internal error while annotating: {type(e).__name__}: {e}"])
        return doc

    def annotate_folder(self, in_dir: str | Path, out_dir: str | Path, **kwargs):
        """Annotate every document below ``in_dir`` into ``out_dir``; see :func:`pipeline.batch.run`."""
        from .batch import run

        return run(self, in_dir, out_dir, **kwargs)
