"""Training: gold documents in, a fitted :class:`~pipeline.language.Pipeline` out, deterministically.

Every gold document, written (``corpus/src``) or real (``corpus/real``, stand-off), becomes an
:class:`Example`: the text the pipeline reads and its gold tasks with offsets into that text. The
pipeline's own components, up to the detector, run over it (cleanup, metadata, structure); the
candidates they produce are labelled by their overlap with the gold tasks, and each gold task is
represented by the candidate that overlaps it most, with that candidate's context. So the
classifiers are trained on exactly what they see at annotation time: there is one feature path.

The label set is whatever the gold carries (``labelset.json``): a data team can train on its own
taxonomy without touching code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from . import corpus as corpus_mod
from . import realdocs
from .document import Document, Task
from .language import Pipeline

OVERLAP = 0.5      # a candidate is a task when a gold task covers at least this share of it


@dataclass
class GoldTask:
    start: int
    end: int
    lead: list
    support: list
    themes: list
    source: str = "text"
    mentions: list = field(default_factory=list)    # (start, end, label, role) in the example's text

    @classmethod
    def from_standoff(cls, t: dict) -> "GoldTask":
        """A task of a stand-off label record (``corpus/real/labels.jsonl``, a reviewed document's labels)."""
        return cls(t["start"], t["end"], list(t["lead"]), list(t.get("support") or []), list(t["themes"]),
                   t.get("source", "text"), [(m["start"], m["end"], m["id"], m["role"]) for m in t.get("mentions") or []])


@dataclass
class Example:
    """A gold document as the pipeline reads it: ``text`` is what a user would give the pipeline."""

    doc_id: str
    text: str
    tasks: list
    origin: str = "corpus"       # "corpus" (written) or "real"
    kind: str = ""
    meta: dict = field(default_factory=dict)


def _find(text: str, name: str, start: int, end: int, taken: list) -> tuple[int, int] | None:
    low, nm = text.lower(), name.lower()
    i = low.find(nm, start, end)
    while i >= 0:
        if all(i >= e or i + len(nm) <= s for s, e in taken):
            return i, i + len(nm)
        i = low.find(nm, i + 1, end)
    return None


def corpus_examples(docs: Sequence[corpus_mod.GoldDocument]) -> list[Example]:
    """Written documents: the clean gold text; explicit agency names located in their task."""
    out = []
    for d in docs:
        tasks = []
        for t in d.tasks:
            lead = sorted({a["id"] for a in t["agencies"] if a["role"] == "lead"})
            support = sorted({a["id"] for a in t["agencies"] if a["role"] == "support"})
            mentions, taken = [], []
            for a in t["agencies"]:
                if a.get("explicit", True) and a.get("name"):
                    span = _find(d.text, a["name"], t["start"], t["end"], taken)
                    if span:
                        taken.append(span)
                        mentions.append((span[0], span[1], a["id"], a["role"]))
            explicit = any(a["role"] == "lead" and a.get("explicit", True) for a in t["agencies"])
            tasks.append(GoldTask(t["start"], t["end"], lead, support, list(t["themes"]),
                                  "text" if explicit else "inherited", mentions))
        out.append(Example(d.doc_id, d.text, tasks, "corpus", (d.meta or {}).get("type") or "", d.meta or {}))
    return out


def real_examples(docs: Sequence[realdocs.RealDocument]) -> list[Example]:
    """Real documents: the raw file text, stand-off gold spans and mentions."""
    out = []
    for d in docs:
        tasks = [GoldTask.from_standoff(t) for t in d.tasks]
        out.append(Example(d.doc_id, d.text, tasks, "real", d.kind, d.meta_values()))
    return out


def load_examples(corpus_dir: str | Path, real_dir: str | Path | None = None, real: bool | None = None
                  ) -> list[Example]:
    """The written corpus (``src/`` compiled in memory, else ``labels.jsonl``) and, when ``corpus/real`` has
    labels and ``real`` is not False, the real documents (their folder must then be found)."""
    corpus_dir = Path(corpus_dir)
    if (corpus_dir / "src").is_dir() and any((corpus_dir / "src").glob("*.txt")):
        docs = [corpus_mod.read_source(p, corpus_dir) for p in sorted((corpus_dir / "src").glob("*.txt"))]
    else:
        docs = corpus_mod.load(corpus_dir)
    examples = corpus_examples(docs)
    has_real = (corpus_dir / "real" / realdocs.LABELS_FILE).exists()
    if real or (real is None and has_real):
        examples += real_examples(realdocs.load(corpus_dir, real_dir))
    from .review import with_reviewed  # corpus/reviewed: documents corrected with `vanban review import`

    return with_reviewed(examples, corpus_dir)


# --------------------------------------------------------------------------- aligning gold and candidates

def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def join_labels(spans: Sequence[tuple[int, int]], labels: Sequence[int], gold: Sequence[tuple[int, int]],
                share: float = OVERLAP) -> list:
    """The joiner's targets: for each candidate, 1 when it and the candidate before it are both tasks inside
    one gold task (covered by it for at least ``share`` of their length), 0 when both are tasks of different
    gold tasks, None otherwise (not a pair the joiner decides)."""
    def owner(sp):
        best = max(gold, key=lambda g: overlap(sp, g), default=None)
        return best if best is not None and overlap(sp, best) >= share * max(sp[1] - sp[0], 1) else None
    owners = [owner(sp) if lab else None for sp, lab in zip(spans, labels)]
    out: list = [None] * len(spans)
    for i in range(1, len(spans)):
        if owners[i] is not None and owners[i - 1] is not None:
            out[i] = int(owners[i] == owners[i - 1])
    return out


@dataclass
class Prepared:
    """An example after the pipeline's rule components: the document, its candidates' raw spans, their
    detector labels, and each gold task's best candidate (as a Task with context and words)."""

    example: Example
    doc: Document
    cand_spans: list
    cand_labels: list
    tasks: list                   # Task per matched gold task
    golds: list                   # the GoldTask of each
    missed: int = 0               # gold tasks no candidate overlaps


def prepare(nlp: Pipeline, examples: Sequence[Example], progress: Callable[[str], None] | None = None
            ) -> list[Prepared]:
    """Run the pipeline up to the detector over each example and align its candidates with the gold."""
    out = []
    seg = nlp.get_pipe("segmenter") if nlp.has_pipe("segmenter") else None
    for n, ex in enumerate(examples):
        doc = nlp(ex.text, doc_id=ex.doc_id, until="detector")
        spans = [doc.raw_span(c.start, c.end) for c in doc.candidates]
        gold = sorted((g.start, g.end) for g in ex.tasks)
        labels = []
        for s, e in spans:
            best = max((overlap((s, e), g) for g in gold), default=0)
            labels.append(int(best >= OVERLAP * max(e - s, 1)))
        tasks, golds, missed = [], [], 0
        for g in ex.tasks:
            best, bi = 0, -1
            for i, sp in enumerate(spans):
                o = overlap(sp, (g.start, g.end))
                if o > best:
                    best, bi = o, i
            if bi < 0:
                missed += 1
                continue
            c = doc.candidates[bi]
            tasks.append(Task(id=len(tasks), text=c.text, start=c.start, end=c.end, section=c.section,
                              context=c.context))
            golds.append(g)
        if seg is not None:
            seg.annotate(tasks)
        out.append(Prepared(ex, doc, spans, labels, tasks, golds, missed))
        if progress and (n + 1) % 50 == 0:
            progress(f"prepared {n + 1}/{len(examples)} documents")
    return out


def _clean_span(doc: Document, s: int, e: int) -> tuple[int, int]:
    if doc.offset_map is None:
        return s, e
    n = len(doc.clean_text)
    return doc.offset_map.to_clean(s, n), doc.offset_map.to_clean(e, n, end=True)


def mention_training(prepared: Sequence[Prepared]) -> tuple[list[str], list[list]]:
    """Texts and gold agency spans for the mention recognizer: each matched task's text with its
    explicit mentions, and each structure line that holds an inherited mention (a heading, an item line,
    a field line, an addressee list) with every gold mention inside it."""
    by_text: dict[str, set] = {}
    for p in prepared:
        doc = p.doc
        for t, g in zip(p.tasks, p.golds):
            spans = by_text.setdefault(t.text, set())
            for s, e, lab, _ in g.mentions:
                cs, ce = _clean_span(doc, s, e)
                if t.start <= cs < ce <= t.end:
                    spans.add((cs - t.start, ce - t.start, lab))
        outside = [(m, _clean_span(doc, m[0], m[1])) for g in p.golds for m in g.mentions]
        for ln in doc.lines:
            inside = {(cs - ln.start, ce - ln.start, m[2]) for m, (cs, ce) in outside if ln.start <= cs < ce <= ln.end}
            if inside:
                by_text.setdefault(ln.text, set()).update(inside)
    texts = sorted(by_text)
    return texts, [sorted(by_text[t]) for t in texts]


def mention_roles(tasks: Sequence[Task], golds: Sequence[GoldTask], docs: Sequence[Document]) -> list:
    """For each task, the gold role of each mention the recognizer found in its text: the role of the gold
    mention it overlaps, "none" when the gold located its agencies and this is not one of them; where the gold
    gave the labels of one role without positions and the mention's class is among them, that role (the other
    role's are all located, and this is not one of them); None where both roles leave it open (a class that
    leads and supports, neither located)."""
    out = []
    for t, g, doc in zip(tasks, golds, docs):
        found = (t.mentions or {}).get("text", [])
        gold = []
        for s, e, _, role in g.mentions:
            cs, ce = _clean_span(doc, s, e)
            gold.append((cs - t.start, ce - t.start, role))
        located = {role: {lab for _, _, lab, r in g.mentions if r == role} for role in ("lead", "support")}
        complete = {"lead": g.source != "text" or set(g.lead) <= located["lead"],
                    "support": set(g.support) <= located["support"]}
        roles = []
        for m in found:
            role = next((r for s, e, r in gold if m.start < e and s < m.end), None)
            if role is None:
                from .agencies import labels_of

                labs = set(labels_of(m))
                unsure = [r for r in ("lead", "support") if not complete[r] and labs & set(getattr(g, r))]
                if not unsure:
                    role = "none"
                elif len(unsure) == 1:
                    role = unsure[0]          # the one role whose labels were given without positions
                else:
                    role = None
            roles.append(role)
        out.append(roles)
    return out


# --------------------------------------------------------------------------- fitting

def weights(prepared: Sequence[Prepared], real_weight: float) -> np.ndarray | None:
    """Sample weights: ``real_weight`` for a real document's samples, 1 for a written one's (None: all 1)."""
    if real_weight == 1.0:
        return None
    return np.array([real_weight if p.example.origin == "real" else 1.0 for p in prepared])


def fit_prepared(nlp: Pipeline, prepared: Sequence[Prepared], labelset: dict | None = None) -> Pipeline:
    """Fit every learned component of ``nlp`` (in place) on prepared examples; returns ``nlp``."""
    from .features import task_frame
    from .splitting import candidate_frame

    labelset = labelset or {}
    if nlp.has_pipe("detector"):
        det = nlp.get_pipe("detector")
        cands = [c for p in prepared for c in p.doc.candidates]
        docs = [i for i, p in enumerate(prepared) for _ in p.doc.candidates]
        y = np.array([lab for p in prepared for lab in p.cand_labels])
        w = weights([p for p in prepared for _ in p.doc.candidates], det.settings.get("real_weight", 1.0))
        det.models["detector"] = det.new_models()["detector"].fit(candidate_frame(cands, docs), y, sample_weight=w) \
            if len(set(y.tolist())) > 1 else None
        if "joiner" in det.models:
            from .splitting import join_features

            feats, target = [], []
            for p in prepared:
                gold = sorted((g.start, g.end) for g in p.example.tasks)
                for c, lab in zip(p.doc.candidates, join_labels(p.cand_spans, p.cand_labels, gold)):
                    if lab is not None:
                        feats.append(join_features(c))
                        target.append(lab)
            det.models["joiner"] = det.new_models()["joiner"].fit(feats, target) if len(set(target)) > 1 else None
    tasks = [t for p in prepared for t in p.tasks]
    golds = [g for p in prepared for g in p.golds]
    docs = [p.doc for p in prepared for _ in p.tasks]
    if nlp.has_pipe("mentions"):
        comp = nlp.get_pipe("mentions")
        texts, spans = mention_training(prepared)
        comp.models["recognizer"] = comp.new_models()["recognizer"].fit(texts, spans)
        comp.annotate(tasks)
    if nlp.has_pipe("agencies") and tasks:
        comp = nlp.get_pipe("agencies")
        models = comp.new_models()
        X = task_frame(tasks)
        roles = mention_roles(tasks, golds, docs)
        comp.models["lead"] = models["lead"].fit(X, [g.lead for g in golds], mention_roles=roles)
        comp.models["support"] = models["support"].fit(X, [g.support for g in golds], mention_roles=roles)
    if nlp.has_pipe("themes") and tasks:
        comp = nlp.get_pipe("themes")
        rules = labelset.get("theme_rules") or {}
        model = comp.new_models()["themes"]
        if rules:
            model.set_params(max_labels=rules.get("max_labels", model.max_labels),
                             alone=tuple(rules.get("alone", model.alone)))
        doc_ids = [i for i, p in enumerate(prepared) for _ in p.tasks]
        comp.models["themes"] = model.fit(task_frame(tasks, with_mentions=False, docs=doc_ids), [g.themes for g in golds])
    nlp.labelset = labelset
    return nlp


def fit(examples: Sequence[Example], config: dict | None = None, labelset: dict | None = None,
        progress: Callable[[str], None] | None = None) -> Pipeline:
    """A pipeline built from ``config`` with every learned component fitted on ``examples``."""
    nlp = Pipeline.from_config(config)
    return fit_prepared(nlp, prepare(nlp, examples, progress), labelset)


def train(corpus_dir: str | Path, model_dir: str | Path, config: str | Path | dict | None = None,
          real_dir: str | Path | None = None, real: bool | None = None, scores_file: str | Path | None = None,
          progress: Callable[[str], None] | None = None, uncertain_below: float | dict | None = None) -> dict:
    """``vanban train``: fit on the corpus (and its real documents when labelled), save; returns the meta.

    ``scores_file`` (``evaluation/scores.json`` from ``vanban evaluate``) is recorded in meta.json when it
    was computed on the same training data, with its score calibration (``calibration``: the output scores of
    agencies and themes become calibrated probabilities, :mod:`pipeline.calibration`) and the threshold chosen
    from it (``uncertain_below``: a label whose calibrated probability of being right is below one half is
    uncertain). ``uncertain_below`` (a number, or one per kind: lead, support, theme, task) overrides that
    threshold.
    """
    from .model import save

    corpus_dir = Path(corpus_dir)
    if (corpus_dir / "src").is_dir():
        corpus_mod.build(corpus_dir)
    if isinstance(config, (str, Path)):
        config = json.loads(Path(config).read_text(encoding="utf-8"))
    labelset = corpus_mod.load_labelset(corpus_dir)
    examples = load_examples(corpus_dir, real_dir, real)
    nlp = fit(examples, config, labelset, progress)
    n_real = sum(e.origin == "real" for e in examples)
    data = {"documents": len(examples), "tasks": sum(len(e.tasks) for e in examples),
            "written_documents": len(examples) - n_real, "real_documents": n_real,
            "sha256": corpus_mod.corpus_hash(corpus_dir), "real_labels_sha256": realdocs.labels_hash(corpus_dir)
            if n_real else None}
    extra = {"corpus": data}
    if scores_file and Path(scores_file).exists():
        scores = json.loads(Path(scores_file).read_text(encoding="utf-8"))
        if scores.get("training_data") == training_data_id(data):
            extra["scores"] = {k: v for k, v in scores.items() if isinstance(v, (int, float))}
            if scores.get("calibration"):
                from .calibration import default_uncertain_below

                extra["calibration"] = scores["calibration"]
                extra["uncertain_below"] = default_uncertain_below(scores["calibration"])
        else:
            extra["scores_note"] = f"{scores_file} was computed on other training data; not recorded"
    if uncertain_below is not None:
        extra["uncertain_below"] = uncertain_below
    return save(nlp, model_dir, extra)


def training_data_id(data: dict) -> str:
    """One string naming the training data: the written corpus's hash and the real labels' hash."""
    return f"{data.get('sha256')}+{data.get('real_labels_sha256')}"
