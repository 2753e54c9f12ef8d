"""Review loop: export uncertain tasks for Label Studio (and CSV), import the corrections, check and train.

The documents and the Label Studio export are written here by hand (sentences of our own); the export
follows Label Studio's documented JSON export format: a list of tasks, each with ``id``, ``data``,
``annotations`` (each with ``id``, ``completed_by``, ``result`` [{``id``, ``from_name``, ``to_name``,
``type``, ``value``: {``choices``: […]}}], ``was_cancelled``, ``ground_truth``, ``created_at``,
``updated_at``, ``lead_time``) and ``predictions``.
"""

from __future__ import annotations

import csv
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipeline.cleanup import clean
from pipeline.cli import EXIT_FILE_ERRORS, EXIT_OK, main
from pipeline.output import Writers
from pipeline.review import certainty, load_reviewed
from pipeline.labels import LabelInfo

ROOT = Path(__file__).resolve().parent.parent

DOC_A = """ỦY BAN NHÂN DÂN
TỈNH AN BÌNH
Số: 12/KH-UBND
An Bình, ngày 3 tháng 4 năm 2024

KẾ HOẠCH
Tổ chức tháng hiến máu tình nguyện

1. Sở Y tế chủ trì tổ chức các điểm hiến máu tình nguyện tại trung tâm các xã.
2. Ủy ban Mặt trận Tổ quốc tỉnh vận động đoàn viên, hội viên tham gia hiến máu.
3. Thời tiết trong tháng có nhiều ngày nắng nóng kéo dài.
4. Sở Tài chính bố trí kinh phí cho các đợt hiến máu.
"""

DOC_B = """HỘI CHỮ THẬP ĐỎ
TỈNH AN BÌNH
Số: 5/HD-CTĐ

HƯỚNG DẪN
1. Hội Chữ thập đỏ các huyện tổ chức tập huấn sơ cấp cứu cho tình nguyện viên.
2. Các cơ sở hội báo cáo kết quả trước ngày 30 tháng 6.
"""


def _task(text, clean_text, tid, lead, themes, score=0.9, lead_score=0.9, theme_score=0.9, support=(),
          explicit=True, source="text"):
    s = clean_text.index(text)
    ags = [{"id": a, "name": a, "role": "lead", "explicit": explicit, "score": lead_score, "source": source}
           for a in lead]
    ags += [{"id": a, "name": a, "role": "support", "explicit": True, "score": 0.8, "source": "text"} for a in support]
    return {"id": tid, "text": text, "start": s, "end": s + len(text), "section": str(tid + 1), "words": text,
            "score": score, "agencies": ags, "themes": [{"id": t, "score": theme_score} for t in themes]}


@pytest.fixture()
def annotated(tmp_path):
    """An input folder with two hand-written documents and an output folder annotated 'by the pipeline'."""
    import hashlib

    inp = tmp_path / "in"
    inp.mkdir()
    docs = []
    for name, raw in (("a", DOC_A), ("b", DOC_B)):
        data = raw.encode("utf-8")
        (inp / f"{name}.txt").write_bytes(data)
        ct = clean(raw).text
        docs.append({"doc_id": name, "source": f"{name}.txt", "sha256": hashlib.sha256(data).hexdigest(),
                     "meta": {"number": None, "type": "kế hoạch", "issuer": "Ủy ban nhân dân tỉnh An Bình"},
                     "clean_text": ct, "tasks": [], "errors": []})
    a, b = docs[0]["clean_text"], docs[1]["clean_text"]
    docs[0]["tasks"] = [
        _task("Sở Y tế chủ trì tổ chức các điểm hiến máu tình nguyện tại trung tâm các xã.", a, 0, ["so_ban_nganh"],
              ["hien_mau"], score=0.99, lead_score=0.98, theme_score=0.97),
        _task("Ủy ban Mặt trận Tổ quốc tỉnh vận động đoàn viên, hội viên tham gia hiến máu.", a, 1, ["so_ban_nganh"],
              ["hien_mau"], lead_score=0.41),                                  # wrong lead, low score
        _task("Thời tiết trong tháng có nhiều ngày nắng nóng kéo dài.", a, 2, ["chinh_quyen"], ["khac"],
              score=0.52),                                                     # not a task at all
        _task("Sở Tài chính bố trí kinh phí cho các đợt hiến máu.", a, 3, ["so_ban_nganh"], ["nguon_luc_tai_chinh"],
              score=0.97, lead_score=0.95, theme_score=0.93)]
    docs[1]["tasks"] = [
        _task("Hội Chữ thập đỏ các huyện tổ chức tập huấn sơ cấp cứu cho tình nguyện viên.", b, 0, ["hoi_chu_thap_do"],
              ["dao_tao_boi_duong"], theme_score=0.45),
        _task("Các cơ sở hội báo cáo kết quả trước ngày 30 tháng 6.", b, 1, ["hoi_chu_thap_do"],
              ["kiem_tra_giam_sat"], score=0.99, lead_score=0.99, theme_score=0.99)]
    out = tmp_path / "out"
    Writers(out).write(docs)
    return inp, out, docs


def _corpus(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "src").mkdir(parents=True)
    shutil.copy(ROOT / "corpus" / "labelset.json", corpus)
    shutil.copy(ROOT / "corpus" / "src" / "g2_01.txt", corpus / "src")
    return corpus


def _ls_export(tasks: list[dict], decisions: dict) -> list[dict]:
    """A Label Studio JSON export: each task as imported, plus the reviewer's annotation."""
    out = []
    for n, t in enumerate(tasks, 1):
        rid = t["data"]["review_id"]
        item = {"id": 100 + n, "data": t["data"], "predictions": t["predictions"], "annotations": [],
                "meta": {}, "created_at": "2025-12-01T08:00:00.000000Z", "updated_at": "2025-12-01T09:00:00.000000Z",
                "inner_id": n, "total_annotations": 1, "cancelled_annotations": 0, "project": 7}
        if rid in decisions:
            result = [{"id": f"r{n}{k}", "from_name": k, "to_name": "text", "type": "choices", "origin": "manual",
                       "value": {"choices": v}} for k, v in decisions[rid].items()]
            item["annotations"] = [
                {"id": 900 + n, "completed_by": 1, "result": [], "was_cancelled": True, "ground_truth": False,
                 "created_at": "2025-12-01T08:30:00.000000Z", "updated_at": "2025-12-01T08:30:00.000000Z",
                 "lead_time": 3.0, "task": 100 + n},
                {"id": 1000 + n, "completed_by": 1, "result": result, "was_cancelled": False, "ground_truth": False,
                 "created_at": "2025-12-01T09:00:00.000000Z", "updated_at": "2025-12-01T09:05:00.000000Z",
                 "lead_time": 42.5, "task": 100 + n, "prediction": {}}]
        out.append(item)
    return out


def test_review_certainty_ranks_low_scores_and_flags_first():
    info = LabelInfo.default()
    sure = {"score": 0.99, "agencies": [{"id": "cap_uy", "role": "lead", "score": 0.97}], "themes": [{"id": "x", "score": 0.9}]}
    weak = {"score": 0.99, "agencies": [{"id": "cap_uy", "role": "lead", "score": 0.4}], "themes": [{"id": "x", "score": 0.9}]}
    flagged = {"score": 0.99, "agencies": [{"id": "cap_uy", "role": "lead", "score": 0.97, "uncertain": True}],
               "themes": [{"id": "x", "score": 0.9}]}
    assert certainty(flagged, info) < certainty(weak, info) < certainty(sure, info)


def test_review_round_trip_label_studio(tmp_path, annotated, capsys):
    inp, out, docs = annotated
    review = tmp_path / "review"
    assert main(["review", "export", str(out), "-o", str(review), "--input", str(inp), "--uncertain", "3"]) == EXIT_OK

    tasks = json.loads((review / "tasks.json").read_text("utf-8"))
    ids = [t["data"]["review_id"] for t in tasks]
    assert ids == ["a#1", "b#0", "a#2"]              # least certain first: lead 0.41, theme 0.45, task 0.52
    raw = {"a": DOC_A, "b": DOC_B}
    for t in tasks:                                           # raw offsets into the file, and pre-annotations
        d = t["data"]
        assert raw[d["doc_id"]][d["start"]:d["end"]] == d["text"]
        names = {r["from_name"] for r in t["predictions"][0]["result"]}
        assert names == {"is_task", "lead", "support", "themes", "source"}
    config = ET.fromstring((review / "label_config.xml").read_text("utf-8"))
    choices = {c.get("name"): c for c in config.iter("Choices")}
    assert set(choices) == {"is_task", "lead", "support", "themes", "source"}
    assert all(c.get("toName") == "text" for c in choices.values())
    assert {"text", "before"} <= {t.get("name") for t in config.iter("Text")}
    aliases = {ch.get("alias") for ch in choices["lead"]}
    assert "mttq_doan_the" in aliases and {ch.get("value") for ch in choices["lead"]} >= {"Mặt trận Tổ quốc, đoàn thể"}
    rows = list(csv.DictReader((review / "review.csv").read_text("utf-8-sig").splitlines()))
    assert [r["review_id"] for r in rows] == ids

    # the reviewer: a#1's lead is the Front, a#2 is not a task, b#0 confirmed with a second theme
    export = _ls_export(tasks, {"a#1": {"is_task": ["yes"], "lead": ["mttq_doan_the"], "themes": ["hien_mau",
                                                                                               "phong_trao_van_dong"],
                                        "source": ["text"]},
                                "a#2": {"is_task": ["no"]},
                                "b#0": {"is_task": ["yes"], "lead": ["hoi_chu_thap_do"],
                                        "themes": ["dao_tao_boi_duong", "cham_soc_suc_khoe"], "source": ["text"]}})
    (review / "export.json").write_text(json.dumps(export, ensure_ascii=False), "utf-8")
    corpus = _corpus(tmp_path)
    capsys.readouterr()
    assert main(["review", "import", str(review / "export.json"), "-o", str(corpus / "reviewed"),
                 "--corpus", str(corpus)]) == EXIT_OK
    assert "2 tasks corrected or confirmed, 1 marked not a task, in 2 documents" in capsys.readouterr().out

    recs = {r["file"]: r for r in map(json.loads, (corpus / "reviewed" / "labels.jsonl").read_text("utf-8").splitlines())}
    assert set(recs) == {"a.txt", "b.txt"} and "text" not in json.dumps(list(recs.values()))[:0]
    a = {DOC_A[t["start"]:t["end"]]: t for t in recs["a.txt"]["tasks"]}
    assert a["Ủy ban Mặt trận Tổ quốc tỉnh vận động đoàn viên, hội viên tham gia hiến máu."]["lead"] == ["mttq_doan_the"]
    assert a["Thời tiết trong tháng có nhiều ngày nắng nóng kéo dài."]["not_task"] is True
    kept = a["Sở Y tế chủ trì tổ chức các điểm hiến máu tình nguyện tại trung tâm các xã."]
    assert kept["reviewed"] is False and kept["lead"] == ["so_ban_nganh"]   # not reviewed: the confident prediction
    assert all("text" not in t for r in recs.values() for t in r["tasks"])  # stand-off: offsets only

    # vanban corpus check validates it, vanban train reads it
    assert main(["corpus", "check", str(corpus)]) == EXIT_OK
    assert "2 reviewed records" in capsys.readouterr().out
    from pipeline.training import load_examples

    examples = {e.doc_id: e for e in load_examples(corpus, real=False)}
    assert examples["a"].origin == "reviewed" and "g2_01" in examples
    gold = {examples["a"].text[g.start:g.end]: g for g in examples["a"].tasks}
    assert "Thời tiết trong tháng có nhiều ngày nắng nóng kéo dài." not in gold     # a detector negative now
    g = gold["Ủy ban Mặt trận Tổ quốc tỉnh vận động đoàn viên, hội viên tham gia hiến máu."]
    assert g.lead == ["mttq_doan_the"] and g.themes == ["hien_mau", "phong_trao_van_dong"]
    assert examples["b"].tasks[0].themes == ["dao_tao_boi_duong", "cham_soc_suc_khoe"]


def test_review_import_refuses_labels_that_break_the_corpus_rules(tmp_path, annotated, capsys):
    inp, out, _ = annotated
    review = tmp_path / "review"
    main(["review", "export", str(out), "-o", str(review), "--input", str(inp), "--uncertain", "1"])
    tasks = json.loads((review / "tasks.json").read_text("utf-8"))
    export = _ls_export(tasks, {tasks[0]["data"]["review_id"]: {"is_task": ["yes"], "lead": [], "themes": ["hien_mau"]}})
    (review / "export.json").write_text(json.dumps(export), "utf-8")
    corpus = _corpus(tmp_path)
    assert main(["review", "import", str(review / "export.json"), "-o", str(corpus / "reviewed")]) == EXIT_FILE_ERRORS
    assert "no lead agency" in capsys.readouterr().err
    assert not (corpus / "reviewed" / "labels.jsonl").exists()


def test_review_round_trip_csv_with_vietnamese_names(tmp_path, annotated, capsys):
    inp, out, _ = annotated
    review = tmp_path / "review"
    main(["review", "export", str(out), "-o", str(review), "--input", str(inp), "--uncertain", "2"])
    path = review / "review.csv"
    rows = list(csv.DictReader(path.read_text("utf-8-sig").splitlines()))
    for r in rows:
        if r["review_id"] == "a#1":
            r["lead"] = "Mặt trận Tổ quốc, đoàn thể"                # a name, as a spreadsheet user types it
            r["support"] = "so_ban_nganh; Mặt trận Tổ quốc, đoàn thể"   # the lead's class as partner too
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    corpus = _corpus(tmp_path)
    assert main(["review", "import", str(path), "-o", str(corpus / "reviewed")]) == EXIT_OK
    rec = {r["file"]: r for r in map(json.loads, (corpus / "reviewed" / "labels.jsonl").read_text("utf-8").splitlines())}
    t = next(t for t in rec["a.txt"]["tasks"] if DOC_A[t["start"]:t["end"]].startswith("Ủy ban Mặt trận"))
    assert t["lead"] == ["mttq_doan_the"] and t["support"] == ["so_ban_nganh", "mttq_doan_the"] and t["reviewed"]
    assert [e.doc_id for e in load_reviewed(corpus)] == ["a", "b"]


def test_review_export_refuses_a_changed_file(tmp_path, annotated, capsys):
    inp, out, _ = annotated
    (inp / "a.txt").write_text(DOC_A + "\n5. Thêm một dòng.\n", "utf-8")
    assert main(["review", "export", str(out), "-o", str(tmp_path / "r"), "--input", str(inp),
                 "--document", "a"]) == EXIT_FILE_ERRORS
    assert "changed since it was annotated" in capsys.readouterr().err


def test_review_vanban_train_trains_on_the_reviewed_documents(tmp_path, annotated, capsys):
    inp, out, _ = annotated
    review = tmp_path / "review"
    main(["review", "export", str(out), "-o", str(review), "--input", str(inp), "--uncertain", "3"])
    tasks = json.loads((review / "tasks.json").read_text("utf-8"))
    export = _ls_export(tasks, {"a#1": {"is_task": ["yes"], "lead": ["mttq_doan_the"], "themes": ["hien_mau"],
                                        "source": ["text"]}})
    (review / "export.json").write_text(json.dumps(export), "utf-8")
    corpus = _corpus(tmp_path)
    for name in ("g2_02.txt", "g3_01.txt"):
        shutil.copy(ROOT / "corpus" / "src" / name, corpus / "src")
    assert main(["review", "import", str(review / "export.json"), "-o", str(corpus / "reviewed")]) == EXIT_OK
    capsys.readouterr()
    assert main(["train", str(corpus), "-o", str(tmp_path / "model"), "--no-real", "-q"]) == EXIT_OK
    meta = json.loads((tmp_path / "model" / "meta.json").read_text("utf-8"))
    assert meta["corpus"]["documents"] == 4                      # three written documents and the reviewed one
    written = sum(len(json.loads(x)["tasks"]) for x in (corpus / "labels.jsonl").read_text("utf-8").splitlines())
    assert meta["corpus"]["tasks"] == written + 4                 # a.txt: its 4 tasks, a#1 as the reviewer set it


def test_review_export_keeps_a_partner_of_the_leads_class():
    """What a reviewer starts from is what the pipeline said: a class that leads and supports stays in both."""
    from pipeline.review import _standoff

    task = {"agencies": [{"id": "so_ban_nganh", "name": "Sở Nội vụ", "role": "lead", "explicit": True},
                         {"id": "so_ban_nganh", "name": "Sở Tư pháp", "role": "support", "explicit": True}],
            "themes": []}
    so = _standoff(task, (0, 10))
    assert so["lead"] == ["so_ban_nganh"] and so["support"] == ["so_ban_nganh"]
