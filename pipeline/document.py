"""The shared document type every stage reads and extends.

A :class:`Document` is built from raw text; cleanup fixes ``clean_text`` once,
and every later structure (tokens, tasks, agency mentions) holds character
offsets into that clean text. ``offset_map`` maps clean offsets back to raw ones.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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
class AgencyLabel:
    id: str
    name: str
    role: str            # "lead" or "support"
    explicit: bool
    score: float
    source: str = "text"  # "text", "item", "heading", "lead_in", "addressees", "recipients"


@dataclass
class ThemeLabel:
    id: str
    score: float


@dataclass
class Task:
    id: int
    text: str
    start: int
    end: int
    section: str = ""
    words: str = ""
    agencies: list[AgencyLabel] = field(default_factory=list)
    themes: list[ThemeLabel] = field(default_factory=list)
    score: float = 1.0                              # confidence that this span is a task
    context: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "start": self.start, "end": self.end,
                "section": self.section, "words": self.words, "score": round(self.score, 4),
                "agencies": [_rounded(asdict(a)) for a in self.agencies],
                "themes": [_rounded(asdict(t)) for t in self.themes]}


def _rounded(d: dict) -> dict:
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in d.items()}


@dataclass
class Document:
    doc_id: str
    raw_text: str = ""
    source: str = ""
    sha256: str = ""
    encoding: str = ""
    clean_text: str = ""
    edits: list[Edit] = field(default_factory=list)
    offset_map: Any = None          # cleanup.OffsetMap: clean offset -> raw offset
    meta: dict[str, Any] = field(default_factory=dict)
    tokens: list[Token] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_dict(self, with_edits: bool = False) -> dict:
        """The output contract (README, "Output"): field names are stable; fields are only added."""
        out = {"doc_id": self.doc_id, "source": self.source, "sha256": self.sha256,
               "meta": self.meta, "clean_text": self.clean_text,
               "tasks": [t.to_dict() for t in self.tasks], "errors": list(self.errors)}
        if with_edits:
            out["edits"] = [asdict(e) for e in self.edits]
        return out
