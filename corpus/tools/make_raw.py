"""Regenerate corpus/raw/: the seeds' real originals, and injected noise for a third of the rest.

    python corpus/tools/make_raw.py

Deterministic: with the seeds (real noise), the written documents with the smallest sha256(doc_id)
make up at least a third of the corpus; each one's noise is seeded by its hash, so reruns write
the same bytes.
"""

import hashlib
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE.parent))

from pipeline.corpus import read_source  # noqa: E402
from pipeline.noise import add_noise  # noqa: E402

SEEDS = HERE.parent.parent / "shared" / "seeds"


def main() -> None:
    raw = HERE / "raw"
    raw.mkdir(exist_ok=True)
    sources = sorted((HERE / "src").glob("*.txt"))
    written = []
    for src in sources:
        seed_file = SEEDS / src.name
        if seed_file.exists():
            shutil.copyfile(seed_file, raw / src.name)
        else:
            written.append((int(hashlib.sha256(src.stem.encode()).hexdigest(), 16), src))
    n_seeds = len(sources) - len(written)
    wanted = -(-len(sources) // 3) - n_seeds          # ceil(n / 3) noisy documents in all
    for old in raw.glob("g*.txt"):
        old.unlink()
    for h, src in sorted(written)[:max(wanted, 0)]:
        doc = read_source(src)
        (raw / src.name).write_text(add_noise(doc.text, seed=h % (2 ** 32)), encoding="utf-8")
    print(f"{len(list(raw.glob('*.txt')))} raw files in {raw}")


if __name__ == "__main__":
    main()
