"""Batch bookkeeping with a pipeline of rules only (no learned component: a second per run): doc_ids unique
within a batch, and the model's version part of each document's cache key."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import batch
from pipeline.language import Pipeline

TEXT = "Số 5-KH/TU\n1. Sở Y tế chủ trì tổ chức tập huấn cho cán bộ y tế cơ sở.\n2. Sở Tài chính bố trí kinh phí."


def _rules_only(sha: str) -> Pipeline:
    nlp = Pipeline.from_config({"pipeline": ["cleanup", "metadata", "structure", "detector"]})
    nlp.meta = {"sha256": sha}
    return nlp


def _doc_ids(out: Path) -> list[str]:
    return [json.loads(ln)["doc_id"] for ln in (out / "tasks.jsonl").read_text(encoding="utf-8").splitlines()]


def test_batch_same_stem_in_two_folders_gets_two_doc_ids(tmp_path):
    d = tmp_path / "in"
    for sub in ("a", "b"):
        (d / sub).mkdir(parents=True)
        (d / sub / "ke_hoach.txt").write_text(TEXT + f"\n3. Ban {sub} báo cáo kết quả thực hiện.", encoding="utf-8")
    res = batch.run(_rules_only("1" * 64), d, tmp_path / "out", time_limit=0)
    ids = _doc_ids(tmp_path / "out")
    assert res.documents == 2 and len(ids) == 2
    assert len(set(ids)) == 2, ids
    assert "ke_hoach" in ids and "b__ke_hoach" in ids


def test_batch_cache_is_not_reused_by_another_model(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(3):
        (d / f"doc{i}.txt").write_text(TEXT + f"\n3. Huyện {i} báo cáo.", encoding="utf-8")
    out = tmp_path / "out"
    first = batch.run(_rules_only("1" * 64), d, out, time_limit=0)
    same = batch.run(_rules_only("1" * 64), d, out, time_limit=0)
    other = batch.run(_rules_only("2" * 64), d, out, time_limit=0)
    assert (first.annotated, same.annotated, same.cached) == (3, 0, 3)
    assert (other.annotated, other.cached) == (3, 0)        # a new model annotates again
