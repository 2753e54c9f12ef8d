"""The shared document type every component reads and extends.

A :class:`Document` is built from raw text; the cleanup component fixes
``clean_text`` once, and every later structure (lines, candidates, tasks,
tokens, agency mentions) holds character offsets into that clean text.
``offset_map`` maps clean offsets back to raw ones (:meth:`Document.raw_span`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class Edit:
    """One change made by cleanup: raw[start:end] (``before``) became ``after``."""

    rule: str
    start: int
    end: int
    before: str
    after: str


@dataclass
class Token:
    """One word (one or more syllables) with offsets into the clean text."""

    text: str
    start: int
    end: int


@dataclass
class Line:
    """One line of the clean text's structure (numbering, zone, heading, field, table cell)."""

    start: int
    end: int
    text: str            # the line's text without its numbering marker
    marker: str = ""     # "I", "1", "1.2", "a", "-", "" (an article's: its number, "1" of "Điều 1.")
    kind: str = ""       # roman, arabic, letter, bullet, article, chapter, plain, row
    zone: str = "body"   # header, addressees, body, closing
    heading: bool = False
    lead_in: bool = False
    section: str = ""
    depth: float = 0
    field: str = ""      # a field line: "lead", "support", "time", "product", "content", "other"
    field_value: str = ""
    cells: tuple = ()    # a task-table row: (task, lead, support) texts
    part_title: str = ""  # in a regulation attached after the signature, its title ("… của Sở Nội vụ")


@dataclass
class TaskContext:
    """Where a task stands in its document: the texts its agencies may be inherited from.

    Field names follow the six inheritance steps of the guideline: ``item`` (the
    item's own earlier sentence, its parent item line, its field lines or table
    cells), ``heading``, ``lead_in``, ``addressees``, the issuer (``issuer``,
    ``kind``) and ``recipients``.
    """

    item: str = ""              # the first sentence of the task's item, when the task is a later one
    parent: str = ""            # the enclosing item line ("1. Bộ trưởng các Bộ: …:")
    field_lead: str = ""        # "Cơ quan chủ trì: …" of the item, or the row's "chủ trì" cell
    field_support: str = ""     # "Cơ quan phối hợp: …", or the row's "phối hợp" cell
    heading: str = ""           # the nearest heading above
    headings: str = ""          # every heading above, one a line, outermost first (an attached regulation's
                                # title first): themes read them, and the heading step goes up through them
    lead_in: str = ""           # the introducing sentence the task's list hangs from
    doc_lead_in: str = ""       # the document's first lead-in ("… yêu cầu:")
    addressees: str = ""        # "Kính gửi" list, or a công điện's list after "điện:" (a regulation: "Đối tượng áp dụng")
    recipients: str = ""        # "Nơi nhận" list, a "Như Điều 3" replaced by whom that article names
    title: str = ""             # the document's title and subject line
    kind: str = ""              # document type (kế hoạch, công điện…)
    issuer: str = ""            # the issuing body

    def to_dict(self) -> dict:
        """Every field as a plain dict."""
        return {name: getattr(self, name) for name in _CONTEXT_FIELDS}

    @classmethod
    def from_dict(cls, d: dict | None) -> "TaskContext":
        names = {f.name for f in fields(cls)}
        return cls(**{k: (v or "") for k, v in (d or {}).items() if k in names})


_CONTEXT_FIELDS = tuple(f.name for f in fields(TaskContext))


@dataclass
class Candidate:
    """A sentence that may be a task, with its structural features and context."""

    start: int
    end: int
    text: str
    section: str = ""
    context: TaskContext = field(default_factory=TaskContext)
    features: dict = field(default_factory=dict)
    group: int = -1          # the line its list hangs from (siblings share it); -1 at the top level


@dataclass
class AgencyLabel:
    """An agency that must act on a task.

    ``id`` is a label of the label set (``cap_uy``, ``so_ban_nganh``…), ``name`` the actor's words as written
    (or, when inherited, those of the actor it comes from), ``role`` "lead" (chủ trì) or "support" (phối hợp),
    ``explicit`` False when the sentence names no actor and the agency is inherited, ``source`` where it comes
    from (:data:`pipeline.labels.SOURCES`), ``score`` the model's confidence: with a calibrated model
    (:mod:`pipeline.calibration`) the probability that the label is right, the classifier's own score then
    kept in ``raw_score`` (None, and absent from the output, without calibration).
    """

    id: str
    name: str
    role: str            # "lead" or "support"
    explicit: bool
    score: float
    source: str = "text"  # "text", "item", "heading", "lead_in", "addressees", "issuer", "recipients"
    raw_score: float | None = None   # the classifier's score when ``score`` is calibrated


@dataclass
class ThemeLabel:
    """A theme of a task: a label of the label set (``hien_mau``…) and the model's confidence (calibrated, with
    ``raw_score`` the classifier's, when the model has a calibration: see :class:`AgencyLabel`)."""

    id: str
    score: float
    raw_score: float | None = None


@dataclass
class Task:
    """One instruction of a document: who must do what.

    ``start``/``end`` are offsets into the document's clean text (``text == clean_text[start:end]``),
    ``section`` its place in the numbering ("IV.5"), ``words`` its word-segmented text, ``agencies`` and
    ``themes`` its labels, ``score`` the confidence that the span is a task. ``to_dict()`` gives the
    output contract's form.
    """

    id: int
    text: str
    start: int
    end: int
    section: str = ""
    words: str = ""
    agencies: list[AgencyLabel] = field(default_factory=list)
    themes: list[ThemeLabel] = field(default_factory=list)
    score: float = 1.0                              # confidence that this span is a task
    context: TaskContext = field(default_factory=TaskContext, repr=False)
    mentions: dict = field(default_factory=dict, repr=False)   # field -> agency mentions (the mentions component)
    page: int | None = None                         # 1-based page of the source file (reading.set_pages)

    def to_dict(self) -> dict:
        """The task as the output contract writes it (scores rounded to 4 decimals)."""
        return {"id": self.id, "text": self.text, "start": self.start, "end": self.end,
                "section": self.section, "words": self.words, "score": round(self.score, 4),
                "agencies": [_rounded(asdict(a)) for a in self.agencies],
                "themes": [_rounded(asdict(t)) for t in self.themes], "page": self.page}


def _rounded(d: dict) -> dict:
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in d.items()
            if not (k == "raw_score" and v is None)}


@dataclass
class Document:
    """A document through the pipeline: raw text in; clean text, metadata and tasks out.

    ``meta`` holds number, type, issuer, place, date (ISO) and signer (None where absent); ``tasks`` the
    :class:`Task` list; ``errors`` why a file could not be annotated. ``to_dict()`` is the line of
    ``tasks.jsonl`` (the output contract); ``raw_span`` maps clean offsets back to the raw text.
    """

    doc_id: str
    raw_text: str = ""
    source: str = ""
    sha256: str = ""
    encoding: str = ""
    clean_text: str = ""
    edits: list[Edit] = field(default_factory=list)
    offset_map: Any = None          # cleanup.OffsetMap: clean offset -> raw offset
    meta: dict[str, Any] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)  # raw-text offset where each page starts (reading stage)

    @property
    def text(self) -> str:
        """The text later components read: the clean text once cleanup ran, else the raw text."""
        return self.clean_text if self.clean_text or self.offset_map is not None else self.raw_text

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw-text span of a clean-text span (identity before cleanup)."""
        if self.offset_map is None:
            return start, end
        return self.offset_map.to_raw(start), self.offset_map.to_raw(end, end=True)

    def to_dict(self, with_edits: bool = False) -> dict:
        """The output contract (README, "Output"): field names are stable; fields are only added."""
        out = {"doc_id": self.doc_id, "source": self.source, "sha256": self.sha256,
               "meta": self.meta, "clean_text": self.clean_text,
               "tasks": [t.to_dict() for t in self.tasks], "errors": list(self.errors)}
        if with_edits:
            out["edits"] = [asdict(e) for e in self.edits]
        return out
