"""report.html in a real headless browser (Debian's Chromium via Selenium): it loads without network, shows
Vietnamese names and a legend, fits the screen, filters, answers "what did the provinces assign to the
Fatherland Front?" in two clicks, and holds 220 documents. A missing Chromium fails these tests (see
tests/browser.py): it is installed by .ci/run.

The documents are written here from hand-written sentences (no real document text).
"""

from __future__ import annotations

import json
from contextlib import nullcontext
import random
import re
import time
from pathlib import Path

import pytest

from pipeline.compare import compare
from pipeline.labels import LabelInfo
from pipeline.output import Writers
from pipeline.report import write_report

from browser import chromium

ISSUERS = [("Ủy ban nhân dân tỉnh An Bình", "kế hoạch"), ("Ban Thường vụ Tỉnh ủy An Bình", "chỉ thị"),
           ("Ủy ban nhân dân huyện Đông Hòa", "công văn"), ("Ủy ban nhân dân xã Tân Lập", "kế hoạch"),
           ("Thủ tướng Chính phủ", "công điện"), ("Ủy ban nhân dân tỉnh Bình Sơn", "kế hoạch")]
SENTENCES = [
    ("Tổ chức tuyên truyền sâu rộng về ý nghĩa của phong trào hiến máu tình nguyện", ["tuyen_truyen", "hien_mau"]),
    ("Vận động đoàn viên, hội viên tham gia ủng hộ quỹ vì người nghèo", ["phong_trao_van_dong", "tro_giup_nhan_dao"]),
    ("Kiểm tra, giám sát việc thực hiện chính sách hỗ trợ hộ nghèo", ["kiem_tra_giam_sat", "tro_giup_nhan_dao"]),
    ("Bố trí kinh phí cho công tác phòng, chống thiên tai", ["nguon_luc_tai_chinh", "thien_tai_dich_benh"]),
    ("Tập huấn kỹ năng sơ cấp cứu cho tình nguyện viên", ["dao_tao_boi_duong", "cham_soc_suc_khoe"]),
    ("Báo cáo kết quả thực hiện về cơ quan thường trực trước ngày 15 hằng tháng", ["kiem_tra_giam_sat"]),
    ("Đẩy mạnh ứng dụng công nghệ thông tin trong giải quyết thủ tục hành chính", ["chuyen_doi_so",
                                                                                 "cai_cach_hanh_chinh"]),
]
AGENCIES = [("so_ban_nganh", "Sở Y tế"), ("mttq_doan_the", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
            ("chinh_quyen", "Ủy ban nhân dân các huyện"), ("hoi_chu_thap_do", "Hội Chữ thập đỏ tỉnh"),
            ("cap_uy", "các cấp ủy, tổ chức đảng"), ("luc_luong_vu_trang", "Công an tỉnh")]


def make_docs(n: int = 220, seed: int = 7) -> list[dict]:
    rnd = random.Random(seed)
    docs = []
    for i in range(n):
        issuer, kind = ISSUERS[i % len(ISSUERS)]
        number = f"{i + 1}/KH-UBND"
        text, tasks = "", []
        for k in range(rnd.randint(3, 40)):
            sent, themes = SENTENCES[rnd.randrange(len(SENTENCES))]
            lead = AGENCIES[rnd.randrange(len(AGENCIES))]
            explicit = rnd.random() < 0.6
            body = f"{lead[1]} {sent[0].lower()}{sent[1:]} (lần {k + 1})." if explicit else f"{sent} (lần {k + 1})."
            start = len(text)
            text += body + "\n"
            ags = [{"id": lead[0], "name": lead[1], "role": "lead", "explicit": explicit,
                    "score": round(rnd.uniform(0.5, 1), 2), "source": "text" if explicit else "heading"}]
            if rnd.random() < 0.3:
                sup = AGENCIES[rnd.randrange(len(AGENCIES))]
                if sup[0] != lead[0]:
                    ags.append({"id": sup[0], "name": sup[1], "role": "support", "explicit": True, "score": 0.8,
                                "source": "text"})
            tasks.append({"id": k, "text": body, "start": start, "end": start + len(body), "section": str(k + 1),
                          "words": body, "score": round(rnd.uniform(0.6, 1), 2), "agencies": ags,
                          "themes": [{"id": t, "score": round(rnd.uniform(0.3, 1), 2)} for t in themes]})
        docs.append({"doc_id": f"vb{i:03d}", "source": f"vb{i:03d}.txt", "sha256": f"{i:064d}", "clean_text": text,
                     "meta": {"number": number, "type": kind, "issuer": issuer, "place": None,
                              "date": f"2025-{1 + i % 12:02d}-{1 + i % 27:02d}", "signer": None},
                     "tasks": tasks, "errors": []})
    return docs


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    docs = make_docs()
    # one central conclusion and a provincial plan that takes up two of its tasks and cites it
    central = {"doc_id": "kl44", "source": "kl44.txt", "sha256": "c" * 64, "errors": [],
               "meta": {"number": "44-KL/TW", "type": "kết luận", "issuer": "Ban Bí thư", "date": "2022-11-14"},
               "clean_text": "", "tasks": []}
    local = {"doc_id": "kh178", "source": "kh178.txt", "sha256": "d" * 64, "errors": [],
             "meta": {"number": "178-KH/TU", "type": "kế hoạch", "issuer": "Ban Thường vụ Tỉnh ủy Hòa Lạc",
                      "date": "2023-02-20"}, "clean_text": "Thực hiện Kết luận số 44-KL/TW của Ban Bí thư.", "tasks": []}
    pairs = [("Các cấp ủy đảng tăng cường lãnh đạo công tác chữ thập đỏ trong tình hình mới.",
              "Các cấp ủy đảng trong tỉnh tăng cường lãnh đạo công tác chữ thập đỏ trong tình hình mới."),
             ("Kiện toàn tổ chức Hội Chữ thập đỏ các cấp vững mạnh.",
              "Kiện toàn tổ chức Hội Chữ thập đỏ các cấp trong tỉnh vững mạnh.")]
    for k, (a, b) in enumerate(pairs):
        for doc, t in ((central, a), (local, b)):
            doc["tasks"].append({"id": k, "text": t, "start": 0, "end": len(t), "section": str(k + 1), "words": t,
                                 "score": 0.9, "agencies": [{"id": "cap_uy", "name": "Các cấp ủy đảng", "role": "lead",
                                                             "explicit": True, "score": 0.9, "source": "text"}],
                                 "themes": [{"id": "kien_toan_to_chuc", "score": 0.8}]})
    docs += [central, local]
    info = LabelInfo.default(meta={"uncertain_below": {"theme": 0.4}})
    Writers(out, info).write(docs)
    write_report(out / "tasks.jsonl", out / "report.html", info=info)
    compare(out, info=info)
    return out, docs


@pytest.fixture(scope="module")
def page():
    """One headless Chromium for the module's tests (1400 × 900)."""
    with chromium(1400, 900) as d:
        yield d


def _wait(driver, cond, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        v = driver.execute_script(cond)
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {cond}")


def _open(driver, path, hash_=""):
    driver.get(path.as_uri() + hash_)
    _wait(driver, "return document.body.dataset.ready === '1'")


def _shown_tasks(driver):
    return driver.execute_script("""return [...document.querySelectorAll('#results .task')].map(t => ({
        chips: [...t.querySelectorAll('.chip')].map(c => [c.className, c.textContent]),
        doc: t.closest('.doc').querySelector('.dm').textContent, text: t.textContent}))""")


def test_report_is_self_contained_and_vietnamese(report):
    out, _ = report
    html = (out / "report.html").read_text("utf-8")
    assert "<html lang=\"vi\">" in html
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)      # nothing fetched at view time
    assert not re.search(r"@import|url\(\s*['\"]?https?:", html)
    for heading in ("Tổng quan", "Cơ quan chủ trì × chủ đề", "Chú giải", "Ai giao cho ai"):
        assert heading in html
    assert "Tasks in" not in html and "Lead agency" not in html


def test_report_overview_fits_the_screen_with_names_and_legend(report, page, tmp_path):
    out, _ = report
    with nullcontext(page) as d:
        _open(d, out / "report.html")
        assert d.execute_script("return document.documentElement.scrollWidth") <= 1400
        heads = d.execute_script("return [...document.querySelectorAll('#matrix th.row')].map(x => x.textContent)")
        assert "Mặt trận Tổ quốc, đoàn thể" in heads and "mttq_doan_the" not in heads
        legend = d.find_element("id", "legend").text
        assert "Chủ trì" in legend and "Phối hợp" in legend and "kế thừa" in legend and "cần xem lại" in legend
        shot = tmp_path / "overview.png"
        d.save_screenshot(str(shot))
    _check_screenshot(shot, 1400)


def _check_screenshot(path: Path, width: int) -> None:
    from PIL import Image

    img = Image.open(path).convert("RGB")
    assert img.size[0] == width
    colours = img.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50                                         # not a blank page
    assert img.getpixel((5, 5))[2] > img.getpixel((5, 5))[0]          # the dark blue header is there


def test_report_two_clicks_provinces_to_the_fatherland_front(report, page):
    out, docs = report
    expected = sum(1 for d in docs if d["meta"]["issuer"] in ("Ủy ban nhân dân tỉnh An Bình",
                                                              "Ban Thường vụ Tỉnh ủy An Bình",
                                                              "Ủy ban nhân dân tỉnh Bình Sơn")
                   for t in d["tasks"] if any(a["id"] == "mttq_doan_the" and a["role"] == "lead" for a in t["agencies"]))
    with nullcontext(page) as d:
        _open(d, out / "report.html")
        d.find_element("link text", "Cơ quan").click()                                       # click 1
        _wait(d, "return document.getElementById('app').dataset.view === 'agencies'")
        row = d.find_element("xpath", "//table[@id='agency-table']//tr[.//b[text()='Mặt trận Tổ quốc, đoàn thể']]")
        row.find_element("link text", "Cấp tỉnh").click()                                   # click 2
        _wait(d, "return document.getElementById('app').dataset.view === 'tasks'")
        count = d.find_element("id", "count").text
        assert count.startswith(f"{expected} nhiệm vụ")
        shown = _shown_tasks(d)
        assert shown and all(any("lead" in c[0] and c[1].startswith("Mặt trận Tổ quốc") for c in t["chips"])
                             for t in shown)
        assert all("Cấp tỉnh" in t["doc"] for t in shown)
        # the overview's issuer level × agency table gets there in one
        _open(d, out / "report.html")
        d.find_element("css selector", "#levels a[title^='Cấp tỉnh giao cho Mặt trận']").click()
        _wait(d, "return document.getElementById('app').dataset.view === 'tasks'")
        assert d.find_element("id", "count").text.startswith(f"{expected} nhiệm vụ")


def test_report_filters_search_and_confidence(report, page):
    from selenium.webdriver.support.ui import Select

    out, docs = report
    with nullcontext(page) as d:
        _open(d, out / "report.html", "#/tasks")
        total = sum(len(x["tasks"]) for x in docs)
        assert d.find_element("id", "count").text.startswith(f"{total} nhiệm vụ")
        Select(d.find_element("name", "theme")).select_by_value("hien_mau")
        _wait(d, "return location.hash.includes('theme=hien_mau')")
        n_theme = sum(1 for x in docs for t in x["tasks"] if any(th["id"] == "hien_mau" for th in t["themes"]))
        assert d.find_element("id", "count").text.startswith(f"{n_theme} nhiệm vụ")
        assert all(any(c[1].startswith("Hiến máu, hiến mô tạng") for c in t["chips"]) for t in _shown_tasks(d))
        Select(d.find_element("name", "type")).select_by_value("công điện")
        _wait(d, "return location.hash.includes('type=')")
        assert all("Thủ tướng Chính phủ" in t["doc"] for t in _shown_tasks(d))
        d.find_element("id", "reset").click()
        _wait(d, "return !location.hash.includes('theme=')")
        box = d.find_element("name", "q")
        box.send_keys("quy vi nguoi ngheo")                       # without diacritics finds "quỹ vì người nghèo"
        _wait(d, "return location.hash.includes('q=')")
        shown = _shown_tasks(d)
        assert shown and all("quỹ vì người nghèo" in t["text"] for t in shown)
        d.find_element("id", "reset").click()
        _wait(d, "return !location.hash.includes('q=')")
        Select(d.find_element("name", "conf")).select_by_value("unc")
        _wait(d, "return location.hash.includes('conf=unc')")
        shown = _shown_tasks(d)
        assert shown and all(any("unc-flag" in c[0] for c in t["chips"]) for t in shown)
        n_unc = sum(1 for x in docs for t in x["tasks"] if any(th["score"] < 0.4 for th in t["themes"]))
        assert d.find_element("id", "count").text.startswith(f"{n_unc} nhiệm vụ")


def test_report_cell_links_theme_and_agency_pages(report, page):
    out, _ = report
    with nullcontext(page) as d:
        _open(d, out / "report.html")
        cell = d.find_element("css selector", "#matrix td a[href*='agency=hoi_chu_thap_do'][href*='theme=hien_mau']")
        n = int(cell.text)
        cell.click()
        _wait(d, "return document.getElementById('app').dataset.view === 'tasks'")
        assert d.find_element("id", "count").text.startswith(f"{n} nhiệm vụ")
        _open(d, out / "report.html", "#/theme/hien_mau")
        assert d.find_element("css selector", "#app h2").text == "Hiến máu, hiến mô tạng"
        _open(d, out / "report.html", "#/docs")
        assert d.find_element("css selector", "#doc-table").text.count("Kế hoạch số") >= 100


def test_report_compare_view_shows_tasks_taken_up_side_by_side(report, page):
    out, _ = report
    data = json.loads((out / "compare.json").read_text("utf-8"))
    link = next(x for x in data["links"] if x["source"] == "kl44")
    assert link["target"] == "kh178" and link["cites"] and len(link["matches"]) == 2
    import pandas as pd

    pairs = pd.read_csv(out / "compare_tasks.csv", encoding="utf-8-sig")
    taken = pairs[(pairs["source_doc"] == "kl44") & (pairs["target_doc"] == "kh178")]
    assert len(taken) == 2 and taken["target_cites_source"].all() and (taken["similarity"] >= 0.5).all()
    assert taken["source_text"].str.startswith("Kiện toàn").any() and taken["target_text"].str.contains("trong tỉnh").all()
    issuers = pd.read_csv(out / "compare_issuers.csv", encoding="utf-8-sig")
    row = issuers[(issuers["issuer"] == "Ban Bí thư") & (issuers["agency_id"] == "cap_uy")]
    assert row[["agency", "theme", "tasks", "documents"]].values.tolist() == [["Cấp ủy, tổ chức đảng", "Kiện toàn tổ chức",
                                                                               2, 1]]
    with nullcontext(page) as d:
        _open(d, out / "report.html", "#/compare")
        first = d.find_element("css selector", "#links details")
        first.click()
        pairs = d.execute_script("""return [...document.querySelectorAll('#links details')[0].querySelectorAll('.pair')]
            .map(p => [...p.querySelectorAll('.task')].map(t => t.textContent))""")
        assert len(pairs) == 2 and "Kiện toàn tổ chức Hội Chữ thập đỏ các cấp vững mạnh" in pairs[1][0]
        assert "trong tỉnh vững mạnh" in pairs[1][1]
        assert "Kết luận số 44-KL/TW" in first.text and "trích dẫn" in first.text


def test_report_holds_220_documents_quickly(report, page):
    out, docs = report
    assert len(docs) >= 200
    with nullcontext(page) as d:
        t0 = time.time()
        _open(d, out / "report.html", "#/tasks")
        assert time.time() - t0 < 5
        assert len(_shown_tasks(d)) == 100                         # a page at a time, "Xem thêm" for the rest
        d.find_element("id", "more").click()
        _wait(d, "return document.querySelectorAll('#results .task').length === 200")
