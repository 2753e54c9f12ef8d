"""Stage 1, reading: find documents in a folder and turn each file into raw text with its pages.

One module per format family, behind :func:`extract`:

=============  ===============================  ====================================================
module         suffixes                         how
=============  ===============================  ====================================================
``text``       .txt .md                         decoded (BOM, UTF-8, Windows-1258) to NFC
``pdf``        .pdf                             PDFium text layer per page; scans and garbage
                                                layers OCR'd
``word``       .docx; .doc .rtf .odt            python-docx in reading order; legacy formats
                                                converted to .docx by LibreOffice
``ocr``        .png .jpg .jpeg .tif .tiff       Tesseract, Vietnamese model
=============  ===============================  ====================================================

Every reader returns an :class:`~pipeline.reading.base.Extracted`: the text (pages separated by a
form feed), how it was obtained, and the offset where each page starts, from which every task
gets its page (:func:`page_of`). A file that cannot be read on this machine (a program missing,
an encrypted PDF, a damaged file) raises :class:`~pipeline.errors.InputError` saying why and what
to install; a batch records it for that file and goes on.
"""

from __future__ import annotations

import bisect
import hashlib
import os
from pathlib import Path

from ..errors import InputError
from . import ocr, pdf, text, word
from .base import PAGE_BREAK, Extracted, join_pages, split_pages
from .text import decode

__all__ = ["SUFFIXES", "TEXT_SUFFIXES", "MAX_BYTES", "READER_VERSION", "Extracted", "decode", "extract", "read",
           "read_bytes", "read_document", "find_documents", "page_of", "set_pages", "max_bytes",
           "PAGE_BREAK", "join_pages", "split_pages"]

TEXT_SUFFIXES = text.SUFFIXES
SUFFIXES = TEXT_SUFFIXES + pdf.SUFFIXES + word.SUFFIXES + ocr.SUFFIXES
MAX_BYTES = 16 * 1024 * 1024          # a larger text file is an error: no directive is that long
MAX_BINARY_BYTES = 256 * 1024 * 1024  # PDFs, Word files and scans carry images
READER_VERSION = "2"                  # part of the batch cache key: bump when extraction changes


def max_bytes(path: str | Path) -> int:
    return MAX_BYTES if Path(path).suffix.lower() in TEXT_SUFFIXES else MAX_BINARY_BYTES


def find_documents(folder: str | Path, suffixes: tuple[str, ...] = SUFFIXES) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Every document below ``folder`` (sorted), and the entries that were skipped with why.

    Symlinked folders are followed once: a link back into a folder already seen
    (a loop) is skipped and reported, not followed forever.
    """
    root = Path(folder)
    if not root.exists():
        raise InputError(f"The input {folder} does not exist.")
    if root.is_file():
        return [root], []
    found: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[tuple[int, int]] = set()

    def walk(d: Path) -> None:
        try:
            st = d.stat()
        except OSError as e:
            skipped.append((d, f"cannot open folder: {e.strerror or e}"))
            return
        key = (st.st_dev, st.st_ino)
        if key in seen:
            skipped.append((d, "symbolic link loop: folder already visited"))
            return
        seen.add(key)
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as e:
            skipped.append((d, f"cannot list folder: {e.strerror or e}"))
            return
        for e in entries:
            p = Path(e.path)
            try:
                is_dir = e.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            if is_dir:
                walk(p)
            elif p.suffix.lower() in suffixes and not p.name.startswith("~$"):   # ~$x.docx: Word's lock file
                if not p.exists():
                    skipped.append((p, "broken symbolic link"))
                else:
                    found.append(p)
    walk(root)
    found.sort(key=lambda p: p.relative_to(root).as_posix())
    return found, skipped


def read_bytes(path: str | Path) -> bytes:
    p = Path(path)
    try:
        size = p.stat().st_size
        limit = max_bytes(p)
        if size > limit:
            raise InputError(f"file is {size // (1024 * 1024)} MB, above the {limit // (1024 * 1024)} MB limit")
        return p.read_bytes()
    except PermissionError:
        raise InputError("permission denied: the file cannot be read") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file") from None
    except FileNotFoundError:
        raise InputError("file not found (deleted, or a broken link)") from None
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror or e}") from None


def extract(data: bytes, name: str | Path) -> Extracted:
    """The raw text of a file's bytes, by the format its name's suffix says."""
    suffix = Path(str(name)).suffix.lower()
    if not data:
        raise InputError("empty file")
    if suffix in pdf.SUFFIXES:
        ext = pdf.read(data)
    elif suffix in word.SUFFIXES:
        ext = word.read(data, suffix)
    elif suffix in ocr.SUFFIXES:
        ext = ocr.read(data)
    else:
        t, enc = decode(data)
        ext = Extracted(text=t, encoding=enc, pages=split_pages(t))
    ext.sha256 = hashlib.sha256(data).hexdigest()
    return ext


def read(path: str | Path) -> Extracted:
    """Read one file of any supported format."""
    return extract(read_bytes(path), path)


def read_document(path: str | Path) -> tuple[str, str, str]:
    """Read and decode one file: (text, encoding, sha256 of the raw bytes)."""
    ext = read(path)
    return ext.text, ext.encoding, ext.sha256


def page_of(pages: list[int], raw_offset: int) -> int:
    """The 1-based page of a raw-text offset, given the offsets where pages start."""
    return max(1, bisect.bisect_right(pages, raw_offset))


def set_pages(doc, pages: list[int]) -> None:
    """Record a document's page starts and give each task the page its first character is on."""
    doc.pages = list(pages)
    for t in doc.tasks:
        t.page = page_of(doc.pages, doc.raw_span(t.start, t.end)[0])
