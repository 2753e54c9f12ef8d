"""The document's structure (pipeline/structure.py) and task tables (pipeline/tables.py): markers, zones,
headings, lead-ins, field lines, table rows, attached documents, addressees."""

from __future__ import annotations

import pytest

from pipeline.cleanup import apply_replacements, clean
from pipeline.splitting import candidates
from pipeline.structure import DocInfo, field_of, marker, parse
from pipeline.tables import ROW_SEP, rule_table

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


def line(lines, startswith):
    return next(ln for ln in lines if ln.text.startswith(startswith))


# --------------------------------------------------------------------------- markers, sections, zones

@pytest.mark.parametrize("start,kind,mark,section", [
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
def test_structure_markers_and_section_paths(parsed, start, kind, mark, section):
    ln = line(parsed[0], start)
    assert (ln.kind, ln.marker, ln.section, ln.zone) == (kind, mark, section, "body")


@pytest.mark.parametrize("text,kind,mark,body", [
    ("a) Sở Y tế phối hợp.", "letter", "a", "Sở Y tế phối hợp."),
    ("b. Lý do: thời gian giải quyết còn dài.", "letter", "b", "Lý do: thời gian giải quyết còn dài."),
    ("đ.Sở Y tế phối hợp.", "plain", "", "đ.Sở Y tế phối hợp."),          # "a." needs a space after it
    ("TP. Vinh tổ chức.", "plain", "", "TP. Vinh tổ chức."),
])
def test_structure_letter_markers_with_a_bracket_or_a_stop(text, kind, mark, body):
    ln = parse("KẾ HOẠCH\n1. Nhiệm vụ\n" + text)[0][-1]
    assert (ln.kind, ln.marker, ln.text) == (kind, mark, body)


def test_structure_line_offsets_exclude_the_marker(parsed):
    for ln in parsed[0]:
        assert DOC[ln.start:ln.end] == ln.text
    assert line(parsed[0], "Sở Y tế phối hợp").text == "Sở Y tế phối hợp tổ chức hiến máu tình nguyện."


@pytest.mark.parametrize("text,section", [
    ("II. NHIỆM VỤ\n1. Tuyên truyền\na) Sở Y tế chủ trì.", "II.1.a"),
    ("1. Tuyên truyền\n1.1. Tuyên truyền\n1.1.2. Sở Y tế chủ trì.", "1.1.2"),
    ("Điều 1. Phạm vi\n2. Sở Y tế chủ trì.", "Điều 1.2"),
    ("Chương II\nĐiều 3. Sở Y tế chủ trì.", "Điều 3"),
    ("1) Sở Y tế chủ trì.", "1"),
    ("(2) Sở Y tế chủ trì.", "2"),
    ("III. NHIỆM VỤ\nb) Sở Y tế chủ trì.", "III.b"),
    ("đ) Sở Y tế chủ trì.", "đ"),
])
def test_structure_section_path_of_last_line(text, section):
    lines, _ = parse(text)
    assert lines[-1].section == section
    assert lines[-1].text == "Sở Y tế chủ trì."


@pytest.mark.parametrize("line_text,expected", [
    ("II. NHIỆM VỤ", ("roman", "II", 4)),
    ("1.2. Sở Y tế", ("arabic", "1.2", 5)),
    ("05 bộ dữ liệu được số hóa", ("plain", "", 0)),          # a bare number is no numbering
    ("IV) Tổ chức", ("roman", "IV", 4)),
    ("Điều 5. Hiệu lực", ("article", "5", 8)),
    ("VIỆT NAM", ("plain", "", 0)),                         # capitals, not a roman numeral
])
def test_structure_marker(line_text, expected):
    assert marker(line_text) == expected


def test_structure_zones_addressees_recipients_lead_in(parsed):
    lines, info = parsed
    assert isinstance(info, DocInfo)
    assert [ln.zone for ln in lines[:3]] == ["header"] * 3
    assert [ln.zone for ln in lines[3:6]] == ["addressees"] * 3
    assert [ln.zone for ln in lines[-6:]] == ["closing"] * 6
    assert info.addressees == "Ban Dân vận Tỉnh ủy;\nSở Y tế tỉnh.\n"
    assert info.recipients == "Ban Tổ chức Tỉnh ủy,\nLưu VP.\n"
    assert info.lead_in == "Ban Thường vụ Tỉnh ủy yêu cầu các cơ quan thực hiện tốt các nội dung sau:"
    assert info.title == "KẾ HOẠCH\n"


def test_structure_a_sentence_opening_with_noi_nhan_is_no_recipients_block():
    """"Nơi nhận kết quả." in a procedure's steps is a sentence of the body; only "Nơi nhận" as a label (not
    followed by a word in lower case) opens the closing block, so the articles after that sentence stay in the body."""
    text = ("Điều 4. Trả kết quả\nNơi nhận kết quả.\n- Tại Bộ phận Một cửa của xã;\n"
            "Điều 5. Rà soát\na) Ủy ban nhân dân cấp xã thông báo kế hoạch thực hiện dự án.\n"
            "Nơi nhận:\n- Sở Tài chính;\n- Lưu VT.")
    lines, info = parse(text)
    zone = {ln.text: ln.zone for ln in lines}
    assert zone["Nơi nhận kết quả."] == "body"
    assert zone["Ủy ban nhân dân cấp xã thông báo kế hoạch thực hiện dự án."] == "body"
    assert zone["Nơi nhận:"] == "closing"
    assert info.recipients == "Sở Tài chính;\nLưu VT.\n"
    # the label as scans and converters give it: alone, with a note, or before the signature on its line
    for label in ("Nơi nhận", "NƠI NHẬN :", "Nơi nhận (để b/c):", "Nơi nhận\t\tTM. ỦY BAN NHÂN DÂN", "Nơi nhận –"):
        assert [ln.zone for ln in parse(label + "\n- Sở Y tế;")[0]] == ["closing", "closing"], label


def test_structure_addressees_on_one_line():
    _, info = parse("Kính gửi: Các huyện ủy, thành ủy\n1. Ban Dân vận chủ trì.")
    assert info.addressees == "Các huyện ủy, thành ủy\n"


def test_structure_addressees_end_at_a_basis_line():
    """"Căn cứ Luật …;" under a "Kính gửi" line ends in ";" as an addressee line does, yet opens the body."""
    lines, info = parse("Kính gửi: Ủy ban nhân dân các xã, phường\nCăn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019;\n"
                        "Căn cứ Thông tư số 11/2025/TT-BGDĐT của Bộ Giáo dục và Đào tạo;\n"
                        "1. Ủy ban nhân dân các xã rà soát mạng lưới trường lớp.")
    assert info.addressees == "Ủy ban nhân dân các xã, phường\n"
    assert line(lines, "Căn cứ Luật").zone == "body"


PARTS = """KẾ HOẠCH
A. MỤC ĐÍCH, YÊU CẦU
Nâng cao trách nhiệm của các cơ quan trong công tác quy tập.
B. NỘI DUNG, NHIỆM VỤ
I. CÔNG TÁC QUÁN TRIỆT
1. Nội dung
a) Tổ chức hội nghị quán triệt chỉ thị của Ban Bí thư.
2. Cơ quan chủ trì
- Ban Chỉ đạo tỉnh.
C. MỘT SỐ NHIỆM VỤ TRỌNG TÂM
1. Hoàn thành việc ban hành các văn bản hướng dẫn trong năm 2026.
A. Vi sinh vật có lợi được bảo tồn."""


def test_structure_capital_letter_parts_enclose_their_roman_sections():
    """"A. …", "B. …" in capitals are parts of a plan above its "I.", "II.": the items of part C are under C, not
    under the last section of part B (whose "Cơ quan chủ trì" they would take); "A. Vi sinh vật…" in lower case
    is no part."""
    lines, _ = parse(PARTS)
    assert [ln.marker for ln in lines if ln.kind == "chapter"] == ["A", "B", "C"]
    assert line(lines, "A. Vi sinh vật").kind == "plain"
    task = next(c for c in candidates(PARTS) if c.text.startswith("Hoàn thành"))
    assert task.context.heading.startswith("MỘT SỐ NHIỆM VỤ") and not task.context.field_lead
    first = next(c for c in candidates(PARTS) if c.text.startswith("Tổ chức hội nghị"))
    assert "Ban Chỉ đạo tỉnh" in first.context.field_lead


CONG_DIEN = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG TRỊ
Số: 05/CĐ-UBND
CÔNG ĐIỆN
Về việc chủ động ứng phó với bão số 4
CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH điện:
- Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố;
- Giám đốc các sở, ban, ngành cấp tỉnh.
Theo dự báo, bão số 4 đang di chuyển nhanh vào đất liền.
1. Tổ chức kêu gọi tàu thuyền vào nơi tránh trú an toàn."""


def test_structure_cong_dien_addressees_after_dien():
    lines, info = parse(CONG_DIEN)
    assert info.addressees == ("Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố;\n"
                               "Giám đốc các sở, ban, ngành cấp tỉnh.\n")
    assert [ln.zone for ln in lines[5:8]] == ["addressees"] * 3
    assert line(lines, "Theo dự báo").zone == "body"
    assert info.title == "CÔNG ĐIỆN\nVề việc chủ động ứng phó với bão số 4\n"
    task = next(c for c in candidates(CONG_DIEN) if c.text.startswith("Tổ chức kêu gọi"))
    assert task.context.addressees == info.addressees


APPLIES_TO = """ỦY BAN NHÂN DÂN TỈNH AN BÌNH
QUY ĐỊNH
Quản lý cơ sở dữ liệu đất đai trên địa bàn tỉnh
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng
1. Phạm vi điều chỉnh: Quy định này quy định việc quản lý cơ sở dữ liệu đất đai.
2. Đối tượng áp dụng:
a) Các sở, ban, ngành và Ủy ban nhân dân cấp xã;
b) Tổ chức, cá nhân khai thác cơ sở dữ liệu.
3. Giải thích từ ngữ: cơ sở dữ liệu là tập hợp thông tin.
Điều 2. Trách nhiệm khai thác
1. Cập nhật dữ liệu kịp thời, đầy đủ."""


def test_structure_subjects_of_a_regulation_stand_for_its_addressees():
    """A normative text with no "Kính gửi" is addressed to whom its "Đối tượng áp dụng" names: the lines under
    the item that names it (not the scope clause of its article, not the next item or article), so that a
    provision naming no actor inherits them at the addressees step (a fallback: the labels take the Nơi nhận,
    corpus/GUIDELINE.md §8.8)."""
    lines, info = parse(APPLIES_TO)
    assert info.addressees == "Các sở, ban, ngành và Ủy ban nhân dân cấp xã;\nTổ chức, cá nhân khai thác cơ sở dữ liệu.\n"
    task = next(c for c in candidates(APPLIES_TO) if c.text.startswith("Cập nhật dữ liệu"))
    assert task.context.addressees == info.addressees
    inline = APPLIES_TO.replace("2. Đối tượng áp dụng:\na) Các sở, ban, ngành và Ủy ban nhân dân cấp xã;\n"
                                "b) Tổ chức, cá nhân khai thác cơ sở dữ liệu.\n",
                                "2. Đối tượng áp dụng: Quy định này áp dụng đối với các sở, ban, ngành.\n")
    assert parse(inline)[1].addressees == "Quy định này áp dụng đối với các sở, ban, ngành.\n"
    article = APPLIES_TO.replace("Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng\n1. Phạm vi điều chỉnh: Quy định này "
                                 "quy định việc quản lý cơ sở dữ liệu đất đai.\n2. Đối tượng áp dụng:\n",
                                 "Điều 1. Đối tượng áp dụng\n")
    assert parse(article)[1].addressees.startswith("Các sở, ban, ngành") and "Giải thích" in parse(article)[1].addressees
    assert "Cập nhật" not in parse(article)[1].addressees              # the next article ends it
    letter = "Kính gửi: Sở Y tế\n" + APPLIES_TO                         # a letter's own list stays
    assert parse(letter)[1].addressees == "Sở Y tế\n"
    plan = APPLIES_TO.replace("QUY ĐỊNH\nQuản lý", "KẾ HOẠCH\nQuản lý")   # a plan's "đối tượng" are whom it serves
    assert parse(plan)[1].addressees == ""


DECISION = """ỦY BAN NHÂN DÂN TỈNH AN BÌNH
QUYẾT ĐỊNH
Ban hành Quy định quản lý cơ sở dữ liệu đất đai
Điều 1. Ban hành kèm theo Quyết định này Quy định quản lý cơ sở dữ liệu đất đai.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký.
Điều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh; Thủ trưởng các sở, ban, ngành; Chủ tịch Ủy ban nhân dân các xã chịu \
trách nhiệm thi hành Quyết định này./.
Nơi nhận:
- Như Điều 3;
- Thường trực Tỉnh ủy;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
""" + APPLIES_TO.replace("Điều 2. Trách nhiệm khai thác", "Điều 3. Trách nhiệm khai thác")


def test_structure_as_in_article_n_in_the_recipients_stands_for_whom_that_article_names():
    """"Như Điều 3" in the Nơi nhận stands for whom the decision's own Điều 3 names, one clause a line, not the
    attached regulation's Điều 3 (corpus/GUIDELINE.md §8.7, §8.8); a reference to no article stays a line."""
    lines, info = parse(DECISION)
    assert info.recipients == ("Chánh Văn phòng Ủy ban nhân dân tỉnh\nThủ trưởng các sở, ban, ngành\n"
                               "Chủ tịch Ủy ban nhân dân các xã chịu trách nhiệm thi hành Quyết định này\n"
                               "Thường trực Tỉnh ủy;\nLưu: VT.\n")
    task = next(c for c in candidates(DECISION) if c.text.startswith("Cập nhật dữ liệu"))
    assert task.context.recipients == info.recipients
    assert task.context.addressees.startswith("Các sở, ban, ngành")       # the "Đối tượng áp dụng" fallback stays
    missing = DECISION.replace("- Như Điều 3;", "- Như Điều 5;")          # no such article: the line stays
    assert parse(missing)[1].recipients.startswith("Như Điều 5;\nThường trực Tỉnh ủy;")
    items = DECISION.replace("Điều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh; ", "Điều 3. Tổ chức thực hiện\n"
                             "1. Chánh Văn phòng Ủy ban nhân dân tỉnh; ")         # the lines under the article
    assert parse(items)[1].recipients.startswith("Tổ chức thực hiện\nChánh Văn phòng Ủy ban nhân dân tỉnh\nThủ trưởng")
    two = DECISION.replace("- Như Điều 3;", "- Như Điều 2, Điều 3;")           # both articles, in order,
    assert parse(two)[1].recipients.startswith("Quyết định này có hiệu lực kể từ ngày ký\nChánh Văn phòng")
    assert "Ban hành kèm theo" not in parse(two)[1].recipients
    first = DECISION.replace("- Như Điều 3;", "- Như Điều 1;")                # up to the next article
    assert parse(first)[1].recipients.startswith("Ban hành kèm theo Quyết định này Quy định quản lý cơ sở dữ liệu "
                                                 "đất đai\nThường trực Tỉnh ủy;")
    quoted = DECISION.replace("Điều 2. Quyết định này", "Điều 3. Sở Tài nguyên và Môi trường cập nhật dữ liệu.\n"
                              "Điều 2. Quyết định này")       # an article quoted before the decision's own Điều 3
    assert parse(quoted)[1].recipients == info.recipients


def test_structure_dien_inside_a_sentence_is_no_addressee_line():
    _, info = parse("1. Sở Thông tin và Truyền thông bảo đảm thông tin liên lạc, mạng lưới điện: ổn định.\n"
                    "2. Sở Công Thương kiểm tra.")
    assert info.addressees == ""


ATTACHED = """ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ
Số: 12/QĐ-UBND
QUYẾT ĐỊNH
Về việc ban hành Kế hoạch phòng, chống dịch
Điều 1. Ban hành kèm theo Quyết định này Kế hoạch phòng, chống dịch năm 2024.
Điều 2. Quyết định có hiệu lực kể từ ngày ký.
Nơi nhận:
- Như Điều 2;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Võ Văn Hưng
KẾ HOẠCH
Phòng, chống dịch năm 2024
(Kèm theo Quyết định số 12/QĐ-UBND ngày 5/3/2024 của Ủy ban nhân dân tỉnh)
I. NHIỆM VỤ
1. Sở Y tế chủ trì giám sát dịch bệnh tại cộng đồng.
2. Sở Tài chính bố trí kinh phí phòng, chống dịch."""


def test_structure_document_attached_after_the_signature_opens_a_new_body():
    lines, info = parse(ATTACHED)
    assert [ln.zone for ln in lines[6:12]] == ["closing"] * 6
    assert [ln.zone for ln in lines[12:15]] == ["header"] * 3            # title, subject, "(Kèm theo …)"
    assert [ln.zone for ln in lines[15:]] == ["body"] * 3
    assert "KẾ HOẠCH" in info.title
    texts = [c.text for c in candidates(ATTACHED)]
    assert "Sở Y tế chủ trì giám sát dịch bệnh tại cộng đồng." in texts
    assert not any("Võ Văn Hưng" in t or "CHỦ TỊCH" in t for t in texts)


FORM_ATTACHED = APPLIES_TO + """
Nơi nhận:
- Các sở, ban, ngành;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
PHỤ LỤC
Mẫu báo cáo
(Kèm theo Quy định này)
BÁO CÁO TÌNH HÌNH KHAI THÁC DỮ LIỆU
Kính gửi: Sở Tài chính;
- Sở Tài nguyên và Môi trường;
- Căn cứ ....;
Nơi nhận:
- Như trên;
- Bộ Tài chính;
- Lưu: ..."""


def test_structure_a_form_attached_after_the_signature_gives_no_addressees_or_recipients():
    """What is attached after the signature has its own lists: a report form is addressed by whoever fills it
    in, so its "Kính gửi" (on the line itself or below it) and its "Nơi nhận" are not those of the document's
    tasks, which keep the regulation's "Đối tượng áp dụng" and the decision's own Nơi nhận."""
    lines, info = parse(FORM_ATTACHED)
    assert info.addressees == "Các sở, ban, ngành và Ủy ban nhân dân cấp xã;\nTổ chức, cá nhân khai thác cơ sở dữ liệu.\n"
    assert info.recipients == "Các sở, ban, ngành;\nLưu: VT.\n"
    assert line(lines, "Sở Tài nguyên và Môi trường").zone == "addressees"    # still no task
    letter = FORM_ATTACHED.replace("QUY ĐỊNH\nQuản lý", "Kính gửi: Sở Y tế\nQUY ĐỊNH\nQuản lý")
    assert parse(letter)[1].addressees == "Sở Y tế\n"                     # the document's own list stays


def test_structure_attached_document_numbering_starts_afresh():
    lines, _ = parse(ATTACHED)
    assert line(lines, "NHIỆM VỤ").section == "I"
    assert line(lines, "Sở Y tế chủ trì").section == "I.1"          # not "I.Điều 2.1": the decision's article
    assert line(lines, "Sở Tài chính").section == "I.2"


# --------------------------------------------------------------------------- headings and lead-ins

@pytest.mark.parametrize("start,heading", [
    ("MỤC ĐÍCH, YÊU CẦU", True), ("Mục đích", True), ("NHIỆM VỤ VÀ GIẢI PHÁP", True),
    ("Công tác tuyên truyền", True), ("Ban Tuyên giáo chủ trì", False), ("Sở Y tế phối hợp", False),
    ("Nâng cao nhận thức", False), ("Các huyện ủy, thành ủy:", False), ("Công an tỉnh", False),
])
def test_structure_heading_lines(parsed, start, heading):
    assert line(parsed[0], start).heading is heading


def test_structure_lead_in_lines(parsed):
    assert line(parsed[0], "Các huyện ủy, thành ủy:").lead_in
    assert line(parsed[0], "Ban Thường vụ Tỉnh ủy yêu cầu").lead_in
    assert not line(parsed[0], "Ban Tuyên giáo chủ trì").lead_in
    assert not line(parsed[0], "Công tác tuyên truyền").lead_in


# --------------------------------------------------------------------------- field lines

FIELDS = """1. Tổ chức hội nghị sơ kết công tác hiến máu.
- Cơ quan chủ trì: Sở Y tế.
- Cơ quan phối hợp:
+ Tỉnh đoàn;
+ Hội Chữ thập đỏ tỉnh.
- Thời gian: quý III năm 2024.
2. Xây dựng cơ sở dữ liệu về người hiến máu.
a) Chủ trì thực hiện
- Sở Thông tin và Truyền thông.
b) Cơ quan phối hợp
- Sở Y tế.
3. Tổ chức tôn vinh người hiến máu tiêu biểu.
a) Cơ quan chủ trì, phối hợp
- Hội Chữ thập đỏ tỉnh.
4. Hướng dẫn thực hiện chế độ cho người hiến máu.
Đơn vị thực hiện Sở Tài chính."""


@pytest.mark.parametrize("text,expected", [
    ("Cơ quan chủ trì: Sở Y tế.", ("lead", 17)),
    ("Đơn vị phối hợp thực hiện: Tỉnh đoàn.", ("support", 27)),
    ("Chủ trì: Sở Nội vụ", ("lead", 9)),
    ("Đơn vị chủ trì tham mưu thực hiện: Sở Nội vụ.", ("lead", 35)),
    ("Cơ quan trực tiếp thực hiện: Sở Y tế.", ("lead", 29)),
    ("Thời gian hoàn thành: quý IV", ("time", 22)),
    ("Sản phẩm: báo cáo tổng kết", ("product", 10)),
    ("Kinh phí: ngân sách tỉnh", ("funding", 10)),
    ("Chủ trì tổ chức hội nghị.", ("", 0)),                    # a task that starts with "chủ trì"
    ("Cơ quan chủ trì Sở Y tế.", ("", 0)),                     # a field needs its colon on one line
])
def test_structure_field_of(text, expected):
    assert field_of(text) == expected


def test_structure_field_lines_with_colon(parsed):
    lines, _ = parse(FIELDS)
    lead = line(lines, "Cơ quan chủ trì:")
    assert (lead.field, lead.field_value, lead.lead_in) == ("lead", "Sở Y tế.", False)
    sup = line(lines, "Cơ quan phối hợp:")
    assert (sup.field, sup.field_value, sup.lead_in) == ("support", "", True)      # its value is in the bullets
    assert line(lines, "Thời gian:").field == "time"


def test_structure_field_labels_without_colon_take_the_bullets_under_them():
    lines, _ = parse(FIELDS)
    a = line(lines, "Chủ trì thực hiện")
    assert (a.field, a.lead_in) == ("lead", True)
    assert line(lines, "Cơ quan phối hợp").field == "support"
    assert line(lines, "Cơ quan chủ trì, phối hợp").field == "group"
    assert line(lines, "Đơn vị thực hiện Sở Tài chính.").field == ""           # a sentence, not a label


def test_structure_field_values_reach_the_item_context():
    cs = {c.text: c for c in candidates(FIELDS)}
    first = cs["Tổ chức hội nghị sơ kết công tác hiến máu."].context
    assert first.field_lead == "Sở Y tế."
    assert first.field_support == "Tỉnh đoàn;\nHội Chữ thập đỏ tỉnh."          # bullet values
    second = cs["Xây dựng cơ sở dữ liệu về người hiến máu."].context
    assert (second.field_lead, second.field_support) == ("Sở Thông tin và Truyền thông.", "Sở Y tế.")
    assert cs["Hướng dẫn thực hiện chế độ cho người hiến máu."].context.field_lead == ""


# --------------------------------------------------------------------------- task tables

TABLE = """II. NHIỆM VỤ
TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp
I | TĂNG CƯỜNG CÔNG TÁC TUYÊN TRUYỀN
1 | Tập huấn cán bộ về chuyển đổi số. | Sở Nội vụ | Sở Tài chính
Kiểm tra việc thực hiện ở cơ sở. | Sở Y tế | Công an tỉnh
2 | Báo cáo kết quả thực hiện hằng quý. | Văn phòng Ủy ban nhân dân tỉnh | Các sở, ngành"""


def test_structure_task_table_rows_with_tt_and_merged_index_cells():
    lines, _ = parse(TABLE)
    rows = [ln for ln in lines if ln.kind == "row"]
    assert [ln.heading for ln in rows] == [True, True, False, False, False]      # header row, section row
    assert rows[0].cells == () and rows[1].cells == ()
    assert rows[2].cells == ("Tập huấn cán bộ về chuyển đổi số.", "Sở Nội vụ", "Sở Tài chính")
    # no index cell (merged with the row above): read one column to the right
    assert rows[3].cells == ("Kiểm tra việc thực hiện ở cơ sở.", "Sở Y tế", "Công an tỉnh")
    assert rows[4].cells == ("Báo cáo kết quả thực hiện hằng quý.", "Văn phòng Ủy ban nhân dân tỉnh", "Các sở, ngành")


def test_structure_task_table_candidates_take_their_cells_as_fields():
    cs = candidates(TABLE)
    assert [c.text for c in cs] == ["NHIỆM VỤ", "Tập huấn cán bộ về chuyển đổi số.",
                                    "Kiểm tra việc thực hiện ở cơ sở.",
                                    "Báo cáo kết quả thực hiện hằng quý."][1:]
    for c in cs:
        assert TABLE[c.start:c.end] == c.text                  # the task cell's own offsets
    assert (cs[1].context.field_lead, cs[1].context.field_support) == ("Sở Y tế", "Công an tỉnh")
    assert cs[0].context.heading == "NHIỆM VỤ"


def test_structure_task_cell_with_flattened_bullets_gives_a_candidate_a_bullet():
    """A task cell whose bullets a converter ran onto one line ("… hồ sơ. - Trường hợp …") gives one candidate a
    bullet, without its dash (a hyphen, an en dash, after a closing quote, before a number; the cell's first bullet
    too); a dash inside a sentence ("5 - 7 ngày") cuts nothing."""
    text = ("STT | Nội dung công việc | Đơn vị thực hiện\n"
            "1 | Tiếp nhận hồ sơ trong 5 - 7 ngày. (Ưu tiên hồ sơ trực tuyến) - Trường hợp hồ sơ chưa đầy đủ: "
            "hướng dẫn bổ sung hồ sơ. - Trường hợp hồ sơ hợp lệ: chuyển hồ sơ cho phòng chuyên môn. | Bộ phận Một cửa\n"
            "2 | - Thẩm định hồ sơ theo quy định.” – Trường hợp cần xác minh: lấy ý kiến cơ quan liên quan. "
            "- 100% hồ sơ được trả kết quả đúng hạn. | Bộ phận Một cửa")
    cs = candidates(text)
    assert [c.text for c in cs] == ["Tiếp nhận hồ sơ trong 5 - 7 ngày.", "(Ưu tiên hồ sơ trực tuyến)",
                                    "Trường hợp hồ sơ chưa đầy đủ: hướng dẫn bổ sung hồ sơ.",
                                    "Trường hợp hồ sơ hợp lệ: chuyển hồ sơ cho phòng chuyên môn.",
                                    "Thẩm định hồ sơ theo quy định.”",
                                    "Trường hợp cần xác minh: lấy ý kiến cơ quan liên quan.",
                                    "100% hồ sơ được trả kết quả đúng hạn."]
    for c in cs:
        assert text[c.start:c.end] == c.text
        assert c.context.field_lead == "Bộ phận Một cửa"


@pytest.mark.parametrize("header,first_cell", [
    ("STT | Nhiệm vụ | Đơn vị chủ trì | Đơn vị phối hợp", "1."),
    ("Số TT | Nội dung công việc | Chủ trì | Phối hợp", "1"),
])
def test_structure_task_table_stt_header(header, first_cell):
    text = f"{header}\n{first_cell} | Rà soát thủ tục hành chính của tỉnh. | Sở Tư pháp | Sở Nội vụ\n" \
           "Công bố thủ tục hành chính mới. | Văn phòng Ủy ban nhân dân tỉnh | Sở Tư pháp"
    rows = [ln for ln in parse(text)[0] if ln.kind == "row"]
    assert rows[1].cells == ("Rà soát thủ tục hành chính của tỉnh.", "Sở Tư pháp", "Sở Nội vụ")
    assert rows[2].cells == ("Công bố thủ tục hành chính mới.", "Văn phòng Ủy ban nhân dân tỉnh", "Sở Tư pháp")


def test_structure_table_without_index_column_is_read_as_it_stands():
    text = "Nội dung | Chủ trì | Phối hợp\nRà soát thủ tục hành chính của tỉnh. | Sở Tư pháp | Sở Nội vụ"
    rows = [ln for ln in parse(text)[0] if ln.kind == "row"]
    assert rows[1].cells == ("Rà soát thủ tục hành chính của tỉnh.", "Sở Tư pháp", "Sở Nội vụ")


def test_structure_a_table_header_needs_two_column_roles():
    text = "Nội dung | Ghi chú | Số lượng\nRà soát thủ tục hành chính của tỉnh. | Không | 5"
    rows = [ln for ln in parse(text)[0] if ln.kind == "row"]
    assert [r.cells for r in rows] == [(), ()] and not rows[0].heading


def test_structure_caps_line_between_rows_keeps_the_table_open_and_prose_closes_it():
    text = ("TT | Nội dung | Cơ quan chủ trì\n1 | Tập huấn cán bộ về chuyển đổi số. | Sở Nội vụ\n"
            "PHẦN HAI: KIỂM TRA\n2 | Kiểm tra việc thực hiện ở cơ sở. | Sở Y tế\n"
            "Các cơ quan triển khai thực hiện nghiêm túc các nội dung của Kế hoạch này, báo cáo kết quả về Ủy ban "
            "nhân dân tỉnh trước ngày 15 tháng 12 hằng năm để tổng hợp.\n3 | Báo cáo kết quả. | Sở Nội vụ")
    rows = [ln for ln in parse(text)[0] if ln.kind == "row"]
    assert rows[2].cells == ("Kiểm tra việc thực hiện ở cơ sở.", "Sở Y tế", "")
    assert rows[3].cells == ()                                   # the table ended at the long prose line


def test_tables_rule_table_renders_a_flattened_grid_one_row_a_line():
    raw = ("|\nTT\n|\nNội dung\n|\nCơ quan chủ trì\n|\nCơ quan phối hợp\n|\n|\n1\n|\nTập huấn cán bộ\nvề chuyển đổi số\n|\n"
           "Sở Nội vụ\n|\nSở Tài chính\n|\n|\n2\n|\nKiểm tra việc thực hiện\n|\nSở Y tế\n|\nCông an tỉnh\n|\n")
    out = apply_replacements(raw, rule_table(raw))
    rows = [ln for ln in out.split("\n") if ln]
    assert rows == ["TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp",
                    "1 | Tập huấn cán bộ về chuyển đổi số | Sở Nội vụ | Sở Tài chính",
                    "2 | Kiểm tra việc thực hiện | Sở Y tế | Công an tỉnh"]
    r = clean(raw)
    assert [ln for ln in r.text.split("\n") if ln] == rows
    lines, _ = parse(r.text)
    assert [ln.cells for ln in lines][1] == ("Tập huấn cán bộ về chuyển đổi số", "Sở Nội vụ", "Sở Tài chính")


def test_tables_a_grid_keeps_its_shape_with_a_long_task_cell():
    """A table of recommendations whose task cells run to several hundred characters is still a grid (a layout
    table has no three rows of three cells), and its header's "Thông tin đề xuất" / "Bộ phụ trách" give the
    task and lead columns."""
    long = ("Đề nghị các bộ, ngành trung ương xem xét hỗ trợ kinh phí từ nguồn chi thường xuyên để cải tạo, sửa "
            "chữa trụ sở làm việc của các cơ quan, đơn vị ở cấp xã; hỗ trợ các tỉnh miền núi, biên giới có điều "
            "kiện kinh tế - xã hội khó khăn đầu tư đồng bộ hạ tầng số, xử lý dứt điểm các vùng lõm sóng di động, "
            "internet và điện lưới quốc gia tại các thôn, bản đặc biệt khó khăn, bảo đảm hoàn thành trong năm 2026 "
            "theo kế hoạch được giao")
    assert 400 < len(long) < 1500
    raw = ("|\nTT\n|\nTỉnh kiến nghị\n|\nThông tin đề xuất\n|\nBộ phụ trách tiếp nhận, xử lý\n|\n|\n1\n|\nLào Cai\n|\n"
           f"{long}\n|\nBộ Tài chính\n|\n|\n2\n|\nHà Tĩnh\n|\nĐề nghị hướng dẫn tiêu chí thẩm định quy hoạch.\n|\n"
           "Bộ Xây dựng\n|\n")
    r = clean(raw)
    rows = [ln for ln in parse(r.text)[0] if ln.kind == "row"]
    assert [ln.cells for ln in rows[1:]] == [(long, "Bộ Tài chính", ""),
                                             ("Đề nghị hướng dẫn tiêu chí thẩm định quy hoạch.", "Bộ Xây dựng", "")]


def test_tables_rule_table_layout_table_becomes_paragraphs():
    raw = "|\nỦY BAN NHÂN DÂN\nTỈNH QUẢNG TRỊ\n|\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n|\n|\nSố: 05/KH-UBND\n|\n"
    out = apply_replacements(raw, rule_table(raw))
    assert ROW_SEP not in out and "|" not in out
    assert "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG TRỊ" in out and "Số: 05/KH-UBND" in out


def test_tables_rule_table_keeps_offsets_through_cleanup():
    raw = ("|\nTT\n|\nNội dung\n|\nChủ trì\n|\n|\n1\n|\nTập huấn cán bộ\n|\nSở Nội vụ\n|\n|\n2\n|\nKiểm tra cơ sở\n|\n"
           "Sở Y tế\n|\n")
    r = clean(raw)
    i = r.text.index("Kiểm tra cơ sở")
    s, e = r.offset_map.to_raw(i), r.offset_map.to_raw(i + len("Kiểm tra cơ sở"), end=True)
    assert raw[s:e] == "Kiểm tra cơ sở"


REGULATION = ATTACHED.replace("KẾ HOẠCH\nPhòng, chống dịch năm 2024\n", "QUY ĐỊNH\nCHỨC NĂNG, NHIỆM VỤ\nCỦA SỞ Y TẾ\n") \
    .replace("I. NHIỆM VỤ\n1. Sở Y tế chủ trì giám sát dịch bệnh tại cộng đồng.\n2. Sở Tài chính bố trí kinh phí "
             "phòng, chống dịch.", "Điều 1. Nhiệm vụ\n1. Tham mưu cho Ủy ban nhân dân tỉnh ban hành quy hoạch mạng lưới y tế.")


def test_structure_an_attached_regulation_title_heads_its_articles():
    """'QUY ĐỊNH chức năng, nhiệm vụ của Sở Y tế': the outermost heading of its articles, whose items then
    inherit the Sở (heading step) when nothing nearer names an actor."""
    lines, _ = parse(REGULATION)
    assert line(lines, "Nhiệm vụ").part_title == "CHỨC NĂNG, NHIỆM VỤ CỦA SỞ Y TẾ"
    assert line(lines, "Quyết định có hiệu lực").part_title == ""          # the decision itself has none
    cand = next(c for c in candidates(REGULATION) if c.text.startswith("Tham mưu"))
    assert cand.context.headings.split("\n") == ["CHỨC NĂNG, NHIỆM VỤ CỦA SỞ Y TẾ", "Nhiệm vụ"]
    plan = next(c for c in candidates(ATTACHED) if c.text.startswith("Sở Y tế"))
    assert "Phòng, chống dịch" not in plan.context.headings                   # a plan's title is not one


def test_structure_a_regulation_title_ends_with_its_part():
    """A plan attached after the regulation has no title of the regulation's."""
    tail = ATTACHED[ATTACHED.index("TM. ỦY BAN NHÂN DÂN"):]
    both = REGULATION + "\n" + tail
    lines, _ = parse(both)
    assert line(lines, "Nhiệm vụ").part_title == "CHỨC NĂNG, NHIỆM VỤ CỦA SỞ Y TẾ"
    assert line(lines, "Sở Tài chính bố trí").part_title == ""


# --------------------------------------------------------------------------- amendments

AMENDING = """NGHỊ ĐỊNH
Sửa đổi, bổ sung một số điều của Nghị định số 75/2021/NĐ-CP
Điều 1. Sửa đổi, bổ sung một số điều của Nghị định số 75/2021/NĐ-CP
1. Sửa đổi, bổ sung Điều 3 như sau:
{quote}Điều 3. Mức chuẩn trợ cấp ưu đãi
Bộ Tài chính bố trí kinh phí thực hiện chế độ trợ cấp hằng năm.
2. Sửa đổi, bổ sung Điều 5 như sau:
Điều 6. Trợ cấp một lần
Sở Nội vụ hướng dẫn thủ tục chi trả trợ cấp một lần.
Điều 2. Trách nhiệm thi hành
Các Bộ trưởng chịu trách nhiệm thi hành Nghị định này.
"""


@pytest.mark.parametrize("quote", ["“", ""])
def test_structure_the_article_an_amendment_quotes_is_its_text_with_or_without_its_quote(quote):
    """"1. Sửa đổi, bổ sung Điều 3 như sau:" / "“Điều 3. …": the quoted article is text of item 1, not an
    article of this decree; a scan that lost the opening quote reads the same. An article line after an
    amendment of another article ("Điều 5 như sau:" / "Điều 6.") stays an article."""
    lines, _ = parse(AMENDING.format(quote=quote))
    quoted = line(lines, quote + "Điều 3. Mức chuẩn")
    assert (quoted.kind, quoted.marker) == ("plain", "")
    assert line(lines, "Bộ Tài chính bố trí").section == "Điều 1.1"
    assert line(lines, "Trợ cấp một lần").kind == "article"
    assert line(lines, "Trách nhiệm thi hành").section == "Điều 2"
