"""Inherited agencies (pipeline/inheritance.py): the six steps in order, every group a step gives, which
mentions of a heading or lead-in name an actor (subject position)."""

from __future__ import annotations

import pytest

from pipeline import inheritance
from pipeline.inheritance import STEP_WEIGHT, STEPS, actors, in_subject_position, inherit, supporters
from pipeline.lexicon import Mention


@pytest.fixture(scope="module")
def find(default_matcher):
    return default_matcher.mentions


def mentions_of(find, context: dict) -> dict:
    return {k: inheritance.field_mentions(find, k, v) for k, v in context.items() if isinstance(v, str) and v}


def labels(got) -> list[str]:
    return sorted({m.prior for m, _ in got})


# one context with an actor at every step: each step names a different agency
FULL = {
    "item": "Công an tỉnh chủ trì rà soát các điểm nóng.",
    "field_lead": "Sở Tài chính",
    "parent": "Ban Tuyên giáo Tỉnh ủy, Ban Dân vận Tỉnh ủy:",
    "heading": "Trách nhiệm của Hội Nông dân tỉnh",
    "lead_in": "Ban Thường vụ Tỉnh ủy yêu cầu Đoàn Thanh niên thực hiện tốt các nội dung sau:",
    "addressees": "Các huyện ủy, thành ủy;\nBan cán sự đảng Ủy ban nhân dân tỉnh.",
    "issuer": "Ủy ban nhân dân tỉnh Quảng Trị",
    "recipients": "Tỉnh ủy (b/c);\nHội Chữ thập đỏ tỉnh;\nLưu: VT, Văn phòng.",
    "kind": "kế hoạch",
}

# blank the fields one by one, in the order of the steps: each time the next step gives the actor
ORDER = [
    ((), "item", ["luc_luong_vu_trang"]),
    (("item",), "item", ["so_ban_nganh"]),                                   # the item's "Cơ quan chủ trì:" field
    (("item", "field_lead"), "item", ["ban_dan_van", "ban_tuyen_giao"]),     # a parent "X, Y:" line, both groups
    (("item", "field_lead", "parent"), "heading", ["mttq_doan_the"]),
    (("item", "field_lead", "parent", "heading"), "lead_in", ["mttq_doan_the"]),
    (("item", "field_lead", "parent", "heading", "lead_in"), "addressees", ["cap_uy", "dang_doan_ban_can_su"]),
    (("item", "field_lead", "parent", "heading", "lead_in", "addressees"), "issuer", ["chinh_quyen"]),
    (("item", "field_lead", "parent", "heading", "lead_in", "addressees", "issuer"), "recipients",
     ["hoi_chu_thap_do"]),
]


@pytest.mark.parametrize("blank,step,expected", ORDER, ids=[o[1] + f"-{i}" for i, o in enumerate(ORDER)])
def test_inheritance_six_steps_in_order(find, blank, step, expected):
    ctx = {k: ("" if k in blank else v) for k, v in FULL.items()}
    got_step, got = inherit(ctx, mentions_of(find, ctx))
    assert got_step == step
    assert labels(got) == expected
    assert {w for _, w in got} == {STEP_WEIGHT[step]}


def test_inheritance_steps_are_the_guidelines_six():
    assert STEPS == ("item", "heading", "lead_in", "addressees", "issuer", "recipients")
    assert [STEP_WEIGHT[s] for s in STEPS] == sorted((STEP_WEIGHT[s] for s in STEPS), reverse=True)


def test_inheritance_nothing_anywhere():
    assert inherit({"heading": "NHIỆM VỤ CỤ THỂ", "kind": "công văn"}, {}) == ("", [])
    assert inherit({}, {}) == ("", [])


def test_inheritance_every_group_of_the_step_is_kept(find):
    ctx = {"addressees": "Các sở, ban, ngành tỉnh;\nỦy ban nhân dân các huyện;\nHội Chữ thập đỏ tỉnh."}
    step, got = inherit(ctx, mentions_of(find, ctx))
    assert step == "addressees"
    assert labels(got) == ["chinh_quyen", "hoi_chu_thap_do", "so_ban_nganh"]


def test_inheritance_issuer_only_for_a_plan_without_addressees(find):
    base = {"issuer": "Ủy ban nhân dân tỉnh Quảng Trị", "recipients": "Hội Chữ thập đỏ tỉnh;"}
    for kind, step in (("kế hoạch", "issuer"), ("chương trình", "issuer"), ("công văn", "recipients"),
                       ("thông báo", "recipients")):
        ctx = {**base, "kind": kind}
        assert inherit(ctx, mentions_of(find, ctx))[0] == step, kind
    ctx = {**base, "kind": "công văn", "title": "KẾ HOẠCH\nTriển khai Tháng Nhân đạo"}   # the title says plan
    assert inherit(ctx, mentions_of(find, ctx))[0] == "issuer"
    ctx = {**base, "kind": "kế hoạch", "addressees": "Đoàn Thanh niên"}
    assert inherit(ctx, mentions_of(find, ctx))[0] == "addressees"


def test_inheritance_recipients_leave_out_report_and_filing_lines(find):
    text = "Thường trực Tỉnh ủy (để b/c);\nBan Tuyên giáo Tỉnh ủy;\nĐ/c Bí thư Tỉnh ủy;\nLưu: Văn phòng Tỉnh ủy."
    got = actors("recipients", text, find(text))
    assert [m.prior for m in got] == ["ban_tuyen_giao"]


def test_inheritance_recipients_keep_the_gazette_and_portals():
    """The Official Gazette and the government portal that publish a text are media bodies of its Nơi nhận
    (taxonomy.md: cổng thông tin → co_quan_truyen_thong), not lines for information."""
    text = "UBND các tỉnh, thành phố;\nCông báo; Cổng thông tin điện tử Chính phủ;\nLưu: VT."
    names = [("UBND các tỉnh, thành phố", "chinh_quyen"), ("Công báo", "co_quan_truyen_thong"),
             ("Cổng thông tin điện tử Chính phủ", "co_quan_truyen_thong"), ("VT", "so_ban_nganh")]
    ms = [Mention(text.index(n), text.index(n) + len(n), n, lab, "name") for n, lab in names]
    got = actors("recipients", text, ms)
    assert [m.text for m in got] == ["UBND các tỉnh, thành phố", "Công báo", "Cổng thông tin điện tử Chính phủ"]


def test_inheritance_parent_counts_only_when_it_is_an_x_colon_line(find):
    for parent, expected in (("Ban Tuyên giáo Tỉnh ủy:", "item"),
                             ("Ban Tuyên giáo Tỉnh ủy chủ trì tuyên truyền sâu rộng.", "addressees")):
        ctx = {"parent": parent, "addressees": "Sở Y tế"}
        assert inherit(ctx, mentions_of(find, ctx))[0] == expected


def first_mention_recorded(calls: list):
    """An ``item_actors`` that keeps a sentence's first mention and records which sentences it read."""
    def only_first(text, ms):
        calls.append(text)
        return list(ms[:1])
    return only_first


def test_inheritance_item_actors_decides_the_items_earlier_sentence(find):
    ctx = {"item": "Sở Y tế phối hợp với Công an tỉnh rà soát.", "addressees": "Đoàn Thanh niên"}
    calls: list = []
    only_first = first_mention_recorded(calls)
    step, got = inherit(ctx, mentions_of(find, ctx), item_actors=only_first)
    assert calls == [ctx["item"]] and step == "item" and labels(got) == ["so_ban_nganh"]
    step, got = inherit(ctx, mentions_of(find, ctx), item_actors=lambda text, ms: [])
    assert step == "addressees"                       # the item's sentence named no actor: the next step


def test_inheritance_item_actors_also_reads_a_parent_sentence(find):
    """A sub-item's parent that is a sentence, not a "X:" line ("Ban Thường trực Ủy ban MTTQ xã chủ động đề
    nghị…" over its bullets), gives the actor ``item_actors`` finds in it; without item_actors, none."""
    ctx = {"parent": "Ban Tuyên giáo Tỉnh ủy chủ trì tuyên truyền sâu rộng.", "addressees": "Sở Y tế"}
    calls: list = []
    only_first = first_mention_recorded(calls)
    step, got = inherit(ctx, mentions_of(find, ctx), item_actors=only_first)
    assert calls == [ctx["parent"]] and step == "item" and labels(got) == ["ban_tuyen_giao"]
    assert inherit(ctx, mentions_of(find, ctx), item_actors=lambda text, ms: [])[0] == "addressees"
    assert inherit(ctx, mentions_of(find, ctx))[0] == "addressees"
    colon = {"parent": "Ban Tuyên giáo Tỉnh ủy:", "addressees": "Sở Y tế"}
    calls.clear()
    assert inherit(colon, mentions_of(find, colon), item_actors=only_first)[0] == "item" and calls == []


# --------------------------------------------------------------------------- subject position

@pytest.mark.parametrize("heading,expected", [
    ("Trách nhiệm của Công an tỉnh", ["luc_luong_vu_trang"]),
    ("Công an tỉnh, Bộ Chỉ huy Quân sự tỉnh", ["luc_luong_vu_trang", "luc_luong_vu_trang"]),
    ("Ban Tuyên giáo Tỉnh ủy, Ban Dân vận Tỉnh ủy:", ["ban_tuyen_giao", "ban_dan_van"]),
    ("Nội dung Sở Nội vụ có trách nhiệm chủ trì", ["so_ban_nganh"]),              # actor followed by its duty
    ("Đối với Hội Nông dân tỉnh", ["mttq_doan_the"]),
    ("Phối hợp với Sở Y tế tổ chức khám bệnh", []),                              # a partner, not the actor
    ("Chủ trì, phối hợp với Sở Tài chính và Sở Y tế", []),        # partners coordinated: the last one ends it
    ("Về chính quyền địa phương:", []),                 # a topic: a department's duties in that field follow
    ("Về phía Ủy ban nhân dân tỉnh:", ["chinh_quyen"]),
    ("Sở Y tế chủ trì, phối hợp với Sở Tài chính và UBND các xã", ["so_ban_nganh"]),
    ("Tuyên truyền về hoạt động của Hội Chữ thập đỏ tỉnh trong năm 2024", []),    # the topic, not the actor
    ("Nhiệm vụ của Hội Chữ thập đỏ tỉnh", ["hoi_chu_thap_do"]),
    ("Các nhiệm vụ giao cho Sở Y tế", ["so_ban_nganh"]),
    ("Trách nhiệm các phòng, ban thuộc Ủy ban nhân dân cấp xã", ["so_ban_nganh"]),      # whose units, not an actor
    ("Trách nhiệm của các cơ quan chuyên môn trực thuộc Ủy ban nhân dân tỉnh", ["so_ban_nganh"]),
    ("Trách nhiệm của Ủy ban nhân dân cấp xã", ["chinh_quyen"]),
    ("Trình Ủy ban nhân dân tỉnh:", []),                                    # what goes to X, not what X does
    ("Tham mưu, giúp Ủy ban nhân dân tỉnh:", []),
    ("Phân công thực hiện chương trình: Sở Y tế", ["so_ban_nganh"]),        # "chương trình" is no "trình"
    ("Trách nhiệm thực hiện Quy trình Sở Y tế", ["so_ban_nganh"]),
])
def test_inheritance_heading_names_an_actor_only_in_subject_position(find, heading, expected):
    assert [m.prior for m in actors("heading", heading, find(heading))] == expected


def test_inheritance_heading_without_an_actor_falls_through(find):
    ctx = {"heading": "Tuyên truyền về hoạt động của Hội Chữ thập đỏ tỉnh trong năm 2024", "addressees": "Sở Y tế"}
    step, got = inherit(ctx, mentions_of(find, ctx))
    assert (step, labels(got)) == ("addressees", ["so_ban_nganh"])


@pytest.mark.parametrize("lead_in,expected", [
    ("Ban Thường vụ Tỉnh ủy yêu cầu các sở, ngành, Ủy ban nhân dân các huyện thực hiện:",
     ["so_ban_nganh", "chinh_quyen"]),                                           # after the verb, not the issuer
    ("Ban Thường vụ Tỉnh ủy đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh phối hợp với Sở Y tế:",
     ["mttq_doan_the"]),                                                         # a partner is not an actor
    ("Theo đề nghị của Sở Y tế, Ban Thường vụ Tỉnh ủy yêu cầu Công an tỉnh:", ["luc_luong_vu_trang"]),
    ("Sở Y tế, Sở Tài chính:", ["so_ban_nganh", "so_ban_nganh"]),                # no verb: subject position
    ("Để thực hiện tốt kế hoạch, Ban Thường vụ Tỉnh ủy yêu cầu:", []),
])
def test_inheritance_lead_in_names_those_after_its_verb(find, lead_in, expected):
    assert [m.prior for m in actors("lead_in", lead_in, find(lead_in))] == expected


def test_inheritance_in_subject_position_unit():
    text = "Trách nhiệm của Sở Y tế, Sở Tài chính và các cơ quan liên quan"
    a = Mention(16, 23, "Sở Y tế", "so_ban_nganh", "name")
    b = Mention(25, 37, "Sở Tài chính", "so_ban_nganh", "name")
    assert in_subject_position(text, a, [a, b])
    assert in_subject_position(text, b, [a, b])                       # coordinated with one that is
    text2 = "Kiểm tra Sở Y tế"
    c = Mention(9, 16, "Sở Y tế", "so_ban_nganh", "name")
    assert not in_subject_position(text2, c, [c])


def test_inheritance_supporters(find):
    text = "Công an tỉnh chủ trì, phối hợp với Sở Y tế rà soát."
    assert [m.prior for m in supporters("text", text, find(text))] == ["so_ban_nganh"]
    assert [m.prior for m in supporters("field_support", "Sở Y tế; Công an tỉnh", find("Sở Y tế; Công an tỉnh"))] \
        == ["so_ban_nganh", "luc_luong_vu_trang"]


def test_inheritance_docstring_example():
    import doctest

    assert doctest.testmod(inheritance).failed == 0


def test_inheritance_heading_goes_up_to_the_nearest_heading_that_names_an_actor(find):
    """'Điều 3. Nhiệm vụ chung' names nobody; the chapter above it does."""
    headings = "Chương II. TRÁCH NHIỆM CỦA SỞ Y TẾ\nMục 1. Công tác chung\nĐiều 3. Nhiệm vụ chung"
    ctx = {"heading": "Điều 3. Nhiệm vụ chung", "headings": headings, "addressees": "Công an tỉnh"}
    step, got = inherit(ctx, mentions_of(find, ctx))
    assert (step, labels(got)) == ("heading", ["so_ban_nganh"])
    assert [headings[m.start:m.end] for m, _ in got] == ["SỞ Y TẾ"]     # offsets into the headings field
    ctx["headings"] = "Chương II. QUY ĐỊNH CHUNG\nĐiều 3. Nhiệm vụ chung"
    step, got = inherit(ctx, mentions_of(find, ctx))
    assert (step, labels(got)) == ("addressees", ["luc_luong_vu_trang"])


def test_inheritance_a_list_keeps_a_unit_s_owner(find):
    """Only a heading or parent line reads "thuộc" as whose unit: a Kính gửi list gives every group it names."""
    text = "- Công an tỉnh;\n- Các trường học thuộc Sở Giáo dục và Đào tạo"
    assert "so_ban_nganh" in {m.prior for m in actors("addressees", text, find(text))}


def test_inheritance_enclosing_headings_nearest_first_with_offsets(find):
    headings = "Chương II. TRÁCH NHIỆM CỦA CÔNG AN TỈNH\nMục 1. Trách nhiệm của Sở Y tế\nĐiều 3. Nhiệm vụ chung"
    ctx = {"heading": "Điều 3. Nhiệm vụ chung", "headings": headings}
    step, got = inherit(ctx, mentions_of(find, ctx))
    assert (step, labels(got)) == ("heading", ["so_ban_nganh"])             # Mục 1, not the chapter
    assert [headings[m.start:m.end] for m, _ in got] == ["Sở Y tế"]
    assert inheritance.enclosing_heading_actors("Trách nhiệm của Sở Y tế", find("Trách nhiệm của Sở Y tế")) != []


def _tagged(text: str, name: str, prior: str) -> Mention:
    start = text.index(name)
    return Mention(start, start + len(name), name, prior, "tagged")


@pytest.mark.parametrize("field", ["heading", "parent"])
@pytest.mark.parametrize("line,name,prior,kept", [
    ("2. Y tế", "Y tế", "so_ban_nganh", False),                           # a field of a sectoral plan
    ("a) Thương mại:", "Thương mại", "to_chuc_ca_nhan", False),
    ("3. Nông nghiệp và Môi trường", "Nông nghiệp và Môi trường", "so_ban_nganh", False),  # "trường" is no "Trường"
    ("3. Sở Y tế", "Sở Y tế", "so_ban_nganh", True),                       # a head word
    ("PHƯƠNG ÁN THUỘC PHẠM VI QUẢN LÝ CỦA SỞ KHOA HỌC VÀ CÔNG NGHỆ",      # in capitals, the tagger's span
     "PHƯƠNG ÁN THUỘC PHẠM VI QUẢN LÝ CỦA SỞ KHOA HỌC VÀ CÔNG NGHỆ", "so_ban_nganh", True),
    ("b) Các ngành, các cấp:", "Các ngành, các cấp", "so_ban_nganh", True),   # a group of actors
    ("Các cấp chính quyền:", "Các cấp chính quyền", "chinh_quyen", True),
    ("4. Doanh nghiệp:", "Doanh nghiệp", "to_chuc_ca_nhan", True),          # a common noun of an actor
    ("c) các sở, ban:", "các sở, ban", "so_ban_nganh", True),                # a head word in lower case, first
    ("5. Bảo hiểm xã hội Việt Nam", "Bảo hiểm xã hội Việt Nam", "so_ban_nganh", True),   # a head of four syllables
    ("Tất cả các ngành:", "Tất cả các ngành", "so_ban_nganh", True),         # a group word, not first
    ("THƯỜNG TRỰC UBND XÃ", "THƯỜNG TRỰC UBND XÃ", "chinh_quyen", True),    # in capitals, an acronym
    ("3. NÔNG NGHIỆP", "NÔNG NGHIỆP", "so_ban_nganh", False),
])
def test_inheritance_a_heading_that_names_only_a_field_names_no_actor(field, line, name, prior, kept):
    """A name the tagger found in a heading or parent line, with no word that heads a body or names a group of
    actors, is a field ("2. Y tế") and gives no actor; the same words after a head word do."""
    if field == "parent" and not line.endswith(":"):
        line += ":"                   # a parent line names its items' actor only so
    m = _tagged(line, name, prior)
    assert (actors(field, line, [m]) == [m]) is kept
    # a lexicon match is a name by the lexicon's word, whatever it holds
    lex = Mention(m.start, m.end, m.text, m.prior, "name")
    assert actors(field, line, [lex]) == [lex]


def test_inheritance_a_field_heading_falls_through_to_the_issuer():
    line = "2. Y tế"
    ctx = {"heading": line, "issuer": "Ủy ban nhân dân tỉnh", "kind": "kế hoạch"}
    issuer = Mention(0, 20, "Ủy ban nhân dân tỉnh", "chinh_quyen", "name")
    step, got = inherit(ctx, {"heading": [_tagged(line, "Y tế", "so_ban_nganh")], "issuer": [issuer]})
    assert (step, labels(got)) == ("issuer", ["chinh_quyen"])


def test_inheritance_only_a_heading_or_parent_line_is_read_for_a_field():
    """A list or a lead-in gives every group it names: a tagged "Y tế" there is the role model's or the list's."""
    for field, line in [("addressees", "Y tế"), ("lead_in", "Giao Y tế thực hiện:"), ("recipients", "Y tế;")]:
        m = _tagged(line, "Y tế", "so_ban_nganh")
        assert actors(field, line, [m]) == [m], field


@pytest.mark.parametrize("name,expected", [
    ("và các sở, ban", True), ("(các sở, ban)", True),              # the first word after a conjunction, a bracket
    ("Các phòng chuyên môn", True), ("Thị trường ASEAN", False), ("", False), ("…", False), ("các", False),
])
def test_mentions_names_a_body_first_word_and_edges(name, expected):
    from pipeline.mentions import names_a_body

    assert names_a_body(name) is expected
