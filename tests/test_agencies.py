"""Responsible agencies (pipeline/agencies.py): opening words, coordination lists, the role model's threshold,
the issuer's own voice ("Ban Thường vụ Tỉnh ủy yêu cầu Sở X …") learned from a tiny corpus, inheritance."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.agencies import (MENTION_FIELDS, AgencyClassifier, coordinated, default_mentions,
                               governing_cue, inherited_precision, labels_of, mention_features, strip_openers)
from pipeline.document import AgencyLabel, Task, TaskContext
from pipeline.features import task_frame
from pipeline.lexicon import Mention

ISSUER = "Ban Thường vụ Tỉnh ủy Quảng Trị"


def frame(rows, **ctx):
    """A task frame (lexicon mentions: no mentions column) of (text, context dict) or plain texts."""
    tasks = []
    for i, r in enumerate(rows):
        text, extra = (r, {}) if isinstance(r, str) else r
        tasks.append(Task(id=i, text=text, start=0, end=len(text), context=TaskContext(**{**ctx, **extra})))
    return task_frame(tasks)


# --------------------------------------------------------------------------- opening words

@pytest.mark.parametrize("prefix,rest", [
    ("", ""),
    ("Thứ nhất, ", ""),
    ("Thứ nhất, các bộ ", "các bộ "),
    ("- Đồng thời, giao ", ""),
    ("Ngoài ra, đề nghị ", ""),
    ("Trước hết, trước mắt ", ""),                   # one opener after another
    ("Đối với các chủ đầu tư, ", "các chủ đầu tư, "),
    ("Ban Thường vụ Tỉnh ủy yêu cầu ", "Ban Thường vụ Tỉnh ủy yêu cầu "),   # an actor stands there: nothing removed
    ("Giao cho ", "cho "),
])
def test_agencies_strip_openers(prefix, rest):
    assert strip_openers(prefix) == rest


def test_agencies_mention_after_openers_stands_at_the_start(default_matcher):
    t = "Đồng thời, giao Sở Y tế chủ trì kiểm tra."
    m = default_matcher.mentions(t)[0]
    f = mention_features(t, m, 0, 1, [])
    assert f["after_openers"] == 1 and f["at_start"] == 0 and f["prefix_words"] == 0
    t2 = "Trên cơ sở kết quả rà soát, Sở Y tế chủ trì kiểm tra."
    f2 = mention_features(t2, default_matcher.mentions(t2)[0], 0, 1, [])
    assert f2["after_openers"] == 0 and f2["after_clause_break"] == 1
    assert f2["prefix_words"] == len("Trên cơ sở kết quả rà soát".split()) // 3


def test_agencies_mention_features_issuer_flag_and_context_words(default_matcher):
    t = "Ban Thường vụ Tỉnh ủy yêu cầu Sở Tài chính bố trí kinh phí."
    ms = default_matcher.mentions(t)
    f0 = mention_features(t, ms[0], 0, 2, ["cap_uy"])
    f1 = mention_features(t, ms[1], 1, 2, ["cap_uy"])
    assert (f0["issuer"], f1["issuer"]) == (1, 0)
    assert f0["at_start"] == 1 and f1["at_start"] == 0
    assert f1["b01=yêu cầu"] == 1 and f1["a01=bố trí"] == 1 and f1["label=so_ban_nganh"] == 1


def test_agencies_mention_features_read_how_the_sentence_opens(default_matcher):
    """A mention deep in a sentence that opens with a verb is its object: the role model reads the first two
    words (after opening words such as "Đồng thời,"); a mention that opens the sentence does not get them."""
    t = "Đồng thời, theo dõi, tổng hợp báo cáo từ Sở Tài chính và Sở Y tế."
    ms = default_matcher.mentions(t)
    f = mention_features(t, ms[0], 0, len(ms), [])
    assert f["s0=theo"] == 1 and f["s01=theo dõi"] == 1
    first = mention_features("Sở Y tế chủ trì.", default_matcher.mentions("Sở Y tế chủ trì.")[0], 0, 1, [])
    assert not any(k.startswith("s0") for k in first)


@pytest.mark.parametrize("prefix,cue,gap", [
    ("Chủ trì, phối hợp với ", "phối hợp", 1),
    ("Chủ trì, phối hợp với các cơ quan, đơn vị có liên quan và ", "phối hợp", 10),   # past a list
    ("Sở Y tế chủ trì; ", "", 0),                       # a clause break ends the look-back
    ("Giao ", "giao", 0),
    ("Trên cơ sở đề nghị của ", "của", 0),
    ("Hằng năm, ", "", 0),
])
def test_agencies_governing_cue(prefix, cue, gap):
    assert governing_cue(prefix) == (cue, gap)


def test_agencies_the_cue_reaches_a_mention_past_a_list(default_matcher):
    """A partner named after a list ("phối hợp với các cơ quan có liên quan và UBND các xã") still reads
    "phối hợp" as its cue, which the words just before it ("liên quan và") do not say."""
    t = "Sở Y tế chủ trì, phối hợp với các cơ quan, đơn vị có liên quan và Ủy ban nhân dân các xã tổ chức tiêm chủng."
    ms = default_matcher.mentions(t)
    f = mention_features(t, ms[-1], len(ms) - 1, len(ms), [])
    assert f["cue=phối hợp"] == 1 and not any(k.startswith("b0=phối") for k in f)


def test_agencies_labels_of_a_generic_phrase():
    assert labels_of(Mention(0, 5, "x", "so_ban_nganh+chinh_quyen", "phrase")) == ["so_ban_nganh", "chinh_quyen"]


# --------------------------------------------------------------------------- coordination

def _m(text, name, kind="name", prior="so_ban_nganh"):
    s = text.index(name)
    return Mention(s, s + len(name), name, prior, kind)


def test_agencies_coordinated_lists_share_the_best_score():
    t = "Các sở, ban, ngành, Ủy ban nhân dân các xã và các doanh nghiệp triển khai thực hiện."
    ms = [_m(t, "Các sở, ban, ngành"), _m(t, "Ủy ban nhân dân các xã"), _m(t, "doanh nghiệp")]
    assert coordinated(t, ms, [0.9, 0.2, 0.1]) == [0.9, 0.9, 0.9]
    t2 = "Sở Y tế chủ trì, phối hợp với Công an tỉnh kiểm tra."
    ms2 = [_m(t2, "Sở Y tế"), _m(t2, "Công an tỉnh")]
    assert coordinated(t2, ms2, [0.9, 0.2]) == [0.9, 0.2]                 # not one list
    t3 = "Sở Y tế, Sở Tài chính chủ trì; Công an tỉnh, Đoàn Thanh niên phối hợp."
    ms3 = [_m(t3, "Sở Y tế"), _m(t3, "Sở Tài chính"), _m(t3, "Công an tỉnh"), _m(t3, "Đoàn Thanh niên")]
    assert coordinated(t3, ms3, [0.9, 0.3, 0.2, 0.6]) == [0.9, 0.9, 0.6, 0.6]   # two lists, each its own role
    assert coordinated(t3, [], []) == []


# --------------------------------------------------------------------------- a classifier fitted on a tiny corpus

TRAIN = [
    ("Sở Y tế chủ trì tổ chức tập huấn phòng dịch cho cán bộ y tế.", ["so_ban_nganh"]),
    ("Công an tỉnh bảo đảm an ninh trật tự tại các điểm bầu cử.", ["luc_luong_vu_trang"]),
    ("Ban Tuyên giáo Tỉnh ủy định hướng công tác tuyên truyền trên báo chí.", ["ban_tuyen_giao"]),
    ("Ban Thường vụ Tỉnh ủy yêu cầu Sở Tài chính bố trí kinh phí cho các địa phương.", ["so_ban_nganh"]),
    ("Ban Thường vụ Tỉnh ủy yêu cầu Công an tỉnh tăng cường tuần tra, kiểm soát.", ["luc_luong_vu_trang"]),
    ("Ban Thường vụ Tỉnh ủy đề nghị Hội Nông dân tỉnh vận động hội viên tham gia.", ["mttq_doan_the"]),
    ("Ban Thường vụ Tỉnh ủy giao Ban Dân vận Tỉnh ủy theo dõi tình hình nhân dân.", ["ban_dan_van"]),
    ("Hội Chữ thập đỏ tỉnh vận động hiến máu tình nguyện trong dịp hè.", ["hoi_chu_thap_do"]),
    ("Ban Thường vụ Tỉnh ủy lãnh đạo toàn diện công tác bầu cử trên địa bàn.", ["cap_uy"]),
    ("Đoàn Thanh niên tổ chức ra quân chiến dịch tình nguyện hè.", ["mttq_doan_the"]),
    ("Sở Tài chính, Sở Y tế, Công an tỉnh phối hợp kiểm tra việc sử dụng kinh phí.",
     ["so_ban_nganh", "luc_luong_vu_trang"]),
    ("Ban Tổ chức Tỉnh ủy chủ trì, phối hợp với Ban Dân vận Tỉnh ủy rà soát nhân sự.", ["ban_to_chuc"]),
]


@pytest.fixture(scope="module")
def train_frame():
    return frame([t for t, _ in TRAIN], issuer=ISSUER), [y for _, y in TRAIN]


@pytest.fixture(scope="module")
def lead_clf(train_frame):
    X, y = train_frame
    return AgencyClassifier(role="lead").fit(X, y)


def leads(clf, texts, **ctx):
    return [sorted(a.id for a in ags if a.explicit) for ags in clf.predict_agencies(frame(texts, issuer=ISSUER, **ctx))]


def test_agencies_issuer_own_voice_names_the_one_it_asks(lead_clf):
    got = leads(lead_clf, ["Ban Thường vụ Tỉnh ủy yêu cầu Ban Tổ chức Tỉnh ủy rà soát quy hoạch cán bộ.",
                           "Ban Thường vụ Tỉnh ủy đề nghị Đoàn Thanh niên tổ chức các hoạt động tình nguyện.",
                           "Ban Thường vụ Tỉnh ủy lãnh đạo công tác phòng, chống dịch trên địa bàn."])
    assert got == [["ban_to_chuc"], ["mttq_doan_the"], ["cap_uy"]]


def test_agencies_issuer_feature_is_read_from_the_issuer_mentions(lead_clf, default_matcher):
    X = frame(["Ban Thường vụ Tỉnh ủy yêu cầu Sở Y tế kiểm tra."], issuer=ISSUER)
    ms = lead_clf._mentions(X)[0]
    assert [m.prior for m in ms["issuer"]] == ["cap_uy"]
    assert lead_clf._issuer_labels(ms) == ["cap_uy"]


def test_agencies_coordination_list_is_lead_as_a_whole(lead_clf):
    X = frame(["Sở Tài chính, Công an tỉnh, Ban Tuyên giáo Tỉnh ủy và Hội Chữ thập đỏ tỉnh triển khai kế hoạch."],
              issuer=ISSUER)
    ags = lead_clf.predict_agencies(X)[0]
    assert sorted(a.id for a in ags) == ["ban_tuyen_giao", "hoi_chu_thap_do", "luc_luong_vu_trang", "so_ban_nganh"]
    assert len({a.score for a in ags}) == 1                     # one list: one score


def test_agencies_support_is_the_partner(train_frame):
    X, _ = train_frame
    sup_y = [[] for _ in TRAIN]
    sup_y[-1] = ["ban_dan_van"]
    sup_y[10] = []
    sup = AgencyClassifier(role="support").fit(X, sup_y, mention_roles=[
        ["none"] * 3 if i == 10 else (["none", "support"] if i == len(TRAIN) - 1 else None) for i in range(len(TRAIN))])
    got = sup.predict_agencies(frame(["Ban Tổ chức Tỉnh ủy chủ trì, phối hợp với Ban Dân vận Tỉnh ủy rà soát."]))[0]
    assert [(a.id, a.role) for a in got] == [("ban_dan_van", "support")]


def test_agencies_support_from_the_line_that_introduces_the_task(train_frame):
    """A task takes the supporting agencies of its parent or lead-in line when that ends in ":" ("Chủ trì,
    phối hợp với Ban Dân vận Tỉnh ủy thực hiện:") and of its nearest heading, as the role model reads that
    line; a parent sentence that is no "X:" line, or a line that names no partner, gives none."""
    X, _ = train_frame
    sup_y = [[] for _ in TRAIN]
    sup_y[-1] = ["ban_dan_van"]
    sup = AgencyClassifier(role="support").fit(X, sup_y, mention_roles=[
        ["none"] * 3 if i == 10 else (["none", "support"] if i == len(TRAIN) - 1 else None) for i in range(len(TRAIN))])
    partner = "Ban Tổ chức Tỉnh ủy chủ trì, phối hợp với Ban Dân vận Tỉnh ủy thực hiện"
    task = "Rà soát nhân sự."
    got = sup.predict_agencies(frame([(task, {"parent": partner + ":"}), (task, {"lead_in": partner + ":"}),
                                      (task, {"heading": partner}), (task, {"parent": partner + " tốt."}),
                                      (task, {"heading": "Ban Tổ chức Tỉnh ủy"}), task]))
    assert [[(a.id, a.source, a.explicit) for a in g] for g in got] == [
        [("ban_dan_van", "item", False)], [("ban_dan_van", "lead_in", False)], [("ban_dan_van", "heading", False)],
        [], [], []]
    assert AgencyClassifier(role="support", inherit=False).fit(X, sup_y).predict_agencies(
        frame([(task, {"heading": partner})]))[0] == []


def test_agencies_context_support_is_scored_with_each_tasks_own_mentions_and_issuer(train_frame, monkeypatch):
    """Tasks of different documents may share a heading's text: its support is scored once for each set of
    mentions and issuer, never with another task's."""
    X, _ = train_frame
    sup_y = [[] for _ in TRAIN]
    sup_y[-1] = ["ban_dan_van"]
    sup = AgencyClassifier(role="support").fit(X, sup_y)
    heading = "Ban Tổ chức Tỉnh ủy chủ trì, phối hợp với Ban Dân vận Tỉnh ủy thực hiện"
    rows = frame([("Rà soát nhân sự.", {"heading": heading, "issuer": "Tỉnh ủy Gia Lai"}),
                  ("Rà soát nhân sự.", {"heading": heading, "issuer": "Ủy ban nhân dân tỉnh Gia Lai"}),
                  ("Rà soát nhân sự.", {"heading": heading, "issuer": "Tỉnh ủy Gia Lai"})])
    ms = sup._mentions(rows)
    ms[2]["heading"] = ms[2]["heading"][:1]          # the third task's heading: only its first name found
    rows["mentions"] = ms
    calls = []
    real = sup._scores

    def spy(texts, mentions, issuers):
        calls.append([(t, len(m), tuple(i)) for t, m, i in zip(texts, mentions, issuers)])
        return real(texts, mentions, issuers)
    monkeypatch.setattr(sup, "_scores", spy)
    got = sup.predict_agencies(rows)
    ctx_call = [c for c in calls if c and c[0][0] == heading]
    assert len(ctx_call) == 1 and sorted(ctx_call[0]) == sorted([(heading, 2, ("cap_uy",)), (heading, 2, ("chinh_quyen",)),
                                                                  (heading, 1, ("cap_uy",))])
    assert [a.id for a in got[0]] == ["ban_dan_van"] and got[2] == []


def test_agencies_context_support_only_from_partners_the_line_marks(train_frame, monkeypatch):
    """A heading or lead-in gives support only through the names it marks as partners ("phối hợp với X"):
    the actors a heading names ("Ban Tổ chức Tỉnh ủy, Ban Dân vận Tỉnh ủy") are no one's support, however
    high the role model scores them."""
    X, _ = train_frame
    sup_y = [[] for _ in TRAIN]
    sup_y[-1] = ["ban_dan_van"]
    sup = AgencyClassifier(role="support").fit(X, sup_y)
    monkeypatch.setattr(sup, "_scores", lambda texts, mentions, issuers: [[0.99] * len(m) for m in mentions])
    task = "Rà soát nhân sự."
    got = sup.predict_agencies(frame([(task, {"heading": "Ban Tổ chức Tỉnh ủy, Ban Dân vận Tỉnh ủy"}),
                                      (task, {"lead_in": "Ban Tổ chức Tỉnh ủy, Ban Dân vận Tỉnh ủy:"}),
                                      (task, {"heading": "Phối hợp với Ban Dân vận Tỉnh ủy"})]))
    assert [[a.id for a in g] for g in got] == [[], [], ["ban_dan_van"]]


def test_agencies_item_step_scores_its_own_sentence(lead_clf):
    """The item step's scores computed for every task at once are used for the task's own item sentence
    only: a parent sentence is scored apart."""
    parent = "Ban Tuyên giáo Tỉnh ủy định hướng công tác tuyên truyền trên báo chí."
    got = lead_clf.predict_agencies(frame([("Tổ chức tọa đàm.", {"parent": parent, "addressees": "Sở Y tế"}),
                                           ("Tổ chức tọa đàm.", {"item": parent, "addressees": "Sở Y tế"})],
                                          issuer=ISSUER))
    assert [[(a.id, a.source) for a in g] for g in got] == [[("ban_tuyen_giao", "item")]] * 2


def test_agencies_threshold_decides_which_mentions_are_lead(train_frame):
    X, y = train_frame
    texts = ["Sở Y tế chủ trì tổ chức khám bệnh cho người cao tuổi."]
    assert leads(AgencyClassifier(threshold=0.5).fit(X, y), texts) == [["so_ban_nganh"]]
    never = AgencyClassifier(threshold=1.01, inherit=False).fit(X, y)
    assert never.predict_agencies(frame(texts)) == [[]]
    always = AgencyClassifier(threshold=0.0).fit(X, y)
    t = ["Sở Y tế chủ trì, phối hợp với Công an tỉnh tổ chức khám bệnh."]
    assert leads(always, t) == [["luc_luong_vu_trang", "so_ban_nganh"]]
    scores = {a.id: a.score for a in always.predict_agencies(frame(t))[0]}
    mid = (scores["so_ban_nganh"] + scores["luc_luong_vu_trang"]) / 2
    assert scores["so_ban_nganh"] > scores["luc_luong_vu_trang"]       # the actor at the start scores higher
    assert leads(AgencyClassifier(threshold=mid).fit(X, y), t) == [["so_ban_nganh"]]


def test_agencies_inherited_lead_is_marked_with_its_step(lead_clf):
    X = frame([("Tổ chức kiểm tra việc thực hiện ở cơ sở.", {"addressees": "Sở Y tế;\nCông an tỉnh."}),
               ("Tổng hợp kết quả báo cáo Tỉnh ủy.", {"item": "Hội Chữ thập đỏ tỉnh chủ trì vận động hiến máu.",
                                                      "addressees": "Sở Y tế"}),
               ("Rà soát nhân sự.", {"heading": "Trách nhiệm của Ban Tổ chức Tỉnh ủy"})], issuer=ISSUER)
    got = lead_clf.predict_agencies(X)
    assert [(a.id, a.explicit, a.source) for a in got[0]] == [("so_ban_nganh", False, "addressees"),
                                                              ("luc_luong_vu_trang", False, "addressees")]
    assert [(a.id, a.source) for a in got[1]] == [("hoi_chu_thap_do", "item")]
    assert [(a.id, a.source, a.score) for a in got[2]] == [("ban_to_chuc", "heading", 0.8)]
    off = AgencyClassifier(inherit=False).set_params(**{k: v for k, v in lead_clf.get_params().items()
                                                        if k != "inherit"})
    off.role_model_, off.classes_, off.binarizer_ = lead_clf.role_model_, lead_clf.classes_, lead_clf.binarizer_
    assert off.predict_agencies(X) == [[], [], []]


def test_agencies_inherited_precision_per_step_and_class():
    def lab(i, src):
        return AgencyLabel(id=i, name=i, role="lead", explicit=False, score=0.5, source=src)
    pred = [[lab("a", "recipients"), lab("b", "recipients")]] * 4 + [[lab("a", "heading")]]
    gold = [{"a"}] * 4 + [set()]
    got = inherited_precision(pred, gold, smoothing=5.0)
    assert got["recipients"] == 0.5 and got["heading"] == 0.0
    assert got["recipients|a"] == round((4 + 5 * 0.5) / (4 + 5), 4)          # smoothed toward the step
    assert got["recipients|b"] == round((0 + 5 * 0.5) / (4 + 5), 4)
    assert inherited_precision(pred, gold) == got                            # the default
    wide = inherited_precision(pred, gold, smoothing=40.0)                   # more pseudo-counts pull harder
    assert wide["recipients|b"] == round((0 + 40 * 0.5) / (4 + 40), 4) > got["recipients|b"]
    explicit = [[AgencyLabel(id="a", name="a", role="lead", explicit=True, score=0.9, source="text")]]
    assert inherited_precision(explicit, [{"a"}]) == {}


RECIPIENTS = "- Thường trực Tỉnh ủy;\n- Sở Y tế;\n- Lưu: VT."


def test_agencies_inherited_label_its_step_rarely_gave_rightly_is_not_given(train_frame):
    """Trained where the "Nơi nhận" step gives the Party committee wrongly and the department rightly, the
    classifier keeps the department (scored with its precision) and leaves out the committee."""
    X, y = train_frame
    bare = [(f"Tổ chức kiểm tra lần thứ {i} việc thực hiện.", {"recipients": RECIPIENTS}) for i in range(12)]
    Xb = frame([t for t, _ in TRAIN] + bare, issuer=ISSUER)
    clf = AgencyClassifier(role="lead").fit(Xb, y + [["so_ban_nganh"]] * 12)
    prec = clf.inherited_precision_
    assert prec["recipients|so_ban_nganh"] > 0.5 > prec["recipients|cap_uy"]
    got = clf.predict_agencies(frame([("Báo cáo kết quả thực hiện.", {"recipients": RECIPIENTS})], issuer=ISSUER))[0]
    assert [(a.id, a.source, a.score) for a in got] == [("so_ban_nganh", "recipients",
                                                         prec["recipients|so_ban_nganh"])]
    every = AgencyClassifier(role="lead", min_inherited=0).fit(Xb, y + [["so_ban_nganh"]] * 12)
    got = every.predict_agencies(frame([("Báo cáo kết quả thực hiện.", {"recipients": RECIPIENTS})], issuer=ISSUER))[0]
    assert sorted(a.id for a in got) == ["cap_uy", "so_ban_nganh"]


def test_agencies_step_whose_every_class_is_unreliable_gives_way_to_the_next(train_frame):
    """Trained where the addressees step ("Kính gửi" or a regulation's "Đối tượng áp dụng") gives the Party
    committee wrongly, a task whose addressees name only that committee takes the next step that gives a
    label its precision lets through (the "Nơi nhận"), not nothing; with the gate off it stays at the first."""
    X, y = train_frame
    bare = [(f"Tổ chức kiểm tra lần thứ {i} việc thực hiện.", {"addressees": "- Thường trực Tỉnh ủy;",
                                                              "recipients": "- Sở Y tế;"}) for i in range(12)]
    Xb = frame([t for t, _ in TRAIN] + bare, issuer=ISSUER)
    clf = AgencyClassifier(role="lead").fit(Xb, y + [["so_ban_nganh"]] * 12)
    assert clf.inherited_precision_["addressees|cap_uy"] < clf.min_inherited
    task = frame([("Báo cáo kết quả thực hiện.", {"addressees": "- Thường trực Tỉnh ủy;",
                                                  "recipients": "- Sở Y tế;\n- Lưu: VT."})], issuer=ISSUER)
    got = clf.predict_agencies(task)[0]
    assert [(a.id, a.source, a.explicit) for a in got] == [("so_ban_nganh", "recipients", False)]
    assert [(a.id, a.source) for a in clf._predict(task, clf._mentions(task), gate=False)[0]] == [
        ("cap_uy", "addressees")]


def test_agencies_classifier_measures_inherited_precision_with_its_smoothing(train_frame):
    X, y = train_frame
    bare = [(f"Tổ chức kiểm tra lần thứ {i} việc thực hiện.", {"recipients": RECIPIENTS}) for i in range(12)]
    Xb = frame([t for t, _ in TRAIN] + bare, issuer=ISSUER)
    yb = y + [["so_ban_nganh"]] * 12
    for smoothing in (5.0, 40.0):
        prec = AgencyClassifier(role="lead", smoothing=smoothing).fit(Xb, yb).inherited_precision_
        step = prec["recipients"]
        assert prec["recipients|cap_uy"] == round((0 + smoothing * step) / (12 + smoothing), 4)


def test_agencies_subject_position_actor_is_the_lead_before_inheritance(lead_clf):
    """A common noun in subject position before what it must do ("Thương nhân … phải …", a mention of kind
    "subject") is the lead even where the role model scores it under the threshold; without ``subject_lead``
    the task inherits from its "Nơi nhận"."""
    import copy

    text = "Thương nhân kinh doanh tại chợ phải giữ gìn vệ sinh chung."
    X = frame([(text, {"recipients": RECIPIENTS})], issuer=ISSUER)
    ms = default_mentions(X, MENTION_FIELDS)
    ms[0]["text"] = [Mention(0, 11, "Thương nhân", "to_chuc_ca_nhan", "subject")]
    X["mentions"] = ms
    strict = copy.deepcopy(lead_clf).set_params(threshold=0.999, min_inherited=0)
    got = strict.predict_agencies(X)[0]
    assert [(a.id, a.explicit, a.source) for a in got] == [("to_chuc_ca_nhan", True, "text")]
    assert lead_clf.subject_precision_ is None and got[0].score < 0.999   # none in training: the model's score
    off = strict.set_params(subject_lead=False).predict_agencies(X)[0]
    assert {a.source for a in off} == {"recipients"} and "to_chuc_ca_nhan" not in {a.id for a in off}
    tagged = copy.deepcopy(X)                                # a tagged name under the threshold is no lead
    tagged.at[0, "mentions"] = {**ms[0], "text": [Mention(0, 11, "Thương nhân", "to_chuc_ca_nhan", "tagged")]}
    assert {a.source for a in strict.set_params(subject_lead=True).predict_agencies(tagged)[0]} == {"recipients"}


def test_agencies_subject_position_lead_is_scored_with_its_measured_precision(train_frame):
    """Its score is how often such a lead was right in training (smoothed toward one half), not the role
    model's low score of it, which would tell the calibration it is wrong."""
    X, y = train_frame
    rows = [f"Thương nhân kinh doanh lần thứ {i} phải giữ gìn vệ sinh chung." for i in range(6)]
    Xs = frame([t for t, _ in TRAIN] + rows, issuer=ISSUER)
    ms = default_mentions(Xs, MENTION_FIELDS)
    for k in range(len(TRAIN), len(TRAIN) + len(rows)):
        ms[k]["text"] = [Mention(0, 11, "Thương nhân", "to_chuc_ca_nhan", "subject")]
    Xs["mentions"] = ms
    ys = y + [["to_chuc_ca_nhan"]] * 4 + [["so_ban_nganh"]] * 2
    clf = AgencyClassifier(role="lead", threshold=0.999).fit(Xs, ys)       # every subject lead under it
    assert clf.subject_precision_ == round((4 + 5 * 0.5) / (6 + 5), 4)
    got = clf.predict_agencies(Xs.iloc[[len(TRAIN)]])[0]
    assert [(a.id, a.explicit, a.score) for a in got] == [("to_chuc_ca_nhan", True, clf.subject_precision_)]
    assert AgencyClassifier(role="lead", subject_lead=False).fit(Xs, ys).subject_precision_ is None


def test_agencies_support_inherits_the_field_support(train_frame):
    X, y = train_frame
    sup = AgencyClassifier(role="support").fit(X, [[] for _ in y])
    got = sup.predict_agencies(frame([("Tổ chức hội nghị sơ kết.", {"field_support": "Sở Y tế;\nĐoàn Thanh niên."})]))
    assert [(a.id, a.source, a.score, a.explicit) for a in got[0]] == [
        ("so_ban_nganh", "item", 0.7, False), ("mttq_doan_the", "item", 0.7, False)]


def test_agencies_predict_and_proba_columns_are_classes(lead_clf):
    X = frame(["Sở Y tế chủ trì tổ chức khám bệnh.", "Không ai làm gì."], issuer=ISSUER)
    P = lead_clf.predict_proba(X)
    assert P.shape == (2, len(lead_clf.classes_))
    assert list(lead_clf.classes_) == sorted({c for _, ys in TRAIN for c in ys})
    j = list(lead_clf.classes_).index("so_ban_nganh")
    assert P[0, j] > 0.5 and P[1].sum() == 0
    np.testing.assert_array_equal(lead_clf.predict(X), (P > 0).astype(int))


def test_agencies_bad_inputs():
    with pytest.raises(ValueError, match="'role' parameter"):
        AgencyClassifier(role="boss").fit(frame(["Sở Y tế chủ trì."]), [["so_ban_nganh"]])
    with pytest.raises(ValueError, match="DataFrame with a 'text' column"):
        AgencyClassifier().fit(["Sở Y tế chủ trì."], [["so_ban_nganh"]])
    with pytest.raises(ValueError, match="one label set per row"):
        AgencyClassifier().fit(frame(["Sở Y tế chủ trì."]), [["so_ban_nganh"], []])


def test_agencies_component_gives_a_partner_of_the_leads_class_as_support():
    """"Sở Y tế chủ trì, phối hợp với Sở Tài chính": so_ban_nganh leads and supports (GUIDELINE §2.1), and the
    partner's name is kept; the labels of the real documents do the same in 837 of their 1,427 tasks with
    support. (The shipped model: the tiny corpus gives its support model too few partners to find this one.)"""
    import pipeline

    doc = pipeline.load()("1. Sở Y tế chủ trì, phối hợp với Sở Tài chính và Công an tỉnh tổ chức kiểm tra an toàn thực phẩm.")
    assert doc.tasks
    roles = {(a.role, a.id, a.name) for t in doc.tasks for a in t.agencies}
    assert ("lead", "so_ban_nganh", "Sở Y tế") in roles
    assert ("support", "so_ban_nganh", "Sở Tài chính") in roles


class _Fixed:
    """An estimator that gives every task the same agencies (the component's combining is what is tested)."""

    def __init__(self, labels):
        self.labels = labels

    def predict_agencies(self, X):
        return [list(self.labels) for _ in range(len(X))]


def test_agencies_component_an_actor_named_as_lead_is_not_also_its_support():
    """The support model may score the sentence's own subject as a partner too (a long list of leads looks
    like one after "phối hợp với"): an actor the sentence names as its lead is left out of its support, a
    partner of the same class is kept, and an inherited lead does not hide a support of the same name."""
    from pipeline.components import make_agencies
    from pipeline.document import AgencyLabel, Document, Task

    text = "Sở Y tế chủ trì, phối hợp với Sở Tài chính kiểm tra an toàn thực phẩm."
    comp = make_agencies(C=1.0, C_support=0.3, inherit=True, min_inherited=0.5, smoothing=5.0, subject_lead=True,
                         threshold=0.6, threshold_support=0.7)
    lead = AgencyLabel("so_ban_nganh", "Sở Y tế", "lead", True, 0.9)
    comp.models = {"lead": _Fixed([lead, AgencyLabel("chinh_quyen", "UBND tỉnh", "lead", False, 0.8, "heading")]),
                   "support": _Fixed([AgencyLabel("so_ban_nganh", "Sở Y tế", "support", True, 0.8),
                                      AgencyLabel("so_ban_nganh", "Sở Tài chính", "support", True, 0.9),
                                      AgencyLabel("chinh_quyen", "UBND tỉnh", "support", True, 0.75)])}
    doc = comp(Document(doc_id="d", raw_text=text, tasks=[Task(id=0, text=text, start=0, end=len(text))]))
    got = [(a.role, a.name) for a in doc.tasks[0].agencies]
    assert got == [("lead", "Sở Y tế"), ("lead", "UBND tỉnh"), ("support", "Sở Tài chính"), ("support", "UBND tỉnh")]
