"""The per-document time limit of batches (pipeline.batch, `vanban annotate --time-limit`).

A component registered for the test sleeps on documents that ask for it ("NGỦ 30"): the document over the
limit gets a per-file error naming the limit and the option, the others are annotated, nothing over the
limit or with an internal error is cached, and a re-run with a higher limit annotates it. Run in process
(one worker) and with two workers (on Linux the batch's process and one forked from it).
"""

from __future__ import annotations

import json
import re
import sys
import time

import pytest

from pipeline import batch
from pipeline.language import Pipeline, component

SLEEP = re.compile(r"NGỦ (\d+(?:\.\d+)?)")


@component("test_sleepy")
def sleepy(doc):
    m = SLEEP.search(doc.raw_text)
    if m:
        time.sleep(float(m.group(1)))
    return doc


@component("test_broken_once")
def broken_once(doc):
    if "HỎNG" in doc.raw_text and not getattr(broken_once, "fixed", False):
        raise RuntimeError("a bug on this document")
    return doc


def _nlp(*extra: str) -> Pipeline:
    return Pipeline.from_config({"pipeline": ["metadata", *extra]})    # light: workers start fast


def _folder(tmp_path, docs: dict[str, str]):
    d = tmp_path / "in"
    d.mkdir()
    for name, text in docs.items():
        (d / f"{name}.txt").write_text(text, encoding="utf-8")
    return d


def _errors(out) -> dict[str, list[str]]:
    rows = [json.loads(ln) for ln in (out / "tasks.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["doc_id"]: r["errors"] for r in rows}


TEXT = "Kính gửi: Sở Y tế\n1. Tổ chức tập huấn cho cán bộ y tế cơ sở."


@pytest.fixture(autouse=True)
def _by_value():
    """joblib's workers unpickle the test component by value (this module is not importable there)."""
    from joblib.externals.loky.backend.reduction import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


@pytest.mark.parametrize("workers", [1, 2])
def test_document_over_the_limit_is_an_error_and_the_batch_goes_on(tmp_path, workers):
    docs = {f"d{i:02d}": f"{TEXT}\n{i + 2}. Báo cáo kết quả." for i in range(10)}   # > one chunk: workers start
    docs["d03"] = TEXT + "\nNGỦ 30"
    src, out = _folder(tmp_path, docs), tmp_path / "out"
    t0 = time.monotonic()
    res = batch.run(_nlp("test_sleepy"), src, out, workers=workers, time_limit=1, report=False)
    assert time.monotonic() - t0 < 25                     # the sleeper was cut short
    errors = _errors(out)
    assert len(errors["d03"]) == 1
    assert "took longer than the time limit of 1 s" in errors["d03"][0] and "--time-limit" in errors["d03"][0]
    assert all(not e for k, e in errors.items() if k != "d03")
    assert res.errors == 1 and res.annotated == 10


def test_over_the_limit_in_every_process_of_a_forked_batch_is_an_error_and_never_cached(tmp_path):
    """Two workers on Linux: the batch's process and the one forked from it share the two chunks (the one that
    takes a chunk of eight sleepers leaves the other to the second), each keeps the limit, and nothing over it
    is cached."""
    if not batch._fork_workers():
        pytest.skip("workers are forked on Linux only")
    docs = {f"d{i:02d}": f"{TEXT}\n{i + 2}. Báo cáo.\nNGỦ 30" for i in range(10)}    # two chunks, all sleepers
    src, out = _folder(tmp_path, docs), tmp_path / "out"
    t0 = time.monotonic()
    res = batch.run(_nlp("test_sleepy"), src, out, workers=2, time_limit=0.5, report=False)
    assert time.monotonic() - t0 < 25
    assert res.annotated == 10 and res.errors == 10
    assert all("time limit of 0.5 s" in e[0] for e in _errors(out).values())
    assert not list((out / ".cache").glob("*/*.json"))


def test_a_batch_run_from_another_thread_keeps_the_limit_in_its_workers(tmp_path):
    """Called from a thread other than the main one, the batch's process cannot arm the timer: with two
    workers it forks both and annotates nothing itself, so every document keeps the limit."""
    import threading

    if not batch._fork_workers():
        pytest.skip("workers are forked on Linux only")
    # four chunks of eight: the feeder keeps at most two in flight per forked worker, so a process that took a
    # share would get one unless it stalled while two chunks were annotated (of two, the feeder may take both)
    n = 4 * batch.CHUNK
    docs = {f"d{i:02d}": f"{TEXT}\n{i + 2}. Báo cáo.\nNGỦ 3" for i in range(n)}
    src, out = _folder(tmp_path, docs), tmp_path / "out"
    got: list = []
    t0 = time.monotonic()
    th = threading.Thread(target=lambda: got.append(batch.run(_nlp("test_sleepy"), src, out, workers=2,
                                                              time_limit=0.25, report=False)))
    th.start()
    th.join()
    assert time.monotonic() - t0 < 20            # in the batch's process, a chunk of eight would sleep 3 s each
    assert got and got[0].annotated == n and got[0].errors == n


def test_rerun_with_a_higher_limit_annotates_it(tmp_path):
    src = _folder(tmp_path, {"a": TEXT, "b": TEXT + "\nNGỦ 1.5"})
    out = tmp_path / "out"
    res = batch.run(_nlp("test_sleepy"), src, out, time_limit=0.5, report=False)
    assert res.errors == 1 and "time limit of 0.5 s" in _errors(out)["b"][0]
    res = batch.run(_nlp("test_sleepy"), src, out, time_limit=5, report=False)
    assert res.annotated == 1 and res.cached == 1 and res.errors == 0
    assert _errors(out)["b"] == []
    res = batch.run(_nlp("test_sleepy"), src, out, time_limit=0.5, report=False)
    assert res.annotated == 0 and res.errors == 0          # now it is cached


def test_no_limit_when_zero(tmp_path):
    src = _folder(tmp_path, {"a": TEXT + "\nNGỦ 0.6"})
    res = batch.run(_nlp("test_sleepy"), src, tmp_path / "out", time_limit=0, report=False)
    assert res.errors == 0


def test_internal_error_is_not_cached(tmp_path):
    src = _folder(tmp_path, {"a": TEXT, "b": TEXT + "\nHỎNG"})
    out = tmp_path / "out"
    broken_once.fixed = False
    res = batch.run(_nlp("test_broken_once"), src, out, report=False)
    assert res.errors == 1 and "internal error" in _errors(out)["b"][0]
    broken_once.fixed = True                               # the bug fixed (a new release, a new model…)
    try:
        res = batch.run(_nlp("test_broken_once"), src, out, report=False)
    finally:
        broken_once.fixed = False
    assert res.annotated == 1 and res.cached == 1 and _errors(out)["b"] == []


def test_timer_is_disarmed_after_each_document():
    import signal

    before = signal.getsignal(signal.SIGALRM)
    with batch.time_limit(5):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == before
    with pytest.raises(batch.TimeLimitExceeded):
        with batch.time_limit(0.2):
            time.sleep(5)


def test_cli_option(tmp_path):
    from pipeline.cli import build_parser

    p = build_parser()
    assert p.parse_args(["annotate", "x", "-o", "y"]).time_limit == 300
    assert p.parse_args(["annotate", "x", "-o", "y", "--time-limit", "0"]).time_limit == 0
    with pytest.raises(SystemExit):
        p.parse_args(["annotate", "x", "-o", "y", "--time-limit", "-1"])
