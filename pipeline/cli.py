"""Command line: ``vanban annotate | train | evaluate | corpus`` (also ``python -m pipeline``).

Each command parses its arguments and calls one library function. Library
errors print one line and exit with status 2; ``annotate`` exits with 1 when
at least one file could not be annotated (its reason is in tasks.jsonl), 0
when every file was.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .errors import VanbanError
from .usage import UsageError

EXIT_OK, EXIT_FILE_ERRORS, EXIT_ERROR = 0, 1, 2


def cmd_annotate(args) -> int:
    from .batch import run
    from .inventory import survey
    from .model import default_model_dir
    from .usage import check_model_dir, check_output_dir

    found = survey(_existing_input(args.input))
    if not found.documents:
        from .reading import SUFFIXES

        kinds = "/".join(SUFFIXES)
        skipped = found.skipped_summary()
        raise UsageError(f"no document to annotate in {args.input}: this version reads {kinds} files"
                         + (f"; skipped {skipped}" if skipped else " and the folder has none") + ".")
    check_output_dir(args.output)
    model = args.model or default_model_dir()
    check_model_dir(model)
    # the model directory, not a loaded model: only processes that annotate load it
    res = run(model, args.input, args.output, workers=args.workers, scheduler=args.scheduler, quiet=args.quiet,
              time_limit=args.time_limit)
    if not args.quiet:
        print(f"{res.documents} documents, {res.tasks} tasks, {res.errors} with errors "
              f"({res.annotated} annotated, {res.cached} from cache) -> {res.out_dir}")
        skipped = found.skipped_summary()
        if skipped or res.skipped:
            n = found.skipped + len(res.skipped)
            print(f"skipped {n} file{'s' if n != 1 else ''}: "
                  + ", ".join(x for x in (skipped, f"{len(res.skipped)} unreachable (links, folders)"
                                          if res.skipped else "") if x), file=sys.stderr)
        for path, why in res.skipped:
            print(f"skipped {path}: {why}", file=sys.stderr)
    return EXIT_FILE_ERRORS if res.errors else EXIT_OK


def _thresholds(value: str) -> float | dict:
    """``--uncertain-below``: "0.5" or "lead=0.6,theme=0.4"."""
    try:
        if "=" not in value:
            return float(value)
        out = {}
        for part in value.split(","):
            kind, _, v = part.partition("=")
            kind = kind.strip()
            if kind not in ("lead", "support", "agency", "theme", "task"):
                raise ValueError(kind)
            out[kind] = float(v)
        return out
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or KIND=NUMBER pairs separated by commas (kinds: lead, "
                                         f"support, agency, theme, task); got {value!r}") from None


def _existing_input(path: str) -> str:
    if not Path(path).exists():
        raise UsageError(f"Input folder {path} does not exist.")
    return path


def cmd_train(args) -> int:
    from .training import train

    _load_code(args.code)
    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    meta = train(args.corpus, args.output, config=args.config, real_dir=args.real_dir,
                 real=False if args.no_real else None, scores_file=args.scores, progress=progress,
                 uncertain_below=args.uncertain_below)
    if not args.quiet:
        c = meta["corpus"]
        print(f"trained on {c['written_documents']} written and {c['real_documents']} real documents, "
              f"{c['tasks']} tasks -> {args.output} (model sha256 {meta['sha256'][:12]}…)")
    return EXIT_OK


def cmd_evaluate(args) -> int:
    from .evaluation import evaluate

    _load_code(args.code)
    config = json.loads(Path(args.config).read_text(encoding="utf-8")) if args.config else None
    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    command = "vanban evaluate " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["evaluate"] else ""
    scores = evaluate(args.corpus, report_dir=args.report_dir, folds=args.folds, real_dir=args.real_dir,
                      real=False if args.no_real else None, config=config, progress=progress, n_jobs=args.jobs,
                      command=command)
    if args.json:
        print(json.dumps(scores, ensure_ascii=False, indent=2, default=str))
    else:
        flat = {k: v for k, v in scores.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)}
        width = max(len(k) for k in flat)
        for k, v in flat.items():
            ci = scores.get(k + "_ci")       # the 95 % interval over documents drawn again, where there is one
            print(f"{k.ljust(width)}  {v:.4f}" + (f"  ({ci[0]:.4f}–{ci[1]:.4f})" if ci else "")
                  if isinstance(v, float) else f"{k.ljust(width)}  {v}")
        print(f"report: {Path(args.report_dir) / 'report.md'}")
    return EXIT_OK


def cmd_corpus(args) -> int:
    from . import corpus, realdocs

    if args.action == "build":
        docs = corpus.build(args.corpus)
        print(f"{len(docs)} documents, {sum(len(d.tasks) for d in docs)} tasks -> {Path(args.corpus) / 'labels.jsonl'}")
        return EXIT_OK
    labelset = corpus.load_labelset(args.corpus)
    sources = sorted((Path(args.corpus) / "src").glob("*.txt"))
    problems = [p for f in sources for p in corpus.check_document(corpus.read_source(f), labelset)]
    n_real = 0
    if not args.no_real:
        n_real, real_problems = realdocs.check(args.corpus, args.real_dir)
        problems += real_problems
    from .review import check_reviewed

    n_rev, rev_problems = check_reviewed(args.corpus)
    problems += rev_problems
    if problems:
        print("\n".join(problems))
        return EXIT_FILE_ERRORS
    checked = [f"{len(sources)} written documents" if sources else "",
               f"{n_real} real-document records (labels and second labelling)" if n_real else "",
               f"{n_rev} reviewed records" if n_rev else ""]
    checked = [c for c in checked if c]
    print(f"ok ({' and '.join(checked)} checked)" if checked else "ok")
    return EXIT_OK


def cmd_compare(args) -> int:
    from .compare import compare
    from .labels import LabelInfo

    info = LabelInfo.for_model(args.model) if args.model else LabelInfo.default()
    res = compare(args.output_dir, threshold=args.threshold, info=info)
    print(f"{res.documents} documents, {res.tasks} tasks: {res.issuer_rows} issuer × agency × theme rows, "
          f"{res.pairs} similar task pairs in {res.links} document pairs -> {res.out_dir} "
          "(compare_issuers.csv, compare_tasks.csv, report.html)")
    return EXIT_OK


def cmd_review(args) -> int:
    from .labels import LabelInfo

    info = LabelInfo.for_model(args.model) if args.model else LabelInfo.default()
    if args.action == "export":
        from .review import export

        res = export(args.path, args.output, input_dir=args.input, uncertain=args.uncertain,
                     documents=args.document, info=info)
        for doc_id, why in res.skipped:
            print(f"skipped {doc_id}: {why}", file=sys.stderr)
        print(f"{res.tasks} tasks of {res.documents} documents -> {res.out_dir} (tasks.json and label_config.xml "
              "for Label Studio, review.csv for a spreadsheet)")
        return EXIT_FILE_ERRORS if res.skipped else EXIT_OK
    from .corpus import load_labelset
    from .review import import_review

    labelset = load_labelset(args.corpus) if args.corpus else None
    res = import_review(args.path, args.output, review_dir=args.source, labelset=labelset)
    for p in res.problems:
        print(p, file=sys.stderr)
    print(f"{res.reviewed} tasks corrected or confirmed, {res.dropped} marked not a task, in {res.documents} "
          f"documents -> {res.path}")
    return EXIT_FILE_ERRORS if res.problems else EXIT_OK


def _load_code(path: str | None) -> None:
    """Import a Python file that registers components (``@pipeline.language.component``)."""
    if not path:
        return
    import importlib.util

    from .errors import ConfigError

    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"--code {path}: no such file.")
    spec = importlib.util.spec_from_file_location(p.stem, p)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit status 2), not the usage block."""

    def error(self, message: str):
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _workers(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of processes, 1 or more. Got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more (1 = no extra process). Got {n}")
    return n


def _seconds(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds (0 = no limit). Got {value!r}") from None
    if x < 0 or x != x:
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more. Got {value}")
    return x


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    p = _Parser(prog="vanban", description="Tasks, agencies and themes from Vietnamese administrative documents.")
    p.add_argument("--version", action="version", version=f"vanban {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    a = sub.add_parser("annotate", help="annotate a folder of documents (.txt, .md, .pdf, .docx, .doc, .rtf, .odt, scans)")
    a.add_argument("input", help="folder (searched recursively; README, LICENSE and hidden files are not "
                   "documents) or a single file")
    a.add_argument("-o", "--output", required=True, help="output folder: tasks.jsonl, tasks.csv, tasks_long.csv, documents.csv, report.html")
    a.add_argument("-m", "--model", default=None, help="model directory (default: the model shipped in the package, pipeline/model, or $VANBAN_MODEL)")
    a.add_argument("-w", "--workers", type=_workers, default=1, help="worker processes (default 1)")
    a.add_argument("--scheduler", default=None, help="address of a Dask scheduler, e.g. tcp://10.0.0.5:8786")
    a.add_argument("--time-limit", type=_seconds, default=300.0, metavar="SECONDS",
                   help="seconds one document may take; one over it gets an error and the batch goes on "
                   "(default 300, 0 = no limit)")
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    a.set_defaults(func=cmd_annotate)

    t = sub.add_parser("train", help="train a model from a corpus folder (and its real documents)")
    t.add_argument("corpus")
    t.add_argument("-o", "--output", required=True, help="model directory to write")
    t.add_argument("--config", default=None, help="pipeline config (JSON): components, order, settings")
    t.add_argument("--code", default=None, help="a Python file that registers custom components")
    t.add_argument("--real-dir", default=None, help="folder of the real documents' texts "
                   "(default: $VANBAN_REALDOCS or ../shared/realdocs)")
    t.add_argument("--no-real", action="store_true", help="train on the written corpus only")
    t.add_argument("--scores", default=None, help="scores.json from `vanban evaluate` to record in meta.json")
    t.add_argument("--uncertain-below", type=_thresholds, default=None, metavar="P | KIND=P,…",
                   help="score below which a label is flagged uncertain, one number or per kind "
                        "(lead, support, theme, task), e.g. lead=0.6,theme=0.4; default with --scores: 0.5 of "
                        "the calibrated probability for each calibrated kind (stored as uncertain_below in meta.json)")
    t.add_argument("-q", "--quiet", action="store_true")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("evaluate", help="evaluation: real documents end to end, every stage, grouped folds")
    e.add_argument("corpus")
    e.add_argument("--report-dir", default="evaluation", help="where report.md and scores.json go")
    e.add_argument("--folds", type=int, default=5)
    e.add_argument("--config", default=None, help="pipeline config (JSON) to evaluate")
    e.add_argument("--code", default=None, help="a Python file that registers custom components")
    e.add_argument("--real-dir", default=None, help="folder of the real documents' texts")
    e.add_argument("--no-real", action="store_true", help="leave the real documents out")
    e.add_argument("-j", "--jobs", type=int, default=1, help="folds fitted in parallel (default 1)")
    e.add_argument("--json", action="store_true", help="print every figure as JSON")
    e.add_argument("-q", "--quiet", action="store_true")
    e.set_defaults(func=cmd_evaluate)

    cp = sub.add_parser("compare", help="across the documents of an output folder: issuers × agencies × themes, "
                        "and tasks taken up by other documents (CSV and report)")
    cp.add_argument("output_dir", help="output folder of `vanban annotate` (holds tasks.jsonl)")
    cp.add_argument("--threshold", type=float, default=0.5, help="cosine similarity for two tasks to match "
                    "(default 0.5)")
    cp.add_argument("-m", "--model", default=None, help="model directory whose label names to show")
    cp.set_defaults(func=cmd_compare)

    r = sub.add_parser("review", help="export uncertain tasks for review (Label Studio or CSV); import the "
                       "corrections as corpus labels")
    r.add_argument("action", choices=["export", "import"])
    r.add_argument("path", help="export: output folder of `vanban annotate`; import: a Label Studio JSON export "
                   "or the edited review.csv")
    r.add_argument("-o", "--output", required=True, help="export: the review folder to write; import: the "
                   "corpus's reviewed folder (e.g. corpus/reviewed)")
    r.add_argument("--input", default=None, help="export: the folder that was annotated (default: sources "
                   "relative to the current folder)")
    r.add_argument("--uncertain", type=int, default=50, help="export: how many of the least certain tasks "
                   "(default 50)")
    r.add_argument("--document", action="append", default=None, metavar="DOC_ID",
                   help="export: also every task of this document (repeatable)")
    r.add_argument("--from", dest="source", default=None, help="import: the folder `review export` wrote "
                   "(default: the export file's folder)")
    r.add_argument("--corpus", default=None, help="import: corpus folder whose labelset.json the labels must "
                   "follow (default: the built-in label names)")
    r.add_argument("-m", "--model", default=None, help="model directory whose label names to use")
    r.set_defaults(func=cmd_review)

    c = sub.add_parser("corpus", help="build labels.jsonl from src/, or check src/ and the real labels")
    c.add_argument("action", choices=["build", "check"])
    c.add_argument("corpus")
    c.add_argument("--real-dir", default=None, help="folder of the real documents' texts")
    c.add_argument("--no-real", action="store_true", help="check the written corpus only (the real texts absent)")
    c.set_defaults(func=cmd_corpus)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:               # --help, --version (0) and usage errors (2), already printed
        return e.code if isinstance(e.code, int) else EXIT_ERROR
    try:
        return args.func(args)
    except VanbanError as e:
        print(f"vanban: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as e:                  # a folder that cannot be written, a disk that is full…
        where = f" {e.filename}" if getattr(e, "filename", None) else ""
        print(f"vanban: error:{where}: {e.strerror or e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("vanban: interrupted; finished documents are cached, run again to resume", file=sys.stderr)
        return 130
    except Exception as e:                # a bug: one line unless asked for the traceback
        if os.environ.get("VANBAN_DEBUG"):
            raise
        print(f"vanban: internal error: {type(e).__name__}: {_one_line(e)} (set VANBAN_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return EXIT_ERROR


def _one_line(e: BaseException) -> str:
    text = str(e)
    if "\n" not in text:
        return text
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return f"{lines[0]} (and {len(lines) - 1} more lines)" if len(lines) > 1 else lines[0]


if __name__ == "__main__":
    sys.exit(main())
