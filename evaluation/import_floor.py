"""What start-up cannot go under: the import of the libraries the pipeline is built on, each in fresh
interpreters, beside ``import pipeline; pipeline.load()`` measured the same way.

    python evaluation/import_floor.py            # about a minute; writes evaluation/import_floor.json

Each figure is the wall time of ``python -c <code>`` (interpreter start included, so ``pass`` is given as the
base), the median of ``--rounds`` runs with its spread. scikit-learn's own ``sklearn.utils.fixes`` imports
``scipy.stats`` and, when it is installed, pandas; spaCy's package imports its CLI and pipeline registry.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}

CASES = {
    "python (pass)": "pass",
    "numpy": "import numpy",
    "scikit-learn (sklearn.base)": "import sklearn.base",
    "spaCy": "import spacy",
    "scikit-learn and spaCy": "import sklearn.base, spacy",
    "underthesea": "import underthesea",
    "import pipeline; pipeline.load()": "import pipeline; pipeline.load()",
}


def wall(code: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=ENV, check=True, capture_output=True)
    return time.perf_counter() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "evaluation" / "import_floor.json"))
    args = ap.parse_args(argv)
    for code in CASES.values():                   # the files in the page cache before timing
        wall(code)
    res = {}
    for name, code in CASES.items():
        xs = [wall(code) for _ in range(args.rounds)]
        res[name] = {"median": round(statistics.median(xs), 3), "min": round(min(xs), 3), "max": round(max(xs), 3)}
        print(f"{name:36s} {res[name]['median']:.2f} s ({res[name]['min']:.2f}–{res[name]['max']:.2f})", flush=True)
    out = {"python": sys.version.split()[0], "rounds": args.rounds, "load_average": os.getloadavg(), "seconds": res}
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
