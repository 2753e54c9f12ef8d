"""Task splitting (pipeline/splitting.py): sentences, candidates with their TaskContext, the short-candidate
filter, the rule fallback, the detector's input frame and its second stage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline import splitting
from pipeline.document import Candidate, Line, TaskContext
from pipeline.splitting import (MIN_WORDS, TaskDetector, candidate_frame, candidates, neighbour_features,
                                rule_is_task, sentences)
from test_structure import DOC

META = {"type": "Kế hoạch", "issuer": "Ban Thường vụ Tỉnh ủy Quảng Trị"}


@pytest.fixture(scope="module")
def cands():
    return candidates(DOC, META)


def cand(cs, startswith):
    return next(c for c in cs if c.text.startswith(startswith))


# --------------------------------------------------------------------------- sentences

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
    ("Do ông Nguyễn Văn B. làm tổ trưởng.", ["Do ông Nguyễn Văn B. làm tổ trưởng."]),
], ids=["two", "item-number", "TP", "initial", "question-exclaim", "digit-start", "quotes", "trim", "decimal",
        "initial-lower"])
def test_splitting_sentences(text, expected):
    assert [text[s:e] for s, e in sentences(text)] == expected


def test_splitting_sentences_base_offset_and_linear_time():
    assert sentences("Ban Dân vận chủ trì. Sở Y tế phối hợp.", base=10) == [(10, 30), (31, 48)]
    long = "Sở Y tế chủ trì tổ chức khám bệnh. " * 20000       # 700 k characters on one line
    import time

    t0 = time.perf_counter()
    assert len(sentences(long)) == 20000
    assert time.perf_counter() - t0 < 5


# --------------------------------------------------------------------------- candidates and their context

def test_splitting_candidates_are_body_sentences_only(cands):
    texts = [c.text for c in cands]
    for name in ["Ban Dân vận Tỉnh ủy;", "Sở Y tế tỉnh.", "Ban Tổ chức Tỉnh ủy,", "Lưu VP.", "Nguyễn Văn An",
                 "BÍ THƯ", "KẾ HOẠCH", "Số: 12-KH/TU", "Kính gửi:", "Nơi nhận:"]:
        assert name not in texts
    for c in cands:
        assert DOC.index("Căn cứ") <= c.start and c.end <= DOC.index("Nơi nhận")
        assert DOC[c.start:c.end] == c.text == c.text.strip()
    assert [c.start for c in cands] == sorted(c.start for c in cands)
    assert all(a.end <= b.start for a, b in zip(cands, cands[1:]))


def test_splitting_item_sentences_are_separate_candidates_with_item_context(cands):
    first = cand(cands, "Ban Tuyên giáo chủ trì")
    second = cand(cands, "Báo cáo kết quả")
    assert (first.text, second.text) == ("Ban Tuyên giáo chủ trì tuyên truyền sâu rộng.",
                                         "Báo cáo kết quả trước ngày 30/6.")
    assert first.section == second.section == "II.1.1"
    assert first.context.item == ""
    assert second.context.item == first.text              # step 1 of inheritance reads it
    assert second.features["sent_index"] == 1


def test_splitting_candidate_context_fields(cands):
    c = cand(cands, "Chỉ đạo cấp ủy cơ sở")
    assert isinstance(c.context, TaskContext)
    assert c.section == "II.2"
    assert c.context.parent == "Các huyện ủy, thành ủy:"
    assert c.context.lead_in == "Các huyện ủy, thành ủy:"
    assert c.context.doc_lead_in == "Ban Thường vụ Tỉnh ủy yêu cầu các cơ quan thực hiện tốt các nội dung sau:"
    assert c.context.addressees == "Ban Dân vận Tỉnh ủy;\nSở Y tế tỉnh.\n"
    assert c.context.recipients == "Ban Tổ chức Tỉnh ủy,\nLưu VP.\n"
    assert c.context.heading == "NHIỆM VỤ VÀ GIẢI PHÁP"
    assert c.context.headings == "NHIỆM VỤ VÀ GIẢI PHÁP"
    assert c.context.title == "KẾ HOẠCH\n"
    assert (c.context.kind, c.context.issuer) == ("kế hoạch", "Ban Thường vụ Tỉnh ủy Quảng Trị")
    assert c.features["parent_lead_in"] == 1


def test_splitting_headings_outermost_first_and_nearest(cands):
    c = cand(cands, "Sở Y tế phối hợp")
    assert c.context.headings == "NHIỆM VỤ VÀ GIẢI PHÁP\nCông tác tuyên truyền"
    assert c.context.heading == "Công tác tuyên truyền"
    assert cand(cands, "Nâng cao nhận thức").context.headings == "MỤC ĐÍCH, YÊU CẦU\nMục đích"


def test_splitting_parent_is_the_enclosing_item(cands):
    assert cand(cands, "Sở Y tế phối hợp").context.parent == \
        "Ban Tuyên giáo chủ trì tuyên truyền sâu rộng. Báo cáo kết quả trước ngày 30/6."
    assert cand(cands, "Đoàn Thanh niên").context.parent == "Sở Y tế phối hợp tổ chức hiến máu tình nguyện."
    assert cand(cands, "Công an tỉnh").context.parent == ""            # its enclosing item is a heading


def test_splitting_siblings_share_a_group(cands):
    a, b = cand(cands, "Ban Tuyên giáo chủ trì"), cand(cands, "Công an tỉnh")
    assert a.group == b.group == DOC.index("Công tác tuyên truyền")
    assert cand(cands, "Căn cứ").group == -1


def test_splitting_heading_context_does_not_leak_to_a_sibling_item():
    text = ("Ban Thường vụ Tỉnh ủy yêu cầu các cơ quan thực hiện tốt các nội dung sau:\n"
            "1. Ban Tuyên giáo Tỉnh ủy\n"
            "- Chủ trì tuyên truyền về hiến máu tình nguyện.\n"
            "2. Tổ chức kiểm tra việc thực hiện kế hoạch này.")
    cs = candidates(text)
    assert cand(cs, "Chủ trì tuyên truyền").context.heading == "Ban Tuyên giáo Tỉnh ủy"
    assert cand(cs, "Tổ chức kiểm tra").context.heading == ""
    assert cand(cs, "Tổ chức kiểm tra").context.lead_in == \
        "Ban Thường vụ Tỉnh ủy yêu cầu các cơ quan thực hiện tốt các nội dung sau:"


def test_splitting_a_lead_in_paragraph_under_an_article_governs_its_numbered_clauses():
    """"Điều 2. …" then "Trung tâm X thực hiện các nhiệm vụ sau:" then "1. …", "a) …": the paragraph is the
    lead-in of every clause of the article (a clause's number does not end it), not of the next article."""
    text = ("Điều 2. Nhiệm vụ và quyền hạn\n"
            "Trung tâm Dịch vụ nông nghiệp xã thực hiện các nhiệm vụ, quyền hạn sau:\n"
            "1. Nhiệm vụ chung\n"
            "a) Hướng dẫn nông dân áp dụng quy trình sản xuất an toàn.\n"
            "2. Tổ chức tập huấn kỹ thuật cho các hợp tác xã trên địa bàn.\n"
            "Điều 3. Tổ chức thực hiện\n"
            "Các cơ quan liên quan triển khai thực hiện Quyết định này.")
    cs = candidates(text)
    lead_in = "Trung tâm Dịch vụ nông nghiệp xã thực hiện các nhiệm vụ, quyền hạn sau:"
    assert cand(cs, "Hướng dẫn nông dân").context.lead_in == lead_in
    assert cand(cs, "Tổ chức tập huấn").context.lead_in == lead_in
    assert cand(cs, "Các cơ quan liên quan").context.lead_in == ""


def test_splitting_docstring_example():
    cs = candidates("Kính gửi: Các huyện ủy\n1. Ban Dân vận chủ trì. Báo cáo kết quả.")
    assert [c.text for c in cs] == ["Ban Dân vận chủ trì.", "Báo cáo kết quả."]
    assert (cs[1].section, cs[1].context.item, cs[1].context.addressees) == \
        ("1", "Ban Dân vận chủ trì.", "Các huyện ủy\n")


def test_splitting_given_lines_are_used_as_parsed():
    from pipeline.structure import parse

    lines, info = parse(DOC)
    assert [(c.start, c.end, c.context) for c in candidates(DOC, META, lines, info)] == \
        [(c.start, c.end, c.context) for c in candidates(DOC, META)]


def test_splitting_a_paragraph_without_a_number_goes_on_with_the_item_above():
    text = ("1. Sở Y tế chủ trì tổ chức tập huấn cho cán bộ. Báo cáo kết quả về tỉnh.\n\n"
            "Tăng cường kiểm tra việc thực hiện ở cơ sở.\n"
            "2. Các huyện ủy:\n\n"
            "Quán triệt nội dung kế hoạch đến cơ sở.")
    cs = candidates(text)
    assert cand(cs, "Tăng cường kiểm tra").context.item == "Sở Y tế chủ trì tổ chức tập huấn cho cán bộ."
    assert cand(cs, "Quán triệt").context.item == ""     # under a "X:" item the item line is the parent step


# --------------------------------------------------------------------------- the short-candidate filter

@pytest.mark.parametrize("text,kept", [
    ("1. Báo cáo.", False),                           # two words
    ("1. (1).", False),
    ("1. Pháp chế", False),
    ("1. Báo cáo ngay.", True),                       # three words
    ("1. Sở Y tế chủ trì.", True),
])
def test_splitting_candidates_under_min_words_are_dropped(text, kept):
    assert MIN_WORDS == 3
    assert bool(candidates(text)) is kept


def test_splitting_short_sentence_inside_an_item_is_dropped_but_not_its_neighbours():
    cs = candidates("1. Sở Y tế chủ trì tổ chức tập huấn. Xong. Báo cáo kết quả về tỉnh.")
    assert [c.text for c in cs] == ["Sở Y tế chủ trì tổ chức tập huấn.", "Báo cáo kết quả về tỉnh."]
    assert cs[1].context.item == "Sở Y tế chủ trì tổ chức tập huấn."


# --------------------------------------------------------------------------- rule fallback

@pytest.mark.parametrize("start,is_task", [
    ("Căn cứ Nghị quyết", False),             # legal basis
    ("Thời gian qua", False),                 # background
    ("Ban Thường vụ Tỉnh ủy yêu cầu", False), # plain line before the items
    ("MỤC ĐÍCH, YÊU CẦU", False),             # heading (roman, capitals)
    ("Mục đích", False),                      # heading (numbered, deeper line follows): under MIN_WORDS anyway
    ("Công tác tuyên truyền", False),
    ("Nâng cao nhận thức", True),
    ("Ban Tuyên giáo chủ trì", True),
    ("Báo cáo kết quả", True),
    ("Sở Y tế phối hợp", True),
    ("Đoàn Thanh niên", True),
    ("Hội Chữ thập đỏ TP.", True),
    ("Chỉ đạo cấp ủy cơ sở", True),
])
def test_splitting_rule_is_task(start, is_task):
    cs = candidates(DOC)
    found = [c for c in cs if c.text.startswith(start)]
    if start == "Mục đích":
        assert not found
        return
    assert rule_is_task(found[0]) is is_task


def test_splitting_rule_is_task_rejects_caps_and_field_lines():
    cs = candidates("1. TỔ CHỨC THỰC HIỆN KẾ HOẠCH.\n2. Ban Dân vận chủ trì thực hiện.\n- Cơ quan chủ trì: Sở Y tế.")
    assert [(c.text, rule_is_task(c)) for c in cs] == [
        ("TỔ CHỨC THỰC HIỆN KẾ HOẠCH.", False), ("Ban Dân vận chủ trì thực hiện.", True),
        ("Cơ quan chủ trì: Sở Y tế.", False)]


def test_splitting_candidates_read_the_same_whatever_the_documents_type():
    """The detector judges a sentence by what it says and where it stands, not by its document's type: a type
    seen in a few training documents would set the prior of every sentence of an unseen one of that type
    (a thông tư's procedures, where the training documents of that type held a handful of tasks)."""
    text = ("Kính gửi: Các sở\n1. Sở Y tế chủ trì tuyên truyền. Báo cáo kết quả.\n"
            "Điều 2. Giao Sở Tài chính bố trí kinh phí.")
    a = candidates(text, {"type": "thông tư"})
    b = candidates(text, {"type": "kế hoạch"})
    assert [c.text for c in a] == [c.text for c in b]
    assert [c.features for c in a] == [c.features for c in b]
    assert [c.context.kind for c in a] == ["thông tư"] * len(a)     # the type stays in the context (inheritance)


def test_splitting_dataclass_defaults():
    c = Candidate(start=0, end=3, text="abc", section="1")
    assert c.context == TaskContext() and c.features == {} and c.group == -1
    assert Line(start=0, end=1, text="x").zone == "body"
    assert TaskContext.from_dict({"heading": "H", "unknown": 1, "item": None}) == TaskContext(heading="H")


# --------------------------------------------------------------------------- detector input and second stage

def test_splitting_candidate_frame_columns(cands):
    X = candidate_frame(cands, docs=[7] * len(cands))
    assert list(X.columns) == ["text", "features", "context", "headings", "doc", "group"]
    assert X["text"].tolist() == [c.text for c in cands]
    c = cand(cands, "Chỉ đạo cấp ủy cơ sở")
    row = X.iloc[cands.index(c)]
    assert row["context"] == "ctx " + c.context.parent + " " + c.context.lead_in
    assert row["headings"] == "hd " + c.context.headings
    assert row["doc"] == 7 and row["group"] == c.group
    assert candidate_frame([]).shape == (0, 6)


def test_splitting_neighbour_features_stay_inside_document_and_list():
    X = pd.DataFrame({"doc": [0, 0, 0, 1], "group": [5, 5, 9, 5]})
    p = np.array([0.9, 0.7, 0.1, 0.3])
    f = neighbour_features(X, p)
    assert f.shape == (4, 8)
    np.testing.assert_allclose(f[:, 0], p)                               # own
    np.testing.assert_allclose(f[:, 1], [0.5, 0.9, 0.7, 0.5])           # previous, none across documents
    np.testing.assert_allclose(f[:, 2], [0.7, 0.1, 0.5, 0.5])           # next
    np.testing.assert_allclose(f[:, 3], [0.8, 0.8, 0.1, 0.3])           # mean of its list (doc, group)
    np.testing.assert_allclose(f[:, 4], [0.7, 0.7, 0.1, 0.3])           # min
    np.testing.assert_allclose(f[:, 5], [0.9, 0.9, 0.1, 0.3])           # max
    np.testing.assert_allclose(f[:, 6], [0.2, 0.2, 0.1, 0.1])           # list size / 10
    np.testing.assert_allclose(f[:, 7], [1.7 / 3] * 3 + [0.3])          # document mean
    assert neighbour_features(X.iloc[:0], np.zeros(0)).shape == (0, 8)


def _detector_data(n_docs: int):
    docs = [f"Căn cứ Nghị quyết số {i}-NQ/TU của Tỉnh ủy về công tác hiến máu.\n"
            f"Thời gian qua công tác hiến máu đạt nhiều kết quả.\n"
            "II. NHIỆM VỤ\n1. Công tác tuyên truyền\n"
            "- Ban Tuyên giáo chủ trì tuyên truyền về hiến máu tình nguyện.\n"
            "- Sở Y tế tổ chức các điểm hiến máu tình nguyện.\n"
            "2. Công tác kiểm tra\n- Hội Chữ thập đỏ báo cáo kết quả hiến máu." for i in range(n_docs)]
    cs, ids = [], []
    for i, d in enumerate(docs):
        got = candidates(d)
        cs += got
        ids += [i] * len(got)
    y = np.array([int(c.text.startswith(("Ban Tuyên", "Sở Y", "Hội Chữ"))) for c in cs])
    return candidate_frame(cs, ids), y


def test_splitting_detector_second_stage_needs_as_many_documents_as_folds():
    X, y = _detector_data(4)
    det = TaskDetector(folds=4).fit(X, y)
    assert det.stack_ is not None
    assert det.stack_.coef_.shape == (1, 8)
    X3, y3 = _detector_data(3)
    assert TaskDetector(folds=4).fit(X3, y3).stack_ is None
    assert TaskDetector(neighbours=False).fit(X, y).stack_ is None


def test_splitting_detector_second_stage_reads_the_neighbours():
    X, y = _detector_data(4)
    det = TaskDetector(folds=4).fit(X, y)
    p_first = det.pipeline_.predict_proba(X)[:, 1]
    np.testing.assert_allclose(det.predict_proba(X), det.stack_.predict_proba(neighbour_features(X, p_first)))
    # the same candidate scores differently when its list mates change: the second stage reads them
    one = X.iloc[[4]].assign(doc=0, group=1)
    with_mates = pd.concat([X.iloc[[3, 4, 5]]]).assign(doc=0, group=1)
    assert det.predict_proba(one)[0, 1] != pytest.approx(det.predict_proba(with_mates)[1, 1])


def test_splitting_detector_threshold_controls_predict():
    X, y = _detector_data(2)
    never = TaskDetector(threshold=1.01).fit(X, y)
    always = TaskDetector(threshold=0.0).fit(X, y)
    assert never.predict(X).sum() == 0
    assert always.predict(X).sum() == len(X)
    assert (TaskDetector().fit(X, y).predict(X) == y).all()


def test_splitting_detector_sample_weight_changes_the_fit():
    X, y = _detector_data(4)
    w = np.where(np.arange(len(y)) < len(y) // 2, 5.0, 1.0)
    a = TaskDetector().fit(X, y).predict_proba(X)
    b = TaskDetector().fit(X, y, sample_weight=w).predict_proba(X)
    assert not np.allclose(a, b)


def test_splitting_detector_reads_character_ngrams():
    """A task glued by a scan ("chủtrì kiểmtra") shares no word with training, but most of its character
    n-grams: with ``char_weight`` the detector still reads it as a task."""
    tasks = ["Sở Y tế chủ trì kiểm tra các điểm hiến máu.", "Sở Nội vụ chủ trì kiểm tra hồ sơ thi đua."]
    other = ["Sở Y tế đã có nhiều kết quả tốt trong năm.", "Sở Nội vụ được tặng nhiều bằng khen của tỉnh."]
    cs, ids = [], []
    for d in range(4):
        got = candidates("\n".join(tasks + other))
        cs += got
        ids += [d] * len(got)
    X, y = candidate_frame(cs, ids), np.array([int("chủ trì" in c.text) for c in cs])
    glued = candidate_frame(candidates(other[0] + "\nSở Tư pháp chủtrì kiểmtra di tích.")[1:], [0])   # after a line
    with_chars = TaskDetector(neighbours=False).fit(X, y)
    words_only = TaskDetector(neighbours=False, char_weight=0.0).fit(X, y)
    assert with_chars.pipeline_.named_steps["features"].transformer_weights["chars"] == with_chars.char_weight
    assert "chars" not in words_only.pipeline_.named_steps["features"].named_transformers_
    assert with_chars.predict_proba(glued)[0, 1] > 0.5 > words_only.predict_proba(glued)[0, 1]


def test_splitting_module_docstring():
    import doctest

    assert doctest.testmod(splitting).failed == 0


# --------------------------------------------------------------------------- one task over two sentences

SPACED = ("Kính gửi: Các huyện ủy\n\n1. Ban Dân vận chủ trì tổ chức hội nghị tổng kết. Báo cáo kết quả về Tỉnh ủy.\n"
          "Trường hợp có khó khăn thì kịp thời xin ý kiến.\n\n2. Sở Y tế chủ trì giám sát dịch bệnh.")
DENSE = SPACED.replace("\n\n", "\n")


def gaps(text):
    return {c.text[:9]: next(k[4:] for k in c.features if k.startswith("gap=")) for c in candidates(text)}


def test_splitting_gap_says_what_stands_before_a_candidate():
    """A single line break goes on with the paragraph in a document that sets paragraphs apart with blank
    lines, and is a paragraph break in one that does not."""
    assert gaps(SPACED) == {"Ban Dân v": "other", "Báo cáo k": "line", "Trường hợ": "wrap", "Sở Y tế c": "other"}
    assert gaps(DENSE)["Trường hợ"] == "paragraph"


def test_splitting_after_stop_marks_a_paragraph_after_a_finished_sentence():
    """A new paragraph after a sentence that ended (no gold task goes on over one) says so, for the detector
    and the joiner; a paragraph after an unfinished line, a sentence on the same line, a wrapped line do not."""
    text = ("KẾ HOẠCH\n1. Sở Tư pháp chủ trì rà soát hồ sơ nhận con nuôi.\n\nvà Sở Nội vụ hướng dẫn các xã thực hiện"
            "\n\nchế độ báo cáo định kỳ. Công an tỉnh bảo đảm an ninh trật tự.")
    feats = {c.text[:9]: c.features for c in candidates(text)}
    assert {k: f["after_stop"] for k, f in feats.items()} == {"Sở Tư phá": 0, "và Sở Nội": 1, "chế độ bá": 0,
                                                             "Công an t": 0}
    assert splitting.join_features(next(c for c in candidates(text) if c.text.startswith("và")))["after_stop"] == 1
    assert all(c.features["after_stop"] == 0 for c in candidates(SPACED))
    lists = ("KẾ HOẠCH\n1. Sở Tư pháp rà soát hồ sơ;\nhướng dẫn các xã thực hiện chế độ báo cáo.\n"
             "2. Sở Nội vụ tuyên truyền trên mạng xã hội (Facebook, Youtube...)\nđể lan tỏa các thông điệp.")
    assert [c.features["after_stop"] for c in candidates(lists)] == [0, 0, 0, 0]   # ";", "...": not finished


def test_splitting_join_labels_pair_sentences_of_one_gold_task():
    from pipeline.training import join_labels

    spans = [(0, 10), (11, 20), (21, 30), (31, 40)]
    gold = [(0, 20), (21, 40)]
    assert join_labels(spans, [1, 1, 1, 1], gold) == [None, 1, 0, 1]
    assert join_labels(spans, [1, 0, 1, 1], gold) == [None, None, None, 1]     # not a task: no pair
    assert join_labels(spans, [1, 1, 1, 1], [(0, 14), (21, 40)]) == [None, None, None, 1]   # (11, 20) mostly outside


def test_splitting_candidate_features_items_under_lower_case_attached_part():
    """A line with items under it, a sentence opening in lower case, a sentence of a part attached after the
    signature: each says so."""
    from test_structure import REGULATION

    cs = candidates("KẾ HOẠCH\n1. Khi có cháy rừng xảy ra trên địa bàn:\n- Ban Chỉ huy xã tổ chức chữa cháy.\n"
                    "- các hộ dân tham gia chữa cháy.\n2. Sở Y tế bảo đảm cấp cứu người bị nạn.")
    feats = {c.text[:12]: c.features for c in cs}
    assert [feats[k]["has_items"] for k in feats] == [1, 0, 0, 0]
    assert [feats[k]["starts_lower"] for k in feats] == [0, 0, 1, 0]
    attached = {c.text[:9]: c.features["attached_part"] for c in candidates(REGULATION)}
    assert attached["Tham mưu "] == 1 and 0 in attached.values()


def _detector(joiner: bool):
    from pipeline.components import make_detector

    det = make_detector(C=2.0, threshold=0.5, max_features=1000, char_weight=0.0, real_weight=1.0, join=joiner)
    det.models["detector"] = None                          # the rule fallback keeps every item sentence
    if joiner:                                             # a joiner that has learned "a wrapped line goes on"
        X = [{"gap=wrap": 1}, {"gap=line": 1}, {"gap=paragraph": 1}, {"gap=other": 1}] * 3
        det.models["joiner"] = splitting.new_joiner().fit(X, [1, 0, 0, 0] * 3)
    return det


def test_splitting_joiner_never_joins_over_a_paragraph_after_a_finished_sentence():
    """Even a joiner that would join every paragraph break leaves a sentence after a blank line that follows a
    finished sentence (an OCR'd page's item number read as "và") its own task; after an unfinished line it
    joins."""
    from pipeline.document import Document

    text = ("KẾ HOẠCH\n1. Sở Tư pháp chủ trì rà soát hồ sơ nhận con nuôi.\n\nvà Sở Nội vụ hướng dẫn các xã thực hiện"
            "\n\nchế độ báo cáo định kỳ hằng năm.")
    det = _detector(False)
    det.models["joiner"] = splitting.new_joiner().fit([{"gap=paragraph": 1}, {"gap=line": 1}] * 3, [1, 0] * 3)
    doc = Document(doc_id="d", raw_text=text, clean_text=text)
    doc.candidates = candidates(text)
    assert [t.text for t in det(doc).tasks] == [
        "Sở Tư pháp chủ trì rà soát hồ sơ nhận con nuôi.",
        "và Sở Nội vụ hướng dẫn các xã thực hiện\n\nchế độ báo cáo định kỳ hằng năm."]


@pytest.mark.parametrize("text,tasks", [
    (SPACED, ["Ban Dân vận chủ trì tổ chức hội nghị tổng kết.", "Báo cáo kết quả về Tỉnh ủy.\nTrường hợp có khó "
              "khăn thì kịp thời xin ý kiến.", "Sở Y tế chủ trì giám sát dịch bệnh."]),
    (DENSE, ["Ban Dân vận chủ trì tổ chức hội nghị tổng kết.", "Báo cáo kết quả về Tỉnh ủy.",
             "Trường hợp có khó khăn thì kịp thời xin ý kiến.", "Sở Y tế chủ trì giám sát dịch bệnh."]),
])
def test_splitting_joiner_makes_one_task_of_a_paragraphs_two_sentences(text, tasks):
    from pipeline.document import Document

    doc = Document(doc_id="d", raw_text=text, clean_text=text)
    doc.candidates = candidates(text)
    assert [t.text for t in _detector(True)(doc).tasks] == tasks
    spans = [(t.start, t.end) for t in doc.tasks]
    assert [text[s:e] for s, e in spans] == tasks                   # the offsets hold the joined text
    alone = _detector(False)(doc).tasks                             # without a joiner every sentence stands alone
    assert len(alone) == len(candidates(text))


REPORT = """KẾ HOẠCH
I. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ NĂM 2025
Tổng vốn đầu tư toàn xã hội ước đạt 270.000 tỷ đồng, tăng 9% so với cùng kỳ.
II. NHIỆM VỤ NĂM 2026
1. Chế độ báo cáo kết quả thực hiện
Các sở báo cáo kết quả thực hiện về Sở Tài chính trước ngày 15/12/2026.
2. Sở Tài chính tham mưu phân bổ vốn đầu tư công bảo đảm đúng quy định."""


def test_splitting_candidates_under_a_report_heading_are_marked():
    """A section on what was done ("Tình hình thực hiện nhiệm vụ năm 2025") tells results, and the detector is
    told so; a section on reporting them ("Chế độ báo cáo kết quả thực hiện") holds tasks and is not marked."""
    cs = candidates(REPORT)
    assert cand(cs, "Tổng vốn đầu tư").features["report_heading"] == 1
    assert cand(cs, "Các sở báo cáo").features["report_heading"] == 0
    assert cand(cs, "Sở Tài chính tham mưu").features["report_heading"] == 0


def test_splitting_after_semicolon_marks_the_next_item_of_an_unmarked_list():
    """A paragraph after one ending in ";" is the next item of a list when it opens with a capital (no labelled
    real task goes on over such a break), not when it opens in lower case."""
    text = ("Sở Nội vụ có nhiệm vụ:\n\nTrình Hội đồng nhân dân tỉnh quyết định việc thành lập cơ quan chuyên môn;\n\n"
            "Hướng dẫn cụ thể về trình tự thành lập đơn vị sự nghiệp công lập;\n\n"
            "trường hợp cần thiết báo cáo Ủy ban nhân dân tỉnh xem xét.")
    cs = candidates(text)
    assert cand(cs, "Trình Hội đồng").features["after_semicolon"] == 0
    assert cand(cs, "Hướng dẫn cụ thể").features["after_semicolon"] == 1
    assert cand(cs, "trường hợp cần thiết").features["after_semicolon"] == 0
    assert splitting.join_features(cand(cs, "Hướng dẫn cụ thể"))["after_semicolon"] == 1


def test_splitting_detector_first_stage_in_slices_of_rows_gives_the_same_probabilities(monkeypatch):
    """A long batch's candidates are read ROWS at a time by the first stage (memory): the probabilities are
    those of one call, the second stage still seeing every row's neighbours."""
    from pathlib import Path

    import pipeline
    from pipeline import splitting

    nlp = pipeline.load()
    samples = Path(__file__).resolve().parent.parent / "samples"
    texts = [p.read_text(encoding="utf-8") for p in sorted(samples.glob("*.txt"))[:3]]
    docs = list(nlp.pipe(texts, until="detector"))
    cands = [c for d in docs for c in d.candidates]
    X = splitting.candidate_frame(cands, docs=[i for i, d in enumerate(docs) for _ in d.candidates])
    det = nlp.get_pipe("detector").models["detector"]
    whole = det.predict_proba(X)
    monkeypatch.setattr(splitting, "ROWS", 7)
    assert len(X) > 3 * 7
    assert np.array_equal(det.predict_proba(X), whole)
