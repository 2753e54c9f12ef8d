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


def _docs(n_right: int, n_wrong: int, doc: str) -> DocResult:
    gold = [GoldTask(100 * i, 100 * i + 20, ["so_ban_nganh"], [], ["hien_mau"], "text")
            for i in range(n_right + n_wrong)]
    pred = [_pred(100 * i, 100 * i + 20, ["so_ban_nganh"] if i < n_right else ["cap_uy"], [], ["hien_mau"])
            for i in range(n_right + n_wrong)]
    return DocResult(doc, "kế hoạch", "real", gold, pred)


def test_endtoend_document_counts_sum_to_the_pooled_figures():
    from pipeline.evaluation.metrics import prf

    results = [_docs(3, 1, "a"), _docs(1, 3, "b"), _docs(5, 0, "c")]
    results[1].pred.append(_pred(900, 920, ["cap_uy"]))              # a spurious task
    results[2].pred.pop()                                             # a missed one
    s = score(results)
    for field, key in (("task", "task_f"), ("lead", "lead_micro_f"), ("support", "support_micro_f"),
                       ("theme", "theme_micro_f")):
        tp, fp, fn = (sum(d["counts"][field][i] for d in s["per_document"]) for i in range(3))
        assert prf(tp, fp, fn)[2] == pytest.approx(s[key] or 0.0), field
    assert s["per_document"][1]["counts"]["task"] == [4, 1, 0]
    assert s["per_document"][2]["counts"]["lead"] == [4, 0, 0]


def test_endtoend_interval_holds_the_figure_and_narrows_with_more_documents():
    few = score([_docs(9, 1, "a"), _docs(2, 8, "b"), _docs(6, 4, "c")])
    many = score([_docs(*nm, f"{nm}{k}") for k in range(30) for nm in ((9, 1), (2, 8), (6, 4))])
    assert few["lead_micro_f"] == pytest.approx(many["lead_micro_f"])
    lo, hi = few["lead_micro_f_ci"]
    assert lo < few["lead_micro_f"] < hi
    mlo, mhi = many["lead_micro_f_ci"]
    assert mlo < many["lead_micro_f"] < mhi and mhi - mlo < (hi - lo) / 2
    same = score([_docs(3, 1, str(k)) for k in range(10)])
    assert same["lead_micro_f_ci"] == [pytest.approx(0.75)] * 2       # every document alike: nothing to move
    mixed = [_docs(9, 1, "a"), _docs(2, 8, "b"), _docs(6, 4, "c"), _docs(5, 5, "d")]
    mixed[1].pred.append(_pred(900, 920, ["cap_uy"], ["cap_uy"], ["khac"]))    # a spurious task
    mixed[0].gold[0] = GoldTask(0, 20, ["so_ban_nganh"], ["cap_uy"], ["hien_mau"], "text")
    mixed[0].pred[0]["support"] = {"cap_uy"}                                    # a right partner
    mixed[2].pred[0]["support"] = {"cap_uy"}                                    # a wrong one
    mixed[3].pred[0]["themes"] = {"khac"}                                       # a wrong theme
    s = score(mixed)
    for key in ("task_f", "lead_micro_f", "support_micro_f", "theme_micro_f"):
        lo, hi = s[key + "_ci"]
        assert lo <= s[key] <= hi and lo < hi, key
    assert "support_micro_f_ci" not in score([_docs(0, 0, "empty")])       # no matched task: no figure, no interval


def test_endtoend_report_prints_each_interval_beside_its_figure():
    from pipeline.evaluation.report import render

    s = score([_docs(9, 1, "a"), _docs(2, 8, "b"), _docs(6, 4, "c")], prefix="real_")
    s.update({"real_tasks": 30, "written_documents": 0, "written_tasks": 0, "folds": 5, "seed": 0})
    row = next(line for line in render(s, {}, {}).splitlines() if line.startswith("| **lead micro-F1**"))
    lo, hi = s["real_lead_micro_f_ci"]
    assert row == f"| **lead micro-F1** (matched tasks) | {s['real_lead_micro_f']:.3f} ({lo:.3f}–{hi:.3f}) |"


def test_paired_bootstrap_tells_a_change_on_every_document_from_none():
    from pipeline.evaluation.metrics import paired_bootstrap

    before = [(5, 5, 5)] * 40 + [(9, 1, 1)] * 40
    none = paired_bootstrap(before, before)
    assert none["change"] == 0 and none["low"] == 0 and none["high"] == 0 and none["share_higher"] == 0
    better = paired_bootstrap(before, [(tp + 1, fp - 1, fn) for tp, fp, fn in before])
    assert better["change"] > 0 and better["low"] > 0 and better["share_higher"] == 1.0
    one = paired_bootstrap(before, [(6, 4, 5)] + before[1:])          # one document of 80 a little better
    assert one["low"] <= 0 < one["high"] and 0 < one["share_higher"] < 1
    with pytest.raises(ValueError, match="same documents"):
        paired_bootstrap(before, before[:-1])


def test_paired_script_compares_two_runs_by_document(tmp_path, capsys, monkeypatch):
    import json
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "evaluation"))
    import paired

    a = score([_docs(3, 1, str(k)) for k in range(20)], prefix="real_")
    b = score([_docs(4, 0, str(k)) for k in range(20)], prefix="real_")
    (tmp_path / "a.json").write_text(json.dumps(a), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(b), encoding="utf-8")
    assert paired.main([str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["documents"] == 20
    assert res["lead"]["before"] == pytest.approx(0.75) and res["lead"]["after"] == pytest.approx(1.0)
    assert res["lead"]["low"] > 0 and res["task"]["change"] == 0
    assert paired.main([str(tmp_path / "a.json"), str(tmp_path / "b.json")]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "20 documents in both runs"
    assert table[3].split()[:5] == ["lead", "micro-F1", "0.750", "1.000", "+0.250"]
    assert table[3].split()[-5:] == ["100.0", "%", "/", "0.0", "%"]      # the second run higher in every draw
    for d in a["real_per_document"]:
        del d["counts"]                                                 # a run from before counts were kept
    (tmp_path / "old.json").write_text(json.dumps(a), encoding="utf-8")
    with pytest.raises(SystemExit, match="no counts"):
        paired.main([str(tmp_path / "old.json"), str(tmp_path / "b.json")])
    other = score([_docs(3, 1, "x" + str(k)) for k in range(3)], prefix="real_")
    (tmp_path / "other.json").write_text(json.dumps(other), encoding="utf-8")
    with pytest.raises(SystemExit, match="share no document"):
        paired.main([str(tmp_path / "other.json"), str(tmp_path / "b.json")])
    with pytest.raises(SystemExit, match="cannot read"):
        paired.main([str(tmp_path / "missing.json"), str(tmp_path / "b.json")])
    with pytest.raises(SystemExit, match="no written_per_document"):
        paired.main([str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--prefix", "written_"])
