"""Metadata of the real documents against their stand-off gold: accuracy per field and every miss.

    PYTHONPATH=. python evaluation/metadata_real.py [--real-dir DIR] [--misses]

Uses :func:`pipeline.evaluation.stages.eval_metadata_real` (the pipeline's cleanup, then
metadata.extract, on the raw file; gold read at its offsets, None where blank in the original).
``--fair`` also scores with both sides normalised the same way (markdown and table debris removed, one
tone-mark style, case, spaces around "-" and "/"): the gold is read from the raw file at its offsets, so
"ỦY BAN NHÂN DÂN** TỈNH ĐẮK LẮK" is the gold of a correct "Ủy ban nhân dân tỉnh Đắk Lắk".
Misses are printed as field, document, gold and predicted values only when asked (they quote the
real documents, which stay out of the repository).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import realdocs  # noqa: E402
from pipeline.errors import CorpusError  # noqa: E402
from pipeline.evaluation.stages import eval_metadata_real  # noqa: E402
from pipeline.training import real_examples  # noqa: E402


def _fair(v):
    if v is None:
        return None
    import re

    from pipeline.cleanup import clean

    t = clean(str(v).replace("*", "").replace("|", " ")).text
    t = re.sub(r"\s*([-/])\s*", r"\1", " ".join(t.split())).lower().strip(" .,:;")
    return t or None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    ap.add_argument("--real-dir", default=None)
    ap.add_argument("--fair", action="store_true", help="also score with gold and prediction normalised alike")
    ap.add_argument("--misses", action="store_true", help="print every miss (quotes the real texts: do not commit)")
    args = ap.parse_args(argv)
    try:
        examples = real_examples(realdocs.load(args.corpus, args.real_dir))
    except CorpusError as e:
        print(f"metadata_real: error: {e}", file=sys.stderr)
        return 2
    scores, misses = eval_metadata_real(examples)
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in scores.items()}, indent=1))
    if args.fair:
        fair = {}
        for f in ("number", "date", "issuer", "place", "signer"):
            wrong = [m for m in misses if m["field"] == f and _fair(m["gold"]) != _fair(m["predicted"])]
            n = scores.get("real_meta_documents", 0)
            seen = sum(1 for e in examples if e.origin == "real" and e.meta and f in e.meta)
            fair[f"fair_acc_{f}"] = round(1 - len(wrong) / seen, 4) if seen else None
            misses = [m for m in misses if m["field"] != f] + wrong if args.misses else misses
        vals = [v for v in fair.values() if v is not None]
        fair["fair_acc_mean"] = round(sum(vals) / len(vals), 4)
        print(json.dumps(fair, indent=1))
    if args.misses:
        for m in sorted(misses, key=lambda m: (m["field"], m["doc_id"])):
            print(f'{m["field"]:7} {m["doc_id"]:5} gold={m["gold"]!r} got={m["predicted"]!r}')
    return 0


if __name__ == "__main__":
    sys.exit(main())
