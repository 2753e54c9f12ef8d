"""Stage 6, classification: responsible agencies (lead / support) and themes of each task.

Two scikit-learn estimators, usable on their own. Both take ``X`` as a
DataFrame with one row a task (:func:`task_frame` builds it), and learn their
label sets from ``y``: nothing about the taxonomy is in the code.

:class:`AgencyClassifier`
    Agency mentions come from the lexicon matcher (extended at ``fit`` with
    every agency name of the training corpus). A mention model (character
    n-grams, a Pipeline) gives each mention its label; a role model (context
    words, a Pipeline) says lead, support or neither. When no lead is found
    the lead is inherited, in order, from the item's first sentence, the parent
    item, the heading, the lead-in ("… yêu cầu X thực hiện:"), the addressees
    and the "Nơi nhận" list; it is then marked ``explicit=False``.
:class:`ThemeClassifier`
    Multi-label: TF-IDF over segmented words (uni- and bigrams) and the item/heading
    context, one-vs-rest logistic regression; 1 to ``max_labels`` themes a task.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.validation import check_is_fitted

from .document import AgencyLabel, ThemeLabel
from .lexicon import AgencyMatcher, Mention, default_entries

CONTEXT_COLUMNS = ["item", "parent", "heading", "lead_in", "doc_lead_in", "addressees", "recipients"]
# verbs whose object is the actor of what follows; "theo đề nghị của X" (at X's proposal) is not one
_OBJECT_VERBS = re.compile(r"\b(?:yêu cầu|đề nghị(?!\s+của)|giao|chỉ đạo|phân công|giao cho)\b", re.I)
_SKIP_RECIPIENT = re.compile(r"b/c|báo cáo|\blưu\b|như trên|để biết|đ/c|đồng chí", re.I)
_WORD = re.compile(r"\w+", re.U)
# openers before the actor that do not make it any less the subject: "Thứ nhất, các bộ, ngành…",
# "Đồng thời, …", "Đối với các chủ đầu tư, cần…"
_OPENERS = re.compile(r"^(?:[\s\-+•*]*(?:thứ\s+(?:nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười)|(?:một|hai|ba|bốn|năm)\s+là"
                      r"|trước hết|trước mắt|đồng thời|ngoài ra|bên cạnh đó|mặt khác|riêng|đối với|về phía|giao|đề nghị|yêu cầu)"
                      r"\s*[,:]?\s*)+$", re.I)


def task_frame(tasks: list[dict]) -> pd.DataFrame:
    """One row a task: ``text``, ``words`` (segmented), ``issuer`` and the context columns."""
    rows = []
    for t in tasks:
        ctx = t.get("context") or {}
        row = {"text": t.get("text", ""), "words": t.get("words") or t.get("text", ""), "issuer": t.get("issuer") or ""}
        for c in CONTEXT_COLUMNS:
            row[c] = ctx.get(c, "") or ""
        rows.append(row)
    return pd.DataFrame(rows, columns=["text", "words", "issuer", *CONTEXT_COLUMNS])


# --------------------------------------------------------------------------- agencies

def _window(text: str, start: int, end: int, n: int = 3) -> tuple[list[str], list[str]]:
    before = _WORD.findall(text[:start].lower())[-n:]
    after = _WORD.findall(text[end:].lower())[:n]
    return before, after


def mention_features(text: str, m: Mention, index: int, count: int, label: str, issuer_label: str) -> dict:
    before, after = _window(text, m.start, m.end)
    f = {"label=" + label: 1, "kind=" + m.kind: 1, "index": min(index, 4), "count": min(count, 5),
         "first": int(index == 0), "at_start": int(not text[:m.start].strip(" -+•\t")),
         "rel_pos": round(m.start / max(len(text), 1), 1), "issuer": int(label == issuer_label and bool(label))}
    for k, w in enumerate(reversed(before)):
        f[f"b{k}={w}"] = 1
    for k, w in enumerate(after):
        f[f"a{k}={w}"] = 1
    if len(before) >= 2:
        f["b01=" + " ".join(before[-2:])] = 1
    if len(after) >= 2:
        f["a01=" + " ".join(after[:2])] = 1
    return f


def _find_name(text: str, name: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    low, nm = text.lower(), name.lower()
    i = low.find(nm)
    while i >= 0:
        if all(i >= e or i + len(nm) <= s for s, e in taken):
            return i, i + len(nm)
        i = low.find(nm, i + 1)
    return None


class AgencyClassifier(ClassifierMixin, BaseEstimator):
    """Lead and supporting agencies of tasks.

    ``y``: for each task a list of ``{"id", "name", "role", "explicit"}``.
    ``predict_proba`` gives, per task and label in ``classes_``, the score of
    that label being a lead; ``predict`` the lead indicator matrix;
    ``predict_agencies`` the full answer (names, roles, inherited or not).
    """

    def __init__(self, C_label: float = 10.0, C_role: float = 1.0, use_lexicon: bool = True, threshold: float = 0.5):
        self.C_label = C_label
        self.C_role = C_role
        self.use_lexicon = use_lexicon
        self.threshold = threshold

    # -- fitting
    def fit(self, X: pd.DataFrame, y: list[list[dict]]):
        labels = sorted({a["id"] for ys in y for a in ys})
        if not labels:
            raise ValueError("AgencyClassifier.fit needs at least one agency label in y. Got none.")
        self.classes_ = np.array(labels)
        names = Counter((a["id"], a["name"]) for ys in y for a in ys if a.get("explicit", True) and a.get("name"))
        lex = [(lab, alias, kind) for lab, alias, kind in (default_entries() if self.use_lexicon else [])]
        corpus_entries = [(lab, name, "name") for (lab, name), _ in names.items() if len(name) <= 80]
        self.matcher_ = AgencyMatcher(lex + corpus_entries)

        # mention -> label: corpus names, plus lexicon aliases whose prior is in the label set
        texts, targets = [], []
        for (lab, name), n in names.items():
            texts += [name] * min(n, 5)
            targets += [lab] * min(n, 5)
        for lab, alias, _ in lex:
            if lab in labels:
                texts.append(alias)
                targets.append(lab)
        self.label_model_ = Pipeline([
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=True, sublinear_tf=True)),
            ("clf", LogisticRegression(C=self.C_label, max_iter=3000)),
        ]).fit(texts, targets)

        # mention -> role, from gold names found in the task text
        feats, roles = [], []
        for (_, row), ys in zip(X.iterrows(), y):
            text = row["text"]
            mentions = self.matcher_.mentions(text)
            if not mentions:
                continue
            gold_spans = []
            taken: list[tuple[int, int]] = []
            for a in ys:
                if not a.get("explicit", True):
                    continue
                span = _find_name(text, a["name"], taken)
                if span:
                    taken.append(span)
                    gold_spans.append((span, a["role"]))
            mlabels = self._mention_labels(mentions)
            issuer_label = self._issuer_label(row["issuer"])
            for k, m in enumerate(mentions):
                role = "none"
                for (s, e), r in gold_spans:
                    if m.start < e and s < m.end:
                        role = r
                        break
                feats.append(mention_features(text, m, k, len(mentions), mlabels[k], issuer_label))
                roles.append(role)
        if len(set(roles)) < 2:
            roles += ["lead", "none"]
            feats += [{"first": 1}, {"first": 0}]
        self.role_model_ = Pipeline([
            ("features", DictVectorizer()),
            ("clf", LogisticRegression(C=self.C_role, max_iter=3000, class_weight="balanced")),
        ]).fit(feats, roles)
        return self

    def _label_texts(self, texts: list[str]) -> list[str]:
        """Label of each agency name; names recur across documents, so answers are kept."""
        memo = self.__dict__.setdefault("_label_memo", {})
        new = sorted({t for t in texts if t not in memo})
        if new:
            if len(memo) > 20000:
                memo.clear()
            memo.update(zip(new, map(str, self.label_model_.predict(new))))
        return [memo[t] for t in texts]

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_label_memo", None)
        return state

    def _mention_labels(self, mentions: list[Mention]) -> list[str]:
        return self._label_texts([m.text for m in mentions]) if mentions else []

    def _issuer_label(self, issuer: str) -> str:
        return self._label_texts([issuer])[0] if issuer else ""

    # -- prediction
    def _roles_many(self, texts: list[str], issuer_labels: list[str]) -> list[list[tuple[Mention, str, str, float]]]:
        """Mentions with label, role and score for many texts: one model call for all of them."""
        mentions = [self.matcher_.mentions(t) for t in texts]
        text_of = {id(ms): t for ms, t in zip(mentions, texts)}
        flat = [m for ms in mentions for m in ms]
        if not flat:
            return [[] for _ in texts]
        labels = self._label_texts([m.text for m in flat])
        feats, k0 = [], 0
        for text, ms, il in zip(texts, mentions, issuer_labels):
            feats += [mention_features(text, m, k, len(ms), labels[k0 + k], il) for k, m in enumerate(ms)]
            k0 += len(ms)
        proba = self.role_model_.predict_proba(feats)
        classes = list(self.role_model_.classes_)
        out, k0 = [], 0
        for ms in mentions:
            row = []
            for k, m in enumerate(ms):
                p = proba[k0 + k]
                role = classes[int(np.argmax(p))]
                if role == "lead" and p[classes.index("lead")] < self.threshold:
                    role = "none"          # an uncertain lead is left out: precision over recall
                if role == "none" and k == 0 and _OPENERS.match(text_of[id(ms)][:m.start]):
                    role = "lead"          # "Thứ nhất, các bộ, ngành … phải", "Đối với các chủ đầu tư, cần …"
                row.append((m, labels[k0 + k], role, float(np.max(p))))
            out.append(row)
            k0 += len(ms)
        return out

    _ROLE_SOURCES = ("item", "parent", "heading")
    _OBJECT_SOURCES = ("lead_in", "doc_lead_in")
    _LIST_SOURCES = ("addressees", "recipients")
    _FIRST_ONLY = ("doc_lead_in", "recipients")

    def _context_pieces(self, source: str, ctx: str) -> list[str]:
        """The texts of one context source in which inherited agencies are looked for."""
        if source in self._OBJECT_SOURCES:
            v = None
            for v in _OBJECT_VERBS.finditer(ctx):
                pass
            return [ctx[v.end():]] if v else []
        return [ln for ln in ctx.split("\n") if ln.strip()
                and not (source == "recipients" and _SKIP_RECIPIENT.search(ln))]

    def _inherit_all(self, rows: list[pd.Series], issuer_labels: list[str]) -> list[list[AgencyLabel]]:
        """Inherited leads for rows whose sentence names none; every model call batched."""
        role_texts = sorted({(r.get(s) or "", il) for r, il in zip(rows, issuer_labels) for s in self._ROLE_SOURCES
                             if (r.get(s) or "").strip()})
        roles = dict(zip(role_texts, self._roles_many([t for t, _ in role_texts], [il for _, il in role_texts])))
        pieces = sorted({p for r in rows for s in self._OBJECT_SOURCES + self._LIST_SOURCES
                         for p in self._context_pieces(s, r.get(s) or "")})
        piece_mentions = {p: self.matcher_.mentions(p) for p in pieces}
        flat = sorted({m.text for ms in piece_mentions.values() for m in ms})
        labels = dict(zip(flat, self._label_texts(flat)))
        out = []
        for r, il in zip(rows, issuer_labels):
            found: list[tuple[Mention, str, float]] = []
            for source in self._ROLE_SOURCES + self._OBJECT_SOURCES + self._LIST_SOURCES:
                ctx = r.get(source) or ""
                if not ctx.strip():
                    continue
                if source in self._ROLE_SOURCES:
                    found = [(m, lab, p) for m, lab, role, p in roles[(ctx, il)] if role == "lead"]
                    if not found and source != "item":
                        # a heading or parent item that names an agency without a verb ("2. Giao Sở
                        # Nội vụ", "Sở Y tế:") names the actor of what it heads
                        found = [(m, lab, p * 0.8) for m, lab, role, p in roles[(ctx, il)] if role != "support"]
                else:
                    prior = 0.8 if source in self._OBJECT_SOURCES else 0.6
                    found = [(m, str(labels[m.text]), prior) for p in self._context_pieces(source, ctx)
                             for m in piece_mentions[p]]
                    if source in self._FIRST_ONLY:
                        # long lists ("yêu cầu các cấp ủy, chính quyền, MTTQ…", "Nơi nhận") name the main
                        # actor first; taking all of them halves precision (measured: evaluation/report.md)
                        found = found[:1]
                if found:
                    break
            seen, labs = set(), []
            for m, lab, p in found:
                if lab not in seen:
                    seen.add(lab)
                    labs.append(AgencyLabel(id=lab, name=m.text, role="lead", explicit=False,
                                            score=round(p * 0.8, 4), source=source))
            out.append(labs)
        return out

    def predict_agencies(self, X: pd.DataFrame) -> list[list[AgencyLabel]]:
        check_is_fitted(self, "role_model_")
        issuers = {i: self._issuer_label(i) for i in set(X["issuer"])}
        issuer_labels = [issuers[i] for i in X["issuer"]]
        explicit = self._roles_many(X["text"].tolist(), issuer_labels)
        results, orphans = [], []
        for (_, row), issuer_label, roles in zip(X.iterrows(), issuer_labels, explicit):
            agencies: dict[tuple[str, str], AgencyLabel] = {}
            for m, lab, role, p in roles:
                if role == "none":
                    continue
                key = (lab, role)
                if key not in agencies or agencies[key].score < p:
                    agencies[key] = AgencyLabel(id=lab, name=m.text, role=role, explicit=True, score=round(p, 4))
            found = list(agencies.values())
            # a label that is lead is not also support
            leads = {a.id for a in found if a.role == "lead"}
            found = [a for a in found if a.role == "lead" or a.id not in leads]
            if not leads:
                orphans.append((len(results), row, issuer_label))
            results.append(found)
        if orphans:
            inherited = self._inherit_all([r for _, r, _ in orphans], [il for _, _, il in orphans])
            for (i, _, _), labs in zip(orphans, inherited):
                results[i] = labs + results[i]
        return results

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.classes_)}
        out = np.zeros((len(X), len(self.classes_)))
        for i, ags in enumerate(self.predict_agencies(X)):
            for a in ags:
                if a.role == "lead" and a.id in index:
                    out[i, index[a.id]] = max(out[i, index[a.id]], a.score)
        return out

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X) > 0).astype(int)


# --------------------------------------------------------------------------- themes

def _context_text(X: pd.DataFrame) -> pd.Series:
    return (X["parent"].fillna("") + " " + X["heading"].fillna("") + " " + X["item"].fillna("")).str.slice(0, 400)


def _with_context(X: pd.DataFrame) -> pd.DataFrame:
    X = X.copy()
    X["ctx"] = "ctx " + _context_text(X)     # never empty: a corpus without context still fits
    return X


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """Themes of tasks, multi-label. ``y``: for each task a list of theme ids."""

    def __init__(self, C: float = 8.0, threshold: float = 0.35, max_labels: int = 3, alone: tuple = ("khac",)):
        self.C = C
        self.threshold = threshold
        self.max_labels = max_labels
        self.alone = alone

    def fit(self, X: pd.DataFrame, y: list[list[str]]):
        self.binarizer_ = MultiLabelBinarizer()
        Y = self.binarizer_.fit_transform(y)
        self.classes_ = self.binarizer_.classes_
        features = ColumnTransformer([
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, max_features=60000,
                                      token_pattern=r"[^\s]+", lowercase=True), "words"),

            ("context", TfidfVectorizer(min_df=1, sublinear_tf=True, max_features=8000), "ctx"),
        ], transformer_weights={"words": 1.0, "context": 0.4})
        self.pipeline_ = Pipeline([
            ("features", features),
            ("clf", OneVsRestClassifier(LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced"))),
        ]).fit(_with_context(X), Y)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(_with_context(X))

    def predict_themes(self, X: pd.DataFrame) -> list[list[ThemeLabel]]:
        proba = self.predict_proba(X)
        out = []
        for row in proba:
            order = np.argsort(-row)
            chosen = [i for i in order[:self.max_labels] if row[i] >= self.threshold] or [order[0]]
            labels = [ThemeLabel(id=str(self.classes_[i]), score=round(float(row[i]), 4)) for i in chosen]
            if len(labels) > 1:
                labels = labels[:1] if labels[0].id in self.alone else [t for t in labels if t.id not in self.alone]
            out.append(labels)
        return out

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.classes_)}
        out = np.zeros((len(X), len(self.classes_)), dtype=int)
        for i, themes in enumerate(self.predict_themes(X)):
            for t in themes:
                out[i, index[t.id]] = 1
        return out
