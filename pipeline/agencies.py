"""Responsible agencies of tasks: :class:`AgencyClassifier`, one estimator per role (lead or support).

A task's agencies come from the agency mentions in its sentence
(:mod:`pipeline.mentions`): a role model (logistic regression over the words
around each mention) says which mentions are its lead (or its support); an
actor named in subject position before what it must do ("Giáo vụ có trách
nhiệm…") is the lead even under the role model's threshold. When the
sentence names no lead, the lead is inherited by the six steps of
:mod:`pipeline.inheritance` and marked ``explicit=False`` with the step as
``source``; its score is how often that step gave that class rightly on the
training data, and a class a step gave rightly less than ``min_inherited`` of
the time is left out (a step left with none gives way to the next).

The estimator is a multi-label scikit-learn classifier: ``X`` is a task frame
(:func:`pipeline.features.task_frame`), ``y`` a list of label-id lists (or an
indicator matrix whose columns are ``classes``); ``predict`` returns the
indicator matrix, ``predict_proba`` the per-label scores (labels are not
exclusive, so rows need not sum to 1, as with ``OneVsRestClassifier``),
``predict_agencies`` the full answer with names, roles and sources.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from . import inheritance
from .document import AgencyLabel
from .lexicon import Mention
from .multilabel import MultiLabelScoreMixin, fit_binarizer, label_sets

_WORD = re.compile(r"\w+", re.U)
# words that may open a sentence before its actor: "Thứ nhất, các bộ…", "Đồng thời, …", "Đối với các chủ đầu tư, …"
OPENERS = ("thứ nhất", "thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "thứ tám", "thứ chín",
           "thứ mười", "một là", "hai là", "ba là", "bốn là", "năm là", "trước hết", "trước mắt", "đồng thời",
           "ngoài ra", "bên cạnh đó", "mặt khác", "riêng", "đối với", "về phía", "giao", "đề nghị", "yêu cầu")
_OPENER_RE = re.compile(r"^(?:" + "|".join(re.escape(o) for o in sorted(OPENERS, key=len, reverse=True)) +
                        r")(?!\w)[\s,:]*", re.I)
_LEAD_PUNCT = " \t-+•*,:;"


_OPENER_AT = re.compile(_OPENER_RE.pattern[1:], re.I)          # the same, matched at a position
_LEAD_RUN = re.compile("[" + re.escape(_LEAD_PUNCT) + "]*")


def strip_openers(prefix: str) -> str:
    """What stands before a mention once opening words are removed (linear: one opener per step, matched
    where the last one ended, with no copy of the rest per step)."""
    pos = _LEAD_RUN.match(prefix).end()
    while pos < len(prefix):
        m = _OPENER_AT.match(prefix, pos)
        if not m or m.end() == pos:
            break
        pos = _LEAD_RUN.match(prefix, m.end()).end()
    return prefix[pos:]


_COORD_GAP = re.compile(r"^[\s,;:]*(?:(?:và|hoặc|cùng)\s+)?(?:(?:các|mỗi|từng)\s+)?$", re.I)


def coordinated(text: str, mentions: Sequence[Mention], scores: Sequence[float]) -> list[float]:
    """Scores shared along coordination: "các Sở, ban, ngành, UBND các xã và các doanh nghiệp" are one
    list, so each gets the best score of the list (a list is lead, or support, as a whole)."""
    out = list(scores)
    i = 0
    while i < len(mentions):
        j = i
        while j + 1 < len(mentions) and _COORD_GAP.match(text[mentions[j].end:mentions[j + 1].start]):
            j += 1
        if j > i:
            best = max(out[i:j + 1])
            out[i:j + 1] = [best] * (j - i + 1)
        i = j + 1
    return out


# words that govern the mentions after them: the nearest one before a mention, within its clause, tells its role
# even across a long list ("phối hợp với các cơ quan có liên quan và UBND cấp xã")
ROLE_CUES = ("chủ trì", "phối hợp", "cùng với", "tạo điều kiện", "giúp", "hỗ trợ", "giao", "đề nghị", "yêu cầu",
             "chỉ đạo", "hướng dẫn", "tham mưu", "báo cáo", "gửi", "trình", "đôn đốc", "kiểm tra", "theo", "của",
             "đối với")
_CUE_WINDOW = 160                 # characters of the clause looked back over (constant work per mention)
_CUE_RE = re.compile(r"(?<!\w)(" + "|".join(re.escape(c) for c in sorted(ROLE_CUES, key=len, reverse=True)) +
                     r")(?!\w)", re.I)
_CLAUSE_END = re.compile(r"[.;:!?\n]")


def governing_cue(prefix: str) -> tuple[str, int]:
    """The last role cue of the clause before a mention and how many words stand between them."""
    tail = prefix[-_CUE_WINDOW:]
    ends = [m.end() for m in _CLAUSE_END.finditer(tail)]
    tail = tail[ends[-1]:] if ends else tail
    last = None
    for m in _CUE_RE.finditer(tail):
        last = m
    if last is None:
        return "", 0
    return last.group(1).lower(), len(_WORD.findall(tail[last.end():]))


def labels_of(m: Mention) -> list[str]:
    """A mention's labels: a generic phrase may stand for two classes ("các bộ, ngành, địa phương")."""
    return [x for x in m.prior.split("+") if x]


_OPENING_CHARS = 80     # characters of the sentence's start read for its first two words (constant work)


def mention_features(text: str, m: Mention, index: int, count: int, issuer_labels: Sequence[str]) -> dict:
    """What the role model reads about one mention: its class, where it stands (at the start, after opening
    words, after a clause break, after an object verb), the words around it, what stands before it, the
    role cue that governs it (:func:`governing_cue`) and the sentence's first two words after its opening
    words (a mention that does not open the sentence)."""
    prefix = text[:m.start]
    before = _WORD.findall(prefix.lower())[-3:]
    after = _WORD.findall(text[m.end:].lower())[:3]
    bare = strip_openers(prefix)
    labs = labels_of(m)
    f = {"kind=" + m.kind: 1, "index": min(index, 4), "count": min(count, 5), "first": int(index == 0),
         "at_start": int(not prefix.strip(_LEAD_PUNCT)), "after_openers": int(not bare),
         "rel_pos": round(m.start / max(len(text), 1), 1),
         "issuer": int(bool(set(labs) & set(issuer_labels))),
         "after_clause_break": int(bool(re.search(r"[,;:]\s*(?:(?:các|mỗi|từng)\s+)?$", prefix))),
         "prefix_words": min(len(_WORD.findall(bare)), 12) // 3}
    if 0 < len(_WORD.findall(bare)) <= 3:
        f["prefix=" + " ".join(_WORD.findall(bare.lower()))] = 1
    for lab in labs:
        f["label=" + lab] = 1
    for k, w in enumerate(reversed(before)):
        f[f"b{k}={w}"] = 1
    for k, w in enumerate(after):
        f[f"a{k}={w}"] = 1
    cue, gap = governing_cue(prefix)
    if cue:
        f["cue=" + cue] = 1
        f["cue=" + cue + "/gap" + str(min(gap, 6) // 2)] = 1
    if len(before) >= 2:
        f["b01=" + " ".join(before[-2:])] = 1
    if len(after) >= 2:
        f["a01=" + " ".join(after[:2])] = 1
    opening = _WORD.findall(strip_openers(text[:_OPENING_CHARS]).lower())[:2]
    if opening and m.start > 0:          # how the sentence opens: "Theo dõi, tổng hợp báo cáo từ các sở…" has no
        f["s0=" + opening[0]] = 1         # subject, and a mention deep in it is the object of its first verb
        f["s01=" + " ".join(opening)] = 1
    return f


def default_mentions(X: pd.DataFrame, fields: Sequence[str]) -> list[dict]:
    """Mentions of every text field of ``X`` from the lexicon alone (for a frame built without the
    pipeline's mention component)."""
    from .lexicon import AgencyMatcher

    matcher = AgencyMatcher.default()
    cache: dict[str, list[Mention]] = {}

    def find(t: str) -> list[Mention]:
        if t not in cache:
            cache[t] = matcher.mentions(t) if t else []
        return cache[t]

    return [{f: inheritance.field_mentions(find, f, str(row.get(f) or "")) for f in fields} for _, row in X.iterrows()]


MENTION_FIELDS = ("text",) + inheritance.CONTEXT_FIELDS
# the lines whose supporting agencies the tasks under them take, and the step each is reported as
CONTEXT_SUPPORT_FIELDS = {"parent": "item", "lead_in": "lead_in", "heading": "heading"}
SMOOTHING = 5.0          # pseudo-counts pulling a step-and-class precision toward its step's precision


def inherited_precision(predicted: Sequence[Sequence[AgencyLabel]], gold: Sequence[set],
                        smoothing: float = SMOOTHING) -> dict[str, float]:
    """How often each inheritance step, and each step for each class, gave a label the task really has; a
    step-and-class figure is pulled toward its step's by ``smoothing`` pseudo-counts. More of them let fewer
    of a step's rare classes through the gate wrongly (on held-out real documents, the Fatherland Front of a
    "Nơi nhận" passes it at 0.28 precision with 5) but more of a precise step's rare ones (40 against 5 in
    ``vanban evaluate``: lead micro-F1 0.810 both, macro 0.621 against 0.636, the seeds' lead 0.716 against
    0.754: the Party's Ban labels inherited wrongly from headings and lead-ins), so 5 it stays."""
    n: dict[str, int] = {}
    right: dict[str, int] = {}
    for labels, g in zip(predicted, gold):
        for a in labels:
            if a.explicit:
                continue
            for key in (a.source, f"{a.source}|{a.id}"):
                n[key] = n.get(key, 0) + 1
                right[key] = right.get(key, 0) + (a.id in g)
    out = {k: right[k] / n[k] for k in n if "|" not in k}
    for k in n:
        if "|" in k:
            step = k.split("|")[0]
            out[k] = round((right[k] + smoothing * out[step]) / (n[k] + smoothing), 4)
    return {k: round(v, 4) for k, v in out.items()}


class AgencyClassifier(MultiLabelScoreMixin, ClassifierMixin, BaseEstimator):
    """Lead (``role="lead"``) or supporting (``role="support"``) agencies of tasks.

    Parameters
    ----------
    role : "lead" or "support"
    classes : label ids of the columns of an indicator-matrix ``y`` (as ``MultiLabelBinarizer.classes_``);
        not needed when ``y`` holds label lists.
    C : inverse regularisation of the role model.
    threshold : probability above which a mention in the task sentence is its lead (or support).
    inherit : whether a task whose sentence names no lead inherits one (lead role only).
    min_inherited : an inherited label is given only when its inheritance step gave its class rightly at least
        this often on the training data (``inherited_precision_``, smoothed toward the step's own precision):
        a Party committee in the "Nơi nhận" of a state body's decision is there to be informed, a department
        there is usually the one that acts. 0 gives every inherited label (one whose measured precision is 0
        keeps a score of 0, so ``predict``, which keeps scores above 0, leaves it out).
    smoothing : pseudo-counts pulling each step-and-class precision toward its step's (:func:`inherited_precision`).
    subject_lead : whether an actor named by a common noun in subject position before what it must do
        ("Thương nhân … phải…", "Giáo vụ có trách nhiệm…": a mention of kind "subject", see
        :func:`pipeline.mentions.subject_span`) is the task's lead when no mention passes ``threshold``, before
        any inheritance (lead role only). The role model sees few such mentions and scores them low.

    Attributes
    ----------
    role_model_ : the fitted scikit-learn pipeline that scores each mention for the role.
    inherited_precision_ : ``{"step|label": precision}`` of inherited labels on the training data, and
        ``{"step": precision}`` for each step as a whole; an inherited label's score is its precision.
    subject_precision_ : how often a subject-position mention names a class of the task's lead in the training
        data (smoothed toward one half): the score of a lead ``subject_lead`` gives; None where training has none.
    """

    subject_lead = False     # what an AgencyClassifier pickled before these settings existed was fitted with
    smoothing = 5.0

    def __init__(self, role: str = "lead", classes: Sequence[str] | None = None, C: float = 1.0,
                 threshold: float = 0.5, inherit: bool = True, min_inherited: float = 0.5,
                 smoothing: float = SMOOTHING, subject_lead: bool = True):
        self.role = role
        self.classes = classes
        self.C = C
        self.threshold = threshold
        self.inherit = inherit
        self.min_inherited = min_inherited
        self.smoothing = smoothing
        self.subject_lead = subject_lead

    # -- inputs
    def _check_X(self, X) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame) or "text" not in X.columns:
            raise ValueError("AgencyClassifier needs X as a DataFrame with a 'text' column (see "
                             f"pipeline.features.task_frame). Got {type(X).__name__} instead.")
        return X

    def _mentions(self, X: pd.DataFrame) -> list[dict]:
        if "mentions" in X.columns:
            return [m if isinstance(m, dict) else {} for m in X["mentions"]]
        return default_mentions(X, MENTION_FIELDS)

    # -- fitting
    def fit(self, X, y, mention_roles: Sequence[Sequence[str]] | None = None):
        """Fit the role model. ``mention_roles[i]`` optionally gives, for each mention of task ``i``'s text
        (in order), "lead", "support" or "none"; where it is absent (None for a task or a mention) a mention
        counts for the role when its class is among the task's labels."""
        if self.role not in ("lead", "support"):
            raise ValueError(f"The 'role' parameter of AgencyClassifier must be 'lead' or 'support'. Got {self.role!r}.")
        X = self._check_X(X)
        sets = label_sets(y, self.classes)
        if len(sets) != len(X):
            raise ValueError(f"AgencyClassifier.fit needs one label set per row of X. Got {len(sets)} for {len(X)}.")
        self.binarizer_ = fit_binarizer(sets, self.classes)
        self.classes_ = self.binarizer_.classes_
        mentions = self._mentions(X)
        feats, target = [], []
        for i, (text, ms, labs) in enumerate(zip(X["text"], mentions, sets)):
            ms = ms.get("text", [])
            issuer = self._issuer_labels(mentions[i])
            roles = mention_roles[i] if mention_roles is not None and i < len(mention_roles) else None
            for k, m in enumerate(ms):
                if roles is not None and k < len(roles) and roles[k] is not None:
                    pos = roles[k] == self.role
                else:
                    pos = bool(set(labels_of(m)) & labs)
                feats.append(mention_features(text, m, k, len(ms), issuer))
                target.append(int(pos))
        if len(set(target)) < 2:
            feats += [{"first": 1}, {"first": 0}]
            target += [1, 0]
        self.role_model_ = Pipeline([
            ("features", DictVectorizer()),
            ("clf", LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced")),
        ]).fit(feats, target)
        self.inherited_precision_ = {}
        if self.role == "lead" and self.inherit:
            self.inherited_precision_ = inherited_precision(self._predict(X, mentions, gate=False), sets,
                                                            self.smoothing)
        # how often a subject-position mention names a class of the task's lead, over every one in training
        # (not only those the fitted role model scores low: in-sample, those are the ones it learned were wrong)
        self.subject_precision_ = None
        if self.role == "lead" and self.subject_lead:
            subject = [bool(set(labels_of(m)) & labs) for ms, labs in zip(mentions, sets)
                       for m in ms.get("text", []) if m.kind == "subject"]
            if subject:
                self.subject_precision_ = round((sum(subject) + self.smoothing * 0.5) /
                                                (len(subject) + self.smoothing), 4)
        return self

    @staticmethod
    def _issuer_labels(ms: dict) -> list[str]:
        return [lab for m in ms.get("issuer", []) for lab in labels_of(m)]

    # -- prediction
    def _scores(self, texts: list[str], mentions: list[list[Mention]], issuers: list[list[str]]) -> list[list[float]]:
        feats, sizes = [], []
        for text, ms, iss in zip(texts, mentions, issuers):
            feats += [mention_features(text, m, k, len(ms), iss) for k, m in enumerate(ms)]
            sizes.append(len(ms))
        proba = self.role_model_.predict_proba(feats)[:, 1] if feats else np.zeros(0)
        out, k = [], 0
        for text, ms, n in zip(texts, mentions, sizes):
            out.append(coordinated(text, ms, [float(p) for p in proba[k:k + n]]))
            k += n
        return out

    def predict_agencies(self, X) -> list[list[AgencyLabel]]:
        """Per task, the agencies of this estimator's role: names, explicit or inherited, score, source."""
        check_is_fitted(self, "role_model_")
        X = self._check_X(X)
        return self._predict(X, self._mentions(X), gate=True)

    def _subject_score(self, p: float) -> float:
        """A subject-position lead's score: how often a subject-position mention named a class of the lead in
        training (``subject_precision_``; the role model's own score of it is low and would tell the calibration
        it is wrong), or that own score for a model fitted before this existed."""
        precision = getattr(self, "subject_precision_", None)
        return p if precision is None else precision

    def _inherited_score(self, step: str, label: str) -> float:
        prec = self.inherited_precision_
        return prec.get(f"{step}|{label}", prec.get(step, inheritance.STEP_WEIGHT[step]))

    def _predict(self, X: pd.DataFrame, mentions: list[dict], gate: bool) -> list[list[AgencyLabel]]:
        issuers = [self._issuer_labels(ms) for ms in mentions]
        texts = [str(t) for t in X["text"]]
        scores = self._scores(texts, [ms.get("text", []) for ms in mentions], issuers)
        rows = X.to_dict("records")
        item_scores: list[list[float]] = [[] for _ in rows]
        if self.role == "lead" and self.inherit:     # the item step's scores, in one batch for every task
            item_scores = self._scores([str(row.get("item") or "") for row in rows],
                                       [list(ms.get("item") or []) for ms in mentions], issuers)
        ctx_support = self._context_support(rows, mentions, issuers) if self.role == "support" and self.inherit else {}
        out = []
        for row, ms, sc, isc in zip(rows, mentions, scores, item_scores):
            found: dict[str, AgencyLabel] = {}

            def add(m: Mention, p: float, explicit: bool, source: str):
                for lab in labels_of(m):
                    if lab not in found or found[lab].score < p:
                        found[lab] = AgencyLabel(id=lab, name=m.text, role=self.role, explicit=explicit,
                                                 score=round(p, 4), source=source)

            for m, p in zip(ms.get("text", []), sc):
                if p >= self.threshold:
                    add(m, p, True, "text")
            if self.role == "lead" and not found and self.subject_lead:
                for m, p in zip(ms.get("text", []), sc):
                    if m.kind == "subject":
                        add(m, self._subject_score(p) if gate else p, True, "text")
            if self.role == "lead" and not found and self.inherit:
                # the first step that names an actor; with the gate, the first whose labels its measured precision
                # lets any of through (a step whose every group is unreliable gives way to the next)
                for step, got in inheritance.inherit_steps(row, ms, item_actors=self._item_actors(row, ms, isc)):
                    for m, w in got:
                        for lab in labels_of(m):
                            p = self._inherited_score(step, lab) if gate else w
                            if p >= self.min_inherited or not gate:
                                add(Mention(m.start, m.end, m.text, lab, m.kind), p, False, step)
                    if found or not gate:
                        break
            elif self.role == "support" and self.inherit:
                for m in inheritance.supporters("field_support", row.get("field_support") or "",
                                                ms.get("field_support", [])):
                    add(m, 0.7, False, "item")
                for field, m, p in ctx_support.get(len(out), []):
                    add(m, p, False, CONTEXT_SUPPORT_FIELDS[field])
            out.append(list(found.values()))
        return out

    def _context_support(self, rows: list[dict], mentions: list[dict], issuers: list[list[str]]) -> dict:
        """Supporting agencies a task takes from the line that introduces it: the role model's support mentions,
        among those the line marks as partners, of its parent or lead-in when that ends in ":" ("Chủ trì, phối
        hợp với UBND cấp xã thực hiện:"), and of its nearest heading ("Phối hợp với Sở Y tế").
        {row: [(field, mention, score)]}"""
        todo: dict[tuple, list[int]] = {}      # (text, field, its mentions, issuer) -> rows: each scored once
        for i, (row, ms) in enumerate(zip(rows, mentions)):
            for field in CONTEXT_SUPPORT_FIELDS:
                text = str(row.get(field) or "")
                if ms.get(field) and (field == "heading" or text.rstrip().endswith(":")):
                    todo.setdefault((text, field, tuple(ms[field]), tuple(issuers[i])), []).append(i)
        keys = list(todo)
        if not keys:
            return {}
        scores = self._scores([k[0] for k in keys], [list(k[2]) for k in keys], [list(k[3]) for k in keys])
        out: dict[int, list] = {}
        for key, sc in zip(keys, scores):
            # only those the line marks as partners: a heading's own actors ("7. Các ban xây dựng Đảng, Văn phòng
            # Tỉnh ủy") are no one's support, whatever the role model scores them
            partners = {id(m) for m in inheritance.supporters(key[1], key[0], key[2])}
            found = [(key[1], m, p) for m, p in zip(key[2], sc) if p >= self.threshold and id(m) in partners]
            for i in todo[key]:
                out.setdefault(i, []).extend(found)
        return out

    def _item_actors(self, row: dict, ms: dict, scores: list[float] | None = None):
        """The role model decides which mentions of the item's earlier sentence are its actor (``scores``:
        those of the row's own item and item mentions, computed already)."""
        issuer = self._issuer_labels(ms)

        def pick(text: str, mentions: Sequence[Mention]) -> list[Mention]:
            if scores is not None and text == str(row.get("item") or "") and list(mentions) == list(ms.get("item") or []):
                sc = scores
            else:
                sc = self._scores([text], [list(mentions)], [issuer])[0]
            return [m for m, p in zip(mentions, sc) if p >= self.threshold]
        return pick

    def predict_proba(self, X) -> np.ndarray:
        """Per task and label of ``classes_``: the score of that label (0 when not predicted)."""
        check_is_fitted(self, "role_model_")
        index = {c: i for i, c in enumerate(self.classes_)}
        agencies = self.predict_agencies(X)
        out = np.zeros((len(agencies), len(self.classes_)))
        for i, ags in enumerate(agencies):
            for a in ags:
                if a.id in index:
                    out[i, index[a.id]] = max(out[i, index[a.id]], a.score)
        return out

    def predict(self, X) -> np.ndarray:
        """The label indicator matrix (columns ``classes_``)."""
        return (self.predict_proba(X) > 0).astype(int)
