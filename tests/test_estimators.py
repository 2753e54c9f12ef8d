"""The learned parts keep scikit-learn's estimator contract (README, "As a library").

``AgencyClassifier``, ``ThemeClassifier``, ``TaskDetector`` and ``MentionRecognizer`` go through
scikit-learn's own checks (``check_estimator`` with ``expected_failed_checks``): the API checks pass; the
checks that fit on the numeric arrays scikit-learn generates are excused with their reason
(:func:`expected_failed`: these estimators read DataFrames of text, or texts and spans), and what those
checks look at is tested here on the tiny written corpus instead (tests/tiny_corpus.py): fit returns self, fitted attributes end in ``_``,
NotFittedError before fit, clone, set_params reaching the fit, pickling, predict leaving the fitted state
as it was, predict_proba rows, score, standard targets (a ``MultiLabelBinarizer`` indicator matrix),
``cross_val_score``, ``GridSearchCV`` and a ``sklearn.pipeline.Pipeline`` with a step of one's own.
"""

from __future__ import annotations

import pickle
import unicodedata

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
from sklearn.pipeline import Pipeline as SkPipeline
from sklearn.preprocessing import FunctionTransformer, MultiLabelBinarizer
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from pipeline.agencies import AgencyClassifier
from pipeline.mentions import MentionRecognizer
from pipeline.splitting import TaskDetector
from pipeline.themes import ThemeClassifier

SMALL_LEXICON = [("so_ban_nganh", "Sở Y tế", "name"), ("luc_luong_vu_trang", "Công an", "name"),
                 ("hoi_chu_thap_do", "Hội Chữ thập đỏ", "name")]


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """Many tiny logistic regressions: BLAS threads cost more than they give (several times slower on a
    busy machine)."""
    with threadpool_limits(limits=1):
        yield


# --------------------------------------------------------------------------- scikit-learn's own checks

NUMERIC = {
    "AgencyClassifier": "fits on generated numeric arrays; X is a task frame of text (pipeline.features.task_frame)",
    "ThemeClassifier": "fits on generated numeric arrays; X is a task frame of text (pipeline.features.task_frame)",
    "TaskDetector": "fits on generated numeric arrays; X is a candidate frame of text and structure "
                    "(splitting.candidate_frame)",
    "MentionRecognizer": "fits on generated numeric arrays; X is a list of texts, y a list of (start, end, label) "
                         "span lists",
}
ON_THE_CORPUS = "; tested on the tiny corpus in this module instead"
# every estimator: the checks that fit (or predict) on numbers
COMMON = ["check_complex_data", "check_dict_unchanged", "check_dont_overwrite_parameters", "check_dtype_object",
          "check_estimator_sparse_array", "check_estimator_sparse_matrix", "check_estimators_dtypes",
          "check_estimators_empty_data_messages", "check_estimators_fit_returns_self", "check_estimators_nan_inf",
          "check_estimators_overwrite_params", "check_estimators_pickle", "check_f_contiguous_array_estimator",
          "check_fit2d_1feature", "check_fit2d_1sample", "check_fit2d_predict1d", "check_fit_check_is_fitted",
          "check_fit_idempotent", "check_fit_score_takes_y", "check_methods_sample_order_invariance",
          "check_methods_subset_invariance", "check_n_features_in", "check_n_features_in_after_fitting",
          "check_pipeline_consistency", "check_positive_only_tag_during_fit", "check_readonly_memmap_input"]
CLASSIFIER = ["check_classifier_data_not_an_array", "check_classifiers_classes", "check_classifiers_one_label",
              "check_classifiers_regression_target", "check_classifiers_train", "check_estimator_sparse_tag",
              "check_requires_y_none", "check_supervised_y_2d"]
SAMPLE_WEIGHT = ["check_all_zero_sample_weights_error", "check_classifiers_one_label_sample_weights",
                 "check_sample_weight_equivalence_on_dense_data", "check_sample_weights_list",
                 "check_sample_weights_not_an_array", "check_sample_weights_not_overwritten",
                 "check_sample_weights_pandas_series", "check_sample_weights_shape"]
MULTILABEL = ["check_classifiers_multilabel_output_format_decision_function",
              "check_classifiers_multilabel_output_format_predict",
              "check_classifiers_multilabel_output_format_predict_proba",
              "check_classifiers_multilabel_representation_invariance"]
CHECKS_OF = {"AgencyClassifier": COMMON + CLASSIFIER + MULTILABEL,
             "ThemeClassifier": COMMON + CLASSIFIER + SAMPLE_WEIGHT + MULTILABEL,
             "TaskDetector": COMMON + CLASSIFIER + SAMPLE_WEIGHT,
             "MentionRecognizer": COMMON}
MIRRORED = {"check_dict_unchanged", "check_estimators_fit_returns_self", "check_estimators_pickle",
            "check_fit_check_is_fitted", "check_fit_idempotent", "check_estimators_overwrite_params",
            "check_dont_overwrite_parameters", "check_classifiers_multilabel_output_format_predict",
            "check_classifiers_multilabel_output_format_predict_proba", "check_classifiers_train",
            "check_pipeline_consistency"}
SPECIAL = {
    "check_n_features_in": "not applicable: no n_features_in_, the frame's columns are named inputs, some "
                           "optional (context fields, mentions), not a feature count",
    "check_n_features_in_after_fitting": "not applicable: no n_features_in_ (named, partly optional columns)",
    ("ThemeClassifier", "check_methods_subset_invariance"): "by design a task's themes read the other tasks of its "
                                                            "document (doc column, document_context)",
    ("TaskDetector", "check_methods_subset_invariance"): "by design a candidate's score reads its neighbours and "
                                                         "its list (doc, group columns)",
    ("TaskDetector", "check_methods_sample_order_invariance"): "by design a candidate's score reads the previous "
                                                               "and next candidate of its document",
    ("MentionRecognizer", "check_estimators_empty_data_messages"): "by design fitted on no text it is the lexicon "
                                                                   "alone (a corpus without located agencies)",
    ("MentionRecognizer", "check_n_features_in"): "not applicable: X is a list of texts, no feature count",
    ("MentionRecognizer", "check_n_features_in_after_fitting"): "not applicable: X is a list of texts",
    ("MentionRecognizer", "check_pipeline_consistency"): NUMERIC["MentionRecognizer"] + "; no predict for a "
                                                                                        "Pipeline to call",
    ("AgencyClassifier", "check_methods_subset_invariance"): NUMERIC["AgencyClassifier"] + ON_THE_CORPUS,
    ("AgencyClassifier", "check_methods_sample_order_invariance"): NUMERIC["AgencyClassifier"] + ON_THE_CORPUS,
    ("ThemeClassifier", "check_methods_sample_order_invariance"): NUMERIC["ThemeClassifier"] + ON_THE_CORPUS,
}


def expected_failed(est) -> dict:
    """The checks each estimator is excused from, with the reason."""
    name = type(est).__name__
    out = {}
    for check in CHECKS_OF[name]:
        if (name, check) in SPECIAL:
            out[check] = SPECIAL[(name, check)]
        else:
            out[check] = SPECIAL.get(check, NUMERIC[name]) + (ON_THE_CORPUS if check in MIRRORED else "")
    return out


ESTIMATORS = [AgencyClassifier(), ThemeClassifier(), TaskDetector(),
              MentionRecognizer(lexicon=SMALL_LEXICON)]     # the default lexicon's class model takes seconds
API_CHECKS = {"check_no_attributes_set_in_init", "check_get_params_invariance", "check_set_params",
              "check_parameters_default_constructible", "check_estimator_cloneable", "check_estimator_repr",
              "check_estimators_unfitted", "check_do_not_raise_errors_in_init_or_set_params", "check_mixin_order",
              "check_fit1d", "check_valid_tag_types", "check_estimator_tags_renamed"}


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_estimators_sklearn_checks(est):
    """check_estimator with the excused checks: every other check passes (an unexpected failure raises), the
    API checks are among them, and every excused check does fail (the list stays exact). One test an
    estimator rather than parametrize_with_checks: pytest's report of 150 expected failures takes a minute."""
    from sklearn.utils.estimator_checks import check_estimator

    excused = expected_failed(est)
    assert not API_CHECKS & set(excused)
    results = check_estimator(est, expected_failed_checks=excused, on_fail="raise", on_skip=None)
    status: dict[str, set] = {}
    for r in results:
        status.setdefault(r["check_name"], set()).add(r["status"])
    assert API_CHECKS <= {c for c, st in status.items() if st == {"passed"}}
    assert {c for c, st in status.items() if "xfail" in st} == set(excused)
    assert not {c for c in excused if "passed" in status[c]}, "an excused check passes: take it off the list"
    assert {c for c, st in status.items() if "skipped" in st} <= {"check_array_api_input"}   # SCIPY_ARRAY_API unset


def test_estimators_multi_label_tag():
    from sklearn.utils import get_tags

    assert get_tags(AgencyClassifier()).classifier_tags.multi_label
    assert get_tags(ThemeClassifier()).classifier_tags.multi_label
    assert not get_tags(TaskDetector()).classifier_tags.multi_label


# --------------------------------------------------------------------------- the tiny corpus as X and y

@pytest.fixture(scope="module")
def prepared(tiny_examples):
    """The tiny corpus through the pipeline's rule components, aligned with its gold (as training does)."""
    from pipeline import training
    from pipeline.language import Pipeline

    return training.prepare(Pipeline.from_config(None), tiny_examples)


def build_task_data(prepared) -> dict:
    """X: a task frame (doc: the document of each task); standard targets: indicator matrices."""
    from pipeline.features import task_frame

    tasks = [t for p in prepared for t in p.tasks]
    golds = [g for p in prepared for g in p.golds]
    docs = np.array([i for i, p in enumerate(prepared) for _ in p.tasks])
    out = {"X": task_frame(tasks, docs=docs), "docs": docs}
    for field in ("lead", "support", "themes"):
        labels = [getattr(g, field) for g in golds]
        mlb = MultiLabelBinarizer().fit(labels)
        out[field] = (labels, mlb.transform(labels), mlb.classes_)
    return out


def build_cases(prepared) -> dict:
    """name -> (unfitted estimator, X, y, groups): standard targets, small but real settings; new objects on
    every call."""
    from pipeline import training
    from pipeline.splitting import candidate_frame

    data = build_task_data(prepared)
    X, docs = data["X"], data["docs"]
    _, lead_Y, lead_classes = data["lead"]
    _, theme_Y, theme_classes = data["themes"]
    cands = [c for p in prepared for c in p.doc.candidates]
    cdocs = np.array([i for i, p in enumerate(prepared) for _ in p.doc.candidates])
    yd = np.array([lab for p in prepared for lab in p.cand_labels])
    texts, spans = training.mention_training(prepared)
    return {
        "agencies": (AgencyClassifier(role="lead", classes=lead_classes), X, lead_Y, docs),
        "themes": (ThemeClassifier(classes=theme_classes), X, theme_Y, docs),
        "detector": (TaskDetector(), candidate_frame(cands, cdocs), yd, cdocs),
        "mentions": (MentionRecognizer(max_iterations=30), texts, spans, None),
    }


@pytest.fixture(scope="module")
def task_data(prepared):
    return build_task_data(prepared)


@pytest.fixture(scope="module")
def cases(prepared):
    return build_cases(prepared)


@pytest.fixture(scope="module")
def fitted(cases):
    return {name: clone(est).fit(X, y) for name, (est, X, y, _) in cases.items()}


def outputs(est, X) -> dict:
    """Everything an estimator predicts, as comparable values."""
    if isinstance(est, MentionRecognizer):
        return {"find_many": est.find_many(X), "label": est.label([str(x) for x in X[:10]])}
    out = {"predict": est.predict(X), "predict_proba": est.predict_proba(X)}
    if isinstance(est, AgencyClassifier):
        out["predict_agencies"] = est.predict_agencies(X)
    if isinstance(est, ThemeClassifier):
        out["predict_themes"] = est.predict_themes(X)
    return out


def assert_same(a: dict, b: dict):
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], np.ndarray):
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)
        else:
            assert a[k] == b[k], k


def fitted_state(obj, path="est", seen=None, out=None) -> dict:
    """Every value reachable from ``obj`` through attributes, dicts, lists, tuples and sets: scalars and
    arrays by value, containers by size (a cache filled by predict shows as a change)."""
    seen = set() if seen is None else seen
    out = {} if out is None else out
    if id(obj) in seen:
        return out
    seen.add(id(obj))
    if isinstance(obj, (str, bytes, int, float, bool, type(None))):
        out[path] = obj
    elif isinstance(obj, np.ndarray):
        out[path] = (obj.shape, repr(obj.tolist()) if obj.dtype == object else obj.tobytes())
    elif isinstance(obj, (dict, list, tuple, set, frozenset)):
        out[path] = (type(obj).__name__, len(obj))
        items = obj.items() if isinstance(obj, dict) else enumerate(
            sorted(obj, key=repr) if isinstance(obj, (set, frozenset)) else obj)
        for k, v in items:
            fitted_state(v, f"{path}[{k!r}]", seen, out)
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        for k, v in vars(obj).items():
            fitted_state(v, f"{path}.{k}", seen, out)
    return out


NAMES = ["agencies", "themes", "detector", "mentions"]


# --------------------------------------------------------------------------- the contract on real inputs

@pytest.mark.parametrize("name", NAMES)
def test_estimators_fit_returns_self_and_fitted_attributes_end_in_underscore(name, cases):
    est, X, y, _ = cases[name]
    est = clone(est)
    params = set(est.get_params())
    assert set(vars(est)) == params                       # __init__ stores its parameters and nothing else
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    assert est.fit(X, y) is est
    check_is_fitted(est)
    learned = set(vars(est)) - params
    assert learned and all(a.endswith("_") and not a.startswith("_") for a in learned), learned
    assert not any(p.endswith("_") for p in params)


@pytest.mark.parametrize("name", NAMES)
def test_estimators_every_prediction_method_raises_not_fitted_before_fit(name, cases):
    est, X, y, _ = cases[name]
    est = clone(est)
    methods = {"agencies": ["predict", "predict_proba", "predict_agencies"],
               "themes": ["predict", "predict_proba", "predict_themes"],
               "detector": ["predict", "predict_proba"],
               "mentions": ["find_many", "find", "label"]}[name]
    for m in methods:
        arg = X[0] if m == "find" else list(X[:2]) if m == "label" else X
        with pytest.raises(NotFittedError):
            getattr(est, m)(arg)
    if name != "mentions":
        with pytest.raises(NotFittedError):
            est.score(X, y)


@pytest.mark.parametrize("name", NAMES)
def test_estimators_clone_has_equal_params_and_is_unfitted(name, cases, fitted):
    est = fitted[name]
    twin = clone(est)
    a, b = est.get_params(), twin.get_params()
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(a[k], b[k]) if isinstance(a[k], np.ndarray) else a[k] == b[k], k
    with pytest.raises(NotFittedError):
        check_is_fitted(twin)
    assert set(vars(twin)) == set(a)


@pytest.mark.parametrize("name", NAMES)
def test_estimators_pickle_round_trip_gives_identical_predictions(name, cases, fitted):
    _, X, _, _ = cases[name]
    est = fitted[name]
    again = pickle.loads(pickle.dumps(est))
    assert again.get_params().keys() == est.get_params().keys()
    assert_same(outputs(est, X), outputs(again, X))


@pytest.mark.parametrize("name", NAMES)
def test_estimators_predict_changes_no_fitted_state(name, cases, fitted):
    """No cache filled at prediction time, no parameter or array changed (check_dict_unchanged, deep)."""
    _, X, _, _ = cases[name]
    est = fitted[name]
    before = fitted_state(est)
    outputs(est, X)
    after = fitted_state(est)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k, "?") != after.get(k, "?"))
    assert not changed, changed[:5]


@pytest.mark.parametrize("name", NAMES)
def test_estimators_fit_is_idempotent_and_leaves_its_inputs_alone(name, prepared, fitted):
    est, X, y, _ = build_cases(prepared)[name]          # inputs no other test has used
    X_copy = X.copy(deep=True) if isinstance(X, pd.DataFrame) else pickle.loads(pickle.dumps(X))
    y_copy = pickle.loads(pickle.dumps(y))
    params = fitted_state(est.get_params())
    refit = clone(est).fit(X, y).fit(X, y)
    assert_same(outputs(fitted[name], X), outputs(refit, X))
    assert fitted_state(est.get_params()) == params       # fit does not touch the parameters
    if isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(X, X_copy)
    else:
        assert X == X_copy
    assert pickle.dumps(y) == pickle.dumps(y_copy)


@pytest.mark.parametrize("name,change,effect", [
    ("agencies", {"threshold": 1.01, "inherit": False}, lambda est, X, out: not out["predict"].any()),
    ("agencies", {"threshold": 1.01}, lambda est, X, out: not any(a.explicit for ags in out["predict_agencies"]
                                                                   for a in ags)),
    ("themes", {"max_labels": 1}, lambda est, X, out: (out["predict"].sum(axis=1) == 1).all()),
    ("themes", {"C": 0.01}, lambda est, X, out: est.pipeline_.named_steps["clf"].estimator.C == 0.01),
    ("detector", {"threshold": 1.01}, lambda est, X, out: not out["predict"].any()),
    ("detector", {"neighbours": False}, lambda est, X, out: est.stack_ is None),
    ("mentions", {"C_label": 0.5}, lambda est, X, out: est.label_model_.named_steps["clf"].C == 0.5),
])
def test_estimators_set_params_reaches_the_fit_and_the_prediction(name, change, effect, cases, fitted):
    est, X, y, _ = cases[name]
    changed = clone(est)
    assert changed.set_params(**change) is changed
    assert {k: changed.get_params()[k] for k in change} == change
    changed.fit(X, y)
    assert effect(changed, X, outputs(changed, X))
    assert not effect(fitted[name], X, outputs(fitted[name], X))      # the default does not do it


@pytest.mark.parametrize("name", ["agencies", "themes", "detector"])
def test_estimators_predict_proba_rows_make_sense(name, cases, fitted):
    _, X, _, _ = cases[name]
    est = fitted[name]
    P, pred = est.predict_proba(X), est.predict(X)
    assert P.shape == (len(X), len(est.classes_)) and np.isfinite(P).all()
    assert ((P >= 0) & (P <= 1)).all()
    if name == "detector":                                 # two exclusive classes: rows sum to 1
        np.testing.assert_allclose(P.sum(axis=1), 1.0)
        np.testing.assert_array_equal(pred, est.classes_[(P[:, 1] >= est.threshold).astype(int)])
        return
    # multi-label: one column a label (rows need not sum to 1), predict is the indicator matrix of classes_
    assert pred.shape == P.shape and set(np.unique(pred)) <= {0, 1}
    if name == "agencies":                                  # a label is predicted iff it has a score
        np.testing.assert_array_equal(pred, (P > 0).astype(int))
    else:                                                   # 1 to max_labels themes, above threshold or the best
        assert ((pred.sum(axis=1) >= 1) & (pred.sum(axis=1) <= est.max_labels)).all()
        for p, row in zip(P, pred):
            chosen = np.flatnonzero(row)
            assert all(p[j] >= est.threshold or j == np.argmax(p) for j in chosen)


@pytest.mark.parametrize("name,field", [("agencies", "lead"), ("themes", "themes")])
def test_estimators_score_is_subset_accuracy_with_either_target_form(name, field, cases, fitted, task_data):
    _, X, Y, _ = cases[name]
    est = fitted[name]
    labels = task_data[field][0]
    s = est.score(X, Y)
    assert np.isfinite(s) and 0 <= s <= 1
    assert s == accuracy_score(Y, est.predict(X))
    assert est.score(X, labels) == s                       # label lists score the same
    w = np.linspace(1, 2, len(X))
    assert est.score(X, Y, sample_weight=w) == accuracy_score(Y, est.predict(X), sample_weight=w)


def test_estimators_detector_score_is_accuracy(cases, fitted):
    _, X, y, _ = cases["detector"]
    s = fitted["detector"].score(X, y)
    assert np.isfinite(s) and s == accuracy_score(y, fitted["detector"].predict(X))


@pytest.mark.parametrize("name,field", [("agencies", "lead"), ("themes", "themes")])
def test_estimators_indicator_targets_fit_as_label_lists_do(name, field, cases, fitted, task_data):
    est, X, Y, _ = cases[name]
    labels, _, classes = task_data[field]
    from_lists = clone(est).set_params(classes=None).fit(X, labels)
    np.testing.assert_array_equal(from_lists.classes_, classes)
    assert_same(outputs(fitted[name], X), outputs(from_lists, X))
    with pytest.raises(ValueError, match="classes= parameter"):
        clone(est).set_params(classes=None).fit(X, Y)


def test_estimators_agency_rows_are_independent(cases, fitted):
    """check_methods_subset_invariance and check_methods_sample_order_invariance, on task frames."""
    _, X, _, _ = cases["agencies"]
    est = fitted["agencies"]
    P = est.predict_proba(X)
    for part in np.array_split(np.arange(len(X)), 4):
        np.testing.assert_array_equal(est.predict_proba(X.iloc[part]), P[part])
    order = np.random.RandomState(0).permutation(len(X))
    np.testing.assert_array_equal(est.predict_proba(X.iloc[order]), P[order])


def test_estimators_themes_do_not_depend_on_row_order(cases, fitted):
    """A task's themes read its document's other tasks, as a set: the order of the rows does not matter."""
    _, X, _, _ = cases["themes"]
    est = fitted["themes"]
    order = np.random.RandomState(0).permutation(len(X))
    np.testing.assert_allclose(est.predict_proba(X.iloc[order]), est.predict_proba(X)[order], rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- model selection and pipelines

def nfc(X: pd.DataFrame) -> pd.DataFrame:
    """A step of one's own: Unicode NFC of the text (text pasted from some PDFs comes decomposed)."""
    cols = [c for c in ("text", "words") if c in X.columns]
    return X.assign(**{c: X[c].map(lambda t: unicodedata.normalize("NFC", t)) for c in cols})


class Squeeze(TransformerMixin, BaseEstimator):
    """A transformer of one's own: runs of spaces in ``column`` as one (``sep``)."""

    def __init__(self, column: str = "text", sep: str = " "):
        self.column = column
        self.sep = sep

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X.assign(**{self.column: X[self.column].map(lambda t: self.sep.join(t.split()))})


def test_estimators_cross_val_score_gives_finite_scores(cases):
    for name in ("agencies", "themes", "detector"):
        est, X, y, groups = cases[name]
        scores = cross_val_score(est, X, y, groups=groups, cv=GroupKFold(n_splits=3))
        assert len(scores) == 3 and np.isfinite(scores).all() and ((scores >= 0) & (scores <= 1)).all(), name
    est, X, Y, groups = cases["themes"]
    f1 = cross_val_score(clone(est).set_params(document_context=False), X, Y, groups=groups, cv=GroupKFold(n_splits=3),
                         scoring="f1_micro")
    assert np.isfinite(f1).all() and f1.max() > 0


@pytest.mark.parametrize("name,grid", [("agencies", {"threshold": [0.3, 0.7]}),
                                       ("themes", {"C": [1.0, 8.0]}),
                                       ("detector", {"C": [0.5, 2.0]})])
def test_estimators_grid_search_finds_a_finite_best_and_refits(name, grid, cases):
    est, X, y, groups = cases[name]
    search = GridSearchCV(est, grid, cv=GroupKFold(n_splits=3), error_score="raise").fit(X, y, groups=groups)
    assert np.isfinite(search.best_score_) and np.isfinite(search.cv_results_["mean_test_score"]).all()
    (key, values), = grid.items()
    assert search.best_params_[key] in values and search.best_estimator_.get_params()[key] == search.best_params_[key]
    check_is_fitted(search.best_estimator_)
    np.testing.assert_array_equal(search.predict(X), search.best_estimator_.predict(X))
    refit = clone(est).set_params(**search.best_params_).fit(X, y)
    np.testing.assert_array_equal(search.predict_proba(X), refit.predict_proba(X))


def test_estimators_in_a_pipeline_with_a_step_of_ones_own(cases, fitted):
    # agencies after an NFC step: decomposed text loses its mentions, the step brings them back
    est, X, Y, groups = cases["agencies"]
    nfd = X.assign(text=X["text"].map(lambda t: unicodedata.normalize("NFD", t)))
    pipe = SkPipeline([("nfc", FunctionTransformer(nfc)), ("agencies", clone(est))]).fit(nfd, Y)
    np.testing.assert_array_equal(pipe.predict(nfd), fitted["agencies"].predict(X))
    assert not np.array_equal(fitted["agencies"].predict(nfd), fitted["agencies"].predict(X))
    scores = cross_val_score(pipe, nfd, Y, groups=groups, cv=GroupKFold(n_splits=3))
    assert np.isfinite(scores).all()

    # themes: a nested parameter searched through the pipeline
    est, X, Y, groups = cases["themes"]
    pipe = SkPipeline([("nfc", FunctionTransformer(nfc)), ("themes", clone(est).set_params(document_context=False))])
    search = GridSearchCV(pipe, {"themes__C": [1.0, 8.0]}, cv=GroupKFold(n_splits=3), scoring="f1_micro",
                          error_score="raise").fit(X, Y, groups=groups)
    assert np.isfinite(search.best_score_) and search.best_estimator_.named_steps["themes"].C in (1.0, 8.0)
    assert search.predict(X).shape == Y.shape

    # the detector after a transformer class of one's own, cloned with its parameters
    est, X, y, groups = cases["detector"]
    pipe = SkPipeline([("squeeze", Squeeze(sep=" ")), ("detector", clone(est))])
    assert clone(pipe).get_params()["squeeze__column"] == "text"
    scores = cross_val_score(pipe, X, y, groups=groups, cv=GroupKFold(n_splits=3))
    assert np.isfinite(scores).all()
    spaced = X.assign(text=X["text"].str.replace(" ", "  "))
    assert pipe.named_steps["squeeze"].transform(spaced)["text"].tolist() == X["text"].tolist()
    np.testing.assert_array_equal(pipe.fit(X, y).predict(spaced), fitted["detector"].predict(X))


def test_estimators_readme_example_runs(capsys):
    from test_language import _readme_block

    code = _readme_block("an estimator in GridSearchCV")
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    search = namespace["search"]
    assert np.isfinite(search.best_score_)
    assert search.best_estimator_.named_steps["themeclassifier"].C in (1.0, 8.0)
    assert capsys.readouterr().out.strip()
