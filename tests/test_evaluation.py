"""Stage-by-stage evaluation: the metric helpers on known values, and evaluate() on a tiny corpus."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from pipeline import corpus as corpus_mod
from pipeline.document import Token
from pipeline.evaluation import (
    boundary_f1,
    cer,
    document_folds,
    eval_metadata,
    eval_segmentation,
    evaluate,
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


def test_evaluation_set_scores_perfect_and_empty():
    assert set_scores([{"x"}, {"y", "z"}], [{"x"}, {"z", "y"}])["micro_f"] == 1.0
    empty = set_scores([set(), set()], [set(), set()])
    assert empty["micro_f"] == 0.0 and empty["macro_f"] == 0.0 and empty["per_type"] == {}
    with pytest.raises(ValueError):
        set_scores([{"x"}], [])


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


def test_evaluation_boundary_f1_pools_sentences():
    p, r, f = boundary_f1([({(0, 1), (1, 2)}, {(0, 2)}), ({(0, 3)}, {(0, 3)})])
    assert (p, r) == (0.5, pytest.approx(1 / 3))


# --------------------------------------------------------------------------- baselines, metadata, folds

def test_evaluation_theme_keywords_from_labelset():
    labelset = corpus_mod.load_labelset(ROOT / "corpus")
    table = theme_keywords(labelset)
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


def test_evaluation_document_folds_cover_every_document_once():
    docs = [corpus_mod.GoldDocument(f"d{i}", "", {}, [{}] * (i % 4)) for i in range(9)]
    fold_of = document_folds(docs, 3)
    assert sorted(set(fold_of.tolist())) == [0, 1, 2]
    assert len(fold_of) == 9
    assert (document_folds(docs, 3) == fold_of).all()        # deterministic
    with pytest.raises(ValueError, match="folds"):
        document_folds(docs, 10)
    with pytest.raises(ValueError, match="folds"):
        document_folds(docs, 1)


# --------------------------------------------------------------------------- evaluate() on a tiny corpus

SOURCES = {
    "001_seed": """#meta number=12-KH/TU | type=kế hoạch | issuer=Ban Thường vụ Tỉnh ủy Hà Tĩnh | place=Hà Tĩnh | date=2024-03-05 | signer=Nguyễn Văn An
TỈNH ỦY HÀ TĨNH
Số 12-KH/TU
Hà Tĩnh, ngày 5 tháng 3 năm 2024
KẾ HOẠCH
Căn cứ Nghị quyết số 05-NQ/TU của Tỉnh ủy về công tác hiến máu.
Thời gian qua công tác hiến máu tình nguyện đạt nhiều kết quả.
I. NHIỆM VỤ
1. Công tác tuyên truyền
- {{Ban Tuyên giáo chủ trì tuyên truyền về hiến máu tình nguyện.|lead=ban_tuyen_giao:Ban Tuyên giáo|themes=tuyen_truyen,hien_mau}}
- {{Sở Y tế tổ chức các điểm hiến máu tình nguyện.|lead=so_ban_nganh:Sở Y tế|themes=hien_mau}}
- {{Hội Chữ thập đỏ chủ trì, phối hợp với Sở Y tế vận động hội viên tham gia hiến máu.|lead=hoi_chu_thap_do:Hội Chữ thập đỏ|support=so_ban_nganh:Sở Y tế|themes=hien_mau}}
2. Công tác kiểm tra
- {{Ban Tuyên giáo kiểm tra việc tuyên truyền về hiến máu.|lead=ban_tuyen_giao:Ban Tuyên giáo|themes=kiem_tra_giam_sat}}
- {{Sở Y tế báo cáo kết quả hiến máu tình nguyện.|lead=so_ban_nganh:Sở Y tế|themes=kiem_tra_giam_sat}}
Nơi nhận:
- Như trên;
- Lưu VT.
T/M BAN THƯỜNG VỤ
BÍ THƯ
Nguyễn Văn An
""",
    "g1_01": """#meta number=45/KH-UBND | type=kế hoạch | issuer=Ủy ban nhân dân tỉnh Nghệ An | place=Nghệ An | date=2024-02-01 | signer=Lê Văn Bình
ỦY BAN NHÂN DÂN
TỈNH NGHỆ AN
Số: 45/KH-UBND
Nghệ An, ngày 01 tháng 02 năm 2024
KẾ HOẠCH
Thực hiện Kế hoạch số 10-KH/TU của Tỉnh ủy về công tác phòng, chống thiên tai.
Năm 2023, thiên tai gây thiệt hại lớn trên địa bàn tỉnh.
II. NHIỆM VỤ CỤ THỂ
1. {{Sở Nông nghiệp và Phát triển nông thôn chủ trì xây dựng phương án phòng, chống thiên tai.|lead=so_ban_nganh:Sở Nông nghiệp và Phát triển nông thôn|themes=thien_tai_dich_benh}}
2. {{Công an tỉnh bảo đảm an ninh trật tự tại các vùng bị ảnh hưởng.|lead=luc_luong_vu_trang:Công an tỉnh|themes=an_ninh_trat_tu}}
3. {{Ủy ban nhân dân các huyện kiểm tra việc chuẩn bị vật tư, phương tiện.|lead=chinh_quyen:Ủy ban nhân dân các huyện|themes=kiem_tra_giam_sat,thien_tai_dich_benh}}
4. {{Hội Chữ thập đỏ tỉnh vận động nguồn lực hỗ trợ người dân bị thiệt hại.|lead=hoi_chu_thap_do:Hội Chữ thập đỏ tỉnh|themes=tro_giup_nhan_dao}}
Nơi nhận:
- Tỉnh ủy (b/c);
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Lê Văn Bình
""",
    "g1_02": """#meta number=20/KH-CTĐ | type=kế hoạch | issuer=null | place=Vinh | date=2024-05-10 | signer=null
HỘI CHỮ THẬP ĐỎ TỈNH NGHỆ AN
Số: 20/KH-CTĐ
Vinh, ngày 10 tháng 5 năm 2024
KẾ HOẠCH
Căn cứ Luật Hoạt động chữ thập đỏ năm 2008.
Tuy nhiên, nguồn máu dự trữ còn thiếu vào dịp hè.
II. NHIỆM VỤ CỤ THỂ
1. {{Hội Chữ thập đỏ các huyện tổ chức ngày hội hiến máu tình nguyện.|lead=hoi_chu_thap_do:Hội Chữ thập đỏ các huyện|themes=hien_mau}}
2. {{Đoàn Thanh niên vận động đoàn viên tham gia hiến máu.|lead=mttq_doan_the:Đoàn Thanh niên|themes=hien_mau,phong_trao_van_dong}}
3. {{Sở Y tế kiểm tra chất lượng máu tại các bệnh viện.|lead=so_ban_nganh:Sở Y tế|themes=kiem_tra_giam_sat}}
4. {{Báo Nghệ An tuyên truyền về các tấm gương hiến máu.|lead=co_quan_truyen_thong:Báo Nghệ An|themes=tuyen_truyen}}
""",
    "g1_03": """#meta number=7-CV/TU | type=công văn | issuer=Ban Thường vụ Thành ủy Vinh | place=Vinh | date=2024-01-10 | signer=Trần Thị Hoa
THÀNH ỦY VINH
Số 7-CV/TU
Vinh, ngày 10 tháng 1 năm 2024
Thời gian qua công tác tuyên truyền đạt nhiều kết quả.
II. NHIỆM VỤ CỤ THỂ
1. {{Ban Tuyên giáo Thành ủy chủ trì tuyên truyền về đại hội.|lead=ban_tuyen_giao:Ban Tuyên giáo Thành ủy|themes=tuyen_truyen,dai_hoi_nhan_su}}
2. {{Ban Tổ chức Thành ủy chuẩn bị nhân sự đại hội.|lead=ban_to_chuc:Ban Tổ chức Thành ủy|themes=dai_hoi_nhan_su}}
3. {{Ủy ban Kiểm tra Thành ủy kiểm tra việc thực hiện.|lead=uy_ban_kiem_tra:Ủy ban Kiểm tra Thành ủy|themes=kiem_tra_giam_sat}}
4. {{Các cấp ủy báo cáo kết quả về Thành ủy.|lead=cap_uy:Các cấp ủy|themes=kiem_tra_giam_sat}}
T/M BAN THƯỜNG VỤ
PHÓ BÍ THƯ
Trần Thị Hoa
""",
}
SEGMENTATION_GOLD = "Ban Tuyên_giáo Tỉnh_ủy chủ_trì tuyên_truyền .\nSở Y_tế kiểm_tra chất_lượng máu .\n"

FLOAT_KEYS = [
    "cleanup_cer_before_seeds", "cleanup_cer_after_seeds", "cleanup_cer_before_injected",
    "cleanup_cer_after_injected", "seg_f1_pipeline", "seg_f1_underthesea", "seg_f1_pipeline_names_whole",
    "seg_f1_underthesea_names_whole", "task_p", "task_r", "task_f", "task_f_exact", "task_f_rules",
    "lead_micro_f", "lead_macro_f", "support_micro_f", "support_macro_f", "lead_micro_f_majority",
    "lead_micro_f_rules", "theme_micro_f", "theme_macro_f", "theme_top3_acc", "theme_micro_f_majority",
    "theme_micro_f_keywords", *[f"meta_acc_{f}" for f in corpus_mod.META_KEYS],
]
PER_TYPE_KEYS = ["lead_f_per_type", "support_f_per_type", "theme_f_per_type"]


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny_corpus")
    shutil.copyfile(ROOT / "corpus" / "labelset.json", root / "labelset.json")
    (root / "src").mkdir()
    (root / "raw").mkdir()
    (root / "segmentation").mkdir()
    for doc_id, source in SOURCES.items():
        (root / "src" / f"{doc_id}.txt").write_text(source, encoding="utf-8")
    docs = {d.doc_id: d for d in corpus_mod.build(root)}
    # seed: one dropped tone mark (one substitution) plus whitespace noise that does not count
    seed = docs["001_seed"].text
    assert seed.count("chủ trì tuyên truyền") == 1
    noisy = seed.replace("chủ trì tuyên truyền", "chủ trì tuyen truyền").replace("\n", " \n\n")
    (root / "raw" / "001_seed.txt").write_text(noisy.replace("Hà Tĩnh, ngày", "Hà  Tĩnh,\u00a0ngày"),
                                               encoding="utf-8")
    # injected: bold markers around the title (4 insertions)
    injected = docs["g1_01"].text.replace("KẾ HOẠCH", "**KẾ HOẠCH**")
    (root / "raw" / "g1_01.txt").write_text(injected, encoding="utf-8")
    (root / "segmentation" / "gold.txt").write_text(SEGMENTATION_GOLD, encoding="utf-8")
    corpus_mod.build(root)                      # labels.jsonl now records the raw files
    return root


@pytest.fixture(scope="module")
def tiny_scores(tiny_corpus, tmp_path_factory):
    report = tmp_path_factory.mktemp("report")
    messages: list[str] = []
    scores = evaluate(tiny_corpus, report_dir=report, folds=2, n_jobs=1, progress=messages.append)
    return scores, report, messages


def test_evaluation_evaluate_returns_the_documented_figures(tiny_scores):
    scores, _, messages = tiny_scores
    for key in FLOAT_KEYS:
        assert key in scores, key
        assert isinstance(scores[key], float), key
        assert 0.0 <= scores[key] <= 1.0, (key, scores[key])
    for key in PER_TYPE_KEYS:
        assert scores[key], key
        for label, v in scores[key].items():
            assert all(0.0 <= v[m] <= 1.0 for m in ("p", "r", "f")), (key, label, v)
    assert scores["corpus_documents"] == 4
    assert scores["corpus_tasks"] == 17
    assert scores["label_counts_themes"]["kiem_tra_giam_sat"] == 6
    assert scores["label_counts_agencies"]["so_ban_nganh"] == 5      # 4 leads + 1 support
    assert scores["task_folds_rules_fallback"] == 0     # the detector itself was evaluated on both folds
    assert scores["seconds"] > 0
    assert messages and messages[-1].startswith("done")


def test_evaluation_evaluate_cleanup_groups_and_exact_cer(tiny_scores, tiny_corpus):
    scores, _, _ = tiny_scores
    docs = {d.doc_id: d for d in corpus_mod.load(tiny_corpus)}
    assert scores["cleanup_documents_seeds"] == 1 and scores["cleanup_documents_injected"] == 1
    assert scores["cleanup_cer_before_seeds"] == pytest.approx(1 / len(normalize_ws(docs["001_seed"].text)), abs=1e-4)
    assert scores["cleanup_cer_before_injected"] == pytest.approx(4 / len(normalize_ws(docs["g1_01"].text)),
                                                                  abs=1e-4)
    assert scores["cleanup_cer_after_injected"] <= scores["cleanup_cer_before_injected"]


def test_evaluation_evaluate_writes_report_and_scores(tiny_scores, tiny_corpus):
    scores, report, _ = tiny_scores
    text = (report / "report.md").read_text(encoding="utf-8")
    assert f"vanban evaluate {tiny_corpus.as_posix()}" in text
    assert "--folds 2" in text
    for key in ("task_f_rules", "theme_top3_acc", "meta_acc_signer", "seg_f1_underthesea_names_whole"):
        assert f"`{key}`" in text
    assert "IoU" in text and "Levenshtein" in text           # the definitions are written out
    for label in scores["theme_f_per_type"]:
        assert f"`{label}`" in text
    for name in ("confusion_lead.png", "learning_curve.png"):
        assert (report / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((report / "scores.json").read_text(encoding="utf-8")) == scores


def test_evaluation_evaluate_hash_matches_the_built_corpus(tiny_scores, tiny_corpus):
    # `vanban train --scores` records the scores only when this hash is the corpus's
    scores, _, _ = tiny_scores
    assert scores["corpus_sha256"] == corpus_mod.corpus_hash(tiny_corpus)


@pytest.mark.parametrize("a,b,expected", [
    ([1, 1, 0, 0], [1, 1, 0, 0], 1.0),
    ([1, 0, 1, 0], [0, 1, 0, 1], -1.0),
    ([1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 1], 1 / 3),
])
def test_evaluation_cohen_kappa(a, b, expected):
    from pipeline.evaluation import cohen_kappa

    assert cohen_kappa(a, b) == pytest.approx(expected)
