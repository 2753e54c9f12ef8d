"""Documents as they arrive: Word, PDF and scans through the reading stage, pages, layout noise, diacritics.

Tests marked ``ocr`` need Tesseract with its Vietnamese model (install.sh installs it): they FAIL
when it is missing, they do not skip. Tests on the real files read them at test time from
``$VANBAN_REALFILES`` or ``../shared/realfiles`` beside the checkout and skip, saying so, where that
folder is absent; no text of them is in this repository.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import diacritics, reading
from pipeline.cleanup import clean
from pipeline.corpus import read_source
from pipeline.errors import InputError
from pipeline.evaluation.metrics import cer, normalize_ws
from pipeline.reading import base, ocr, pdf, word

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def _real_dir(env: str, name: str) -> Path:
    return Path(os.environ.get(env) or ROOT.parent / "shared" / name)


@pytest.fixture(scope="module")
def realfiles() -> Path:
    d = _real_dir("VANBAN_REALFILES", "realfiles")
    if not (d / "manifest.jsonl").exists():
        pytest.skip(f"the real files are not on this machine ({d}); set VANBAN_REALFILES to run these tests")
    return d


@pytest.fixture(scope="module")
def nlp():
    import pipeline

    return pipeline.load()


@pytest.fixture(scope="module")
def scan_text() -> str:
    """The sample scan OCR'd once for the module (fails, not skips, without Tesseract)."""
    return reading.read(SAMPLES / "g8_01_scan.png").text


def _docx_bytes(build) -> bytes:
    import docx

    d = docx.Document()
    build(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- Word

def _letterhead_doc(d) -> None:
    from docx.enum.text import WD_BREAK

    t = d.add_table(rows=1, cols=2)
    t.rows[0].cells[0].paragraphs[0].text = "ỦY BAN NHÂN DÂN"
    t.rows[0].cells[0].add_paragraph("XÃ HÒA AN")
    t.rows[0].cells[1].paragraphs[0].text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    t.rows[0].cells[1].add_paragraph("Hòa An, ngày 5 tháng 3 năm 2024")
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("Sở Y tế chủ trì tổ chức tiêm chủng.", style="List Number")
    d.add_paragraph("Đoàn Thanh niên phối hợp tuyên truyền.", style="List Number")
    d.add_paragraph("tại các thôn", style="List Bullet")
    inner = d.add_table(rows=2, cols=2)
    for r, (a, b) in enumerate([("Nhiệm vụ", "Chủ trì"), ("Kiểm tra", "Văn phòng")]):
        inner.rows[r].cells[0].text, inner.rows[r].cells[1].text = a, b
    p = d.add_paragraph("Trang một kết thúc.")
    p.add_run().add_break(WD_BREAK.PAGE)
    p.add_run("Trang hai")
    d.add_paragraph("Hội Chữ thập đỏ báo cáo kết quả.")


def test_docx_reading_order_lists_tables_and_pages():
    ext = word.read_docx(_docx_bytes(_letterhead_doc))
    assert ext.text.split("\n") == [
        "ỦY BAN NHÂN DÂN", "XÃ HÒA AN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Hòa An, ngày 5 tháng 3 năm 2024",
        "KẾ HOẠCH", "1. Sở Y tế chủ trì tổ chức tiêm chủng.", "2. Đoàn Thanh niên phối hợp tuyên truyền.",
        "- tại các thôn", "Nhiệm vụ", "Chủ trì", "Kiểm tra", "Văn phòng", "Trang một kết thúc.Trang hai",
        "Hội Chữ thập đỏ báo cáo kết quả."]
    assert len(ext.pages) == 2 and ext.text[ext.pages[1]:].startswith("Trang hai")


def test_docx_damaged_or_encrypted_is_an_input_error():
    with pytest.raises(InputError, match="not a readable .docx"):
        word.read_docx(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="password-protected"):
        word.read_docx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)


def test_doc_is_converted_by_libreoffice(tmp_path):
    """A legacy .doc (made from the sample .docx by LibreOffice) reads as the .docx does."""
    src = tmp_path / "g5_01.docx"
    shutil.copyfile(SAMPLES / "g5_01.docx", src)
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to",
                    "doc:MS Word 97", "--outdir", str(tmp_path / "doc"), str(src)], check=True, capture_output=True,
                   timeout=180)
    ext = reading.read(tmp_path / "doc" / "g5_01.doc")
    assert ext.encoding == "doc via LibreOffice"
    assert normalize_ws(ext.text) == normalize_ws(reading.read(src).text)


def test_doc_without_libreoffice_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(base.shutil, "which", lambda name: None)
    p = tmp_path / "old.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(InputError, match="apt-get install libreoffice-writer-nogui"):
        reading.read(p)


# --------------------------------------------------------------------------- PDF

def test_pdf_text_layer_page_by_page():
    ext = reading.read(SAMPLES / "g6_01.pdf")
    assert ext.encoding == "pdf text layer"
    pages = ext.text.split(base.PAGE_BREAK)
    assert len(pages) == len(ext.pages) == 4 and all(p.strip() for p in pages)
    assert [ext.text[s:].split(base.PAGE_BREAK)[0] for s in ext.pages] == pages
    gold = read_source(ROOT / "corpus" / "src" / "g6_01.txt").text
    assert cer(ext.text.replace(base.PAGE_BREAK, " "), gold) < 0.02


@pytest.mark.parametrize("text,image,kind", [
    ("", True, "scan"),
    ("", False, "blank"),
    ("Quy ®Þnh vÒ viÖc thùc hiÖn chÕ ®é b¸o c¸o ®Þnh kú cña c¸c c¬ quan hµnh chÝnh nhµ n­íc", False, "garbage"),
    ("Ủy ban nhân dân tỉnh chỉ đạo các sở, ngành triển khai thực hiện kế hoạch", False, "text"),
], ids=["scan", "blank", "tcvn3-garbage", "text"])
def test_pdf_page_judged_by_its_text_layer(text, image, kind):
    assert pdf.judge(text, image) == kind


def test_encrypted_pdf_is_a_per_file_error_saying_what_to_do(tmp_path):
    pypdf = pytest.importorskip("pypdf", reason="pypdf (a test dependency) makes the encrypted PDF")
    w = pypdf.PdfWriter(clone_from=str(SAMPLES / "g6_01.pdf"))
    w.encrypt(user_password="mat-khau", owner_password="mat-khau")
    p = tmp_path / "locked.pdf"
    with open(p, "wb") as fh:
        w.write(fh)
    with pytest.raises(InputError, match="encrypted PDF.*password"):
        reading.read(p)


# --------------------------------------------------------------------------- OCR

@pytest.mark.ocr
def test_tesseract_with_vietnamese_is_installed():
    assert Path(ocr.check()).exists()


@pytest.mark.ocr
def test_scanned_page_image_is_ocrd(scan_text):
    gold = read_source(ROOT / "corpus" / "src" / "g8_01.txt").text
    words = normalize_ws(scan_text).split()
    assert len(words) > 250
    known = set(normalize_ws(gold).split())
    assert sum(w in known for w in words) / len(words) > 0.9
    assert "Kết luận số 44-KL/TW" in scan_text


@pytest.mark.ocr
def test_scanned_pdf_without_text_layer_is_ocrd(tmp_path):
    from PIL import Image

    img = Image.open(SAMPLES / "g8_01_scan.png")
    p = tmp_path / "scan.pdf"
    img.save(p, "PDF", resolution=200)
    ext = reading.read(p)
    assert ext.encoding == "ocr (tesseract vie)" and "pages OCR'd: 1" in " ".join(ext.notes)
    assert "Kết luận số 44-KL/TW" in ext.text


def test_missing_ocr_engine_is_a_per_file_error_and_the_batch_goes_on(tmp_path, monkeypatch, nlp):
    from pipeline import batch

    docs = tmp_path / "in"
    docs.mkdir()
    shutil.copyfile(SAMPLES / "g3_01.txt", docs / "a.txt")
    shutil.copyfile(SAMPLES / "g8_01_scan.png", docs / "b_scan.png")
    real_which = shutil.which
    monkeypatch.setattr(base.shutil, "which", lambda name: None if name == "tesseract" else real_which(name))
    ocr._engine.cache_clear()
    try:
        res = batch.run(nlp, docs, tmp_path / "out", quiet=True, report=False)
    finally:
        ocr._engine.cache_clear()
    assert res.errors == 1 and res.documents == 2
    out = [json.loads(line) for line in (tmp_path / "out" / "tasks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert out[0]["tasks"] and not out[0]["errors"]
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in out[1]["errors"][0] and not out[1]["tasks"]


# --------------------------------------------------------------------------- batch and pages

@pytest.mark.ocr
def test_batch_annotates_every_format_and_keeps_pages(tmp_path, nlp):
    from pipeline import batch

    docs = tmp_path / "in"
    docs.mkdir()
    for name in ("g5_01.docx", "g6_01.pdf", "g8_01_scan.png", "g3_01.txt"):
        shutil.copyfile(SAMPLES / name, docs / name)
    res = batch.run(nlp, docs, tmp_path / "out", quiet=True, report=False)
    assert res.errors == 0 and res.documents == 4
    out = {d["source"]: d for d in map(json.loads, (tmp_path / "out" / "tasks.jsonl").read_text(encoding="utf-8").splitlines())}
    assert all(len(d["tasks"]) >= 3 for d in out.values()), {k: len(d["tasks"]) for k, d in out.items()}
    ext = reading.read(docs / "g6_01.pdf")
    page_texts = [normalize_ws(p) for p in ext.text.split(base.PAGE_BREAK)]
    pages = [t["page"] for t in out["g6_01.pdf"]["tasks"]]
    assert pages == sorted(pages) and len(set(pages)) >= 3
    for t in out["g6_01.pdf"]["tasks"]:
        head = " ".join(normalize_ws(t["text"]).split()[:4])
        assert head in page_texts[t["page"] - 1], (t["page"], head)     # the page its first words are on
    assert {t["page"] for t in out["g3_01.txt"]["tasks"]} == {1}
    with open(tmp_path / "out" / "tasks.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["page"] for r in rows if r["source"] == "g6_01.pdf"} == {str(p) for p in pages}


def test_page_of_maps_raw_offsets_to_pages():
    text, starts = reading.join_pages(["một", "hai hai", "ba"])
    assert text == "một\fhai hai\fba" and starts == [0, 4, 12]
    assert [reading.page_of(starts, i) for i in (0, 3, 4, 11, 12, 13)] == [1, 1, 2, 2, 3, 3]
    assert reading.split_pages(text) == starts


# --------------------------------------------------------------------------- layout noise

def _assert_log_exact(raw: str, res) -> None:
    for e in res.edits:
        if e.start == e.end:
            assert e.before == ""
    # every clean character outside an edit maps back to the same raw character
    for i, ch in enumerate(res.text):
        j = res.offset_map.to_raw(i)
        if j < len(raw) and raw[j] == ch:
            continue
        assert any(e.start <= j <= e.end for e in res.edits), (i, ch)


PAGED = ("CÔNG BÁO/Số 12/Ngày 05-3-2024\nỦy ban nhân dân tỉnh chỉ đạo các sở, ngành phối hợp với\n- 1 -"
         "\fCÔNG BÁO/Số 12/Ngày 05-3-2024\ncác địa phương tổ chức tiêm chủng cho trẻ em.\nSở Y tế chủ trì thực hiện.\n- 2 -"
         "\fCÔNG BÁO/Số 12/Ngày 05-3-2024\nĐoàn Thanh niên tuyên truyền.\n- 3 -")


def test_page_numbers_and_running_headers_removed_and_pages_joined():
    res = clean(PAGED)
    assert res.text == ("Ủy ban nhân dân tỉnh chỉ đạo các sở, ngành phối hợp với các địa phương tổ chức tiêm chủng "
                        "cho trẻ em.\nSở Y tế chủ trì thực hiện.\n\nĐoàn Thanh niên tuyên truyền.")
    assert {e.rule for e in res.edits} >= {"page_layout"}
    _assert_log_exact(PAGED, res)
    # the offset map still finds each sentence's page
    for sent, page in (("các địa phương", 2), ("Đoàn Thanh niên", 3)):
        raw = res.offset_map.to_raw(res.text.index(sent))
        assert reading.page_of(reading.split_pages(PAGED), raw) == page


def test_table_row_numbers_at_page_tops_are_not_page_numbers():
    text = "1\nSở Y tế báo cáo.\f5\nSở Tài chính báo cáo.\f9\nSở Nội vụ báo cáo."
    assert clean(text).text == "1 Sở Y tế báo cáo.\n5 Sở Tài chính báo cáo.\n9 Sở Nội vụ báo cáo."


OCR_HEAD = ("Đ/c Hùng fñ€— \"\nTỈNH ỦY HÒA BÌNH ĐẢNG CỘNG SẢN VIỆT NAM\nW Hòa Bình, ngày 20 tháng 02 năm 2023\n"
            "Số: 112-KH/TU Hòa Bình, ngày 20 tháng 02 năm 2023\n| - KẾ HOẠCH\nthực hiện công tác nhân đạo\n"
            "_ Ban Thường vụ Tỉnh ủy ban hành kế hoạch tổ.\nchức thực hiện như sau:\nƯ€ ©® |~ ¥\n"
            "1. Hội Chữ thập đỏ chủ trì triển khai.\n½ ngày\nQT-09\n")


def test_scan_layout_noise_letterhead_marks_junk_and_notes():
    res = clean(OCR_HEAD)
    assert res.text.split("\n") == [
        "TỈNH ỦY HÒA BÌNH", "ĐẢNG CỘNG SẢN VIỆT NAM", "Hòa Bình, ngày 20 tháng 02 năm 2023", "Số: 112-KH/TU",
        "Hòa Bình, ngày 20 tháng 02 năm 2023", "KẾ HOẠCH",
        "thực hiện công tác nhân đạo", "Ban Thường vụ Tỉnh ủy ban hành kế hoạch tổ chức thực hiện như sau:",
        "1. Hội Chữ thập đỏ chủ trì triển khai.", "½ ngày", "QT-09"]
    assert {"letterhead_columns", "ocr_junk", "ocr_marks"} <= {e.rule for e in res.edits}
    _assert_log_exact(OCR_HEAD, res)
    assert clean(res.text).text == res.text                      # idempotent


def test_lost_recipients_header_is_put_back():
    body = "Điều 3. Các sở, ngành chịu trách nhiệm thi hành Quyết định này.\n" * 4
    lst = "- Ban Bí thư Trung ương Đảng;\n- Thủ tướng Chính phủ;\n- Văn phòng Quốc hội;\n- Lưu: VT, KGVX.\n"
    res = clean(body + "_NiniẬm CC\n" + lst)
    assert "Nơi nhận:\n- Ban Bí thư Trung ương Đảng;" in res.text
    assert [e.rule for e in res.edits if e.after == "Nơi nhận:\n"] == ["recipients"]
    assert "recipients" not in {e.rule for e in clean(body + "Nơi nhận:\n" + lst).edits}
    tasks = "- Sở Y tế chủ trì tổ chức tiêm chủng cho trẻ em tại các trạm y tế xã trên địa bàn tỉnh;\n" * 3
    assert "recipients" not in {e.rule for e in clean(body + tasks).edits}   # long items are body bullets


# --------------------------------------------------------------------------- diacritics

def test_diacritics_fix_real_word_errors_in_the_edit_log():
    raw = "Sửa đối, bố sung một số điều.\nPhân đấu đạt chỉ tiêu câp tỉnh; trợ cấp hăng tháng."
    res = clean(raw)
    assert res.text == "Sửa đổi, bổ sung một số điều.\nPhấn đấu đạt chỉ tiêu cấp tỉnh; trợ cấp hằng tháng."
    fixes = [(e.before, e.after) for e in res.edits if e.rule == "diacritics"]
    assert fixes == [("đối", "đổi"), ("bố", "bổ"), ("câp", "cấp"), ("hăng", "hằng")]    # "Phân đấu": ocr_confusion
    for e in res.edits:
        if e.rule == "diacritics":
            assert raw[e.start:e.end] == e.before
    _assert_log_exact(raw, res)


def test_diacritics_by_paragraph_is_the_whole_text_rule_and_reads_a_paragraph_once():
    """The word rules run paragraph by paragraph (their decisions never look past a blank line), with the
    same replacements as over the whole text, and a paragraph seen before is not read again."""
    paragraphs = ["Sửa đối, bố sung một số điều.\nPhân đấu đạt chỉ tiêu câp tỉnh", "  trợ cấp hăng tháng cho CHÍNHPHỦ.",
                  "Hội nghị\nbố sung nhân sự."]
    text = "\n\n".join(paragraphs[:2]) + "\n \n\n" + paragraphs[2] + "\n"
    assert diacritics.rule_diacritics(text) == diacritics.corrections(text) != []
    assert diacritics.rule_word_split(text) == diacritics.splits(text) != []
    diacritics.rule_diacritics.cache_clear()
    diacritics.rule_diacritics(text)
    diacritics.rule_diacritics(text + "\nThêm một đoạn nữa.")
    info = diacritics.rule_diacritics.cache_info()
    assert (info.hits, info.misses) == (2, 5)     # the last paragraph now ends before a blank line


CORRECT = ("Vợ hoặc chồng, con chưa đủ 18 tuổi được hưởng trợ cấp. Tất cả vì nhân dân. "
           "Đồng chí Hùng chủ trì, phối hợp với các loài cây bản địa. Diện không thoát ly được hưởng phụ cấp. "
           "Hội Chữ thập đỏ chăm sóc người có công; chợ, bến xe, bệnh viện phải bảo đảm vệ sinh.")


def test_diacritics_leave_correct_syllables_alone():
    assert [e for e in clean(CORRECT).edits if e.rule == "diacritics"] == []


def test_diacritics_never_touch_the_written_corpus():
    changed = []
    for p in sorted((ROOT / "corpus" / "src").glob("*.txt")):
        changed += [(p.name, e.before, e.after) for e in clean(read_source(p).text).edits
                    if e.rule in ("diacritics", "ocr_junk", "ocr_marks", "recipients", "page_layout")]
    assert changed == []


def test_diacritics_false_corrections_on_held_out_real_documents():
    real = _real_dir("VANBAN_REALDOCS", "realdocs")
    if not real.is_dir():
        pytest.skip(f"the real documents are not on this machine ({real}); set VANBAN_REALDOCS")
    sys.path.insert(0, str(ROOT / "corpus" / "tools"))
    from build_diacritics import held_out

    n = changes = 0
    for p in sorted(real.glob("*.txt")):
        if held_out(p.name):
            text = clean(p.read_text(encoding="utf-8")).text
            n += len(text.split())
            changes += len(diacritics.corrections(text))
    assert n > 50000 and 1000 * changes / n < 0.6


# --------------------------------------------------------------------------- the real files

def test_real_docx_text_equals_its_reference(realfiles):
    refs = [json.loads(line) for line in (realfiles / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    refs = [r for r in refs if r.get("same_text_as")]
    assert len(refs) >= 6
    for r in refs:
        text = reading.read(realfiles / r["file"]).text
        ref = (realfiles.parent / r["same_text_as"]).read_text(encoding="utf-8")
        assert "".join(text.split()) == "".join(ref.split()), r["file"]


# rf16 is the decree's appendix: a table of allowance amounts, no sentence in it gives anyone work
NO_TASKS = {"rf16"}


def test_every_real_file_is_read_and_annotated(realfiles, nlp, tmp_path):
    from pipeline import batch

    t = time.time()
    res = batch.run(nlp, realfiles, tmp_path / "out", workers=2, quiet=True, report=False)
    took = time.time() - t
    out = [json.loads(line) for line in (tmp_path / "out" / "tasks.jsonl").read_text(encoding="utf-8").splitlines()]
    files = {d["doc_id"]: d for d in out if d["source"].startswith("rf")}
    assert len(files) == 17 and res.errors == 0
    for doc_id, d in files.items():
        if doc_id not in NO_TASKS:
            assert d["tasks"], doc_id
            assert all(t["page"] >= 1 for t in d["tasks"])
    pages = [t["page"] for t in sorted(files["rf17"]["tasks"], key=lambda t: t["start"])]
    assert pages == sorted(pages) and 250 < pages[-1] <= 453          # the 453-page PDF keeps its pages
    assert took < 240
