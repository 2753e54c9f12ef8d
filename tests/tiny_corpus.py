"""A tiny gold corpus written for the tests (not taken from any real document).

Seven short documents in the corpus markup (corpus/FORMAT.md), with the structures the pipeline reads:
headings that name an actor, items with several sentences, a lead-in "… yêu cầu:", "Kính gửi" and a công
điện's "… điện:" addressees, a plan whose tasks fall back on its issuer, field lines ("Cơ quan chủ trì:"),
a list after "Bộ trưởng các Bộ:", a task table, and the issuer's own voice ("Ban Thường vụ Tỉnh ủy yêu cầu
Sở Y tế …"). Large enough to fit every learned component with its second stage (four folds by document),
small enough to fit in well under a minute.

A task table cannot be written in the markup (``|`` separates its fields), so its cells are written with
``¦`` and turned into the ``" | "`` of a rendered row after parsing (same length: offsets stay right).
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CELL = "¦"

SOURCES = {
    "t1_hien_mau": """#meta number=21-KH/TU | type=kế hoạch | issuer=Ban Thường vụ Tỉnh ủy Quảng Trị | place=Quảng Trị | date=2024-03-18 | signer=Hoàng Đức Thắng
TỈNH ỦY QUẢNG TRỊ
Số 21-KH/TU
Quảng Trị, ngày 18 tháng 3 năm 2024
KẾ HOẠCH
triển khai công tác hiến máu tình nguyện năm 2024
Căn cứ Chỉ thị số 03-CT/TW ngày 19/4/2021 của Ban Bí thư về tăng cường công tác hiến máu tình nguyện.
Thời gian qua, phong trào hiến máu tình nguyện trên địa bàn tỉnh đạt nhiều kết quả quan trọng.
I. MỤC ĐÍCH, YÊU CẦU
1. Nâng cao nhận thức của cán bộ, đảng viên và nhân dân về ý nghĩa nhân đạo của hiến máu cứu người.
2. Việc tổ chức hiến máu phải bảo đảm an toàn, thiết thực, tránh hình thức.
II. NHIỆM VỤ CỤ THỂ
1. Ban Tuyên giáo Tỉnh ủy
- {{Chủ trì định hướng các cơ quan báo chí của tỉnh tuyên truyền về hiến máu tình nguyện.|lead=ban_tuyen_giao*:Ban Tuyên giáo Tỉnh ủy|themes=tuyen_truyen,hien_mau}}
- {{Biên soạn tài liệu hỏi đáp về hiến máu cho đội ngũ báo cáo viên các cấp.|lead=ban_tuyen_giao*:Ban Tuyên giáo Tỉnh ủy|themes=tuyen_truyen}}
2. Sở Y tế
- {{Bảo đảm đủ trang thiết bị, vật tư tiếp nhận máu tại các điểm hiến máu lưu động.|lead=so_ban_nganh*:Sở Y tế|themes=hien_mau}}
- {{Kiểm tra chất lượng máu tiếp nhận tại các bệnh viện trong tỉnh hằng quý.|lead=so_ban_nganh*:Sở Y tế|themes=kiem_tra_giam_sat,hien_mau}}
3. {{Hội Chữ thập đỏ tỉnh chủ trì, phối hợp với Tỉnh đoàn tổ chức Ngày hội hiến máu mùa hè.|lead=hoi_chu_thap_do:Hội Chữ thập đỏ tỉnh|support=mttq_doan_the:Tỉnh đoàn|themes=hien_mau,phong_trao_van_dong}} {{Tổng hợp kết quả hiến máu, báo cáo Ban Thường vụ Tỉnh ủy trước ngày 15/12/2024.|lead=hoi_chu_thap_do*:Hội Chữ thập đỏ tỉnh|themes=kiem_tra_giam_sat}}
4. {{Các huyện ủy, thành ủy lãnh đạo cấp ủy cơ sở đưa chỉ tiêu hiến máu vào nghị quyết hằng năm.|lead=cap_uy:Các huyện ủy, thành ủy|themes=hien_mau}}
Nơi nhận:
- Ban Tuyên giáo Trung ương (b/c),
- Các huyện ủy, thành ủy,
- Lưu Văn phòng Tỉnh ủy.
T/M BAN THƯỜNG VỤ
PHÓ BÍ THƯ
Hoàng Đức Thắng
""",
    "t2_sot_xuat_huyet": """#meta number=512-CV/TU | type=công văn | issuer=Ban Thường vụ Tỉnh ủy Quảng Trị | place=Quảng Trị | date=2024-05-06 | signer=Hoàng Đức Thắng
TỈNH ỦY QUẢNG TRỊ
Số 512-CV/TU
V/v tăng cường phòng, chống dịch sốt xuất huyết
Quảng Trị, ngày 6 tháng 5 năm 2024
Kính gửi:
- Các huyện ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy;
- Ban cán sự đảng Ủy ban nhân dân tỉnh.
Thời gian gần đây, dịch sốt xuất huyết có chiều hướng gia tăng tại nhiều địa phương trong tỉnh.
Để chủ động phòng, chống dịch, Ban Thường vụ Tỉnh ủy yêu cầu:
1. {{Lãnh đạo, chỉ đạo quyết liệt công tác phòng, chống dịch sốt xuất huyết trên địa bàn.|lead=cap_uy*:Các huyện ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy;dang_doan_ban_can_su*:Ban cán sự đảng Ủy ban nhân dân tỉnh|themes=thien_tai_dich_benh}}
2. {{Ban Thường vụ Tỉnh ủy yêu cầu Sở Y tế tổ chức phun hóa chất diệt muỗi tại các ổ dịch.|lead=so_ban_nganh:Sở Y tế|themes=thien_tai_dich_benh}}
3. {{Ban Thường vụ Tỉnh ủy đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh vận động nhân dân diệt lăng quăng, bọ gậy.|lead=mttq_doan_the:Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh|themes=thien_tai_dich_benh,phong_trao_van_dong}}
4. {{Báo Quảng Trị, Đài Phát thanh và Truyền hình tỉnh tăng thời lượng tuyên truyền về các biện pháp phòng bệnh.|lead=co_quan_truyen_thong:Báo Quảng Trị;co_quan_truyen_thong:Đài Phát thanh và Truyền hình tỉnh|themes=tuyen_truyen,thien_tai_dich_benh}}
5. {{Văn phòng Tỉnh ủy theo dõi, tổng hợp tình hình, báo cáo Thường trực Tỉnh ủy.|lead=van_phong_cap_uy:Văn phòng Tỉnh ủy|themes=kiem_tra_giam_sat}}
Nơi nhận:
- Như trên,
- Lưu Văn phòng Tỉnh ủy.
T/M BAN THƯỜNG VỤ
PHÓ BÍ THƯ
Hoàng Đức Thắng
""",
    "t3_thien_tai": """#meta number=88/KH-UBND | type=kế hoạch | issuer=Ủy ban nhân dân huyện Cam Lộ | place=Cam Lộ | date=2024-06-03 | signer=Trần Văn Lâm
ỦY BAN NHÂN DÂN
HUYỆN CAM LỘ
Số: 88/KH-UBND
Cam Lộ, ngày 03 tháng 6 năm 2024
KẾ HOẠCH
Phòng, chống thiên tai và tìm kiếm cứu nạn năm 2024
Thực hiện Kế hoạch số 45/KH-UBND của Ủy ban nhân dân tỉnh về phòng, chống thiên tai.
Năm 2023, bão lũ làm hư hỏng nhiều tuyến đường giao thông nông thôn trên địa bàn huyện.
I. NHIỆM VỤ TRỌNG TÂM
1. {{Rà soát, cập nhật phương án ứng phó thiên tai theo cấp độ rủi ro trước ngày 30/6/2024.|lead=chinh_quyen*:Ủy ban nhân dân|themes=thien_tai_dich_benh}}
2. {{Kiểm tra an toàn các hồ chứa nước, đê bao trước mùa mưa bão.|lead=chinh_quyen*:Ủy ban nhân dân|themes=thien_tai_dich_benh,kiem_tra_giam_sat}}
II. PHÂN CÔNG THỰC HIỆN
1. {{Phòng Nông nghiệp và Phát triển nông thôn, Phòng Tài chính - Kế hoạch, Ủy ban nhân dân các xã bố trí kinh phí dự phòng để khắc phục hậu quả thiên tai.|lead=so_ban_nganh:Phòng Nông nghiệp và Phát triển nông thôn;so_ban_nganh:Phòng Tài chính - Kế hoạch;chinh_quyen:Ủy ban nhân dân các xã|themes=nguon_luc_tai_chinh,thien_tai_dich_benh}}
2. {{Công an huyện chủ trì, phối hợp với Hội Chữ thập đỏ huyện xây dựng phương án sơ tán dân khỏi vùng nguy hiểm.|lead=luc_luong_vu_trang:Công an huyện|support=hoi_chu_thap_do:Hội Chữ thập đỏ huyện|themes=thien_tai_dich_benh,an_ninh_trat_tu}}
3. {{Đài Truyền thanh huyện thông tin kịp thời diễn biến thời tiết nguy hiểm đến người dân.|lead=co_quan_truyen_thong:Đài Truyền thanh huyện|themes=tuyen_truyen,thien_tai_dich_benh}}
4. {{Hội Chữ thập đỏ huyện vận động nguồn lực hỗ trợ các hộ dân bị thiệt hại do thiên tai.|lead=hoi_chu_thap_do:Hội Chữ thập đỏ huyện|themes=tro_giup_nhan_dao,thien_tai_dich_benh}}
Nơi nhận:
- Ủy ban nhân dân tỉnh (b/c);
- Các phòng, ban, ngành huyện;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Trần Văn Lâm
""",
    "t4_cong_dien": """#meta number=05/CĐ-UBND | type=công điện | issuer=Chủ tịch Ủy ban nhân dân tỉnh Quảng Trị | place=Quảng Trị | date=2024-09-10 | signer=Võ Văn Hưng
ỦY BAN NHÂN DÂN
TỈNH QUẢNG TRỊ
Số: 05/CĐ-UBND
Quảng Trị, ngày 10 tháng 9 năm 2024
CÔNG ĐIỆN
Về việc chủ động ứng phó với bão số 4
CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH điện:
- Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố;
- Giám đốc các sở, ban, ngành cấp tỉnh.
Theo Trung tâm Dự báo khí tượng thủy văn quốc gia, bão số 4 đang di chuyển nhanh vào đất liền.
Để chủ động ứng phó, Chủ tịch Ủy ban nhân dân tỉnh yêu cầu:
1. {{Tổ chức kêu gọi, hướng dẫn tàu thuyền vào nơi tránh trú an toàn trước 17 giờ ngày 11/9/2024.|lead=chinh_quyen*:Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố;so_ban_nganh*:Giám đốc các sở, ban, ngành cấp tỉnh|themes=thien_tai_dich_benh}}
2. {{Sơ tán người dân ở vùng ven biển, vùng trũng thấp đến nơi an toàn.|lead=chinh_quyen*:Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố;so_ban_nganh*:Giám đốc các sở, ban, ngành cấp tỉnh|themes=thien_tai_dich_benh}}
3. {{Bộ Chỉ huy Quân sự tỉnh, Công an tỉnh bố trí lực lượng, phương tiện sẵn sàng cứu hộ, cứu nạn.|lead=luc_luong_vu_trang:Bộ Chỉ huy Quân sự tỉnh;luc_luong_vu_trang:Công an tỉnh|themes=thien_tai_dich_benh,an_ninh_trat_tu}}
4. {{Sở Công Thương chỉ đạo bảo đảm cung ứng hàng hóa thiết yếu cho vùng bị chia cắt.|lead=so_ban_nganh:Sở Công Thương|themes=kinh_te_ha_tang,thien_tai_dich_benh}}
Nơi nhận:
- Như trên;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Võ Văn Hưng
""",
    "t5_thang_nhan_dao": """#meta number=14/HD-CTĐ | type=hướng dẫn | issuer=Ban Thường vụ Hội Chữ thập đỏ tỉnh Quảng Trị | place=Quảng Trị | date=2024-02-20 | signer=Nguyễn Thị Hạnh
HỘI CHỮ THẬP ĐỎ VIỆT NAM
BAN THƯỜNG VỤ HỘI CHỮ THẬP ĐỎ TỈNH QUẢNG TRỊ
Số: 14/HD-CTĐ
Quảng Trị, ngày 20 tháng 02 năm 2024
HƯỚNG DẪN
Tổ chức Tháng Nhân đạo năm 2024
Căn cứ Kế hoạch số 10/KH-TWH của Trung ương Hội Chữ thập đỏ Việt Nam về Tháng Nhân đạo năm 2024.
Tháng Nhân đạo năm 2023 đã vận động được nhiều nguồn lực giúp đỡ người có hoàn cảnh khó khăn.
II. NỘI DUNG HOẠT ĐỘNG
1. {{Tổ chức lễ phát động Tháng Nhân đạo cấp tỉnh gắn với trao quà cho hộ nghèo.|lead=hoi_chu_thap_do*:Ban Thường vụ Hội Chữ thập đỏ tỉnh|support=mttq_doan_the*:Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh|themes=tro_giup_nhan_dao,phong_trao_van_dong}}
- Cơ quan chủ trì: Ban Thường vụ Hội Chữ thập đỏ tỉnh.
- Cơ quan phối hợp: Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh.
- Thời gian thực hiện: tháng 5 năm 2024.
2. {{Tổ chức hiến máu tình nguyện tại các trường đại học, cao đẳng trên địa bàn.|lead=hoi_chu_thap_do*:Hội Chữ thập đỏ tỉnh|support=mttq_doan_the*:Tỉnh đoàn;so_ban_nganh*:Sở Giáo dục và Đào tạo|themes=hien_mau}}
- Cơ quan chủ trì: Hội Chữ thập đỏ tỉnh.
- Cơ quan phối hợp:
+ Tỉnh đoàn;
+ Sở Giáo dục và Đào tạo.
3. {{Hội Chữ thập đỏ các huyện vận động các doanh nghiệp ủng hộ quỹ nhân đạo để xây nhà cho hộ nghèo.|lead=hoi_chu_thap_do:Hội Chữ thập đỏ các huyện|themes=nguon_luc_tai_chinh,tro_giup_nhan_dao}}
4. {{Ban Thường vụ Hội Chữ thập đỏ tỉnh kiểm tra việc sử dụng quỹ nhân đạo tại cơ sở.|lead=hoi_chu_thap_do:Ban Thường vụ Hội Chữ thập đỏ tỉnh|themes=kiem_tra_giam_sat}}
Nơi nhận:
- Trung ương Hội (b/c);
- Lưu: VT.
TM. BAN THƯỜNG VỤ
CHỦ TỊCH
Nguyễn Thị Hạnh
""",
    "t6_thong_bao": """#meta number=120/TB-VPCP | type=thông báo | issuer=Văn phòng Chính phủ | place=Hà Nội | date=2024-07-22 | signer=Trần Văn Sơn
VĂN PHÒNG CHÍNH PHỦ
Số: 120/TB-VPCP
Hà Nội, ngày 22 tháng 7 năm 2024
THÔNG BÁO
Kết luận của Phó Thủ tướng tại cuộc họp về phòng, chống dịch bệnh động vật
Ngày 18 tháng 7 năm 2024, Phó Thủ tướng đã chủ trì cuộc họp về tình hình dịch tả lợn châu Phi.
Sau khi nghe báo cáo của các cơ quan, Phó Thủ tướng kết luận như sau:
1. {{Bộ trưởng các Bộ: Tài chính, Y tế, Công Thương theo chức năng được giao chỉ đạo quyết liệt công tác phòng, chống dịch.|lead=so_ban_nganh:Bộ trưởng các Bộ|themes=thien_tai_dich_benh}}
2. {{Bộ Tài chính bố trí kinh phí hỗ trợ các địa phương mua vắc xin.|lead=so_ban_nganh:Bộ Tài chính|themes=nguon_luc_tai_chinh,thien_tai_dich_benh}}
3. {{Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương kiểm soát chặt việc vận chuyển lợn qua địa bàn.|lead=chinh_quyen:Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương|themes=thien_tai_dich_benh,kiem_tra_giam_sat}}
4. Bộ Công Thương:
a) {{Hướng dẫn các địa phương bảo đảm nguồn cung thịt lợn cho thị trường.|lead=so_ban_nganh*:Bộ Công Thương|themes=kinh_te_ha_tang}}
b) {{Tổng hợp tình hình thị trường, báo cáo Thủ tướng Chính phủ hằng tuần.|lead=so_ban_nganh*:Bộ Công Thương|themes=kiem_tra_giam_sat}}
Văn phòng Chính phủ thông báo để các cơ quan biết, thực hiện.
Nơi nhận:
- Thủ tướng, các Phó Thủ tướng;
- Lưu: VT.
KT. BỘ TRƯỞNG, CHỦ NHIỆM
PHÓ CHỦ NHIỆM
Trần Văn Sơn
""",
    "t7_bang_nhiem_vu": """#meta number=30/KH-UBND | type=kế hoạch | issuer=Ủy ban nhân dân xã Hải Phú | place=Hải Phú | date=2024-08-01 | signer=Lê Văn Tú
ỦY BAN NHÂN DÂN
XÃ HẢI PHÚ
Số: 30/KH-UBND
Hải Phú, ngày 01 tháng 8 năm 2024
KẾ HOẠCH
Chuyển đổi số năm 2024
Thực hiện Kế hoạch số 12/KH-UBND của Ủy ban nhân dân huyện về chuyển đổi số.
Năm 2023, tỷ lệ hồ sơ trực tuyến của xã còn thấp so với yêu cầu.
II. NHIỆM VỤ, GIẢI PHÁP
TT ¦ Nội dung nhiệm vụ ¦ Cơ quan chủ trì ¦ Cơ quan phối hợp ¦ Thời gian
I ¦ HẠ TẦNG SỐ
1 ¦ {{Cập nhật dữ liệu dân cư vào hệ thống quản lý của xã.|lead=luc_luong_vu_trang*:Công an xã|support=so_ban_nganh*:Trạm Y tế xã|themes=chuyen_doi_so}} ¦ Công an xã ¦ Trạm Y tế xã ¦ Tháng 9/2024
2 ¦ {{Hướng dẫn người dân cài đặt, sử dụng ứng dụng định danh điện tử.|lead=mttq_doan_the*:Đoàn Thanh niên xã|support=luc_luong_vu_trang*:Công an xã|themes=chuyen_doi_so}} ¦ Đoàn Thanh niên xã ¦ Công an xã ¦ Quý IV/2024
{{Tập huấn kỹ năng số cho tổ công nghệ số cộng đồng ở các thôn.|lead=mttq_doan_the*:Đoàn Thanh niên xã|support=luc_luong_vu_trang*:Công an xã|themes=dao_tao_boi_duong,chuyen_doi_so}} ¦ Đoàn Thanh niên xã ¦ Công an xã ¦ Quý IV/2024
3 ¦ {{Số hóa hồ sơ khám bệnh của người dân tại trạm y tế.|lead=so_ban_nganh*:Trạm Y tế xã|themes=chuyen_doi_so,cham_soc_suc_khoe}} ¦ Trạm Y tế xã ¦ Quý IV/2024
Nơi nhận:
- Ủy ban nhân dân huyện (b/c);
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Lê Văn Tú
""",
}

WRITTEN = [k for k, v in SOURCES.items() if CELL not in v]      # documents the markup can hold as they are


def labelset() -> dict:
    from pipeline.corpus import load_labelset

    return load_labelset(ROOT / "corpus")


def gold_documents(names=None) -> list:
    """The documents as :class:`pipeline.corpus.GoldDocument` (table cells as " | ")."""
    from pipeline.corpus import GoldDocument, parse_source

    out = []
    for doc_id in names or SOURCES:
        meta, text, tasks = parse_source(SOURCES[doc_id])
        if CELL in text:
            text = text.replace(CELL, "|")
            for t in tasks:
                t["text"] = text[t["start"]:t["end"]]
        out.append(GoldDocument(doc_id=doc_id, text=text, meta=meta, tasks=tasks))
    return out


def examples(names=None) -> list:
    """Training examples (:class:`pipeline.training.Example`) of the documents."""
    from pipeline.training import corpus_examples

    return corpus_examples(gold_documents(names))


def write_corpus(root: Path, names=None) -> Path:
    """A corpus folder (labelset.json, src/) of the documents the markup can hold."""
    root = Path(root)
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "labelset.json").write_text((ROOT / "corpus" / "labelset.json").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    for doc_id in names or WRITTEN:
        (root / "src" / f"{doc_id}.txt").write_text(SOURCES[doc_id], encoding="utf-8")
    return root


if __name__ == "__main__":   # python tests/tiny_corpus.py: check every document as `vanban corpus check` does
    from pipeline.corpus import check_document

    ls = labelset()
    problems = [p for d in gold_documents() for p in check_document(d, ls)]
    print(json.dumps(problems, ensure_ascii=False, indent=1) if problems else "ok")
