"""The built-in components of the pipeline, each registered under its name with its default settings.

=========== ===================================================== ===================================================
name        what it sets on the Document                           learned part (fitted by ``vanban train``)
=========== ===================================================== ===================================================
cleanup     ``clean_text``, ``edits``, ``offset_map``              —
metadata    ``meta`` (number, type, issuer, place, date, signer)   —
structure   ``lines``, ``candidates`` (sentences with context)     —
detector    ``tasks`` (the candidates that are tasks, a            :class:`~pipeline.splitting.TaskDetector`;
            paragraph's sentences joined into one task)            the joiner (:func:`~pipeline.splitting.new_joiner`)
segmenter   each task's ``words``; ``tokens``                      —
mentions    each task's ``mentions`` (field -> agency mentions)    :class:`~pipeline.mentions.MentionRecognizer`
agencies    each task's ``agencies`` (lead and support)            two :class:`~pipeline.agencies.AgencyClassifier`
themes      each task's ``themes``                                 :class:`~pipeline.themes.ThemeClassifier`
=========== ===================================================== ===================================================

A learned component keeps its estimators in ``models`` (None until fitted or loaded) and makes fresh
ones from its settings with ``new_models()``; without fitted models it falls back to rules (detector:
:func:`~pipeline.splitting.rule_is_task`; mentions: the lexicon) or leaves its field empty.
"""

from __future__ import annotations

from typing import Iterable

from .document import Document, Task
from .language import factory

# --------------------------------------------------------------------------- rules


class Cleanup:
    name = "cleanup"

    def __init__(self, max_rounds: int = 5):
        self.max_rounds = max_rounds

    def __call__(self, doc: Document) -> Document:
        from .cleanup import clean

        res = clean(doc.raw_text, max_rounds=self.max_rounds)
        doc.clean_text, doc.edits, doc.offset_map = res.text, res.edits, res.offset_map
        return doc


class Metadata:
    name = "metadata"

    def __call__(self, doc: Document) -> Document:
        from .metadata import extract

        doc.meta = extract(doc.text)
        return doc


class Structure:
    name = "structure"

    def __call__(self, doc: Document) -> Document:
        from .splitting import candidates
        from .structure import parse

        doc.lines, info = parse(doc.text)
        doc.candidates = candidates(doc.text, doc.meta, doc.lines, info)
        return doc


@factory("cleanup", {"max_rounds": 5})
def make_cleanup(max_rounds: int) -> Cleanup:
    return Cleanup(max_rounds)


@factory("metadata")
def make_metadata() -> Metadata:
    return Metadata()


@factory("structure")
def make_structure() -> Structure:
    return Structure()


# --------------------------------------------------------------------------- learned


def tasks_of(docs: list[Document]) -> tuple[list[Task], list[int]]:
    """The tasks of a batch of documents, in order, and the index of each one's document."""
    return [t for d in docs for t in d.tasks], [i for i, d in enumerate(docs) for _ in d.tasks]


class Learned:
    """A component with estimators in ``models``."""

    name = ""
    settings: dict

    def __init__(self, **settings):
        self.settings = settings
        self.models: dict = {k: None for k in self.new_models()}

    def new_models(self) -> dict:
        raise NotImplementedError

    optional: tuple = ()        # models a fitted component may do without (nothing to learn them from)

    def __call__(self, doc: Document) -> Document:
        return self.pipe([doc])[0]

    def pipe(self, docs: Iterable[Document]) -> list[Document]:
        """Annotate a batch of documents (each model called once for all of them); returns them in order."""
        raise NotImplementedError

    @property
    def fitted(self) -> bool:
        return all(m is not None for k, m in self.models.items() if k not in self.optional)


class Detector(Learned):
    name = "detector"
    optional = ("joiner",)      # a corpus whose tasks are all one sentence gives it no pair to learn from

    def new_models(self) -> dict:
        from .splitting import TaskDetector, new_joiner

        models = {"detector": TaskDetector(C=self.settings["C"], threshold=self.settings["threshold"],
                                           max_features=self.settings["max_features"],
                                           char_weight=self.settings["char_weight"])}
        if self.settings.get("join", False):
            models["joiner"] = new_joiner()
        return models

    def pipe(self, docs: Iterable[Document]) -> list[Document]:
        """Set ``tasks`` on each document: the detector reads every document's candidates in one call, the joiner
        every pair of kept neighbours in one call."""
        from .splitting import candidate_frame, rule_is_task

        docs = list(docs)
        det = self.models.get("detector")
        cands = [c for d in docs for c in d.candidates]
        if det is None:
            scores = [1.0 if rule_is_task(c) else None for c in cands]
        elif cands:
            owner = [i for i, d in enumerate(docs) for _ in d.candidates]
            proba = det.predict_proba(candidate_frame(cands, docs=owner))[:, -1]
            scores = [float(p) if p >= det.threshold else None for p in proba]
        else:
            scores = []
        kept, k = [], 0
        for d in docs:
            kept.append([(c, p) for c, p in zip(d.candidates, scores[k:k + len(d.candidates)]) if p is not None])
            k += len(d.candidates)
        for doc, spans in zip(docs, self.join([d.candidates for d in docs], kept)):
            doc.tasks = [Task(id=i, text=doc.text[c.start:end], start=c.start, end=end, section=c.section, score=p,
                              context=c.context) for i, (c, p, end) in enumerate(spans)]
        return docs

    def join(self, cands: list[list], kept: list[list]) -> list[list[tuple]]:
        """For each document (its candidates, and its kept candidates with their scores), the (first candidate,
        score, end) of each task: a kept sentence that the joiner says goes on with the kept sentence just before
        it (one task over two sentences of a paragraph) extends that task. A sentence that opens a new paragraph
        after a finished one (``after_stop``) is never joined: no labelled task goes on over such a break."""
        joiner = self.models.get("joiner")
        out = [[(c, p, c.end) for c, p in ks] for ks in kept]
        if joiner is None:
            return out
        from .splitting import join_features

        pairs = []                                        # (document, index in its kept list)
        for d, (cs, ks) in enumerate(zip(cands, kept)):
            index = {id(c): i for i, c in enumerate(cs)}
            pairs += [(d, k) for k in range(1, len(ks)) if index[id(ks[k][0])] == index[id(ks[k - 1][0])] + 1
                      and not ks[k][0].features.get("after_stop")]
        if not pairs:
            return out
        proba = joiner.predict_proba([join_features(kept[d][k][0]) for d, k in pairs])[:, -1]
        joined = {pair for pair, p in zip(pairs, proba) if p >= self.settings.get("join_threshold", 0.5)}
        spans = []
        for d, tasks in enumerate(out):
            merged: list[tuple] = []
            for k, (c, p, end) in enumerate(tasks):
                if (d, k) in joined and merged:
                    first, q, _ = merged[-1]
                    merged[-1] = (first, max(p, q), end)
                else:
                    merged.append((c, p, end))
            spans.append(merged)
        return spans


class Segmenter:
    name = "segmenter"

    def __init__(self, use_lexicon: bool = True):
        self.use_lexicon = use_lexicon
        self._seg = None

    def __getstate__(self):
        return {"use_lexicon": self.use_lexicon, "_seg": None}

    def segmenter(self):
        if self._seg is None:
            from .segmentation import Segmenter as Seg

            self._seg = Seg(use_lexicon=self.use_lexicon)
        return self._seg

    def annotate(self, tasks: list) -> list:
        """Set ``words`` on tasks; return their tokens (offsets into the document's clean text)."""
        from .segmentation import words_text

        seg = self.segmenter()
        tokens = []
        for t in tasks:
            toks = seg(t.text)
            for tok in toks:
                tok.start += t.start
                tok.end += t.start
            tokens.extend(toks)
            t.words = words_text(toks)
        return tokens

    def __call__(self, doc: Document) -> Document:
        doc.tokens.extend(self.annotate(doc.tasks))
        return doc


class Mentions(Learned):
    name = "mentions"

    def new_models(self) -> dict:
        from .mentions import MentionRecognizer

        return {"recognizer": MentionRecognizer(c1=self.settings["c1"], c2=self.settings["c2"],
                                                max_iterations=self.settings["max_iterations"],
                                                C_label=self.settings["C_label"])}

    def annotate(self, tasks: list) -> None:
        """Set ``mentions`` on tasks (or candidates): every text field looked up once per call."""
        from .agencies import MENTION_FIELDS
        from .inheritance import LINE_FIELDS, field_mentions

        rec = self.models.get("recognizer")
        texts: dict[str, None] = {}
        for t in tasks:
            for f in MENTION_FIELDS:
                v = t.text if f == "text" else getattr(t.context, f, "")
                for part in (v.split("\n") if f in LINE_FIELDS else [v]):
                    if part:
                        texts.setdefault(part, None)
        keys = list(texts)
        if rec is not None:
            found = dict(zip(keys, rec.find_many(keys)))
        else:
            from .lexicon import AgencyMatcher

            matcher = AgencyMatcher.default()
            found = {k: matcher.mentions(k) for k in keys}
        for t in tasks:
            t.mentions = {f: field_mentions(lambda k: found.get(k, []), f, t.text if f == "text" else getattr(t.context, f, ""))
                          for f in MENTION_FIELDS}

    def pipe(self, docs: Iterable[Document]) -> list[Document]:
        """Set ``mentions`` on every document's tasks, every distinct text read once for all of them."""
        docs = list(docs)
        self.annotate(tasks_of(docs)[0])
        return docs


class Agencies(Learned):
    name = "agencies"

    def new_models(self) -> dict:
        from .agencies import AgencyClassifier

        s = self.settings
        return {"lead": AgencyClassifier(role="lead", C=s["C"], threshold=s["threshold"], inherit=s["inherit"],
                                         min_inherited=s["min_inherited"], smoothing=s["smoothing"],
                                         subject_lead=s["subject_lead"]),
                "support": AgencyClassifier(role="support", C=s["C_support"], threshold=s["threshold_support"])}

    def pipe(self, docs: Iterable[Document]) -> list[Document]:
        """Set ``agencies`` on every document's tasks, each model called once for all of them."""
        from .features import task_frame

        docs = list(docs)
        lead, support = self.models.get("lead"), self.models.get("support")
        tasks, owner = tasks_of(docs)
        if not tasks or lead is None:
            return docs
        X = task_frame(tasks, docs=owner)
        leads = lead.predict_agencies(X)
        sups = support.predict_agencies(X) if support is not None else [[] for _ in leads]
        for t, ls, ss in zip(tasks, leads, sups):
            t.agencies = self.combine(ls, ss)
        return docs

    @staticmethod
    def combine(lead: list, support: list) -> list:
        """A task's agencies from the lead and the support model's: "Sở Nội vụ chủ trì, phối hợp với Sở Tư pháp"
        has so_ban_nganh as lead and as support, but an actor the sentence names as its lead is not also its
        support."""
        named = {a.name for a in lead if a.explicit}
        return lead + [a for a in support if a.name not in named]


class Themes(Learned):
    name = "themes"

    def new_models(self) -> dict:
        from .themes import ThemeClassifier

        s = self.settings
        return {"themes": ThemeClassifier(C=s["C"], threshold=s["threshold"], max_labels=s["max_labels"],
                                          alone=tuple(s["alone"]), context_weight=s["context_weight"],
                                          title_weight=s["title_weight"], char_weight=s["char_weight"],
                                          section_context=s["section_context"],
                                          tune_thresholds=s["tune_thresholds"],
                                          cross_themes=s["cross_themes"])}

    def pipe(self, docs: Iterable[Document]) -> list[Document]:
        """Set ``themes`` on every document's tasks, the model called once for all of them (its second stage
        reads each task's document and section means, by the frame's ``doc`` column)."""
        from .features import task_frame

        docs = list(docs)
        model = self.models.get("themes")
        tasks, owner = tasks_of(docs)
        if tasks and model is not None:
            X = task_frame(tasks, with_mentions=False, docs=owner)
            for t, ths in zip(tasks, model.predict_themes(X)):
                t.themes = ths
        return docs


@factory("detector", {"C": 2.0, "threshold": 0.6, "max_features": 40000, "char_weight": 1.0, "real_weight": 3.0,
                      "join": True, "join_threshold": 0.5},
         learned=True)
def make_detector(**settings) -> Detector:
    return Detector(**settings)


@factory("segmenter", {"use_lexicon": True})
def make_segmenter(use_lexicon: bool) -> Segmenter:
    return Segmenter(use_lexicon)


@factory("mentions", {"c1": 0.05, "c2": 0.05, "max_iterations": 100, "C_label": 10.0}, learned=True)
def make_mentions(**settings) -> Mentions:
    return Mentions(**settings)


@factory("agencies", {"C": 1.0, "threshold": 0.6, "inherit": True, "min_inherited": 0.5, "smoothing": 5.0,
                      "subject_lead": True, "C_support": 0.3, "threshold_support": 0.6}, learned=True)
def make_agencies(**settings) -> Agencies:
    return Agencies(**settings)


@factory("themes", {"C": 8.0, "threshold": 0.35, "max_labels": 3, "alone": ["khac"], "context_weight": 0.4,
                    "title_weight": 0.25, "char_weight": 0.7, "section_context": True, "tune_thresholds": True,
                    "cross_themes": True},
         learned=True)
def make_themes(**settings) -> Themes:
    return Themes(**settings)
