"""Screenshots of report.html in headless Chromium, for the README and to look at the page as a person would.

    python evaluation/report_screenshot.py OUT_DIR [-o docs/report.png] [--hash '#/tasks?agency=mttq_doan_the']
    python evaluation/report_screenshot.py --written-corpus [-o docs/report.png]

``--written-corpus`` first annotates the corpus's written documents (``corpus/labels.jsonl``, ids g*: the
project's own texts, never the real documents) into ``build/written`` and runs ``vanban compare`` on them;
the README's screenshot is made that way. Needs Debian's chromium and chromium-driver (see README).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def written_corpus_output(work: Path) -> Path:
    from pipeline.cli import main

    docs = work / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for line in (ROOT / "corpus" / "labels.jsonl").read_text("utf-8").splitlines():
        rec = json.loads(line)
        if rec["doc_id"].startswith("g"):
            (docs / f"{rec['doc_id']}.txt").write_text(rec["text"], "utf-8")
    out = work / "out"
    if main(["annotate", str(docs), "-o", str(out), "-q", "-w", "2"]) not in (0, 1):
        raise SystemExit("annotation failed")
    main(["compare", str(out)])
    return out


def screenshot(report: Path, png: Path, hash_: str = "", width: int = 1400, height: int = 1000) -> Path:
    from browser import chromium

    with chromium(width, height) as d:
        d.get(report.resolve().as_uri() + hash_)
        end = time.time() + 10
        while d.execute_script("return document.body.dataset.ready") != "1" and time.time() < end:
            time.sleep(0.05)
        time.sleep(0.3)
        png.parent.mkdir(parents=True, exist_ok=True)
        d.save_screenshot(str(png))
    return png


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", nargs="?", help="an output folder of vanban annotate")
    ap.add_argument("--written-corpus", action="store_true")
    ap.add_argument("-o", "--output", default=str(ROOT / "docs" / "report.png"))
    ap.add_argument("--hash", default="", help="view to show, e.g. '#/tasks?agency=mttq_doan_the&level=tinh'")
    args = ap.parse_args(argv)
    out = written_corpus_output(ROOT / "build" / "written") if args.written_corpus else Path(args.out_dir)
    print(screenshot(out / "report.html", Path(args.output), args.hash))
    return 0


if __name__ == "__main__":
    sys.exit(main())
