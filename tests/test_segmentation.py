"""Stage 3, word segmentation: underthesea plus the lexicon, with character offsets."""

from __future__ import annotations

import pytest

from pipeline.document import Token
from pipeline.segmentation import CODE_RE, _pieces, align, merge_spans, words_text

TEXTS = [
    "Ban Tuyên giáo Tỉnh ủy định hướng báo chí.",
    "Thực hiện Kết luận số 44-KL/TW của Ban Bí thư.",
    "Hội Chữ thập đỏ tỉnh\nphối hợp tổ chức hiến máu tình nguyện.",
    "  Ban Dân vận chủ trì.\n\nSở Y tế phối hợp.  ",
    "Văn bản “Tết nhân ái” năm 2024 (kèm theo) đạt 80%…",
    "",
    "\n\n",
]


def texts(tokens: list[Token]) -> list[str]:
    return [t.text for t in tokens]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("which", ["segmenter", "plain_segmenter"])
def test_segmentation_token_offsets(request, which, text):
    seg = request.getfixturevalue(which)
    tokens = seg(text)
    for t in tokens:
        assert text[t.start:t.end] == t.text
        assert t.text == t.text.strip() and t.text
    starts = [t.start for t in tokens]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(tokens, tokens[1:]))


def test_segmentation_empty_text(segmenter):
    assert segmenter("") == []
    assert segmenter(" \n \n") == []


def test_segmentation_lexicon_keeps_agency_name_whole(segmenter, plain_segmenter):
    text = "Ban Tuyên giáo Tỉnh ủy định hướng báo chí."
    with_lex = texts(segmenter(text))
    assert with_lex[0] == "Ban Tuyên giáo Tỉnh ủy"
    assert with_lex == ["Ban Tuyên giáo Tỉnh ủy", "định hướng", "báo chí", "."]
    assert "Ban Tuyên giáo Tỉnh ủy" not in texts(plain_segmenter(text))


@pytest.mark.parametrize("text,name", [
    ("Sở Y tế phối hợp.", "Sở Y tế"),
    ("Ban Dân vận chủ trì.", "Ban Dân vận"),
    ("Hội Chữ thập đỏ tổ chức hiến máu.", "Hội Chữ thập đỏ"),
    ("Các tình nguyện viên tham gia.", "tình nguyện viên"),
])
def test_segmentation_lexicon_names_and_terms_one_token(segmenter, text, name):
    assert name in texts(segmenter(text))


@pytest.mark.parametrize("text,code", [
    ("Thực hiện Kết luận số 44-KL/TW của Ban Bí thư.", "44-KL/TW"),
    ("Kế hoạch 93/KH-UBND ngày 5/3.", "93/KH-UBND"),
    ("Bộ LĐ-TB&XH phối hợp.", "LĐ-TB&XH"),
    ("Quyết định 11532/QĐ-UBND ngày 10/12/2024.", "11532/QĐ-UBND"),
])
def test_segmentation_document_code_one_token(segmenter, plain_segmenter, text, code):
    assert code in texts(segmenter(text))
    assert code not in texts(plain_segmenter(text))


@pytest.mark.parametrize("text,expected", [
    ("số 44-KL/TW", ["44-KL/TW"]),
    ("93/KH-UBND và 12-CT/TU", ["93/KH-UBND", "12-CT/TU"]),
    ("Bộ LĐ-TB&XH", ["LĐ-TB&XH"]),
    ("ngày 14/11/2022", []),
    ("Nghị định số 03/2011/NĐ-CP", ["03/2011/NĐ-CP"]),
    ("đạt 80% chỉ tiêu", []),
])
def test_segmentation_code_regex(text, expected):
    assert [m.group() for m in CODE_RE.finditer(text)] == expected


def test_segmentation_decree_number_with_year_one_token(segmenter):
    text = "Nghị định số 03/2011/NĐ-CP của Chính phủ."
    assert "03/2011/NĐ-CP" in texts(segmenter(text))


def test_segmentation_align_finds_syllables_in_order():
    text = "Ban Tuyên giáo Tỉnh ủy"
    words = ["Ban", "Tuyên giáo Tỉnh", "ủy"]
    assert align(words, text) == [[(0, 3)], [(4, 9), (10, 14), (15, 19)], [(20, 22)]]


def test_segmentation_align_base_and_repeated_words():
    text = "hiến máu, hiến máu"
    assert align(["hiến máu", ",", "hiến máu"], text, base=10) == [
        [(10, 14), (15, 18)], [(18, 19)], [(20, 24), (25, 28)]]


def test_segmentation_align_drops_word_not_in_text():
    text = "Ban Dân vận chủ trì"
    # the CRF rewrote a syllable ("vân") and invented a word: both are dropped, offsets stay exact
    assert align(["Ban", "Dân vân", "XYZ", "chủ trì"], text) == [[(0, 3)], [(4, 7)], [(12, 15), (16, 19)]]


def test_segmentation_align_searches_only_a_short_window():
    text = "Ban " + "x " * 40 + "chủ"
    assert align(["Ban", "chủ"], text) == [[(0, 3)]]


def test_segmentation_merge_spans_makes_span_one_word():
    # "Ban | Tuyên giáo Tỉnh | ủy" with the lexicon span over all five syllables
    words = [[(0, 3)], [(4, 9), (10, 14), (15, 19)], [(20, 22)], [(23, 27), (28, 33)]]
    assert merge_spans(words, [(0, 22)]) == [(0, 22), (23, 33)]


def test_segmentation_merge_spans_splits_word_cut_by_span():
    # CRF word "vận chủ" crosses the end of the span "Ban Dân vận": split at the syllable boundary
    words = [[(0, 3)], [(4, 7)], [(8, 11), (12, 15)], [(16, 19)]]
    assert merge_spans(words, [(0, 11)]) == [(0, 11), (12, 15), (16, 19)]


def test_segmentation_merge_spans_word_crossing_span_start():
    # "chủ | trì Sở | Y tế": the CRF word "trì Sở" crosses the start of the span "Sở Y tế"
    words = [[(0, 3)], [(4, 7), (8, 10)], [(11, 12), (13, 15)]]
    assert merge_spans(words, [(8, 15)]) == [(0, 3), (4, 7), (8, 15)]


def test_segmentation_merge_spans_without_spans_keeps_words():
    words = [[(0, 4), (5, 8)], [(9, 10), (11, 14)]]
    assert merge_spans(words, []) == [(0, 8), (9, 14)]


def test_segmentation_merge_spans_several_spans():
    words = [[(0, 2)], [(3, 5), (6, 8)], [(9, 11)], [(12, 14), (15, 17)]]
    assert merge_spans(words, [(12, 17), (0, 8)]) == [(0, 8), (9, 11), (12, 17)]


def test_segmentation_pieces_cut_long_line_at_sentence_end():
    sent = "Ban Dân vận chủ trì phối hợp với các cơ quan liên quan tổ chức thực hiện kế hoạch. "
    line = sent * 60
    pieces = list(_pieces("Đầu.\n" + line))
    assert pieces[0] == (0, "Đầu.")
    assert all(len(p) <= 3000 for _, p in pieces)
    assert "".join(p for _, p in pieces[1:]) == line
    assert pieces[1][1].endswith(". ")


def test_segmentation_long_line_offsets_valid(segmenter):
    line = ("Ban Dân vận chủ trì phối hợp với Hội Chữ thập đỏ tỉnh tổ chức thực hiện kế hoạch " * 50).strip()
    assert len(line) > 3000
    text = "Kế hoạch.\n" + line
    tokens = segmenter(text)
    assert all(text[t.start:t.end] == t.text for t in tokens)
    assert tokens[-1].end == len(text)
    assert texts(tokens).count("Ban Dân vận") == 50
    covered = "".join(t.text for t in tokens)
    assert "".join(covered.split()) == "".join(text.split())


def test_segmentation_long_line_without_spaces(segmenter):
    text = "a" * 3500 + " hiến máu"
    tokens = segmenter(text)
    assert all(text[t.start:t.end] == t.text for t in tokens)
    assert "".join(t.text for t in tokens).replace(" ", "") == "a" * 3500 + "hiếnmáu"


def test_segmentation_words_text():
    tokens = [Token("Ban Dân vận", 0, 11), Token("Thành ủy", 12, 20), Token("chủ trì", 21, 28)]
    assert words_text(tokens) == "Ban_Dân_vận Thành_ủy chủ_trì"
    assert words_text(tokens, 12, 28) == "Thành_ủy chủ_trì"
    assert words_text(tokens, 0, 20) == "Ban_Dân_vận Thành_ủy"
