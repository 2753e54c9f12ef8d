"""Throughput and memory benchmark of the vanban pipeline (a script, not a test).

    python evaluation/benchmark.py [--docs 2000] [--ref-docs 300] [--small-docs 500]
                                   [--workers 2] [--out evaluation/benchmark.json]

One run measures, on a synthetic batch built from the corpus (gold clean texts
and raw originals, in a seeded random order, about half passed through
``pipeline.noise.add_noise``, each with a unique header line so that every
file has its own cache key):

1. start-up: ``import pipeline; pipeline.load()`` in a fresh interpreter (median of 3);
2. reference: plain ``underthesea.word_tokenize`` over the first ``--ref-docs`` texts;
3. the pipeline with one worker (``pipeline.batch.run``, in process) on the same texts;
4. the same with ``--workers`` workers (cold: fresh worker processes; warm: workers reused);
5. the CLI (``python -m pipeline annotate``) in a subprocess on ``--small-docs`` and on all
   ``--docs`` documents, with the peak RSS of its whole process tree (sampled every 0.2 s);
6. a re-run on the unchanged folder (cache), then after adding one file (incremental).

Every figure is printed with its target and PASS/FAIL and written as JSON to
``--out``. Temporary folders are removed at the end. See evaluation/BENCHMARK.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
# loky workers and CLI subprocesses must import this checkout's pipeline, not another copy
os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])

MB = 1024 * 1024
SUMMARY_RE = re.compile(r"(\d+) documents, (\d+) tasks, (\d+) with errors \((\d+) annotated, (\d+) from cache\)")
WORD_RE = re.compile(r"\w+")

TARGETS = {
    "startup_s": 2.0,            # import pipeline + load the model, seconds (max)
    "one_worker_vs_wt": 0.8,     # pipeline 1 worker syllables/s over word_tokenize syllables/s (min)
    "scaling_per_worker": 0.85,  # N workers speed-up over 1 worker, per worker (1.7x for 2) (min)
    "peak_rss_mb": 600.0,        # peak RSS of the CLI process tree (max)
    "cache_speedup": 20.0,       # first run time / re-run time on the unchanged folder (min)
}
# "flat" memory: the full batch peaks at most this much above the small batch
FLAT_ABS_MB, FLAT_REL = 30.0, 0.10


def log(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", flush=True)


def syllables(text: str) -> int:
    return len(WORD_RE.findall(text))


# --------------------------------------------------------------------------- monitoring

def _busy_cpu_s() -> float:
    """CPU seconds the whole machine has been busy (all cores), for the contention estimate."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)


def _describe(cmd: list[str]) -> str:
    """A short label for a process of the tree: the CLI, a loky worker, the resource tracker…"""
    line = " ".join(cmd)
    if "loky" in line and "resource_tracker" in line:
        return "loky resource tracker"
    if "loky" in line or "joblib" in line:
        return "joblib/loky worker"
    if "-m pipeline" in line:
        return "CLI main process"
    return line[:60] or "?"


class TreeMonitor:
    """Polls a process and its descendants every ``interval`` s: peak of the summed RSS, CPU seconds used.

    CPU of each process is taken as the last value seen minus the value at start (0 for
    processes born during the phase), so up to ``interval`` s per exiting process may be missed.
    """

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_rss = 0
        self.peak_procs = 0
        self.peak_parts: list = []
        self.samples = 0
        self._base: dict = {}
        self._last: dict = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _procs(self) -> list:
        try:
            return [self.root] + self.root.children(recursive=True)
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            return []

    def _sample(self, base: bool = False) -> None:
        total, n, parts = 0, 0, []
        for p in self._procs():
            try:
                with p.oneshot():
                    rss = p.memory_info().rss
                    ct = p.cpu_times()
                    key = (p.pid, p.create_time())
                    cmd = p.cmdline()
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                continue
            total += rss
            n += 1
            parts.append((rss, _describe(cmd)))
            cpu = ct.user + ct.system
            if base:
                self._base[key] = cpu
            self._last[key] = cpu
        self.samples += 1
        if total > self.peak_rss:
            self.peak_rss, self.peak_procs = total, n
            self.peak_parts = [{"process": d, "rss_mb": round(r / MB, 1)} for r, d in sorted(parts, reverse=True)]

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def start(self) -> "TreeMonitor":
        self._sample(base=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def cpu_s(self) -> float:
        return sum(v - self._base.get(k, 0.0) for k, v in self._last.items())


class Phase:
    """Wall time, our CPU time and the machine's other load during one measured phase."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> "Phase":
        self.load_before = os.getloadavg()[0]
        self.busy0 = _busy_cpu_s()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.t0
        self.busy = _busy_cpu_s() - self.busy0
        self.load_after = os.getloadavg()[0]

    def figures(self, our_cpu_s: float) -> dict:
        """``other_cores``: average cores busy with processes outside this benchmark during the phase."""
        w = max(self.wall, 1e-9)
        return {"wall_s": round(self.wall, 3), "cpu_s": round(our_cpu_s, 2), "cores_used": round(our_cpu_s / w, 2),
                "other_cores": round(max(0.0, (self.busy - our_cpu_s) / w), 2),
                "loadavg_1m": [round(self.load_before, 2), round(self.load_after, 2)]}


def _self_cpu() -> float:
    t = os.times()
    return t.user + t.system


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# --------------------------------------------------------------------------- batch

def build_batch(folder: Path, n: int, seed: int, start: int = 0) -> tuple[list[Path], dict]:
    """Write documents ``start .. start+n-1``; document i is a seeded choice of corpus text, noisy half the time."""
    from pipeline import corpus, reading
    from pipeline.noise import add_noise

    sources = [(f"gold:{d.doc_id}", d.text) for d in corpus.load(REPO / "corpus")]
    sources += [(f"raw:{p.stem}", reading.read_document(p)[0]) for p in sorted((REPO / "corpus" / "raw").glob("*.txt"))]
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths, sylls, noisy, nbytes, used = [], [], 0, 0, set()
    digests = set()
    for i in range(start + n):
        name, text = sources[rng.randrange(len(sources))]
        is_noisy = rng.random() < 0.5
        if i < start:
            continue
        if is_noisy:
            text = add_noise(text, seed=i)
            noisy += 1
        text = f"Số {i}-KH/BM\n" + text
        data = text.encode("utf-8")
        digests.add(hashlib.sha256(data).hexdigest())
        p = folder / f"vb_{i:05d}.txt"
        p.write_bytes(data)
        paths.append(p)
        sylls.append(syllables(text))
        nbytes += len(data)
        used.add(name)
    if len(digests) != n:
        raise SystemExit(f"benchmark bug: {n - len(digests)} duplicate documents in the batch")
    info = {"documents": n, "syllables": sum(sylls), "noisy": noisy, "bytes": nbytes,
            "distinct_sources_used": len(used), "sources_available": {
                "gold_clean_texts": sum(1 for s, _ in sources if s.startswith("gold:")),
                "raw_originals": sum(1 for s, _ in sources if s.startswith("raw:"))},
            "syllables_per_doc": round(sum(sylls) / max(n, 1), 1), "_sylls": sylls}
    return paths, info


def copy_subset(paths: list[Path], folder: Path) -> Path:
    folder.mkdir(parents=True)
    for p in paths:
        shutil.copyfile(p, folder / p.name)
    return folder


# --------------------------------------------------------------------------- measurements

STARTUP_CODE = r"""
import json, time
t0 = time.perf_counter()
import pipeline
t1 = time.perf_counter()
nlp = pipeline.load(%r)
t2 = time.perf_counter()
doc = nlp.annotate("1. Sở Y tế chủ trì tổ chức hiến máu tình nguyện.\n2. Ban Tuyên giáo Tỉnh ủy hướng dẫn tuyên truyền.")
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "first_doc_s": t3 - t2, "tasks": len(doc.tasks)}))
"""


def measure_startup(model: str | None, runs: int = 3) -> dict:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        cp = subprocess.run([sys.executable, "-c", STARTUP_CODE % (model,)], cwd=REPO, capture_output=True,
                            text=True, timeout=600)
        wall = time.perf_counter() - t0
        if cp.returncode != 0:
            raise SystemExit(f"start-up subprocess failed:\n{cp.stderr[-3000:]}")
        r = json.loads(cp.stdout.strip().splitlines()[-1])
        r["process_wall_s"] = wall
        out.append(r)
    med = lambda k: round(statistics.median(r[k] for r in out), 3)  # noqa: E731
    return {"import_plus_load_s": round(statistics.median(r["import_s"] + r["load_s"] for r in out), 3),
            "import_s": med("import_s"), "load_s": med("load_s"),
            "first_doc_after_load_s": med("first_doc_s"), "process_wall_s": med("process_wall_s"),
            "runs": [{k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()} for r in out],
            "note": "median of %d fresh interpreters; import_plus_load_s is measured inside the interpreter "
                    "(interpreter start-up excluded, it is in process_wall_s). first_doc_after_load_s is the "
                    "first annotate() call, which imports underthesea and loads its CRF lazily." % runs}


def measure_reference(texts: list[str], n_syll: int) -> dict:
    from underthesea import word_tokenize

    word_tokenize("Ủy ban nhân dân tỉnh chỉ đạo các sở, ban, ngành thực hiện.")  # load the CRF outside the timing
    cpu0 = _self_cpu()
    with Phase("reference") as ph:
        for t in texts:
            word_tokenize(t)
    fig = ph.figures(_self_cpu() - cpu0)
    fig.update({"documents": len(texts), "syllables": n_syll, "docs_per_s": round(len(texts) / ph.wall, 2),
                "syllables_per_s": round(n_syll / ph.wall, 1),
                "note": "underthesea.word_tokenize(text) on each whole document text (as written to disk), "
                        "one process, CRF loaded before timing"})
    return fig


def measure_batch_inprocess(ann, in_dir: Path, out_dir: Path, workers: int, n_docs: int, n_syll: int,
                            label: str) -> dict:
    from pipeline import batch

    mon = TreeMonitor(os.getpid()).start()
    cpu0 = _self_cpu()
    with Phase(label) as ph:
        res = batch.run(ann, in_dir, out_dir, workers=workers, quiet=True)
    mon.stop()
    # our CPU: this process exactly, plus the worker processes as polled
    self_cpu = _self_cpu() - cpu0
    worker_cpu = sum(v - mon._base.get(k, 0.0) for k, v in mon._last.items() if k[0] != os.getpid())
    fig = ph.figures(self_cpu + worker_cpu)
    fig.update({"workers": workers, "documents": res.documents, "annotated": res.annotated, "cached": res.cached,
                "errors": res.errors, "tasks": res.tasks, "docs_per_s": round(n_docs / ph.wall, 2),
                "syllables_per_s": round(n_syll / ph.wall, 1)})
    if res.annotated != n_docs or res.documents != n_docs:
        fig["problem"] = f"expected {n_docs} documents all annotated, got {res.documents} ({res.annotated} annotated)"
    return fig


def _kill_tree(pid: int) -> None:
    try:
        root = psutil.Process(pid)
        procs = root.children(recursive=True) + [root]
    except psutil.NoSuchProcess:
        return
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)


def run_cli(in_dir: Path, out_dir: Path, workers: int, quiet: bool, model: str | None, timeout: float) -> dict:
    cmd = [sys.executable, "-m", "pipeline", "annotate", str(in_dir), "-o", str(out_dir), "--workers", str(workers)]
    if model:
        cmd += ["-m", model]
    if quiet:
        cmd.append("-q")
    c0 = _children_cpu()
    with Phase("cli") as ph:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        mon = TreeMonitor(proc.pid).start()
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except BaseException:
            _kill_tree(proc.pid)
            proc.communicate()
            mon.stop()
            raise
        mon.stop()
    cpu = _children_cpu() - c0          # exact: the CLI and its workers, all reaped by now
    fig = ph.figures(cpu)
    fig.update({"command": " ".join(cmd), "returncode": proc.returncode, "peak_rss_mb": round(mon.peak_rss / MB, 1),
                "processes_at_peak": mon.peak_procs, "rss_at_peak": mon.peak_parts, "rss_samples": mon.samples})
    m = SUMMARY_RE.search(stdout)
    if m:
        fig["summary"] = dict(zip(("documents", "tasks", "errors", "annotated", "cached"), map(int, m.groups())))
        fig["summary_line"] = m.group(0)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"CLI failed with status {proc.returncode}: {' '.join(cmd)}\n{stderr[-3000:]}")
    fig["_stderr_tail"] = stderr[-500:]
    return fig


def count_output(out_dir: Path) -> dict:
    docs = tasks = errors = 0
    with open(out_dir / "tasks.jsonl", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            docs += 1
            tasks += len(d.get("tasks") or [])
            errors += bool(d.get("errors"))
    return {"documents": docs, "tasks": tasks, "errors": errors}


def machine_info() -> dict:
    import importlib

    versions = {}
    for mod in ("underthesea", "sklearn", "spacy", "joblib", "dask", "distributed", "psutil", "tqdm", "numpy",
                "pandas", "matplotlib"):
        try:
            versions[mod] = importlib.import_module(mod).__version__
        except Exception as e:  # an optional library may be missing
            versions[mod] = f"unavailable ({type(e).__name__})"
    import pipeline

    versions["pipeline"] = pipeline.__version__
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    freq = psutil.cpu_freq()
    cpu_model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu_count": os.cpu_count(), "cpu_count_physical": psutil.cpu_count(logical=False),
            "cpu_affinity": affinity, "cpu_model": cpu_model, "cpu_mhz": round(freq.current) if freq else None,
            "memory_total_mb": round(psutil.virtual_memory().total / MB), "platform": platform.platform(),
            "python": platform.python_version(), "python_executable": sys.executable, "versions": versions,
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}


def _rel(path) -> str:
    """A path relative to the checkout when it is inside it: the results file names no machine path."""
    p = Path(path).resolve()
    root = Path(__file__).resolve().parent.parent
    return p.relative_to(root).as_posix() if p.is_relative_to(root) else p.name


def model_info(model: str | None) -> dict:
    from pipeline.model import default_model_dir, sha256_file

    d = Path(model) if model else default_model_dir()
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    return {"dir": _rel(d), "sha256": sha256_file(d / "model.joblib"), "meta_sha256": meta.get("sha256"),
            "size_mb": round((d / "model.joblib").stat().st_size / MB, 2)}


# --------------------------------------------------------------------------- report

def check(rows: list, name: str, value, unit: str, target: str | None, ok: bool | None, key: str) -> None:
    rows.append({"figure": name, "key": key, "value": value, "unit": unit, "target": target,
                 "pass": ok, "status": "—" if ok is None else ("PASS" if ok else "FAIL")})


def fmt(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.1f}"
    return str(v)


def print_table(rows: list) -> None:
    head = ("figure", "value", "target", "status")
    table = [(r["figure"], f"{fmt(r['value'])} {r['unit']}".strip(), r["target"] or "—", r["status"]) for r in rows]
    w = [max(len(x[i]) for x in table + [head]) for i in range(4)]
    line = "  ".join("-" * n for n in w)
    print(line)
    print("  ".join(h.ljust(n) for h, n in zip(head, w)))
    print(line)
    for x in table:
        print("  ".join(c.ljust(n) for c, n in zip(x, w)))
    print(line)


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def strip_private(d):
    if isinstance(d, dict):
        return {k: strip_private(v) for k, v in d.items() if not k.startswith("_")}
    if isinstance(d, list):
        return [strip_private(x) for x in d]
    return d


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=2000, help="documents in the full batch (default 2000)")
    ap.add_argument("--ref-docs", type=int, default=300,
                    help="documents for the word_tokenize reference and the in-process 1-/N-worker runs (default 300)")
    ap.add_argument("--small-docs", type=int, default=500,
                    help="smaller batch for the memory-flatness comparison (default 500; docs//4 if not below --docs)")
    ap.add_argument("--workers", type=int, default=2, help="workers for the scaling and CLI runs (default 2)")
    ap.add_argument("--seed", type=int, default=20240501, help="seed of the document choice (default 20240501)")
    ap.add_argument("--model", default=None, help="model directory (default models/default or $VANBAN_MODEL)")
    ap.add_argument("--out", default=str(REPO / "evaluation" / "benchmark.json"),
                    help="JSON output (default evaluation/benchmark.json)")
    ap.add_argument("--timeout", type=float, default=3600, help="timeout of each CLI subprocess, seconds")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = ap.parse_args(argv)
    if args.docs < 4 or args.ref_docs < 1 or args.workers < 1:
        ap.error("need --docs >= 4, --ref-docs >= 1, --workers >= 1")
    n_ref = min(args.ref_docs, args.docs)
    n_small = args.small_docs if 0 < args.small_docs < args.docs else max(1, args.docs // 4)

    started = time.perf_counter()
    results: dict = {"benchmark": {"command": " ".join([Path(sys.executable).name] + sys.argv),
                                   "args": {k: (_rel(v) if k in ("out", "model") and v else v) for k, v in vars(args).items()}, "started_utc": datetime.now(timezone.utc).isoformat(
                                       timespec="seconds")}}
    notes: list[str] = []
    rows: list = []
    tmp = Path(tempfile.mkdtemp(prefix="vanban-bench-"))
    log(f"temporary folder {tmp}")
    try:
        results["machine"] = machine_info()
        results["model"] = model_at_start = model_info(args.model)
        log(f"{results['machine']['cpu_count']} CPUs, load average {results['machine']['loadavg_at_start']}, "
            f"python {results['machine']['python']}")

        # 1. the batch ------------------------------------------------------------------
        log(f"1. building {args.docs} documents")
        full_dir = tmp / "batch"
        paths, binfo = build_batch(full_dir, args.docs, args.seed)
        sylls = binfo.pop("_sylls")
        ref_paths = paths[:n_ref]
        ref_texts = [p.read_text(encoding="utf-8") for p in ref_paths]
        ref_syll = sum(sylls[:n_ref])
        small_dir = copy_subset(paths[:n_small], tmp / "small")
        sub_dir = copy_subset(ref_paths, tmp / "subset")
        binfo.update({"ref_docs": n_ref, "ref_syllables": ref_syll, "small_docs": n_small,
                      "small_syllables": sum(sylls[:n_small]), "seed": args.seed,
                      "note": "document i = corpus text chosen by random.Random(seed), add_noise(text, seed=i) "
                              "for about half, plus a unique first line 'Số {i}-KH/BM'; every file's sha256 "
                              "is distinct. The reference and the in-process 1-/N-worker runs use the first "
                              "ref_docs documents; the memory comparison uses the first small_docs."})
        results["batch"] = binfo
        log(f"   {args.docs} documents, {binfo['syllables']:,} syllables ({binfo['noisy']} noisy); "
            f"subset {n_ref} docs / {ref_syll:,} syllables")

        # 2. start-up ----------------------------------------------------------------------
        log("2. start-up (3 fresh interpreters)")
        st = measure_startup(args.model)
        results["startup"] = st
        log(f"   import+load {st['import_plus_load_s']:.2f} s (import {st['import_s']:.2f}, load {st['load_s']:.2f}); "
            f"first document +{st['first_doc_after_load_s']:.2f} s")

        # 3. reference ----------------------------------------------------------------------
        log(f"3. reference: underthesea.word_tokenize on {n_ref} documents")
        ref = measure_reference(ref_texts, ref_syll)
        results["reference_word_tokenize"] = ref
        log(f"   {ref['syllables_per_s']:,.0f} syllables/s, {ref['docs_per_s']:.1f} docs/s ({ref['wall_s']:.1f} s)")

        # 4. one worker ------------------------------------------------------------------------
        import pipeline
        from pipeline import batch

        ann = pipeline.load(args.model)
        warm_dir = tmp / "warmup"
        build_batch(warm_dir, 3, args.seed + 1, start=args.docs + 10)
        batch.run(ann, warm_dir, tmp / "out_warmup", workers=1, quiet=True)   # model + CRF loaded before timing
        log(f"4. pipeline, 1 worker, in process, on {n_ref} documents")
        one = measure_batch_inprocess(ann, sub_dir, tmp / "out_1w", 1, n_ref, ref_syll, "one_worker")
        one["vs_word_tokenize"] = round(one["syllables_per_s"] / ref["syllables_per_s"], 3)
        # per CPU second: the same ratio, insensitive to other processes taking CPU from this one
        one["vs_word_tokenize_per_cpu_s"] = round((ref["cpu_s"] / one["cpu_s"]) if one["cpu_s"] else 0.0, 3)
        one["note"] = ("pipeline.batch.run(workers=1, quiet=True) with the model already loaded (warm-up run "
                       "first); includes reading, caching and writing tasks.jsonl/csv/report.html")
        results["one_worker"] = one
        log(f"   {one['docs_per_s']:.2f} docs/s, {one['syllables_per_s']:,.0f} syllables/s "
            f"= {one['vs_word_tokenize']:.2f}x word_tokenize ({one['wall_s']:.1f} s)")

        # 5. N workers ---------------------------------------------------------------------------
        W = args.workers
        log(f"5. pipeline, {W} workers, in process, on {n_ref} documents (cold, then warm)")
        cold = measure_batch_inprocess(ann, sub_dir, tmp / "out_nw_cold", W, n_ref, ref_syll, "n_workers_cold")
        warm = measure_batch_inprocess(ann, sub_dir, tmp / "out_nw_warm", W, n_ref, ref_syll, "n_workers_warm")
        for f in (cold, warm):
            f["speedup_vs_1_worker"] = round(one["wall_s"] / f["wall_s"], 3)
        cold["note"] = "fresh joblib/loky worker processes: includes their start-up and model load"
        warm["note"] = "same worker processes reused (model already loaded in them): steady-state scaling"
        same = ((tmp / "out_1w" / "tasks.jsonl").read_bytes() == (tmp / "out_nw_cold" / "tasks.jsonl").read_bytes()
                == (tmp / "out_nw_warm" / "tasks.jsonl").read_bytes())
        results["n_workers"] = {"workers": W, "cold": cold, "warm": warm, "outputs_identical_to_1_worker": same}
        try:
            from joblib.externals.loky import get_reusable_executor

            get_reusable_executor().shutdown(wait=True)
        except Exception:
            pass
        log(f"   cold {cold['speedup_vs_1_worker']:.2f}x ({cold['wall_s']:.1f} s, {cold['cores_used']} cores used), "
            f"warm {warm['speedup_vs_1_worker']:.2f}x ({warm['wall_s']:.1f} s, {warm['cores_used']} cores used); "
            f"other load {warm['other_cores']} cores")
        del ann

        # 6. CLI, memory ------------------------------------------------------------------------
        log(f"6. CLI, {W} workers, subprocess: {n_small} documents, then {args.docs} (peak RSS of the process tree)")
        small = run_cli(small_dir, tmp / "out_small", W, True, args.model, args.timeout)
        small["output"] = count_output(tmp / "out_small")
        log(f"   {n_small} docs: {small['wall_s']:.1f} s, peak RSS {small['peak_rss_mb']:.0f} MB")
        out_full = tmp / "out_full"
        first = run_cli(full_dir, out_full, W, True, args.model, args.timeout)
        first["output"] = count_output(out_full)
        first["docs_per_s"] = round(args.docs / first["wall_s"], 2)
        first["syllables_per_s"] = round(binfo["syllables"] / first["wall_s"], 1)
        log(f"   {args.docs} docs: {first['wall_s']:.1f} s ({first['docs_per_s']:.2f} docs/s), "
            f"peak RSS {first['peak_rss_mb']:.0f} MB = "
            + " + ".join(f"{x['process']} {x['rss_mb']:.0f}" for x in first["rss_at_peak"]))
        growth = first["peak_rss_mb"] - small["peak_rss_mb"]
        allowed = max(FLAT_ABS_MB, FLAT_REL * small["peak_rss_mb"])
        results["memory"] = {"small": small, "full": first, "growth_mb": round(growth, 1),
                             "flat_allowed_growth_mb": round(allowed, 1), "flat": growth <= allowed,
                             "note": f"peak of the summed RSS of the CLI process and all its descendants, sampled "
                                     f"every 0.2 s; 'flat' = the {args.docs}-doc peak is at most "
                                     f"max({FLAT_ABS_MB:.0f} MB, {FLAT_REL:.0%}) above the {n_small}-doc peak. "
                                     "RSS counts shared pages once per process."}

        # 7. cache ----------------------------------------------------------------------------------
        log("7. re-run on the unchanged folder (cache)")
        again = run_cli(full_dir, out_full, W, False, args.model, args.timeout)
        again["speedup"] = round(first["wall_s"] / again["wall_s"], 2)
        results["cache"] = {"first_s": first["wall_s"], "rerun": again, "speedup": again["speedup"]}
        log(f"   {again['wall_s']:.2f} s = {again['speedup']:.1f}x faster; {again.get('summary_line')}")

        # 8. one new file -------------------------------------------------------------------------
        log("8. one new file, re-run")
        build_batch(full_dir, 1, args.seed + 2, start=args.docs + 100)
        inc = run_cli(full_dir, out_full, W, False, args.model, args.timeout)
        s = inc.get("summary") or {}
        inc["exactly_one_annotated"] = (s.get("annotated") == 1 and s.get("cached") == args.docs
                                        and s.get("documents") == args.docs + 1)
        inc["extra_over_cached_rerun_s"] = round(inc["wall_s"] - again["wall_s"], 3)
        results["incremental"] = inc
        log(f"   {inc['wall_s']:.2f} s; {inc.get('summary_line')}")

        model_at_end = model_info(args.model)
        if model_at_end["sha256"] != model_at_start["sha256"]:
            notes.append("THE MODEL FILE CHANGED DURING THE RUN: figures mix two models; run again.")
        results["model_at_end_sha256"] = model_at_end["sha256"]

        # 9. table -------------------------------------------------------------------------------------
        T = TARGETS
        check(rows, "start-up: import pipeline + load (median of 3)", st["import_plus_load_s"], "s",
              f"<= {T['startup_s']:g} s", st["import_plus_load_s"] <= T["startup_s"], "startup.import_plus_load_s")
        check(rows, "  first annotate() after load (lazy underthesea)", st["first_doc_after_load_s"], "s", None, None,
              "startup.first_doc_after_load_s")
        check(rows, f"reference word_tokenize ({n_ref} docs)", ref["syllables_per_s"], "syll/s", None, None,
              "reference_word_tokenize.syllables_per_s")
        check(rows, f"pipeline 1 worker ({n_ref} docs)", one["docs_per_s"], "docs/s", None, None,
              "one_worker.docs_per_s")
        check(rows, f"pipeline 1 worker ({n_ref} docs)", one["syllables_per_s"], "syll/s", None, None,
              "one_worker.syllables_per_s")
        check(rows, "pipeline 1 worker / word_tokenize", one["vs_word_tokenize"], "x",
              f">= {T['one_worker_vs_wt']:g}x", one["vs_word_tokenize"] >= T["one_worker_vs_wt"],
              "one_worker.vs_word_tokenize")
        check(rows, "  same ratio per CPU second (contention-free)", one["vs_word_tokenize_per_cpu_s"], "x", None,
              None, "one_worker.vs_word_tokenize_per_cpu_s")
        t_scale = round(T["scaling_per_worker"] * W, 2)
        check(rows, f"{W} workers / 1 worker, cold (incl. worker start)", cold["speedup_vs_1_worker"], "x",
              f">= {t_scale:g}x", cold["speedup_vs_1_worker"] >= t_scale, "n_workers.cold.speedup_vs_1_worker")
        check(rows, f"{W} workers / 1 worker, warm (workers reused)", warm["speedup_vs_1_worker"], "x",
              f">= {t_scale:g}x", warm["speedup_vs_1_worker"] >= t_scale, "n_workers.warm.speedup_vs_1_worker")
        check(rows, f"  CPU cores used by the {W}-worker run (warm)", warm["cores_used"], "cores", None, None,
              "n_workers.warm.cores_used")
        check(rows, f"  outputs identical, 1 vs {W} workers", same, "", "identical", same,
              "n_workers.outputs_identical_to_1_worker")
        check(rows, f"CLI {args.docs} docs, {W} workers (cold)", first["docs_per_s"], "docs/s", None, None,
              "memory.full.docs_per_s")
        check(rows, f"peak RSS, process tree, {n_small} docs", small["peak_rss_mb"], "MB",
              f"<= {T['peak_rss_mb']:g} MB", small["peak_rss_mb"] <= T["peak_rss_mb"], "memory.small.peak_rss_mb")
        check(rows, f"peak RSS, process tree, {args.docs} docs", first["peak_rss_mb"], "MB",
              f"<= {T['peak_rss_mb']:g} MB", first["peak_rss_mb"] <= T["peak_rss_mb"], "memory.full.peak_rss_mb")
        check(rows, "  RSS at peak by process", " + ".join(f"{x['rss_mb']:.0f}" for x in first["rss_at_peak"]),
              "MB", None, None, "memory.full.rss_at_peak")
        check(rows, f"  memory growth {n_small} -> {args.docs} docs", round(growth, 1), "MB",
              f"flat (<= {allowed:.0f} MB)", growth <= allowed, "memory.growth_mb")
        check(rows, f"CLI first run, {args.docs} docs", first["wall_s"], "s", None, None, "cache.first_s")
        check(rows, "CLI re-run, unchanged folder (cache)", again["wall_s"], "s", None, None, "cache.rerun.wall_s")
        rerun_ok = (again.get("summary") or {}).get("annotated") == 0
        check(rows, "  first run / cached re-run", again["speedup"], "x", f">= {T['cache_speedup']:g}x",
              again["speedup"] >= T["cache_speedup"] and rerun_ok, "cache.speedup")
        check(rows, "one new file: re-run time", inc["wall_s"], "s", None, None, "incremental.wall_s")
        check(rows, "  exactly 1 annotated, rest from cache",
              f"{s.get('annotated')} annotated, {s.get('cached')} cached", "", "1 annotated",
              inc["exactly_one_annotated"], "incremental.exactly_one_annotated")

        errs = [(k, f["output"]["errors"]) for k, f in (("small", small), ("full", first)) if f["output"]["errors"]]
        if errs:
            notes.append(f"documents with errors in the CLI outputs: {errs}")
        for k, f in (("one_worker", one), ("n_workers.cold", cold), ("n_workers.warm", warm)):
            if f.get("problem"):
                notes.append(f"{k}: {f['problem']}")
        busy = max(x.get("other_cores", 0) for x in (ref, one, cold, warm, small, first))
        if busy >= 0.3:
            notes.append(f"other processes on this machine used up to {busy} CPU cores during a measured phase "
                         "(see other_cores per phase): throughput and scaling figures are lowered accordingly.")
        if n_ref < args.docs:
            notes.append(f"the word_tokenize reference and the in-process 1-/{W}-worker runs use the first {n_ref} "
                         f"of the {args.docs} documents (--ref-docs); the CLI runs use all of them.")
        results["checks"] = rows
        results["notes"] = notes
        results["benchmark"]["duration_s"] = round(time.perf_counter() - started, 1)

        print()
        print(f"vanban benchmark: {args.docs} documents ({binfo['syllables']:,} syllables), {W} workers, "
              f"{results['machine']['cpu_count']} CPUs, python {results['machine']['python']}, "
              f"underthesea {results['machine']['versions']['underthesea']}")
        print_table(rows)
        for n in notes:
            print(f"note: {n}")
        out = Path(args.out)
        write_json(out, strip_private(results))
        failed = [r["figure"].strip() for r in rows if r["pass"] is False]
        print(f"{len(rows) - len(failed) - sum(r['pass'] is None for r in rows)} PASS, {len(failed)} FAIL; "
              f"total {results['benchmark']['duration_s']:.0f} s; figures -> {out}")
        return 0
    except BaseException as e:   # keep what was measured so far
        if not isinstance(e, SystemExit) or e.code not in (0, None):
            results["error"] = f"{type(e).__name__}: {e}"
            results["checks"], results["notes"] = rows, notes
            try:
                write_json(Path(args.out), strip_private(results))
                log(f"stopped by {type(e).__name__}; partial figures -> {args.out}")
            except Exception:
                pass
        raise
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
