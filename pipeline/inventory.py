"""Which files of an input folder are documents, and what was left out and why.

The rule (README, "Batches"): below an input folder, a file is a document when its suffix is one that
:mod:`pipeline.reading` reads (``reading.SUFFIXES``) **and** it is not

- hidden, or inside a hidden folder (a name starting with ``.``: ``.git``, ``.cache``…);
- the folder's own paperwork: a file named ``README``, ``LICENSE``/``LICENCE``, ``CHANGELOG``/``CHANGES``,
  ``CONTRIBUTING``, ``NOTICE``, ``AUTHORS``, ``COPYING`` or ``MANIFEST`` (any case, any suffix).

A file given by name (``vanban annotate README.md``) is always annotated. Everything else is skipped
and counted by kind, so the summary can say "skipped 1 README.md, 3 .docx".

>>> is_ignored(Path("docs/README.md"), Path("docs")), is_ignored(Path("docs/.git/x.txt"), Path("docs"))
("the folder's own README, not a document", 'hidden file or folder')
>>> is_ignored(Path("docs/077.txt"), Path("docs")) is None
True
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

PAPERWORK = {"readme", "license", "licence", "changelog", "changes", "contributing", "notice", "authors", "copying",
             "manifest"}


def is_ignored(path: Path, root: Path) -> str | None:
    """Why ``path`` (below the input folder ``root``) is not a document, or None when it is one."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        parts = path.parts[-1:]
    if any(p.startswith(".") for p in parts):
        return "hidden file or folder"
    stem = path.name.split(".", 1)[0].lower()
    if stem in PAPERWORK:
        return f"the folder's own {path.name.split('.', 1)[0].upper()}, not a document"
    return None


def drop_ignored(files: list[Path], root: str | Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """``files`` found below ``root`` without the ignored ones; and the ignored ones with the reason."""
    root = Path(root)
    if root.is_file():
        return list(files), []
    kept, ignored = [], []
    for f in files:
        why = is_ignored(f, root)
        if why:
            ignored.append((f, why))
        else:
            kept.append(f)
    return kept, ignored


@dataclass
class Survey:
    """What an input folder holds: documents to annotate, ignored documents, and other files by kind.

    >>> Survey([], [(Path("d/README.md"), "the folder's own README, not a document"),
    ...             (Path("d/.git/x.txt"), "hidden file or folder")], Counter({".docx": 2})).skipped_summary()
    '1 README.md, 1 hidden, 2 .docx'
    """

    documents: list = field(default_factory=list)
    ignored: list = field(default_factory=list)        # (path, why)
    other: Counter = field(default_factory=Counter)     # suffix (".docx", "no suffix") -> count

    def skipped_summary(self) -> str:
        """'1 README.md, 2 .docx, 1 .pdf' (empty when nothing was skipped)."""
        paperwork = sorted(p.name for p, why in self.ignored if why != "hidden file or folder")
        hidden = len(self.ignored) - len(paperwork)
        parts = [f"1 {n}" for n in paperwork] if len(paperwork) <= 3 else [f"{len(paperwork)} README, LICENSE… files"]
        if hidden:
            parts.append(f"{hidden} hidden")
        parts += [f"{n} {kind}" for kind, n in sorted(self.other.items(), key=lambda kv: (-kv[1], kv[0]))]
        return ", ".join(parts)

    @property
    def skipped(self) -> int:
        return len(self.ignored) + sum(self.other.values())


def survey(in_dir: str | Path) -> Survey:
    """Walk ``in_dir`` once (following symlinked folders once) and sort every file into the three groups."""
    from . import reading

    root = Path(in_dir)
    s = Survey()
    if root.is_file():
        s.documents.append(root)
        return s
    docs, _ = reading.find_documents(root)
    s.documents, s.ignored = drop_ignored(docs, root)
    read = {d.resolve() for d in docs}
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:
            dirnames[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        rel = Path(dirpath).relative_to(root)
        if any(p.startswith(".") for p in rel.parts):
            dirnames[:] = []
            continue
        for name in filenames:
            p = Path(dirpath) / name
            if name.startswith(".") or p.resolve() in read:
                continue
            s.other[p.suffix.lower() or "no suffix"] += 1
    return s
