"""Evaluation (pipeline/evaluation/): the metric helpers on known values, end-to-end alignment of predicted to
gold tasks, folds grouped by document, the stages that do not learn, and evaluate() on a tiny corpus with
written and real documents."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path

import pytest

from pipeline import corpus as corpus_mod
from pipeline import realdocs
from pipeline.document import Token
from pipeline.evaluation import crossval, evaluate
from pipeline.evaluation.endtoend import DocResult, normal_kind, score
from pipeline.evaluation.metrics import (
    boundary_f1,
    cer,
    cohen_kappa,
    gold_sentence,
    iou,
    join_covered,
    keyword_themes,
    levenshtein,
    match_spans,
    nonspace_spans,
    normalize_ws,
    prf,
    set_scores,
    span_scores,
    theme_keywords,
    trim_span,
)
from pipeline.evaluation.stages import agreement_scores, eval_metadata, eval_segmentation
from pipeline.training import Example, GoldTask, Prepared, training_data_id

ROOT = Path(__file__).resolve().parent.parent


def _levenshtein_reference(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


# --------------------------------------------------------------------------- cleanup metric

@pytest.mark.parametrize("a,b,expected", [
    ("", "", 0),
    ("", "abc", 3),
    ("abc", "", 3),
    ("kitten", "sitting", 3),
    ("flaw", "lawn", 2),
    ("Phấn đấu", "Phân đấu", 1),          # one dropped tone mark is one substitution
    ("hóa", "hoá", 2),                     # tone mark moved: two substitutions
    ("abcdef", "abcdef", 0),
    ("Hội Chữ thập đỏ", "Hội Chữ thập đỏ tỉnh", 5),
])
def test_evaluation_levenshtein_known_pairs(a, b, expected):
    assert levenshtein(a, b) == expected
    assert levenshtein(b, a) == expected


def test_evaluation_levenshtein_matches_the_dynamic_programme():
    rng = random.Random(7)
    alphabet = "aăâđêôơư ."
    for _ in range(400):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        assert levenshtein(a, b) == _levenshtein_reference(a, b), (a, b)


def test_evaluation_levenshtein_long_strings_cross_word_boundaries():
    # longer than one machine word of bits: the bit-vector carries must be right
    rng = random.Random(3)
    a = "".join(rng.choice("abcd") for _ in range(300))
    b = list(a)
    for i in rng.sample(range(300), 20):
        b[i] = "x"                      # 20 substitutions
    b = "".join(b[:150]) + "yy" + "".join(b[150:])   # 2 insertions
    assert levenshtein(a, b) == _levenshtein_reference(a, b) == 22


def test_evaluation_cer_normalises_whitespace_and_divides_by_gold_length():
    assert normalize_ws("  a \n\t b  ") == "a b"
    assert cer("Phấn\u00a0 đấu\n\n", "Phấn đấu") == 0.0
    assert cer("Phân  đấu", "Phấn đấu") == pytest.approx(1 / 8)
    assert cer("", "abcd") == 1.0
    assert cer("abcdefgh", "abcd") == 1.0            # 4 insertions / 4 gold characters
    assert cer("x", "") == 1.0                        # no division by zero


# --------------------------------------------------------------------------- F1 on label sets

def test_evaluation_prf_known_counts():
    assert prf(0, 0, 0) == (0.0, 0.0, 0.0)
    p, r, f = prf(3, 1, 2)
    assert (p, r) == (0.75, 0.6)
    assert f == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_evaluation_set_scores_micro_macro_per_type():
    gold = [{"a"}, {"a", "b"}, set()]
    pred = [{"a"}, {"b"}, {"c"}]
    s = set_scores(gold, pred)
    # tp: a (task 0), b (task 1); fn: a (task 1); fp: c (task 2)
    assert s["micro_p"] == pytest.approx(2 / 3)
    assert s["micro_r"] == pytest.approx(2 / 3)
    assert s["micro_f"] == pytest.approx(2 / 3)
    assert s["per_type"]["a"] == {"p": 1.0, "r": 0.5, "f": pytest.approx(2 / 3), "n": 2}
    assert s["per_type"]["b"]["f"] == 1.0
    assert s["per_type"]["c"] == {"p": 0.0, "r": 0.0, "f": 0.0, "n": 0}
    assert s["macro_f"] == pytest.approx((2 / 3 + 1 + 0) / 3)


def test_evaluation_set_scores_micro_is_not_macro():
    # one frequent label always right, one rare label always wrong: micro follows the frequent one
    gold = [{"a"}] * 9 + [{"b"}]
    pred = [{"a"}] * 9 + [{"a"}]
    s = set_scores(gold, pred)
    assert s["micro_f"] == pytest.approx(0.9)
    assert s["per_type"]["a"]["f"] == pytest.approx(prf(9, 1, 0)[2])
    assert s["macro_f"] == pytest.approx((prf(9, 1, 0)[2] + 0.0) / 2)


def test_evaluation_set_scores_perfect_and_empty():
    assert set_scores([{"x"}, {"y", "z"}], [{"x"}, {"z", "y"}])["micro_f"] == 1.0
    empty = set_scores([set(), set()], [set(), set()])
    assert empty["micro_f"] == 0.0 and empty["macro_f"] == 0.0 and empty["per_type"] == {}
    with pytest.raises(ValueError):
        set_scores([{"x"}], [])


@pytest.mark.parametrize("a,b,expected", [
    ([1, 1, 0, 0], [1, 1, 0, 0], 1.0),
    ([1, 0, 1, 0], [0, 1, 0, 1], -1.0),
    ([1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 1], 1 / 3),
])
def test_evaluation_cohen_kappa(a, b, expected):
    assert cohen_kappa(a, b) == pytest.approx(expected)


def test_evaluation_cohen_kappa_undefined():
    assert cohen_kappa([], []) is None
    assert cohen_kappa([1, 1], [1, 1]) is None        # chance agreement is 1


# --------------------------------------------------------------------------- span matching

def test_evaluation_iou():
    assert iou((0, 10), (0, 10)) == 1.0
    assert iou((0, 10), (5, 15)) == pytest.approx(5 / 15)
    assert iou((0, 10), (10, 20)) == 0.0
    assert iou((0, 10), (2, 7)) == 0.5


def test_evaluation_match_spans_threshold_and_one_to_one():
    assert match_spans([(0, 100)], [(0, 50)]) == [(0, 0)]          # IoU exactly 0.5 matches
    assert match_spans([(0, 100)], [(0, 49)]) == []                # 0.49 does not
    # one predicted span over two gold tasks matches at most one of them
    assert len(match_spans([(0, 10), (10, 20)], [(0, 20)])) == 1
    # greedy from the best IoU: the exact prediction wins, the other stays unmatched
    assert match_spans([(0, 10)], [(0, 9), (0, 10)]) == [(0, 1)]
    assert match_spans([(0, 10), (20, 30)], [(21, 30), (0, 10)]) == [(0, 1), (1, 0)]


def test_evaluation_span_scores_iou_and_exact():
    text = "Làm việc A. Làm việc B; Câu nền dài hơn nhiều so với các câu khác của văn bản."
    gold = [(0, 11), (12, 23)]
    assert [text[s:e] for s, e in gold] == ["Làm việc A.", "Làm việc B;"]
    assert trim_span(text, (0, 11)) == trim_span(text, (0, 10)) == (0, 10)
    # the first prediction misses the final dot (IoU 10/11, exact after trimming);
    # the second runs to the end of the text (IoU well below 0.5)
    s = span_scores([(text, gold, [(0, 10), (12, len(text))])])
    assert iou((12, 23), (12, len(text))) < 0.5
    assert s["matched"] == 1 and s["p"] == 0.5 and s["r"] == 0.5 and s["f"] == 0.5
    assert s["f_exact"] == 0.5
    # pooled over documents: a spurious prediction in a document without tasks costs precision
    s = span_scores([(text, gold, [(0, 10), (12, 23)]), ("x", [], [(0, 1)])])
    assert (s["p"], s["r"]) == (pytest.approx(2 / 3), 1.0)
    assert s["f_exact"] == pytest.approx(0.8)
    assert span_scores([(text, gold, [])])["r"] == 0.0
    # a span cut one word short still matches by IoU (9/11) but not exactly
    s = span_scores([(text, gold, [(0, 9), (12, 23)])])
    assert s["f"] == 1.0 and s["f_exact"] == 0.5


# --------------------------------------------------------------------------- segmentation metric

def test_evaluation_gold_sentence_and_nonspace_spans():
    text, spans = gold_sentence("Ban Tuyên_giáo Tỉnh_ủy chủ_trì .")
    assert text == "Ban Tuyên giáo Tỉnh ủy chủ trì ."
    assert [text[s:e] for s, e in spans] == ["Ban", "Tuyên giáo", "Tỉnh ủy", "chủ trì", "."]
    assert sorted(nonspace_spans(text, spans)) == [(0, 3), (3, 12), (12, 18), (18, 24), (24, 25)]
    # the same words found in a differently spaced text give the same spans
    assert nonspace_spans("Ban  Tuyêngiáo", [(0, 3), (5, 14)]) == {(0, 3), (3, 12)}


def test_evaluation_join_covered_only_exact_runs():
    words = [(0, 3), (4, 7), (8, 10), (11, 14)]
    assert join_covered(words, [(0, 7)]) == [(0, 7), (8, 10), (11, 14)]
    assert join_covered(words, [(5, 10)]) == words                 # starts inside a word: left alone
    assert join_covered(words, [(4, 14)]) == [(0, 3), (4, 14)]
    assert join_covered(words, []) == words


def test_evaluation_boundary_f1_pools_sentences():
    p, r, f = boundary_f1([({(0, 1), (1, 2)}, {(0, 2)}), ({(0, 3)}, {(0, 3)})])
    assert (p, r) == (0.5, pytest.approx(1 / 3))
    assert f == pytest.approx(prf(1, 1, 2)[2])


class _FakeSegmenter:
    def __init__(self, words: list[str]):
        self.words = words

    def __call__(self, text):
        out, pos = [], 0
        for w in self.words:
            i = text.index(w, pos)
            out.append(Token(w, i, i + len(w)))
            pos = i + len(w)
        return out


class _FakeMatcher:
    def term_spans(self, text):
        name = "Ban Tuyên giáo Tỉnh ủy"
        i = text.find(name)
        return [(i, i + len(name))] if i >= 0 else []


def test_evaluation_segmentation_f1_against_both_golds(tmp_path):
    gold = tmp_path / "gold.txt"
    gold.write_text("Ban Tuyên_giáo Tỉnh_ủy chủ_trì .\n", encoding="utf-8")
    names_whole = _FakeSegmenter(["Ban Tuyên giáo Tỉnh ủy", "chủ trì", "."])
    vlsp_like = _FakeSegmenter(["Ban", "Tuyên giáo", "Tỉnh ủy", "chủ", "trì", "."])
    s = eval_segmentation(gold, names_whole, vlsp_like, _FakeMatcher())
    # pipeline vs VLSP gold: 2 of 3 predicted words right, 2 of 5 gold words found
    assert s["seg_p_pipeline"] == pytest.approx(2 / 3)
    assert s["seg_r_pipeline"] == pytest.approx(2 / 5)
    assert s["seg_f1_pipeline"] == pytest.approx(0.5)
    # against the names-whole gold (the name joined) it is perfect
    assert s["seg_f1_pipeline_names_whole"] == 1.0
    # underthesea-like: 4 of 6 right vs VLSP (5 gold); only "." of 6 vs names whole (3 gold)
    assert s["seg_f1_underthesea"] == pytest.approx(prf(4, 2, 1)[2])
    assert s["seg_f1_underthesea_names_whole"] == pytest.approx(prf(1, 5, 2)[2])
    assert s["seg_gold_words"] == 5 and s["seg_gold_words_names_whole"] == 3


# --------------------------------------------------------------------------- baselines, metadata, agreement

def test_evaluation_theme_keywords_from_labelset(tiny_labelset):
    table = theme_keywords(tiny_labelset)
    assert table["tuyen_truyen"] == ["tuyên truyền", "quán triệt"]
    assert "khac" not in table
    assert all("(" not in p for phrases in table.values() for p in phrases)
    found = keyword_themes("Đẩy mạnh Tuyên truyền về hiến máu tình nguyện.", table)
    assert {"tuyen_truyen", "hien_mau"} <= found
    assert "bau_cu" not in found
    assert keyword_themes("Không có gì.", table) == set()


def test_evaluation_metadata_accuracy_normalises_and_counts_none():
    text = ("TỈNH ỦY HÀ TĨNH\nSố 12-CT/TU\nHà Tĩnh, ngày 5 tháng 3 năm 2024\nCHỈ THỊ\nT/M BAN THƯỜNG VỤ\n"
            "BÍ THƯ\nNguyễn Văn An")
    good = corpus_mod.GoldDocument("a", text, {"number": "12-CT/TU", "type": "Chỉ thị",
                                               "issuer": "ban thường vụ  Tỉnh ủy Hà Tĩnh", "place": "Hà Tĩnh",
                                               "date": "2024-03-05", "signer": "Trần Văn Bình"}, [])
    blank = corpus_mod.GoldDocument("b", "Nội dung không có tiêu đề.", dict.fromkeys(corpus_mod.META_KEYS), [])
    scores, misses = eval_metadata([good, blank])
    assert scores["meta_acc_number"] == 1.0          # None == None counts for the blank document
    assert scores["meta_acc_type"] == 1.0            # case
    assert scores["meta_acc_issuer"] == 1.0          # case and whitespace
    assert scores["meta_acc_signer"] == 0.5          # wrong on the first document
    assert misses == [{"doc_id": "a", "field": "signer", "gold": "Trần Văn Bình", "predicted": "Nguyễn Văn An"}]


def test_evaluation_agreement_of_two_annotators():
    first = [GoldTask(0, 10, ["a"], [], ["t"], "text"), GoldTask(10, 20, ["b"], ["c"], ["t", "u"], "heading"),
             GoldTask(30, 40, ["a"], [], ["u"], "text")]
    second = [GoldTask(0, 9, ["a"], [], ["t"], "text"), GoldTask(10, 20, ["a"], ["c"], ["t"], "item")]
    labelset = {"agencies": {"a": "", "b": "", "c": ""}, "themes": {"t": "", "u": ""}}
    s, rows = agreement_scores([(first, second)], labelset)
    assert (s["task_p"], s["task_r"]) == (1.0, pytest.approx(2 / 3))          # the third unit is not in the second
    assert s["tasks_matched"] == 2 and s["tasks_first"] == 3 and s["tasks_second"] == 2
    assert s["lead_micro_f"] == pytest.approx(prf(1, 1, 1)[2])
    assert s["support_micro_f"] == 1.0
    assert s["theme_micro_f"] == pytest.approx(prf(2, 0, 1)[2])
    assert s["source_acc"] == 0.5 and s["implicit_acc"] == 1.0
    kappa = {(r["kind"], r["label"]): r["kappa"] for r in rows}
    assert kappa[("lead", "a")] == 0.0 and kappa[("support", "c")] == 1.0
    assert ("lead", "c") not in kappa                                            # never used as lead


# --------------------------------------------------------------------------- end to end: aligning tasks

def _gold(s, e, lead, themes, source="text", support=()):
    return GoldTask(s, e, list(lead), list(support), list(themes), source)


def _pred(s, e, lead, themes, support=()):
    return {"start": s, "end": e, "lead": set(lead), "support": set(support), "themes": set(themes)}


@pytest.fixture()
def e2e_results():
    plan = DocResult("kh", "Kế hoạch", "real",
                     [_gold(0, 100, ["a"], ["t1"]),                       # found, lead right
                      _gold(100, 200, ["b"], ["t2"], "heading"),           # found, lead wrong (inherited)
                      _gold(200, 300, ["c"], ["t1"], "item")],              # missed
                     [_pred(0, 95, ["a"], ["t1"]),
                      _pred(0, 60, ["a"], ["t1"]),                        # overlaps the first gold too: spurious
                      _pred(105, 200, ["a"], ["t2"]),
                      _pred(400, 450, ["d"], ["t3"])])                    # spurious
    letter = DocResult("cv", "Công văn hỏa tốc", "real", [_gold(0, 50, ["a"], ["t1"])], [_pred(2, 50, ["a"], ["t1"])])
    return plan, letter


def test_endtoend_pairs_are_one_to_one_by_overlap(e2e_results):
    plan, letter = e2e_results
    assert plan.pairs() == [(0, 0), (1, 2)]           # best overlap first; the shorter duplicate stays unmatched
    assert letter.pairs() == [(0, 0)]
    assert DocResult("x", "", "real", [_gold(0, 100, ["a"], ["t"])], [_pred(0, 40, ["a"], ["t"])]).pairs() == []


def test_endtoend_missed_and_spurious_tasks_are_counted(e2e_results):
    plan, _ = e2e_results
    s = score([plan])
    assert (s["gold_tasks"], s["predicted_tasks"], s["matched_tasks"]) == (3, 4, 2)
    assert (s["task_p"], s["task_r"]) == (0.5, pytest.approx(2 / 3))
    assert s["task_f"] == pytest.approx(prf(2, 2, 1)[2])
    # labels on the matched pairs only
    assert s["lead_micro_f"] == pytest.approx(prf(1, 1, 1)[2])
    assert s["theme_micro_f"] == 1.0
    # ... and with every missed gold task missing its labels, every spurious one adding its own
    assert s["lead_all_micro_f"] == pytest.approx(prf(1, 3, 2)[2])
    assert s["theme_all_micro_f"] == pytest.approx(prf(2, 2, 1)[2])
    assert s["lead_f_per_type"]["a"]["n"] == 1 and s["lead_f_per_type"]["b"]["f"] == 0.0


def test_endtoend_lead_split_explicit_implicit_and_by_source(e2e_results):
    plan, _ = e2e_results
    s = score([plan])
    assert (s["lead_f_explicit"], s["lead_n_explicit"]) == (1.0, 1)
    assert (s["lead_f_implicit"], s["lead_n_implicit"]) == (0.0, 1)
    assert (s["lead_f_text"], s["lead_f_heading"], s["lead_n_heading"]) == (1.0, 0.0, 1)
    assert "lead_n_item" not in s                     # the only "item" task was missed: nothing to score


def test_endtoend_by_kind_per_document_and_prefix(e2e_results):
    plan, letter = e2e_results
    s = score([plan, letter], "real_")
    assert all(k.startswith("real_") for k in s)
    assert s["real_documents"] == 2 and s["real_gold_tasks"] == 4 and s["real_matched_tasks"] == 3
    assert set(s["real_by_kind"]) == {"kế hoạch", "công văn"}
    assert s["real_by_kind"]["công văn"]["task_f"] == 1.0
    per_doc = {d["doc_id"]: d for d in s["real_per_document"]}
    assert per_doc["kh"]["task_f"] == pytest.approx(prf(2, 2, 1)[2]) and per_doc["kh"]["lead_f"] == 0.5
    assert s["real_doc_mean_task_f"] == pytest.approx((prf(2, 2, 1)[2] + 1.0) / 2)
    assert s["real_doc_mean_lead_f"] == pytest.approx(0.75)


def test_endtoend_nothing_found():
    s = score([DocResult("x", "", "real", [_gold(0, 10, ["a"], ["t"])], [])])
    assert (s["task_p"], s["task_r"], s["task_f"]) == (0.0, 0.0, 0.0)
    assert s["lead_micro_f"] is None and s["lead_all_micro_f"] == 0.0


@pytest.mark.parametrize("kind,expected", [("Thông báo kết luận", "thông báo kết luận"), ("CÔNG ĐIỆN", "công điện"),
                                           ("Kế hoạch liên tịch", "kế hoạch"), ("", "khác"), ("Tờ trình", "khác")])
def test_endtoend_normal_kind(kind, expected):
    assert normal_kind(kind) == expected


def test_endtoend_predictions_are_in_the_raw_file_offsets(tiny_nlp):
    """The pipeline's tasks come back in the raw text's offsets (through cleanup's offset map), so they align
    with stand-off gold spans of the file as it is."""
    import tiny_corpus

    (gold,) = tiny_corpus.gold_documents(["t2_sot_xuat_huyet"])
    raw = gold.text.replace("\n1. ", "\n\n**1.**  ").replace("Kính gửi:", "<b>Kính gửi:</b>")
    tasks = []
    for t in gold.tasks:
        s = raw.index(t["text"])
        tasks.append(GoldTask(s, s + len(t["text"]), [], [], []))
    ex = Example("t2", raw, tasks, origin="real", kind="công văn")
    (res,) = crossval.predict_documents(tiny_nlp, [ex])
    assert res.doc_id == "t2" and res.origin == "real" and res.gold is tasks
    for p in res.pred:
        assert "**" not in raw[p["start"]:p["end"]] and "<b>" not in raw[p["start"]:p["end"]]
    pairs = res.pairs()
    assert len(pairs) >= 4                            # a model fitted on this document finds its tasks again
    for gi, pi in pairs:
        assert raw[res.pred[pi]["start"]:res.pred[pi]["end"]] == gold.tasks[gi]["text"]


# --------------------------------------------------------------------------- folds grouped by document

def _examples(n_written=7, n_real=4):
    rng = random.Random(5)
    out = [Example(f"w{i}", "x" * rng.randint(0, 900), [None] * rng.randint(0, 9), "corpus") for i in range(n_written)]
    out += [Example(f"r{i}", "x" * rng.randint(100, 3000), [None] * rng.randint(1, 30), "real") for i in range(n_real)]
    return out


def test_crossval_document_folds_cover_every_document_once_and_spread_each_origin():
    ex = _examples()
    fold_of = crossval.document_folds(ex, 3)
    assert len(fold_of) == len(ex)
    assert sorted(set(fold_of.tolist())) == [0, 1, 2]
    for origin in ("corpus", "real"):
        folds = [f for e, f in zip(ex, fold_of) if e.origin == origin]
        assert len(set(folds)) == 3, origin                     # written and real documents in every fold
        load = [sum(max(1, len(e.text)) for e, f in zip(ex, fold_of) if e.origin == origin and f == k)
                for k in range(3)]
        biggest = max(max(1, len(e.text)) for e in ex if e.origin == origin)
        assert max(load) - min(load) <= biggest, (origin, load)  # balanced by text length
    assert (crossval.document_folds(ex, 3) == fold_of).all()    # deterministic for a seed
    assert (crossval.document_folds(ex, 3, seed=0) == fold_of).all()


def test_crossval_document_folds_do_not_move_when_labels_change():
    """A relabelled document (tasks added or taken out) stays in its fold, and so does every other: an
    evaluation after a label correction compares the same splits as the one before it."""
    ex = _examples()
    fold_of = crossval.document_folds(ex, 3)
    ex[2].tasks = ex[2].tasks + [None] * 40
    ex[-1].tasks = []
    assert (crossval.document_folds(ex, 3) == fold_of).all()


@pytest.mark.parametrize("folds", [1, 0, 12, 2.0])
def test_crossval_document_folds_refuse_bad_fold_counts(folds):
    with pytest.raises(ValueError, match="folds"):
        crossval.document_folds(_examples(), folds)


def test_crossval_run_folds_never_puts_one_document_in_two_folds(monkeypatch):
    ex = _examples()
    prepared = [Prepared(e, None, [], [], [], []) for e in ex]
    fold_of = crossval.document_folds(ex, 3)
    seen = []

    def fake_run_fold(config, labelset, train, test, end_to_end=True):
        seen.append(([p.example.doc_id for p in train], [p.example.doc_id for p in test]))
        return {"fold": len(seen) - 1}

    monkeypatch.setattr(crossval, "run_fold", fake_run_fold)
    results = crossval.run_folds(None, {}, prepared, fold_of)
    assert [r["fold"] for r in results] == [0, 1, 2]
    all_ids = {e.doc_id for e in ex}
    held_out = []
    for k, (train, test) in enumerate(seen):
        assert not set(train) & set(test), k
        assert set(train) | set(test) == all_ids
        assert set(test) == {e.doc_id for e, f in zip(ex, fold_of) if f == k}
        held_out += test
    assert sorted(held_out) == sorted(all_ids)                     # each document held out exactly once


# --------------------------------------------------------------------------- evaluate() on a tiny corpus

WRITTEN = {"000_hien_mau": "t1_hien_mau", "g1_thien_tai": "t3_thien_tai", "t2_sot_xuat_huyet": "t2_sot_xuat_huyet",
           "t5_thang_nhan_dao": "t5_thang_nhan_dao", "t6_thong_bao": "t6_thong_bao"}
REAL = ["t4_cong_dien", "t7_bang_nhiem_vu"]
SEGMENTATION_GOLD = "Ban Tuyên_giáo Tỉnh_ủy chủ_trì tuyên_truyền .\nSở Y_tế kiểm_tra chất_lượng máu .\n"


def _real_record(doc, file: str, data: bytes) -> dict:
    tasks = []
    for t in doc.tasks:
        explicit = any(a["role"] == "lead" and a.get("explicit", True) for a in t["agencies"])
        lead = sorted({a["id"] for a in t["agencies"] if a["role"] == "lead"})
        tasks.append({"start": t["start"], "end": t["end"], "lead": lead,
                      "support": sorted({a["id"] for a in t["agencies"] if a["role"] == "support"}),
                      "themes": list(t["themes"]), "implicit": not explicit,
                      "source": "text" if explicit else ("addressees" if "cong_dien" in file else "item")})
    return {"file": file, "sha256": hashlib.sha256(data).hexdigest(), "kind": doc.meta.get("type") or "",
            "tasks": tasks}


@pytest.fixture(scope="module")
def eval_corpus(tmp_path_factory):
    """Five written documents (one named as a seed with a noisy raw file, one with injected noise), a
    segmentation gold, a second annotation of one written and one real document, and two real documents
    labelled stand-off in a folder of their own."""
    import tiny_corpus

    root = tmp_path_factory.mktemp("eval_corpus")
    tiny_corpus.write_corpus(root, [k for k, v in WRITTEN.items() if k == v])
    for name, source in WRITTEN.items():
        if name != source:                                  # a seed and a document with injected noise
            (root / "src" / f"{name}.txt").write_text(tiny_corpus.SOURCES[source], encoding="utf-8")
    docs = {p.stem: corpus_mod.read_source(p) for p in (root / "src").glob("*.txt")}
    (root / "raw").mkdir()
    seed = docs["000_hien_mau"].text
    assert seed.count("Chủ trì định hướng") == 1
    noisy = seed.replace("Chủ trì định hướng", "Chủ trì đinh hướng").replace("\n", " \n\n")   # one dropped mark
    (root / "raw" / "000_hien_mau.txt").write_text(noisy, encoding="utf-8")
    injected = docs["g1_thien_tai"].text.replace("KẾ HOẠCH", "**KẾ HOẠCH**")                 # four insertions
    (root / "raw" / "g1_thien_tai.txt").write_text(injected, encoding="utf-8")
    (root / "segmentation").mkdir()
    (root / "segmentation" / "gold.txt").write_text(SEGMENTATION_GOLD, encoding="utf-8")
    (root / "agreement").mkdir()
    second = tiny_corpus.SOURCES["t2_sot_xuat_huyet"].replace("lead=van_phong_cap_uy:Văn phòng Tỉnh ủy",
                                                              "lead=cap_uy:Văn phòng Tỉnh ủy")
    assert second != tiny_corpus.SOURCES["t2_sot_xuat_huyet"]
    (root / "agreement" / "t2_sot_xuat_huyet.txt").write_text(second, encoding="utf-8")
    corpus_mod.build(root)                                  # labels.jsonl, as `vanban train` leaves it

    real_dir = tmp_path_factory.mktemp("realdocs")
    (root / "real").mkdir()
    records = []
    for doc in tiny_corpus.gold_documents(REAL):
        data = doc.text.encode("utf-8")
        (real_dir / f"{doc.doc_id}.txt").write_bytes(data)
        records.append(_real_record(doc, f"{doc.doc_id}.txt", data))
    (root / "real" / "labels.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                                encoding="utf-8")
    other = json.loads(json.dumps(records[0]))
    other["tasks"][0]["themes"] = ["kinh_te_ha_tang"]               # the second annotator disagrees on one theme
    (root / "real" / "agreement.jsonl").write_text(json.dumps(other, ensure_ascii=False) + "\n", encoding="utf-8")
    assert realdocs.check(root, real_dir)[1] == []
    return root, real_dir, docs


@pytest.fixture(scope="module")
def eval_scores(eval_corpus, tmp_path_factory):
    root, real_dir, _ = eval_corpus
    report = tmp_path_factory.mktemp("report")
    messages: list[str] = []
    scores = evaluate(root, report_dir=report, folds=2, real_dir=real_dir, progress=messages.append,
                      command="vanban evaluate tiny --folds 2")
    return scores, report, messages


FRACTIONS = [
    "cleanup_cer_before_seeds", "cleanup_cer_after_seeds", "cleanup_cer_before_injected", "cleanup_cer_after_injected",
    "seg_f1_pipeline", "seg_f1_underthesea", "seg_f1_pipeline_names_whole", "seg_f1_underthesea_names_whole",
    *[f"meta_acc_{f}" for f in corpus_mod.META_KEYS],
    *[f"{p}{k}" for p in ("real_", "real_written_only_", "written_", "seeds_")
      for k in ("task_p", "task_r", "task_f", "lead_micro_p", "lead_micro_r", "lead_micro_f", "lead_macro_f",
                "lead_all_micro_f", "support_all_micro_f", "theme_micro_f", "theme_macro_f", "theme_all_micro_f",
                "doc_mean_task_f")],
    *[f"{p}{k}" for p in ("real_stage_", "written_stage_", "real_written_only_stage_")
      for k in ("detect_p", "detect_r", "detect_f", "lead_micro_f", "theme_micro_f", "theme_top3_acc")],
    "real_lead_f_explicit", "real_lead_f_implicit",
]


def test_evaluation_evaluate_returns_the_documented_figures(eval_scores, eval_corpus):
    import tiny_corpus

    scores, _, messages = eval_scores
    for key in FRACTIONS:
        assert key in scores, key
        assert isinstance(scores[key], float), key
        assert 0.0 <= scores[key] <= 1.0, (key, scores[key])
    for key in ("real_lead_f_per_type", "real_theme_f_per_type", "written_lead_f_per_type"):
        assert scores[key], key
        for label, v in scores[key].items():
            assert all(0.0 <= v[m] <= 1.0 for m in ("p", "r", "f")), (key, label, v)
    n_written = sum(len(d.tasks) for d in tiny_corpus.gold_documents(list(WRITTEN.values())))
    n_real = sum(len(d.tasks) for d in tiny_corpus.gold_documents(REAL))
    assert (scores["written_documents"], scores["written_tasks"]) == (5, n_written)
    assert (scores["real_documents"], scores["real_tasks"]) == (2, n_real)
    assert scores["written_gold_tasks"] == n_written and scores["real_gold_tasks"] == n_real
    assert scores["seeds_documents"] == 1
    assert scores["folds"] == 2 and scores["seconds"] > 0
    assert messages[0].startswith(f"gold: 5 written documents ({n_written} tasks), 2 real documents")


def test_evaluation_evaluate_holds_each_document_out_once(eval_scores):
    scores, _, _ = eval_scores
    written = [d["doc_id"] for d in scores["written_per_document"]]
    real = [d["doc_id"] for d in scores["real_per_document"]]
    assert sorted(written) == sorted(WRITTEN)
    assert sorted(real) == sorted(REAL)


def test_evaluation_evaluate_cleanup_groups_and_exact_cer(eval_scores, eval_corpus):
    scores, _, _ = eval_scores
    _, _, docs = eval_corpus
    assert scores["cleanup_documents_seeds"] == 1 and scores["cleanup_documents_injected"] == 1
    assert scores["cleanup_cer_before_seeds"] == pytest.approx(1 / len(normalize_ws(docs["000_hien_mau"].text)),
                                                               abs=1e-4)
    assert scores["cleanup_cer_before_injected"] == pytest.approx(4 / len(normalize_ws(docs["g1_thien_tai"].text)),
                                                                  abs=1e-4)
    assert scores["cleanup_cer_after_injected"] <= scores["cleanup_cer_before_injected"]


def test_evaluation_evaluate_agreement_of_annotators(eval_scores):
    scores, _, _ = eval_scores
    assert scores["written_agreement_documents"] == 1
    assert scores["written_agreement_task_f"] == 1.0
    assert scores["written_agreement_lead_micro_f"] == pytest.approx(prf(5, 1, 1)[2], abs=1e-4)  # 1 lead of 6 changed
    assert scores["written_agreement_theme_micro_f"] == 1.0
    assert scores["real_agreement_documents"] == 1
    assert scores["real_agreement_lead_micro_f"] == 1.0
    assert scores["real_agreement_theme_micro_f"] < 1.0


def test_evaluation_evaluate_writes_report_and_scores(eval_scores):
    scores, report, _ = eval_scores
    text = (report / "report.md").read_text(encoding="utf-8")
    assert "`vanban evaluate tiny --folds 2`" in text
    for heading in ("## 1. Real documents, end to end", "## 2. Each learned stage on gold input",
                    "## 3. Written corpus, end to end", "## 4. Stages that do not learn", "## 5. Timing",
                    "## 6. Agreement between annotators"):
        assert heading in text, heading
    assert "IoU ≥ 0.5" in text
    assert "fold 1:" in text and "fold 2:" in text
    for label in scores["real_theme_f_per_type"]:
        assert f"`{label}`" in text
    for d in scores["real_per_document"]:
        assert f"| {d['doc_id']} |" in text
    assert f"{scores['real_task_f']:.3f}" in text and f"{scores['written_task_f']:.3f}" in text
    assert json.loads((report / "scores.json").read_text(encoding="utf-8")) == scores


def test_evaluation_evaluate_names_the_training_data_as_training_does(eval_scores, eval_corpus):
    # `vanban train --scores` records the scores only when this id is its own training data's
    scores, _, _ = eval_scores
    root, _, _ = eval_corpus
    assert scores["training_data"] == training_data_id({"sha256": corpus_mod.corpus_hash(root),
                                                        "real_labels_sha256": realdocs.labels_hash(root)})
    assert "None" not in scores["training_data"]


def _evaluation_script(name: str):
    """The module of ``evaluation/<name>.py`` (a script, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"{name}_script", ROOT / "evaluation" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _tasks(results):
    return [[(p["start"], p["end"], sorted(p["lead"]), sorted(p["support"]), sorted(p["themes"])) for p in r.pred]
            for r in results]


def test_threshold_sweep_varies_one_setting_and_puts_it_back(tiny_nlp, tiny_examples):
    """evaluation/thresholds.py: at the value the model has, a setting's row is exactly what the pipeline
    gives end to end; other values change the output (a stricter detector covers less of each text); every
    setting is as it was afterwards."""
    mod = _evaluation_script("thresholds")
    # the detector's values set wide apart: the tiny model, run on the documents it was fitted on, is sure of
    # most candidates, so that values a few hundredths apart can all keep the same ones
    mod.SWEEPS[("detector", "threshold")] = ("detector", "threshold", [0.05, tiny_nlp.get_pipe("detector").models[
        "detector"].threshold, 0.95])
    models = {(c, s): tiny_nlp.get_pipe(c).models[key] for (c, s), (key, _, _) in mod.SWEEPS.items()}
    before = {k: m.get_params()[mod.SWEEPS[k][1]] for k, m in models.items()}
    out = mod.sweep(tiny_nlp, tiny_examples)
    assert {k: m.get_params()[mod.SWEEPS[k][1]] for k, m in models.items()} == before
    plain = _tasks(crossval.predict_documents(tiny_nlp, tiny_examples))
    for (comp, setting), value in before.items():
        assert (comp, setting, value) in out, (comp, setting, value)
        assert _tasks(out[(comp, setting, value)]) == plain, (comp, setting)

    def covered(results):
        return sum(p["end"] - p["start"] for r in results for p in r.pred)
    values = mod.SWEEPS[("detector", "threshold")][2]
    sizes = [covered(out[("detector", "threshold", v)]) for v in values]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > sizes[-1]
    one = _tasks(out[("themes", "max_labels", 1)])
    assert all(len(t[4]) == 1 for doc in one for t in doc)
    assert one != plain


def test_stage_at_the_config_is_the_stage_figure_and_a_setting_moves_it(tiny_examples, tiny_labelset):
    """evaluation/stage.py: the theme component alone, and the mention and agency components alone, fitted per
    fold, give exactly the themes, leads and supporting agencies the whole pipeline fitted on the same fold
    gives the gold tasks (``vanban evaluate``'s stage figures); a setting tried changes them; an unknown
    setting or component is refused."""
    from pipeline.evaluation.metrics import set_scores
    from pipeline.errors import ConfigError
    from pipeline.language import Pipeline
    from pipeline.training import fit_prepared, prepare

    mod = _evaluation_script("stage")
    config = Pipeline.from_config(None).config
    prepared = prepare(Pipeline.from_config(config), tiny_examples)
    splits = crossval.fold_splits(prepared, crossval.document_folds(tiny_examples, 2, 0))
    gold: dict = {"lead": [], "support": [], "themes": []}
    pred: dict = {"lead": [], "support": [], "themes": []}
    for train, test in splits:
        nlp = fit_prepared(Pipeline.from_config(config), train, tiny_labelset)
        stages = crossval.predict_stages(nlp, test)
        for k in pred:
            pred[k] += stages[k]
            gold[k] += [set(getattr(g, k)) for p in test for g in p.golds]
    whole = {mod.KINDS[k]: set_scores(gold[k], pred[k])["micro_f"] for k in pred}
    assert {p.example.origin for p in prepared} == {"corpus"}          # the tiny corpus is written documents
    themes = mod.run(config, ["themes"], {}, tiny_labelset, splits, 1)
    assert themes["written"] == {"theme": whole["theme"]} and whole["theme"] > 0 and themes["real"] is None
    agencies = mod.run(config, ["mentions", "agencies"], {}, tiny_labelset, splits, 1)
    assert agencies["written"] == {"lead": whole["lead"], "support": whole["support"]} and whole["lead"] > 0
    strict = mod.run(config, ["themes"], {"themes": {"threshold": 0.99, "tune_thresholds": False}},
                     tiny_labelset, splits, 1)
    assert strict["written"]["theme"] != whole["theme"]
    strict = mod.run(config, ["mentions", "agencies"], {"agencies": {"threshold": 0.99}}, tiny_labelset, splits, 1)
    assert strict["written"]["lead"] != whole["lead"]
    with pytest.raises(ConfigError):
        mod.components_only(config, ["themes"], {"themes": {"no_such_setting": 1}})
    with pytest.raises(ValueError, match="not in --components"):
        mod.components_only(config, ["themes"], {"agencies": {"threshold": 0.7}})


def test_stage_agencies_are_the_components_own(tiny_nlp, tiny_examples):
    """The stage figures' leads and supporting agencies of the gold tasks are those the agencies component
    gives the same tasks (one combining of the two models: a class may lead and support, an actor named as
    lead is not also support). The models give fixed labels, one of them the lead's own name as support."""
    import copy

    from pipeline.document import AgencyLabel, Document
    from pipeline.language import Pipeline
    from pipeline.training import prepare

    class Fixed:
        def __init__(self, labels):
            self.labels = labels

        def predict_agencies(self, X):
            return [list(self.labels) for _ in range(len(X))]

    nlp = copy.deepcopy(tiny_nlp)
    nlp.get_pipe("agencies").models = {
        "lead": Fixed([AgencyLabel("so_ban_nganh", "Sở Y tế", "lead", True, 0.9),
                       AgencyLabel("chinh_quyen", "UBND tỉnh", "lead", True, 0.9)]),
        "support": Fixed([AgencyLabel("chinh_quyen", "UBND tỉnh", "support", True, 0.8),
                          AgencyLabel("so_ban_nganh", "Sở Tài chính", "support", True, 0.9)])}
    prepared = prepare(Pipeline.from_config(nlp.config), tiny_examples[:2])
    stages = crossval.predict_stages(nlp, prepared)
    tasks = copy.deepcopy([t for p in prepared for t in p.tasks])
    doc = nlp.get_pipe("agencies")(Document(doc_id="d", tasks=tasks))
    assert stages["lead"] == [{a.id for a in t.agencies if a.role == "lead"} for t in doc.tasks]
    assert stages["support"] == [{a.id for a in t.agencies if a.role == "support"} for t in doc.tasks]
    assert stages["support"] and all(s == {"so_ban_nganh"} for s in stages["support"])
