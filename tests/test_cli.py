"""The command line: thin over the library, clear errors, documented exit codes."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from pipeline.cli import EXIT_ERROR, EXIT_FILE_ERRORS, EXIT_OK, main

ROOT = Path(__file__).resolve().parent.parent

TEXT = "1. Sở Y tế chủ trì tổ chức hiến máu tình nguyện.\n2. Ban Dân vận Tỉnh ủy theo dõi, báo cáo kết quả."


def test_cli_annotate_writes_contract_outputs(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(TEXT, encoding="utf-8")
    assert main(["annotate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-q"]) == EXIT_OK
    rec = json.loads((tmp_path / "out" / "tasks.jsonl").read_text("utf-8"))
    assert set(rec) >= {"doc_id", "source", "sha256", "meta", "clean_text", "tasks", "errors"}
    t = rec["tasks"][0]
    assert rec["clean_text"][t["start"]:t["end"]] == t["text"]
    assert set(t) >= {"id", "text", "start", "end", "section", "words", "agencies", "themes"}
    raw = (tmp_path / "out" / "tasks.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                      # Excel reads the BOM as UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0]["doc_id"] == "a" and "so_ban_nganh" in rows[0]["lead"]


def test_cli_exit_status_says_a_file_failed(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_bytes(b"")
    assert main(["annotate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-q"]) == EXIT_FILE_ERRORS


def test_cli_library_error_is_one_line_not_a_traceback(tmp_path, capsys):
    code = main(["annotate", str(_input(tmp_path)), "-o", str(tmp_path / "out"), "--model", str(tmp_path / "nomodel")])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert err.startswith("vanban: error:") and "vanban train" in err and "Traceback" not in err


def test_cli_missing_input_folder(tmp_path, capsys):
    assert main(["annotate", str(tmp_path / "absent"), "-o", str(tmp_path / "out")]) == EXIT_ERROR
    assert "does not exist" in capsys.readouterr().err


def test_cli_corpus_check_reports_problems(tmp_path, capsys):
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    (tmp_path / "src").mkdir()
    shutil.copy(root / "corpus" / "labelset.json", tmp_path)
    (tmp_path / "src" / "x.txt").write_text("#meta type=công văn\n{{Làm việc.|lead=nope:Ai|themes=}}", "utf-8")
    assert main(["corpus", "check", str(tmp_path)]) == EXIT_FILE_ERRORS
    out = capsys.readouterr().out
    assert "unknown agency label 'nope'" in out and "empty themes" in out


# --------------------------------------------------------------------------- misuse: one line, exit 2, before any work

def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _input(tmp_path):
    d = tmp_path / "in"
    d.mkdir(exist_ok=True)
    (d / "a.txt").write_text(TEXT, encoding="utf-8")
    return d


def test_cli_output_path_is_a_file(tmp_path, capsys):
    (tmp_path / "out").write_text("x")
    assert main(["annotate", str(_input(tmp_path)), "-o", str(tmp_path / "out")]) == EXIT_ERROR
    assert "is a file, not a folder" in _one_error_line(capsys)


def test_cli_output_below_a_file(tmp_path, capsys):
    (tmp_path / "out").write_text("x")
    assert main(["annotate", str(_input(tmp_path)), "-o", str(tmp_path / "out" / "sub")]) == EXIT_ERROR
    assert "cannot create the output folder" in _one_error_line(capsys)


def test_cli_read_only_output_folder_fails_before_any_work(tmp_path, capsys, monkeypatch):
    # root ignores permission bits, so the folder's refusal is simulated where the check writes its probe
    import tempfile

    import pipeline.batch

    def refuse(*a, **k):
        raise PermissionError(13, "Permission denied")

    def never(*a, **k):
        raise AssertionError("annotation started although the output folder cannot be written")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(pipeline.batch, "run", never)
    assert main(["annotate", str(_input(tmp_path)), "-o", str(tmp_path / "ro")]) == EXIT_ERROR
    assert "cannot write in the output folder" in _one_error_line(capsys)


@pytest.mark.parametrize("meta", [b"{}", b"\xff\xfe not json", b"[1, 2]", None],
                         ids=["no-sha256", "not-utf8", "not-an-object", "a-folder"])
def test_cli_unreadable_model_meta(tmp_path, capsys, meta, repo_root):
    model = tmp_path / "model"
    model.mkdir()
    shutil.copy(repo_root / "pipeline" / "model" / "config.json", model)
    (model / "model.joblib").write_bytes(b"not a model")
    if meta is None:
        (model / "meta.json").mkdir()
    else:
        (model / "meta.json").write_bytes(meta)
    assert main(["annotate", str(_input(tmp_path)), "-o", str(tmp_path / "out"), "-m", str(model), "-q"]) == EXIT_ERROR
    line = _one_error_line(capsys)
    assert line.startswith("vanban: error:") and "vanban train" in line


def test_cli_truncated_model_whose_meta_matches(tmp_path, capsys, repo_root):
    model = tmp_path / "model"
    shutil.copytree(repo_root / "pipeline" / "model", model)
    data = (model / "model.joblib").read_bytes()[:50_000]
    (model / "model.joblib").write_bytes(data)
    meta = json.loads((model / "meta.json").read_text("utf-8"))
    meta["sha256"] = hashlib.sha256(data).hexdigest()
    (model / "meta.json").write_text(json.dumps(meta), "utf-8")
    assert main(["annotate", str(_input(tmp_path)), "-o", str(tmp_path / "out"), "-m", str(model), "-q"]) == EXIT_ERROR
    line = _one_error_line(capsys)
    assert "Cannot load" in line and "vanban train" in line


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_cli_workers_must_be_one_or_more(tmp_path, capsys, value):
    assert main(["annotate", str(_input(tmp_path)), "-o", str(tmp_path / "out"), "--workers", value]) == EXIT_ERROR
    line = _one_error_line(capsys)
    assert "--workers" in line and "1 or more" in line
    assert not (tmp_path / "out").exists()


def test_cli_folder_without_documents_says_what_it_skipped(tmp_path, capsys):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "a.xlsx").write_bytes(b"PK\x03\x04")
    (d / "b.xlsx").write_bytes(b"PK\x03\x04")
    (d / "c.pptx").write_bytes(b"PK\x03\x04")
    (d / "README.md").write_text("# Thư mục văn bản", "utf-8")
    assert main(["annotate", str(d), "-o", str(tmp_path / "out")]) == EXIT_ERROR
    line = _one_error_line(capsys)
    assert "no document to annotate" in line and "2 .xlsx" in line and "1 .pptx" in line and "README.md" in line


def test_cli_unreadable_word_and_pdf_files_are_errors_not_skipped(tmp_path, capsys):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "a.docx").write_bytes(b"PK\x03\x04")
    (d / "c.pdf").write_bytes(b"%PDF-1.4")
    assert main(["annotate", str(d), "-o", str(tmp_path / "out")]) == EXIT_FILE_ERRORS
    rows = (tmp_path / "out" / "documents.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 3 and all("a.docx" in r or "c.pdf" in r for r in rows[1:])


def test_cli_empty_folder(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["annotate", str(tmp_path / "empty"), "-o", str(tmp_path / "out")]) == EXIT_ERROR
    assert "no document to annotate" in _one_error_line(capsys)


def test_cli_readme_and_hidden_files_are_not_documents(tmp_path, capsys):
    d = _input(tmp_path)
    (d / "README.md").write_text("# Văn bản\nSở Y tế chủ trì tổ chức hiến máu tình nguyện hằng năm.", "utf-8")
    (d / ".git").mkdir()
    (d / ".git" / "notes.txt").write_text("Sở Y tế chủ trì tổ chức hiến máu.", "utf-8")
    (d / "LICENSE.txt").write_text("Sở Y tế chủ trì tổ chức hiến máu.", "utf-8")
    (d / "list.csv").write_text("a,b", "utf-8")
    assert main(["annotate", str(d), "-o", str(tmp_path / "out")]) == EXIT_OK
    out, err = capsys.readouterr()
    docs = [json.loads(ln)["doc_id"] for ln in (tmp_path / "out" / "tasks.jsonl").read_text("utf-8").splitlines()]
    assert docs == ["a"]
    assert out.startswith("1 documents") and "skipped 4 files: 1 LICENSE.txt, 1 README.md, 1 hidden, 1 .csv" in err


def test_cli_single_file_named_readme_is_annotated(tmp_path):
    d = _input(tmp_path)
    (d / "README.md").write_text(TEXT, "utf-8")
    assert main(["annotate", str(d / "README.md"), "-o", str(tmp_path / "out"), "-q"]) == EXIT_OK


def test_cli_version(capsys):
    from pipeline import __version__

    assert main(["--version"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == f"vanban {__version__}"


def test_cli_unknown_command_is_one_line(capsys):
    assert main(["frobnicate"]) == EXIT_ERROR
    assert "invalid choice" in _one_error_line(capsys)


def test_cli_bug_is_one_line_unless_debugging(tmp_path, capsys, monkeypatch):
    import pipeline.compare

    def boom(*a, **k):
        raise KeyError("oops")

    monkeypatch.setattr(pipeline.compare, "compare", boom)
    assert main(["compare", str(tmp_path)]) == EXIT_ERROR
    assert "internal error: KeyError" in _one_error_line(capsys)
    monkeypatch.setenv("VANBAN_DEBUG", "1")
    with pytest.raises(KeyError):
        main(["compare", str(tmp_path)])


def test_cli_compare_needs_an_output_folder(tmp_path, capsys):
    assert main(["compare", str(tmp_path)]) == EXIT_ERROR
    assert "no tasks.jsonl" in _one_error_line(capsys)


def test_cli_subprocess_no_traceback_and_version():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "pipeline", "annotate", "nowhere", "-o", "x", "-w", "0"],
                       capture_output=True, text=True, cwd=str(ROOT))
    assert r.returncode == EXIT_ERROR and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_cli_corpus_check_without_the_real_texts(tmp_path, capsys, monkeypatch):
    """Without the real documents' texts, `corpus check` stops with one line that says how to get them or
    to pass --no-real; with --no-real it checks the written corpus and says how many documents."""
    monkeypatch.setenv("VANBAN_REALDOCS", str(tmp_path / "absent"))
    assert main(["corpus", "check", str(ROOT / "corpus")]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "--no-real" in err and len(err.strip().splitlines()) == 1
    assert main(["corpus", "check", str(ROOT / "corpus"), "--no-real"]) == EXIT_OK
    n = len(list((ROOT / "corpus" / "src").glob("*.txt")))
    assert f"ok ({n} written documents checked)" in capsys.readouterr().out


def test_cli_evaluate_prints_each_figure_with_its_interval(tmp_path, capsys, monkeypatch):
    import pipeline.evaluation

    def fake_evaluate(corpus, **kwargs):          # the figures only: how the command prints them is under test
        return {"real_documents": 3, "real_task_f": 0.85, "real_task_f_ci": [0.82, 0.88], "real_lead_macro_f": 0.6}
    monkeypatch.setattr(pipeline.evaluation, "evaluate", fake_evaluate)
    assert main(["evaluate", str(tmp_path), "--report-dir", str(tmp_path), "-q"]) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert any(line.split() == ["real_task_f", "0.8500", "(0.8200–0.8800)"] for line in out)
    assert any(line.split() == ["real_lead_macro_f", "0.6000"] for line in out)     # no interval: none shown
    assert not any("_ci" in line for line in out)
