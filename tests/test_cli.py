"""The command line: thin over the library, clear errors, documented exit codes."""

from __future__ import annotations

import csv
import json

from pipeline.cli import EXIT_ERROR, EXIT_FILE_ERRORS, EXIT_OK, main

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
    code = main(["annotate", str(tmp_path), "-o", str(tmp_path / "out"), "--model", str(tmp_path / "nomodel")])
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
