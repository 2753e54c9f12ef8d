"""Task splitting: the document's body cut into candidate sentences, then the learned detector.

:func:`candidates` cuts every body line of a parsed document
(:func:`pipeline.structure.parse`) into sentences (not at "1." or "TP."), the
task cell of a task-table row included. Each :class:`~pipeline.document.Candidate`
carries structural features and a :class:`~pipeline.document.TaskContext`: its
item, parent item, field lines or table cells, headings, lead-in, the
document's addressees and recipients. :class:`TaskDetector` (a scikit-learn
classifier) decides which candidates are tasks.

>>> cands = candidates("Kính gửi: Các huyện ủy\\n1. Ban Dân vận chủ trì. Báo cáo kết quả.")
>>> [c.text for c in cands]
['Ban Dân vận chủ trì.', 'Báo cáo kết quả.']
>>> cands[1].section, cands[1].context.item, cands[1].context.addressees
('1', 'Ban Dân vận chủ trì.', 'Các huyện ủy\\n')
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from .document import Candidate, Line, TaskContext
from .features import ContextVectorizer, char_ngrams
from .structure import BASIS, BULLET_MARKS, ROW_SEP, _is_caps, parse

_BACKGROUND = re.compile(r"^(?:thời gian qua|trong thời gian qua|thời gian tới|những năm qua|qua \d+ năm|tuy nhiên|"
                         r"bên cạnh đó|kết quả|nhìn chung|ngày \d+|trong năm|năm \d{4},)", re.I)
# a heading over what was done, not what is to be done ("I. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ NĂM 2025", "Đánh giá kết
# quả thực hiện"): a report's section, whose sentences tell results
_REPORT_HEADING = re.compile(r"(?<!báo cáo )(?:kết quả|tình hình|đánh giá)(?:\s+\w+){0,4}\s+(?:thực hiện|đạt được|triển khai)", re.I)
_ABBREV = re.compile(r"(?:\b(?:TP|Tp|Q|ThS|TS|PGS|GS|St|Đ/c|đ/c|v\.v|Th|BS|ông|bà|Ông|Bà)|\b[A-ZĐ])\.$")
_SENT_END = re.compile(r"(?<=[.!?…])[\"”')]*\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9])")
_ABBREV_TAIL = 12          # an abbreviation is looked for in the last characters of a piece only
_BLANK = re.compile(r"[.…_]{4,}|\(\d\)\s*[.…]{3,}")


def _title_ratio(text: str) -> int:
    """Tenths of the words that start with a capital (a list of names is mostly capitals)."""
    words = [w for w in text.split() if w[:1].isalpha()]
    return round(10 * sum(w[0].isupper() for w in words) / len(words)) if words else 0


_TOPIC = re.compile(r"^(?:về|đối với|riêng|về việc)\s[^:;.]{3,160}?:\s+(?=\S)", re.I)
_FIRST_LETTER = re.compile(r"[^\W\d_]")
MIN_WORDS = 3              # a candidate of fewer words ("(1).", "Pháp chế") is a fragment, never a task
MAX_SENTENCE = 3000        # characters: a longer "sentence" (a line without stops) is cut at a clause break


def sentences(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Sentence spans in one line: cut after . ! ? before a capital, not after an abbreviation.

    Linear in the length of the line: only the tail of a piece is checked for an abbreviation.
    """
    spans = []
    start = 0
    for m in _SENT_END.finditer(text):
        tail = text[max(start, m.start() - _ABBREV_TAIL):m.start()].rstrip()
        if _ABBREV.search(tail) or m.start() - start < 3:
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in _bounded(text, spans):
        seg = text[s:e]
        ls = len(seg) - len(seg.lstrip())
        rs = len(seg.rstrip())
        if rs > ls:
            out.append((base + s + ls, base + s + rs))
    return out


_CLAUSE_END = re.compile(r"[;,]\s")


def _bounded(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of more than :data:`MAX_SENTENCE` characters cut after their last "; " or ", " (else space)
    before the limit: no real sentence is that long (the longest of the real documents has 1,400), and
    every later stage works per sentence, some in time that grows with its length times its mentions."""
    out = []
    for s, e in spans:
        while e - s > MAX_SENTENCE:
            limit = s + MAX_SENTENCE
            cut = max((m.end() for m in _CLAUSE_END.finditer(text, s + MAX_SENTENCE // 2, limit)), default=0)
            if not cut:
                cut = text.rfind(" ", s + MAX_SENTENCE // 2, limit) + 1 or limit
            out.append((s, cut))
            s = cut
        out.append((s, e))
    return out


def _fields_by_item(lines: list[Line]) -> dict[int, dict[str, str]]:
    """For each item line (index) the values of the field lines under it ({"lead": …, "support": …}); a field
    whose value stands in the bullets under it ("2. Chủ trì thực hiện" / "- Bộ Quốc phòng.") takes theirs."""
    out: dict[int, dict[str, str]] = {}
    stack: list[int] = []
    body = [i for i, ln in enumerate(lines) if ln.zone == "body"]
    for n, i in enumerate(body):
        ln = lines[i]
        while stack and lines[stack[-1]].depth >= ln.depth:
            stack.pop()
        if ln.field in ("lead", "support"):
            value = ln.field_value
            if not value:
                kids = []
                for j in (body[k] for k in range(n + 1, len(body))):   # no copy of the rest per field line
                    if lines[j].depth <= ln.depth:
                        break
                    kids.append(lines[j].text)
                value = "\n".join(kids)
            owner = next((j for j in reversed(stack) if not lines[j].field), None)
            if owner is not None and value:
                d = out.setdefault(owner, {})
                have = d.get(ln.field, "").split("\n") if d.get(ln.field) else []
                d[ln.field] = "\n".join(have + [v for v in value.split("\n") if v not in have])
        stack.append(i)
    return out


def _cell_span(line: Line, cell: str) -> tuple[int, int] | None:
    """Offsets of a row's cell inside the clean text."""
    pos = 0
    for part in line.text.split(ROW_SEP):
        if part.strip() == cell and cell:
            lead = len(part) - len(part.lstrip())
            return line.start + pos + lead, line.start + pos + lead + len(cell)
        pos += len(part) + len(ROW_SEP)
    return None


# a bullet inside a table cell that a converter flattened onto one line ("… tổ chức. - Trường hợp …", "… trực
# tuyến) - Trường hợp …"), and one that opens the cell
_DASHES = "[" + BULLET_MARKS + "]"
_CELL_BULLET = re.compile(r"(?:(?<=[.;:!?)…])|(?<=[.!?…][\"”']))\s+" + _DASHES + r"\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9])")
_CELL_FIRST_BULLET = re.compile(_DASHES + r"\s+")


def _bullets(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence of a table cell cut at the bullets the cell lists, each without its dash."""
    first = _CELL_FIRST_BULLET.match(text, start, end)
    out, pos = [], first.end() if first else start
    for m in _CELL_BULLET.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return [(s, e) for s, e in out if e > s]


_OWNER = re.compile(r"\bcủa\s+\S", re.I)     # a regulation's title that says whose it is


def candidates(text: str, meta: dict | None = None, lines: list[Line] | None = None, info=None) -> list[Candidate]:
    """Every body sentence of ``text`` as a task candidate with its features and context."""
    if lines is None or info is None:
        lines, info = parse(text)
    meta = meta or {}
    fields = _fields_by_item(lines)
    out: list[Candidate] = []
    parents: list[tuple[int, Line]] = []       # enclosing items, lead-ins and headings
    first_item_seen = False
    first_sentence: dict[int, str] = {}        # an item line's first sentence, by its start
    kind = (meta.get("type") or "").lower()
    has_items: set[int] = set()                # lines with a line under them (a lead-in of sub-items)
    line_of: list[int] = []                    # each candidate's line
    prev_end = -1                              # where the candidate before ends
    spaced = _spaced(text, lines)
    for i, ln in enumerate(lines):
        if ln.zone != "body":
            continue
        if ln.kind not in ("plain", "row"):
            first_item_seen = True
        if ln.kind == "plain":
            # a paragraph sits just inside what encloses it: under "Điều 2." (0.5) a lead-in paragraph
            # (0.75) stays the parent of the article's "1.", "2." (1), which a depth of 1 would end
            ln.depth = (parents[-1][1].depth + 0.25) if parents else 0.5
        while parents and parents[-1][1].depth >= ln.depth:
            parents.pop()
        if parents:
            has_items.add(parents[-1][0])
        chain = [p for _, p in parents]
        heading_lines = [p.text for p in chain if p.heading]
        if _OWNER.search(ln.part_title):
            heading_lines.insert(0, ln.part_title)   # "QUY ĐỊNH chức năng … của Sở Nội vụ": its articles' outermost heading
        lead_in = next((p.text for p in reversed(chain) if p.lead_in), "")
        parent = next((p for p in reversed(chain) if not p.heading), None)
        item_fields: dict[str, str] = {}
        for j in [i] + [j for j, _ in reversed(parents)]:
            if j in fields:
                item_fields = fields[j]
                break
        if ln.kind == "row":
            if not ln.cells:
                continue
            span = _cell_span(ln, ln.cells[0])
            if span is None:
                continue
            sents = [part for s, e in sentences(text[span[0]:span[1]], span[0]) for part in _bullets(text, s, e)]
            item_fields = {"lead": ln.cells[1], "support": ln.cells[2]}
        else:
            sents = sentences(ln.text, ln.start)
            topic = _TOPIC.match(ln.text)
            if topic and sents and len(ln.text[topic.end():].split()) >= MIN_WORDS:
                # "Về dự án đường ven biển: giao Bộ Tài chính…": the task starts after the topic's colon
                first = (ln.start + topic.end(), sents[0][1])
                sents = [first] + sents[1:] if first[1] > first[0] else sents
        item_first = text[sents[0][0]:sents[0][1]] if sents else ""
        continued = ""          # a paragraph without a number of its own goes on with the item above it
        if ln.kind == "plain" and parent is not None and not parent.lead_in and not parent.text.rstrip().endswith(":"):
            if parent.start not in first_sentence:
                first = sentences(parent.text, parent.start)
                first_sentence[parent.start] = text[first[0][0]:first[0][1]] if first else ""
            continued = first_sentence[parent.start]
        for k, (s, e) in enumerate(sents):
            sent = text[s:e]
            if len(sent.split()) < MIN_WORDS:
                continue                      # "(1).", "Pháp chế": a fragment, never a task
            ctx = TaskContext(
                item=item_first if k > 0 else continued,
                parent=parent.text if parent is not None else "",
                field_lead=item_fields.get("lead", ""),
                field_support=item_fields.get("support", ""),
                heading=heading_lines[-1] if heading_lines else "",
                headings="\n".join(heading_lines),
                lead_in=lead_in,
                doc_lead_in=info.lead_in,
                addressees=info.addressees,
                recipients=info.recipients,
                title=info.title,
                kind=kind,
                issuer=meta.get("issuer") or "",
            )
            # the document's type is not a feature: the few training documents of a type would set the prior of
            # every sentence of an unseen one (a thông tư's 109 procedures held out: 42 found with it, 82 without)
            feats = {
                "kind=" + ln.kind: 1, "zone_first_item" if first_item_seen else "zone_before_items": 1,
                "heading": int(ln.heading), "lead_in": int(ln.lead_in), "sent_index": min(k, 3),
                "has_parent": int(parent is not None), "parent_lead_in": int(bool(lead_in)),
                "ends_colon": int(sent.endswith(":")), "legal": int(bool(BASIS.match(sent))),
                "background": int(bool(_BACKGROUND.match(sent))), "caps": int(_is_caps(sent)),
                "len_bin": min(len(sent) // 40, 8), "depth": float(ln.depth), "words_bin": min(len(sent.split()), 6),
                "field=" + (ln.field or "none"): 1, "has_fields": int(i in fields),
                "field_value_words": min(len(ln.field_value.split()), 6) if ln.field else 0,
                "under_article": int("Điều" in ln.section),
                "ends_stop": int(sent.endswith((".", ";", "!", "?", "…"))),
                "ends_exclaim": int(sent.rstrip(" .)\"”").endswith("!")),
                "blank": int(bool(_BLANK.search(sent))),
                "title_ratio": _title_ratio(sent),
                "starts_lower": _opens_lower(sent),
                "attached_part": int(bool(ln.part_title)),
                "report_heading": int(bool(_REPORT_HEADING.search(ctx.headings))),
            }
            gap = _gap(text, prev_end, s, k, spaced)
            feats["gap=" + gap] = 1
            # a new paragraph after a finished sentence: no task goes on over it (in the labels, none does)
            feats["after_stop"] = int(gap == "paragraph" and _finished(text, prev_end))
            # a new paragraph after one ending in ";" that opens with a capital: the next item of an unmarked list
            # ("… theo quy định;" / "Hướng dẫn cụ thể …"), where one in lower case goes on with the sentence
            feats["after_semicolon"] = int(gap == "paragraph" and prev_end > 0 and text[prev_end - 1] == ";"
                                           and not feats["starts_lower"])
            prev_end = e
            out.append(Candidate(start=s, end=e, text=sent, section=ln.section, features=feats, context=ctx,
                                 group=chain[-1].start if chain else -1))
            line_of.append(i)
        if ln.kind not in ("plain", "row") or ln.lead_in or ln.heading:
            parents.append((i, ln))
    for c, i in zip(out, line_of):
        c.features["has_items"] = int(i in has_items)
    return out


def _opens_lower(sent: str) -> int:
    """1 when the sentence's first letter is in lower case (a piece of a sentence cut by a line break)."""
    m = _FIRST_LETTER.search(sent)
    return int(m is not None and m.group().islower())


def _spaced(text: str, lines: list[Line]) -> bool:
    """Does the document set its paragraphs apart with blank lines (most of its line breaks are doubled)?
    Then a single line break inside it goes on with a paragraph."""
    blank = sum(text.count("\n", a.end, b.start) >= 2 for a, b in zip(lines, lines[1:]))
    return 2 * blank >= max(len(lines) - 1, 1)


def _finished(text: str, end: int) -> bool:
    """Does the sentence ending at ``end`` end as a finished one: ".", "!" or "?", not an ellipsis ("…", "...")
    nor ";" (a task's list of clauses goes on over ";" and a line break: 102 labelled real tasks do)."""
    return text[end - 1] in ".!?" and not text[max(0, end - 2):end] == ".."


def _gap(text: str, prev_end: int, start: int, index: int, spaced: bool) -> str:
    """What stands between a candidate and the one before it: "line" (the same line), "wrap" (a single line
    break in a document whose paragraphs are set apart by blank lines: the same paragraph, wrapped),
    "paragraph" (a blank line, or a single break where that is how paragraphs are set apart), "other" (a
    marker, a skipped line or the document's start)."""
    if index > 0:
        return "line"
    gap = text[prev_end:start] if prev_end >= 0 else "x"
    if gap.strip():
        return "other"
    return "wrap" if spaced and gap.count("\n") == 1 else "paragraph"


def join_features(c: Candidate) -> dict:
    """What the joiner reads of a task sentence to say whether it goes on with the task before it: what
    separates them, how it opens (a new actor opens a new task, "Trường hợp", "Đồng thời" go on) and its
    shape."""
    f = c.features
    out = {k: 1 for k in f if k.startswith(("gap=", "kind=", "field="))}
    out.update({"starts_lower": f.get("starts_lower", 0), "after_stop": f.get("after_stop", 0),
                "after_semicolon": f.get("after_semicolon", 0),
                "title_ratio": f["title_ratio"],
                "len_bin": f["len_bin"], "legal": f["legal"], "background": f["background"],
                "ends_colon": f["ends_colon"], "sent_index": f["sent_index"]})
    for w in _first_words(c.text)[:2]:
        out[w] = 1
    return out


def new_joiner(C: float = 1.0) -> Pipeline:
    """The joiner: logistic regression over :func:`join_features` (a plain scikit-learn pipeline)."""
    return Pipeline([("features", DictVectorizer()),
                     ("clf", LogisticRegression(C=C, max_iter=2000, class_weight="balanced"))])


def rule_is_task(c: Candidate) -> bool:
    """A fallback without a trained detector: items and bullets, not headings, basis, background or field lines
    that only hold agencies, a date or a product."""
    f = c.features
    if f["heading"] or f["caps"] or f["legal"] or f["background"]:
        return False
    if not f.get("field=none") and not f.get("field=content") and f.get("field_value_words", 0) < 6:
        return False
    if f.get("kind=plain") and not f.get("zone_first_item") and not f["parent_lead_in"]:
        return False
    return len(c.text.split()) >= MIN_WORDS and len(c.text) >= 15


def candidate_frame(cands: list[Candidate], docs: Sequence | None = None):
    """The detector's input: one row a candidate (text, structural features, context, and the keys that
    tie it to its neighbours: document, the line its list hangs from, its position)."""
    import pandas as pd

    return pd.DataFrame({
        "text": [c.text for c in cands],
        "features": [c.features for c in cands],
        "context": ["ctx " + (c.context.parent + " " + c.context.lead_in)[:300] for c in cands],
        "headings": ["hd " + c.context.headings[-400:] for c in cands],
        "doc": list(docs) if docs is not None else [0] * len(cands),
        "group": [c.group for c in cands],
    })


def _first_words(text: str) -> list[str]:
    """The opening words carry most of the signal ("Phấn đấu", "Tuy nhiên", "Thực hiện")."""
    words = text.lower().split()
    return ["^" + " ".join(words[:k]) for k in (1, 2, 3) if len(words) >= k]


def neighbour_features(X, p: np.ndarray) -> np.ndarray:
    """For each candidate, from the first stage's probabilities ``p``: its own, the previous and next
    candidate's in the document, and the mean, min and max over the candidates of its list (same
    ``group``) — a list of tasks is tasks throughout, a list of criteria is not."""
    docs, groups = X["doc"].to_numpy(), X["group"].to_numpy()
    n = len(p)
    prev = np.r_[0.5, p[:-1]]
    nxt = np.r_[p[1:], 0.5]
    same_prev = np.r_[False, docs[1:] == docs[:-1]]
    same_next = np.r_[docs[:-1] == docs[1:], False]
    prev = np.where(same_prev, prev, 0.5)
    nxt = np.where(same_next, nxt, 0.5)
    stats: dict = {}
    for i in range(n):
        stats.setdefault((docs[i], groups[i]), []).append(p[i])
    agg = {k: (float(np.mean(v)), float(np.min(v)), float(np.max(v)), len(v)) for k, v in stats.items()}
    g = np.array([agg[(docs[i], groups[i])] for i in range(n)]) if n else np.zeros((0, 4))
    doc_mean = {}
    for d in set(docs.tolist()):
        doc_mean[d] = float(np.mean(p[docs == d]))
    dm = np.array([doc_mean[d] for d in docs]) if n else np.zeros(0)
    return np.column_stack([p, prev, nxt, g[:, 0], g[:, 1], g[:, 2], np.minimum(g[:, 3], 10) / 10, dm]) if n else \
        np.zeros((0, 8))


ROWS = 2048      # candidates whose first-stage features are built at once (memory, not results)


class TaskDetector(ClassifierMixin, BaseEstimator):
    """Is this candidate sentence a task? Two stages of logistic regression.

    The first reads the candidate: its words, character n-grams (2–4, within words; ``char_weight``) and
    opening words, its structure (marker, zone, heading, field line…), its parent item and lead-in, and
    (weighted half) the headings above it. The second
    (``neighbours=True``) reads the first stage's probability of the candidate, of its neighbours and of
    the other candidates of its list, fitted on out-of-fold first-stage probabilities (folds grouped by
    document). ``X`` is a DataFrame from :func:`candidate_frame`; ``y`` holds 0/1. ``threshold``: the
    probability of the positive class above which ``predict`` says task.
    """

    char_weight = 0.0    # what a TaskDetector pickled before char_weight existed was fitted with

    def __init__(self, C: float = 2.0, threshold: float = 0.5, max_features: int = 40000, neighbours: bool = True,
                 folds: int = 4, char_weight: float = 1.0):
        self.C = C
        self.threshold = threshold
        self.max_features = max_features
        self.char_weight = char_weight
        self.neighbours = neighbours
        self.folds = folds

    def _pipeline(self) -> Pipeline:
        parts = [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_features=self.max_features), "text"),
            ("start", TfidfVectorizer(analyzer=_first_words), "text"),
            ("structure", DictVectorizer(), "features"),
            ("context", ContextVectorizer(max_features=5000, sublinear_tf=True), "context"),
            ("headings", ContextVectorizer(max_features=5000, sublinear_tf=True), "headings"),
        ]
        weights = {"words": 1.0, "start": 1.0, "structure": 1.0, "context": 1.0, "headings": 0.5}
        if self.char_weight:
            parts.append(("chars", char_ngrams(60000), "text"))
            weights["chars"] = self.char_weight
        features = ColumnTransformer(parts, transformer_weights=weights)
        return Pipeline([("features", features),
                         ("clf", LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced"))])

    @staticmethod
    def _check_X(X):
        import pandas as pd

        if not isinstance(X, pd.DataFrame) or "text" not in X.columns:
            raise ValueError("TaskDetector needs X as a DataFrame with a 'text' column (see "
                             f"pipeline.splitting.candidate_frame). Got {type(X).__name__} instead.")
        return X

    def fit(self, X, y, sample_weight=None):
        X = self._check_X(X)
        y = np.asarray(y)
        sw = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        params = {} if sw is None else {"clf__sample_weight": sw}
        self.pipeline_ = self._pipeline().fit(X, y, **params)
        self.classes_ = self.pipeline_.classes_
        self.stack_ = None
        docs = X["doc"].to_numpy() if "doc" in X.columns else np.zeros(len(X))
        n_docs = len(set(docs.tolist()))
        if self.neighbours and n_docs >= self.folds and len(self.classes_) == 2:
            from sklearn.model_selection import GroupKFold

            oof = np.zeros(len(X))
            for tr, te in GroupKFold(n_splits=self.folds).split(X, y, groups=docs):
                if len(set(y[tr].tolist())) < 2:
                    oof[te] = float(np.mean(y[tr] == self.classes_[-1]))
                    continue
                fold_params = {} if sw is None else {"clf__sample_weight": sw[tr]}
                oof[te] = self._pipeline().fit(X.iloc[tr], y[tr], **fold_params).predict_proba(X.iloc[te])[:, -1]
            self.stack_ = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit(
                neighbour_features(X, oof), y, sample_weight=sw)
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "pipeline_")
        X = self._check_X(X)
        # the first stage reads each row alone: ROWS rows at a time bound the memory of a long batch's features
        p = np.vstack([self.pipeline_.predict_proba(X.iloc[i:i + ROWS]) for i in range(0, len(X), ROWS)]) \
            if len(X) > ROWS else self.pipeline_.predict_proba(X)
        if self.stack_ is None or len(X) == 0:
            return p
        return self.stack_.predict_proba(neighbour_features(X, p[:, -1]))

    def predict(self, X):
        proba = self.predict_proba(X)
        return self.classes_[(proba[:, -1] >= self.threshold).astype(int)]
