"""Real documents labelled stand-off (pipeline/realdocs.py): every kind of bad record is caught, the checks
say clearly when the folder of texts is absent, the labels in the repository hold offsets only (no text)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from pipeline import realdocs
from pipeline.errors import CorpusError
from pipeline.realdocs import check_record

ROOT = Path(__file__).resolve().parent.parent
REAL_DIR = realdocs.default_real_dir()
needs_real = pytest.mark.skipif(not REAL_DIR.is_dir(), reason=f"the real documents' texts are not at {REAL_DIR} "
                                "(public but not in this repository: corpus/real/README.md says how to fetch them)")

LABELSET = {"agencies": {"so_ban_nganh": "", "cap_uy": ""}, "themes": {"y_te": "", "khac": "", "a": "", "b": "",
                                                                          "c": ""}}
TEXT = "Sở Y tế chủ trì kiểm tra. Tỉnh ủy lãnh đạo.\nSở Y tế báo cáo kết quả."
SHA = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()


def task(start=0, end=25, **kw):
    t = {"start": start, "end": end, "lead": ["so_ban_nganh"], "support": [], "themes": ["y_te"], "implicit": False,
         "source": "text"}
    t.update(kw)
    return t


def record(*tasks, **kw):
    r = {"file": "d.txt", "sha256": SHA, "tasks": list(tasks) or [task()]}
    r.update(kw)
    return r


def problems(rec, text=TEXT, sha=SHA):
    return check_record(rec, text, LABELSET, sha)


def test_realdocs_valid_record_has_no_problem():
    assert TEXT[0:25] == "Sở Y tế chủ trì kiểm tra."
    assert (TEXT[26:43], TEXT[44:68]) == ("Tỉnh ủy lãnh đạo.", "Sở Y tế báo cáo kết quả.")
    rec = record(task(), task(26, 43, lead=["cap_uy"], mentions=[{"start": 26, "end": 33, "id": "cap_uy",
                                                                   "role": "lead"}]),
                 task(44, 68, source="item", implicit=True, mentions=[{"start": 0, "end": 7, "id": "so_ban_nganh",
                                                                       "role": "lead"}]),
                 meta={"number": [0, 7], "date": "2024-01-01", "type": "công văn", "signer": None})
    assert problems(rec) == []


def test_realdocs_bad_hash_stops_the_check():
    got = problems(record(task(0, 999)), sha="f" * 64)
    assert len(got) == 1 and "does not match the file" in got[0] and "offsets cannot be trusted" in got[0]


def test_realdocs_missing_fields_and_missing_text():
    assert problems({"file": "d.txt"}) == ["d.txt: missing field 'sha256'", "d.txt: missing field 'tasks'"]
    assert check_record(record(), None, LABELSET) == ["d.txt: the text is not in the real-documents folder"]


@pytest.mark.parametrize("bad,message", [
    (task(0, 999), "offsets 0-999 are not a span of the text"),
    (task(10, 5), "offsets 10-5 are not a span"),
    (task(-1, 5), "offsets -1-5"),
    (task("0", 5), "offsets '0'-5"),
    (task(0, 26), "starts or ends with whitespace"),
    (task(0, 25, lead=[]), "no lead agency"),
    (task(0, 25, lead=["so_ban_nganh", "so_ban_nganh"]), "lead repeats an id"),
    (task(0, 25, support=["toa_an"]), "unknown agency label 'toa_an' in support"),
    (task(0, 25, themes=[]), "empty themes"),
    (task(0, 25, themes=["a", "b", "c", "y_te"]), "more than 3 themes"),
    (task(0, 25, themes=["khac", "y_te"]), "'khac' is only used alone"),
    (task(0, 25, themes=["kinh_te"]), "unknown theme label 'kinh_te'"),
    (task(0, 25, source="ai_do"), "source must be one of"),
    (task(0, 25, source="heading"), "implicit must be true exactly when source is not 'text'"),
    (task(0, 25, implicit=True), "implicit must be true exactly"),
    (task(0, 25, mentions=[{"start": 0, "end": 500, "id": "so_ban_nganh", "role": "lead"}]), "mention offsets 0-500"),
    (task(0, 25, mentions=[{"start": 0, "end": 7, "id": "nope", "role": "lead"}]), "known agency id and a role"),
    (task(0, 25, mentions=[{"start": 0, "end": 7, "id": "so_ban_nganh", "role": "boss"}]), "known agency id and a role"),
    (task(0, 25, mentions=[{"start": 44, "end": 51, "id": "so_ban_nganh", "role": "lead"}]),
     "explicit mention 44-51 is outside the task span"),
], ids=lambda x: x if isinstance(x, str) else None)
def test_realdocs_each_bad_task_is_reported(bad, message):
    got = problems(record(bad))
    assert any(message in p for p in got), got
    assert all(p.startswith("d.txt task 0") for p in got)


def test_realdocs_overlapping_or_unordered_tasks():
    assert problems(record(task(0, 25), task(26, 43))) == []
    assert any("overlaps the previous task" in p for p in problems(record(task(0, 25), task(20, 43))))
    assert any("out of order" in p for p in problems(record(task(44, 68), task(0, 25))))


@pytest.mark.parametrize("meta", [{"number": [0, 999]}, {"issuer": [5, 2]}, {"signer": "Nguyễn Văn A"},
                                  {"place": [0]}])
def test_realdocs_meta_spans(meta):
    assert any("meta" in p and "[start, end]" in p for p in problems(record(meta=meta)))


def test_realdocs_every_problem_at_once():
    got = problems(record(task(0, 25, lead=[], themes=[]), task(26, 999)))
    assert len(got) == 3


# --------------------------------------------------------------------------- corpus folders

def _corpus(tmp_path, records, labelset=LABELSET):
    c = tmp_path / "corpus"
    (c / "real").mkdir(parents=True)
    (c / "labelset.json").write_text(json.dumps(labelset), encoding="utf-8")
    (c / "real" / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "d.txt").write_bytes(TEXT.encode("utf-8"))
    return c, texts


def test_realdocs_check_says_clearly_when_the_texts_are_absent(tmp_path, monkeypatch):
    c, _ = _corpus(tmp_path, [record()])
    monkeypatch.delenv("VANBAN_REALDOCS", raising=False)
    with pytest.raises(CorpusError) as err:
        realdocs.check(c, tmp_path / "nowhere")
    msg = str(err.value)
    assert str(tmp_path / "nowhere") in msg and "--real-dir" in msg and "VANBAN_REALDOCS" in msg \
        and "corpus/real/README.md" in msg
    with pytest.raises(CorpusError, match="not at"):
        realdocs.load(c, tmp_path / "nowhere")


def test_realdocs_cli_corpus_check_without_the_texts(tmp_path, capsys, monkeypatch):
    from pipeline.cli import EXIT_ERROR, main

    c, _ = _corpus(tmp_path, [record()])
    (c / "src").mkdir()
    monkeypatch.setenv("VANBAN_REALDOCS", str(tmp_path / "nowhere"))
    assert main(["corpus", "check", str(c)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "real documents are not at" in err and len(err.strip().splitlines()) == 1


def test_realdocs_check_and_load_a_folder(tmp_path):
    c, texts = _corpus(tmp_path, [record(meta={"number": [0, 7]}), record(task(0, 999))])
    n, found = realdocs.check(c, texts)
    assert n == 2
    assert any("d.txt is labelled twice" in p for p in found)
    assert any("offsets 0-999" in p for p in found)
    with pytest.raises(CorpusError, match=r"1 problem\(s\)"):
        realdocs.load(c, texts)
    docs = realdocs.load(c, texts, strict=False)
    assert [d.doc_id for d in docs] == ["d"]
    assert docs[0].meta_values() == {"number": "Sở Y tế"}
    assert realdocs.labels_hash(c) == hashlib.sha256((c / "real" / "labels.jsonl").read_bytes()).hexdigest()


def test_realdocs_a_changed_file_is_refused(tmp_path):
    c, texts = _corpus(tmp_path, [record()])
    (texts / "d.txt").write_bytes((TEXT + " ").encode("utf-8"))
    n, found = realdocs.check(c, texts)
    assert n == 1 and len(found) == 1 and "sha256" in found[0]


def test_realdocs_a_line_that_is_not_json(tmp_path):
    c, texts = _corpus(tmp_path, [record()])
    with (c / "real" / "labels.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("{oops\n")
    with pytest.raises(CorpusError, match=r"labels.jsonl:2: not a JSON object"):
        realdocs.check(c, texts)


def test_realdocs_no_real_labels_is_no_error(tmp_path):
    (tmp_path / "labelset.json").write_text(json.dumps(LABELSET), encoding="utf-8")
    assert realdocs.check(tmp_path, tmp_path / "nowhere") == (0, [])
    assert realdocs.load(tmp_path, tmp_path / "nowhere") == []
    assert realdocs.labels_hash(tmp_path) is None


# --------------------------------------------------------------------------- the repository's real labels

def test_realdocs_repository_labels_hold_offsets_only():
    allowed = {"file", "sha256", "kind", "meta", "tasks"}
    task_keys = {"start", "end", "lead", "support", "themes", "implicit", "source", "mentions"}
    for name in ("labels.jsonl", "agreement.jsonl"):
        for rec in realdocs.read_records(ROOT / "corpus" / "real" / name):
            assert set(rec) <= allowed, set(rec) - allowed
            for t in rec["tasks"]:
                assert set(t) <= task_keys, set(t) - task_keys
            for k, v in (rec.get("meta") or {}).items():
                assert v is None or isinstance(v, list) or k in ("date", "type"), (k, v)


@needs_real
def test_realdocs_repository_labels_are_valid(corpus_dir):
    n, found = realdocs.check(corpus_dir)
    assert n >= 100 and found == []


@needs_real
def test_realdocs_no_sentence_of_a_real_document_is_in_the_repository():
    """No tracked text file shares a run of 40 words with a real document. (The genre shares its formulas:
    letterheads, recipient lists, names of programmes and laws run to 31 words; a sentence copied from a real
    document, with its context, runs longer.)"""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    n = 40

    def runs(text: str) -> set:
        words = text.split()
        return {hash(" ".join(words[i:i + n])) for i in range(len(words) - n + 1)}

    real: set = set()
    for p in sorted(REAL_DIR.glob("*.txt")):
        real |= runs(p.read_text(encoding="utf-8", errors="replace"))
    assert len(real) > 10000
    leaks = []
    for f in files:
        path = ROOT / f
        if path.suffix in (".joblib", ".png", ".jpg", ".pdf", ".docx", ".doc", ".tif", ".gz") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        common = runs(text) & real
        if common:
            leaks.append((f, len(common)))
    assert leaks == [], f"tracked files sharing {n}-word runs with real documents: {leaks}"


@needs_real
def test_cleanup_deletes_no_part_of_a_labelled_task_of_the_real_documents():
    """Cleanup never removes 20 characters or more of a gold task: repeated items of regulations and
    procedures, template blanks in angle brackets and references wrapped before "Điều N" are content."""
    from pipeline.cleanup import clean

    lost = []
    for rec in realdocs.read_records(ROOT / "corpus" / "real" / "labels.jsonl"):
        raw = (REAL_DIR / rec["file"]).read_text(encoding="utf-8")
        for e in clean(raw).edits:
            if e.after.strip() or len(e.before.strip()) < 20:
                continue
            lost += [(rec["file"], e.rule, t["start"]) for t in rec["tasks"]
                     if min(e.end, t["end"]) - max(e.start, t["start"]) >= 20]
    assert lost == []
