"""Batch runs over folders: parallel, cached, resumable, never stopped by one bad file.

Each document's result is cached in ``OUT/.cache`` under the sha256 of its
bytes and the model version, and written there (atomically) as soon as it is
done. Outputs are assembled afterwards in file order, so they are identical
whatever the number of workers or scheduler, and a run killed midway resumes
where it stopped: finished documents come from the cache. Re-running on an
unchanged folder only reads the cache; after adding a file, only that file is
annotated.

Workers are processes (``workers=N``) or a Dask cluster
(``scheduler="tcp://host:8786"``). On Linux the batch's process loads the
model, annotates a short text (so that what components load on first use is
loaded too) and forks the other workers (``workers - 1``; it is the last
one itself), which share all of it copy-on-write: no worker starts an
interpreter or loads a model, and the memory of the model and libraries is
paid once. Elsewhere (no ``fork``, or ``VANBAN_WORKERS=loky``)
the workers are joblib's loky processes, each of which loads the model once
from its directory.

The documents of a chunk (:data:`CHUNK`) are annotated as one batch
(``Pipeline.pipe``: each learned component reads all of them at once); a
batch that fails is annotated again one document at a time, so that each
file gets its own result or error.

Each document has a time limit (``time_limit`` seconds, default
:data:`TIME_LIMIT`; 0 or None: none) for its reading and annotating: a
document that takes longer gets a per-file error and the batch goes on.
It is a ``SIGALRM`` timer (``signal.setitimer``) armed around each file's
reading and around a chunk's batch (which gets the limit as a whole; a
batch over it is annotated again document by document, each within what
its reading left of its limit), in the process that annotates it: the
batch's own process, and each forked or loky worker.
Where the batch's process cannot arm it (``run`` called from a thread other
than the main one), it annotates nothing itself and forks all the workers,
which can. Where no such timer can be armed (Windows, one worker in a
thread other than the main one, Dask's threaded workers) documents run
without a limit. A document over the limit, and one that met an internal error, is
written to the outputs but not to the cache: a re-run tries it again.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

from . import __version__, inventory, reading
from .document import Document
from .errors import InputError
from .labels import LabelInfo
from .model import sha256_file
from .output import Writers, atomic_write, write_report

log = logging.getLogger(__name__)
T = TypeVar("T")

CHUNK = 8   # documents per worker call, annotated as one batch: amortises inter-process and estimator overhead
CHUNK_BYTES = 96 * 1024     # and at most this many bytes of files a chunk in parallel (a larger file alone): the
                            # workers end together, and two batches in memory stay small
CHUNK_BYTES_ONE_WORKER = 256 * 1024     # with one worker: a batch's documents are in memory together
TIME_LIMIT = 300.0   # seconds a document may take (reading and annotating), by default


class TimeLimitExceeded(BaseException):
    """Raised inside a document's annotation when its time is up (a BaseException, so that no ``except
    Exception`` inside a component swallows it)."""


def time_limit_error(seconds: float) -> str:
    return (f"annotating took longer than the time limit of {seconds:g} s; raise it with --time-limit "
            "(0 = no limit)")


def can_limit_time() -> bool:
    """Whether this thread can arm the per-document timer (POSIX, main thread)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None):
    """Raise :class:`TimeLimitExceeded` in the block once ``seconds`` (wall clock) have passed; no limit when
    ``seconds`` is 0 or None or where :func:`can_limit_time` says no."""
    if not seconds or seconds <= 0 or not can_limit_time():
        yield
        return
    armed = [True]

    def on_alarm(signum, frame):
        if armed[0]:
            armed[0] = False
            raise TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class BatchResult:
    """What a batch did: documents written, tasks, files with errors, how many were annotated or read from
    the cache, entries skipped while walking the folder (``skipped``) and files that are not documents
    (``ignored``: README, LICENSE, hidden files), each as (path, why)."""

    documents: int = 0
    tasks: int = 0
    errors: int = 0
    cached: int = 0
    annotated: int = 0
    skipped: list = field(default_factory=list)
    out_dir: str = ""
    ignored: list = field(default_factory=list)     # (path, why): README, LICENSE, hidden files (pipeline.inventory)

    @property
    def ok(self) -> bool:
        return self.errors == 0


@dataclass
class _Item:
    doc_id: str
    source: str
    path: Path
    key: str = ""
    error: str = ""
    size: int = 0


def _cache_path(cache: Path, key: str) -> Path:
    return cache / key[:2] / f"{key}.json"


@lru_cache(maxsize=2)
def _worker_annotator(model_dir: str, sha: str):
    """One pipeline per worker process and model (the sha256 keys the cache)."""
    import pipeline

    return pipeline.load(model_dir)


def annotate_file(nlp, path: str | Path, root: str | Path | None = None) -> Document:
    """Annotate one file; a file that cannot be read, or a bug on it, gives a Document with ``errors``."""
    p = Path(path)
    source = p.relative_to(root).as_posix() if root is not None else p.as_posix()
    try:
        ext = reading.read(p)
        digest = ext.sha256
    except InputError as e:
        return Document(doc_id=p.stem, source=source, errors=[str(e)])
    try:
        doc = nlp.annotate(ext.text, doc_id=p.stem, source=source, sha256=digest)
        reading.set_pages(doc, ext.pages)
        return doc
    except Exception as e:  # a bug on one file must not stop a batch: record it
        return Document(doc_id=p.stem, source=source, sha256=digest,
                        errors=[f"internal error while annotating: {type(e).__name__}: {e}"])


_WARM_TEXT = "Kính gửi: Sở Y tế\n1. Sở Y tế chủ trì tổ chức tập huấn cho cán bộ y tế cơ sở."
_warmed: set = set()


def _warm(ann) -> None:
    """Annotate a short text once per process and pipeline, outside any time limit: the data and libraries
    that components load on first use (the diacritics model, underthesea's CRF…) are the worker's start-up,
    not the first document's time."""
    if id(ann) in _warmed:
        return
    _warmed.add(id(ann))
    try:
        ann.annotate(_WARM_TEXT)
    except Exception:
        pass              # a pipeline that cannot annotate it fails on the documents, with their errors


def _annotate_chunk(chunk: list[tuple[str, str, str, bytes]], model_ref,
                    limit: float | None = None) -> list[tuple[str, dict, bool]]:
    """Annotate (key, doc_id, source, bytes) items, each within ``limit`` seconds (reading and annotating);
    return (key, document dict, whether it may be cached) triples: a document over the time limit or with an
    internal error is not cached, so that a re-run tries it again.

    Each file is read within its own limit. The documents read are then annotated as one batch
    (``Pipeline.pipe``: each learned component reads all of them at once) within ``limit`` for the whole
    batch; should that fail (one document's bug) or run out of time, each is annotated again alone, within
    what is left of its own ``limit`` after its reading, and gets its own result or error. A document that is
    too slow thus costs its chunk at most ``limit`` more."""
    ann = _worker_annotator(*model_ref) if isinstance(model_ref, tuple) else model_ref
    if limit:
        _warm(ann)
    out: list = []                                             # (key, Document, may be cached) a file
    todo: list[tuple] = []         # (index in out, key, doc_id, source, sha, the file's extraction, seconds reading it)
    for key, doc_id, source, data in chunk:
        sha = key.split(":")[0]
        t0 = time.monotonic()
        try:
            with time_limit(limit):
                ext = reading.extract(data, source)
        except BaseException as e:           # an InputError, the time limit, a bug in a reader
            out.append((key, *_failed(doc_id, source, sha, e, limit)))
            continue
        out.append(None)
        todo.append((len(out) - 1, key, doc_id, source, sha, ext, time.monotonic() - t0))
    done = None
    if len(todo) > 1 and hasattr(ann, "pipe"):        # a Pipeline (an object with only annotate(): one by one)
        docs = [ann.make_doc(ext.text, doc_id=doc_id, source=source, sha256=sha)
                for _, _, doc_id, source, sha, ext, _ in todo]
        try:
            with time_limit(limit):
                done = list(ann.pipe(docs, batch_size=len(docs)))
        except (TimeLimitExceeded, Exception) as e:
            log.debug("a batch of %d documents failed (%s: %s); annotating them one by one",
                      len(todo), type(e).__name__, e)
    for n, (i, key, doc_id, source, sha, ext, spent) in enumerate(todo):
        if done is not None:
            result = done[n]
        else:
            try:
                with time_limit(limit and max(limit - spent, 1e-3)):      # what its reading left of its limit
                    result = ann.annotate(ext.text, doc_id=doc_id, source=source, sha256=sha)
            except BaseException as e:
                out[i] = (key, *_failed(doc_id, source, sha, e, limit))
                continue
        reading.set_pages(result, ext.pages)
        out[i] = (key, result, True)
    return [(key, doc.to_dict(), keep) for key, doc, keep in out]


def _failed(doc_id: str, source: str, sha: str, error: BaseException, limit: float | None) -> tuple[Document, bool]:
    """The Document of a file that could not be read or annotated, and whether it may be cached (an unreadable
    file may: reading it again gives the same error; a time-out or an internal error may not)."""
    if isinstance(error, InputError):
        return Document(doc_id=doc_id, source=source, sha256=sha, errors=[str(error)]), True
    if isinstance(error, TimeLimitExceeded):
        return Document(doc_id=doc_id, source=source, sha256=sha, errors=[time_limit_error(limit)]), False
    if not isinstance(error, Exception):
        raise error                          # KeyboardInterrupt, SystemExit: the batch stops
    return Document(doc_id=doc_id, source=source, sha256=sha,
                    errors=[f"internal error while annotating: {type(error).__name__}: {error}"]), False


class _ModelSource:
    """A loaded pipeline, or a model directory loaded only when this process has to annotate."""

    def __init__(self, model) -> None:
        self._annotator = None
        if isinstance(model, (str, Path)):
            from .model import read_meta

            self.path = str(Path(model).resolve())
            meta = read_meta(model)
            self.sha = meta["sha256"]
        else:
            self._annotator = model
            meta = model.meta
            self.path = model.meta.get("path")
            self.sha = model.meta.get("sha256")
        self.version = self.sha or getattr(model, "version", "unsaved")
        if meta.get("calibration"):    # meta.json's calibration sets the scores: an edit of it is a new version
            cal = json.dumps(meta["calibration"], sort_keys=True).encode("utf-8")
            self.version += ":cal-" + hashlib.sha256(cal).hexdigest()[:12]

    def annotator(self):
        if self._annotator is None:
            self._annotator = _worker_annotator(self.path, self.sha)
        return self._annotator

    def for_workers(self):
        """What worker processes get: the path (each loads the model once), else the object."""
        return (self.path, self.sha) if self.path and self.sha else self.annotator()


def chunked(items: Iterable[T], size: int, max_bytes: int | None, nbytes: Callable[[T], int]) -> Iterator[list[T]]:
    """Runs of consecutive ``items``, at most ``size`` of them and (with ``max_bytes``) at most that many bytes
    (``nbytes`` of each), an item larger than that alone: how a batch run cuts a folder into chunks, each of
    which is annotated as one batch.

    >>> list(chunked(["aa", "b", "cccc", "d", "e"], 3, 4, len))
    [['aa', 'b'], ['cccc'], ['d', 'e']]
    """
    buf: list[T] = []
    held = 0
    for it in items:
        n = nbytes(it)
        if buf and max_bytes is not None and held + n > max_bytes:
            yield buf
            buf, held = [], 0
        buf.append(it)
        held += n
        if len(buf) >= size:
            yield buf
            buf, held = [], 0
    if buf:
        yield buf


def _chunks(items: list[_Item], size: int, max_bytes: int | None = None) -> Iterator[list[tuple[str, str, str, bytes]]]:
    """Chunks of at most ``size`` documents (and, with ``max_bytes``, of at most that many bytes of files,
    a larger file alone; :func:`chunked`); each file is read when its chunk is made."""
    def read():
        for it in items:
            try:
                data = reading.read_bytes(it.path)
            except InputError as e:
                it.error = str(e)
                continue
            yield it.key, it.doc_id, it.source, data

    return chunked(read(), size, max_bytes, lambda item: len(item[3]))


def run(model, in_dir: str | Path, out_dir: str | Path, workers: int = 1, scheduler: str | None = None,
        quiet: bool = True, progress: Callable | None = None, report: bool = True,
        time_limit: float | None = TIME_LIMIT) -> BatchResult:
    """Annotate every document below ``in_dir`` (the formats of :data:`pipeline.reading.SUFFIXES`); write
    tasks.jsonl, tasks.csv and report.html to ``out_dir``.

    ``model`` is a loaded :class:`~pipeline.language.Pipeline` or a model directory; from a directory
    the model is loaded only by the processes that annotate (none when everything is cached).
    No progress bar unless asked: ``quiet=False`` shows one (tqdm, on stderr); ``progress`` is called with
    the number of documents finished instead. Files below ``in_dir`` that are not documents are left out
    by the rule of :mod:`pipeline.inventory` (listed in ``BatchResult.ignored``). ``time_limit``: seconds a
    document may take (0 or None: no limit); one over it gets a per-file error, is not cached, and the batch
    goes on (see the module's docstring for where the limit applies).
    """
    source = _ModelSource(model)
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    files, skipped = reading.find_documents(in_dir)
    files, ignored = inventory.drop_ignored(files, in_dir)      # README, LICENSE, hidden files: not documents
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = out_dir / ".cache"
    version = f"{source.version}:{__version__}:{reading.READER_VERSION}"
    root = in_dir if in_dir.is_dir() else in_dir.parent

    items: list[_Item] = []
    seen_ids: dict[str, int] = {}
    for p in files:
        rel = p.relative_to(root).as_posix()
        doc_id = p.stem
        if doc_id in seen_ids:                     # doc_id must be unique in the batch
            seen_ids[doc_id] += 1
            doc_id = rel.rsplit(".", 1)[0].replace("/", "__")
        else:
            seen_ids[doc_id] = 1
        it = _Item(doc_id=doc_id, source=rel, path=p)
        try:
            st = p.stat()
            it.size = st.st_size
            it.key = _content_key(p, st.st_size, version)
        except InputError as e:
            it.error = str(e)
        except OSError as e:
            it.error = f"cannot read the file: {e.strerror or e}"
        items.append(it)

    result = BatchResult(skipped=[(str(p), why) for p, why in skipped], out_dir=str(out_dir),
                         ignored=[(str(p), why) for p, why in ignored])
    todo, seen_keys = [], set()
    for it in items:
        if not it.error and it.key not in seen_keys and not _cache_path(cache, _cache_name(it.key)).exists():
            todo.append(it)            # identical files are annotated once
            seen_keys.add(it.key)
    result.cached = sum(1 for it in items if not it.error) - len(todo)

    bar = _progress(len(todo), quiet, progress)
    uncached: dict[str, dict] = {}       # over the time limit or an internal error: written, never cached
    for key, doc in _execute(todo, source, workers, scheduler, time_limit, cache):
        if doc is not None:
            uncached[key] = doc
        result.annotated += 1
        bar(1)
    bar(None)

    def docs() -> Iterator[dict]:
        for it in items:
            if it.error:
                yield Document(doc_id=it.doc_id, source=it.source, errors=[it.error]).to_dict()
                continue
            if it.key in uncached:
                d = dict(uncached[it.key])
            else:
                with open(_cache_path(cache, _cache_name(it.key)), encoding="utf-8") as fh:
                    d = json.load(fh)
            d["doc_id"], d["source"] = it.doc_id, it.source
            yield d

    info = LabelInfo.for_model(model)
    counts = Writers(out_dir, info).write(docs())
    result.documents, result.tasks, result.errors = counts.get("documents", 0), counts.get("tasks", 0), counts.get("errors", 0)
    if report:
        write_report(out_dir / "tasks.jsonl", out_dir / "report.html", info=info)
    return result


def _cache_name(key: str) -> str:
    """The cache entry's name of a document's content key."""
    return hashlib.sha256(key.encode()).hexdigest()


def _content_key(path: Path, size: int, version: str) -> str:
    limit = reading.max_bytes(path)
    if size > limit:
        raise InputError(f"file is {size // (1024 * 1024)} MB, above the {limit // (1024 * 1024)} MB limit")
    try:
        digest = sha256_file(path)
    except PermissionError:
        raise InputError("permission denied: the file cannot be read") from None
    return f"{digest}:{version}"


def _store(cache: Path, name: str, doc: dict) -> bool:
    """Write ``doc`` to the cache; False when it is not to be cached (an error before its bytes were read)."""
    if doc.get("errors") and not doc.get("sha256"):
        return False
    path = _cache_path(cache, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, ensure_ascii=False)     # dumps, not dump: json.dump encodes in Python, ~3x slower
    with atomic_write(path) as fh:
        fh.write(text)
    return True


def _settle(cache: Path, key: str, doc: dict, keep: bool) -> dict | None:
    """A finished document goes to the cache; one over the time limit or with an internal error does not (a
    re-run tries it again) and is returned, for the outputs."""
    if keep and _store(cache, _cache_name(key), doc):
        return None
    return doc


def _annotate_and_settle(chunk, model_ref, limit: float | None, cache: Path) -> list[tuple[str, dict | None]]:
    """:func:`_annotate_chunk`, each document then settled (:func:`_settle`) where it was annotated: a worker
    writes its own documents to the cache and sends back only their keys (and the documents not cached)."""
    return [(key, _settle(cache, key, doc, keep)) for key, doc, keep in _annotate_chunk(chunk, model_ref, limit)]


def _execute(todo: list[_Item], source: _ModelSource, workers: int, scheduler: str | None,
             limit: float | None, cache: Path) -> Iterator[tuple[str, dict | None]]:
    """(key, the document if it was not cached) for every document of ``todo``, as they finish."""
    if not todo:
        return
    if scheduler or (workers > 1 and len(todo) > CHUNK):
        # in parallel, the largest files first and chunks of bounded size: the batch does not end waiting on
        # one worker's chunk of long documents (outputs are written in the folder's order all the same)
        todo = sorted(todo, key=lambda it: it.size, reverse=True)
        chunks = _chunks(todo, CHUNK, CHUNK_BYTES)
    else:
        chunks = _chunks(todo, CHUNK, CHUNK_BYTES_ONE_WORKER)
    if scheduler:           # Dask's workers may be other machines: the cache is written here
        for key, doc, keep in _execute_dask(chunks, source.for_workers(), scheduler, limit):
            yield key, _settle(cache, key, doc, keep)
    elif workers <= 1 or len(todo) <= CHUNK:       # starting processes would cost more than it saves
        for ch in chunks:
            yield from _annotate_and_settle(ch, source.annotator(), limit, cache)
    elif _fork_workers():
        yield from _execute_forked(chunks, source, workers, limit, cache)
    else:
        from joblib import Parallel, delayed

        ref = source.for_workers()
        par = Parallel(n_jobs=workers, backend="loky", return_as="generator_unordered", pre_dispatch="2*n_jobs")
        for out in par(delayed(_annotate_and_settle)(ch, ref, limit, cache) for ch in chunks):
            yield from out


def _fork_workers() -> bool:
    """Fork the workers from a process that holds the warmed pipeline? On Linux (where ``fork`` is the
    platform's own way to start processes), unless ``VANBAN_WORKERS=loky``."""
    return (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
            and os.environ.get("VANBAN_WORKERS", "fork") != "loky")


_FORKED = None            # the pipeline a forked worker inherits from the batch's process (set in the worker)


def _set_forked(ann) -> None:
    global _FORKED
    _FORKED = ann


def _annotate_forked(chunk, limit, cache):
    return _annotate_and_settle(chunk, _FORKED, limit, cache)


def _execute_forked(chunks, source: "_ModelSource", workers: int, limit: float | None, cache: Path):
    """Chunks annotated by this process, which holds the warmed pipeline, and by ``workers - 1`` processes
    forked from it. A process that only waited would hold a third copy of every page of the model that
    both workers write to (reference counts): ~40 MB of the peak with the shipped model. A thread of this
    process keeps two chunks in flight per forked worker while its main thread annotates chunks of its own
    from the same sequence (files are read as they are needed). Where this process cannot keep the time
    limit (:func:`can_limit_time`), it forks ``workers`` processes and annotates nothing itself. A worker
    that dies (killed from outside, a crash in C code) stops the batch with an error; what was annotated
    is in the cache."""
    from concurrent.futures import ProcessPoolExecutor, as_completed, wait
    from concurrent.futures.process import BrokenProcessPool

    ann = source.annotator()
    _warm(ann)
    share = not limit or can_limit_time()      # this process annotates only where it keeps the time limit
    forked = workers - 1 if share else workers
    freeze = gc.get_freeze_count() == 0        # an application's own gc.freeze() is left as it was
    if freeze:
        gc.collect()
        gc.freeze()      # the collector of a worker then leaves the inherited objects (and their pages) alone
    todo, lock = iter(chunks), threading.Lock()

    def take():
        with lock:
            return next(todo, None)
    try:
        with ProcessPoolExecutor(forked, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_set_forked, initargs=(ann,)) as pool:
            pool.submit(os.getpid).result()     # the workers are forked here, from this thread, the only one
            futures: list = []
            slots = threading.Semaphore(2 * forked)
            stop = threading.Event()
            failed: list = []

            def feed():
                try:
                    while slots.acquire() and not stop.is_set() and (ch := take()) is not None:
                        fut = pool.submit(_annotate_forked, ch, limit, cache)
                        fut.add_done_callback(lambda _: slots.release())
                        futures.append(fut)
                except BaseException as e:     # a broken pool: raised in the batch's thread below
                    failed.append(e)
            feeder = threading.Thread(target=feed, name="vanban-feed", daemon=True)
            feeder.start()
            try:
                done = 0
                while not failed:
                    if share:
                        if (ch := take()) is None:
                            break
                        yield from _annotate_and_settle(ch, ann, limit, cache)      # this process's share
                    elif done < len(futures):
                        wait(futures[done:done + 1])             # results are taken in order
                    elif not feeder.is_alive():
                        break
                    else:
                        feeder.join(0.05)
                    while done < len(futures) and futures[done].done():
                        yield from futures[done].result()       # a dead worker's BrokenProcessPool: raised here
                        done += 1
            finally:
                stop.set()                        # (on an error here, the feeder must not go on alone)
                slots.release()                   # the feeder, waiting for a slot, stops
                feeder.join()
            if failed:
                raise failed[0]
            for fut in as_completed(futures[done:]):
                yield from fut.result()
    except BrokenProcessPool as e:
        raise RuntimeError("a worker process died (killed from outside, or a crash in a C extension); the "
                           "documents annotated so far are cached: run the batch again to go on, or use "
                           "VANBAN_WORKERS=loky") from e
    finally:
        if freeze:
            gc.unfreeze()


def _execute_dask(chunks, model_ref, scheduler: str, limit: float | None = None):
    from dask.distributed import Client, as_completed

    with Client(scheduler) as client:
        ref = client.scatter(model_ref, broadcast=True) if not isinstance(model_ref, tuple) else model_ref
        futures = [client.submit(_annotate_chunk, ch, ref, limit, pure=False) for ch in chunks]
        for fut in as_completed(futures):
            yield from fut.result()
            fut.release()


def _progress(total: int, quiet: bool, progress: Callable | None):
    if progress is not None:
        return lambda n: progress(n)
    if quiet or total == 0:
        return lambda n: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="doc", desc="annotating")

    def step(n):
        if n is None:
            bar.close()
        else:
            bar.update(n)
    return step
