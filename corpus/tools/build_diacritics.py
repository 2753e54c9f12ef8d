"""Build pipeline/data/syllable_pairs.tsv: the statistics of the diacritic corrector.

    python corpus/tools/build_diacritics.py

Counts, in lower case, every Vietnamese syllable and every pair of syllables next to each other
(one space between, same line, no punctuation) in

- the project's own text: the written corpus (corpus/src, annotation markup removed) and the
  lexicons (pipeline/data/agencies.tsv, terms.txt), every count;
- the real public documents (../shared/realdocs, or $VANBAN_REALDOCS) except the fifth held out
  for evaluation (:func:`held_out`): only syllables and pairs seen at least twice there, so the
  file holds counts of short n-grams and no passage of any document.

The written corpus alone (about 100,000 syllables) leaves most correct pairs of real documents
unseen, and the corrector then changes correct syllables ("về" -> "vẽ" after "giá"); the counts
from real documents are what keeps it from doing so. Without the real documents the script
counts the project's own text only and says so. Deterministic.
"""

import hashlib
import os

import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from pipeline.corpus import read_source  # noqa: E402
from pipeline.syllables import is_syllable  # noqa: E402

_WORD = re.compile(r"[^\W\d_]+")


def held_out(name: str) -> bool:
    """A real document kept out of the statistics, for measuring the corrector: a fifth, by name."""
    return int(hashlib.sha256(Path(name).name.encode()).hexdigest()[:8], 16) % 5 == 0


def real_dir() -> Path:
    return Path(os.environ.get("VANBAN_REALDOCS") or ROOT.parent / "shared" / "realdocs")


def real_texts():
    for p in sorted(real_dir().glob("*.txt")):
        if not held_out(p.name):
            yield p.read_text(encoding="utf-8")


def texts():
    for p in sorted((HERE / "src").glob("*.txt")):
        yield read_source(p).text
    for line in (ROOT / "pipeline" / "data" / "agencies.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")[1]
    for line in (ROOT / "pipeline" / "data" / "terms.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            yield line


def count(lines):
    uni, bi = Counter(), Counter()
    for text in lines:
        text = unicodedata.normalize("NFC", text)
        toks = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
        for i, (s, e, w) in enumerate(toks):
            if not is_syllable(w):
                continue
            uni[w] += 1
            if i + 1 < len(toks) and text[e:toks[i + 1][0]] == " " and is_syllable(toks[i + 1][2]):
                bi[(w, toks[i + 1][2])] += 1
    return uni, bi


def main() -> None:
    uni, bi = count(texts())
    reals = list(real_texts())
    if reals:
        ru, rb = count(reals)
        uni.update({w: n for w, n in ru.items() if n >= 2})
        bi.update({p: n for p, n in rb.items() if n >= 2})
    else:
        print(f"no real documents in {real_dir()}: statistics of the written corpus only")
    out = ROOT / "pipeline" / "data" / "syllable_pairs.tsv"
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("# Syllable and syllable-pair counts (lower case): the project's written corpus and lexicons, and\n"
                 f"# syllables and pairs seen twice or more in {len(reals)} real public documents (no passage of any).\n"
                 "# count<TAB>syllable, or count<TAB>syllable syllable. Built by corpus/tools/build_diacritics.py.\n")
        for w, n in sorted(uni.items(), key=lambda x: (-x[1], x[0])):
            fh.write(f"{n}\t{w}\n")
        for (a, b), n in sorted(bi.items(), key=lambda x: (-x[1], x[0])):
            fh.write(f"{n}\t{a} {b}\n")
    print(f"{out.relative_to(ROOT)}: {len(uni)} syllables, {len(bi)} pairs, {sum(uni.values())} syllables counted, "
          f"{len(reals)} real documents")


if __name__ == "__main__":
    main()
