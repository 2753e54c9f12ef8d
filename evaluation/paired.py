"""Did a change move the end-to-end figures beyond what another draw of documents would?

    python evaluation/paired.py BEFORE/scores.json AFTER/scores.json [--prefix real_] [--json]

Reads two ``vanban evaluate`` runs (each writes scores.json into its ``--report-dir``; the committed one is
evaluation/scores.json) and, over the documents both scored, compares task F1 and the lead, support and
themes micro-F1 on matched tasks: each side's figure, the change, its 95 % interval when the documents are
drawn again with replacement, the same draw for both sides (a paired bootstrap,
:func:`pipeline.evaluation.metrics.paired_bootstrap`), and the shares of draws in which the second run is
higher and lower. A change whose interval holds 0 is one these documents cannot tell from chance.

What this does not see: refitting every model on slightly different candidates moves the figures too (two
runs of the same code on the same labels agree to the last digit; a change that altered the candidates of
three documents moved lead F1 by 0.002 and support by 0.005 through the refitted models alone:
evaluation/HISTORY.md, the round that ended at 00a3aac). ``--prefix`` picks the document set:
``real_`` (default), ``written_``, ``seeds_``, ``real_written_only_``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.evaluation.metrics import paired_bootstrap  # noqa: E402

FIGURES = (("task", "task F1"), ("lead", "lead micro-F1"), ("support", "support micro-F1"),
           ("theme", "themes micro-F1"))


def per_document(path: Path, prefix: str) -> dict[str, dict]:
    """doc_id -> its (tp, fp, fn) counts per figure, from one scores.json."""
    try:
        scores = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SystemExit(f"{path}: cannot read it as scores.json ({e}).")
    if not isinstance(scores, dict):
        raise SystemExit(f"{path}: not a scores.json (its top level is no object).")
    docs = scores.get(prefix + "per_document")
    if not docs:
        raise SystemExit(f"{path}: no {prefix}per_document (was it evaluated with that document set?).")
    if any("counts" not in d for d in docs):
        raise SystemExit(f"{path}: its per-document entries carry no counts; it was written by a version of "
                         "`vanban evaluate` before they were kept. Evaluate that version again with this code's "
                         "evaluation, or compare two runs of this version.")
    return {d["doc_id"]: d["counts"] for d in docs}


def compare(before: Path, after: Path, prefix: str = "real_") -> dict:
    """Each figure of :data:`FIGURES` before and after, over the documents both runs scored
    (:func:`pipeline.evaluation.metrics.paired_bootstrap`), and how many documents only one of them has."""
    a, b = per_document(before, prefix), per_document(after, prefix)
    common = sorted(set(a) & set(b))
    if not common:
        raise SystemExit("The two runs share no document.")
    out = {"documents": len(common), "only_before": len(set(a) - set(b)), "only_after": len(set(b) - set(a))}
    for key, _ in FIGURES:
        out[key] = paired_bootstrap([a[d][key] for d in common], [b[d][key] for d in common])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--prefix", default="real_")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    res = compare(args.before, args.after, args.prefix)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"{res['documents']} documents in both runs"
          + (f" ({res['only_before']} only in the first, {res['only_after']} only in the second)"
             if res["only_before"] or res["only_after"] else ""))
    print(f"{'figure':18s} {'before':>7s} {'after':>7s} {'change':>8s}   95 % interval     "
          "second higher / lower")
    for key, name in FIGURES:
        r = res[key]
        print(f"{name:18s} {r['before']:7.3f} {r['after']:7.3f} {r['change']:+8.3f}   "
              f"[{r['low']:+.3f}, {r['high']:+.3f}]   "
              f"{100 * r['share_higher']:5.1f} % / {100 * r['share_lower']:5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
