"""Themes (pipeline/themes.py): the first stage reads the task and its context, the second the document's
other tasks (``doc``); 1 to ``max_labels`` themes above each theme's threshold (``threshold``, or tuned per
theme), ``alone`` themes alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.document import Task, TaskContext
from pipeline.features import task_frame
from pipeline.themes import (THRESHOLD_MIN_POSITIVES, ThemeClassifier, context_text, document_means, title_text,
                             tuned_thresholds)

BARE = "Tổ chức kiểm tra, đôn đốc việc thực hiện kế hoạch."
BLOOD = ["Vận động đoàn viên tham gia hiến máu tình nguyện.", "Tổ chức ngày hội hiến máu tại các trường học.",
         "Bảo đảm vật tư tiếp nhận máu tại các điểm hiến máu."]
VOTE = ["Niêm yết danh sách cử tri tại các khu vực bỏ phiếu.", "Tổ chức hội nghị hiệp thương giới thiệu người ứng cử.",
        "Bảo đảm an toàn các tổ bầu cử trong ngày bầu cử."]


def corpus(n_docs: int = 8):
    """Documents about blood donation or about elections; each also has the same bare checking task,
    labelled with checking and with its document's theme."""
    rows, y, docs = [], [], []
    for d in range(n_docs):
        blood = d % 2 == 0
        for text in (BLOOD if blood else VOTE):
            rows.append(text)
            y.append(["hien_mau" if blood else "bau_cu"])
            docs.append(d)
        rows.append(BARE)
        y.append(["kiem_tra_giam_sat", "hien_mau" if blood else "bau_cu"])
        docs.append(d)
    X = task_frame([Task(id=i, text=t, start=0, end=len(t)) for i, t in enumerate(rows)], docs=docs)
    return X, y


def one_doc(texts, doc=0):
    return task_frame([Task(id=i, text=t, start=0, end=len(t)) for i, t in enumerate(texts)], docs=[doc] * len(texts))


@pytest.fixture(scope="module")
def fitted():
    X, y = corpus()
    return ThemeClassifier(C=4.0, folds=4).fit(X, y)


def test_themes_second_stage_is_fitted_per_theme(fitted):
    assert fitted.stack_ is not None and len(fitted.stack_) == len(fitted.classes_)
    assert list(fitted.classes_) == ["bau_cu", "hien_mau", "kiem_tra_giam_sat"]


def test_themes_document_context_reads_the_other_tasks_of_the_document(fitted):
    blood_doc = one_doc(BLOOD + [BARE])
    vote_doc = one_doc(VOTE + [BARE])
    j = {c: i for i, c in enumerate(fitted.classes_)}
    pb = fitted.predict_proba(blood_doc)[-1]
    pv = fitted.predict_proba(vote_doc)[-1]
    assert pb[j["hien_mau"]] > pb[j["bau_cu"]]
    assert pv[j["bau_cu"]] > pv[j["hien_mau"]]
    assert {t.id for t in fitted.predict_themes(blood_doc)[-1]} >= {"hien_mau"}
    assert "hien_mau" not in {t.id for t in fitted.predict_themes(vote_doc)[-1]}
    # the first stage alone cannot tell the two bare tasks apart
    from pipeline.themes import _inputs

    p1 = fitted.pipeline_.predict_proba(_inputs(pd.concat([blood_doc, vote_doc], ignore_index=True)))
    np.testing.assert_allclose(p1[len(BLOOD)], p1[-1])


def test_themes_doc_column_groups_the_tasks(fitted):
    both = pd.concat([one_doc(BLOOD + [BARE], doc=0), one_doc(VOTE + [BARE], doc=1)], ignore_index=True)
    merged = both.assign(doc=0)                                   # the same rows said to be one document
    a, b = fitted.predict_proba(both), fitted.predict_proba(merged)
    assert not np.allclose(a, b)
    np.testing.assert_allclose(a[:4], fitted.predict_proba(one_doc(BLOOD + [BARE])))    # per document, as alone


def test_themes_without_document_context_the_doc_column_does_not_matter():
    X, y = corpus()
    plain = ThemeClassifier(C=4.0, document_context=False).fit(X, y)
    assert plain.stack_ is None
    both = pd.concat([one_doc(BLOOD + [BARE], doc=0), one_doc(VOTE + [BARE], doc=1)], ignore_index=True)
    np.testing.assert_allclose(plain.predict_proba(both), plain.predict_proba(both.assign(doc=0)))
    np.testing.assert_allclose(plain.predict_proba(both)[3], plain.predict_proba(both)[-1])


def test_themes_second_stage_needs_as_many_documents_as_folds():
    X, y = corpus(3)
    assert ThemeClassifier(folds=4).fit(X, y).stack_ is None
    X, y = corpus(4)
    assert ThemeClassifier(folds=4).fit(X, y).stack_ is not None


def test_themes_document_means():
    P = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    np.testing.assert_allclose(document_means(P, np.array([0, 0, 1])), [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]])


# --------------------------------------------------------------------------- choosing the themes of a task

class _Fixed(ThemeClassifier):
    """predict_proba returns the given rows: the choice rule on its own."""

    def __init__(self, P=None, threshold=0.35, max_labels=3, alone=("khac",)):
        super().__init__(threshold=threshold, max_labels=max_labels, alone=alone)
        self.P = P

    def predict_proba(self, X):
        return np.asarray(self.P)


@pytest.mark.parametrize("row,expected", [
    ([0.9, 0.8, 0.7, 0.6], ["a", "b", "c"]),            # at most max_labels
    ([0.9, 0.3, 0.2, 0.1], ["a"]),
    ([0.2, 0.3, 0.1, 0.1], ["b"]),                      # none above the threshold: the best one
    ([0.4, 0.9, 0.1, 0.8], ["b", "a"]),               # khac among others: dropped
    ([0.1, 0.2, 0.1, 0.9], ["khac"]),                   # khac first: alone
])
def test_themes_predict_themes_choice(row, expected):
    clf = _Fixed(P=[row])
    clf.classes_ = np.array(["a", "b", "c", "khac"])
    assert [t.id for t in clf.predict_themes(None)[0]] == expected


def test_themes_predict_is_the_indicator_of_predict_themes():
    clf = _Fixed(P=[[0.9, 0.8, 0.1, 0.0], [0.1, 0.2, 0.1, 0.9]])
    clf.classes_ = np.array(["a", "b", "c", "khac"])
    np.testing.assert_array_equal(clf.predict(None), [[1, 1, 0, 0], [0, 0, 0, 1]])


def test_themes_own_threshold_is_chosen_among_those_that_decide():
    # column 0: positives at 0.55–0.65 among negatives up to 0.5, so 0.525 (the first best) is its best;
    # column 1: too few positives to choose, the default stays
    n = THRESHOLD_MIN_POSITIVES
    p0 = np.r_[np.linspace(0.55, 0.65, n), np.linspace(0.1, 0.5, 3 * n)]
    y0 = np.r_[np.ones(n), np.zeros(3 * n)]
    P = np.column_stack([p0, p0])
    Y = np.column_stack([y0, np.r_[np.ones(n - 1), np.zeros(3 * n + 1)]]).astype(int)
    th = tuned_thresholds(P, Y, 0.35)
    assert th[0] == pytest.approx(0.5 * 0.35 + 0.5 * 0.525)
    assert th[1] == 0.35


def test_themes_predict_themes_reads_each_themes_threshold():
    clf = _Fixed(P=[[0.4, 0.38, 0.1, 0.0]])
    clf.classes_ = np.array(["a", "b", "c", "khac"])
    assert [t.id for t in clf.predict_themes(None)[0]] == ["a", "b"]
    clf.thresholds_ = np.array([0.35, 0.45, 0.35, 0.35])        # "b" needs more than its 0.38
    assert [t.id for t in clf.predict_themes(None)[0]] == ["a"]


def test_themes_thresholds_are_fitted_only_when_asked(monkeypatch):
    import pipeline.themes as themes

    monkeypatch.setattr(themes, "THRESHOLD_MIN_POSITIVES", 1)      # the toy corpus has few tasks a theme
    X, y = corpus()
    tuned = ThemeClassifier(C=4.0, folds=4).fit(X, y)
    plain = ThemeClassifier(C=4.0, folds=4, tune_thresholds=False).fit(X, y)
    assert tuned.thresholds_.shape == (len(tuned.classes_),)
    np.testing.assert_array_equal(plain.thresholds_, np.full(len(plain.classes_), plain.threshold))
    assert not np.allclose(tuned.thresholds_, plain.thresholds_)


# --------------------------------------------------------------------------- inputs

def test_themes_context_and_title_texts():
    t = Task(id=0, text=BARE, start=0, end=len(BARE),
             context=TaskContext(headings="II. NHIỆM VỤ\n1. Công tác hiến máu", parent="Công tác hiến máu",
                                 lead_in="Các cơ quan thực hiện:", item="Sở Y tế chủ trì.", title="KẾ HOẠCH"))
    X = task_frame([t])
    ctx = context_text(X)[0]
    assert ctx.startswith("ctx ") and all(s in ctx for s in ("1. Công tác hiến máu", "Các cơ quan thực hiện:",
                                                              "Sở Y tế chủ trì."))
    assert title_text(X)[0] == "title KẾ HOẠCH"
    assert context_text(pd.DataFrame({"text": ["x"]}))[0].startswith("ctx")     # never empty
    assert title_text(pd.DataFrame({"text": ["x"]}))[0] == "title"


def test_themes_title_is_read_by_the_first_stage():
    X, y = corpus()
    X = X.assign(title=["KẾ HOẠCH hiến máu tình nguyện" if d % 2 == 0 else "KẾ HOẠCH bầu cử" for d in X["doc"]])
    clf = ThemeClassifier(C=4.0, document_context=False).fit(X, y)
    j = {c: i for i, c in enumerate(clf.classes_)}
    blood = clf.predict_proba(one_doc([BARE]).assign(title="KẾ HOẠCH hiến máu tình nguyện"))[0]
    vote = clf.predict_proba(one_doc([BARE]).assign(title="KẾ HOẠCH bầu cử"))[0]
    assert blood[j["hien_mau"]] > vote[j["hien_mau"]] and vote[j["bau_cu"]] > blood[j["bau_cu"]]
    assert ThemeClassifier(C=4.0, document_context=False, title_weight=0.0).fit(X, y).predict_proba(
        one_doc([BARE]).assign(title="KẾ HOẠCH bầu cử"))[0][j["bau_cu"]] < vote[j["bau_cu"]]


def test_themes_sample_weight_is_used():
    X, y = corpus()
    w = np.where(np.arange(len(y)) % 4 == 3, 10.0, 1.0)
    a = ThemeClassifier(document_context=False).fit(X, y).predict_proba(X)
    b = ThemeClassifier(document_context=False).fit(X, y, sample_weight=w).predict_proba(X)
    assert not np.allclose(a, b)


def test_themes_bad_inputs():
    with pytest.raises(ValueError, match="'words' or 'text' column"):
        ThemeClassifier().fit(pd.DataFrame({"x": [1]}), [["a"]])
    with pytest.raises(ValueError, match="one label set per row"):
        ThemeClassifier().fit(one_doc(["a b c"]), [["a"], ["b"]])
    with pytest.raises(ValueError, match="classes="):
        ThemeClassifier().fit(one_doc(["a b c", "d e f"]), np.array([[1, 0], [0, 1]]))


def test_themes_component_reads_one_document(tiny_nlp):
    doc = tiny_nlp("1. Sở Y tế vận động hiến máu tình nguyện.\n2. Tổ chức kiểm tra việc thực hiện kế hoạch.")
    assert doc.tasks and all(1 <= len(t.themes) <= 3 for t in doc.tasks)
    model = tiny_nlp.get_pipe("themes").models["themes"]
    X = task_frame(doc.tasks, with_mentions=False)
    assert [[t.id for t in ts] for ts in model.predict_themes(X)] == [[t.id for t in task.themes] for task in doc.tasks]


def test_themes_character_ngrams_read_a_word_the_words_never_saw():
    """A word written otherwise than in training ("hiếnmáu" glued by a scan, "bầucử") shares no word feature
    with it, but most of its character n-grams: with ``char_weight`` its theme is still read."""
    X, y = corpus()
    glued = one_doc(["Vận động hiếnmáu.", "Niêm yết bầucử."])
    with_chars = ThemeClassifier(C=4.0, document_context=False).fit(X, y)
    words_only = ThemeClassifier(C=4.0, document_context=False, char_weight=0.0).fit(X, y)
    assert with_chars.pipeline_.named_steps["features"].transformer_weights["chars"] == with_chars.char_weight
    assert "chars" not in words_only.pipeline_.named_steps["features"].named_transformers_
    assert ThemeClassifier(char_weight=0.3, document_context=False).fit(X, y).pipeline_.named_steps[
        "features"].transformer_weights["chars"] == 0.3
    j = {c: i for i, c in enumerate(with_chars.classes_)}
    a, b = with_chars.predict_proba(glued), words_only.predict_proba(glued)
    assert a[0][j["hien_mau"]] - a[0][j["bau_cu"]] > b[0][j["hien_mau"]] - b[0][j["bau_cu"]]
    assert a[1][j["bau_cu"]] - a[1][j["hien_mau"]] > b[1][j["bau_cu"]] - b[1][j["hien_mau"]]


def test_themes_probabilities_are_those_of_the_scikit_learn_models_to_the_last_bit(fitted):
    """The theme model computes its logistic regressions' probabilities itself (no input checks on each of
    its forty calls a document): exactly what their own predict_proba gives."""
    from pipeline.themes import _inputs, first_stage_proba, positive_proba, stack_features

    X = pd.concat([one_doc(BLOOD + [BARE], 0), one_doc(VOTE + ["Một việc khác hẳn."], 1)], ignore_index=True)
    Z = _inputs(X)
    P = fitted.pipeline_.predict_proba(Z)
    assert np.array_equal(first_stage_proba(fitted.pipeline_, Z), P)
    D, S = fitted._context_means(P, X, X["doc"].to_numpy())
    for j, m in enumerate(fitted.stack_):
        F = stack_features(P, D, j, S, fitted.cross_themes)
        assert np.array_equal(positive_proba(m, F), m.predict_proba(F)[:, 1])
    expected = np.column_stack([m.predict_proba(stack_features(P, D, j, S, fitted.cross_themes))[:, 1]
                                for j, m in enumerate(fitted.stack_)])
    # the same values in other arrays: BLAS may round a dot product's last bit by the memory's alignment
    np.testing.assert_allclose(fitted.predict_proba(X), expected, rtol=0, atol=1e-15)


def _sectioned(n_docs: int):
    """Documents with two sections under neutral headings, one on blood donation and one on elections (in
    either order), each ending with the bare checking task labelled with its section's theme."""
    tasks, y, docs = [], [], []
    for d in range(n_docs):
        sections = [("hien_mau", BLOOD), ("bau_cu", VOTE)][:: 1 if d % 2 == 0 else -1]
        for k, (theme, texts) in enumerate(sections):
            for text in texts + [BARE]:
                tasks.append(Task(id=len(tasks), text=text, start=0, end=len(text),
                                  context=TaskContext(heading=f"Mục {k + 1}")))
                y.append([theme] + (["kiem_tra_giam_sat"] if text == BARE else []))
                docs.append(d)
    return task_frame(tasks, docs=docs), y


def test_themes_section_context_reads_the_tasks_under_the_same_heading():
    """Within one document, the bare task takes the theme of its own section (the tasks under the same
    nearest heading) with section_context, which the document's mean alone cannot tell apart."""
    X, y = _sectioned(8)
    test, _ = _sectioned(2)
    test = test[test["doc"] == 0]                  # blood under "Mục 1", elections under "Mục 2"
    bare = np.flatnonzero(test["text"].to_numpy() == BARE)
    for section_context in (True, False):
        clf = ThemeClassifier(C=4.0, folds=4, section_context=section_context).fit(X, y)
        j = {c: i for i, c in enumerate(clf.classes_)}
        P = clf.predict_proba(test)[bare]
        margin = (P[0, j["hien_mau"]] - P[0, j["bau_cu"]]) + (P[1, j["bau_cu"]] - P[1, j["hien_mau"]])
        if section_context:
            assert P[0, j["hien_mau"]] > P[0, j["bau_cu"]] and P[1, j["bau_cu"]] > P[1, j["hien_mau"]]
            with_sections = margin
        else:
            assert margin < with_sections
    assert len(ThemeClassifier(section_context=True, cross_themes=False).fit(X, y).stack_[0].coef_[0]) == 5


def test_themes_cross_themes_reads_every_themes_first_stage_probability(fitted):
    """With cross_themes (the default) a theme's second stage reads the task's and its document's first-stage
    probabilities of the other themes too; without it, only its own."""
    from pipeline.themes import _inputs

    X = one_doc(BLOOD + [BARE])
    P = fitted.pipeline_.predict_proba(_inputs(X))
    D, S = fitted._context_means(P, X, X["doc"].to_numpy())
    j = {c: i for i, c in enumerate(fitted.classes_)}
    other = P.copy()
    other[:, j["bau_cu"]] = 1.0 - other[:, j["bau_cu"]]      # another theme's probability changed, not hien_mau's
    D2, S2 = fitted._context_means(other, X, X["doc"].to_numpy())
    k = j["hien_mau"]
    assert fitted.cross_themes and len(fitted.stack_[k].coef_[0]) == 5 + 2 * len(fitted.classes_)
    assert not np.allclose(fitted._second_stage(P, D, S)[:, k], fitted._second_stage(other, D2, S2)[:, k])
    X8, y8 = corpus()
    own = ThemeClassifier(C=4.0, folds=4, cross_themes=False).fit(X8, y8)
    assert len(own.stack_[k].coef_[0]) == 5
    np.testing.assert_array_equal(own._second_stage(P, D, S)[:, k], own._second_stage(other, D2, S2)[:, k])
