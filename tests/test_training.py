"""Training (pipeline/training.py, pipeline/features.py): one feature path. The frames the estimators are
fitted on are the frames the pipeline's components build when they annotate the same document; candidates
under MIN_WORDS reach neither training nor inference; gold and candidates are aligned through cleanup."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline import training
from pipeline.agencies import AgencyClassifier
from pipeline.document import Task, TaskContext
from pipeline.features import COLUMNS, task_frame
from pipeline.language import Pipeline
from pipeline.splitting import MIN_WORDS, TaskDetector
from pipeline.themes import ThemeClassifier
from pipeline.training import Example, GoldTask, prepare

SHORT_DOC = """#meta number=3/KH-UBND | type=kế hoạch | issuer=Ủy ban nhân dân xã Hải Phú | place=Hải Phú | date=2024-01-05 | signer=null
ỦY BAN NHÂN DÂN XÃ HẢI PHÚ
KẾ HOẠCH
Tổ chức Tết vì người nghèo năm 2024
1. {{Báo cáo.|lead=chinh_quyen*:Ủy ban nhân dân xã Hải Phú|themes=kiem_tra_giam_sat}}
2. {{Hội Chữ thập đỏ xã vận động các nhà hảo tâm ủng hộ quà Tết cho hộ nghèo.|lead=hoi_chu_thap_do:Hội Chữ thập đỏ xã|themes=tro_giup_nhan_dao}}
3. {{Đoàn Thanh niên xã tổ chức gói bánh chưng tặng người cao tuổi neo đơn.|lead=mttq_doan_the:Đoàn Thanh niên xã|themes=tro_giup_nhan_dao}}
4. Pháp chế
"""


def _short_example():
    from pipeline.corpus import GoldDocument, parse_source

    meta, text, tasks = parse_source(SHORT_DOC)
    return training.corpus_examples([GoldDocument("t0_short", text, meta, tasks)])[0]


class Spy:
    """Records the frames the estimators are fitted on and asked about."""

    def __init__(self, mp):
        self.fit = {"detector": [], "agencies": [], "themes": []}
        self.asked = {"detector": [], "agencies": [], "themes": []}
        for name, cls, fit_m, ask_m in (("detector", TaskDetector, "fit", "predict_proba"),
                                        ("agencies", AgencyClassifier, "fit", "predict_agencies"),
                                        ("themes", ThemeClassifier, "fit", "predict_proba")):
            mp.setattr(cls, fit_m, self._wrap(getattr(cls, fit_m), self.fit[name]))
            mp.setattr(cls, ask_m, self._wrap(getattr(cls, ask_m), self.asked[name]))

    @staticmethod
    def _wrap(method, log):
        def wrapped(est, X, *args, **kwargs):
            log.append(X.copy() if isinstance(X, pd.DataFrame) else X)
            return method(est, X, *args, **kwargs)
        return wrapped


@pytest.fixture(scope="module")
def spied(tiny_labelset):
    import tiny_corpus

    examples = tiny_corpus.examples(["t1_hien_mau", "t2_sot_xuat_huyet", "t6_thong_bao", "t7_bang_nhiem_vu"])
    examples.append(_short_example())
    with pytest.MonkeyPatch.context() as mp:
        spy = Spy(mp)
        nlp = Pipeline.from_config()
        prepared = prepare(nlp, examples)
        training.fit_prepared(nlp, prepared, tiny_labelset)
        fit_frames = {k: list(v) for k, v in spy.fit.items()}
        annotated = []
        for ex in examples:
            for v in spy.asked.values():
                v.clear()
            doc = nlp(ex.text, doc_id=ex.doc_id)
            annotated.append((doc, {k: list(v) for k, v in spy.asked.items()}))
    return examples, prepared, nlp, fit_frames, annotated


def _rows(frame: pd.DataFrame, keep) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "doc"} for r in frame.to_dict("records") if keep(r)]


def test_training_detector_is_fitted_on_the_candidates_it_is_asked_about(spied):
    examples, prepared, _, fit_frames, annotated = spied
    (X_fit,) = [X for X in fit_frames["detector"] if len(X) == sum(len(p.doc.candidates) for p in prepared)]
    for i, (doc, asked) in enumerate(annotated):
        (X_ask,) = asked["detector"]
        assert _rows(X_fit, lambda r, i=i: r["doc"] == i) == _rows(X_ask, lambda r: True), examples[i].doc_id
        assert set(X_ask["doc"]) <= {0}


@pytest.mark.parametrize("kind", ["agencies", "themes"])
def test_training_classifier_frames_equal_the_annotation_frames(spied, kind):
    examples, prepared, _, fit_frames, annotated = spied
    X_fit = fit_frames[kind][0]
    n_tasks = sum(len(p.tasks) for p in prepared)
    assert len(X_fit) == n_tasks
    if kind == "agencies":
        assert all(len(X) == n_tasks for X in fit_frames[kind])          # lead and support: the same frame
        assert "mentions" in X_fit.columns
    else:
        assert "mentions" not in X_fit.columns
        assert X_fit["doc"].tolist() == [i for i, p in enumerate(prepared) for _ in p.tasks]
    compared = 0
    offset = 0
    for i, (p, (doc, asked)) in enumerate(zip(prepared, annotated)):
        train_rows = _rows(X_fit.iloc[offset:offset + len(p.tasks)], lambda r: True)
        offset += len(p.tasks)
        if not asked[kind]:
            continue
        ask_rows = {r["text"]: r for r in _rows(asked[kind][0], lambda r: True)}
        for r in train_rows:
            if r["text"] in ask_rows:                  # a gold task the detector kept
                assert r == ask_rows[r["text"]], (examples[i].doc_id, r["text"])
                compared += 1
    assert compared >= 0.8 * n_tasks


def test_training_frames_carry_words_and_context(spied):
    _, prepared, _, fit_frames, _ = spied
    X = fit_frames["agencies"][0]
    assert list(X.columns[:len(COLUMNS)]) == COLUMNS
    row = X[X["text"].str.startswith("Chủ trì định hướng")].iloc[0]
    assert row["heading"] == "Ban Tuyên giáo Tỉnh ủy"
    assert row["issuer"] == "Ban Thường vụ Tỉnh ủy Quảng Trị"
    assert "_" in row["words"]                                        # segmented
    assert [m.text for m in row["mentions"]["heading"]] == ["Ban Tuyên giáo Tỉnh ủy"]


def test_training_short_candidates_never_reach_training_or_inference(spied):
    examples, prepared, _, fit_frames, annotated = spied
    short = next(p for p in prepared if p.example.doc_id == "t0_short")
    assert short.missed == 1                                          # the gold task "Báo cáo." has no candidate
    assert [t.text for t in short.tasks] == [examples[-1].text[g.start:g.end] for g in examples[-1].tasks[1:]]
    for X in fit_frames["detector"] + fit_frames["agencies"] + fit_frames["themes"]:
        assert (X["text"].str.split().str.len() >= MIN_WORDS).all()
    for doc, asked in annotated:
        for c in doc.candidates:
            assert len(c.text.split()) >= MIN_WORDS
        assert all(len(t.text.split()) >= MIN_WORDS for t in doc.tasks)


def test_training_candidates_are_labelled_by_their_overlap_with_gold(spied):
    examples, prepared, _, _, _ = spied
    for ex, p in zip(examples, prepared):
        gold = {(g.start, g.end) for g in ex.tasks}
        for (s, e), label in zip(p.cand_spans, p.cand_labels):
            assert label == int((s, e) in gold), (ex.doc_id, ex.text[s:e])
        assert len(p.tasks) + p.missed == len(ex.tasks)


def test_training_prepare_maps_candidates_back_through_cleanup():
    text = ("1.  **Sở Y tế**  chủ trì   tổ chức khám bệnh cho người cao tuổi.\n\n\n"
            "2. Hội Chữ thập đỏ tỉnh vận động\nhiến máu tình nguyện.\n")
    a, b = text.index("**Sở"), text.index("tuổi.") + 5
    c = text.index("Hội Chữ")
    d = text.index("nguyện.") + 7
    ex = Example("raw", text, [GoldTask(a, b, ["so_ban_nganh"], [], ["cham_soc_suc_khoe"]),
                               GoldTask(c, d, ["hoi_chu_thap_do"], [], ["hien_mau"])], origin="real")
    (p,) = prepare(Pipeline.from_config({"pipeline": ["cleanup", "metadata", "structure", "detector", "segmenter"]}),
                   [ex])
    assert p.doc.clean_text != text
    assert p.cand_labels == [1, 1] and p.missed == 0
    assert [t.text for t in p.tasks] == ["Sở Y tế chủ trì tổ chức khám bệnh cho người cao tuổi.",
                                         "Hội Chữ thập đỏ tỉnh vận động hiến máu tình nguyện."]
    assert p.tasks[0].words.startswith("Sở_Y_tế")


def test_training_real_documents_are_weighted():
    mk = lambda origin: training.Prepared(Example("x", "", [], origin), None, [], [], [], [])  # noqa: E731
    np.testing.assert_array_equal(training.weights([mk("real"), mk("corpus")], 3.0), [3.0, 1.0])
    assert training.weights([mk("real")], 1.0) is None


def test_training_fit_records_the_label_set(tiny_nlp, tiny_labelset):
    assert tiny_nlp.labelset == tiny_labelset
    assert all(tiny_nlp.get_pipe(n).fitted for n in tiny_nlp.learned_pipes)


def test_training_mention_training_texts(spied):
    _, prepared, _, _, _ = spied
    texts, spans = training.mention_training(prepared)
    assert texts == sorted(texts) and len(texts) == len(spans)
    t = "Hội Chữ thập đỏ tỉnh chủ trì, phối hợp với Tỉnh đoàn tổ chức Ngày hội hiến máu mùa hè."
    i = texts.index(t)
    assert (0, len("Hội Chữ thập đỏ tỉnh"), "hoi_chu_thap_do") in spans[i]
    assert any(t[s:e] == "Tỉnh đoàn" and lab == "mttq_doan_the" for s, e, lab in spans[i])
    # a written document locates only its explicit agencies: a heading is no training text
    assert "Ban Tuyên giáo Tỉnh ủy" not in texts


def test_training_mention_training_takes_lines_that_hold_inherited_mentions():
    text = "1. Ban Tuyên giáo Tỉnh ủy\n- Chủ trì tuyên truyền về hiến máu tình nguyện."
    s = text.index("Chủ trì")
    a = text.index("Ban")
    g = GoldTask(s, len(text), ["ban_tuyen_giao"], [], ["tuyen_truyen"], "heading",
                 [(a, a + len("Ban Tuyên giáo Tỉnh ủy"), "ban_tuyen_giao", "lead")])
    (p,) = prepare(Pipeline.from_config({"pipeline": ["cleanup", "metadata", "structure", "detector"]}),
                   [Example("real1", text, [g], origin="real")])
    texts, spans = training.mention_training([p])
    assert texts == ["Ban Tuyên giáo Tỉnh ủy", "Chủ trì tuyên truyền về hiến máu tình nguyện."]
    assert spans == [[(0, 22, "ban_tuyen_giao")], []]


def test_training_mention_roles(spied):
    _, prepared, _, _, _ = spied
    p = next(p for p in prepared if p.example.doc_id == "t1_hien_mau")
    t = next(t for t in p.tasks if t.text.startswith("Hội Chữ thập đỏ tỉnh chủ trì"))
    g = p.golds[p.tasks.index(t)]
    (roles,) = training.mention_roles([t], [g], [p.doc])
    assert roles[:2] == ["lead", "support"]


# --------------------------------------------------------------------------- the frame itself

def test_features_task_frame():
    tasks = [Task(id=0, text="Sở Y tế chủ trì.", start=0, end=16, words="Sở_Y_tế chủ_trì .",
                  context=TaskContext(heading="II. NHIỆM VỤ", addressees="Sở Y tế")),
             Task(id=1, text="Báo cáo kết quả.", start=17, end=33)]
    X = task_frame(tasks)
    assert list(X.columns) == COLUMNS + ["doc"]
    assert X["words"].tolist() == ["Sở_Y_tế chủ_trì .", "Báo cáo kết quả."]   # the text when not segmented
    assert X.loc[0, "heading"] == "II. NHIỆM VỤ" and X.loc[1, "heading"] == ""
    assert X["doc"].tolist() == [0, 0]
    assert task_frame(tasks, docs=["a", "b"])["doc"].tolist() == ["a", "b"]
    tasks[0].mentions = {"text": ["m"]}
    assert task_frame(tasks)["mentions"].tolist() == [{"text": ["m"]}, {}]
    assert "mentions" not in task_frame(tasks, with_mentions=False).columns
    assert task_frame([]).shape == (0, len(COLUMNS) + 1)


@pytest.mark.parametrize("ngram_range", [(2, 4), (2, 5), (1, 3), (3, 3)])
def test_features_char_word_ngrams_equal_scikit_learns_char_wb(ngram_range):
    """The cached analyzer the detector, themes and mentions use gives scikit-learn's ``char_wb`` n-grams
    exactly, in the same order (so a vectorizer's vocabulary and weights are the same), for short words,
    capitals, runs of whitespace of every kind, and again once its cache is warm."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from pipeline.features import CharWordNgrams

    texts = ["Sở Y tế chủ trì.", "a", "", "   ", "ỦY BAN  NHÂN\tDÂN\nxã", "Đắk Lắk, 2025-01-05 (35/KH-UBND)",
             "ab abc abcd abcde x y", "chủtrì phốihợp", "trách\u00a0nhiệm \u3000 thực hiện"]
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range).build_analyzer()
    ours = CharWordNgrams(ngram_range)
    for _ in range(2):
        assert [ours(t) for t in texts] == [reference(t) for t in texts]
    X = [" ".join(texts), texts[0], texts[4]]
    a = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range).fit(X)
    b = TfidfVectorizer(analyzer=CharWordNgrams(ngram_range)).fit(X)
    assert a.vocabulary_ == b.vocabulary_
    assert (a.transform(X) != b.transform(X)).nnz == 0


@pytest.mark.parametrize("ngram_range,max_features", [((2, 4), None), ((2, 5), None), ((2, 4), 40)])
def test_features_char_ngrams_count_each_word_once_with_scikit_learns_matrix(ngram_range, max_features):
    """The char features (detector, themes, mention labels) count each distinct word's n-grams once a call and
    let scipy sum them: the matrix is ``TfidfVectorizer``'s own, entry for entry and in the same order (a word
    twice in a text, two words sharing an n-gram, words the vocabulary has never seen, an empty text). Fitting
    is scikit-learn's; only the order a row's norm is summed in differs there (TfidfVectorizer's fitted matrix
    keeps its columns unsorted), by a rounding."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    from pipeline.features import CharWordNgrams, char_ngrams

    fit = ["Sở Y tế chủ trì, phối hợp Sở Tài chính.", "sở y tế; SỞ Y TẾ", "Ủy ban nhân dân xã phường"]
    texts = fit + ["", "   ", "tế tế tế chủ chủ", "chủtrì phốihợp", "Quỹ Hỗ trợ nông dân", "xyz qqq"]
    ours = char_ngrams(max_features, ngram_range).fit(fit)
    ref = TfidfVectorizer(analyzer=CharWordNgrams(ngram_range), sublinear_tf=True, max_features=max_features).fit(fit)
    a, b = ours.transform(texts), ref.transform(texts)
    assert a.shape == b.shape and a.has_canonical_format
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)
    counts = ours.named_steps["counts"].transform(texts)
    ref_counts = CountVectorizer(analyzer=CharWordNgrams(ngram_range), max_features=max_features).fit(fit).transform(texts)
    assert counts.has_canonical_format and np.array_equal(counts.indices, ref_counts.sorted_indices().indices)
    assert np.array_equal(counts.data, ref_counts.sorted_indices().data)
    assert abs(ours.fit_transform(fit) - ref.fit_transform(fit)).max() < 1e-12   # a row's norm summed in another order


def test_features_context_vectorizer_reads_each_distinct_text_once():
    """A context column repeats one text over many rows (a document's title over each task): the
    vectorizer the detector and themes read it with analyses each distinct text once, and its matrix is
    scikit-learn's own, row for row, in the rows' order."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from pipeline.features import ContextVectorizer

    read: list[str] = []

    def words(text):
        read.append(text)
        return text.split()

    train = ["ctx kế hoạch phòng chống", "ctx sở y tế", "title kế hoạch"]
    rows = ["ctx sở y tế", "ctx kế hoạch phòng chống", "ctx sở y tế", "ctx mới", "ctx sở y tế"]
    ours = ContextVectorizer(analyzer=words, sublinear_tf=True).fit(train)
    theirs = TfidfVectorizer(analyzer=str.split, sublinear_tf=True).fit(train)
    read.clear()
    X = ours.transform(rows)
    assert sorted(read) == sorted(set(rows))
    assert X.shape == (5, len(theirs.vocabulary_)) and (X != theirs.transform(rows)).nnz == 0
    for vectorizer in (ours, theirs):          # no rows: scikit-learn's own error, from either
        with pytest.raises(ValueError, match="0 sample"):
            vectorizer.transform([])
    with pytest.raises(ValueError, match="string object received"):
        ours.transform("ctx sở y tế")


def test_features_detector_and_themes_read_their_context_columns_with_the_context_vectorizer(tiny_nlp):
    """The columns that repeat one text over many rows (the detector's context and headings, the theme model's
    context and title) are read with :class:`ContextVectorizer`, the others with scikit-learn's own."""
    from pipeline.features import ContextVectorizer

    def kinds(column_transformer):
        return {name: type(t) is ContextVectorizer for name, t, _ in column_transformer.transformers_}

    detector = kinds(tiny_nlp.get_pipe("detector").models["detector"].pipeline_[0])
    themes = kinds(tiny_nlp.get_pipe("themes").models["themes"].pipeline_[0])
    assert {k for k, v in detector.items() if v} == {"context", "headings"}
    assert {k for k, v in themes.items() if v} == {"context", "title"}


def test_gold_support_keeps_a_class_that_also_leads():
    """"Sở Nội vụ chủ trì, phối hợp với Sở Tư pháp": the gold support holds so_ban_nganh beside the lead's
    so_ban_nganh, in the written corpus and in the stand-off labels alike (GUIDELINE §2.1)."""
    from pipeline.corpus import GoldDocument, parse_source
    from pipeline.realdocs import RealDocument

    src = ("#meta number=5/KH-UBND | type=kế hoạch | issuer=null | place=null | date=null | signer=null\n"
           "1. {{Sở Nội vụ chủ trì, phối hợp với Sở Tư pháp rà soát quy chế.|lead=so_ban_nganh:Sở Nội vụ|"
           "support=so_ban_nganh:Sở Tư pháp|themes=quan_ly_nha_nuoc}}\n")
    meta, text, tasks = parse_source(src)
    written = training.corpus_examples([GoldDocument("t0_partner", text, meta, tasks)])[0]
    assert written.tasks[0].lead == ["so_ban_nganh"] and written.tasks[0].support == ["so_ban_nganh"]
    real = training.real_examples([RealDocument("x.txt", text, "0" * 64, [
        {"start": 0, "end": 10, "lead": ["so_ban_nganh"], "support": ["so_ban_nganh", "chinh_quyen"],
         "themes": ["quan_ly_nha_nuoc"]}])])[0]
    assert real.tasks[0].support == ["so_ban_nganh", "chinh_quyen"]


def test_training_mention_roles_an_unlocated_partner_of_the_leads_class_is_support():
    """The gold locates the lead (Sở Nội vụ) and gives so_ban_nganh as support without a position: the other
    so_ban_nganh mention is the partner, an example of support and not of lead; with neither role located it is
    left open (None), and a mention of a class the task does not have is "none"."""
    from types import SimpleNamespace

    from pipeline.lexicon import Mention

    text = "Sở Nội vụ chủ trì, phối hợp với Sở Tư pháp và Công an tỉnh rà soát quy chế."
    found = [Mention(text.index(n), text.index(n) + len(n), n, c, "name")
             for n, c in (("Sở Nội vụ", "so_ban_nganh"), ("Sở Tư pháp", "so_ban_nganh"),
                          ("Công an tỉnh", "luc_luong_vu_trang"))]
    task = Task(id=0, text=text, start=0, end=len(text), mentions={"text": found})
    doc = SimpleNamespace(offset_map=None)
    located = GoldTask(0, len(text), ["so_ban_nganh"], ["so_ban_nganh"], [], "text",
                       [(0, 9, "so_ban_nganh", "lead")])
    assert training.mention_roles([task], [located], [doc]) == [["lead", "support", "none"]]
    neither = GoldTask(0, len(text), ["so_ban_nganh"], ["so_ban_nganh"], [], "text", [])
    assert training.mention_roles([task], [neither], [doc]) == [[None, None, "none"]]
