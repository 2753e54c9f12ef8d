"""Themes of tasks: :class:`ThemeClassifier`, multi-label, one-vs-rest logistic regression.

Features: TF-IDF over the task's segmented words (uni- and bigrams) and over its
character n-grams (2–4, within words: "phòng cháy" and a scan's glued
"phòngcháy" share most of theirs), and,
weighted lower, over its context: the headings above it, its parent item and
lead-in, and the document's title ("KẾ HOẠCH … phòng, chống ma túy" says what
a bare "Tổ chức kiểm tra…" is about). 1 to ``max_labels`` themes a task, those
above its threshold (at least the best one); a theme in ``alone`` is only given
alone. ``max_labels`` and ``alone`` come from the corpus's labelset.json. A
theme's threshold is ``threshold``, or with ``tune_thresholds`` the one that
gives it its best F1 on the training tasks' second-stage probabilities, taken
halfway back toward ``threshold``: the second stage reads out-of-fold
first-stage probabilities but is fitted on those same tasks, so these are
in-sample for its few weights only. On the real documents most themes end up
below 0.35 (the model is cautious with them), a few above; the grid's floor of
0.15 keeps a tuned threshold at 0.25 or more.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import check_is_fitted

from .document import ThemeLabel
from .features import ContextVectorizer, char_ngrams
from .multilabel import MultiLabelScoreMixin, fit_binarizer, label_sets

CONTEXT_CHARS = 400
THRESHOLD_GRID = np.round(np.arange(0.15, 0.701, 0.025), 3)   # the thresholds a theme's own is chosen among
THRESHOLD_MIN_POSITIVES = 30     # a theme with fewer training tasks keeps ``threshold``
THRESHOLD_SHRINK = 0.5           # how far a theme's best threshold is taken back toward ``threshold``


def context_text(X: pd.DataFrame) -> pd.Series:
    """The context a theme is read from: headings, parent item, lead-in and item (never empty)."""
    def col(name: str) -> pd.Series:
        return X[name].fillna("").astype(str) if name in X.columns else pd.Series([""] * len(X), index=X.index)
    ctx = col("headings") + " " + col("parent") + " " + col("lead_in") + " " + col("item")
    return "ctx " + ctx.str.slice(0, CONTEXT_CHARS)


def title_text(X: pd.DataFrame) -> pd.Series:
    if "title" not in X.columns:
        return pd.Series(["title"] * len(X), index=X.index)
    return "title " + X["title"].fillna("").astype(str).str.slice(0, CONTEXT_CHARS)


def _inputs(X: pd.DataFrame) -> pd.DataFrame:
    words = X["words"] if "words" in X.columns else X["text"]
    return pd.DataFrame({"words": words.fillna("").astype(str).values, "ctx": context_text(X).values,
                         "title": title_text(X).values})


def document_means(P: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Each row's document mean of ``P`` (the tasks of one document share it); ``docs`` may be any group
    keys. The rows of a group are gathered once, in their order (a sort, not a scan of every row per group)."""
    out = np.zeros_like(P)
    if len(P) == 0:
        return out
    _, group = np.unique(np.asarray(docs), return_inverse=True)
    order = np.argsort(group, kind="stable")
    for rows in np.split(order, np.flatnonzero(np.diff(group[order])) + 1):
        out[rows] = P[rows].mean(axis=0)
    return out


def section_keys(X: pd.DataFrame, docs: np.ndarray) -> np.ndarray:
    """Which tasks share a section: the same document and the same nearest heading."""
    heading = X["heading"].fillna("").astype(str) if "heading" in X.columns else pd.Series([""] * len(X))
    return np.array([f"{d}\x00{h}" for d, h in zip(docs, heading)])


def stack_features(P: np.ndarray, D: np.ndarray, j: int, S: np.ndarray | None = None,
                   cross: bool = False) -> np.ndarray:
    """The second stage's input for theme ``j``: the task's probability, its document's mean and their
    product, with ``S`` its section's mean and that product, and with ``cross`` the task's probability and
    its document's mean of every theme (themes go together: checking with state management, a campaign
    with propaganda)."""
    cols = [P[:, j], D[:, j], P[:, j] * D[:, j]]
    if S is not None:
        cols += [S[:, j], P[:, j] * S[:, j]]
    if cross:
        cols += [P, D]
    return np.column_stack(cols)


def tuned_thresholds(P: np.ndarray, Y: np.ndarray, default: float) -> np.ndarray:
    """Per column of ``Y``: the threshold of :data:`THRESHOLD_GRID` with the best F1 of ``P[:, j] >= t``,
    taken :data:`THRESHOLD_SHRINK` of the way back to ``default`` (``default`` for a column with fewer than
    :data:`THRESHOLD_MIN_POSITIVES` positives)."""
    out = np.full(Y.shape[1], float(default))
    for j in range(Y.shape[1]):
        y = Y[:, j].astype(bool)
        if y.sum() < THRESHOLD_MIN_POSITIVES:
            continue
        pred = P[:, j][:, None] >= THRESHOLD_GRID[None, :]
        tp = (pred & y[:, None]).sum(axis=0)
        f1 = 2 * tp / (pred.sum(axis=0) + y.sum())
        best = THRESHOLD_GRID[int(np.argmax(f1))]
        out[j] = THRESHOLD_SHRINK * default + (1 - THRESHOLD_SHRINK) * best
    return out


def positive_proba(model: LogisticRegression, X) -> np.ndarray:
    """``model.predict_proba(X)[:, 1]`` of a fitted binary logistic regression, computed as it computes it
    (the same floating-point operations) without its checks of ``X`` on each call: the theme model calls
    some forty of them per document on features it built itself, and the checks cost more than the sums."""
    return expit(np.asarray(safe_sparse_dot(X, model.coef_.T, dense_output=True)).ravel() + model.intercept_[0])


def first_stage_proba(pipe: Pipeline, Z: pd.DataFrame) -> np.ndarray:
    """``pipe.predict_proba(Z)`` of the first stage (features, then a one-vs-rest of binary logistic
    regressions on a label matrix), each theme's column by :func:`positive_proba`."""
    ovr = pipe[-1]
    if len(Z) == 0 or not ovr.multilabel_ or len(ovr.estimators_) < 2 or not all(
            isinstance(e, LogisticRegression) and len(e.classes_) == 2 for e in ovr.estimators_):
        return pipe.predict_proba(Z)
    X = pipe[:-1].transform(Z)
    return np.column_stack([positive_proba(e, X) for e in ovr.estimators_])


class ThemeClassifier(MultiLabelScoreMixin, ClassifierMixin, BaseEstimator):
    """Themes of tasks. ``X``: a task frame (:func:`pipeline.features.task_frame`, at least ``text`` or
    ``words``; a ``doc`` column says which tasks share a document); ``y``: label lists, or an indicator
    matrix whose columns are ``classes``.

    With ``document_context`` a second stage reads, for each theme, the task's own probability and the mean
    over the tasks of its document (a plan about drug prevention makes "an_ninh_trat_tu" likelier for each
    of its bare "Tổ chức kiểm tra…" tasks), and with ``section_context`` also the mean over the tasks under
    the same nearest heading ("heading" column), and with ``cross_themes`` the task's and its document's
    probabilities of every other theme; it is fitted on out-of-fold first-stage probabilities, folds
    grouped by document. With ``tune_thresholds`` (and the second stage) each theme gets its own
    threshold (``thresholds_``, see :func:`tuned_thresholds`) from the second stage's probabilities of the
    training tasks (computed from out-of-fold first-stage ones; the second stage itself is fitted on them).
    """

    char_weight = 0.0    # what a ThemeClassifier pickled before char_weight existed was fitted with
    section_context = False    # and before section_context
    tune_thresholds = False    # and before tune_thresholds
    cross_themes = False       # and before cross_themes

    def __init__(self, C: float = 8.0, threshold: float = 0.35, max_labels: int = 3, alone: Sequence[str] = ("khac",),
                 context_weight: float = 0.4, title_weight: float = 0.25, document_context: bool = True,
                 folds: int = 4, classes: Sequence[str] | None = None, char_weight: float = 0.7,
                 section_context: bool = True, tune_thresholds: bool = True, cross_themes: bool = True):
        self.C = C
        self.threshold = threshold
        self.max_labels = max_labels
        self.alone = alone
        self.context_weight = context_weight
        self.title_weight = title_weight
        self.char_weight = char_weight
        self.section_context = section_context
        self.tune_thresholds = tune_thresholds
        self.cross_themes = cross_themes
        self.document_context = document_context
        self.folds = folds
        self.classes = classes

    def _check_X(self, X) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame) or not ({"words", "text"} & set(X.columns)):
            raise ValueError("ThemeClassifier needs X as a DataFrame with a 'words' or 'text' column (see "
                             f"pipeline.features.task_frame). Got {type(X).__name__} instead.")
        return X

    def _first_stage(self) -> Pipeline:
        parts = [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_features=60000,
                                      token_pattern=r"[^\s]+", lowercase=True), "words"),
            ("context", ContextVectorizer(sublinear_tf=True, max_features=8000), "ctx"),
            ("title", ContextVectorizer(sublinear_tf=True, max_features=4000), "title"),
        ]
        weights = {"words": 1.0, "context": self.context_weight, "title": self.title_weight}
        if self.char_weight:
            parts.append(("chars", char_ngrams(80000), "words"))
            weights["chars"] = self.char_weight
        features = ColumnTransformer(parts, transformer_weights=weights)
        return Pipeline([
            ("features", features),
            ("clf", OneVsRestClassifier(LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced"))),
        ])

    def _fit_first(self, Z: pd.DataFrame, Y: np.ndarray, sample_weight=None) -> Pipeline:
        pipe = self._first_stage()
        if sample_weight is None:
            return pipe.fit(Z, Y)
        import sklearn

        with sklearn.config_context(enable_metadata_routing=True):
            pipe.named_steps["clf"].estimator.set_fit_request(sample_weight=True)
            return pipe.fit(Z, Y, sample_weight=np.asarray(sample_weight, dtype=float))

    def fit(self, X, y, sample_weight=None):
        X = self._check_X(X)
        sets = label_sets(y, self.classes)
        if len(sets) != len(X):
            raise ValueError(f"ThemeClassifier.fit needs one label set per row of X. Got {len(sets)} for {len(X)}.")
        self.binarizer_ = fit_binarizer(sets, self.classes)
        self.classes_ = self.binarizer_.classes_
        Y = self.binarizer_.transform(sets)
        Z = _inputs(X)
        self.pipeline_ = self._fit_first(Z, Y, sample_weight)
        self.stack_ = None
        self.thresholds_ = np.full(len(self.classes_), float(self.threshold))
        docs = X["doc"].to_numpy() if "doc" in X.columns else np.zeros(len(X))
        if self.document_context and len(np.unique(docs)) >= self.folds:
            from sklearn.model_selection import GroupKFold

            oof = np.zeros(Y.shape, dtype=float)
            for tr, te in GroupKFold(n_splits=self.folds).split(Z, groups=docs):
                sw = None if sample_weight is None else np.asarray(sample_weight)[tr]
                keep = Y[tr].sum(axis=0) > 0
                model = self._fit_first(Z.iloc[tr], Y[tr][:, keep], sw)
                oof[np.ix_(te, np.flatnonzero(keep))] = model.predict_proba(Z.iloc[te])
            D, S = self._context_means(oof, X, docs)
            self.stack_ = [LogisticRegression(C=1.0, max_iter=1000).fit(
                               stack_features(oof, D, j, S, self.cross_themes), Y[:, j])
                           if 0 < Y[:, j].sum() < len(Y) else None for j in range(Y.shape[1])]
            if self.tune_thresholds:
                self.thresholds_ = tuned_thresholds(self._second_stage(oof, D, S), Y, self.threshold)
        return self

    def _second_stage(self, P: np.ndarray, D: np.ndarray, S: np.ndarray | None) -> np.ndarray:
        return np.column_stack([
            positive_proba(m, stack_features(P, D, j, S, self.cross_themes)) if m is not None else P[:, j]
            for j, m in enumerate(self.stack_)])

    def _context_means(self, P: np.ndarray, X: pd.DataFrame, docs: np.ndarray):
        """Each task's document mean of ``P``, and its section mean (None without ``section_context``)."""
        S = document_means(P, section_keys(X, docs)) if self.section_context else None
        return document_means(P, docs), S

    def predict_proba(self, X) -> np.ndarray:
        """Per task and theme of ``classes_``: the theme's probability (rows need not sum to 1)."""
        check_is_fitted(self, "pipeline_")
        X = self._check_X(X)
        P = first_stage_proba(self.pipeline_, _inputs(X))
        if not self.stack_ or len(X) == 0:
            return P
        docs = X["doc"].to_numpy() if "doc" in X.columns else np.zeros(len(X))
        D, S = self._context_means(P, X, docs)
        return self._second_stage(P, D, S)

    def predict_themes(self, X) -> list[list[ThemeLabel]]:
        proba = self.predict_proba(X)
        thresholds = getattr(self, "thresholds_", None)     # None: fitted before thresholds_ existed
        if thresholds is None:
            thresholds = np.full(proba.shape[1], float(self.threshold))
        out = []
        for row in proba:
            order = np.argsort(-row, kind="stable")
            chosen = [i for i in order[:self.max_labels] if row[i] >= thresholds[i]] or [order[0]]
            labels = [ThemeLabel(id=str(self.classes_[i]), score=round(float(row[i]), 4)) for i in chosen]
            if len(labels) > 1:
                labels = labels[:1] if labels[0].id in self.alone else [t for t in labels if t.id not in self.alone]
            out.append(labels)
        return out

    def predict(self, X) -> np.ndarray:
        """The theme indicator matrix (columns ``classes_``)."""
        themes = self.predict_themes(X)           # NotFittedError before fit, from predict_proba
        index = {c: i for i, c in enumerate(self.classes_)}
        out = np.zeros((len(themes), len(self.classes_)), dtype=int)
        for i, ts in enumerate(themes):
            for t in ts:
                out[i, index[t.id]] = 1
        return out
