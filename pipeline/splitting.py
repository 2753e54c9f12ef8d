"""Stage 4, task splitting: the document's structure, then task candidates, then tasks.

:func:`parse` reads the clean text line by line: numbering (I., 1., 1.1., a),
-, +, Điều 1), zones (header, addressees "Kính gửi", body, "Nơi nhận",
signature), headings, lead-ins ending with ":" and the section path of each
line. :func:`candidates` cuts body lines into sentences (not at "1." or
"TP."), each with the context a classifier needs: its item, heading and
lead-in, and the document's addressees. :class:`TaskDetector` (a
scikit-learn estimator) decides which candidates are tasks; without a trained
detector :func:`rule_is_task` does.

>>> cands, ctx = candidates("Kính gửi: Các huyện ủy\\n1. Ban Dân vận chủ trì. Báo cáo kết quả.")
>>> [c.text for c in cands]
['Ban Dân vận chủ trì.', 'Báo cáo kết quả.']
>>> cands[1].section
'1'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from .cleanup import _is_caps_line

_ROMAN = re.compile(r"^(?P<m>[IVXL]{1,6})[.)]\s+")
# "1." "1)" "1.2" "1.2." — a bare number ("05 bộ dữ liệu", a wrapped line) is not numbering
_ARABIC = re.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2}){1,3}|\d{1,2}(?=[.)]))[.)]?\s+(?=\S)")
_LETTER = re.compile(r"^(?P<m>[a-zđ])\)\s*")
_BULLET = re.compile(r"^(?P<m>[-+•–—*])\s*")
_ARTICLE = re.compile(r"^Điều\s+(?P<m>\d+)[.:]?\s*", re.I)
_CLOSING = re.compile(r"^(?:nơi nhận|nơi gửi)\b|^(?:t/m|tm\.|kt\.|q\.|tl\.|tuq\.)\s", re.I)
# "Kính gửi:", and the addressee line of a công điện ("THỦ TƯỚNG CHÍNH PHỦ điện:")
_ADDRESSEES = re.compile(r"^(?:-\s*)?kính gửi\s*:?|^[^\n]{0,80}\bđiện\s*:\s*$", re.I)
_HEADER_LINE = re.compile(
    r"^(?:số\s*[:\d]|v/v\b|về việc\b|độc lập\b|cộng hòa xã hội|đảng cộng sản việt nam|\*+$)"
    r"|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}\s*$", re.I)
_LEGAL = re.compile(r"^(?:căn cứ|theo đề nghị|theo chỉ đạo|được sự|xét đề nghị|thực hiện (?:ý kiến|sự chỉ đạo|chỉ đạo|"
                    r"kết luận|chỉ thị|nghị quyết|kế hoạch|công văn|quyết định|thông báo|hướng dẫn|công điện|luật|nghị định)"
                    r"(?: số| của)?)\b", re.I)
_BACKGROUND = re.compile(r"^(?:thời gian qua|trong thời gian qua|thời gian tới|những năm qua|qua \d+ năm|tuy nhiên|"
                         r"bên cạnh đó|kết quả|nhìn chung|ngày \d+|trong năm|năm \d{4},)", re.I)
_ABBREV = re.compile(r"(?:\b(?:TP|Tp|Q|ThS|TS|PGS|GS|St|Đ/c|đ/c|v\.v|Th|BS|ông|bà)|\b[A-ZĐ])\.$")
_SENT_END = re.compile(r"(?<=[.!?…])[\"”')]*\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9])")
_LEAD_IN_VERBS = re.compile(r"\b(?:yêu cầu|đề nghị|giao|chỉ đạo|phân công|như sau|sau đây|sau)\b", re.I)


@dataclass
class Line:
    start: int
    end: int
    text: str            # line text without its numbering marker
    marker: str = ""     # "I", "1", "1.2", "a", "-", "Điều 1", ""
    kind: str = ""       # roman, arabic, letter, bullet, article, plain
    zone: str = "body"   # header, addressees, body, closing
    heading: bool = False
    lead_in: bool = False
    section: str = ""
    depth: int = 0


@dataclass
class Candidate:
    """A sentence that may be a task, with its structural context."""

    start: int
    end: int
    text: str
    section: str
    context: dict = field(default_factory=dict)
    features: dict = field(default_factory=dict)


def _marker(line: str) -> tuple[str, str, int]:
    for kind, rx in (("article", _ARTICLE), ("roman", _ROMAN), ("arabic", _ARABIC),
                     ("letter", _LETTER), ("bullet", _BULLET)):
        m = rx.match(line)
        if m:
            if kind == "roman" and not re.match(r"^[IVXL]+\.", line):
                continue
            return kind, m.group("m"), m.end()
    return "plain", "", 0


def _is_caps(text: str) -> bool:
    return _is_caps_line(text, min_letters=3)


def parse(text: str) -> tuple[list[Line], dict]:
    """Lines with markers, zones, headings and section paths; plus document context."""
    lines: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.strip()
        if not stripped:
            continue
        lead = len(raw) - len(raw.lstrip())
        kind, mark, cut = _marker(stripped)
        body_start = start + lead + cut
        lines.append(Line(start=body_start, end=start + lead + len(stripped), text=text[body_start:start + lead + len(stripped)],
                          marker=mark, kind=kind))

    ctx = {"addressees": "", "recipients": "", "lead_in": ""}
    # zones
    zone = "header"
    seen_body = False
    for ln in lines:
        t = ln.text
        full = (ln.marker + " " + t) if ln.marker else t
        if _CLOSING.match(full) or _CLOSING.match(t):
            zone = "closing"
        if zone == "closing":
            ln.zone = "closing"
            if not _CLOSING.match(t) and ln.kind == "bullet":
                ctx["recipients"] += t + "\n"
            continue
        if _ADDRESSEES.match(full) or _ADDRESSEES.match(t):
            zone = "addressees"
            ln.zone = "addressees"
            rest = _ADDRESSEES.sub("", t).strip(" -:")
            if rest:
                ctx["addressees"] += rest + "\n"
            continue
        if zone == "addressees":
            if ln.kind == "bullet" and len(t) < 200:
                ln.zone = "addressees"
                ctx["addressees"] += t + "\n"
                continue
            zone = "body"
        if zone == "header" and not seen_body:
            is_header = (_HEADER_LINE.search(full) or (_is_caps(t) and ln.kind in ("plain", "roman") and len(t) < 200
                         and not ln.marker) or (len(t) < 60 and ln.kind == "plain" and not t.endswith((".", ":"))))
            if is_header and ln.kind == "plain":
                ln.zone = "header"
                continue
            zone = "body"
        ln.zone = "body"
        seen_body = True

    # headings, lead-ins, sections
    roman, arabic, letter = "", [], ""
    for i, ln in enumerate(lines):
        if ln.zone != "body":
            continue
        t = ln.text.rstrip()
        if ln.kind == "roman":
            roman, arabic, letter = ln.marker, [], ""
        elif ln.kind == "article":
            roman, arabic, letter = "Điều " + ln.marker, [], ""
        elif ln.kind == "arabic":
            parts = ln.marker.split(".")
            arabic = parts
            letter = ""
        elif ln.kind == "letter":
            letter = ln.marker
        path = [p for p in [roman, *arabic, letter] if p]
        ln.section = ".".join(path)
        ln.depth = {"roman": 0, "article": 0, "arabic": len(arabic), "letter": 5, "bullet": 6, "plain": 7}[ln.kind]
        ends_sentence = t.endswith((".", ";", "!", "?", "…"))
        if t.endswith(":"):
            ln.lead_in = True
        elif not ends_sentence and (ln.kind in ("roman", "article") or (_is_caps(t) and len(t) < 250)
                                    or (ln.kind in ("arabic", "letter") and len(t) < 200 and _next_is_deeper(lines, i))):
            ln.heading = True
        if ln.lead_in and not ctx["lead_in"] and ln.kind == "plain" and _LEAD_IN_VERBS.search(t):
            ctx["lead_in"] = t
    return lines, ctx


def _next_is_deeper(lines: list[Line], i: int) -> bool:
    for nxt in lines[i + 1:i + 2]:
        return nxt.kind in ("plain", "bullet", "letter") or (nxt.kind == "arabic" and "." in nxt.marker)
    return False


def sentences(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Sentence spans in one line: cut after . ! ? before a capital, not after an abbreviation."""
    spans = []
    start = 0
    for m in _SENT_END.finditer(text):
        piece = text[start:m.start()].rstrip()
        if _ABBREV.search(piece) or len(piece) < 3:
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        seg = text[s:e]
        ls = len(seg) - len(seg.lstrip())
        rs = len(seg.rstrip())
        if rs > ls:
            out.append((base + s + ls, base + s + rs))
    return out


def candidates(text: str) -> tuple[list[Candidate], dict]:
    """Every body sentence of ``text`` as a task candidate with its context."""
    lines, ctx = parse(text)
    out: list[Candidate] = []
    heading = ""          # most recent heading text
    heading_depth = -1
    parents: list[Line] = []  # enclosing numbered items / lead-ins
    first_item_seen = False
    for ln in lines:
        if ln.zone != "body":
            continue
        if ln.kind in ("roman", "arabic", "letter", "article", "bullet"):
            first_item_seen = True
        if ln.heading:
            heading, heading_depth = ln.text, ln.depth
        elif ln.kind != "plain" and ln.kind != "bullet" and ln.depth <= heading_depth:
            heading, heading_depth = "", -1
        if ln.kind == "plain":
            ln.depth = (parents[-1].depth + 0.5) if parents else 0.5
        while parents and parents[-1].depth >= ln.depth:
            parents.pop()
        parent = parents[-1] if parents else None
        lead_in = next((p.text for p in reversed(parents) if p.lead_in), "")
        sents = sentences(ln.text, ln.start)
        item_first = text[sents[0][0]:sents[0][1]] if sents else ""
        for k, (s, e) in enumerate(sents):
            sent = text[s:e]
            feats = {
                "kind=" + ln.kind: 1, "zone_first_item" if first_item_seen else "zone_before_items": 1,
                "heading": int(ln.heading), "lead_in": int(ln.lead_in), "sent_index": min(k, 3),
                "has_parent": int(parent is not None), "parent_lead_in": int(bool(lead_in)),
                "ends_colon": int(sent.endswith(":")), "legal": int(bool(_LEGAL.match(sent))),
                "background": int(bool(_BACKGROUND.match(sent))), "caps": int(_is_caps(sent)),
                "len_bin": min(len(sent) // 40, 8), "depth": ln.depth,
            }
            out.append(Candidate(start=s, end=e, text=sent, section=ln.section, features=feats, context={
                "item": item_first if k > 0 else "",
                "parent": parent.text if parent is not None else "",
                "heading": heading if heading != ln.text else "",
                "lead_in": lead_in,
                "doc_lead_in": ctx["lead_in"],
                "addressees": ctx["addressees"],
                "recipients": ctx["recipients"],
            }))
        if ln.kind != "plain" or ln.lead_in or ln.heading:
            parents.append(ln)
    return out, ctx


def rule_is_task(c: Candidate) -> bool:
    """A fallback without a trained detector: items and bullets, not headings, basis or background."""
    f = c.features
    if f["heading"] or f["caps"] or f["legal"] or f["background"]:
        return False
    if f.get("kind=plain") and not f.get("zone_first_item") and not f["parent_lead_in"]:
        return False
    return len(c.text) >= 15


def candidate_frame(cands: list[Candidate]):
    """The detector's input: one row a candidate (text, structural features, context)."""
    import pandas as pd

    return pd.DataFrame({
        "text": [c.text for c in cands],
        "features": [c.features for c in cands],
        "context": ["ctx " + (c.context.get("parent", "") + " " + c.context.get("heading", ""))[:300] for c in cands],
    })


class TaskDetector(ClassifierMixin, BaseEstimator):
    """Is this candidate sentence a task? Logistic regression over words and structure.

    ``X`` is a DataFrame from :func:`candidate_frame`; ``y`` is 0/1.
    """

    def __init__(self, C: float = 2.0, threshold: float = 0.5):
        self.C = C
        self.threshold = threshold

    def _pipeline(self) -> Pipeline:
        features = ColumnTransformer([
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, max_features=40000), "text"),
            ("start", TfidfVectorizer(analyzer=_first_words, min_df=1), "text"),
            ("structure", DictVectorizer(), "features"),
            ("context", TfidfVectorizer(min_df=1, max_features=5000, sublinear_tf=True), "context"),
        ])
        return Pipeline([("features", features),
                         ("clf", LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced"))])

    def fit(self, X, y):
        y = np.asarray(y).astype(int)
        self.pipeline_ = self._pipeline().fit(X, y)
        self.classes_ = self.pipeline_.classes_
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(X)

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] >= self.threshold).astype(int)


def _first_words(text: str) -> list[str]:
    """The opening words carry most of the signal ("Phấn đấu", "Tuy nhiên", "Thực hiện")."""
    words = text.lower().split()
    return ["^" + " ".join(words[:k]) for k in (1, 2, 3) if len(words) >= k]
