"""Batch runs: bad input, cache, resume after SIGKILL, identical output for any worker count, Dask."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pipeline
from pipeline import batch

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "1. Sở Y tế chủ trì, phối hợp với Hội Chữ thập đỏ tỉnh tổ chức hiến máu tình nguyện.\n2. Ban Tuyên giáo Tỉnh ủy định hướng các cơ quan báo chí tuyên truyền."


@pytest.fixture(scope="session")
def annotator():
    return pipeline.load()


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese encoders write it: base letters precomposed, tone marks combining."""
    import unicodedata

    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in d if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
            out.append((base + tones).encode("cp1258"))
    return b"".join(out)


def _folder(tmp_path: Path, n: int = 6) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    for i in range(n):
        (d / f"doc{i:02d}.txt").write_text(f"Số {i:02d}-KH/TU\n" + SAMPLE, encoding="utf-8")
    return d


def _outputs(out: Path) -> tuple[bytes, bytes]:
    return (out / "tasks.jsonl").read_bytes(), (out / "tasks.csv").read_bytes()


def test_batch_bad_inputs_are_recorded_and_batch_finishes(tmp_path, annotator):
    d = tmp_path / "in"
    deep = d.joinpath(*[f"level{i}" for i in range(30)])
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text(SAMPLE, encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (d / "invalid.txt").write_bytes(b"\x81\x8d\x8f\x90\x9d" * 50)
    (d / "utf16.txt").write_bytes(SAMPLE.encode("utf-16"))
    (d / "cp1258.txt").write_bytes(to_cp1258(SAMPLE))
    (d / "bom.md").write_bytes(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"))
    (d / "archive.zip").write_bytes(b"PK\x03\x04")                       # other type: not a document
    with open(d / "huge.txt", "wb") as fh:                               # 50 MB: refused with its reason
        fh.truncate(50 * 1024 * 1024)
    line = " ".join(f"Câu {i}: Sở Y tế chủ trì tổ chức khám bệnh miễn phí cho người nghèo." for i in range(14000))
    (d / "oneline.txt").write_text(line, encoding="utf-8")              # a single ~1 MB line
    os.symlink(d, d / "loop")                                            # a symlink loop
    unreadable = d / "unreadable.txt"
    unreadable.write_text(SAMPLE, encoding="utf-8")
    unreadable.chmod(0)

    res = annotator.annotate_folder(d, tmp_path / "out", quiet=True)
    docs = {r["doc_id"]: r for r in map(json.loads, (tmp_path / "out" / "tasks.jsonl").read_text("utf-8").splitlines())}
    assert "archive" not in docs
    for bad, reason in [("empty", "empty"), ("binary", "binary"), ("invalid", "UTF-8"), ("huge", "limit")]:
        assert docs[bad]["tasks"] == [] and reason in docs[bad]["errors"][0], (bad, docs[bad]["errors"])
    for good in ["utf16", "cp1258", "bom", "deep"]:
        assert docs[good]["errors"] == [] and len(docs[good]["tasks"]) == 2, good
    assert docs["utf16"]["clean_text"] == docs["cp1258"]["clean_text"] == docs["bom"]["clean_text"]
    assert docs["oneline"]["errors"] == [] and len(docs["oneline"]["clean_text"]) > 900_000
    if not os.access(unreadable, os.R_OK):                                 # root reads anything
        assert "permission" in docs["unreadable"]["errors"][0]
    assert any("loop" in why for _, why in res.skipped)
    assert res.errors >= 4 and not res.ok


def test_batch_rerun_uses_cache_and_new_file_alone_is_annotated(tmp_path, annotator):
    d = _folder(tmp_path, 4)
    out = tmp_path / "out"
    first = annotator.annotate_folder(d, out, quiet=True)
    before = _outputs(out)
    again = annotator.annotate_folder(d, out, quiet=True)
    assert (first.annotated, again.annotated, again.cached) == (4, 0, 4)
    assert _outputs(out) == before
    (d / "new.txt").write_text("Số 99-KH/TU\n" + SAMPLE, encoding="utf-8")
    third = annotator.annotate_folder(d, out, quiet=True)
    assert (third.annotated, third.cached, third.documents) == (1, 4, 5)


def test_batch_output_identical_for_any_worker_count(tmp_path, annotator):
    d = _folder(tmp_path, 20)
    one = annotator.annotate_folder(d, tmp_path / "w1", workers=1, quiet=True)
    two = annotator.annotate_folder(d, tmp_path / "w2", workers=2, quiet=True)
    assert one.documents == two.documents == 20
    assert _outputs(tmp_path / "w1") == _outputs(tmp_path / "w2")


class _BatchSizes:
    """A component that records how many documents each of its ``pipe`` calls reads (and fails on "HỎNG")."""

    sizes: list[int] = []

    def __call__(self, doc):
        return self.pipe([doc])[0]

    def pipe(self, docs):
        docs = list(docs)
        _BatchSizes.sizes.append(len(docs))
        if any("HỎNG" in d.raw_text for d in docs):
            raise RuntimeError("a bug on this document")
        return docs


from pipeline.language import Pipeline, factory  # noqa: E402

factory("test_batch_sizes")(_BatchSizes)


def test_batch_a_chunk_is_one_batch_and_a_failing_one_is_read_again_document_by_document(tmp_path):
    """One worker: each chunk of CHUNK documents reaches a component with ``pipe`` as one batch; a chunk in
    which one document fails is annotated again one document at a time, so that only that file gets an error."""
    nlp = Pipeline.from_config({"pipeline": ["metadata", "test_batch_sizes"]})
    d = _folder(tmp_path, batch.CHUNK + 3)
    _BatchSizes.sizes = []
    res = batch.run(nlp, d, tmp_path / "out", report=False, time_limit=0)    # no limit: no warm-up text
    assert res.errors == 0 and _BatchSizes.sizes == [batch.CHUNK, 3]
    (d / "doc01.txt").write_text("HỎNG\n" + SAMPLE, encoding="utf-8")
    _BatchSizes.sizes = []
    res = batch.run(nlp, d, tmp_path / "out", report=False, time_limit=0)
    assert res.annotated == 1 and res.errors == 1 and _BatchSizes.sizes == [1]      # the changed file alone
    errors = {json.loads(ln)["doc_id"]: json.loads(ln)["errors"]
              for ln in (tmp_path / "out" / "tasks.jsonl").read_text(encoding="utf-8").splitlines()}
    assert "internal error" in errors["doc01"][0] and not any(e for k, e in errors.items() if k != "doc01")
    _BatchSizes.sizes = []
    res = batch.run(nlp, d, tmp_path / "fresh", report=False, time_limit=0)
    assert res.errors == 1 and res.annotated == batch.CHUNK + 3
    assert _BatchSizes.sizes == [batch.CHUNK] + [1] * batch.CHUNK + [3]     # the failed chunk again, one by one


def test_batch_in_parallel_the_largest_files_go_first_in_chunks_of_bounded_size(tmp_path, annotator, monkeypatch):
    """Workers get the largest files first and chunks of at most CHUNK_BYTES (a larger file alone), so that
    the batch does not end waiting on one chunk of long documents; the outputs keep the folder's order."""
    d = tmp_path / "in"
    d.mkdir()
    sizes = [1, 30, 2, 12, 1, 3, 25, 1, 1, 2, 1, 1]          # × 1,000 characters, in the folder's order
    for i, k in enumerate(sizes):
        (d / f"{i:02d}.txt").write_text(f"Số {i:02d}-KH/TU\n" + SAMPLE + "\n" + "Ghi chú. " * (k * 110), encoding="utf-8")
    monkeypatch.setattr(batch, "CHUNK_BYTES", 20_000)
    chunks = []
    real = batch._chunks

    def recorded(items, size, max_bytes=None):
        for ch in real(items, size, max_bytes):
            chunks.append([(doc_id, len(data)) for _, doc_id, _, data in ch])
            yield ch
    monkeypatch.setattr(batch, "_chunks", recorded)
    annotator.annotate_folder(d, tmp_path / "two", workers=2, quiet=True)
    order = [doc_id for ch in chunks for doc_id, _ in ch]
    by_size = [f"{i:02d}" for i in sorted(range(len(sizes)), key=lambda i: -sizes[i])]
    assert order == by_size                                    # the largest first (stable among equals)
    assert chunks[0] == [("01", chunks[0][0][1])] and chunks[1][0][0] == "06"     # a file over the bound alone
    assert all(len(ch) == 1 or sum(n for _, n in ch) <= 20_000 for ch in chunks)
    assert len(chunks) > len(sizes) // batch.CHUNK + 1
    annotator.annotate_folder(d, tmp_path / "one", workers=1, quiet=True)
    assert _outputs(tmp_path / "two") == _outputs(tmp_path / "one")
    docs = [json.loads(ln)["doc_id"] for ln in (tmp_path / "two" / "tasks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert docs == sorted(docs)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_batch_forked_workers_share_the_loaded_pipeline(tmp_path, annotator, monkeypatch):
    """With several workers on Linux, the batch's process is one of them and the others are forked from it,
    annotating with the pipeline it holds: none loads a model (a fresh interpreter would not see this test's
    patches), both annotate, and the output is the one worker's; VANBAN_WORKERS=loky starts joblib's
    processes instead, with the same output."""
    d = _folder(tmp_path, 20)
    annotator.annotate_folder(d, tmp_path / "w1", workers=1, quiet=True)
    pids = tmp_path / "pids"
    pids.mkdir()
    real_chunk = batch._annotate_chunk

    def chunk_in_a_known_process(chunk, ref, limit=None):
        (pids / str(os.getpid())).touch()
        return real_chunk(chunk, ref, limit)

    def no_loading(*args):
        raise AssertionError("a forked worker loaded a model")
    monkeypatch.setattr(batch, "_annotate_chunk", chunk_in_a_known_process)
    monkeypatch.setattr(batch, "_worker_annotator", no_loading)
    annotator.annotate_folder(d, tmp_path / "fork", workers=2, quiet=True)
    seen = {int(p.name) for p in pids.iterdir()}
    assert len(seen) == 2 and os.getpid() in seen       # this process and the one it forked
    assert _outputs(tmp_path / "fork") == _outputs(tmp_path / "w1")
    assert batch._FORKED is None and gc.get_freeze_count() == 0       # the batch's process is left as it was
    monkeypatch.undo()
    monkeypatch.setenv("VANBAN_WORKERS", "loky")
    assert not batch._fork_workers()
    annotator.annotate_folder(d, tmp_path / "loky", workers=2, quiet=True)
    assert _outputs(tmp_path / "loky") == _outputs(tmp_path / "w1")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_batch_a_forked_worker_that_dies_stops_the_batch_with_a_clear_error(tmp_path, annotator, monkeypatch):
    d = _folder(tmp_path, 48)                 # six chunks of eight
    batch_process, real_chunk = os.getpid(), batch._annotate_chunk

    def die(chunk, ref, limit=None):
        if os.getpid() == batch_process:  # the batch's own process annotates its share
            return real_chunk(chunk, ref, limit)
        os._exit(3)                       # a forked worker, as if killed from outside
    monkeypatch.setattr(batch, "_annotate_chunk", die)
    with pytest.raises(RuntimeError, match="a worker process died"):
        annotator.annotate_folder(d, tmp_path / "out", workers=2, quiet=True)
    assert gc.get_freeze_count() == 0
    cached = list((tmp_path / "out" / ".cache").glob("*/*.json"))
    assert len(cached) <= 16          # the batch stops once it sees the dead worker, not after doing it all alone


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_batch_interrupted_in_its_own_process_stops_feeding_the_workers(tmp_path, annotator, monkeypatch):
    """An interrupt while the batch's process annotates its share stops the batch: the thread that feeds the
    forked worker stops too (the chunks already in flight finish and are cached; no others are sent)."""
    import threading

    d = _folder(tmp_path, 48)                 # six chunks of eight
    batch_process, real_chunk = os.getpid(), batch._annotate_chunk

    def interrupted_here(chunk, ref, limit=None):
        if os.getpid() == batch_process:
            raise KeyboardInterrupt
        return real_chunk(chunk, ref, limit)
    monkeypatch.setattr(batch, "_annotate_chunk", interrupted_here)
    with pytest.raises(KeyboardInterrupt):
        annotator.annotate_folder(d, tmp_path / "out", workers=2, quiet=True)
    cached = list((tmp_path / "out" / ".cache").glob("*/*.json"))
    assert len(cached) <= 16                    # at most the two chunks in flight, not the other four
    assert not [t for t in threading.enumerate() if t.name == "vanban-feed"]
    assert gc.get_freeze_count() == 0


def test_batch_dask_local_cluster_matches_local_run(tmp_path, annotator):
    distributed = pytest.importorskip("dask.distributed")
    d = _folder(tmp_path, 10)
    annotator.annotate_folder(d, tmp_path / "local", quiet=True)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                                  processes=True) as cluster:
        res = annotator.annotate_folder(d, tmp_path / "dask", scheduler=cluster.scheduler_address, quiet=True)
    assert res.documents == 10 and res.annotated == 10
    assert _outputs(tmp_path / "local") == _outputs(tmp_path / "dask")


def test_batch_resumes_after_sigkill_with_identical_output(tmp_path, annotator):
    d = tmp_path / "in"
    d.mkdir()
    body = "\n".join(f"{k}. Sở Y tế chủ trì, phối hợp với Hội Chữ thập đỏ tổ chức đợt hiến máu lần {k}." for k in range(1, 40))
    for i in range(40):
        (d / f"doc{i:02d}.txt").write_text(f"Số {i}-KH/TU\n{body}", encoding="utf-8")
    annotator.annotate_folder(d, tmp_path / "reference", quiet=True)

    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "annotate", str(d), "-o", str(out), "-q"], cwd=ROOT)
    deadline = time.time() + 120
    while time.time() < deadline:
        cached = list((out / ".cache").glob("*/*.json")) if (out / ".cache").exists() else []
        if len(cached) >= 5 or proc.poll() is not None:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the batch finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "tasks.jsonl").exists()                  # nothing half-written
    done = len(list((out / ".cache").glob("*/*.json")))
    assert 5 <= done < 40

    res = annotator.annotate_folder(d, out, quiet=True)
    assert res.cached >= done and res.annotated == 40 - res.cached
    assert _outputs(out) == _outputs(tmp_path / "reference")


def test_batch_report_has_table_and_documents(tmp_path, annotator):
    d = _folder(tmp_path, 2)
    annotator.annotate_folder(d, tmp_path / "out", quiet=True)
    html = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert "Cơ quan chủ trì × chủ đề" in html and "so_ban_nganh" in html and "doc01" in html
    assert "Ban Tuyên giáo Tỉnh ủy định hướng các cơ quan báo chí tuyên truyền." in html   # the tasks travel in the page
