"""Agency mentions (pipeline/mentions.py): lists after "các Bộ:", caps spans the lexicon does not back,
lexicon labels with a place tail, the recognizer's fit and find on a fitted model."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.mentions import (MentionRecognizer, _bio, _known_list_names, _spans_of, list_items, list_parts, subject_span,
                               token_features, tokens)


@pytest.fixture(scope="module")
def rec(tiny_nlp):
    return tiny_nlp.get_pipe("mentions").models["recognizer"]


def found(rec, text):
    return [(m.text, m.kind) for m in rec.find(text)]


# --------------------------------------------------------------------------- lists after "các Bộ:"

def test_mentions_list_items_known_names_longest_first():
    t = "Giám đốc các Sở: Văn hóa, Thể thao và Du lịch, Y tế, Khoa học và Công nghệ, Du lịch chủ trì."
    items = list_items(t, t.index("Sở:") + 2)
    assert [t[a:b] for a, b, _ in items] == ["Văn hóa, Thể thao và Du lịch", "Y tế", "Khoa học và Công nghệ", "Du lịch"]
    assert {h for _, _, h in items} == {"Sở"}
    assert "Văn hóa, Thể thao và Du lịch" in _known_list_names()["Sở"]


def test_mentions_list_items_stop_at_the_end_of_the_list():
    t = "Bộ trưởng các Bộ: Tài chính, Ngoại giao và Thủ trưởng cơ quan ngang bộ báo cáo."
    assert [t[a:b] for a, b, _ in list_items(t, t.index("Bộ:") + 2)] == ["Tài chính", "Ngoại giao"]
    t = "Bộ trưởng các Bộ Tài chính, Ngoại giao báo cáo."                 # no colon: no list
    assert list_items(t, t.index("Bộ Tài") + 2) == []


def test_mentions_each_listed_ministry_is_a_mention(rec):
    t = "Bộ trưởng các Bộ: Quốc phòng, Công an, Nông nghiệp và Môi trường chỉ đạo lực lượng ứng cứu."
    ms = rec.find(t)
    listed = [m for m in ms if m.kind == "listed"]
    assert [m.text for m in listed] == ["Quốc phòng", "Công an", "Nông nghiệp và Môi trường"]
    for m in ms:
        assert t[m.start:m.end] == m.text
    # the words before the colon stay one mention, cut at the colon
    assert [m.text for m in ms if m.kind != "listed"] == ["Bộ trưởng các Bộ"]
    # a listed name has the class of "Bộ <name>"
    assert [m.prior for m in listed] == rec.label(["Bộ Quốc phòng", "Bộ Công an", "Bộ Nông nghiệp và Môi trường"])


def test_mentions_list_inside_a_tagged_span_is_split(rec):
    t = "Giám đốc các Sở: Y tế, Tài chính, Xây dựng kiểm tra việc thực hiện."
    ms = rec.find(t)
    assert [m.text for m in ms if m.kind == "listed"] == ["Y tế", "Tài chính", "Xây dựng"]
    assert all(m.end <= t.index(":") or m.kind == "listed" for m in ms)
    assert {m.prior for m in ms if m.kind == "listed"} == {"so_ban_nganh"}


# --------------------------------------------------------------------------- caps spans

class _TagAll:
    """A stand-in tagger that tags every token of each text as one span (what a tagger may do in a caps heading)."""

    def predict(self, feats):
        return [["B"] + ["I"] * (len(f) - 1) for f in feats]


@pytest.fixture()
def tag_all(rec):
    import copy

    r = copy.copy(rec)
    r.tagger_ = _TagAll()
    return r


@pytest.mark.parametrize("text,kept", [
    ("NHIỆM VỤ TRỌNG TÂM", []),                                  # capitals, nothing in the lexicon: dropped
    ("KẾ HOẠCH THỰC HIỆN", []),
    ("SỞ Y TẾ", [("SỞ Y TẾ", "tagged")]),                         # capitals the lexicon backs: kept
    ("Nhiệm vụ trọng tâm", [("Nhiệm vụ trọng tâm", "tagged")]),     # not capitals: the rule does not apply
])
def test_mentions_caps_span_not_backed_by_the_lexicon_is_dropped(tag_all, text, kept):
    assert found(tag_all, text) == kept


def test_mentions_caps_heading_names_no_agency_with_the_fitted_model(rec):
    for heading in ("II. NHIỆM VỤ TRỌNG TÂM", "NHIỆM VỤ VÀ GIẢI PHÁP", "TỔ CHỨC THỰC HIỆN"):
        assert rec.find(heading) == [], heading


# --------------------------------------------------------------------------- labels

LEXICON = [("khac", "Tòa án nhân dân", "name"), ("chinh_quyen", "Ủy ban nhân dân", "name"),
           ("so_ban_nganh", "Sở Y tế", "name"), ("luc_luong_vu_trang", "Công an", "name")]
PLACES = ["Quảng Trị", "Quảng Bình", "Hà Tĩnh", "Nghệ An", "Thanh Hóa", "Huế"]


@pytest.fixture(scope="module")
def small_rec():
    texts, spans = [], []
    for p in PLACES:
        for lvl in ("tỉnh", "huyện"):
            name = f"Ủy ban nhân dân {lvl} {p}"
            texts.append(f"{name} chỉ đạo các cơ quan thực hiện.")
            spans.append([(0, len(name), "chinh_quyen")])
    return MentionRecognizer(lexicon=LEXICON, max_iterations=30).fit(texts, spans)


def test_mentions_lexicon_label_with_place_tail(small_rec):
    # the class model, taught "… nhân dân tỉnh <place>" as chinh_quyen, would say so for the court as well
    assert small_rec.label_model_.predict(["Tòa án nhân dân tỉnh Quảng Trị"])[0] == "chinh_quyen"
    assert small_rec.label(["Tòa án nhân dân tỉnh Quảng Trị", "Tòa án nhân dân huyện Cam Lộ",
                            "Tòa án nhân dân cấp tỉnh", "Tòa án nhân dân TP. Huế"]) == ["khac"] * 4
    assert small_rec.label(["Sở Y tế tỉnh Nghệ An", "Công an xã"]) == ["so_ban_nganh", "luc_luong_vu_trang"]
    # a tail that is not a place is not taken off
    assert small_rec.label(["Tòa án nhân dân xét xử lưu động"]) == \
        [str(small_rec.label_model_.predict(["Tòa án nhân dân xét xử lưu động"])[0])]


@pytest.mark.parametrize("name, parts", [
    ("các sở, ngành, UBND các xã, phường", ["các sở, ngành", "UBND các xã, phường"]),
    ("Bộ Tài chính, Bộ Y tế và các Sở Y tế", ["Bộ Tài chính", "Bộ Y tế", "Sở Y tế"]),
    ("Sở Văn hóa, Thể thao và Du lịch", ["Sở Văn hóa, Thể thao và Du lịch"]),
    ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương", ["Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"]),
    ("Ban Tuyên giáo và Dân vận Tỉnh ủy", ["Ban Tuyên giáo và Dân vận Tỉnh ủy"]),
    (", Sở Y tế", [", Sở Y tế"]),
])
def test_mentions_list_parts_cut_only_before_a_head_word(name, parts):
    assert list_parts(name) == parts


def test_mentions_a_list_of_names_takes_the_class_of_each(small_rec):
    """A span listing agencies of two classes gives both ("Sở Y tế, Ủy ban nhân dân tỉnh Quảng Trị"), each
    name labelled as it would be alone; a lexicon name keeps its own label whole."""
    alone = small_rec.label(["Sở Y tế", "Ủy ban nhân dân tỉnh Quảng Trị"])
    assert alone == ["so_ban_nganh", "chinh_quyen"]
    assert small_rec.label(["Sở Y tế, Ủy ban nhân dân tỉnh Quảng Trị"]) == ["so_ban_nganh+chinh_quyen"]
    assert small_rec.label(["Sở Y tế và Sở Tài chính"]) == ["so_ban_nganh"]       # one class, once
    ms = small_rec.find("Sở Y tế, Ủy ban nhân dân tỉnh Quảng Trị và Công an xã phối hợp thực hiện.")
    assert {lab for m in ms for lab in m.prior.split("+")} == {"so_ban_nganh", "chinh_quyen", "luc_luong_vu_trang"}


def test_mentions_a_lexicon_match_keeps_the_lexicon_label(small_rec):
    ms = small_rec.find("Tòa án nhân dân tỉnh phối hợp với Sở Y tế.")
    assert {(m.text, m.prior) for m in ms} >= {("Sở Y tế", "so_ban_nganh")}
    court = next(m for m in ms if m.text.startswith("Tòa án"))
    assert court.prior == "khac"


ORGAN_LEXICON = [("cap_uy", "Ban Thường vụ", "name"), ("cap_uy", "Tỉnh ủy", "name"), ("mttq_doan_the", "Tỉnh đoàn", "name"),
                 ("mttq_doan_the", "Liên đoàn Lao động", "name"), ("chinh_quyen", "HĐND", "name"),
                 ("chinh_quyen", "UBND", "name"), ("khac", "Ban Thường vụ Liên đoàn Lao động", "name"),
                 ("chinh_quyen", "tỉnh", "phrase")]


def test_mentions_a_standing_body_takes_the_class_of_its_organisation():
    """"Ban Thường vụ Tỉnh đoàn" is the Youth Union's, not a Party committee: a standing or executive body named
    before its organisation has that organisation's class, though the class model, taught Party committees'
    "Ban Thường vụ …", says cap_uy; a lexicon match stretched over a Title Case "Tỉnh Đoàn" is relabelled too."""
    texts, spans = [], []
    for p in PLACES:
        name = f"Ban Thường vụ Tỉnh ủy {p}"
        texts.append(f"{name} chỉ đạo các cấp ủy thực hiện.")
        spans.append([(0, len(name), "cap_uy")])
    rec = MentionRecognizer(lexicon=ORGAN_LEXICON, max_iterations=30).fit(texts, spans)
    bodies = ["Ban Thường vụ Tỉnh đoàn Quảng Trị", "ban thường vụ tỉnh đoàn", "Ban Chấp hành Tỉnh đoàn Quảng Bình",
              "Thường trực Tỉnh đoàn Quảng Trị", "Thường trực Ban Chấp hành Tỉnh đoàn Huế"]
    assert list(rec.label_model_.predict(bodies)) == ["cap_uy"] * len(bodies)       # the head words alone
    assert rec.label(bodies) == ["mttq_doan_the"] * len(bodies)
    # the Party's own bodies, a level with no organisation, and a whole name the lexicon holds keep their class
    # ("tỉnh" alone is chinh_quyen here, as the shipped class model calls a bare level)
    assert rec.label(["Ban Thường vụ Tỉnh ủy Hà Tĩnh", "Ban Thường vụ", "Ban Thường vụ tỉnh",
                      "Ban Thường vụ Liên đoàn Lao động"]) == ["cap_uy", "cap_uy", "cap_uy", "khac"]
    assert rec.label(["Thường trực HĐND, UBND"]) == ["chinh_quyen"]
    ms = rec.find("Ban Thường vụ Tỉnh Đoàn chỉ đạo các cơ sở đoàn.")
    assert [(m.text, m.prior) for m in ms][:1] == [("Ban Thường vụ Tỉnh Đoàn", "mttq_doan_the")]


def test_mentions_place_tail_is_linear_on_a_long_caps_line(small_rec):
    """A heading in capitals that is no place ends the tail check at once (it took minutes: nested quantifiers
    let every capitalised word be cut in two, and a real document's heading hung a batch)."""
    import time

    heading = ("CƠ QUAN, TỔ CHỨC, ĐƠN VỊ TIẾN HÀNH GIỚI THIỆU NGƯỜI ỨNG CỬ ĐẠI BIỂU HỘI ĐỒNG NHÂN DÂN TỈNH, CẤP XÃ "
               "VÀ ĐẠI BIỂU QUỐC HỘI KHÓA MỚI TẠI CÁC ĐƠN VỊ BẦU CỬ TRONG TOÀN TỈNH")
    t0 = time.perf_counter()
    assert small_rec._lexicon_label(heading) is None
    assert small_rec._lexicon_label("Tòa án nhân dân " + heading) is None
    assert time.perf_counter() - t0 < 1.0


def test_mentions_label_set_comes_from_lexicon_and_gold():
    rec = MentionRecognizer(lexicon=LEXICON[:2], max_iterations=10).fit(
        ["Đội Thanh niên xung kích chủ trì dọn vệ sinh."], [[(0, 24, "doi_xung_kich")]])
    assert list(rec.classes_) == ["chinh_quyen", "doi_xung_kich", "khac"]
    assert rec.label(["Đội Thanh niên xung kích"]) == ["doi_xung_kich"]


# --------------------------------------------------------------------------- fit / find

def test_mentions_fit_needs_one_span_list_per_text():
    with pytest.raises(ValueError, match="one span list per text"):
        MentionRecognizer(lexicon=LEXICON).fit(["a", "b"], [[]])


def test_mentions_find_many_equals_find_one_by_one(rec):
    texts = ["Sở Y tế chủ trì, phối hợp với Công an tỉnh.", "", "Bộ trưởng các Bộ: Tài chính, Y tế báo cáo.",
             "Không có cơ quan nào."]
    assert rec.find_many(texts) == [rec.find(t) for t in texts]
    assert rec.find("") == []


def test_mentions_offsets_and_learned_names(rec):
    t = "Hội Chữ thập đỏ tỉnh chủ trì, phối hợp với Tỉnh đoàn tổ chức hiến máu."
    ms = rec.find(t)
    for m in ms:
        assert t[m.start:m.end] == m.text
    assert ("Hội Chữ thập đỏ tỉnh", "hoi_chu_thap_do") in {(m.text, m.prior) for m in ms}


def test_mentions_token_helpers():
    t = "Sở Y tế, Công an."
    toks = tokens(t)
    assert [x[2] for x in toks] == ["Sở", "Y", "tế", ",", "Công", "an", "."]
    tags = _bio(toks, [(0, 7, "so_ban_nganh"), (9, 16, None)])
    assert tags == ["B", "I", "I", "O", "B", "I", "O"]
    assert _spans_of(tags, toks) == [(0, 7), (9, 16)]
    assert _spans_of(["I", "O", "B", "B"], toks[:4]) == [(0, 2), (5, 7), (7, 8)]
    feats = token_features(t, toks, ["O"] * len(toks))
    assert feats[0]["first"] and feats[0]["w"] == "sở" and feats[4]["p"] == ","


@pytest.mark.parametrize("text,subject", [
    ("Thương nhân kinh doanh tại chợ phải tự trang bị bình cứu hỏa.", "Thương nhân kinh doanh tại chợ"),
    ("Cơ quan, đơn vị được giao chủ trì có trách nhiệm báo cáo.", "Cơ quan, đơn vị"),   # the first cue ends it
    ("Trường hợp hồ sơ chưa đủ, cấp có thẩm quyền trả lại hồ sơ.", None),          # "trả lại" is no cue
    ("Trường hợp hồ sơ chưa đủ, cấp có thẩm quyền thông báo bằng văn bản.", "cấp có thẩm quyền"),
    ("Bước 2: Cán bộ một cửa kiểm tra hồ sơ.", "Cán bộ một cửa"),
    ("Các cơ quan, tổ chức, đơn vị thực hiện nghiêm.", "Các cơ quan, tổ chức, đơn vị"),
    ("Quỹ báo cáo Bộ Xây dựng hằng năm.", "Quỹ"),
    ("Tổ chức tập huấn cho cán bộ, công chức.", None),        # "Tổ chức" here is what to do, not who
    ("Tổ chức kiểm tra việc thực hiện quy chế.", None),
    ("Rà soát, đánh giá các đơn vị hành chính thực hiện sắp xếp.", None),   # an object after a comma
    ("Khen thưởng tập thể, cá nhân có thành tích.", None),
    ("Thanh tra, kiểm tra việc thực hiện quy chế.", None),      # after the comma no actor: "Thanh tra" is a verb
    ("Điều 12. Trách nhiệm của Quỹ", "Quỹ"),                                 # a heading: the actor it speaks of
    ("a) Quyền và nghĩa vụ của thương nhân kinh doanh tại chợ", "thương nhân kinh doanh tại chợ"),
    ("Yêu cầu đối với cơ sở xử lý chất thải rắn sinh hoạt:", "cơ sở xử lý chất thải rắn sinh hoạt"),
    ("Trách nhiệm thi hành", None),
    ("Trách nhiệm của các cơ quan, đơn vị", "các cơ quan, đơn vị"),
    ("Nhiệm vụ, quyền hạn của Quỹ, theo Điều lệ", "Quỹ"),                       # a comma before no actor word
    ("Trách nhiệm của Quỹ\nQuỹ có trách nhiệm báo cáo.", "Quỹ"),                # never across a line break
    ("Đối với hồ sơ chưa hợp lệ, cơ quan tiếp nhận phải thông báo.", "cơ quan"),  # a topic, then the subject
    ("Trường hợp hồ sơ chưa đầy đủ, hợp lệ, cơ quan tiếp nhận phải thông báo.", "cơ quan"),   # any comma of it
    ("Trường hợp cơ quan, đơn vị có nhu cầu, cơ quan thuế phải thông báo.", "cơ quan thuế"),
    ("Cán bộ, công chức, viên chức, người lao động phải chấp hành.",              # a cue 12 tokens on
     "Cán bộ, công chức, viên chức, người lao động"),
    ("- Cơ quan, đơn vị phải báo cáo.", "Cơ quan, đơn vị"),                       # after a list marker
    ("Cán bộ kỹ thuật vận hành trạm thu dữ liệu viễn thám của trung tâm vùng phía Bắc nước ta lập báo cáo.", None),
])
def test_mentions_subject_span(text, subject):
    span = subject_span(text, tokens(text))
    assert (text[span[0]:span[1]] if span else None) == subject


def test_mentions_subject_is_a_mention_where_no_name_covers_it(rec):
    t = "Thương nhân kinh doanh tại chợ phải tự trang bị bình cứu hỏa."
    assert ("Thương nhân kinh doanh tại chợ", "subject") in found(rec, t)
    t = "Thương nhân kinh doanh tại chợ phải báo cáo Sở Công Thương."        # a name elsewhere: both
    assert {("Thương nhân kinh doanh tại chợ", "subject"), ("Sở Công Thương", "name")} <= set(found(rec, t)) or \
        {("Thương nhân kinh doanh tại chợ", "subject"), ("Sở Công Thương", "tagged")} <= set(found(rec, t))
    named = "Sở Y tế có trách nhiệm báo cáo."
    assert all(k != "subject" for _, k in found(rec, named))
    assert found(rec, "ĐỐI VỚI CƠ QUAN, ĐƠN VỊ:") == []                        # capitals the lexicon does not back


def test_mentions_phrases_never_run_past_the_text():
    """"có quyền" ends the text: the four-syllable cue "có các quyền …" must not match its truncated slice."""
    from pipeline.mentions import duty_cues
    low = ["thương", "nhân", "có", "quyền"]
    assert duty_cues().at(low, 2) == 2 and duty_cues().at(low, 4) == 0
    assert subject_span("Trách nhiệm của thương nhân có quyền", tokens("Trách nhiệm của thương nhân có quyền"))


def test_mentions_token_features_mark_actor_words_and_duty_cues():
    t = "Thương nhân phải nộp phí, cơ quan thuế có trách nhiệm thu."
    toks = tokens(t)
    f = token_features(t, toks, ["O"] * len(toks))
    words = [x[2] for x in toks]
    i, j = words.index("Thương"), words.index("cơ")
    assert f[i]["actor"] and f[i + 1]["duty_next"] and f[i + 2]["duty"] and not f[i + 2]["actor"]
    assert f[j]["actor"] and not f[j + 1]["actor"] and f[j + 3]["duty"] and not f[j]["duty"]


def test_mentions_recognizer_is_not_fitted_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        MentionRecognizer().find("Sở Y tế")
    with pytest.raises(NotFittedError):
        MentionRecognizer().label(["Sở Y tế"])


def test_mentions_component_without_a_model_falls_back_on_the_lexicon():
    from pipeline.components import Mentions
    from pipeline.document import Task, TaskContext

    comp = Mentions(c1=0.05, c2=0.05, max_iterations=10, C_label=1.0)
    assert not comp.fitted
    t = Task(id=0, text="Sở Y tế chủ trì.", start=0, end=16, context=TaskContext(heading="Trách nhiệm của Công an tỉnh"))
    comp.annotate([t])
    assert [m.text for m in t.mentions["text"]] == ["Sở Y tế"]
    assert [m.text for m in t.mentions["heading"]] == ["Công an tỉnh"]
    assert t.mentions["addressees"] == []
    assert np.all([isinstance(v, list) for v in t.mentions.values()])


def test_mentions_of_the_headings_field_are_found_line_by_line():
    """One heading a line: a name in capitals at a line's end does not run on into the next heading, and
    every mention keeps its offsets in the field (the component and a frame built without it alike)."""
    import pandas as pd

    from pipeline.agencies import default_mentions
    from pipeline.components import Mentions
    from pipeline.document import Task, TaskContext

    headings = "Chương I. QUY ĐỊNH CHUNG\nMục 1. TRÁCH NHIỆM CỦA SỞ Y TẾ\nĐiều 3. Trách nhiệm của Công an tỉnh"
    t = Task(id=0, text="Tổ chức kiểm tra.", start=0, end=17, context=TaskContext(headings=headings))
    Mentions(c1=0.05, c2=0.05, max_iterations=10, C_label=1.0).annotate([t])
    frame = default_mentions(pd.DataFrame([{"headings": headings}]), ["headings"])[0]
    for found in (t.mentions["headings"], frame["headings"]):
        assert [headings[m.start:m.end] for m in found] == [m.text for m in found] == ["SỞ Y TẾ", "Công an tỉnh"]


def test_mentions_of_addressee_and_recipient_lists_are_found_line_by_line():
    """One body a line in a "Kính gửi" or "Nơi nhận" list: a tagger that would run one name on over the line
    break ("Văn phòng Chính phủ;\\nBộ Tư pháp", labelled once) is given each line apart, in the component and
    in :func:`~pipeline.inheritance.field_mentions`, which a frame built without it reads with, and every
    mention keeps its offsets in the field."""
    import pandas as pd

    from pipeline.agencies import default_mentions
    from pipeline.components import Mentions
    from pipeline.document import Task, TaskContext
    from pipeline.inheritance import field_mentions
    from pipeline.lexicon import Mention

    class Greedy:
        """A recognizer that takes each text it is given for one mention, as a tagger merging a list does."""

        def find_many(self, texts):
            return [[Mention(0, len(t.rstrip(";")), t.rstrip(";"), "so_ban_nganh", "tagged")] for t in texts]

    recipients = "Văn phòng Chính phủ;\nBộ Tư pháp;\nUBND các tỉnh, thành phố;"
    comp = Mentions(c1=0.05, c2=0.05, max_iterations=10, C_label=1.0)
    comp.models["recognizer"] = Greedy()
    t = Task(id=0, text="Tổ chức kiểm tra.", start=0, end=17,
             context=TaskContext(recipients=recipients, addressees="Sở Y tế;\nSở Tài chính."))
    comp.annotate([t])
    want = ["Văn phòng Chính phủ", "Bộ Tư pháp", "UBND các tỉnh, thành phố"]
    assert [recipients[m.start:m.end] for m in t.mentions["recipients"]] == want
    assert [m.text for m in t.mentions["addressees"]] == ["Sở Y tế", "Sở Tài chính."]
    greedy = lambda text: Greedy().find_many([text])[0]   # noqa: E731
    for field in ("recipients", "addressees"):          # the function both paths read a field with
        assert [m.text for m in field_mentions(greedy, field, recipients)] == want
    assert len(field_mentions(greedy, "lead_in", recipients)) == 1      # a sentence field stays whole
    frame = default_mentions(pd.DataFrame([{"recipients": recipients}]), ["recipients"])[0]["recipients"]
    assert [recipients[m.start:m.end] for m in frame] == [m.text for m in frame]


def test_mentions_tagger_reads_texts_in_slices_with_the_same_mentions(monkeypatch):
    """The tagger reads TAG_BATCH texts' token features at a time (memory): the mentions are those of one call."""
    import pipeline
    from pipeline import mentions

    rec = pipeline.load().get_pipe("mentions").models["recognizer"]
    texts = ["Sở Y tế chủ trì, phối hợp với Sở Tài chính.", "", "Ủy ban nhân dân các xã, phường báo cáo.",
             "Ban Tuyên giáo và Dân vận Tỉnh ủy định hướng tuyên truyền.", "Các sở, ban, ngành thực hiện."] * 3
    whole = rec.find_many(texts)
    monkeypatch.setattr(mentions, "TAG_BATCH", 2)
    assert rec.find_many(texts) == whole and any(whole)
