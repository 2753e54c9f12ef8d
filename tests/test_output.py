"""CSV outputs for Excel: one row per task with Vietnamese names, a long table that pivots, a documents table;
formula-like cells neutralised; the "uncertain" flag from entries or from the model's threshold."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.labels import LabelInfo, issuer_level
from pipeline.output import Writers, excel_safe

ROOT = Path(__file__).resolve().parent.parent


def _ag(i, role, score=0.9, explicit=True, name=None, **kw):
    return {"id": i, "name": name or i, "role": role, "explicit": explicit, "score": score,
            "source": "text" if explicit else "item", **kw}


DOCS = [
    {"doc_id": "kh1", "source": "kh1.txt", "sha256": "0" * 64, "clean_text": "",
     "meta": {"number": "12/KH-UBND", "type": "kế hoạch", "issuer": "Ủy ban nhân dân tỉnh An Bình", "place": "An Bình",
              "date": "2024-04-03", "signer": "Lò Văn Thắng"},
     "tasks": [{"id": 0, "text": "- Sở Y tế chủ trì, phối hợp với Ủy ban Mặt trận Tổ quốc tỉnh tổ chức hiến máu.",
                "start": 0, "end": 10, "section": "1", "words": "", "score": 0.98,
                "agencies": [_ag("so_ban_nganh", "lead", name="Sở Y tế"), _ag("chinh_quyen", "lead", 0.7),
                             _ag("mttq_doan_the", "support", name="Ủy ban Mặt trận Tổ quốc tỉnh")],
                "themes": [{"id": "hien_mau", "score": 0.97}, {"id": "tro_giup_nhan_dao", "score": 0.6}]},
               {"id": 1, "text": "=HYPERLINK(\"x\") báo cáo kết quả.", "start": 11, "end": 20, "section": "2",
                "words": "", "score": 0.95,
                "agencies": [_ag("so_ban_nganh", "lead", 0.9, explicit=False, uncertain=True)],
                "themes": [{"id": "kiem_tra_giam_sat", "score": 0.42}]}],
     "errors": []},
    {"doc_id": "cv2", "source": "cv2.txt", "sha256": "1" * 64, "clean_text": "", "meta": {"number": None},
     "tasks": [], "errors": []},
    {"doc_id": "bad", "source": "bad.txt", "sha256": "", "clean_text": "", "meta": {}, "tasks": [],
     "errors": ["empty file"]},
]


@pytest.fixture()
def out(tmp_path):
    Writers(tmp_path, LabelInfo.default(meta={"uncertain_below": {"theme": 0.5}})).write(DOCS)
    return tmp_path


def _rows(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                   # Excel reads the BOM as UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_output_tasks_csv_one_row_per_task_with_vietnamese_names(out):
    rows = _rows(out / "tasks.csv")
    assert [r["task_id"] for r in rows] == ["0", "1"]                 # documents without tasks: documents.csv
    r = rows[0]
    assert r["lead_label"] == "Sở, ban, ngành; Chính quyền (UBND, HĐND)"
    assert r["support_label"] == "Mặt trận Tổ quốc, đoàn thể"
    assert r["themes_label"] == "Hiến máu, hiến mô tạng; Trợ giúp nhân đạo, an sinh"
    assert r["issuer_level"] == "Cấp tỉnh" and r["lead"] == "so_ban_nganh; chinh_quyen"   # ids kept (contract)


def test_output_task_id_stays_an_integer_in_pandas(out):
    df = pd.read_csv(out / "tasks.csv", encoding="utf-8-sig")
    assert df["task_id"].dtype.kind == "i"


def test_output_formula_like_cells_are_neutralised(out):
    rows = _rows(out / "tasks.csv")
    assert rows[0]["text"].startswith("'- Sở Y tế") and rows[1]["text"].startswith("'=HYPERLINK")
    long = _rows(out / "tasks_long.csv")
    assert all(not r["text"].startswith(("=", "+", "-", "@")) for r in long)
    assert excel_safe("+84 912") == "'+84 912" and excel_safe("@SUM(A1)") == "'@SUM(A1)" and excel_safe(3) == 3


def test_output_long_table_pivots_cleanly(out):
    df = pd.read_csv(out / "tasks_long.csv", encoding="utf-8-sig")
    agencies = df[df["dimension"] == "agency"]
    pivot = agencies.pivot_table(index="label", columns="role_label", values="task_id", aggfunc="count", fill_value=0)
    assert pivot.loc["Sở, ban, ngành", "Chủ trì"] == 2 and pivot.loc["Mặt trận Tổ quốc, đoàn thể", "Phối hợp"] == 1
    assert not df["label"].str.contains(";").any()                    # one agency or theme per row
    themes = df[df["dimension"] == "theme"]
    assert sorted(themes["label_id"]) == ["hien_mau", "kiem_tra_giam_sat", "tro_giup_nhan_dao"]
    inherited = agencies[agencies["explicit"] == False]               # noqa: E712
    assert list(inherited["inherited_from"]) == ["item"]


def test_output_uncertain_flag_from_entries_and_model_threshold(out):
    rows = _rows(out / "tasks.csv")
    assert [r["uncertain"] for r in rows] == ["False", "True"]
    long = pd.read_csv(out / "tasks_long.csv", encoding="utf-8-sig")
    flagged = long[long["uncertain"]]
    assert set(flagged["label_id"]) == {"so_ban_nganh", "kiem_tra_giam_sat"}   # "uncertain": true; 0.42 < 0.5
    docs = {r["doc_id"]: r for r in _rows(out / "documents.csv")}
    assert docs["kh1"]["uncertain_tasks"] == "1"


def test_output_documents_csv_lists_every_document(out):
    docs = {r["doc_id"]: r for r in _rows(out / "documents.csv")}
    assert set(docs) == {"kh1", "cv2", "bad"}
    assert docs["kh1"]["tasks"] == "2" and docs["cv2"]["tasks"] == "0" and docs["bad"]["errors"] == "empty file"
    assert docs["kh1"]["signer"] == "Lò Văn Thắng"


def test_output_jsonl_is_the_contract_unchanged(out):
    recs = [json.loads(ln) for ln in (out / "tasks.jsonl").read_text("utf-8").splitlines()]
    assert recs == DOCS


def test_labels_names_table_matches_the_package_fallback():
    labelset = json.loads((ROOT / "corpus" / "labelset.json").read_text("utf-8"))
    package = json.loads((ROOT / "pipeline" / "data" / "label_names.json").read_text("utf-8"))
    assert labelset["names"] == package
    assert set(package["agencies"]) == set(labelset["agencies"]) and set(package["themes"]) == set(labelset["themes"])


def test_labels_a_teams_own_taxonomy_gets_names_from_its_labelset():
    info = LabelInfo.default({"agencies": {"phong_y_te": "Phòng Y tế"}, "themes": {"tiem_chung": "Tiêm chủng"},
                              "names": {"agencies": {"phong_y_te": "Phòng Y tế huyện"}}})
    assert info.agency("phong_y_te") == "Phòng Y tế huyện" and info.theme("tiem_chung") == "Tiêm chủng"


@pytest.mark.parametrize("issuer,level", [
    ("Ủy ban nhân dân tỉnh Đắk Lắk", "tinh"), ("Ban Thường vụ Tỉnh ủy Hà Tĩnh", "tinh"),
    ("Ủy ban nhân dân thành phố Hà Nội", "tinh"), ("Ban Thường vụ Thành ủy Vinh", "huyen"),
    ("Ủy ban nhân dân huyện Đô Lương", "huyen"), ("Ban Thường trực Ủy ban MTTQ Việt Nam xã Lương Minh", "xa"),
    ("Thủ tướng Chính phủ", "trung_uong"), ("Bộ Văn hóa, Thể thao và Du lịch", "trung_uong"),
    ("Sở Giáo dục và Đào tạo", "tinh"), ("Ban Bí thư", "trung_uong"), ("", ""), ("Trường Tiểu học", "")])
def test_labels_issuer_level(issuer, level):
    assert issuer_level(issuer) == level
