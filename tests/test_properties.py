"""Property-based tests (hypothesis): cleanup and candidate splitting on arbitrary text."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline import splitting
from pipeline.cleanup import clean
from pipeline.document import TaskContext

# Pieces that exercise the rules: Vietnamese letters (precomposed and combining),
# markup characters, control characters, line structure, and fragments the rules look for.
_PIECES = (
    list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàáảãạềếểễệòóỏõọùúủũụỳýỷỹỵ")
    + list("*#|<>\\-_.,;:!?()“”\"'&/%0123456789IVX \n\t\r\u00a0\u200b\u00ad\u2028")
    + ["\u0300", "\u0301", "\u0309", "\u0303", "\u0323", "\x00", "\x07", "\x1b", "\x85"]
    + ["&amp;", "&nbsp;", "<b>", "</b>", "<br>", "**", "\\*", "## ", "---", "| ", "Uỷ ", "hoá ", "phân đấu ",
       "\n\n", "1. ", "1.1. ", "a) ", "- ", "+ ", "II. ", "Kính gửi: ", "Nơi nhận:\n", "TP. ", "T/M ",
       "CV Số: 066\n", "ĐẾN Ngày: 1/2/2023\n", "Chuyển: ", " *Tiến*", "Ban Dân vận ", "chủ trì. ",
       "Căn cứ ", "Trang chủ > ", "File đính kèm:\n", "44-KL/TW ", "KẾ HOẠCH\n"]
)
TEXTS = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80),
    st.lists(st.sampled_from(_PIECES), max_size=60).map("".join),
)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- cleanup

@SETTINGS
@given(TEXTS)
@example("**1.** Ban  Dân vận\n\nchủ trì. *Tiến*\nVăn hoá &amp; <b>Uỷ ban</b>")
@example("\r\n\r\n\u00a0")
@example("a\u0300\u0301\u0323")
def test_properties_clean_never_crashes_and_returns_text(raw):
    r = clean(raw)
    assert isinstance(r.text, str)
    for e in r.edits:
        assert e.rule and 0 <= e.start <= e.end <= len(raw)


@SETTINGS
@given(TEXTS)
@example("3. Tổ chức thực hiện\nCác huyện ủy xây dựng kế hoạch.")
@example("HỘI CHỮ THẬP ĐỎ\nCV Số: 066\nĐẾN Ngày: 1/2/2023\nChuyển: x\n\nBan Dân vận chủ trì.")
def test_properties_clean_is_idempotent(raw):
    once = clean(raw).text
    assert clean(once).text == once


@SETTINGS
@given(TEXTS)
@example("**Ban**  Dân\u00a0vận.  *Tiến*\n\n\n")
def test_properties_offset_map_in_bounds_and_monotonic(raw):
    r = clean(raw)
    om = r.offset_map
    starts = [om.to_raw(i) for i in range(len(r.text) + 1)]
    ends = [om.to_raw(i, end=True) for i in range(len(r.text) + 1)]
    for seq in (starts, ends):
        assert all(0 <= v <= len(raw) for v in seq)
        assert all(a <= b for a, b in zip(seq, seq[1:]))
    # a non-empty clean span [s, e) maps to a raw span that is not reversed
    assert all(s <= e for s, e in zip(starts, ends[1:]))
    if r.text:
        assert ends[-1] <= len(raw)


VIETNAMESE_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@SETTINGS
@given(VIETNAMESE_TEXTS)
@example("Ban\u00a0\u00a0Dân\tvận\r\n\r\n\r\n\r\nchủ tri\u0300.  ")
def test_properties_clean_output_is_normalised(raw):
    text = clean(raw).text
    for bad in ("\r", "\t", "\u00a0", "\u200b", "\u00ad", "  ", "\n\n\n"):
        assert bad not in text
    assert text == text.strip()
    assert unicodedata.is_normalized("NFC", text)


# --------------------------------------------------------------------------- candidates

@SETTINGS
@given(TEXTS)
@example("Kính gửi:\n- Sở Y tế.\n1. Ban Dân vận chủ trì. TP. Vinh phối hợp.\nNơi nhận:\n- Lưu.")
@example("1.\n\n\n a)  \n-\n+ .")
def test_properties_candidates_valid_sorted_non_overlapping(text):
    cands = splitting.candidates(text)
    prev_end = 0
    for c in cands:
        assert isinstance(c.context, TaskContext)
        assert len(c.text.split()) >= splitting.MIN_WORDS
        assert 0 <= c.start < c.end <= len(text)
        assert text[c.start:c.end] == c.text
        assert c.text == c.text.strip()
        assert c.start >= prev_end
        prev_end = c.end
        assert isinstance(splitting.rule_is_task(c), bool)
