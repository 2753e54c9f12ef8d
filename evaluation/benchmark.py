"""Throughput, start-up and memory of the pipeline on the real documents, beside underthesea's word_tokenize.

    python evaluation/benchmark.py                         # every real document, 3 rounds
    python evaluation/benchmark.py --docs 60 --rounds 3    # a quicker run on the first 60

The real documents are read at run time from ``--real-dir`` (default ``$VANBAN_REALDOCS`` or
``../shared/realdocs`` beside the checkout); their text is never written into the checkout. Every figure
is a ratio measured side by side in one run and repeated (``--rounds``): the machine is shared, so
absolute times move with the other jobs while ratios of interleaved measurements move much less.
Each figure is reported as the median with its spread (min–max over the rounds). Writes ``--out``
(default ``evaluation/benchmark.json``); see ``evaluation/BENCHMARK.md``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}

TARGETS = {"vs_word_tokenize": 1.0, "two_vs_one_workers": 1.8, "startup_s": 1.5, "peak_rss_mb_two_workers": 600}


def spread(xs: list[float], nd: int = 3) -> dict:
    return {"median": round(statistics.median(xs), nd), "min": round(min(xs), nd), "max": round(max(xs), nd),
            "values": [round(x, nd) for x in xs]}


def startup(model: str | None, n: int) -> dict:
    """``import pipeline; pipeline.load()`` in fresh interpreters (wall seconds)."""
    code = ("import time; t = time.perf_counter(); import pipeline; nlp = pipeline.load(%r); "
            "print(time.perf_counter() - t)" % model)
    out = []
    for _ in range(n):
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=True)
        out.append(float(r.stdout.strip().splitlines()[-1]))
    return spread(out)


class _Timed:
    """A component whose calls (``__call__`` and, where it has one, ``pipe``) add their CPU time to ``totals``."""

    def __init__(self, comp, name: str, totals: dict) -> None:
        self.comp, self.name, self.totals = comp, name, totals
        if hasattr(comp, "pipe"):
            self.pipe = self._pipe

    def _timed(self, call, arg):
        t = time.process_time()
        try:
            return call(arg)
        finally:
            self.totals[self.name] += time.process_time() - t

    def __call__(self, doc):
        return self._timed(self.comp, doc)

    def _pipe(self, docs):
        return self._timed(lambda ds: list(self.comp.pipe(ds)), docs)


def timed_components(nlp) -> dict:
    """Wrap each component so that its CPU time is summed; returns the dict being filled."""
    totals: dict[str, float] = {name: 0.0 for name in nlp.pipe_names}
    for i, (name, comp) in enumerate(list(nlp._components)):
        nlp._components[i] = (name, _Timed(comp, name, totals))
    return totals


def in_process(texts: list[str], model: str | None, rounds: int) -> dict:
    """Rounds of word_tokenize over every text, then the whole pipeline over every text, in this process:
    the ratio of their CPU (and wall) times per round, and the pipeline's time per component. The pipeline
    reads the texts in the batches a batch run with one worker makes of them (``nlp.pipe`` over chunks of at
    most :data:`pipeline.batch.CHUNK` documents and :data:`pipeline.batch.CHUNK_BYTES_ONE_WORKER` bytes); each
    round also times it one document a call (``nlp(text)``), for the ratio without batches: after the batched
    run in the first round, before it in the second, and so on."""
    from underthesea import word_tokenize

    import pipeline
    from pipeline.batch import CHUNK, CHUNK_BYTES_ONE_WORKER, chunked

    # as `vanban annotate -w 1` cuts a folder into chunks (a file's bytes: its UTF-8 text's)
    batches = list(chunked(texts, CHUNK, CHUNK_BYTES_ONE_WORKER, lambda t: len(t.encode("utf-8"))))
    nlp = pipeline.load(model)
    totals = timed_components(nlp)
    word_tokenize(texts[0][:2000])
    nlp(texts[0])                                     # every lazy load done before timing
    for k in totals:
        totals[k] = 0.0
    ratios, wall_ratios, ref_cpu, pipe_cpu, single_ratios = [], [], [], [], []

    def one_a_call() -> float:
        batched = dict(totals)                        # the components' times are those of the batched runs
        gc.collect()
        c = time.process_time()
        for t in texts:
            nlp(t)
        cpu = time.process_time() - c
        totals.update(batched)
        return cpu

    for r in range(rounds):
        gc.collect()
        c, w = time.process_time(), time.perf_counter()
        for t in texts:
            word_tokenize(t)
        rc, rw = time.process_time() - c, time.perf_counter() - w
        single = one_a_call() if r % 2 else None      # the two ways alternate which goes first
        gc.collect()
        c, w = time.process_time(), time.perf_counter()
        for batch in batches:
            for _doc in nlp.pipe(batch, batch_size=len(batch)):
                pass
        pc, pw = time.process_time() - c, time.perf_counter() - w
        ratios.append(rc / pc)
        wall_ratios.append(rw / pw)
        ref_cpu.append(rc)
        pipe_cpu.append(pc)
        single_ratios.append(rc / (single if single is not None else one_a_call()))
    comp = {k: round(v / rounds, 3) for k, v in totals.items()}
    return {"pipeline_vs_word_tokenize_cpu": spread(ratios), "pipeline_vs_word_tokenize_wall": spread(wall_ratios),
            "word_tokenize_cpu_s": spread(ref_cpu), "pipeline_cpu_s": spread(pipe_cpu),
            "batches": {"documents_at_most": CHUNK, "bytes_at_most": CHUNK_BYTES_ONE_WORKER, "count": len(batches)},
            "one_document_a_call_vs_word_tokenize_cpu": spread(single_ratios),
            "component_cpu_s_per_round": comp,
            "component_share": {k: round(v / max(sum(comp.values()), 1e-9), 3) for k, v in comp.items()}}


def _tree_memory(proc) -> tuple[int, int]:
    """RSS and PSS of a process tree, summed. RSS counts a page shared by several processes (forked
    workers, the libraries' code) once in each; PSS (proportional set size) splits it among them, so its
    sum is the memory the tree holds."""
    import psutil

    try:
        ps = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0, 0
    rss = pss = 0
    for p in ps:
        try:
            mi = p.memory_full_info()
            rss += mi.rss
            pss += getattr(mi, "pss", mi.rss)
        except psutil.Error:
            pass
    return rss, pss


def cli_run(in_dir: Path, out_dir: Path, workers: int, model: str | None, memory: bool = False) -> dict:
    """``python -m pipeline annotate`` from a fresh interpreter: wall time (start-up included) and, with
    ``memory``, the peak RSS and PSS of its process tree, sampled every 0.1 s. A timed run is not sampled:
    reading /proc/PID/smaps of the tree costs ~25 ms of CPU a sample, a sixth of a core, taken from the
    workers when two of them hold both cores (two-worker runs took 2.8 s, about a tenth, longer sampled than
    not, in two pairs of runs; the one-worker run has a core to spare)."""
    import psutil

    if out_dir.exists():
        shutil.rmtree(out_dir)
    cmd = [sys.executable, "-m", "pipeline", "annotate", str(in_dir), "-o", str(out_dir), "-w", str(workers), "-q"]
    if model:
        cmd += ["-m", model]
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc = psutil.Process(p.pid)
    peak = [0, 0]

    def sample():
        while memory and p.poll() is None:
            rss, pss = _tree_memory(proc)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            time.sleep(0.1)
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = p.communicate()
    wall = time.perf_counter() - t
    th.join()
    if p.returncode not in (0, 1):
        raise RuntimeError(f"annotate failed ({p.returncode}): {err.decode()[-500:]}")
    out = {"wall_s": wall, "tasks_jsonl": (out_dir / "tasks.jsonl").read_bytes()}
    if memory:
        out.update(peak_rss_mb=peak[0] / 2 ** 20, peak_pss_mb=peak[1] / 2 ** 20)
    return out


def cli_memory(in_dir: Path, tmp: Path, model: str | None, rounds: int) -> dict:
    """Peak memory of the CLI's process tree with one worker and with two, in ``rounds`` runs each (sampled,
    so not timed). Run before this process imports the libraries: a page of a shared library that this
    process maps too would count half to it, and the tree's PSS would come out lower than on its own."""
    mem: dict = {"rss1": [], "rss2": [], "pss1": [], "pss2": []}
    for _ in range(rounds):
        for w in (1, 2):
            r = cli_run(in_dir, tmp / f"out{w}", w, model, memory=True)
            mem[f"rss{w}"].append(r["peak_rss_mb"])
            mem[f"pss{w}"].append(r["peak_pss_mb"])
        print(f"cli memory: peak RSS {mem['rss1'][-1]:.0f} / {mem['rss2'][-1]:.0f} MB, PSS {mem['pss1'][-1]:.0f} / "
              f"{mem['pss2'][-1]:.0f} MB (1 / 2 workers)", flush=True)
    return {"peak_rss_mb_one_worker": spread(mem["rss1"], 0), "peak_rss_mb_two_workers": spread(mem["rss2"], 0),
            "peak_pss_mb_one_worker": spread(mem["pss1"], 0), "peak_pss_mb_two_workers": spread(mem["pss2"], 0)}


def cli_timing(in_dir: Path, tmp: Path, model: str | None, rounds: int) -> dict:
    """Wall time of the CLI with one worker and with two, interleaved, ``rounds`` times."""
    speedups, one, two, same = [], [], [], True
    for _ in range(rounds):
        r1 = cli_run(in_dir, tmp / "out1", 1, model)
        r2 = cli_run(in_dir, tmp / "out2", 2, model)
        speedups.append(r1["wall_s"] / r2["wall_s"])
        one.append(r1["wall_s"])
        two.append(r2["wall_s"])
        same = same and r1["tasks_jsonl"] == r2["tasks_jsonl"]
        print(f"cli: 1 worker {r1['wall_s']:.1f} s, 2 workers {r2['wall_s']:.1f} s", flush=True)
    return {"two_vs_one_workers": spread(speedups), "one_worker_wall_s": spread(one, 1),
            "two_workers_wall_s": spread(two, 1), "outputs_identical": same}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real-dir", default=os.environ.get("VANBAN_REALDOCS") or str(ROOT.parent / "shared" / "realdocs"))
    ap.add_argument("--docs", type=int, default=0, help="only the first N documents (default: all)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--memory-rounds", type=int, default=1,
                    help="runs (of one worker and of two) whose memory is sampled, apart from the timed ones")
    ap.add_argument("--model", default=None)
    ap.add_argument("--out", default=str(ROOT / "evaluation" / "benchmark.json"))
    args = ap.parse_args(argv)
    if args.rounds < 1 or args.memory_rounds < 1:
        ap.error("--rounds and --memory-rounds take at least 1")

    files = sorted(Path(args.real_dir).glob("*.txt"))
    if args.docs:
        files = files[:args.docs]
    if not files:
        print(f"no .txt documents in {args.real_dir}", file=sys.stderr)
        return 2
    texts = [f.read_text(encoding="utf-8") for f in files]
    import re

    syllables = sum(len(re.findall(r"\w+", t)) for t in texts)
    print(f"{len(files)} documents, {sum(map(len, texts)) / 1e6:.2f} M characters, {syllables:,} syllables", flush=True)

    res: dict = {"documents": len(files), "characters": sum(map(len, texts)), "syllables": syllables,
                 "rounds": args.rounds, "memory_rounds": args.memory_rounds,
                 "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                             "load_average_at_start": os.getloadavg()}}
    tmp = Path(tempfile.mkdtemp(prefix="vanban-bench-"))
    try:
        in_dir = tmp / "in"
        in_dir.mkdir()
        for f in files:
            shutil.copy(f, in_dir / f.name)
        memory = cli_memory(in_dir, tmp, args.model, args.memory_rounds)     # first: see cli_memory
        res["startup_s"] = startup(args.model, max(3, args.rounds))
        print("start-up", res["startup_s"], flush=True)
        res["in_process"] = in_process(texts, args.model, args.rounds)
        print("in process", {k: v for k, v in res["in_process"].items() if "component" not in k}, flush=True)
        print("components", res["in_process"]["component_cpu_s_per_round"], flush=True)
        res["cli"] = {**cli_timing(in_dir, tmp, args.model, args.rounds), **memory}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res["machine"]["load_average_at_end"] = os.getloadavg()

    checks = [
        ("import + load (s)", res["startup_s"]["median"], res["startup_s"], "<=", TARGETS["startup_s"]),
        ("pipeline / word_tokenize, CPU", res["in_process"]["pipeline_vs_word_tokenize_cpu"]["median"],
         res["in_process"]["pipeline_vs_word_tokenize_cpu"], ">=", TARGETS["vs_word_tokenize"]),
        ("2 workers / 1 (CLI, start-up included)", res["cli"]["two_vs_one_workers"]["median"],
         res["cli"]["two_vs_one_workers"], ">=", TARGETS["two_vs_one_workers"]),
        ("peak RSS, 2 workers (MB)", res["cli"]["peak_rss_mb_two_workers"]["median"],
         res["cli"]["peak_rss_mb_two_workers"], "<=", TARGETS["peak_rss_mb_two_workers"]),
        ("peak PSS, 2 workers (MB)", res["cli"]["peak_pss_mb_two_workers"]["median"],
         res["cli"]["peak_pss_mb_two_workers"], "<=", TARGETS["peak_rss_mb_two_workers"]),
    ]
    res["targets"] = {}
    print(f"\n{'figure':42s} {'median':>8s}  spread            target")
    for name, value, sp, op, target in checks:
        ok = value >= target if op == ">=" else value <= target
        res["targets"][name] = {"value": value, "target": f"{op} {target}", "pass": ok}
        print(f"{name:42s} {value:8.2f}  {sp['min']:.2f}–{sp['max']:.2f}   {op} {target}  {'PASS' if ok else 'FAIL'}")
    single = res["in_process"]["one_document_a_call_vs_word_tokenize_cpu"]
    print(f"{'pipeline one document a call / word_tok.':42s} {single['median']:8.2f}  {single['min']:.2f}–{single['max']:.2f}"
          "   (no target: batches off)")
    print(f"{'outputs, 1 vs 2 workers':42s} {'identical' if res['cli']['outputs_identical'] else 'DIFFER'}")
    Path(args.out).write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
