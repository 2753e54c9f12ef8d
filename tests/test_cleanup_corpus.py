"""Cleanup never harms clean text: on every clean gold text of the written corpus (corpus/labels.jsonl) each
gold task survives whole, at the place the offset map gives for it, and so does each task sentence cleaned
on its own. Web chrome goes only at a document's edges, stamps only in its header zone.

The check is on offsets, not only on text being found somewhere: a gold span (start, end) of the input is
mapped to the output with ``offset_map.to_clean`` and the output there must be the task's text, character
for character. The whole corpus (89 documents, 2,321 tasks, each also cleaned alone) takes about 10 s.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import corpus
from pipeline.cleanup import clean

ROOT = Path(__file__).resolve().parent.parent
DOCS = corpus.load(ROOT / "corpus")


def _harmed(doc) -> list[str]:
    """The gold tasks of ``doc`` that cleanup of its clean text does not keep whole where the offset map
    puts them (and the task sentences that cleaned on their own do not come out unchanged)."""
    r = clean(doc.text)
    out = []
    for t in doc.tasks:
        s = r.offset_map.to_clean(t["start"], len(r.text))
        e = r.offset_map.to_clean(t["end"], len(r.text), end=True)
        if r.text[s:e] != t["text"]:
            out.append(f"{doc.doc_id} in document: {t['text'][:70]!r} -> {r.text[s:e][:70]!r}")
        alone = clean(t["text"]).text
        if alone != t["text"]:
            out.append(f"{doc.doc_id} alone: {t['text'][:70]!r} -> {alone[:70]!r}")
    return out


def test_cleanup_keeps_every_gold_task_whole():
    assert len(DOCS) >= 89 and sum(len(d.tasks) for d in DOCS) >= 2300
    harmed = [h for d in DOCS for h in _harmed(d)]
    assert not harmed, "\n".join(harmed)


def test_cleanup_keeps_the_written_tasks_that_read_like_chrome():
    """Three gold tasks of the corpus start "Cổng thông tin điện tử …" (a web page's banner pattern)."""
    docs = [d for d in DOCS if d.doc_id in ("g2_01", "g4_03", "g6_06")]
    assert len(docs) == 3
    assert [h for d in docs for h in _harmed(d)] == []


HEADER = "UBND TỈNH QUẢNG TRỊ\nSố 12/KH-UBND\nQuảng Trị, ngày 5 tháng 3 năm 2024\nKẾ HOẠCH\nvề công tác y tế năm 2024\n"
ITEM1 = "1. Sở Y tế chủ trì tổ chức tập huấn cho cán bộ y tế cơ sở trong toàn tỉnh."
ITEM2 = "2. Sở Tài chính bố trí kinh phí thực hiện các nội dung của Kế hoạch này."
LOOKALIKES = [
    "Cổng thông tin điện tử tỉnh đăng tải toàn văn Kế hoạch này để cán bộ, nhân dân biết.",   # chrome pattern
    "Đến ngày 30/6 báo cáo kết quả.",                                                         # a stamp's first line
    "Chuyển: Sở Tài chính bố trí kinh phí.",                                                  # a stamp's body line
    "Tải về:",                                                                                # a chrome line
    "CV Số: 066",                                                                             # a stamp line
]


@pytest.mark.parametrize("line", LOOKALIKES)
def test_cleanup_chrome_and_stamps_not_removed_in_the_middle_of_the_body(line):
    raw = f"{HEADER}{ITEM1}\n{line}\n{ITEM2}\n"
    r = clean(raw)
    assert f"\n{line}\n" in r.text
    assert not {"chrome", "stamp"} & {e.rule for e in r.edits}


def test_cleanup_chrome_still_removed_at_the_edges_and_stamps_in_the_header():
    raw = (f"Trang chủ > Văn bản chỉ đạo\nLượt xem: 1532\n{HEADER}CV Số: 066\nĐẾN Ngày: 12/5/2024\nChuyển: Đến Ban\n"
           f"{ITEM1}\n{ITEM2}\nNơi nhận:\n- Như trên;\n- Lưu VT.\nFile đính kèm:\nBài viết liên quan\n© 2024 UBND tỉnh")
    text = clean(raw).text
    assert text == f"{HEADER}{ITEM1}\n{ITEM2}\nNơi nhận:\n- Như trên;\n- Lưu VT."
