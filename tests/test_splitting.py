"""Stage 4, task splitting: structure, sentences, candidates with context, the detector."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from pipeline import splitting
from pipeline.splitting import Candidate, TaskDetector, candidate_frame, candidates, parse, rule_is_task, sentences

DOC = """ĐẢNG CỘNG SẢN VIỆT NAM
Số: 12-KH/TU
KẾ HOẠCH
Kính gửi:
- Ban Dân vận Tỉnh ủy;
- Sở Y tế tỉnh.
Căn cứ Nghị quyết số 05-NQ/TU của Tỉnh ủy.
Thời gian qua công tác hiến máu đạt nhiều kết quả.
Ban Thường vụ Tỉnh ủy yêu cầu các cơ quan thực hiện tốt các nội dung sau:
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
Nâng cao nhận thức của cán bộ, đảng viên về công tác hiến máu.
II. NHIỆM VỤ VÀ GIẢI PHÁP
1. Công tác tuyên truyền
1.1. Ban Tuyên giáo chủ trì tuyên truyền sâu rộng. Báo cáo kết quả trước ngày 30/6.
a) Sở Y tế phối hợp tổ chức hiến máu tình nguyện.
- Đoàn Thanh niên vận động đoàn viên tham gia.
+ Hội Chữ thập đỏ TP. Vinh hỗ trợ kinh phí cho các điểm hiến máu.
1.2. Công an tỉnh bảo đảm an ninh tại các điểm hiến máu.
2. Các huyện ủy, thành ủy:
Chỉ đạo cấp ủy cơ sở quán triệt kế hoạch.
Nơi nhận:
- Ban Tổ chức Tỉnh ủy,
- Lưu VP.
T/M BAN THƯỜNG VỤ
BÍ THƯ
Nguyễn Văn An"""


@pytest.fixture(scope="module")
def parsed():
    return parse(DOC)


@pytest.fixture(scope="module")
def cands():
    return candidates(DOC)[0]


def line(lines, startswith):
    return next(ln for ln in lines if ln.text.startswith(startswith))


def cand(cs, startswith):
    return next(c for c in cs if c.text.startswith(startswith))


@pytest.mark.parametrize("start,kind,marker,section", [
    ("MỤC ĐÍCH, YÊU CẦU", "roman", "I", "I"),
    ("Mục đích", "arabic", "1", "I.1"),
    ("Nâng cao nhận thức", "plain", "", "I.1"),
    ("NHIỆM VỤ VÀ GIẢI PHÁP", "roman", "II", "II"),
    ("Công tác tuyên truyền", "arabic", "1", "II.1"),
    ("Ban Tuyên giáo chủ trì", "arabic", "1.1", "II.1.1"),
    ("Sở Y tế phối hợp", "letter", "a", "II.1.1.a"),
    ("Đoàn Thanh niên", "bullet", "-", "II.1.1.a"),
    ("Hội Chữ thập đỏ TP. Vinh", "bullet", "+", "II.1.1.a"),
    ("Công an tỉnh", "arabic", "1.2", "II.1.2"),
    ("Các huyện ủy, thành ủy:", "arabic", "2", "II.2"),
    ("Chỉ đạo cấp ủy cơ sở", "plain", "", "II.2"),
])
def test_splitting_markers_and_section_paths(parsed, start, kind, marker, section):
    ln = line(parsed[0], start)
    assert (ln.kind, ln.marker, ln.section, ln.zone) == (kind, marker, section, "body")


def test_splitting_line_offsets_exclude_marker(parsed):
    for ln in parsed[0]:
        assert DOC[ln.start:ln.end] == ln.text
    assert line(parsed[0], "Sở Y tế phối hợp").text == "Sở Y tế phối hợp tổ chức hiến máu tình nguyện."


@pytest.mark.parametrize("text,section", [
    ("II. NHIỆM VỤ\n1. Tuyên truyền\na) Sở Y tế chủ trì.", "II.1.a"),
    ("II. NHIỆM VỤ\n1. Sở Y tế chủ trì.", "II.1"),
    ("1. Tuyên truyền\n1.1. Tuyên truyền\n1.1.2. Sở Y tế chủ trì.", "1.1.2"),
    ("Điều 1. Phạm vi\n2. Sở Y tế chủ trì.", "Điều 1.2"),
    ("1) Sở Y tế chủ trì.", "1"),
    ("III. NHIỆM VỤ\nb) Sở Y tế chủ trì.", "III.b"),
    ("đ) Sở Y tế chủ trì.", "đ"),
])
def test_splitting_section_path_of_last_line(text, section):
    lines, _ = parse(text)
    assert lines[-1].section == section
    assert lines[-1].text == "Sở Y tế chủ trì."


def test_splitting_zones(parsed):
    lines, ctx = parsed
    assert [ln.zone for ln in lines[:3]] == ["header"] * 3
    assert [ln.zone for ln in lines[3:6]] == ["addressees"] * 3
    assert [ln.zone for ln in lines[-6:]] == ["closing"] * 6
    assert ctx["addressees"] == "Ban Dân vận Tỉnh ủy;\nSở Y tế tỉnh.\n"
    assert ctx["recipients"] == "Ban Tổ chức Tỉnh ủy,\nLưu VP.\n"
    assert ctx["lead_in"] == "Ban Thường vụ Tỉnh ủy yêu cầu các cơ quan thực hiện tốt các nội dung sau:"


def test_splitting_addressees_on_one_line():
    _, ctx = parse("Kính gửi: Các huyện ủy, thành ủy\n1. Ban Dân vận chủ trì.")
    assert ctx["addressees"] == "Các huyện ủy, thành ủy\n"


def test_splitting_kinh_gui_and_noi_nhan_give_no_candidates(cands):
    texts = [c.text for c in cands]
    for name in ["Ban Dân vận Tỉnh ủy;", "Sở Y tế tỉnh.", "Ban Tổ chức Tỉnh ủy,", "Lưu VP.", "Nguyễn Văn An",
                 "BÍ THƯ", "KẾ HOẠCH", "Số: 12-KH/TU", "Kính gửi:", "Nơi nhận:"]:
        assert name not in texts
    for c in cands:
        assert c.start >= DOC.index("Căn cứ") and c.end <= DOC.index("Nơi nhận")


@pytest.mark.parametrize("start,heading", [
    ("MỤC ĐÍCH, YÊU CẦU", True), ("Mục đích", True), ("NHIỆM VỤ VÀ GIẢI PHÁP", True),
    ("Công tác tuyên truyền", True), ("Ban Tuyên giáo chủ trì", False), ("Sở Y tế phối hợp", False),
    ("Nâng cao nhận thức", False), ("Các huyện ủy, thành ủy:", False),
])
def test_splitting_heading_lines(parsed, start, heading):
    assert line(parsed[0], start).heading is heading


def test_splitting_lead_in_lines(parsed):
    assert line(parsed[0], "Các huyện ủy, thành ủy:").lead_in
    assert line(parsed[0], "Ban Thường vụ Tỉnh ủy yêu cầu").lead_in
    assert not line(parsed[0], "Ban Tuyên giáo chủ trì").lead_in


@pytest.mark.parametrize("text,expected", [
    ("Ban Dân vận chủ trì. Sở Y tế phối hợp.", ["Ban Dân vận chủ trì.", "Sở Y tế phối hợp."]),
    ("1. Ban Dân vận chủ trì. Sở Y tế phối hợp.", ["1. Ban Dân vận chủ trì.", "Sở Y tế phối hợp."]),
    ("Hội Chữ thập đỏ TP. Vinh hỗ trợ kinh phí.", ["Hội Chữ thập đỏ TP. Vinh hỗ trợ kinh phí."]),
    ("Đ/c Nguyễn Văn A. Phó Bí thư chủ trì.", ["Đ/c Nguyễn Văn A. Phó Bí thư chủ trì."]),
    ("Tổ chức hiến máu? Có. Báo cáo kết quả!", ["Tổ chức hiến máu?", "Có.", "Báo cáo kết quả!"]),
    ("Hoàn thành trước 30/6. 2024 là năm bản lề.", ["Hoàn thành trước 30/6.", "2024 là năm bản lề."]),
    ("Phát động “Tết nhân ái”. “Tháng nhân đạo” cũng vậy.", ["Phát động “Tết nhân ái”.", "“Tháng nhân đạo” cũng vậy."]),
    ("  Ban Dân vận chủ trì.  ", ["Ban Dân vận chủ trì."]),
    ("kinh phí 1.284 tỷ đồng. Sở Tài chính bảo đảm.", ["kinh phí 1.284 tỷ đồng.", "Sở Tài chính bảo đảm."]),
], ids=["two", "item-number", "TP", "initial", "question-exclaim", "digit-start", "quotes", "trim", "decimal"])
def test_splitting_sentences(text, expected):
    assert [text[s:e] for s, e in sentences(text)] == expected


def test_splitting_sentences_base_offset():
    assert sentences("Ban Dân vận chủ trì. Sở Y tế phối hợp.", base=10) == [(10, 30), (31, 48)]


def test_splitting_item_sentences_are_separate_candidates_with_context(cands):
    first = cand(cands, "Ban Tuyên giáo chủ trì")
    second = cand(cands, "Báo cáo kết quả")
    assert (first.text, second.text) == ("Ban Tuyên giáo chủ trì tuyên truyền sâu rộng.", "Báo cáo kết quả trước ngày 30/6.")
    assert first.section == second.section == "II.1.1"
    assert DOC[first.start:first.end] == first.text and DOC[second.start:second.end] == second.text
    assert first.context["item"] == ""
    assert second.context["item"] == first.text
    assert second.context["parent"] == "Công tác tuyên truyền"
    assert second.context["heading"] == "Công tác tuyên truyền"
    assert second.features["sent_index"] == 1


def test_splitting_context_parent_lead_in_and_addressees(cands):
    c = cand(cands, "Chỉ đạo cấp ủy cơ sở")
    assert c.section == "II.2"
    assert c.context["parent"] == "Các huyện ủy, thành ủy:"
    assert c.context["lead_in"] == "Các huyện ủy, thành ủy:"
    assert c.context["doc_lead_in"] == "Ban Thường vụ Tỉnh ủy yêu cầu các cơ quan thực hiện tốt các nội dung sau:"
    assert c.context["addressees"] == "Ban Dân vận Tỉnh ủy;\nSở Y tế tỉnh.\n"
    assert c.context["recipients"] == "Ban Tổ chức Tỉnh ủy,\nLưu VP.\n"
    assert c.features["parent_lead_in"] == 1


def test_splitting_bullet_parent_is_enclosing_item(cands):
    assert cand(cands, "Sở Y tế phối hợp").context["parent"] == "Ban Tuyên giáo chủ trì tuyên truyền sâu rộng. Báo cáo kết quả trước ngày 30/6."
    assert cand(cands, "Đoàn Thanh niên").context["parent"] == "Sở Y tế phối hợp tổ chức hiến máu tình nguyện."
    assert cand(cands, "Công an tỉnh").context["parent"] == "Công tác tuyên truyền"


def test_splitting_tp_does_not_end_sentence(cands):
    c = cand(cands, "Hội Chữ thập đỏ")
    assert c.text == "Hội Chữ thập đỏ TP. Vinh hỗ trợ kinh phí cho các điểm hiến máu."


def test_splitting_numbered_item_text_excludes_marker():
    cs, _ = candidates("1. Ban Dân vận chủ trì. Sở Y tế phối hợp.\n1.1. Hội Chữ thập đỏ vận động.")
    assert [(c.text, c.section, c.start) for c in cs] == [
        ("Ban Dân vận chủ trì.", "1", 3), ("Sở Y tế phối hợp.", "1", 24), ("Hội Chữ thập đỏ vận động.", "1.1", 47)]


def test_splitting_candidates_docstring_example():
    cs, ctx = candidates("Kính gửi: Các huyện ủy\n1. Ban Dân vận chủ trì. Báo cáo kết quả.")
    assert [c.text for c in cs] == ["Ban Dân vận chủ trì.", "Báo cáo kết quả."]
    assert [c.section for c in cs] == ["1", "1"]
    assert ctx["addressees"] == "Các huyện ủy\n"
    assert cs[1].context["addressees"] == "Các huyện ủy\n"


def test_splitting_candidates_sorted_and_inside_text(cands):
    assert [c.start for c in cands] == sorted(c.start for c in cands)
    for a, b in zip(cands, cands[1:]):
        assert a.end <= b.start
    for c in cands:
        assert DOC[c.start:c.end] == c.text


def test_splitting_heading_context_does_not_leak_to_sibling_item():
    text = ("Ban Thường vụ Tỉnh ủy yêu cầu các cơ quan thực hiện tốt các nội dung sau:\n"
            "1. Ban Tuyên giáo Tỉnh ủy\n"
            "- Chủ trì tuyên truyền về hiến máu tình nguyện.\n"
            "2. Tổ chức kiểm tra việc thực hiện kế hoạch này.")
    cs, _ = candidates(text)
    assert cand(cs, "Chủ trì tuyên truyền").context["heading"] == "Ban Tuyên giáo Tỉnh ủy"
    assert cand(cs, "Tổ chức kiểm tra").context["heading"] != "Ban Tuyên giáo Tỉnh ủy"


# --------------------------------------------------------------------------- rule_is_task

@pytest.mark.parametrize("start,is_task", [
    ("Căn cứ Nghị quyết", False),             # legal basis
    ("Thời gian qua", False),                 # background
    ("Ban Thường vụ Tỉnh ủy yêu cầu", False), # plain line before the items
    ("MỤC ĐÍCH, YÊU CẦU", False),             # heading (roman, capitals)
    ("Mục đích", False),                      # heading (numbered, deeper line follows)
    ("Công tác tuyên truyền", False),
    ("Nâng cao nhận thức", True),
    ("Ban Tuyên giáo chủ trì", True),
    ("Báo cáo kết quả", True),
    ("Sở Y tế phối hợp", True),
    ("Đoàn Thanh niên", True),
    ("Hội Chữ thập đỏ TP.", True),
    ("Chỉ đạo cấp ủy cơ sở", True),
])
def test_splitting_rule_is_task(cands, start, is_task):
    assert rule_is_task(cand(cands, start)) is is_task


def test_splitting_rule_is_task_rejects_short_and_caps():
    cs, _ = candidates("1. Báo cáo.\n2. TỔ CHỨC THỰC HIỆN KẾ HOẠCH.\n3. Ban Dân vận chủ trì thực hiện.")
    assert [(c.text, rule_is_task(c)) for c in cs] == [
        ("Báo cáo.", False), ("TỔ CHỨC THỰC HIỆN KẾ HOẠCH.", False), ("Ban Dân vận chủ trì thực hiện.", True)]


# --------------------------------------------------------------------------- TaskDetector

TRAIN_DOCS = [
    """Căn cứ Nghị quyết số 05-NQ/TU của Tỉnh ủy về công tác hiến máu.
Thời gian qua công tác hiến máu đạt nhiều kết quả.
II. NHIỆM VỤ
1. Công tác tuyên truyền
- Ban Tuyên giáo chủ trì tuyên truyền về hiến máu tình nguyện.
- Sở Y tế tổ chức các điểm hiến máu tình nguyện.
- Hội Chữ thập đỏ vận động hội viên tham gia hiến máu.
2. Công tác kiểm tra
- Ban Tuyên giáo kiểm tra việc tuyên truyền về hiến máu.
- Sở Y tế báo cáo kết quả hiến máu tình nguyện.""",
    """Căn cứ Kế hoạch số 12-KH/TU của Tỉnh ủy về công tác hiến máu.
Thời gian qua phong trào hiến máu có nhiều chuyển biến.
I. NHIỆM VỤ
1. Công tác tuyên truyền
- Đoàn Thanh niên tuyên truyền về hiến máu tình nguyện.
- Hội Chữ thập đỏ tổ chức ngày hội hiến máu tình nguyện.
2. Công tác kiểm tra
- Sở Y tế kiểm tra các điểm hiến máu tình nguyện.
- Hội Chữ thập đỏ báo cáo kết quả hiến máu.""",
]


@pytest.fixture(scope="module")
def detector_data():
    cs = [c for d in TRAIN_DOCS for c in candidates(d)[0]]
    y = np.array([int(rule_is_task(c)) for c in cs])
    return candidate_frame(cs), y, cs


def test_splitting_detector_training_labels_are_mixed(detector_data):
    _, y, cs = detector_data
    assert len(cs) == 19 and 0 < y.sum() < len(y)


def test_splitting_candidate_frame_columns(detector_data):
    X, _, cs = detector_data
    assert list(X.columns) == ["text", "features", "context"]
    assert len(X) == len(cs)
    assert X["text"].tolist() == [c.text for c in cs]
    row = X.iloc[4]
    assert row["features"]["kind=bullet"] == 1
    assert row["context"].startswith("ctx Công tác tuyên truyền")   # "ctx" keeps the vocabulary non-empty


def test_splitting_detector_not_fitted(detector_data):
    X, _, _ = detector_data
    with pytest.raises(NotFittedError):
        TaskDetector().predict_proba(X)
    with pytest.raises(NotFittedError):
        TaskDetector().predict(X)


def test_splitting_detector_sklearn_contract(detector_data):
    X, y, _ = detector_data
    det = TaskDetector()
    assert det.get_params() == {"C": 2.0, "threshold": 0.5}
    assert det.fit(X, y) is det
    assert list(det.classes_) == [0, 1]
    proba = det.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    pred = det.predict(X)
    assert pred.shape == (len(X),) and set(pred) <= {0, 1}
    assert (pred == y).mean() >= 0.9              # it learns its (tiny, separable) training set
    assert det.score(X, y) == (pred == y).mean()
    cloned = clone(det)
    assert cloned.get_params() == det.get_params() and not hasattr(cloned, "pipeline_")


def test_splitting_detector_threshold_controls_predict(detector_data):
    X, y, _ = detector_data
    never = TaskDetector(threshold=1.01).fit(X, y)
    always = TaskDetector(threshold=0.0).fit(X, y)
    assert never.predict(X).sum() == 0
    assert always.predict(X).sum() == len(X)


def test_splitting_detector_on_unseen_candidates(detector_data):
    X, y, _ = detector_data
    det = TaskDetector().fit(X, y)
    cs, _ = candidates("Căn cứ Nghị quyết số 07-NQ/TU của Tỉnh ủy về công tác hiến máu.\n"
                       "1. Công tác tuyên truyền\n- Sở Y tế tuyên truyền về hiến máu tình nguyện.")
    proba = det.predict_proba(candidate_frame(cs))[:, 1]
    assert proba.shape == (3,)
    assert proba[2] > proba[0]          # the bullet task scores above the legal basis


def test_splitting_candidate_is_dataclass_with_defaults():
    c = Candidate(start=0, end=3, text="abc", section="1")
    assert c.context == {} and c.features == {}
    assert splitting.Line(start=0, end=1, text="x").zone == "body"
