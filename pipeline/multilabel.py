"""What the multi-label estimators share: their targets and their score.

A target ``y`` is either a list of label lists (``[["so_ban_nganh"], ["cap_uy", "chinh_quyen"]]``) or a
label indicator matrix whose columns are the estimator's ``classes`` parameter (``MultiLabelBinarizer``'s
``classes_``). scikit-learn's scorers (``scoring="f1_micro"`` in ``cross_val_score`` or ``GridSearchCV``)
compare indicator matrices, so pass ``y`` in that form there.

>>> label_sets([["a"], "b", []])
[{'a'}, {'b'}, set()]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.validation import check_is_fitted


def is_indicator(y) -> bool:
    return hasattr(y, "toarray") or (isinstance(y, np.ndarray) and y.ndim == 2)


def label_sets(y, classes: Sequence[str] | None = None) -> list[set]:
    """``y`` as one set of label ids per sample."""
    if is_indicator(y):
        Y = y.toarray() if hasattr(y, "toarray") else np.asarray(y)
        if classes is None or len(classes) != Y.shape[1]:
            raise ValueError("An indicator-matrix y needs the estimator's classes= parameter with one label id per "
                             f"column (MultiLabelBinarizer().classes_). Got {classes!r} for {Y.shape[1]} columns.")
        return [{classes[j] for j in np.flatnonzero(row)} for row in Y]
    return [set([v] if isinstance(v, str) else (v if v is not None else [])) for v in y]


def fit_binarizer(sets: list[set], classes: Sequence[str] | None) -> MultiLabelBinarizer:
    if classes is not None:
        return MultiLabelBinarizer(classes=list(classes)).fit([list(classes)])
    return MultiLabelBinarizer().fit(sets)


class MultiLabelScoreMixin:
    """``score`` as scikit-learn's multi-label classifiers define it: subset accuracy of ``predict``; the
    ``multi_label`` estimator tag (placed before ``ClassifierMixin``)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def score(self, X, y, sample_weight=None):
        check_is_fitted(self)
        if is_indicator(y):
            Y = y.toarray() if hasattr(y, "toarray") else np.asarray(y)
        else:
            known = set(self.classes_)
            Y = self.binarizer_.transform([s & known for s in label_sets(y)])
        return accuracy_score(Y, self.predict(X), sample_weight=sample_weight)
