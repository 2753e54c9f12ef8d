"""The hand-labelled corpus: authoring markup, validation, build; and the real corpus's schema check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import corpus
from pipeline.corpus import GoldDocument, build, check_document, load, load_labelset, parse_source, read_source
from pipeline.errors import CorpusError

LABELSET = {"agencies": {"so_ban_nganh": "", "ban_dan_van": "", "cap_uy": ""},
            "themes": {"hien_mau": "", "tuyen_truyen": "", "khac": "", "phoi_hop": "", "kiem_tra": ""}}

SRC = ("#meta number=17-KH/TU | type=kế hoạch | issuer=null | place= | date=2023-03-30\n"
       "Các cấp ủy thực hiện các nội dung sau:\n"
       "1. {{Sở Y tế chủ trì tổ chức hiến máu.|lead=so_ban_nganh:Sở Y tế|themes=hien_mau}}\n"
       "2. {{Tuyên truyền sâu rộng, phối hợp với Ban Dân vận.|lead=cap_uy*:Các cấp ủy"
       "|support=ban_dan_van:Ban Dân vận|themes=tuyen_truyen, phoi_hop}} Xong.")

TEXT = ("Các cấp ủy thực hiện các nội dung sau:\n"
        "1. Sở Y tế chủ trì tổ chức hiến máu.\n"
        "2. Tuyên truyền sâu rộng, phối hợp với Ban Dân vận. Xong.")


def test_corpus_parse_source_text_and_meta():
    meta, text, tasks = parse_source(SRC)
    assert text == TEXT
    assert meta == {"number": "17-KH/TU", "type": "kế hoạch", "issuer": None, "place": None,
                    "date": "2023-03-30", "signer": None}
    assert len(tasks) == 2


def test_corpus_parse_source_offsets():
    _, text, tasks = parse_source(SRC)
    assert [(t["start"], t["end"]) for t in tasks] == [(42, 75), (79, 127)]
    for t in tasks:
        assert text[t["start"]:t["end"]] == t["text"]
    assert tasks[0]["text"] == "Sở Y tế chủ trì tổ chức hiến máu."


def test_corpus_parse_source_agencies_and_themes():
    _, _, tasks = parse_source(SRC)
    assert tasks[0]["agencies"] == [{"id": "so_ban_nganh", "name": "Sở Y tế", "role": "lead", "explicit": True}]
    assert tasks[1]["agencies"] == [
        {"id": "cap_uy", "name": "Các cấp ủy", "role": "lead", "explicit": False},
        {"id": "ban_dan_van", "name": "Ban Dân vận", "role": "support", "explicit": True}]
    assert tasks[1]["themes"] == ["tuyen_truyen", "phoi_hop"]


def test_corpus_parse_source_without_meta_and_crlf():
    meta, text, tasks = parse_source("Dòng một.\r\n- {{Ban Dân vận chủ trì.|lead=ban_dan_van:Ban Dân vận|themes=khac}}\r\n")
    assert meta == {k: None for k in corpus.META_KEYS}
    assert text == "Dòng một.\n- Ban Dân vận chủ trì.\n"
    assert (tasks[0]["start"], tasks[0]["end"]) == (12, 32)


def test_corpus_parse_source_multiline_task_and_several_leads():
    _, text, tasks = parse_source("{{Sở Y tế và Ban Dân vận\nchủ trì.|lead=so_ban_nganh:Sở Y tế;ban_dan_van:Ban Dân vận"
                                  "|themes=khac}}")
    assert text == "Sở Y tế và Ban Dân vận\nchủ trì."
    assert (tasks[0]["start"], tasks[0]["end"]) == (0, len(text))
    assert [a["id"] for a in tasks[0]["agencies"]] == ["so_ban_nganh", "ban_dan_van"]


def test_corpus_check_valid_document():
    meta, text, tasks = parse_source(SRC)
    assert check_document(GoldDocument("ok", text, meta, tasks), LABELSET) == []


def test_corpus_check_reports_every_problem_at_once():
    text = "1. Sở Y tế chủ trì. 2. Ban Dân vận phối hợp."
    tasks = [
        {"start": 3, "end": 19, "text": "Sở Y tế chủ trì.", "themes": ["hien_mau"],
         "agencies": [{"id": "so_nganh_la", "name": "Sở Y tế", "role": "lead", "explicit": True}]},     # unknown label
        {"start": 10, "end": 25, "text": "Ban Dân vận phối hợp.", "themes": [],                          # span, overlap, empty themes
         "agencies": [{"id": "ban_dan_van", "name": "Ban Dân vận", "role": "support", "explicit": True}]},  # no lead
    ]
    problems = check_document(GoldDocument("bad", text, {"date": "30/3/2023"}, tasks), LABELSET)
    joined = "\n".join(problems)
    for needle in ["unknown agency label 'so_nganh_la'", "span 10-25 does not match the text",
                   "overlaps the previous task", "empty themes", "no lead agency", "is not YYYY-MM-DD"]:
        assert needle in joined, needle
    assert len(problems) == 6
    assert all(p.startswith("bad") for p in problems)


@pytest.mark.parametrize("task_src,needle", [
    ("{{Sở Y tế chủ trì.|lead=so_ban_nganh:Sở Y tế|themes=hien_mau,khac}}", "theme 'khac' is only used alone"),
    ("{{Sở Y tế chủ trì.|lead=so_ban_nganh:Sở Y tế|themes=hien_mau,tuyen_truyen,phoi_hop,kiem_tra}}", "more than 3 themes"),
    ("{{Sở Y tế chủ trì.|lead=so_ban_nganh:Sở Y tế|themes=bau_cu}}", "unknown theme label 'bau_cu'"),
    ("{{Sở Y tế chủ trì.|lead=so_ban_nganh:Ban Dân vận|themes=khac}}", "explicit agency name 'Ban Dân vận' is not in the task text"),
    ("{{Tổ chức hiến máu.|lead=cap_uy*:Tỉnh ủy|themes=khac}}", "inherited agency name 'Tỉnh ủy' is nowhere"),
    ("{{Sở Y tế chủ trì.|lead=so_ban_nganh:|themes=khac}}", "has no name"),
    ("{{Sở Y tế chủ trì.|lead=so_ban_nganh:Sở Y tế|themes=khac|sopport=ban_dan_van:x}}", "unknown field 'sopport'"),
    ("{{ Sở Y tế chủ trì.|lead=so_ban_nganh:Sở Y tế|themes=khac}}", "leading/trailing whitespace"),
    ("{{Sở Y tế chủ trì.|themes=khac}}", "no lead agency"),
    ("{{Sở Y tế chủ trì.|lead=so_ban_nganh:Sở Y tế}}", "empty themes"),
    ("{{Sở Y tế {{chủ trì.|lead=so_ban_nganh:Sở Y tế|themes=khac}}", "unbalanced task braces"),
])
def test_corpus_check_single_problem(task_src, needle):
    meta, text, tasks = parse_source(task_src)
    problems = check_document(GoldDocument("d", text, meta, tasks), LABELSET)
    assert any(needle in p for p in problems), problems


def test_corpus_load_labelset_missing(tmp_path):
    with pytest.raises(CorpusError, match="labelset.json"):
        load_labelset(tmp_path)


def make_corpus(root: Path, sources: dict[str, str]) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "labelset.json").write_text(json.dumps(LABELSET), encoding="utf-8")
    for name, src in sources.items():
        (root / "src" / f"{name}.txt").write_text(src, encoding="utf-8")
    return root


def test_corpus_build_writes_labels_jsonl(tmp_path):
    root = make_corpus(tmp_path / "c", {"b_doc": SRC, "a_doc": "{{Ban Dân vận chủ trì.|lead=ban_dan_van:Ban Dân vận|themes=khac}}"})
    (root / "raw").mkdir()
    (root / "raw" / "b_doc.txt").write_text("noisy", encoding="utf-8")
    docs = build(root)
    assert [d.doc_id for d in docs] == ["a_doc", "b_doc"]
    lines = (root / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(ln) for ln in lines]
    assert [r["doc_id"] for r in records] == ["a_doc", "b_doc"]
    assert records[0]["raw"] is None and records[1]["raw"] == "raw/b_doc.txt"
    assert records[1]["text"] == TEXT
    for r in records:
        assert set(r) == {"doc_id", "text", "raw", "meta", "tasks"}
        for t in r["tasks"]:
            assert r["text"][t["start"]:t["end"]] == t["text"]
    assert not (root / "labels.jsonl.tmp").exists()
    again = load(root)
    assert [(d.doc_id, d.text, d.tasks) for d in again] == [(d.doc_id, d.text, d.tasks) for d in docs]
    assert len(corpus.corpus_hash(root)) == 64


def test_corpus_build_refuses_broken_corpus_listing_every_problem(tmp_path):
    root = make_corpus(tmp_path / "c", {
        "good": SRC,
        "bad1": "{{Sở Y tế chủ trì.|lead=so_ban_nganh_x:Sở Y tế|themes=hien_mau}}",
        "bad2": "{{Ban Dân vận phối hợp.|support=ban_dan_van:Ban Dân vận|themes=}}",
    })
    with pytest.raises(CorpusError) as exc:
        build(root)
    msg = str(exc.value)
    assert msg.startswith("3 problem(s) in")
    assert "bad1 task 0" in msg and "unknown agency label 'so_ban_nganh_x'" in msg
    assert "bad2 task 0" in msg and "no lead agency" in msg and "empty themes" in msg
    assert "good" not in msg.split("\n", 1)[1]
    assert not (root / "labels.jsonl").exists()


def test_corpus_build_does_not_overwrite_gold_when_broken(tmp_path):
    root = make_corpus(tmp_path / "c", {"good": SRC})
    build(root)
    before = (root / "labels.jsonl").read_text(encoding="utf-8")
    (root / "src" / "bad.txt").write_text("{{x|themes=khac}}", encoding="utf-8")
    with pytest.raises(CorpusError):
        build(root)
    assert (root / "labels.jsonl").read_text(encoding="utf-8") == before


def test_corpus_load_without_labels(tmp_path):
    with pytest.raises(CorpusError, match="corpus build"):
        load(tmp_path)


def test_corpus_check_files(tmp_path):
    root = make_corpus(tmp_path / "c", {"good": SRC, "bad": "{{Sở Y tế chủ trì.|lead=so_ban_nganh:Sở Y tế|themes=x}}"})
    problems = corpus.check_files(sorted((root / "src").glob("*.txt")), root / "labelset.json")
    assert problems == ["bad task 0 ('Sở Y tế chủ trì.'): unknown theme label 'x'"]


# --------------------------------------------------------------------------- the real corpus

REAL_SOURCES = sorted((Path(__file__).resolve().parent.parent / "corpus" / "src").glob("*.txt"))


def test_corpus_real_corpus_is_present():
    assert len(REAL_SOURCES) >= 10


@pytest.mark.parametrize("path", REAL_SOURCES, ids=[p.stem for p in REAL_SOURCES])
def test_corpus_real_document_is_valid(corpus_dir, path):
    """The schema validation of the project's own corpus: every src file passes check_document."""
    labelset = load_labelset(corpus_dir)
    doc = read_source(path, corpus_dir)
    assert check_document(doc, labelset) == []
    assert doc.tasks, "a corpus document without tasks"
    for t in doc.tasks:
        assert doc.text[t["start"]:t["end"]] == t["text"]
    if (corpus_dir / "raw" / path.name).exists():
        assert doc.raw == f"raw/{path.name}"


def test_corpus_real_labels_jsonl_matches_sources(corpus_dir):
    """labels.jsonl (what tools read) is the compiled form of src/: same documents, texts and spans."""
    gold = {d.doc_id: d for d in load(corpus_dir)}
    assert set(gold) == {p.stem for p in REAL_SOURCES}
    for p in REAL_SOURCES:
        src = read_source(p, corpus_dir)
        g = gold[p.stem]
        assert g.text == src.text, p.stem
        assert [(t["start"], t["end"], t["agencies"], t["themes"]) for t in g.tasks] == \
               [(t["start"], t["end"], t["agencies"], t["themes"]) for t in src.tasks], p.stem


def test_corpus_build_twice_at_once_writes_whole_files(tmp_path):
    """Two trainings of one corpus build its labels.jsonl at the same time: each writes a temporary file of
    its own, so neither renames or removes the other's (a shared name failed with FileNotFoundError)."""
    import threading

    srcs = {f"doc_{i:02d}": SRC for i in range(30)}
    root = make_corpus(tmp_path / "c", srcs)
    errors = []

    def work():
        try:
            for _ in range(15):
                build(root)
        except Exception as e:          # noqa: BLE001 - the test reports what went wrong
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(load(root)) == 30
    assert not list(root.glob("*.tmp"))
