"""The administrative lexicon and its spaCy PhraseMatcher (AgencyMatcher)."""

from __future__ import annotations

import pickle

import pytest

from pipeline.lexicon import AgencyMatcher, Mention, default_entries, default_terms

ENTRIES = [
    ("a", "Ban Thường vụ", "name"),
    ("b", "Ban Thường vụ Hội Chữ thập đỏ", "name"),
    ("c", "Hội Chữ thập đỏ", "name"),
    ("d", "Sở Y tế", "name"),
    ("e", "các cơ quan liên quan", "phrase"),
]
TERMS = ["tình nguyện viên", "Chữ thập đỏ"]


@pytest.fixture(scope="module")
def matcher():
    return AgencyMatcher(ENTRIES, TERMS)


def found(m: AgencyMatcher, text: str) -> list[tuple[int, int, str, str, str]]:
    return [(x.start, x.end, x.text, x.prior, x.kind) for x in m.mentions(text)]


def test_lexicon_default_data_loads():
    entries = default_entries()
    assert ("ban_dan_van", "Ban Dân vận", "name") in entries
    assert ("hoi_chu_thap_do", "Hội Chữ thập đỏ", "name") in entries
    assert all(kind in ("name", "phrase") for _, _, kind in entries)
    assert all(not alias.startswith("#") for _, alias, _ in entries)
    terms = default_terms()
    assert "Ủy ban nhân dân" in terms and "tình nguyện viên" in terms
    assert all(not t.startswith("#") for t in terms)


@pytest.mark.parametrize("text,expected", [
    ("ban thường vụ chỉ đạo; HỘI CHỮ THẬP ĐỎ thực hiện.",
     [(0, 13, "ban thường vụ", "a", "name"), (23, 38, "HỘI CHỮ THẬP ĐỎ", "c", "name")]),
    ("sở y tế chủ trì.", [(0, 7, "sở y tế", "d", "name")]),
], ids=["lower-and-upper", "lower"])
def test_lexicon_matches_case_insensitively(matcher, text, expected):
    assert found(matcher, text) == expected


def test_lexicon_longest_match_wins(matcher):
    # "Ban Thường vụ" and "Hội Chữ thập đỏ" are inside the longer "Ban Thường vụ Hội Chữ thập đỏ"
    assert found(matcher, "Ban Thường vụ Hội Chữ thập đỏ chủ trì.") == [
        (0, 29, "Ban Thường vụ Hội Chữ thập đỏ", "b", "name")]


@pytest.mark.parametrize("text,mention", [
    ("Hội Chữ thập đỏ tỉnh Thái Nguyên chủ trì.", "Hội Chữ thập đỏ tỉnh Thái Nguyên"),
    ("Hội Chữ thập đỏ thành phố Vinh, Sở Y tế phối hợp.", "Hội Chữ thập đỏ thành phố Vinh"),
    ("Hội Chữ thập đỏ các cấp vận động.", "Hội Chữ thập đỏ các cấp"),
    ("Hội Chữ thập đỏ Việt Nam phát động.", "Hội Chữ thập đỏ Việt Nam"),
    ("Hội Chữ thập đỏ huyện Đô Lương tổ chức.", "Hội Chữ thập đỏ huyện Đô Lương"),
    ("Hội Chữ thập đỏ Kế hoạch năm.", "Hội Chữ thập đỏ"),        # "Kế" opens a title, not a place
    ("Hội Chữ thập đỏ phối hợp.", "Hội Chữ thập đỏ"),
], ids=["tinh-place", "thanh-pho-place", "cac-cap", "viet-nam", "huyen-place", "not-place", "no-extension"])
def test_lexicon_extension_over_level_and_place(matcher, text, mention):
    ms = matcher.mentions(text)
    assert ms[0].text == mention
    assert (ms[0].start, ms[0].end) == (0, len(mention))
    assert ms[0].prior == "c"


def test_lexicon_term_spans_do_not_extend(matcher):
    # segmentation keeps the lexicon name whole, not the level/place extension
    assert matcher.term_spans("Hội Chữ thập đỏ tỉnh Thái Nguyên chủ trì.") == [(0, 15)]


def test_lexicon_terms_are_spans_but_not_mentions(matcher):
    text = "tình nguyện viên của Hội Chữ thập đỏ"
    assert matcher.term_spans(text) == [(0, 16), (21, 36)]
    assert found(matcher, text) == [(21, 36, "Hội Chữ thập đỏ", "c", "name")]


def test_lexicon_phrase_is_mention_but_not_term_span(matcher):
    text = "Sở Y tế phối hợp với các cơ quan liên quan."
    assert found(matcher, text) == [(0, 7, "Sở Y tế", "d", "name"), (21, 42, "các cơ quan liên quan", "e", "phrase")]
    assert matcher.term_spans(text) == [(0, 7)]


@pytest.mark.parametrize("text", [
    "Ban Dân vận, Sở Y tế và Hội Chữ thập đỏ tỉnh phối hợp với các cơ quan liên quan.",
    "Sở Y tế Hội Chữ thập đỏ Ban Thường vụ Hội Chữ thập đỏ Sở Y tế",
    "Hội Chữ thập đỏ Sở Y tế chủ trì.",
])
def test_lexicon_mentions_do_not_overlap(matcher, text):
    ms = matcher.mentions(text)
    assert ms
    for a, b in zip(ms, ms[1:]):
        assert a.end <= b.start
    for m in ms:
        assert text[m.start:m.end] == m.text


def test_lexicon_offsets_with_newlines_and_double_spaces(matcher):
    text = "Hội Chữ thập đỏ\ntỉnh  Thái\nNguyên phối hợp với\nSở Y tế."
    assert found(matcher, text) == [(0, 33, "Hội Chữ thập đỏ\ntỉnh  Thái\nNguyên", "c", "name"),
                                    (47, 54, "Sở Y tế", "d", "name")]
    assert text[47:54] == "Sở Y tế"


def test_lexicon_name_across_line_break(matcher):
    text = "phối hợp với Sở Y\ntế tỉnh"
    ms = matcher.mentions(text)
    assert [(m.start, m.end, m.text) for m in ms] == [(13, 25, "Sở Y\ntế tỉnh")]


def test_lexicon_base_offset(matcher):
    assert matcher.mentions("Sở Y tế chủ trì", base=100) == [Mention(100, 107, "Sở Y tế", "d", "name")]


def test_lexicon_pickles_by_rebuilding(matcher):
    m2 = pickle.loads(pickle.dumps(matcher))
    assert m2.entries == matcher.entries and m2.terms == matcher.terms
    assert found(m2, "Ban Thường vụ Hội Chữ thập đỏ tỉnh chủ trì.") == [
        (0, 34, "Ban Thường vụ Hội Chữ thập đỏ tỉnh", "b", "name")]


def test_lexicon_default_matcher_finds_agencies(default_matcher):
    text = "Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp với Sở Y tế và UBND thành phố Hà Nội."
    assert [(m.text, m.prior) for m in default_matcher.mentions(text)] == [
        ("Ban Tuyên giáo Tỉnh ủy", "ban_tuyen_giao"), ("Sở Y tế", "so_ban_nganh"),
        ("UBND thành phố Hà Nội", "chinh_quyen")]


@pytest.mark.parametrize("text,prior", [
    ("Hội đồng Dân tộc của Quốc hội thẩm tra dự án luật.", "chinh_quyen"),     # a committee of the Quốc hội
    ("Hội đồng thẩm định họp định kỳ.", "ban_chi_dao"),
    ("Các trường học tổ chức ngoại khóa.", "so_ban_nganh"),                   # public schools (GUIDELINE §8.1)
    ("Cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh rà soát thủ tục.", "so_ban_nganh"),
])
def test_lexicon_classes_the_guideline_gives(default_matcher, text, prior):
    """The first mention's class follows the guideline's table of class boundaries (GUIDELINE.md §8.1)."""
    assert default_matcher.mentions(text)[0].prior == prior


@pytest.mark.parametrize("text,mention", [
    ("Ban Dân vận Tỉnh ủy chủ trì", "Ban Dân vận Tỉnh ủy"),
    ("Ban Dân vận huyện ủy chủ trì", "Ban Dân vận huyện ủy"),
])
def test_lexicon_extension_over_tinh_uy(text, mention):
    m = AgencyMatcher([("ban_dan_van", "Ban Dân vận", "name")])
    assert [x.text for x in m.mentions(text)] == [mention]


@pytest.mark.parametrize("text,mention", [
    ("Ủy ban nhân dân tỉnh chủ trì.", "Ủy ban nhân dân tỉnh"),
    ("Tỉnh ủy chỉ đạo.", "Tỉnh ủy"),
])
def test_lexicon_name_that_is_also_a_term_is_a_mention(default_matcher, text, mention):
    assert [m.text for m in default_matcher.mentions(text)] == [mention]


def test_lexicon_name_without_the_same_term_is_a_mention():
    # the control of the test above: without the identical term the name is found
    m = AgencyMatcher([("chinh_quyen", "Ủy ban nhân dân", "name")])
    assert [x.text for x in m.mentions("Ủy ban nhân dân tỉnh chủ trì.")] == ["Ủy ban nhân dân tỉnh"]
