"""Fetch the public real documents that corpus/real/ labels, into a folder of your choice.

    python corpus/tools/fetch_realdocs.py DIR [--only-labelled]

Each file of corpus/real/manifest.jsonl is downloaded from its repository at the recorded commit
(https://raw.githubusercontent.com/REPO/COMMIT/PATH) and saved as DIR/FILE; its sha256 is checked
against the manifest, and a file that differs is reported (the labels' offsets would not fit it).
Then: vanban corpus check corpus --real-dir DIR, vanban evaluate corpus --real-dir DIR.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.request
from pathlib import Path

MANIFEST = Path(__file__).resolve().parents[1] / "real" / "manifest.jsonl"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--only-labelled", action="store_true")
    args = ap.parse_args(argv)
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    bad = 0
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if args.only_labelled and not r.get("labelled"):
            continue
        url = f"https://raw.githubusercontent.com/{r['repo']}/{r['commit']}/{r['path']}"
        try:
            data = urllib.request.urlopen(url, timeout=60).read()
        except OSError as e:
            print(f"{r['file']}: cannot fetch {url}: {e}", file=sys.stderr)
            bad += 1
            continue
        if hashlib.sha256(data).hexdigest() != r["sha256"]:
            print(f"{r['file']}: fetched, but its sha256 differs from the manifest", file=sys.stderr)
            bad += 1
        (out / r["file"]).write_bytes(data)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
