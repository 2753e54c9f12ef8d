"""Stage 5, document metadata on hand-built headers and signature blocks."""

from __future__ import annotations

import pytest

from pipeline.metadata import extract

KEYS = {"number", "type", "issuer", "place", "date", "signer"}

PARTY = """TỈNH ỦY HÀ TĨNH
Số 12-CT/TU
Hà Tĩnh, ngày 5 tháng 3 năm 2024
CHỈ THỊ
Về tăng cường công tác hiến máu tình nguyện
Ban Dân vận chủ trì tuyên truyền.
Sở Y tế phối hợp tổ chức.
T/M BAN THƯỜNG VỤ
BÍ THƯ
Nguyễn Văn An"""

GOV = """ỦY BAN NHÂN DÂN
TỈNH NGHỆ AN
Số: 215/KH-UBND
Nghệ An, ngày 28 tháng 3 năm 2023
KẾ HOẠCH
Triển khai công tác chữ thập đỏ.
Nội dung một.
Nội dung hai.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Hoàng Minh Tuấn"""

GOV_HUYEN = """UBND HUYỆN ĐÔ LƯƠNG
Số: 35/UBND-VX
Đô Lương, ngày 02 tháng 11 năm 2023
V/v tổ chức hiến máu tình nguyện
Kính gửi: Ủy ban nhân dân các xã, thị trấn.
Nội dung.
Nội dung hai.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Trần Văn Bình"""

CITY_PARTY = """THÀNH ỦY VINH
Số 3-CV/TU
Vinh, ngày 1 tháng 1 năm 2024
Nội dung một.
Nội dung hai.
Nội dung ba.
T/M THƯỜNG TRỰC THÀNH ỦY
PHÓ BÍ THƯ
Lê Thị Hoa"""


@pytest.mark.parametrize("text,expected", [
    (PARTY, {"number": "12-CT/TU", "type": "chỉ thị", "issuer": "Ban Thường vụ Tỉnh ủy Hà Tĩnh",
             "place": "Hà Tĩnh", "date": "2024-03-05", "signer": "Nguyễn Văn An"}),
    (GOV, {"number": "215/KH-UBND", "type": "kế hoạch", "issuer": "Ủy ban nhân dân tỉnh Nghệ An",
           "place": "Nghệ An", "date": "2023-03-28", "signer": "Hoàng Minh Tuấn"}),
    (GOV_HUYEN, {"number": "35/UBND-VX", "type": "công văn", "issuer": "Ủy ban nhân dân huyện Đô Lương",
                 "place": "Đô Lương", "date": "2023-11-02", "signer": "Trần Văn Bình"}),
    (CITY_PARTY, {"number": "3-CV/TU", "type": "công văn", "issuer": "Thành ủy Vinh",
                  "place": "Vinh", "date": "2024-01-01", "signer": "Lê Thị Hoa"}),
], ids=["party-province", "gov-province", "gov-district-cong-van", "party-city"])
def test_metadata_full_headers(text, expected):
    assert extract(text) == expected


def test_metadata_all_none_when_absent():
    assert extract("") == {k: None for k in KEYS}
    assert extract("Ban Dân vận chủ trì tuyên truyền.\nSở Y tế phối hợp.") == {k: None for k in KEYS}


@pytest.mark.parametrize("text,number", [
    ("Số 44-KL/TW\nNội dung.", "44-KL/TW"),
    ("Số: 215/KH-UBND\nNội dung.", "215/KH-UBND"),
    ("Số:35/UBND-VX\nNội dung.", "35/UBND-VX"),
    ("Số 03/2011/NĐ-CP\nNội dung.", "03/2011/NĐ-CP"),
    ("SỐ: 17-KH/TU.\nNội dung.", "17-KH/TU"),
    ("Số lượng 25 người\nNội dung.", None),
])
def test_metadata_number(text, number):
    assert extract(text)["number"] == number


@pytest.mark.parametrize("text,doc_type", [
    ("TỈNH ỦY\nKẾ HOẠCH\nNội dung.", "kế hoạch"),
    ("TỈNH ỦY\nTHÔNG BÁO\nNội dung.", "thông báo"),
    ("TỈNH ỦY\nHƯỚNG DẪN\nNội dung.", "hướng dẫn"),
    ("Số 17-KH/TU\nNội dung.", "kế hoạch"),
    ("Số 44-KL/TW\nNội dung.", "kết luận"),
    ("Số 05/TB-BDV\nNội dung.", "thông báo"),
    ("Số 7/HD-BTG\nNội dung.", "hướng dẫn"),
    ("Số 12/QĐ-UBND\nNội dung.", "quyết định"),
    ("Số 35/UBND-VX\nNội dung.", "công văn"),
    ("Số 3-CV/TU\nNội dung.", "công văn"),
    ("Số 17-KH/TU\nCHỈ THỊ\nNội dung.", "chỉ thị"),              # the title line wins over the code
    ("Kế hoạch này được triển khai.\nNội dung.", None),          # not a title: not in capitals
    ("Số: 173/2025/NĐ-CP\nNội dung.", "nghị định"),
    ("Số: 24/2025/TT-BTP\nNội dung.", "thông tư"),                # a ministry's TT
    ("Số 03-TT/TU\nNội dung.", "thông tri"),                      # a Party committee's TT
    ("Số: 17986/BTC-CT\nNội dung.", "công văn"),                  # issuer then unit: "CT" is not a code here
    ("Số: 57/VBHN-BCT\nTHÔNG TƯ\nNội dung.", "thông tư"),
    ("Số: 173/2025/NĐ-CP\nNGHỊ ĐỊNH Về hợp đồng lao động\nNội dung.", "nghị định"),   # run on with its subject
    ("THÔNG BÁO\nKẾT LUẬN CỦA THỦ TƯỚNG CHÍNH PHỦ\nNội dung.", "thông báo kết luận"),
    ("Kính gửi: Sở Y tế.\nĐề nghị Sở báo cáo.", "công văn"),         # a letter without number or title
    ("QUY ĐỊNH CHỨC NĂNG, NHIỆM VỤ\nNội dung.", None),           # a subject line in capitals, not a type
])
def test_metadata_type(text, doc_type):
    assert extract(text)["type"] == doc_type


@pytest.mark.parametrize("text,date,place", [
    ("Hà Nội, ngày 14 tháng 11 năm 2022\nNội dung.", "2022-11-14", "Hà Nội"),
    ("Từ Sơn, ngày 30 tháng 3 năm 2023", "2023-03-30", "Từ Sơn"),
    ("Thành phố Hồ Chí Minh, ngày 1 tháng 12 năm 2023", "2023-12-01", "Thành phố Hồ Chí Minh"),
    ("ngày 1 tháng 2 năm 2023\nNội dung.", "2023-02-01", None),
    ("Văn bản ban hành ngày 9 tháng 9 năm 2021.", None, None),          # a date in a sentence is not the date line
    ("Số 7/HD-BTG\nHà Nội, ngày 40 tháng 13 năm 2023", None, "Hà Nội"),
    ("Hà Nội, ngày 5/3/2024", None, None),
], ids=["full", "two-word-place", "long-place", "no-place", "in-sentence", "impossible", "numeric-form"])
def test_metadata_date_and_place(text, date, place):
    meta = extract(text)
    assert (meta["date"], meta["place"]) == (date, place)


def test_metadata_date_invalid_day_of_month_is_none():
    assert extract("Hà Nội, ngày 31 tháng 2 năm 2023\nNội dung.")["date"] is None


@pytest.mark.parametrize("text,signer", [
    (PARTY, "Nguyễn Văn An"),
    ("Nội dung một.\nNội dung hai.\nNội dung ba.\nKT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n(Đã ký)\nPhạm Thị Lan", "Phạm Thị Lan"),
    ("Nội dung một.\nNội dung hai.\nNguyễn Văn An", "Nguyễn Văn An"),   # no role line: the last line
    ("Nội dung một.\nNội dung hai.\nT/M BAN THƯỜNG VỤ\nBÍ THƯ", None),
    ("Nội dung một.\nNội dung hai.\nNGUYỄN VĂN AN", None),
])
def test_metadata_signer(text, signer):
    assert extract(text)["signer"] == signer


@pytest.mark.parametrize("text,issuer", [
    ("HUYỆN ỦY ĐÔ LƯƠNG\nNội dung.\nNội dung.\nT/M BAN THƯỜNG VỤ\nBÍ THƯ\nLê Văn C", "Ban Thường vụ Huyện ủy Đô Lương"),
    ("THỊ ỦY HƯƠNG TRÀ\nNội dung.", "Thị ủy Hương Trà"),
    ("UBND THÀNH PHỐ VINH\nNội dung.", "Ủy ban nhân dân thành phố Vinh"),
    # bodies named in the text are not the issuer: only the letterhead, the enacting authority, the signature
    ("Ban Thường vụ Tỉnh ủy yêu cầu các cấp ủy thực hiện tốt.", None),
    ("Hà Tĩnh, ngày 1 tháng 1 năm 2024\nBan Thường vụ Tỉnh ủy ban hành kế hoạch.", None),
    ("Ủy ban nhân dân tỉnh chỉ đạo các sở thực hiện.", None),
    ("Sở Y tế thực hiện.", None),
], ids=["party-district", "party-town", "gov-city", "body-words", "body-words-place", "body-gov", "none"])
def test_metadata_issuer(text, issuer):
    assert extract(text)["issuer"] == issuer


def test_metadata_reads_only_the_header_for_number():
    body = "\n".join(f"Nội dung {i}." for i in range(30))
    assert extract(body + "\nSố 12-KH/TU")["number"] is None


# --------------------------------------------------------------------------- the document's own, not what it cites
# (hand-written headers in the shapes the real documents have; issue: metadata from cited documents)

CITES_LAW = """ỦY BAN NHÂN DÂN
XÃ AN PHÚ
Số: 41/KH-UBND
An Phú, ngày 12 tháng 11 năm 2025
KẾ HOẠCH
Triển khai công tác phòng cháy năm 2026
Căn cứ Luật Phòng cháy, chữa cháy ngày 29 tháng 6 năm 2001;
Thực hiện Nghị quyết số 19/NQ-HĐND ngày 3 tháng 10 năm 2025 của Hội đồng nhân dân xã;
1. Công an xã chủ trì kiểm tra các cơ sở kinh doanh.
Nơi nhận:
- Như trên;
- Lưu: VT.
TM. ỦY BAN
NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Lò Văn Thắng"""

NO_HEADER = """Kính gửi: Các sở, ban, ngành tỉnh.
Thực hiện Quyết định số 2530/QĐ-TTg ngày 19 tháng 11 năm 2025 của Thủ tướng Chính phủ, Ủy ban nhân dân tỉnh \
đã có nhiều văn bản chỉ đạo.
1. Sở Y tế chủ trì tổ chức các đợt khám sức khỏe lưu động.
2. Sở Tài chính bố trí kinh phí."""

DRAFT = """ỦY BAN MTTQ VIỆT NAM
XÃ AN PHÚ
BAN THƯỜNG TRỰC
Số:    /HD-MTTQ-BTT
An Phú, ngày    tháng 11 năm 2025
HƯỚNG DẪN
1. Các chi hội tổ chức hội nghị."""

WEB_PAGE = """Công văn số 88/BXD-QLN về việc rà soát nhà ở (trang thông tin điện tử)
BỘ XÂY DỰNG ------- | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc
Số: 88/BXD-QLN Hà Nội, ngày 2 tháng 3 năm 2024
Kính gửi: Ủy ban nhân dân các tỉnh.
1. Các địa phương rà soát nhà ở xã hội."""

ANNEX_ONLY = """Kính gửi: Các đơn vị thuộc Bộ.
1. Các đơn vị báo cáo tiến độ trước ngày 30 tháng 11.
Nơi nhận:
- Như trên;
BỘ TRƯỞNG
Trần Minh Khoa
PHỤ LỤC
DANH MỤC NHIỆM VỤ
- (Kèm theo Công văn số 712/BKH-VP ngày 18/11/2025 của Bộ Khoa học)"""


def test_metadata_takes_the_documents_own_number_and_date_not_the_cited_ones():
    m = extract(CITES_LAW)
    assert (m["number"], m["date"], m["place"]) == ("41/KH-UBND", "2025-11-12", "An Phú")
    assert m["issuer"] == "Ủy ban nhân dân xã An Phú"


def test_metadata_signer_is_a_name_not_the_wrapped_body():
    assert extract(CITES_LAW)["signer"] == "Lò Văn Thắng"          # not "NHÂN DÂN" under "TM. ỦY BAN"


def test_metadata_without_header_takes_nothing_from_the_body():
    m = extract(NO_HEADER)
    assert m["number"] is None and m["date"] is None and m["issuer"] is None   # the cited decision is not ours


def test_metadata_blank_in_a_draft_is_none():
    m = extract(DRAFT)
    assert m["date"] is None and m["place"] == "An Phú"                 # "ngày    tháng 11": no day, no date
    assert m["number"] == "/HD-MTTQ-BTT"                                # the code as written, without a number
    assert m["issuer"] == "Ban Thường trực Ủy ban MTTQ Việt Nam xã An Phú"


def test_metadata_header_below_a_web_title_and_in_table_cells():
    m = extract(WEB_PAGE)
    assert (m["number"], m["date"], m["place"]) == ("88/BXD-QLN", "2024-03-02", "Hà Nội")
    assert m["issuer"] == "Bộ Xây dựng"


def test_metadata_annex_reference_names_a_document_whose_header_was_lost():
    m = extract(ANNEX_ONLY)
    assert (m["number"], m["date"], m["issuer"], m["signer"]) == ("712/BKH-VP", "2025-11-18", "Bộ Khoa học",
                                                                  "Trần Minh Khoa")


def test_metadata_number_wrapped_after_so_and_date_without_space():
    m = extract("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ AN BÌNH\nSố:\n264/QĐ-UBND\nAn Bình, ngày 18 tháng 11năm 2025\nQUYẾT ĐỊNH")
    assert (m["number"], m["date"]) == ("264/QĐ-UBND", "2025-11-18")


@pytest.mark.parametrize("head,issuer", [
    ("CHỦ TỊCH ỦY BAN\nNHÂN DÂN\nTỈNH AN BÌNH\nSố: 5/QĐ-UBND", "Chủ tịch Ủy ban nhân dân tỉnh An Bình"),
    ("ỦY BAN NHÂN\nDÂN\nTHÀNH PHỐ ĐÀ NẴNG\nSố: 5/QĐ-UBND", "Ủy ban nhân dân thành phố Đà Nẵng"),
    ("BỘ VĂN HÓA, THỂ\nTHAO\nVÀ DU LỊCH\nSố: 5/QĐ-BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("NGHỊ QUYẾT\nVề việc sắp xếp đơn vị hành chính\nỦY BAN THƯỜNG VỤ QUỐC HỘI\nCăn cứ Hiến pháp;",
     "Ủy ban Thường vụ Quốc hội"),
], ids=["chair-wrapped", "gov-wrapped", "ministry-wrapped", "enacting-authority"])
def test_metadata_issuer_from_wrapped_letterheads_and_enacting_line(head, issuer):
    assert extract(head)["issuer"] == issuer
