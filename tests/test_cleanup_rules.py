"""Cleanup rules on text of the written corpus (sentences cleanup leaves unchanged on their own): a
converter's fixed-width wrap is joined also before a capitalised word, and a long sentence repeated in a
later paragraph is removed."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from pipeline.cleanup import clean
from pipeline.corpus import read_source
from pipeline.noise import add_noise

ROOT = Path(__file__).resolve().parents[1]

# six task sentences of the written corpus, many words in capitals (agency names)
PARAGRAPH = (
    "Công khai kết quả tiếp nhận, phân bổ nguồn cứu trợ trên Báo Quảng Bình và Đài Phát thanh - Truyền hình "
    "Quảng Bình. Báo Lâm Đồng, Đài Phát thanh - Truyền hình Lâm Đồng cử phóng viên đưa tin về Hội nghị theo kế "
    "hoạch thông tin do Ban Tuyên giáo Tỉnh ủy định hướng. Ban Tổ chức Tỉnh ủy phối hợp với Ban Dân vận Tỉnh ủy "
    "thẩm định nhân sự dự kiến tham gia Ban Chấp hành, Ban Thường vụ Hội Chữ thập đỏ tỉnh khóa X, trình Ban "
    "Thường vụ Tỉnh ủy trước ngày 30/4/2022. Ban Thường vụ Hội Chữ thập đỏ tỉnh thành lập Ban Tổ chức đại hội, "
    "Tiểu ban Văn kiện, Tiểu ban Nhân sự và Tiểu ban Phục vụ trong tháng 11 năm 2021. Ban Thường trực Ủy ban "
    "MTTQ Việt Nam các huyện, thành phố tuyên truyền rộng rãi thư kêu gọi của Ủy ban MTTQ Việt Nam tỉnh trên hệ "
    "thống loa truyền thanh cơ sở, bằng tiếng Kinh và tiếng dân tộc Xơ Đăng, Ba Na, Gia Rai. Tổ chức Lễ hội "
    "Xuân hồng tại Quảng trường Đại Đoàn Kết, thành phố Pleiku, từ ngày 20/02/2024 đến ngày 24/02/2024 (tức "
    "ngày 11 đến 15 tháng Giêng năm Giáp Thìn).")


def test_cleanup_hard_wrap_joined_before_capitals():
    lines = textwrap.wrap(PARAGRAPH, 79)
    before_capital = [b for a, b in zip(lines, lines[1:]) if b[0].isupper() and a[-1] not in ".;:!?,"]
    assert len(before_capital) >= 5            # breaks only the wrap detection explains
    assert clean("\n".join(lines)).text == PARAGRAPH


LONG = ("Chỉ đạo các cấp chính quyền thường xuyên củng cố, kiện toàn tổ chức bộ máy cán bộ và phát triển tổ chức "
        "hội chữ thập đỏ, nhất là hội cơ sở để thực hiện tốt nhiệm vụ được giao.")
OTHER = "Nhân rộng những mô hình, điển hình có cách làm hay, sáng tạo, hoạt động có hiệu quả."
MIDDLE = "Sở Y tế bảo đảm đủ trang thiết bị, vật tư tiếp nhận máu tại các điểm hiến máu lưu động."


def test_cleanup_long_sentence_repeated_in_a_later_paragraph_is_kept():
    """Regulations and procedures repeat items and clauses on purpose: only a repeat on the spot is the
    converter's."""
    assert len(LONG) >= 150
    raw = f"{LONG} {OTHER}\n\n{MIDDLE}\n\n{OTHER} {LONG}"
    assert clean(raw).text == raw


@pytest.mark.parametrize("sep", [" ", "\n\n"])
def test_cleanup_sentence_repeated_on_the_spot_removed(sep):
    raw = f"{LONG} {OTHER} {OTHER}" if sep == " " else f"{LONG} {OTHER}{sep}{LONG} {OTHER}"
    r = clean(raw)
    assert r.text == f"{LONG} {OTHER}"
    assert "duplicate" in {e.rule for e in r.edits}


def test_cleanup_items_with_the_same_text_are_all_kept():
    item = ("Kiến nghị thực thi: sửa đổi quyết định công bố danh mục thủ tục hành chính và quy trình nội bộ "
            "cho phù hợp với thời gian giải quyết sau khi cắt giảm.")
    raw = "\n\n".join(f"{n}. Tên thủ tục: cấp giấy phép loại {n}.\n\nd. {item}" for n in (1, 2, 3))
    assert clean(raw).text.count(item) == 3


def test_cleanup_offset_map_span_inside_a_replacement_covers_all_of_it():
    """A clean span that starts or ends inside a replaced piece ("oá" -> "óa") maps to a raw span that holds
    the whole piece: its start to the piece's raw start, its end to the piece's raw end."""
    raw = "Sở Văn hoá và Thể thao chủ trì."
    r = clean(raw)
    assert r.text == "Sở Văn hóa và Thể thao chủ trì."
    (edit,) = r.edits
    assert (edit.rule, raw[edit.start:edit.end]) == ("tone_style", "oá")
    inside = edit.start + 1                     # between "ó" and "a" in the clean text
    assert r.offset_map.to_raw(inside) == edit.start
    assert r.offset_map.to_raw(inside, end=True) == edit.end
    s, e = r.offset_map.to_raw(3), r.offset_map.to_raw(inside, end=True)     # "Văn hó"
    assert raw[s:e] == "Văn hoá"


# OCR'd pages: Tesseract reads a bullet dash with the debris of a scan, and a wrapped line of an item
ITEMS = ["Xây dựng kế hoạch tổ chức hội nghị tổng kết công tác dân vận năm 2025.",
         "Chủ trì, phối hợp với các cơ quan liên quan chuẩn bị nội dung, tài liệu phục vụ hội nghị.",
         "Tổng hợp danh sách đại biểu dự hội nghị, gửi Văn phòng Đảng ủy trước ngày 15/12/2025."]


def test_ocr_bullet_read_with_debris_is_a_bullet_again():
    raw = "\n\n".join(f"{junk} {item}" for junk, item in zip(["_-", "-_", "¬"], ITEMS))
    r = clean(raw)
    assert r.text == "\n\n".join(f"- {item}" for item in ITEMS)
    assert {e.rule for e in r.edits} == {"ocr_marks"}


def test_ocr_underscore_glued_to_a_wrapped_word_goes():
    """A speck at the left margin read as "_" before the first word of a wrapped line ("tối\\n_đa"): the
    underscore goes and the line joins; one after a full stop or before a capital is left to the other rules."""
    r = clean("Mức hỗ trợ tối\n_đa 500.000 đồng/01 người/01 lượt điều dưỡng.")
    assert r.text == "Mức hỗ trợ tối đa 500.000 đồng/01 người/01 lượt điều dưỡng."
    assert ("ocr_marks", "_", "") in [(e.rule, e.before, e.after) for e in r.edits]
    from pipeline.layout import rule_ocr_marks

    assert rule_ocr_marks("Mức hỗ trợ tối đa 500.000 đồng.\n_ghi chú theo mẫu") == []    # after a full stop
    assert rule_ocr_marks("Mức hỗ trợ tối đa\n_Ghi chú theo mẫu") == []                 # before a capital


@pytest.mark.parametrize("raw,text", [
    ("a) Sửa đổi khoản 6 như sau:\n“6..Hỗ trợ phục vụ công tác điều dưỡng.", "“6. Hỗ trợ phục vụ công tác điều dưỡng."),
    ("6.. Hỗ trợ phục vụ công tác điều dưỡng.", "6. Hỗ trợ phục vụ công tác điều dưỡng."),
    ("Tỷ lệ đạt 1...Hỗ trợ thêm khi cần.", "Tỷ lệ đạt 1...Hỗ trợ thêm khi cần."),            # an ellipsis stays
    ("Ngày 12..Hỗ trợ phục vụ công tác điều dưỡng.", "Ngày 12..Hỗ trợ phục vụ công tác điều dưỡng."),   # not a marker
])
def test_ocr_numbered_line_with_its_stop_read_twice(raw, text):
    assert clean(raw).text.split("\n")[-1] == text


@pytest.mark.parametrize("raw", [
    "Tỷ lệ hoàn thành được tính như sau:\n\n= số xã đạt chuẩn chia cho tổng số xã.\n\n- " + ITEMS[0],
    "Tỷ lệ hoàn thành được tính\n= số xã đạt chuẩn chia cho tổng số xã.",        # a formula goes on a line
    "Tỷ lệ hoàn thành:\n\n  = số xã đạt chuẩn chia cho tổng số xã.",           # indented, the same
    "Các nội dung tuyên truyền gồm\n+ phòng, chống ma túy trong học đường.",     # a "+" sub-item stays
])
def test_formula_and_plain_bullets_are_not_debris(raw):
    assert clean(raw).text == raw.replace("\n\n  =", "\n\n=")


def test_wrapped_line_behind_a_dash_joins_and_keeps_the_dash():
    """"kinh tế\\n- xã hội": the dash of a compound at a line's start is no bullet (a bullet never goes on
    with a sentence in lower case)."""
    raw = ("- Tham mưu kế hoạch phát triển kinh tế  \n- xã hội của xã giai đoạn 2026 - 2030.\n\n"
           "- Báo cáo kết quả thực hiện trước ngày 30/12/2025.")
    assert clean(raw).text == ("- Tham mưu kế hoạch phát triển kinh tế - xã hội của xã giai đoạn 2026 - 2030.\n\n"
                               "- Báo cáo kết quả thực hiện trước ngày 30/12/2025.")


def test_hard_wrapped_item_filling_the_width_joins_a_capitalised_line():
    """In a text wrapped at a fixed width, a numbered item's first line that fills the width goes on in
    the next line even before a capital ("…Mặt trận Tổ quốc Việt\\nNam"); a short heading does not."""
    first = "1. Ban Thường trực Ủy ban Mặt trận Tổ quốc xã chủ trì, phối hợp với Văn phòng"
    rest = "Đảng ủy chuẩn bị hội trường, tài liệu và danh sách đại biểu dự hội nghị."
    assert len(first) >= 75
    body = "\n".join(textwrap.wrap(PARAGRAPH, 79))
    raw = f"II. NỘI DUNG\n{first}\n{rest}\n\n{body}"
    assert clean(raw).text == f"II. NỘI DUNG\n{first} {rest}\n\n{PARAGRAPH}"


def test_hard_wrap_found_among_many_short_lines():
    """A document whose tables or lists give it many short lines is still found hard-wrapped by its lines of
    prose length, and a wrap before a capital inside its paragraphs is joined ("Cảng vụ Hàng hải" / "Vân
    Long")."""
    prose = ("Cảng vụ Hàng hải Vân Long phối hợp với Công ty Cảng Vân Long kiểm soát người và phương tiện ra vào "
             "khu vực cảng theo quy định của Bộ Quốc phòng. Công ty Cảng Vân Long lập danh sách người và phương "
             "tiện vào cảng gửi Đồn Biên phòng Vân Long trước 24 giờ. Đồn Biên phòng Vân Long kiểm tra giấy tờ của "
             "người vào cảng và thông báo kết quả cho Cảng vụ Hàng hải Vân Long trong ngày. Ủy ban nhân dân đặc khu "
             "Vân Đồn bố trí lực lượng bảo đảm an ninh, trật tự tại khu vực giáp ranh với cảng trong thời gian "
             "diễn ra lễ hội. Sở Xây dựng hướng dẫn Công ty Cảng Vân Long sửa chữa hệ thống biển báo trước mùa mưa "
             "bão năm 2026.")
    body = textwrap.wrap(prose, 72)
    assert "Cảng vụ Hàng hải\nVân Long" in "\n".join(body)
    cells = "\n\n".join(f"{i}\nĐồn Biên phòng\nQuý {i % 4 + 1}" for i in range(1, 16))
    raw = "Bảng phân công\n\n" + cells + "\n\n" + "\n".join(body)
    assert prose in clean(raw).text


def test_line_ending_on_a_preposition_joins_across_a_blank_line():
    raw = "d) Tổ chức tiếp công dân định kỳ tại trụ sở Ủy ban nhân dân xã ở\n\nThôn Trung, mỗi tháng một lần."
    assert clean(raw).text == "d) Tổ chức tiếp công dân định kỳ tại trụ sở Ủy ban nhân dân xã ở Thôn Trung, mỗi tháng một lần."


@pytest.mark.parametrize("raw", [
    "2. Chính sách hỗ trợ về nhà ở\n\nỦy ban nhân dân tỉnh giao Sở Xây dựng chủ trì thực hiện.",
    "Căn cứ Luật Nhà ở\nCăn cứ Luật Đất đai;",
    "Bố trí chỗ ở\n\nCác xã rà soát số hộ cần di dời.",
])
def test_nouns_ending_in_o_do_not_join_the_next_line(raw):
    """"nhà ở", "nơi ở", "chỗ ở" end headings and legal bases: "ở" is a connector only after other words."""
    assert clean(raw).text == raw


@pytest.mark.parametrize("raw", [
    # two neighbouring syllables, each corrected beside the other as read, flipped between two readings
    "Các quy định còn mâu thuẫn, chống chéo hoặc chung chung phải được rà soát.",
    "Hội cơ sở xã, phường, thị trân được xếp loại vững mạnh.",
    # the letterhead's number and place-and-date columns: split by one rule, joined again by another
    "CHÍNH PHỦ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc\n"
    "Số: 12/2024/QĐ-TTg Hà Nội, ngày 3 tháng 4 năm 2024\n\nQUYẾT ĐỊNH\n\nBộ Tài chính hướng dẫn thực hiện.",
    # empty table cells at a line's end, once taken off one per round
    "STT | Nội dung | | | |\n1 | Rà soát các văn bản | | |\n2 | Chuẩn hóa danh mục | |",
])
def test_cleanup_reaches_its_fixed_point_in_two_rounds(raw):
    """A round that changes the text and one that confirms it: no pair of rules undoes the other and no
    rule takes one piece off per round (five rounds of flipping gave a text that depended on the count)."""
    assert clean(raw, max_rounds=2).text == clean(raw, max_rounds=6).text
    once = clean(raw).text
    assert clean(once).edits == []


def test_cleanup_neighbouring_corrections_are_weighed_together():
    assert "chồng chéo" in clean("Các quy định còn mâu thuẫn, chống chéo hoặc chung chung.").text
    assert "thị trấn" in clean("Hội cơ sở xã, phường, thị trân được xếp loại vững mạnh.").text


@pytest.mark.parametrize("raw,joined", [
    ("Chữ ký số có giá trị pháp lý theo quy định tại\nĐiều 10 của Nghị định số 45/2020/NĐ-CP.", True),
    ("Các sở, ban, ngành thuộc\nỦy ban nhân dân tỉnh thực hiện.", True),
    ("Hồ sơ thực hiện theo mẫu quy định tại\nPhụ lục II kèm theo Quyết định này.", True),
    ("Tổ chức tôn giáo trực thuộc\n\nBước 7", False),              # a table cell ends there
    ("Sở Nội vụ thực hiện các nội dung sau.\nĐiều 10. Trách nhiệm của Sở Tài chính", False),
    ("Điều 4. Nhiệm vụ, quyền hạn của Trưởng Ban\nĐiều 5. Nhiệm vụ của Phó Trưởng ban", False),   # two headings
    ("Điều 6. Quyền của Hội\nĐiều 7. Nghĩa vụ của Hội viên", False),
    ("Hồ sơ được giải quyết theo\nĐiều 4. Thời hạn giải quyết", False),                 # an article begins
    ("Điều 20. Tài chính của Hội\nChương V", False),
])
def test_cleanup_a_wrapped_reference_joins_the_line_that_leads_to_it(raw, joined):
    """'… quy định tại' / 'Điều 10 của Nghị định …': a reference the wrap put at a line's start, not an article."""
    assert ("\n" not in clean(raw).text) == joined


@pytest.mark.parametrize("raw,joined", [
    # a ";" or ":" the wrap left at a line's end, the sentence going on in lower case with no marker
    ("- Rà soát quy hoạch khu dân cư, bảo đảm hạ tầng đồng bộ;\nhoàn thành trước ngày 30/6/2026.", True),
    ("Sở Y tế giải quyết dứt điểm các tồn đọng như:\nthiết bị dôi dư, hồ sơ chưa lưu trữ.", True),
    ("a) Sở Y tế;\nb) Sở Tài chính.", False),                                # an item of a list
    ("Nơi nhận:\n- Như trên;", False),
    # a number or code that the word before it asks for; not an item's "2."
    ("Các sở báo cáo Ủy ban nhân dân tỉnh trước ngày 15 tháng 12 năm\n2026.", True),
    ("Thực hiện theo đúng tinh thần Nghị quyết số\n12/NQ-CP.", True),
    ("1. Triển khai Kế hoạch số\n27/KH-UBND của tỉnh.", True),                 # (a numbered line is no heading then)
    ("Các xã báo cáo kết quả theo Văn bản\nsố 43-CV/UBND ngày 12/11/2026.", True),   # "số" in lower case opens no line
    ("3. Chuyển đổi số\n1. Mục tiêu", False),
    ("Số liệu tính đến hết năm\n2. Nhiệm vụ", False),
    # a comma at a numbered line's end: no heading ends so
    ("1. Sở Xây dựng, Sở Nông nghiệp và Môi trường,\nBan quản lý các khu công nghiệp phối hợp rà soát.", True),
    # an agency name that the wrap cut, even on a numbered line
    ("2. Các bộ khẩn trương thực hiện ý kiến chỉ đạo của Thủ tướng\nChính phủ về phòng, chống thiên tai.", True),
    ("2. Các sở, ban, ngành phối hợp với Bộ\nNông nghiệp và Môi trường rà soát diện tích rừng.", True),
    ("2. Trách nhiệm của Sở Y tế\nCác cơ sở khám bệnh, chữa bệnh thực hiện đúng quy định.", False),
    # the level word that ends an agency's name, then what the agency does
    ("- Tham mưu Ủy ban nhân dân\nThành phố đánh giá, xem xét trách nhiệm của các đơn vị.", True),
    ("3. Bộ Tư lệnh\nThành phố chủ trì, phối hợp với Sở Nông nghiệp và Môi trường.", True),
    ("3. Đối với cấp tỉnh\nTỉnh ủy chỉ đạo các cấp ủy trực thuộc.", False),
    ("3. Đối với các địa phương\nThành phố Hà Nội rà soát các điểm sạt lở.", False),
    # a document's code after the reference that names it
    ("3. Lưu trữ hồ sơ theo quy định tại Điều 9 Thông tư\n13/2023/TT-BNV.", True),
    # a parenthesis the next line closes
    ("- Sở Y tế (Chi cục Dân số\nXã hội) kiểm tra ngẫu nhiên 50 hồ sơ đã giải quyết.", True),
    ("b) Phối hợp Sở Tài chính (Phòng\nQuản lý giá) rà soát đơn giá dịch vụ.", True),   # "b)" closes nothing
    ("1. Nội dung (gồm:\na) Tập huấn cán bộ.", False),                       # an item of a list, not the closing
    ("- Sở Y tế (Chi cục Dân số\n\nXã hội) kiểm tra ngẫu nhiên 50 hồ sơ.", False),   # (not over a blank line)
])
def test_cleanup_wraps_inside_a_sentence_join(raw, joined):
    """Breaks a converter left inside a sentence (a ";" before a line in lower case, a number after the word
    that asks for it, a document's code, a comma, a name cut in two or its level word, a parenthesis left open) are joined; a
    list's items and a heading stay lines."""
    assert ("\n" not in clean(raw).text) == joined


def test_cleanup_single_breaks_of_a_blank_separated_text_are_wraps():
    """A text that sets a blank line after every paragraph: a single break after a line that ends on a word,
    before a capital or a number, is a wrap ("Điều 3. Chánh" / "Văn phòng …"); a numbered heading that is an
    agency's whole name, a form's date line and lines to fill in, a basis line and a table's header cut into
    lines keep their line. Without the blank lines the text says nothing by its single breaks, and the same
    break stays."""
    paras = [f"{i}. Tổ chức kiểm tra việc thực hiện nhiệm vụ số {i} của các đơn vị trong năm." for i in range(1, 11)]
    special = ["2. Sở Y tế\nChủ trì tổ chức các hoạt động sau đây trong năm 2026.",
               "Điều 3. Chánh\nVăn phòng Ủy ban nhân dân tỉnh, Giám đốc các sở chịu trách nhiệm thi hành"
               " Quyết định này.",
               "Xét đề nghị của Giám đốc Sở Nội vụ\nCăn cứ Luật Tổ chức chính quyền địa phương;",
               "Hà Nội, ngày … tháng … năm …\nThủ trưởng đơn vị",
               "a) Đến hết năm 2030: có trên\n60% hợp tác xã ứng dụng nền tảng số trong quản lý.",
               "- Tên đơn vị\nViết tắt: ……………………", "STT\nĐịa chỉ"]
    raw = "\n\n".join(paras + special)
    text = clean(raw).text
    assert "Điều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh" in text and "có trên 60% hợp tác xã" in text
    for kept in ("2. Sở Y tế\nChủ trì", "Sở Nội vụ\nCăn cứ Luật", "năm …\nThủ trưởng đơn vị",
                 "- Tên đơn vị\nViết tắt", "STT\nĐịa chỉ"):
        assert kept in text
    assert "Điều 3. Chánh\nVăn phòng" in clean(raw.replace("\n\n", "\n")).text


@pytest.mark.parametrize("pair,joined", [
    ("- Tỷ lệ hồ sơ giải quyết đúng hạn đạt 100%\nTrong đó hồ sơ trực tuyến đạt trên 80% tổng số.", True),
    ("Số: 12/KH-UBND\nV/v triển khai công tác phòng, chống dịch", False),     # the letterhead's number
    ("[3] Theo báo cáo của Sở Tài chính\nSở Y tế tổng hợp số liệu của các xã.", False),   # a footnote
    ("KẾ HOẠCH THỰC HIỆN\nTriển khai công tác phòng, chống dịch năm 2026.", False),   # a line in capitals
    ("Điều 3. Chánh\n4. Sở Y tế chủ trì tổ chức thực hiện.", False),          # a structure line next
    ("Giao Sở Y tế tổng hợp kết quả\nCăn cứ Luật Tổ chức chính quyền địa phương;", False),   # a basis line
    ("Sở Y tế chủ trì tổ chức thực hiện\nthường xuyên kiểm tra việc thực hiện.", True),   # (lower case)
])
def test_cleanup_single_breaks_of_a_blank_separated_text_keep_their_exceptions(pair, joined):
    """In a blank-separated text the single-break rule joins a line ending on a number or "%", and leaves the
    letterhead's number, a footnote, a line in capitals, a structure line and a basis line on their own."""
    paras = [f"{i}. Tổ chức kiểm tra việc thực hiện nhiệm vụ số {i} của các đơn vị trong năm." for i in range(1, 11)]
    text = clean("\n\n".join(paras + [pair])).text
    assert (pair.replace("\n", " ") in text) == joined and (pair in text) != joined


def test_cleanup_short_wrapped_first_lines_join_before_a_capital():
    """A converter that wraps each paragraph's first line short: where most such lines go on in lower case,
    one of the same length going on with a capital is wrapped too ("… người dân dùng" / "VNeID …"); a
    heading, shorter, is not joined to the line under it."""
    firsts = [("- Tăng cường kiểm tra, giám", "sát việc chi trả trợ cấp cho người có công."),
              ("- Phối hợp tổ chức tập huấn", "nghiệp vụ cho cán bộ làm công tác xã hội."),
              ("- Hướng dẫn các xã rà soát", "danh sách hộ nghèo, hộ cận nghèo năm 2026."),
              ("- Đôn đốc các đơn vị hoàn", "thành báo cáo trước ngày 15 tháng 12."),
              ("- Kiểm tra việc thực hiện", "chính sách bảo hiểm y tế cho trẻ em."),
              ("- Xây dựng kế hoạch truyền", "thông về chuyển đổi số trong năm 2026."),
              ("- Hướng dẫn người dân dùng", "VNeID để nộp hồ sơ trực tuyến.")]
    assert all(23 <= len(a) <= 30 for a, _ in firsts)
    body = "\n\n".join(f"{a}\n{b}" for a, b in firsts)
    raw = f"2. Sở Y tế\nChủ trì tổ chức các hoạt động sau.\n\n{body}"
    text = clean(raw).text
    assert "- Hướng dẫn người dân dùng VNeID để nộp" in text
    assert text.startswith("2. Sở Y tế\nChủ trì")
    assert text.count("\n") == 3 + 2 * (len(firsts) - 1)


@pytest.mark.parametrize("raw,kept", [
    ("Điền đầy đủ thông tin tại địa chỉ: <ghi rõ địa chỉ tên miền> trước ngày 15.", True),   # a blank to fill in
    ("Ban Chỉ đạo <p>họp định kỳ</p> hằng quý.", False),
    ("Ban Chỉ đạo họp<o:p></o:p> định kỳ<!-- Word --> hằng quý.", False),
])
def test_cleanup_only_named_html_tags_are_markup(raw, kept):
    assert ("<" in clean(raw).text) == kept


# --------------------------------------------------------------------------- patterns written for speed

# The plain forms of the patterns that cleanup writes to open on the character they match first (the regex
# engine then skips ahead to it instead of trying each position): each rewritten pattern must find exactly
# what its plain form finds.
PLAIN_FORMS = {
    ("cleanup", "_SPACING_RULES", 1): (r"^[ ]+|(?<![ ])[ ]+$", re.M),
    ("cleanup", "_SPACING_RULES", 2): (r"(?<![ ])[ ]+(?=[,.;:!?)\]”])(?!\.\.)", 0),
    ("cleanup", "_SPACING_RULES", 3): (r"(?<=[(\[“])[ ]+", 0),
    ("cleanup", "_SPACING_RULES", 4): (r"(?<=\d)[ ]*-[ ]*(?=[A-ZĐ]{1,6}/)|(?<=\d)[ ]+-(?=[A-ZĐ])"
                                       r"|(?<=\d)-[ ]+(?=[A-ZĐ]{1,6}/)", 0),
    ("cleanup", "_SPACING_RULES", 5): (r"(?<=[A-ZĐ])[ ]*/[ ]*(?=[A-ZĐ]{1,6}\b)", 0),
    ("cleanup", "_MD_RULES", 5): (r"\*{2,}|_{2,}(?=\S)|(?<=\S)_{2,}", 0),
    ("cleanup", "_MD_RULES", 6): (r"(?<![\w*])\*(?=[^\s*])|(?<=[^\s*])\*(?![\w*])", 0),
    ("layout", "_MARKS", 1): (r"(?<=[^\W\d_])_+(?=[ \t]|$)|(?<![^\s])_+(?![^\s.,;:])", re.M),
    ("layout", "_MARKS", 2): (r"(?<![ \t])[ \t]+[|_–—-]+[ \t]*(?=\n[ \t]*(?:[^\W\d_]|\n)|\Z)", 0),
}
AWKWARD = ("Số: 22 - KH/TU, 12 -UBND, 7-  KH/UB, 15-KH//UBND, A/ /B, a-KH/TU, 3 -KH/TU;  ( a ) “ b ” , c  .\n"
           "   \n  d  \n__x__ a__ __b ___ _ x_\n"
           "**đậm** *nghiêng* * sao *a* b*c 3*4 ** _\n|  | a |  -  \nb _\n\nKH / UBND,  A/ BC, Q /x  \t– \n\n")


def _corpus_texts() -> list[str]:
    texts = [AWKWARD, AWKWARD.replace("\n", " ")]
    for p in sorted((ROOT / "corpus" / "src").glob("*.txt"))[:40]:
        text = read_source(p).text
        texts += [text, add_noise(text, seed=len(texts), rate=0.05)]
    return texts


@pytest.mark.parametrize("where", sorted(PLAIN_FORMS), ids=lambda w: f"{w[1]}[{w[2]}]")
def test_a_pattern_written_for_speed_finds_what_its_plain_form_finds(where):
    from pipeline import cleanup, layout

    module, table, i = where
    rx = getattr({"cleanup": cleanup, "layout": layout}[module], table)[i]
    rx = rx[0] if isinstance(rx, tuple) else rx
    plain = re.compile(*PLAIN_FORMS[where])
    for text in _corpus_texts():
        assert [m.span() for m in rx.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_ocr_confusions_in_lower_case_are_those_ignoring_case():
    from pipeline.cleanup import _confusions, _ocr_confusions

    _, ignore_case, table = _confusions()
    text = "TRIÊN KHAI, Triên khai và tRiên kHai; xtriên khai, chính quyên. İ triên khai"   # "İ" lowers to 2
    assert len({len(text), len(text.lower())}) == 2
    got = _ocr_confusions(text)
    assert [(s, e) for s, e, _ in got] == [m.span() for m in ignore_case.finditer(text)]
    assert [new for *_, new in got][:3] == ["TRIỂN KHAI", "Triển khai", "triển khai"]
    short = text[:text.index("İ")]
    assert [(s, e) for s, e, _ in _ocr_confusions(short)] == [m.span() for m in ignore_case.finditer(short)]


def test_spacing_by_paragraph_reads_the_spaces_on_blank_lines_too():
    """Spaces are put right paragraph by paragraph, cached, and also on the blank lines between paragraphs
    (which a paragraph rule does not read): the same replacements as over the whole text."""
    from pipeline.cleanup import _spacing, rule_spacing

    text = "Sở  Y tế chủ trì .\n   \n\nBan  Dân vận ( phối hợp )\n \t \nUBND  tỉnh\n"
    assert rule_spacing(text) == _spacing(text)
    blank = text.index("\n   \n") + 1
    assert (blank, blank + 3, " ") in rule_spacing(text)      # the three spaces on the first blank line
    rule_spacing.cache_clear()
    rule_spacing(text)
    rule_spacing(text)
    assert rule_spacing.cache_info().hits >= 3


def test_paragraph_rule_reads_a_long_paragraph_once_across_rounds():
    """A text without blank lines is one paragraph, longer than the main cache keeps; the next round of cleanup
    reads it again, and gets its replacements from the small cache of long paragraphs, not from another run."""
    from pipeline.paragraphs import CACHED_PARAGRAPH, ParagraphRule

    calls = []

    def find(p):
        calls.append(len(p))
        return [(0, 1, "X")]

    rule = ParagraphRule(find)
    long = "a" * (CACHED_PARAGRAPH + 10)
    text = "short\n\n" + long
    assert rule(text) == rule(text) == [(0, 1, "X"), (7, 8, "X")]
    assert sorted(calls) == [5, CACHED_PARAGRAPH + 10]
    rule.cache_clear()
    rule(text)
    assert len(calls) == 4


def test_hard_wrap_not_joined_onto_the_line_before_a_basis_paragraph():
    """In a hard-wrapped letter, the "Kính gửi" line that fills the width stays apart from the paragraph
    under it that opens with what the letter carries out ("Thực hiện Kết luận số …", "Căn cứ …"): the two
    would otherwise become one addressee line."""
    addressee = "Kính gửi: Các đồng chí Giám đốc Sở Nội vụ, Sở Tài chính, Sở Xây dựng tỉnh"
    basis = ("Thực hiện Kết luận số 15-KL/TU ngày 05/3/2026 của Ban Thường vụ Tỉnh ủy, Ủy ban nhân dân tỉnh "
             "đề nghị các sở khẩn trương triển khai các nội dung sau:")
    assert len(addressee) >= 0.85 * 79
    body = "\n".join(textwrap.wrap(PARAGRAPH, 79))
    raw = addressee + "\n" + "\n".join(textwrap.wrap(basis, 79)) + "\n\n" + body
    assert clean(raw).text == f"{addressee}\n{basis}\n\n{PARAGRAPH}"
