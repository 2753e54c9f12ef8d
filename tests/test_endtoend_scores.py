"""End-to-end scores (pipeline.evaluation.endtoend.score) on hand-made predictions whose figures are known:
wrong labels on matched tasks lower the matched-pair scores, missed and spurious tasks lower the "all" ones."""

from __future__ import annotations

import pytest

from pipeline.evaluation.endtoend import DocResult, score
from pipeline.training import GoldTask


def _pred(start, end, lead=(), support=(), themes=()):
    return {"start": start, "end": end, "lead": set(lead), "support": set(support), "themes": set(themes)}


def test_endtoend_wrong_labels_on_matched_tasks_are_scored_against_the_gold():
    gold = [GoldTask(0, 20, ["so_ban_nganh"], ["mttq_doan_the"], ["hien_mau"], "text"),
            GoldTask(30, 50, ["cap_uy"], [], ["tuyen_truyen"], "heading")]
    pred = [_pred(0, 20, ["so_ban_nganh"], ["mttq_doan_the"], ["hien_mau"]),     # right
            _pred(30, 50, ["ban_dan_van"], ["cap_uy"], ["hien_mau"])]             # every label wrong
    s = score([DocResult("d", "kế hoạch", "real", gold, pred)])
    assert s["task_f"] == 1.0
    assert s["lead_micro_p"] == pytest.approx(0.5) and s["lead_micro_r"] == pytest.approx(0.5)
    assert s["lead_micro_f"] == pytest.approx(0.5)
    assert s["support_micro_p"] == pytest.approx(0.5) and s["support_micro_r"] == pytest.approx(1.0)
    assert s["theme_micro_f"] == pytest.approx(0.5)
    assert s["lead_f_text"] == pytest.approx(1.0)          # the explicit lead was right
    assert s["lead_f_heading"] == pytest.approx(0.0)       # the inherited one was not
    assert s["per_document"][0]["lead_f"] == pytest.approx(0.5)


def test_endtoend_missed_and_spurious_tasks_count_in_the_all_scores_only():
    gold = [GoldTask(0, 20, ["so_ban_nganh"], [], ["hien_mau"], "text"),
            GoldTask(30, 50, ["cap_uy"], [], ["tuyen_truyen"], "text")]
    pred = [_pred(0, 20, ["so_ban_nganh"], [], ["hien_mau"]),
            _pred(100, 120, ["ban_dan_van"], [], ["khac"])]                        # spurious; task 2 missed
    s = score([DocResult("d", "công văn", "written", gold, pred)])
    assert s["matched_tasks"] == 1 and s["task_p"] == pytest.approx(0.5) and s["task_r"] == pytest.approx(0.5)
    assert s["lead_micro_f"] == pytest.approx(1.0)
    assert s["lead_all_micro_p"] == pytest.approx(0.5) and s["lead_all_micro_r"] == pytest.approx(0.5)
    assert s["theme_all_micro_f"] == pytest.approx(0.5)
