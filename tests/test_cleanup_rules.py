"""Cleanup rules on text of the written corpus (sentences cleanup leaves unchanged on their own): a
converter's fixed-width wrap is joined also before a capitalised word, and a long sentence repeated in a
later paragraph is removed."""

from __future__ import annotations

import textwrap

from pipeline.cleanup import clean

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


def test_cleanup_long_sentence_repeated_in_a_later_paragraph_removed():
    assert len(LONG) >= 150
    raw = f"{LONG} {OTHER}\n\n{MIDDLE}\n\n{OTHER} {LONG}"
    r = clean(raw)
    assert r.text == f"{LONG} {OTHER}\n\n{MIDDLE}\n\n{OTHER}"
    assert [e.rule for e in r.edits] == ["duplicate"]


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
