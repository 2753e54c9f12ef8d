"""Regenerate corpus/raw/: the seeds' real originals, and injected noise for a third of the rest.

    python corpus/tools/make_raw.py

Deterministic: a document is noisy when sha256(doc_id) is 0 mod 3 (about a third), and its
noise is seeded by the same hash, so reruns write the same bytes.
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
    for src in sorted((HERE / "src").glob("*.txt")):
        seed_file = SEEDS / src.name
        if seed_file.exists():
            shutil.copyfile(seed_file, raw / src.name)
            continue
        h = int(hashlib.sha256(src.stem.encode()).hexdigest(), 16)
        if h % 3 == 0:
            doc = read_source(src)
            (raw / src.name).write_text(add_noise(doc.text, seed=h % (2 ** 32)), encoding="utf-8")
    print(f"{len(list(raw.glob('*.txt')))} raw files in {raw}")


if __name__ == "__main__":
    main()
