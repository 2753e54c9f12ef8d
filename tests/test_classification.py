"""Stage 6, classification: AgencyClassifier and ThemeClassifier on a hand-built training set.

The training set (conftest.TRAIN_TASKS) uses label ids that exist nowhere in
the code or in data/ ("team_a", "media"…): what the estimators predict can
only have come from ``y``.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from conftest import TRAIN_TASKS
from pipeline.classification import (CONTEXT_COLUMNS, AgencyClassifier, ThemeClassifier, mention_features,
                                     task_frame)
from pipeline.document import AgencyLabel, ThemeLabel
from pipeline.lexicon import Mention


def frame(*rows):
    return task_frame([r if isinstance(r, dict) else {"text": r} for r in rows])


def lead_of(labels: list[AgencyLabel]) -> list[tuple]:
    return [(a.id, a.name, a.explicit, a.source) for a in labels if a.role == "lead"]


def support_of(labels: list[AgencyLabel]) -> list[tuple]:
    return [(a.id, a.name) for a in labels if a.role == "support"]


# --------------------------------------------------------------------------- task_frame

def test_classification_task_frame_columns_and_defaults():
    X = task_frame([{"text": "Sở Y tế chủ trì.", "context": {"parent": "Nhiệm vụ", "junk": "x"}},
                    {"text": "Ban Dân vận phối hợp.", "words": "Ban_Dân_vận phối_hợp .", "issuer": "Tỉnh ủy"}])
    assert list(X.columns) == ["text", "words", "issuer", *CONTEXT_COLUMNS]
    assert X.loc[0, "words"] == "Sở Y tế chủ trì."          # words default to the text
    assert X.loc[0, "parent"] == "Nhiệm vụ" and X.loc[0, "issuer"] == ""
    assert X.loc[1, "words"] == "Ban_Dân_vận phối_hợp ." and X.loc[1, "issuer"] == "Tỉnh ủy"
    assert (X.loc[1, CONTEXT_COLUMNS] == "").all()


def test_classification_mention_features():
    text = "Sở Y tế chủ trì, phối hợp với Ban Dân vận tổ chức."
    m = Mention(30, 41, "Ban Dân vận", "ban_dan_van", "name")
    f = mention_features(text, m, 1, 2, "team_a", "team_a")
    assert f["label=team_a"] == 1 and f["kind=name"] == 1
    assert f["b0=với"] == 1 and f["b1=hợp"] == 1 and f["b01=hợp với"] == 1
    assert f["a0=tổ"] == 1 and f["a01=tổ chức"] == 1
    assert (f["index"], f["count"], f["first"], f["at_start"], f["issuer"]) == (1, 2, 0, 0, 1)


# --------------------------------------------------------------------------- AgencyClassifier

def test_classification_agency_fit_returns_self_and_classes_from_y(train_frame):
    X, y, _ = train_frame
    clf = AgencyClassifier()
    assert clf.fit(X, y) is clf
    assert list(clf.classes_) == ["team_a", "team_b", "team_c", "team_d"]


def test_classification_agency_classes_follow_relabelled_y(train_frame):
    X, y, _ = train_frame
    renamed = [[{**a, "id": a["id"].replace("team_", "unit-")} for a in ys] for ys in y]
    clf = AgencyClassifier().fit(X, renamed)
    assert list(clf.classes_) == ["unit-a", "unit-b", "unit-c", "unit-d"]
    pred = clf.predict_agencies(frame("Sở Y tế chủ trì tổ chức hiến máu."))
    assert lead_of(pred[0]) == [("unit-b", "Sở Y tế", True, "text")]


def test_classification_agency_not_fitted():
    with pytest.raises(NotFittedError):
        AgencyClassifier().predict_agencies(frame("Sở Y tế chủ trì."))


def test_classification_agency_fit_without_labels():
    with pytest.raises(ValueError, match="at least one agency label"):
        AgencyClassifier().fit(frame("Sở Y tế chủ trì."), [[]])


def test_classification_agency_shapes(agency_clf):
    X = frame("Ban Tuyên giáo chủ trì tuyên truyền về hiến máu.", "Sở Y tế chủ trì tổ chức hiến máu.",
              "Tổ chức tuyên truyền rộng rãi.")
    proba = agency_clf.predict_proba(X)
    assert proba.shape == (3, 4)
    assert ((proba >= 0) & (proba <= 1)).all()
    pred = agency_clf.predict(X)
    assert pred.shape == (3, 4) and pred.dtype.kind == "i"
    assert pred.tolist() == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]]
    assert len(agency_clf.predict_agencies(X)) == 3


def test_classification_agency_get_params_and_clone(agency_clf):
    assert agency_clf.get_params() == {"C_label": 10.0, "C_role": 1.0, "use_lexicon": True, "threshold": 0.5}
    c = clone(agency_clf)
    assert not hasattr(c, "role_model_") and c.get_params() == agency_clf.get_params()


@pytest.mark.parametrize("text,lead", [
    ("Ban Tuyên giáo chủ trì tuyên truyền về hiến máu.", ("team_a", "Ban Tuyên giáo")),
    ("Sở Y tế chủ trì tổ chức hiến máu tình nguyện.", ("team_b", "Sở Y tế")),
    ("Hội Chữ thập đỏ vận động hội viên hiến máu.", ("team_c", "Hội Chữ thập đỏ")),
    ("Đoàn Thanh niên tuyên truyền trong đoàn viên.", ("team_d", "Đoàn Thanh niên")),
])
def test_classification_agency_explicit_lead(agency_clf, text, lead):
    labels = agency_clf.predict_agencies(frame(text))[0]
    assert lead_of(labels) == [(*lead, True, "text")]
    a = labels[0]
    assert isinstance(a, AgencyLabel) and 0.5 < a.score <= 1
    assert text[:len(a.name)] == a.name


@pytest.mark.parametrize("text,lead,support", [
    ("Sở Y tế chủ trì, phối hợp với Đoàn Thanh niên tổ chức hiến máu.", "team_b", ("team_d", "Đoàn Thanh niên")),
    ("Hội Chữ thập đỏ phối hợp với Ban Tuyên giáo tuyên truyền.", "team_c", ("team_a", "Ban Tuyên giáo")),
    ("Đoàn Thanh niên phối hợp với Sở Y tế vận động hiến máu.", "team_d", ("team_b", "Sở Y tế")),
])
def test_classification_agency_phoi_hop_voi_gives_support(agency_clf, text, lead, support):
    labels = agency_clf.predict_agencies(frame(text))[0]
    assert [a.id for a in labels if a.role == "lead"] == [lead]
    assert support_of(labels) == [support]
    assert all(a.explicit for a in labels)


def test_classification_agency_lead_is_not_also_support(agency_clf):
    labels = agency_clf.predict_agencies(frame("Sở Y tế chủ trì, phối hợp với Sở Y tế huyện tổ chức hiến máu."))[0]
    assert [(a.id, a.role) for a in labels] == [("team_b", "lead")]


@pytest.mark.parametrize("context,lead", [
    ({"parent": "Hội Chữ thập đỏ chủ trì thực hiện các nội dung sau:"}, ("team_c", "Hội Chữ thập đỏ", False, "parent")),
    ({"item": "Ban Tuyên giáo chủ trì tuyên truyền.", "parent": "Sở Y tế chủ trì thực hiện:"},
     ("team_a", "Ban Tuyên giáo", False, "item")),
    ({"lead_in": "Ban Thường vụ yêu cầu Sở Y tế thực hiện:"}, ("team_b", "Sở Y tế", False, "lead_in")),
    ({"addressees": "Đoàn Thanh niên\n"}, ("team_d", "Đoàn Thanh niên", False, "addressees")),
    ({"recipients": "Lưu Sở Y tế\nĐoàn Thanh niên\n"}, ("team_d", "Đoàn Thanh niên", False, "recipients")),
], ids=["parent", "item-before-parent", "lead-in-object", "addressees", "recipients-skip-luu"])
def test_classification_agency_inherits_lead_from_context(agency_clf, context, lead):
    labels = agency_clf.predict_agencies(frame({"text": "Tổ chức tuyên truyền rộng rãi.", "context": context}))[0]
    assert lead_of(labels) == [lead]
    assert 0 < labels[0].score < 1


def test_classification_agency_explicit_lead_beats_context(agency_clf):
    X = frame({"text": "Báo cáo kết quả về Sở Y tế.",
               "context": {"parent": "Hội Chữ thập đỏ chủ trì các nội dung:"}})
    labels = agency_clf.predict_agencies(X)[0]
    assert all(a.explicit for a in labels)
    assert "team_c" not in [a.id for a in labels]


def test_classification_agency_no_actor_no_context(agency_clf):
    assert agency_clf.predict_agencies(frame("Tổ chức tuyên truyền rộng rãi."))[0] == []


def test_classification_agency_name_learned_from_corpus_not_lexicon(train_frame):
    # without the default lexicon the matcher knows only the names in y
    X, y, _ = train_frame
    clf = AgencyClassifier(use_lexicon=False).fit(X, y)
    assert {alias for _, alias, _ in clf.matcher_.entries} == {"Ban Tuyên giáo", "Sở Y tế", "Hội Chữ thập đỏ",
                                                                "Đoàn Thanh niên"}
    labels = clf.predict_agencies(frame("Hội Chữ thập đỏ tỉnh Thái Nguyên vận động hiến máu."))[0]
    assert lead_of(labels) == [("team_c", "Hội Chữ thập đỏ tỉnh Thái Nguyên", True, "text")]


# --------------------------------------------------------------------------- ThemeClassifier

def test_classification_theme_fit_returns_self_and_classes_from_y(train_frame):
    X, _, y = train_frame
    clf = ThemeClassifier()
    assert clf.fit(X, y) is clf
    assert list(clf.classes_) == ["audit", "blood", "khac", "media"]


def test_classification_theme_not_fitted():
    with pytest.raises(NotFittedError):
        ThemeClassifier().predict_proba(frame("Tuyên truyền về hiến máu."))


def test_classification_theme_shapes(theme_clf):
    X = frame("Ban Tuyên giáo tuyên truyền về hiến máu.", "Sở Y tế tổ chức hiến máu tình nguyện.",
              "Thực hiện các nhiệm vụ khác được giao.")
    proba = theme_clf.predict_proba(X)
    assert proba.shape == (3, 4)
    assert ((proba >= 0) & (proba <= 1)).all()
    pred = theme_clf.predict(X)
    assert pred.shape == (3, 4)
    assert set(np.unique(pred)) <= {0, 1}
    assert (pred.sum(axis=1) >= 1).all()


@pytest.mark.parametrize("text,theme", [
    ("Sở Y tế tổ chức hiến máu tình nguyện.", "blood"),
    ("Tuyên truyền trên mạng xã hội về phong trào.", "media"),
    ("Kiểm tra chất lượng máu tại các bệnh viện.", "audit"),
    ("Thực hiện các nhiệm vụ khác được giao.", "khac"),
])
def test_classification_theme_top_label(theme_clf, text, theme):
    themes = theme_clf.predict_themes(frame(text))[0]
    assert all(isinstance(t, ThemeLabel) for t in themes)
    assert themes[0].id == theme


@pytest.mark.parametrize("max_labels", [1, 2, 3])
def test_classification_theme_count_between_1_and_max_labels(train_frame, max_labels):
    X, _, y = train_frame
    clf = ThemeClassifier(threshold=0.0, max_labels=max_labels).fit(X, y)
    out = clf.predict_themes(X)
    assert all(1 <= len(ts) <= max_labels for ts in out)
    # threshold 0: every label passes, so only max_labels (and the 'khac' rule) limit the count
    assert any(len(ts) == max_labels for ts in out)
    for ts in out:
        scores = [t.score for t in ts]
        assert scores == sorted(scores, reverse=True)


def test_classification_theme_high_threshold_still_one_label(train_frame):
    X, _, y = train_frame
    clf = ThemeClassifier(threshold=1.1).fit(X, y)
    assert all(len(ts) == 1 for ts in clf.predict_themes(X))


def test_classification_theme_khac_stays_alone(train_frame, theme_clf):
    X, _, y = train_frame
    assert [t.id for t in theme_clf.predict_themes(frame("Thực hiện các nhiệm vụ khác được giao."))[0]] == ["khac"]
    loose = ThemeClassifier(threshold=0.0, max_labels=3).fit(X, y)
    for ts in loose.predict_themes(X):
        ids = [t.id for t in ts]
        assert "khac" not in ids or ids == ["khac"]


def test_classification_theme_alone_is_a_parameter(train_frame):
    X, _, y = train_frame
    clf = ThemeClassifier(threshold=0.0, max_labels=3, alone=("media",)).fit(X, y)
    for ts in clf.predict_themes(X):
        ids = [t.id for t in ts]
        assert "media" not in ids or ids == ["media"]


def test_classification_theme_top_khac_is_kept(train_frame):
    X, _, y = train_frame
    clf = ThemeClassifier(threshold=0.05).fit(X, y)
    assert [t.id for t in clf.predict_themes(frame("Thực hiện các nhiệm vụ khác được giao."))[0]] == ["khac"]


def test_classification_theme_fit_without_context():
    X = task_frame([{"text": t} for t, _, _ in TRAIN_TASKS])
    clf = ThemeClassifier().fit(X, [th for _, _, th in TRAIN_TASKS])
    assert list(clf.classes_) == ["audit", "blood", "khac", "media"]
